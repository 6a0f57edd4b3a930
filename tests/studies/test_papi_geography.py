"""Published PAPI scores under the 34 provinces: refused by default, a labelled
approximation with declared population weights, checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from satisfaction.errors import ParameterError
from satisfaction.io.geography import HISTORICAL_63, province_mapping
from satisfaction.studies.papi_geography import REFUSAL, published_under_current_34


def _tidy(rows):
    frame = pd.DataFrame(rows, columns=["year", "province_code", "province", "score"])
    return frame.assign(
        level="total",
        dimension_id="total",
        dimension="Chỉ số PAPI",
        sub_dimension=None,
        sub_dimension_key=None,
    )


# Trà Vinh (84), Bến Tre (83) and Vĩnh Long (86) became Vĩnh Long; Hà Nội (01) is unchanged.
SCORES = _tidy(
    [
        (2016, "84", "Trà Vinh", 36.0),
        (2016, "83", "Bến Tre", 34.0),
        (2016, "86", "Vĩnh Long", 38.0),
        (2016, "01", "Hà Nội", 33.8),
    ]
)


def test_averaging_merged_provinces_is_refused_with_why_and_what_instead():
    with pytest.raises(ParameterError) as err:
        published_under_current_34(SCORES)
    text = str(err.value)
    assert "does not give the merged province's index" in text
    assert "Re-estimate the earlier wave under the 34 provinces" in text
    assert "population_weights" in text
    assert REFUSAL in text


def test_unchanged_provinces_alone_pass_without_weights():
    out = published_under_current_34(SCORES[SCORES["province"] == "Hà Nội"])
    assert out["score"].tolist() == [33.8]
    assert not out["approximation"].any()


def test_population_weights_give_a_labelled_approximation_equal_to_a_hand_sum():
    weights = {"Trà Vinh": 1.0e6, "Bến Tre": 1.3e6, "Vinh Long": 1.0e6, "Hà Nội": 8.5e6}
    out = published_under_current_34(SCORES, population_weights=weights).set_index("province")
    expected = (36.0 * 1.0e6 + 34.0 * 1.3e6 + 38.0 * 1.0e6) / 3.3e6
    assert out.loc["Vĩnh Long", "score"] == pytest.approx(expected, rel=1e-12)
    assert out.loc["Vĩnh Long", "approximation"]
    assert out.loc["Vĩnh Long", "note"].startswith("Xấp xỉ")
    assert out.loc["Vĩnh Long", "old_provinces"] == "Bến Tre, Trà Vinh, Vĩnh Long"
    assert out.loc["Hà Nội", "score"] == 33.8 and not out.loc["Hà Nội", "approximation"]
    assert (out["mapping_version"] == "2025-07-01").all()
    # the plain average is a different number: that is why it is refused
    assert expected != pytest.approx((36.0 + 34.0 + 38.0) / 3)


def test_missing_or_bad_weights_are_refused():
    with pytest.raises(ParameterError, match="population weights missing for 1 merged"):
        published_under_current_34(SCORES, population_weights={"Trà Vinh": 1, "Bến Tre": 2})
    with pytest.raises(ParameterError, match="positive number"):
        published_under_current_34(SCORES, population_weights={"Trà Vinh": -1})
    with pytest.raises(ParameterError, match="not one of the 63"):
        published_under_current_34(SCORES, population_weights={"Atlantis": 1})


def test_a_merged_unit_with_an_unpublished_part_gets_no_score():
    rows = SCORES.copy()
    rows.loc[rows["province"] == "Bến Tre", "score"] = float("nan")
    weights = dict.fromkeys(HISTORICAL_63, 1.0)
    out = published_under_current_34(rows, population_weights=weights).set_index("province")
    assert pd.isna(out.loc["Vĩnh Long", "score"])
    assert "Bến Tre: không được công bố năm 2016" in out.loc["Vĩnh Long", "note"]


def test_province_mapping_is_versioned():
    mapping = province_mapping()
    assert len(mapping) == 63 and mapping["new_code"].nunique() == 34
    assert mapping["merged"].sum() == 29
    assert (mapping["version"] == "2025-07-01").all()
    assert mapping["legal_basis"].str.contains("202/2025/QH15").all()
    row = mapping.set_index("old_name").loc["Trà Vinh"]
    assert (row["old_code"], row["new_code"], row["new_name"]) == ("84", "86", "Vĩnh Long")
    with pytest.raises(ParameterError, match="versions"):
        province_mapping("2030-01-01")
