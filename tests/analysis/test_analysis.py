"""Up-front estimates for the reports: shape, geography, families of tests, files."""

from __future__ import annotations

import pandas as pd
import pytest

from satisfaction.analysis.estimates import (
    ALL,
    AnalysisOptions,
    analysis_frame,
    compute_estimates,
    load_estimates,
    write_estimates,
)


@pytest.fixture(scope="module")
def clean_demo(demo_survey, demo_instrument):
    from satisfaction.cleaning.rules import clean

    return clean(demo_survey.raw, demo_instrument).data


@pytest.fixture(scope="module")
def estimates(clean_demo, demo_instrument):
    return compute_estimates(clean_demo, demo_instrument)


def test_pre2025_names_are_counted_in_their_current_province(clean_demo, demo_instrument):
    frame = analysis_frame(clean_demo, demo_instrument)
    counts = frame["province"].value_counts().to_dict()
    raw_counts = clean_demo["tinh"].value_counts().to_dict()
    assert counts["Vĩnh Long"] == raw_counts["Vĩnh Long"] + raw_counts["Trà Vinh"]
    assert counts["Hải Phòng"] == raw_counts["Hải Phòng"] + raw_counts["Hải Dương"]
    assert set(counts) == {"Hà Nội", "Hải Phòng", "Vĩnh Long", "Đắk Lắk"}


def test_age_bands_and_labels(clean_demo, demo_instrument):
    frame = analysis_frame(clean_demo, demo_instrument)
    assert set(frame["sex"].dropna()) == {"Nam", "Nữ"}
    ages = pd.to_numeric(frame["tuoi"])
    assert (frame.loc[ages.between(30, 44), "age_band"] == "30-44").all()
    assert frame.loc[ages.isna(), "age_band"].isna().all()


def test_sample_table_adds_up(estimates, clean_demo):
    sample = estimates["sample"]
    total = sample[(sample["province"] == ALL) & (sample["field"] == ALL)]
    assert int(total["n"].iloc[0]) == len(clean_demo)
    by_province = sample[(sample["province"] != ALL) & (sample["field"] == ALL)]
    assert by_province["n"].sum() == len(clean_demo)
    assert by_province["N"].sum() == pytest.approx(total["N"].iloc[0])


def test_criteria_cover_every_domain(estimates):
    criteria = estimates["criteria"]
    # 22 criteria x (all + 4 provinces + 5 fields + 20 province x field)
    assert len(criteria) == 22 * 30
    assert criteria["estimate"].between(0, 1).all()
    assert (criteria["ci_low"] <= criteria["estimate"]).all()
    assert (criteria["estimate"] <= criteria["ci_high"]).all()


def test_comparisons_are_adjusted_per_family_and_find_vinh_long(estimates):
    compare = estimates["compare_province"]
    assert set(compare["family"]) == {"overall", "element", "criterion"}
    assert (compare["p_adjusted"] >= compare["p_value"] - 1e-15).all()
    e3 = compare[compare["statistic"] == "element:E3"].set_index("province")
    assert e3.loc["Vĩnh Long", "sig"] == "below"
    # 88 criterion tests form one family: Holm's smallest adjusted p is 88 x the raw one
    criteria = compare[compare["family"] == "criterion"]
    smallest = criteria["p_value"].min()
    assert criteria["p_adjusted"].min() == pytest.approx(min(1.0, 88 * smallest))


def test_meta_states_rules_level_and_geography(estimates):
    meta = estimates.meta
    assert meta["element_rule"] == "mean_of_criteria"
    assert meta["overall_rule"] == "mean_of_elements"
    assert meta["geography"] == "current_34"
    assert meta["options"]["level"] == 0.95
    assert meta["provinces"] == ["Hà Nội", "Hải Phòng", "Vĩnh Long", "Đắk Lắk"]


def test_overall_question_rule_changes_the_overall(clean_demo, demo_instrument, estimates):
    other = compute_estimates(
        clean_demo, demo_instrument, AnalysisOptions(overall_rule="overall_question")
    )
    a = estimates["overall"].query("province == @ALL and field == @ALL")["estimate"].iloc[0]
    b = other["overall"].query("province == @ALL and field == @ALL")["estimate"].iloc[0]
    hl = pd.to_numeric(clean_demo["hl_chung"])
    assert a != pytest.approx(b, abs=1e-3)
    assert other.meta["overall_rule"] == "overall_question"
    assert 0.7 < b < 0.95 and b == pytest.approx(
        (hl >= 4)[hl.notna()].mul(clean_demo["trong_so"][hl.notna()]).sum()
        / clean_demo["trong_so"][hl.notna()].sum()
    )


def test_write_and_load_round_trip(estimates, tmp_path):
    write_estimates(estimates, tmp_path)
    loaded = load_estimates(tmp_path)
    assert set(loaded.frames) == set(estimates.frames)
    pd.testing.assert_series_equal(
        loaded["overall"]["estimate"], estimates["overall"]["estimate"], check_names=False
    )
    assert loaded.meta["provinces"] == estimates.meta["provinces"]
    assert loaded.provinces == ["Hà Nội", "Hải Phòng", "Vĩnh Long", "Đắk Lắk"]


def test_element_question_shares_equal_weighted_hand_computation(estimates, clean_demo):
    share = estimates["element_questions"]
    whole = share[(share["province"] == ALL) & (share["group"] == "E3")].iloc[0]
    codes = pd.to_numeric(clean_demo["e3"])
    weights = clean_demo["trong_so"].astype(float)
    valid = codes.notna()
    expected = (weights[valid] * (codes[valid] >= 4)).sum() / weights[valid].sum()
    assert whole["estimate"] == pytest.approx(expected, rel=1e-12)
    assert whole["ci_low"] < whole["estimate"] < whole["ci_high"]
    assert set(share["label"]) >= {"Công chức trực tiếp giải quyết công việc"}


def test_respondent_roles_follow_items_read_from_another_column_and_age_bands():
    from satisfaction.analysis.estimates import analysis_frame
    from satisfaction.io.instrument import instrument_from_dict

    spec = {
        "id": "t", "title": {"vi": "T"}, "version": "1", "geography": "current_34",
        "id_column": "ma",
        "scales": {
            "sat": {"levels": [{"code": c, "label": {"vi": f"m{c}"}} for c in (1, 2, 3)],
                    "satisfied": [3]},
            "sex": {"levels": [{"code": 1, "label": {"vi": "Nam"}},
                               {"code": 2, "label": {"vi": "Nữ"}}]},
            "bands": {"levels": [{"code": 1, "label": {"vi": "Dưới 30"}},
                                 {"code": 2, "label": {"vi": "Từ 30"}}]},
        },
        "items": [
            {"id": "c1", "type": "likert", "scale": "sat", "role": "criterion"},
            {"id": "gioi_tinh", "column": "Giới tính", "type": "single", "scale": "sex",
             "role": "respondent"},
            {"id": "nhom_tuoi", "column": "Nhóm tuổi", "type": "single", "scale": "bands",
             "role": "respondent"},
        ],
        "respondent": {"sex": "Giới tính", "age_band": "Nhóm tuổi"},
    }  # fmt: skip
    instrument = instrument_from_dict(spec)
    clean = pd.DataFrame(
        {
            "_row": [1, 2],
            "ma": ["a", "b"],
            "c1": [3, 1],
            "gioi_tinh": [1, 2],
            "nhom_tuoi": [2, 1],
        }
    )
    frame = analysis_frame(clean, instrument)
    assert frame["sex"].tolist() == ["Nam", "Nữ"]
    assert frame["age_band"].tolist() == ["Từ 30", "Dưới 30"]
