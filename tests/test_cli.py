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
