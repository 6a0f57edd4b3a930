"""Remediation analysis: tiers and order on a constructed survey, change between waves."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from constructed_survey import PREVIOUS_CHANGE, write_constructed
from demo_waves import previous_wave
from satisfaction.analysis.cells import criterion_cells, target_comparison
from satisfaction.analysis.change import MethodBreakError, change_since, check_comparable
from satisfaction.analysis.estimates import ALL, Estimates, analysis_frame
from satisfaction.analysis.remediation import (
    NOT_PRIORITY,
    PriorityRule,
    priorities,
    remediation_analysis,
)
from satisfaction.cleaning.survey import load_clean
from satisfaction.errors import ParameterError
from satisfaction.io.instrument import load_instrument
from satisfaction.present.survey_choice import ensure_estimates
from satisfaction.stats.estimate import adjust_pvalues
from satisfaction.studies.indices import design_of, element_indices, overall_index

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("plan-project")
    write_constructed(root, "plan-test", 2025)
    write_constructed(root, "plan-test-prev", 2024, change=PREVIOUS_CHANGE)
    return root


@pytest.fixture(scope="module")
def estimates(project) -> Estimates:
    return ensure_estimates("plan-test", root=project)


@pytest.fixture(scope="module")
def previous(project) -> Estimates:
    return ensure_estimates("plan-test-prev", root=project)


@pytest.fixture(scope="module")
def instrument(project):
    return load_instrument(project / "surveys" / "plan-test" / "instrument.yaml")


@pytest.fixture(scope="module")
def clean(project, estimates):
    return load_clean(project / "outputs", "plan-test")


@pytest.fixture(scope="module")
def plan(estimates) -> pd.DataFrame:
    return priorities(criterion_cells(estimates), rule=PriorityRule(target=0.8))


def _cells(frame: pd.DataFrame, tier: int | None) -> list[tuple[str, str]]:
    rows = frame[frame["tier"] == tier] if tier else frame[frame["tier"].isna()]
    return list(zip(rows["field"], rows["item"], strict=True))


# ---------------------------------------------------------------------------- priorities
def test_tiers_and_order_come_out_as_designed(plan):
    assert _cells(plan, 1) == [
        ("Đất đai", "a1"),  # gap 25 points: 0.25 x 0.417 volume share = 0.104
        ("Xây dựng", "a1"),  # gap 18.3: 0.183 x 0.208 = 0.038
        ("Đất đai", "a2"),  # gap 8.3, top-third volume: 0.083 x 0.417 = 0.035
        ("Hộ tịch", "b1"),  # gap 7.6, top-third volume: 0.076 x 0.365 = 0.028
    ]
    assert set(_cells(plan, 2)) == {("Xây dựng", "a2"), ("Xây dựng", "b1")}
    assert set(_cells(plan, 3)) == {("Hộ tịch", "a1"), ("Cư trú", "a1"), ("Cư trú", "a2")}
    assert len(_cells(plan, None)) == 16 - 9
    assert set(plan.loc[plan["tier"].isna(), "priority"]) == {NOT_PRIORITY}
    assert (plan.loc[plan["tier"].isna(), "gap"] <= 0).all()
    # why each tier-2 cell is tier 2: one by its test, one by its gap
    by_cell = plan.set_index(["field", "item"])
    assert by_cell.loc[("Xây dựng", "a2"), "significant"]
    assert not by_cell.loc[("Xây dựng", "a2"), "top_volume"]
    assert not by_cell.loc[("Xây dựng", "b1"), "significant"]
    assert by_cell.loc[("Xây dựng", "b1"), "gap"] == pytest.approx(0.8 - 44 / 60)
    # the unreliable cells are the small field, however low their share
    assert not by_cell.loc[("Cư trú", "a1"), "reliable"]
    assert by_cell.loc[("Cư trú", "a1"), "gap"] == pytest.approx(0.8)


def test_rank_follows_tier_then_gap_times_volume_share(plan, estimates):
    sample = estimates["sample"]
    sample = sample[(sample["province"] == ALL) & (sample["field"] != ALL)].set_index("field")
    share = sample["N"] / sample["N"].sum()
    assert share["Đất đai"] == pytest.approx(120 / 288)  # same weights in every field
    ranked = plan[plan["tier"].notna()]
    expected = (ranked["gap"] * ranked["field"].map(share)).to_numpy()
    assert ranked["score"].to_numpy() == pytest.approx(expected)
    assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))
    for _, tier in ranked.groupby("tier"):
        assert tier["score"].is_monotonic_decreasing
    top_fields = set(plan.loc[plan["top_volume"], "field"])
    assert top_fields == {"Đất đai", "Hộ tịch"}  # ceil(4 / 3) = 2 largest of 4 fields


def test_one_sided_design_based_test_adjusted_across_the_family(plan, estimates):
    criteria = estimates["criteria"]
    cell = criteria[
        (criteria["province"] == ALL)
        & (criteria["field"] == "Hộ tịch")
        & (criteria["item"] == "b1")
    ].iloc[0]
    t_stat = (cell["estimate"] - 0.8) / cell["se"]
    assert cell["df"] == 4 * 6 - 4  # PSUs minus strata
    row = plan[(plan["field"] == "Hộ tịch") & (plan["item"] == "b1")].iloc[0]
    assert row["p_value"] == pytest.approx(stats.t.cdf(t_stat, cell["df"]))
    holm = adjust_pvalues(plan["p_value"].to_numpy(), method="holm")
    assert plan["p_adjusted"].to_numpy() == pytest.approx(holm, nan_ok=True)
    assert np.isnan(plan.set_index(["field", "item"]).loc[("Cư trú", "a1"), "p_value"])  # se 0
    bh = priorities(criterion_cells(estimates), rule=PriorityRule(adjust="fdr_bh"))
    assert bh["p_adjusted"].to_numpy() == pytest.approx(
        adjust_pvalues(bh["p_value"].to_numpy(), method="fdr_bh"), nan_ok=True
    )
    assert set(_cells(bh, 1)) >= set(_cells(plan, 1))  # BH is less strict than Holm


def test_an_unreliable_cell_is_never_tier_1_or_2(estimates):
    cells = criterion_cells(estimates)
    worst = (cells["field"] == "Đất đai") & (cells["item"] == "a1")
    cells.loc[worst, "reliable"] = False
    out = priorities(cells).set_index(["field", "item"])
    assert out.loc[("Đất đai", "a1"), "tier"] == 3
    assert out.loc[("Đất đai", "a1"), "significant"]  # significant, big gap, top volume: still 3


def test_dossier_counts_replace_weighted_respondents(estimates):
    dossiers = pd.DataFrame(
        {"field": ["Đất đai", "Hộ tịch", "Xây dựng", "Cư trú"], "dossiers": [500, 400, 9000, 100]}
    )
    out = priorities(criterion_cells(estimates, dossiers=dossiers))
    assert set(out["volume_source"]) == {"dossiers"}
    assert set(out.loc[out["top_volume"], "field"]) == {"Xây dựng", "Đất đai"}
    by_cell = out.set_index(["field", "item"])
    assert by_cell.loc[("Xây dựng", "a2"), "tier"] == 1  # now in the busiest field
    assert by_cell.loc[("Hộ tịch", "b1"), "tier"] == 2  # gap < 10 and no longer top volume
    assert _cells(out, 1)[0] == ("Xây dựng", "a1")  # 0.183 x 0.9 comes first
    with pytest.raises(Exception, match="no dossier count for field"):
        criterion_cells(estimates, dossiers=dossiers.iloc[:2])


def test_target_overall_is_the_all_province_value_of_the_cell(estimates, clean, instrument):
    comparison = target_comparison(clean, instrument)
    cells = criterion_cells(estimates, province="Đắk Lắk")
    out = priorities(cells, rule=PriorityRule(target="overall"), comparison=comparison)
    criteria = estimates["criteria"].set_index(["province", "field", "item"])
    row = out[(out["field"] == "Đất đai") & (out["item"] == "a1")].iloc[0]
    assert row["target"] == pytest.approx(criteria.loc[(ALL, "Đất đai", "a1"), "estimate"])
    assert row["target"] == pytest.approx(0.55) and row["estimate"] == pytest.approx(0.45)
    assert row["gap"] == pytest.approx(0.10) and row["tier"] == 1 and row["significant"]
    # every other cell is the same in both provinces: on target, no priority
    others = out.drop(index=row.name)
    assert (others["gap"].abs() < 1e-12).all() and others["tier"].isna().all()
    with pytest.raises(ParameterError, match="target_comparison"):
        priorities(cells, rule=PriorityRule(target="overall"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": 80}, "divide by 100"),
        ({"target": "tốt"}, "'overall'"),
        ({"adjust": "bonferroni"}, "holm"),
        ({"tier1_gap": 0.02, "tier2_gap": 0.05}, "tier2_gap <= tier1_gap"),
    ],
)
def test_rule_parameters_are_checked(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        PriorityRule(**kwargs)
    assert PriorityRule(target="0.9").target == pytest.approx(0.9)  # as typed on a CLI


# ---------------------------------------------------------------------------- change
def test_change_is_the_difference_of_independent_waves(estimates, previous):
    change = change_since(estimates, previous, province=ALL)
    row = change[(change["field"] == "Đất đai") & (change["item"] == "a1")].iloc[0]
    now = (
        estimates["criteria"].set_index(["province", "field", "item"]).loc[(ALL, "Đất đai", "a1")]
    )
    before = previous["criteria"].set_index(["province", "field", "item"])
    before = before.loc[(ALL, "Đất đai", "a1")]
    assert row["change"] == pytest.approx(0.15)  # 55% now, 40% in the previous wave
    assert row["se"] == pytest.approx(math.hypot(now["se"], before["se"]))
    v1, v2 = before["se"] ** 2, now["se"] ** 2  # Welch-Satterthwaite
    welch = (v1 + v2) ** 2 / (v1**2 / before["df"] + v2**2 / now["df"])
    assert row["df"] == pytest.approx(welch, rel=1e-12)
    assert row["p_value"] == pytest.approx(
        2 * stats.t.sf(abs(row["change"] / row["se"]), row["df"])
    )
    assert row["sig"] == "up"
    all_fields = change[(change["field"] == ALL) & (change["item"] == "a1")].iloc[0]
    assert all_fields["change"] == pytest.approx(0.15 * 120 / 288)  # land is 120 of 288 forms
    unchanged = change.drop(index=[row.name, all_fields.name])
    assert (unchanged["change"].abs() < 1e-12).all() and set(unchanged["sig"]) == {""}
    assert len(change) == 5 * 4  # 4 fields and ALL x 4 criteria: one family
    assert change["p_adjusted"].to_numpy() == pytest.approx(
        adjust_pvalues(change["p_value"].to_numpy()), nan_ok=True
    )


def test_a_tiny_cell_has_no_interval_and_no_test(estimates, previous):
    """Cư trú has 12 forms per wave: with a design df of 1-2 its t interval would span
    hundreds of points. It is suppressed (no interval, no p, not in the family) and every
    other interval stays inside [-1, 1]."""
    change = change_since(estimates, previous, province=ALL)
    tiny = change[change["field"] == "Cư trú"]
    assert len(tiny) == 4 and tiny["suppressed"].all() and not tiny["reliable"].any()
    assert tiny[["ci_low", "ci_high", "p_value", "p_adjusted"]].isna().all().all()
    assert set(tiny["sig"]) == {""}
    others = change[~change["suppressed"]]
    assert others["p_value"].notna().all()
    assert change["ci_low"].dropna().between(-1, 1).all()
    assert change["ci_high"].dropna().between(-1, 1).all()


def _meta(**changes):
    meta = {
        "survey": "sipas",
        "year": 2022,
        "instrument_version": "2023.1",
        "geography": "current_34",
        "element_rule": "mean_of_criteria",
        "overall_rule": "mean_of_elements",
    }
    return {**meta, **changes}


def test_different_instrument_versions_are_a_method_break():
    with pytest.raises(MethodBreakError) as info:
        check_comparable(_meta(), _meta(year=2021, instrument_version="2017.1"))
    text = str(info.value)
    assert "method break" in text and "'2017.1'" in text and "2021 -> 2022" in text
    assert "household" in text
    assert isinstance(info.value, ParameterError)  # the CLI prints it as one line


def test_other_incomparable_waves_are_refused(sipas_instrument):
    spec = sipas_instrument  # same version, but "satisfied" would count 3 as well
    scales = dict(spec.scales)
    scales["sat5"] = replace(scales["sat5"], satisfied=frozenset({3, 4, 5}))
    loose = replace(spec, scales=scales)
    with pytest.raises(MethodBreakError, match="satisfied codes"):
        check_comparable(
            _meta(), _meta(year=2021), current_instrument=spec, previous_instrument=loose
        )
    fewer = replace(spec, items=tuple(i for i in spec.items if i.id != "c5_4"))
    with pytest.raises(MethodBreakError, match="c5_4"):
        check_comparable(
            _meta(), _meta(year=2021), current_instrument=spec, previous_instrument=fewer
        )
    with pytest.raises(ParameterError, match="recompute the previous wave") as info:
        check_comparable(_meta(), _meta(year=2021, geography="historical_63"))
    assert not isinstance(info.value, MethodBreakError)
    with pytest.raises(ParameterError, match="itself"):
        check_comparable(_meta(), _meta())
    with pytest.raises(ParameterError, match="overall_rule"):
        check_comparable(_meta(), _meta(year=2021, overall_rule="overall_question"))


def test_a_method_break_leaves_the_plan_without_change(estimates, previous, clean, instrument):
    broken = Estimates(frames=previous.frames, meta={**previous.meta, "instrument_version": "x"})
    result = remediation_analysis(clean, instrument, estimates, province="Hà Nội", previous=broken)
    assert result.change_refused is not None and "method break" in result.change_refused
    assert "change" not in result.cells.columns and result.change_overall is None
    assert result.plan["tier"].notna().all() and len(result.plan) > 0


def test_analysis_of_a_province_plan(estimates, previous, clean, instrument, project):
    prev_instrument = load_instrument(project / "surveys" / "plan-test-prev" / "instrument.yaml")
    result = remediation_analysis(
        clean,
        instrument,
        estimates,
        province="Hà Nội",
        previous=previous,
        previous_instrument=prev_instrument,
    )
    assert set(result.cells["province"]) == {"Hà Nội"} and len(result.cells) == 16
    land = result.cells.set_index(["field", "item"]).loc[("Đất đai", "a1")]
    assert land["estimate"] == pytest.approx(0.65) and land["change"] == pytest.approx(0.15)
    overall = result.change_overall
    assert set(overall["province"]) == {"Hà Nội"}
    assert set(overall["variable"]) == {"overall", "element:E1", "element:E2"}
    # the overall index over all fields is the one primary comparison: p not adjusted, so it
    # agrees with its interval; the fields' overall changes are their own family
    index = overall[overall["variable"] == "overall"]
    primary = index[index["primary"]]
    assert list(primary["field"]) == [ALL]
    assert primary["p_adjusted"].iloc[0] == primary["p_value"].iloc[0]
    fields = index[~index["primary"] & ~index["suppressed"]]
    assert fields["p_adjusted"].to_numpy() == pytest.approx(
        adjust_pvalues(fields["p_value"].to_numpy())
    )
    assert result.by_province is None  # only whole-survey plans cross provinces
    assert list(result.quadrants["variable"]) == list(result.drivers["predictor"])
    assert set(result.reliability["group"]) == {"E1", "E2"}
    phrases = result.comments
    assert "thời gian giải quyết hồ sơ quá lâu" in set(phrases["phrase"])
    assert not phrases["phrase"].str.contains("0912").any()
    whole = remediation_analysis(clean, instrument, estimates, previous=previous)
    assert len(whole.by_province) == 2 * 16 and "change" in whole.by_province.columns


# ---------------------------------------------------------------------------- the demo
def _wave(raw: pd.DataFrame, instrument) -> Estimates:
    """The overall and element indices by province x field (what the change test needs)."""
    from satisfaction.cleaning.rules import clean as clean_raw

    frame = analysis_frame(clean_raw(raw, instrument).data, instrument)
    design = design_of(instrument)
    frames = {}
    for name, function in (("overall", overall_index), ("elements", element_indices)):
        parts = []
        for by in (["province", "field"], ["province"]):
            part = function(frame, design, instrument, by)
            parts.append(part.assign(field=ALL) if by == ["province"] else part)
        frames[name] = pd.concat(parts, ignore_index=True)
    meta = {
        "survey": instrument.id,
        "year": instrument.year,
        "instrument_version": instrument.version,
        "geography": instrument.geography,
        "element_rule": "mean_of_criteria",
        "overall_rule": "mean_of_elements",
    }
    return Estimates(frames=frames, meta=meta)


@pytest.fixture(scope="module")
def demo_waves(demo_survey, demo_instrument):
    # the generated 2024 wave is byte for byte surveys/demo-2024 (tests/demo/test_demo.py)
    before_instrument = load_instrument(ROOT / "surveys" / "demo-2024" / "instrument.yaml")
    return (
        _wave(demo_survey.raw, demo_instrument),
        _wave(previous_wave().raw, before_instrument),
        demo_instrument,
        before_instrument,
    )


def test_the_demo_change_is_detected_and_the_null_field_is_not(demo_waves):
    from satisfaction.demo.spec import NULL_CHANGE

    now, before, now_instrument, before_instrument = demo_waves
    assert before_instrument.version == now_instrument.version  # same instrument version
    change = change_since(
        now,
        before,
        frame="overall",
        province="Hà Nội",
        current_instrument=now_instrument,
        previous_instrument=before_instrument,
    )
    by_field = change.set_index("field")
    land = by_field.loc["Đất đai"]  # planted: +0.6 on the latent scale
    assert land["sig"] == "up" and land["p_adjusted"] < 0.05
    assert land["ci_low"] > 0.05 and 0.10 < land["change"] < 0.25
    null = by_field.loc[NULL_CHANGE[1]]  # công chứng, chứng thực: nothing planted
    assert null["sig"] == "" and null["p_value"] > 0.2 and abs(null["change"]) < 0.03
    assert null["ci_low"] < 0 < null["ci_high"]
    e3 = change_since(now, before, frame="elements", province="Vĩnh Long")
    e3 = e3[(e3["field"] == ALL) & (e3["variable"] == "element:E3")].iloc[0]
    assert e3["sig"] == "down" and e3["change"] < -0.15  # the E3 weakness grew


def test_a_sample_not_drawn_at_random_ranks_gaps_by_size_and_n(estimates):
    """No test, no significance: tier 1 = enough answers and a gap of 10 points or more,
    tier 2 = enough answers and 5 points or more, the rest below target tier 3."""
    rule = PriorityRule(target=0.8, inference=False)
    out = priorities(criterion_cells(estimates), rule=rule)
    assert out[["t", "p_value", "p_adjusted"]].isna().all().all()
    assert not out["significant"].any()
    below = out[out["gap"] > 1e-12]
    enough = below["reliable"].astype(bool)
    assert (below.loc[enough & (below["gap"] >= 0.10), "tier"] == 1).all()
    middle = enough & (below["gap"] >= 0.05) & (below["gap"] < 0.10)
    assert (below.loc[middle, "tier"] == 2).all()
    assert (below.loc[~enough, "tier"] == 3).all()
    # the gap-only rule moves ("Đất đai", "a2"), tier 1 by its field's volume, to tier 2
    by_cell = out.set_index(["field", "item"])
    assert by_cell.loc[("Đất đai", "a2"), "tier"] == 2
