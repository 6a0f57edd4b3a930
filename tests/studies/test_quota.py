"""Quota designs: cells as strata, margins matched to the data and raked to."""

from __future__ import annotations

import pandas as pd
import pytest

from satisfaction.errors import InstrumentError
from satisfaction.studies.quota import QUOTA_CELL, RAKED_WEIGHT, match_margins, quota_design


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "xa": ["A", "A", "A", "B", "B", "B"],
            "nhom": ["Dân", "Cán bộ", "Dân", "Dân", "Cán bộ", "Cán bộ"],
            "y": [1.0, 0.0, 1.0, 0.0, 1.0, 1.0],
        }
    )


def test_cells_are_strata_and_margins_are_matched_exactly():
    frame, design = quota_design(_frame(), ["xa", "nhom"])
    assert design.strata == QUOTA_CELL and frame[QUOTA_CELL].nunique() == 4
    margins = {"xa": {"A": 60.0, "B": 40.0}, "nhom": {"Dân": 70.0, "Cán bộ": 30.0}}
    raked, design = quota_design(_frame(), ["xa", "nhom"], margins)
    weights = raked[RAKED_WEIGHT]
    assert weights.groupby(raked["xa"]).sum().to_dict() == pytest.approx({"A": 60, "B": 40})
    assert weights.groupby(raked["nhom"]).sum().to_dict() == pytest.approx(
        {"Dân": 70, "Cán bộ": 30}
    )
    assert design.weight == RAKED_WEIGHT


def test_margin_keys_match_codes_labels_and_case():
    frame = _frame()
    matched = match_margins(
        frame,
        {"commune": "xa", "respondent_group": "nhom"},
        {"commune": {"a": 1.0, "B ": 2.0}, "respondent_group": {"1": 2.0, "CÁN BỘ": 1.0}},
        {"respondent_group": {"1": "Dân"}},
    )
    assert matched == {"xa": {"A": 1.0, "B": 2.0}, "nhom": {"Dân": 2.0, "Cán bộ": 1.0}}


def test_margins_that_miss_a_category_name_it():
    with pytest.raises(InstrumentError, match="no population count for 'B'"):
        match_margins(_frame(), {"commune": "xa"}, {"commune": {"A": 1.0}})
    with pytest.raises(InstrumentError, match="C: not found in the data"):
        match_margins(_frame(), {"commune": "xa"}, {"commune": {"A": 1.0, "B": 1.0, "C": 1.0}})
