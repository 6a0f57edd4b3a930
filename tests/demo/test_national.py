"""The national-scale demo: 34 or 63 provinces, a design per stratum, planted copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from satisfaction.cleaning.pii import column_looks_personal
from satisfaction.cleaning.rules import clean
from satisfaction.demo import national as national_module
from satisfaction.demo.national import generate_national, write_national_survey
from satisfaction.demo.spec import CRITERIA
from satisfaction.errors import ParameterError
from satisfaction.io.geography import CURRENT_34, HISTORICAL_63
from satisfaction.io.instrument import load_instrument
from satisfaction.io.read import read_responses

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = [*CRITERIA, "e1", "e2", "e3", "e4", "e5", "hl_chung", "gioi_tinh", "tuoi"]


@pytest.fixture(scope="module")
def national():
    return generate_national(34, 3_000, copies=0.2, dirt=False)


def test_every_province_in_two_strata_of_at_least_two_communes(national):
    raw = national.raw
    assert set(raw["tinh"]) == set(CURRENT_34) and national.geography == "current_34"
    psus = raw.groupby("tang")["ma_xa"].nunique()
    assert len(psus) == 68 and (psus >= 2).all()
    assert len(raw) == 3_000 and raw["ma_phieu"].is_unique
    weights = pd.to_numeric(raw["trong_so"])
    assert weights.min() > 0 and weights.max() / weights.min() > 2
    assert column_looks_personal("ma_phieu", raw["ma_phieu"]) is None


def test_copies_share_the_commune_and_all_answers_but_at_most_one(national):
    copies = national.copies
    assert len(copies) == 600 and set(copies["kind"]) == {"exact", "near"}
    raw = national.raw.set_index("ma_phieu")
    copy, source = raw.loc[copies["copy"]], raw.loc[copies["source"]]
    assert (copy["ma_xa"].to_numpy() == source["ma_xa"].to_numpy()).all()
    assert (copy["ho_ten"].to_numpy() != source["ho_ten"].to_numpy()).mean() > 0.8
    differences = (copy[ANSWERS].to_numpy() != source[ANSWERS].to_numpy()).sum(axis=1)
    assert (differences == np.where(copies["kind"] == "near", 1, 0)).all()


def test_cleaning_flags_every_copy_and_its_source(national, sipas_instrument, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "surveys" / "sipas", project / "surveys" / "sipas")
    folder = project / "surveys" / "national"
    written = write_national_survey(
        folder, provinces=34, respondents=3_000, copies=0.2, file_format="csv"
    )
    instrument = load_instrument(folder)
    assert instrument.geography == "current_34" and instrument.design["psu"] == "ma_xa"
    result = clean(read_responses(folder / "responses.csv"), instrument)
    flagged = set(result.data.loc[result.data["flag_near_duplicate"], "ma_phieu"])
    planted = set(written.copies["copy"]) | set(written.copies["source"])
    # a missing code in one form of a pair may hide it (the band rule); natural pairs are rare
    assert len(planted - flagged) <= 0.15 * len(planted)
    assert len(flagged - planted) <= 0.01 * len(result.data)


def test_a_clean_copy_is_flagged_exactly(national, demo_instrument):
    result = clean(national.raw.copy(), demo_instrument)
    flagged = set(result.data.loc[result.data["flag_near_duplicate"], "ma_phieu"])
    planted = set(national.copies["copy"]) | set(national.copies["source"])
    assert planted <= flagged


def test_a_historical_wave_has_the_63_provinces():
    survey = generate_national(63, 2_000, seed=7, wave=2024, dirt=False)
    assert set(survey.raw["tinh"]) <= set(HISTORICAL_63) and survey.geography == "historical_63"
    assert survey.raw["tinh"].nunique() == 63 and len(survey.copies) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"provinces": 5}, "34 or 63"),
        ({"copies": 1.5}, "between 0 and 0.9"),
        ({"respondents": 100}, "at least 680"),
    ],
)
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        generate_national(**{"provinces": 34, "respondents": 500, **kwargs})


def test_make_demo_writes_a_national_survey_the_reader_reads(tmp_path, capsys):
    from satisfaction.cli import main

    shutil.copytree(ROOT / "surveys" / "sipas", tmp_path / "surveys" / "sipas")
    folder = tmp_path / "surveys" / "national"
    args = ["make-demo", str(folder), "--provinces", "63", "--respondents", "1500"]
    assert main([*args, "--copies", "0.1"]) == 0
    assert "1,500 forms" in capsys.readouterr().out
    instrument = load_instrument(folder)
    assert instrument.geography == "historical_63"
    raw = read_responses(folder / "responses.xlsx", expected_columns=instrument.expected_columns())
    assert len(raw.frame) == 1500 and raw.header_row == 1


def test_make_demo_refuses_other_province_counts_in_one_line(tmp_path, capsys):
    from satisfaction.cli import main

    assert main(["make-demo", str(tmp_path / "x"), "--provinces", "5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "34 or 63" in err and "Traceback" not in err


def test_a_million_forms_leave_every_commune_its_forms():
    """Rounding the communes' sample sizes adds up to hundreds of forms at a million: they
    are spread over the largest communes, a form each, never taken from one into minus."""
    rng = np.random.default_rng([2025, 2025, 34])
    design = national_module._national_design(rng, CURRENT_34, 800_000)
    assert design["n"].sum() == 800_000 and design["n"].min() >= 2
