"""The command line: one clear line and exit code 2 on errors; real work on success."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from satisfaction.cli import main
from satisfaction.demo.spec import CRITERIA

ROOT = Path(__file__).resolve().parents[1]


def test_validate_prints_valid_for_the_sipas_instrument(capsys):
    assert main(["validate", str(ROOT / "surveys" / "sipas" / "instrument.yaml")]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "22 criteria" in out


def test_invalid_instrument_is_one_error_line_per_problem_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "instrument.yaml"
    bad.write_text(
        f"extends: {ROOT / 'surveys/sipas/instrument.yaml'}\n"
        "scales: {sat5: {levels: [{code: 1, label: a}, {code: 2, label: b}], satisfied: [3]}}\n",
        encoding="utf-8",
    )
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{bad}: scales.sat5.satisfied[0]: satisfied code 3 is not a level" in err


def test_missing_survey_folder_exit_2_without_traceback(tmp_path, capsys):
    assert main(["clean", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "is not a survey folder" in err
    assert "Traceback" not in err


def test_unknown_option_is_a_usage_error(capsys):
    assert main(["validate", "--bogus"]) == 2


def test_clean_command_on_a_small_csv_survey(tmp_path, capsys):
    survey = tmp_path / "mini"
    survey.mkdir()
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"ma_phieu": [f"P{i:02d}" for i in range(40)]})
    for column in CRITERIA:
        frame[column] = rng.integers(1, 6, size=40)
    frame.loc[3, "c1_1"] = 98
    frame.to_csv(survey / "phieu.csv", index=False, encoding="cp1258")
    items = "\n".join(
        f"  - {{id: {c}, type: likert, scale: sat5, role: criterion}}" for c in CRITERIA
    )
    (survey / "instrument.yaml").write_text(
        "id: mini\ntitle: Thử\nversion: '1'\ngeography: current_34\nid_column: ma_phieu\n"
        "data: {file: phieu.csv}\n"
        "scales:\n  sat5:\n    levels: [{code: 1, label: a}, {code: 2, label: b}, "
        "{code: 3, label: c}, {code: 4, label: d}, {code: 5, label: e}]\n"
        "    satisfied: [4, 5]\n    missing: [{code: 98, label: Không biết, reason: dont_know}]\n"
        f"items:\n{items}\n",
        encoding="utf-8",
    )
    outputs = tmp_path / "outputs"
    assert main(["clean", str(survey), "--outputs", str(outputs)]) == 0
    log = pd.read_csv(outputs / "mini" / "clean" / "cleaning_log.csv")
    assert log[["row_id", "column", "old_value", "rule"]].values.tolist() == [
        [5, "c1_1", 98, "missing_dont_know"]
    ]
    assert "rows clean: 40" in capsys.readouterr().out


def test_instrument_from_spss_writes_a_reviewed_instrument_beside_the_data(tmp_path, capsys):
    sav = ROOT / "tests" / "data" / "corpus" / "sipas_spss.sav"
    out = tmp_path / "surveys" / "spss" / "instrument.yaml"
    assert main(["instrument", "from-spss", str(sav), "--out", str(out)]) == 0
    assert (out.parent / "sipas_spss.sav").read_bytes() == sav.read_bytes()  # as delivered
    text = out.read_text(encoding="utf-8")
    assert "#   - tinh: the province column, by its name or question" in text
    assert main(["clean", str(out.parent), "--outputs", str(tmp_path / "outputs")]) == 0
    printed = capsys.readouterr().out
    assert "value_label" in printed and "rows clean: 60" in printed


def test_write_instrument_yaml_refuses_an_instrument_object(tmp_path):
    import pytest

    from satisfaction.errors import ParameterError
    from satisfaction.io.spss import instrument_from_spss, write_instrument_yaml

    instrument = instrument_from_spss(ROOT / "tests" / "data" / "corpus" / "sipas_spss.sav")
    with pytest.raises(ParameterError, match="takes the mapping from instrument_spec_from_spss"):
        write_instrument_yaml(instrument, tmp_path / "x.yaml")  # the README's old recipe


def test_validate_opens_the_data_and_names_missing_columns_with_closest(tmp_path, capsys):
    folder = tmp_path / "survey"
    folder.mkdir()
    (folder / "data.csv").write_text(
        "ma_phieu,Cau 1,tinh\n01,4,Hà Nội\n02,7,Huế\n", encoding="utf-8"
    )
    (folder / "instrument.yaml").write_text(
        "id: t\ntitle: {vi: T}\nversion: '1'\ngeography: current_34\nid_column: ma_phieu\n"
        "data: {file: data.csv}\n"
        "scales: {s: {levels: [{code: 4, label: {vi: Hài lòng}}, {code: 5, label: {vi: Rất}}],"
        " satisfied: [4, 5]}}\n"
        "items: [{id: c1, column: Câu 1, type: likert, scale: s, role: criterion}]\n"
        "respondent: {province: tinh}\n",
        encoding="utf-8",
    )
    assert main(["validate", str(folder)]) == 2
    captured = capsys.readouterr()
    assert "2 rows, 3 columns: ma_phieu, Cau 1, tinh" in captured.out
    assert (
        "error: column 'Câu 1' named by the instrument is not in the file (closest: 'Cau 1')"
        in (captured.err)
    )
    (folder / "data.csv").write_text("ma_phieu,Câu 1,tinh\n01,4,Hà Nội\n02,7,Huế\n")
    assert main(["validate", str(folder)]) == 0
    assert "column 'Câu 1': 1 value(s) no scale knows, read as missing: '7'" in (
        capsys.readouterr().out
    )


def test_group_id_equal_to_an_item_id_is_refused_at_validation(tmp_path, capsys):
    bad = tmp_path / "instrument.yaml"
    bad.write_text(
        "id: t\ntitle: {vi: T}\nversion: '1'\ngeography: current_34\nid_column: id\n"
        "scales: {s: {levels: [{code: 1, label: {vi: A}}, {code: 2, label: {vi: B}}]}}\n"
        "groups: [{id: E1, label: {vi: Yếu tố 1}}]\n"
        "items: [{id: E1, type: single, scale: s, group: E1}]\n",
        encoding="utf-8",
    )
    assert main(["validate", str(bad)]) == 2
    assert "groups[0].id: group id 'E1' is also an item id" in capsys.readouterr().err
