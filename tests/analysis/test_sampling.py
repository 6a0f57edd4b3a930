"""Estimates per kind of sample, checked against hand counts of the fixtures' CSV files.

The fixtures (tests/data/quota_poll, tests/data/ward_forms) are written by Python's csv
module from their scripts; here they are counted again with csv alone, independently of the
package's reader, cleaning and estimators.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest

from satisfaction.analysis.estimates import ALL, AnalysisOptions, compute_estimates
from satisfaction.analysis.sampling import pooled_rows
from satisfaction.cleaning.survey import clean_survey
from satisfaction.errors import ParameterError
from satisfaction.io.instrument import load_instrument

DATA = Path(__file__).resolve().parents[1] / "data"
SATISFIED = "Hài lòng"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name / "responses.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _estimates(name: str, tmp_path_factory, **options):
    folder = DATA / name
    instrument = load_instrument(folder)
    result = clean_survey(folder, tmp_path_factory.mktemp(name))
    return compute_estimates(result.data, instrument, AnalysisOptions(**options))


@pytest.fixture(scope="module")
def ward(tmp_path_factory):
    return _estimates("ward_forms", tmp_path_factory)


@pytest.fixture(scope="module")
def quota(tmp_path_factory):
    return _estimates("quota_poll", tmp_path_factory)


def _share(rows: list[dict[str, str]], column: str) -> tuple[float, int]:
    answered = [r[column] for r in rows if r[column]]
    return sum(a == SATISFIED for a in answered) / len(answered), len(answered)


# ------------------------------------------------------------------ self-selected sample
def test_ward_poll_without_sample_block_is_an_assumed_self_selected_sample(ward):
    study = ward.meta["study"]
    assert (study["kind"], study["declared"], study["unit"]) == ("convenience", False, "commune")
    assert ward.meta["study_kind"] == "convenience"


def test_ward_shares_equal_hand_counts_per_ward_and_overall(ward):
    rows = _rows("ward_forms")
    column = "Công chức tiếp nhận có hướng dẫn tận tình không?"
    ward_column = "Anh/chị làm thủ tục tại phường nào?"
    criteria = ward["criteria"]
    mine = criteria[criteria["variable"] == "sat__huong_dan"].set_index("province")
    share, n = _share(rows, column)
    assert mine.loc[ALL, "estimate"] == pytest.approx(share, abs=1e-12)
    assert mine.loc[ALL, "n"] == n
    by_ward = defaultdict(list)
    for row in rows:
        by_ward[row[ward_column]].append(row)
    assert set(by_ward) == set(ward.provinces)
    for name, ward_rows in by_ward.items():
        share, n = _share(ward_rows, column)
        assert mine.loc[name, "estimate"] == pytest.approx(share, abs=1e-12)
        assert mine.loc[name, "n"] == n


def test_self_selected_sample_shows_no_interval_test_or_design_figure(ward):
    for name in ("criteria", "elements", "overall", "likert_overall"):
        frame = ward[name]
        for column in ("se", "ci_low", "ci_high", "cv", "deff", "df"):
            assert frame[column].isna().all(), (name, column)
        small = frame["n"] < 30
        assert (frame.loc[small, "reliability_note"] == "n < 30").all()
        assert frame.loc[~small, "reliable"].all()
    compare = ward["compare_province"]
    assert compare[["p_value", "p_adjusted", "se"]].isna().all().all()
    assert (compare["sig"] == "").all()
    assert np.allclose(compare["difference"], compare["estimate"] - compare["overall"])


def test_no_province_and_no_field_column_gives_one_row_per_domain(ward):
    sample = ward["sample"]
    assert not sample.duplicated(["province", "field"]).any()
    assert set(sample["field"]) == {ALL}
    assert ward.fields == []
    overall = ward["overall"]
    assert not overall.duplicated(["province", "field"]).any()


def test_by_names_a_unit_the_survey_has(tmp_path_factory):
    estimates = _estimates("ward_forms", tmp_path_factory, unit="commune")
    assert len(estimates.provinces) == 3
    with pytest.raises(ParameterError, match="no province column"):
        _estimates("ward_forms", tmp_path_factory, unit="province")


def test_a_survey_with_no_unit_column_has_only_the_whole_survey(tmp_path):
    folder = tmp_path / "one-ward"
    folder.mkdir()
    text = (DATA / "ward_forms" / "instrument.yaml").read_text(encoding="utf-8")
    text = text.replace('respondent:\n  commune: "Anh/chị làm thủ tục tại phường nào?"\n', "")
    (folder / "instrument.yaml").write_text(text, encoding="utf-8")
    (folder / "responses.csv").write_bytes((DATA / "ward_forms" / "responses.csv").read_bytes())
    instrument = load_instrument(folder)
    estimates = compute_estimates(clean_survey(folder, tmp_path / "out").data, instrument)
    assert estimates.provinces == [] and estimates.meta["study"]["unit"] is None
    assert len(estimates["overall"]) == 1 and len(estimates["sample"]) == 1
    assert "compare_province" not in estimates.frames


# ------------------------------------------------------------------ quota sample
def test_quota_cell_shares_equal_hand_counts(quota):
    rows = _rows("quota_poll")
    groups = {"1": "Cán bộ, công chức", "2": "Đảng viên", "3": "Nhân dân"}
    cells = defaultdict(list)
    for row in rows:
        cells[(row["xa"], groups[row["nhom"]])].append(row)
    breakdowns = quota["breakdowns"]
    mine = breakdowns[
        (breakdowns["breakdown"] == "respondent_group")
        & (breakdowns["variable"] == "overall")
        & (breakdowns["province"] != ALL)
    ].set_index(["province", "category"])
    assert len(mine) == 6
    for (commune, group), cell_rows in cells.items():
        # overall index = mean of elements = mean of the 2 criterion shares (one element)
        c1, _ = _share(cell_rows, "c1")
        c2, _ = _share(cell_rows, "c2")
        assert mine.loc[(commune, group), "estimate"] == pytest.approx((c1 + c2) / 2, abs=1e-12)
        assert mine.loc[(commune, group), "n"] == len(cell_rows)


def _rake_by_hand(rows, margins: dict[str, dict[str, float]]) -> list[float]:
    """Iterative proportional fitting written out: scale each margin in turn."""
    weights = [1.0] * len(rows)
    for _ in range(200):
        for column, population in margins.items():
            totals = Counter()
            for row, w in zip(rows, weights, strict=True):
                totals[row[column]] += w
            weights = [
                w * population[row[column]] / totals[row[column]]
                for row, w in zip(rows, weights, strict=True)
            ]
    return weights


def test_quota_pooled_share_equals_a_raking_done_by_hand(quota):
    rows = _rows("quota_poll")
    margins = {
        "xa": {"Xã An Phú": 6000.0, "Phường Bình Minh": 14000.0},
        "nhom": {"1": 1000.0, "2": 3000.0, "3": 16000.0},
    }
    weights = _rake_by_hand(rows, margins)
    for item in ("c1", "c2"):
        valid = [(r, w) for r, w in zip(rows, weights, strict=True) if r[item]]
        share = sum(w for r, w in valid if r[item] == SATISFIED) / sum(w for _, w in valid)
        criteria = quota["criteria"]
        pooled = criteria[(criteria["province"] == ALL) & (criteria["variable"] == f"sat__{item}")]
        assert pooled["estimate"].iloc[0] == pytest.approx(share, abs=1e-9)
    # the unweighted share differs: the pooling is not the quota's make-up
    unweighted, _ = _share(rows, "c1")
    assert abs(unweighted - quota["criteria"]["estimate"].iloc[0]) > 0.01
    sample = quota["sample"]
    assert sample.loc[sample["province"] == ALL, "N"].iloc[0] == pytest.approx(20000.0)


def test_quota_intervals_are_reference_intervals_without_design_columns(quota):
    criteria = quota["criteria"]
    assert criteria["ci_low"].notna().all() and criteria["se"].notna().all()
    assert criteria[["cv", "deff", "df"]].isna().all().all()
    assert (quota["compare_province"]["sig"] == "").all()
    assert quota.meta["study"]["margins_source"]["vi"].startswith("Số liệu dân số")


def test_quota_without_margins_suppresses_pooled_figures(tmp_path_factory, tmp_path):
    folder = tmp_path / "poll"
    folder.mkdir()
    text = (DATA / "quota_poll" / "instrument.yaml").read_text(encoding="utf-8")
    start = text.index("  margins:")
    end = text.index("scales:")
    (folder / "instrument.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    (folder / "responses.csv").write_bytes((DATA / "quota_poll" / "responses.csv").read_bytes())
    instrument = load_instrument(folder)
    data = clean_survey(folder, tmp_path / "out").data
    estimates = compute_estimates(data, instrument)
    criteria = estimates["criteria"]
    assert criteria["estimate"].isna().all()  # every criterion row pools the groups
    assert (criteria["reliability_note"] == "pooled without margins").all()
    breakdowns = estimates["breakdowns"]
    cells = breakdowns[(breakdowns["province"] != ALL) & (breakdowns["variable"] == "overall")]
    assert cells["estimate"].notna().all() and len(cells) == 6
    mask = pooled_rows(breakdowns, estimates.meta["study"])
    assert mask.sum() == len(breakdowns) - 12  # 6 cells x (overall, element) kept
