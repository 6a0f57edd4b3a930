"""A survey folder end to end: the demo workbook cleans to its planted counts on disk,
raw bytes never change, and no personal value reaches outputs/."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from satisfaction.cleaning.survey import CLEAN_FILES, clean_survey, load_clean
from satisfaction.demo.spec import PLANTED
from satisfaction.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    survey = tmp_path_factory.mktemp("surveys") / "demo"
    shutil.copytree(ROOT / "surveys" / "demo", survey)
    shutil.copy(ROOT / "surveys" / "sipas" / "instrument.yaml", survey.parent / "x.yaml")
    (survey.parent / "sipas").mkdir()
    shutil.copy(ROOT / "surveys" / "sipas" / "instrument.yaml", survey.parent / "sipas")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in survey.iterdir()}
    outputs = tmp_path_factory.mktemp("outputs")
    result = clean_survey(survey, outputs)
    return survey, outputs, result, before


def test_every_clean_file_is_written(demo_run):
    _, outputs, _, _ = demo_run
    for name in CLEAN_FILES:
        assert (outputs / "demo" / "clean" / name).stat().st_size > 0, name


def test_workbook_rows_blank_and_totals_are_logged_and_counts_match(demo_run):
    _, outputs, result, _ = demo_run
    summary = pd.read_csv(outputs / "demo" / "clean" / "cleaning_summary.csv")
    by_rule = summary.groupby("rule")["count"].sum().to_dict()
    for rule, count in PLANTED.items():
        expected = 2 * count if rule == "near_duplicate" else count
        assert by_rule.get(rule, 0) == expected, rule
    assert result.quarantine["quarantine_reason"].value_counts().to_dict() == {
        "duplicate_exact": 25,
        "duplicate_conflict": 16,
        "totals_row": 1,
        "blank_row": 3,  # clean + quarantine = raw, row for row
    }


def test_log_row_ids_are_excel_rows(demo_run):
    _, _, result, _ = demo_run
    from openpyxl import load_workbook

    survey, *_ = demo_run
    sheet = load_workbook(survey / "responses.xlsx", read_only=True)["Dữ liệu"]
    dk = result.log[
        (result.log["rule"] == "missing_dont_know") & (result.log["old_value"] == "98")
    ]
    first = dk.iloc[0]
    header = [c.value for c in next(sheet.iter_rows(min_row=3, max_row=3))]
    row = next(sheet.iter_rows(min_row=int(first["row_id"]), max_row=int(first["row_id"])))
    values = dict(zip(header, [c.value for c in row], strict=False))
    assert values[first["column"]] == 98
    assert values["ma_phieu"] == first["form_id"]


def test_raw_files_are_unchanged(demo_run):
    survey, _, _, before = demo_run
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in survey.iterdir()}
    assert after == before


def test_no_personal_value_in_any_output_file(demo_run, demo_survey):
    _, outputs, _, _ = demo_run
    blobs = []
    for path in (outputs).rglob("*"):
        if path.is_file():
            if path.suffix == ".parquet":
                blobs.append(pd.read_parquet(path).astype(str).to_csv())
            elif path.suffix == ".xlsx":
                for frame in pd.read_excel(path, sheet_name=None).values():
                    blobs.append(frame.astype(str).to_csv())
            else:
                blobs.append(path.read_text(encoding="utf-8-sig"))
    everything = "\n".join(blobs)
    raw = demo_survey.raw
    for column in ("ho_ten", "so_dien_thoai", "dia_chi"):
        values = raw[column].dropna().astype(str).unique()
        leaked = [v for v in values if v in everything]
        assert leaked == [], (column, leaked[:3])
    phones = raw["y_kien"].astype(str).str.extract(r"(09\d{8})")[0].dropna()
    assert len(phones) == PLANTED["personal_scrubbed"]
    assert not any(p in everything for p in phones)


def test_load_clean_reads_back_the_parquet(demo_run):
    _, outputs, result, _ = demo_run
    data = load_clean(outputs, "demo")
    assert len(data) == len(result.data)
    assert data["c1_1"].dtype == result.data["c1_1"].dtype


def test_missing_response_file_is_a_clear_error(tmp_path):
    (tmp_path / "instrument.yaml").write_text(
        f"extends: {ROOT / 'surveys/sipas/instrument.yaml'}\ndata: {{file: none.xlsx}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"none\.xlsx: response file named by the instrument"):
        clean_survey(tmp_path, tmp_path / "out")


def test_data_file_outside_the_survey_folder_is_refused(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "secret.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "s" / "instrument.yaml").write_text(
        f"extends: {ROOT / 'surveys/sipas/instrument.yaml'}\ndata: {{file: ../secret.csv}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="inside the survey folder"):
        clean_survey(tmp_path / "s", tmp_path / "out")
