"""Hostile files, values and instruments (issue 13), each in miniature: the file, the command,
the expected error or result. Readers' own cases (formulas without cached values, merged
cells, zip bombs, encodings) live with the readers; instruments' limits in
tests/io/test_instrument_load.py; the writer in tests/io/test_write.py; random cells in
tests/cleaning/test_outputs_fuzz.py."""

from __future__ import annotations

import csv
import hashlib
import zipfile
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest

from satisfaction.cleaning.rules import clean
from satisfaction.cleaning.survey import clean_survey
from satisfaction.cli import main
from satisfaction.errors import InputError, OutputError
from satisfaction.io.instrument import instrument_from_dict

ROOT = Path(__file__).resolve().parents[1]
SIPAS = ROOT / "surveys" / "sipas" / "instrument.yaml"

MINI = {
    "id": "mini",
    "title": "Mini",
    "version": "1",
    "geography": "current_34",
    "id_column": "ma_phieu",
    "scales": {
        "sat5": {
            "levels": [{"code": c, "label": f"m{c}"} for c in range(1, 6)],
            "satisfied": [4, 5],
            "neutral": [3],
            "dissatisfied": [1, 2],
        }
    },
    "items": [
        {"id": "q1", "type": "likert", "scale": "sat5", "role": "criterion"},
        {"id": "ngay", "type": "date"},
        {"id": "tuoi", "type": "numeric", "min": 15, "max": 100},
        {"id": "y_kien", "type": "text", "role": "comment"},
    ],
    "respondent": {"province": "tinh", "commune": "ma_xa"},
    "design": {"weight": "trong_so", "psu": "ma_xa"},
    "personal_data": [{"column": "y_kien", "action": "scrub"}],
}
COLUMNS = ["ma_phieu", "tinh", "ma_xa", "trong_so", "q1", "ngay", "tuoi", "y_kien"]


def _mini(**changes) -> object:
    return instrument_from_dict({**MINI, **changes})


def _frame(rows: list[dict]) -> pd.DataFrame:
    base = dict(zip(COLUMNS, ["F", "Hà Nội", "00189", "1", "4", "", "40", ""], strict=True))
    return pd.DataFrame([{**base, **row} for row in rows], columns=COLUMNS).astype(object)


def _survey(root: Path, name: str, rows: list[dict], **changes) -> Path:
    """surveys/<name>/ with an instrument (as YAML) and a CSV written by the csv module."""
    import yaml

    folder = root / "surveys" / name
    folder.mkdir(parents=True)
    spec = {**MINI, "id": name, "data": {"file": "responses.csv"}, **changes}
    (folder / "instrument.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), "utf-8")
    frame = _frame(rows)
    with (folder / "responses.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(frame.columns)
        writer.writerows(frame.astype(str).replace("nan", "").to_numpy().tolist())
    return folder


def _all_text(folder: Path) -> str:
    parts = []
    for path in folder.rglob("*"):
        if path.suffix in (".csv", ".txt", ".json", ".sha256"):
            parts.append(path.read_text(encoding="utf-8-sig"))
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                parts += [archive.read(n).decode() for n in archive.namelist()]
        elif path.suffix == ".parquet":
            parts.append(pd.read_parquet(path).astype(str).to_csv())
    return "\n".join(parts)


def _cli(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


# ----------------------------------------------------------------------- output paths
def test_two_survey_folders_with_one_id_are_refused(tmp_path, capsys):
    _survey(tmp_path, "a", [{"ma_phieu": "A1"}], id="same")
    b = _survey(tmp_path, "b", [{"ma_phieu": "B1"}], id="same")
    code, err = _cli(capsys, "clean", str(b), "--outputs", str(tmp_path / "outputs"))
    assert code == 2 and "instrument id 'same' is also the id of" in err


def test_an_id_that_is_a_path_writes_nothing_outside(tmp_path, capsys):
    folder = _survey(tmp_path, "x", [{"ma_phieu": "A1"}], id="../../../escape")
    code, err = _cli(capsys, "clean", str(folder), "--outputs", str(tmp_path / "outputs"))
    assert code == 2 and "id: '../../../escape' is not a short name" in err
    assert not (tmp_path / "escape").exists() and not (tmp_path / "outputs").exists()


def test_a_link_planted_in_outputs_is_not_followed(tmp_path):
    folder = _survey(tmp_path, "x", [{"ma_phieu": "A1"}])
    outside = tmp_path / "outside.csv"
    outside.write_text("keep", encoding="utf-8")
    clean_dir = tmp_path / "outputs" / "x" / "clean"
    clean_dir.mkdir(parents=True)
    (clean_dir / "quarantine.csv").symlink_to(outside)
    clean_survey(folder, tmp_path / "outputs")
    assert outside.read_text(encoding="utf-8") == "keep"
    assert not (clean_dir / "quarantine.csv").is_symlink()


def test_a_linked_survey_folder_in_outputs_leading_out_is_refused(tmp_path):
    folder = _survey(tmp_path, "x", [{"ma_phieu": "A1"}])
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "outputs").mkdir()
    (tmp_path / "outputs" / "x").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(Exception, match="outside") as info:
        clean_survey(folder, tmp_path / "outputs")
    assert (
        isinstance(info.value, (OutputError, InputError))
        or "Parameter" in type(info.value).__name__
    )
    assert not list((tmp_path / "elsewhere").iterdir())


def test_outputs_that_is_a_file_exits_2(tmp_path, capsys):
    folder = _survey(tmp_path, "x", [{"ma_phieu": "A1"}])
    (tmp_path / "outputs").write_text("", encoding="utf-8")
    code, err = _cli(capsys, "clean", str(folder), "--outputs", str(tmp_path / "outputs"))
    assert code == 2 and "a file stands where a folder should be" in err


def test_clean_etc_passwd_exits_2(capsys):
    code, err = _cli(capsys, "clean", "/etc/passwd")
    assert code == 2 and "/etc/passwd: is not a survey folder" in err


def test_bogus_satisfaction_root_exits_2(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SATISFACTION_ROOT", str(tmp_path / "nowhere"))
    code, err = _cli(capsys, "batch", "demo")
    assert code == 2 and "SATISFACTION_ROOT" in err and "is not a folder" in err


def test_deep_yaml_exits_2(tmp_path, capsys):
    path = tmp_path / "instrument.yaml"
    path.write_text("id: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    code, err = _cli(capsys, "validate", str(path))
    assert code == 2 and "nested deeper than 40 levels" in err


# ----------------------------------------------------------------------- freshness
def test_an_id_other_than_the_folder_name_never_leaves_stale_estimates(tmp_path):
    """The README recipe (folder `qn`, another id): change every answer, and the next
    estimates say so (they are keyed by the folder and stamped with their inputs)."""
    import yaml

    from constructed_survey import CRITERIA, write_constructed
    from satisfaction.analysis.estimates import ALL
    from satisfaction.present.survey_choice import ensure_estimates, prepare_estimates

    folder = write_constructed(tmp_path, "qn", 2025)
    spec = yaml.safe_load((folder / "instrument.yaml").read_text(encoding="utf-8"))
    spec["id"] = "quang-ninh-2025"
    (folder / "instrument.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    target, cleaned, estimated = prepare_estimates("qn", root=tmp_path)
    assert target == tmp_path / "outputs" / "qn" / "estimates" and cleaned and estimated
    assert not (tmp_path / "outputs" / "quang-ninh-2025").exists()

    def satisfied() -> float:
        criteria = ensure_estimates("qn", root=tmp_path)["criteria"]
        whole = criteria[(criteria["province"] == ALL) & (criteria["field"] == ALL)]
        return float(whole["estimate"].max())

    assert satisfied() > 0.5
    responses = pd.read_csv(folder / "responses.csv")
    responses[list(CRITERIA)] = 1
    responses.to_csv(folder / "responses.csv", index=False)
    assert satisfied() == 0.0


# ----------------------------------------------------------------------- personal data
def test_undeclared_personal_columns_are_refused_until_declared():
    frame = _frame([{"ma_phieu": "A"}]).assign(
        **{"Họ và tên": ["Nguyễn Văn An"], "cccd": ["079201001234"], "ghi_chu": ["x"]}
    )
    with pytest.raises(InputError) as info:
        clean(frame, _mini())
    message = str(info.value)
    assert "column 'Họ và tên': looks personal (its name)" in message
    assert "column 'cccd': looks personal" in message and "ghi_chu" not in message
    declared = _mini(
        personal_data=[
            {"column": "y_kien", "action": "scrub"},
            {"column": "Họ và tên", "action": "drop"},
            {"column": "cccd", "action": "hash"},
        ]
    )
    result = clean(frame, declared)
    assert "Họ và tên" not in result.data and result.data.loc[0, "cccd"] != "079201001234"


def test_a_hashed_phone_id_column_never_writes_raw_phones(tmp_path):
    from satisfaction.cleaning.survey import write_clean_outputs

    inst = _mini(personal_data=[{"column": "ma_phieu", "action": "hash"}])
    frame = _frame([{"ma_phieu": "0912345678"}, {"ma_phieu": "0912345678"}, {"q1": "x"}])
    result = clean(frame, inst)
    write_clean_outputs(result, tmp_path / "clean")
    assert "912345678" not in _all_text(tmp_path / "clean")


def test_hashes_are_keyed_and_cannot_be_redone_from_the_instrument():
    inst = _mini(personal_data=[{"column": "ma_phieu", "action": "hash"}], salt="pepper")
    result = clean(_frame([{"ma_phieu": "0912345678"}]), inst)
    plain = hashlib.sha256(b"pepper\x1f0912345678").hexdigest()[:16]
    assert result.data.loc[0, "ma_phieu"] not in (plain, "0912345678")


def test_the_totals_row_comment_is_scrubbed_in_the_quarantine(tmp_path):
    rows = [
        {"ma_phieu": "A1"},
        {
            "ma_phieu": "Tổng cộng",
            "tinh": "",
            "ma_xa": "",
            "trong_so": "",
            "q1": "",
            "tuoi": "",
            "y_kien": "gọi (091) 234-5682, chị Lan",
        },
    ]
    folder = _survey(tmp_path, "x", rows)
    result = clean_survey(folder, tmp_path / "outputs")
    assert list(result.quarantine["quarantine_reason"]) == ["totals_row"]
    text = _all_text(tmp_path / "outputs")
    assert "2345682" not in text and "Lan" not in text


def test_names_and_addresses_in_comments_never_reach_the_phrases():
    from satisfaction.analysis.comments import top_phrases

    comments = ["Tên tôi là Nguyễn Văn Hùng, nhà ở số 12 ngõ 5 Lê Lợi, thủ tục nhanh"] * 4
    phrases = " ".join(top_phrases(pd.DataFrame({"c": comments}), "c")["phrase"])
    assert "hùng" not in phrases and "ngõ 5" not in phrases and "thủ tục nhanh" in phrases


# ----------------------------------------------------------------------- silent wrong
def test_blank_ids_in_one_commune_do_not_crash_near_duplicates():
    inst = _mini(quality={"near_duplicate_min_compared": 1, "near_duplicate_max_differences": 0})
    result = clean(_frame([{"ma_phieu": ""}, {"ma_phieu": ""}, {"ma_phieu": "", "q1": "2"}]), inst)
    assert result.count("missing_id") == 3


def test_dd_mm_and_mm_dd_mixed_in_one_column_are_logged_not_guessed():
    frame = _frame(
        [
            {"ma_phieu": f"F{i}", "ngay": d}
            for i, d in enumerate(["25/03/2025", "03/25/2025", "04/05/2025", "05/05/2025"])
        ]
    )
    result = clean(frame, _mini())
    dates = result.data["ngay"].dt.strftime("%Y-%m-%d").tolist()
    assert dates[:2] == ["2025-03-25", "2025-03-25"] and pd.isna(result.data["ngay"][2])
    assert result.count("date_ambiguous") == 1 and result.count("date_month_first") == 1


def test_weights_of_1e308_are_invalid():
    result = clean(_frame([{"ma_phieu": "A", "trong_so": "1e308"}]), _mini())
    assert pd.isna(result.data.loc[0, "trong_so"]) and result.count("invalid_weight") == 1


def test_commune_codes_written_as_decimals_are_one_psu():
    frame = _frame(
        [
            {"ma_phieu": f"F{i}", "ma_xa": c}
            for i, c in enumerate(["189", "189.0", "1.89e2", "189,0"])
        ]
    )
    result = clean(frame, _mini())
    assert result.data["ma_xa"].nunique() == 1 and result.count("code_normalised") == 3


def test_comma_decimals_and_unicode_digits_are_logged():
    frame = _frame([{"ma_phieu": "A", "tuoi": "40,5", "q1": "４", "trong_so": "١٫٥"}])
    result = clean(frame, _mini())
    assert result.data.loc[0, "tuoi"] == 40.5 and result.data.loc[0, "q1"] == 4
    assert result.count("decimal_comma", "tuoi") == 1 and result.count("unicode_digits", "q1") == 1


def test_a_respondent_with_a_total_like_id_is_kept(tmp_path):
    folder = _survey(tmp_path, "x", [{"ma_phieu": "Total-2025-07"}, {"ma_phieu": "A2"}])
    result = clean_survey(folder, tmp_path / "outputs")
    assert "Total-2025-07" in set(result.data["ma_phieu"]) and result.quarantine.empty


def test_blank_rows_are_quarantined_so_clean_plus_quarantine_is_raw(tmp_path):
    folder = _survey(tmp_path, "x", [{"ma_phieu": "A1"}, {"ma_phieu": "A2"}])
    text = (folder / "responses.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    (folder / "responses.csv").write_text(
        "\n".join([lines[0], lines[1], ",,,,,,,", lines[2]]) + "\n", encoding="utf-8"
    )
    result = clean_survey(folder, tmp_path / "outputs")
    assert len(result.data) + len(result.quarantine) == 3
    assert list(result.quarantine["quarantine_reason"]) == ["blank_row"]


# ----------------------------------------------------------------------- runs
def test_a_batch_with_a_failed_report_exits_1_and_names_it(monkeypatch, capsys):
    import satisfaction.run.jobs as jobs
    from satisfaction.run.jobs import JobResult

    class _Manifest:
        counts: ClassVar[dict[str, int]] = {"done": 2, "failed": 1}
        units: ClassVar[list[dict[str, str]]] = [{"notebook": "province_report.ipynb"}] * 3
        index = Path("index.html")

        def with_status(self, status):
            return [{"folder": "province/ha-noi", "error": "boom"}] if status == "failed" else []

    def fake(*args, **kwargs):
        return JobResult(_Manifest(), Path("index.html"), Path("e"), False, False)

    monkeypatch.setattr(jobs, "run_reports", fake)
    code, err = _cli(capsys, "batch", "demo")
    assert code == 1 and "1 report(s) failed: province/ha-noi" in err


def test_an_unreachable_dask_scheduler_is_one_line(monkeypatch, tmp_path):
    pytest.importorskip("distributed")
    import satisfaction.run.batch as batch
    from satisfaction.errors import ParameterError

    monkeypatch.setattr(batch, "_DASK_CONNECT_SECONDS", 1)
    with pytest.raises(ParameterError, match="cannot reach a Dask scheduler"):
        batch._run_dask([{"x": 1}], None, progress=False, address="tcp://127.0.0.1:9")


def test_a_survey_where_every_answer_is_one_level_still_reports(tmp_path):
    """Every answer 4: the province report draws its bars and the plan has no quadrants
    (nothing to explain) instead of failing 2 of 3 reports."""
    import yaml

    from constructed_survey import write_constructed
    from satisfaction.present import ProvinceReport, RemediationReport

    folder = write_constructed(tmp_path, "one", 2025)
    spec = yaml.safe_load((folder / "instrument.yaml").read_text(encoding="utf-8"))
    responses = pd.read_csv(folder / "responses.csv")
    responses[[i["id"] for i in spec["items"] if i.get("type") == "likert"]] = 4
    responses.to_csv(folder / "responses.csv", index=False)
    report = ProvinceReport.open("one", root=tmp_path, output_dir=tmp_path / "p")
    report.by_field()
    plan = RemediationReport.open("one", root=tmp_path, output_dir=tmp_path / "r")
    assert plan.priorities().empty  # everyone satisfied: nothing to remediate
    plan.drivers()
