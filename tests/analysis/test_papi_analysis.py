"""The PAPI-style estimates a report needs, computed once: every wave, both geographies for
the pre-2025 wave, the method break, and a rerun that reuses unchanged results."""

from __future__ import annotations

import pytest

from satisfaction.analysis.papi import ensure_papi_estimates, load_papi_estimates


@pytest.fixture(scope="module")
def computed(papi_project):
    folder = papi_project / "outputs" / "papi-demo" / "papi-estimates"  # the reports reuse it
    estimates, recomputed = ensure_papi_estimates(papi_project / "surveys" / "papi-demo", folder)
    return estimates, recomputed, folder


def test_every_wave_and_the_pre_2025_wave_under_both_geographies(computed):
    estimates, _, _ = computed  # computed here or by another test of the session
    assert estimates.years == [2024, 2025, 2026]
    pairs = set(map(tuple, estimates.scores[["year", "geography"]].drop_duplicates().values))
    assert pairs == {(2024, "historical_63"), (2024, "current_34"), (2025, "current_34"),
                     (2026, "current_34")}  # fmt: skip
    assert estimates.provinces() == ["Hà Nội", "Hải Phòng", "Vĩnh Long", "Đắk Lắk"]
    assert len(estimates.provinces("historical_63")) == 8
    assert estimates.breaks() == {2025: "Từ 01/7/2025: 34 tỉnh, mẫu chọn theo tỉnh mới"}
    assert estimates.meta["total_range"] == [8.0, 80.0] and estimates.meta["draws"] == 10_000
    # 8 dimensions x 2 sub-dimensions + 8 dimensions + total = 25 composites per province
    per = estimates.scores.groupby(["year", "geography", "province"]).size()
    assert (per == 25).all()


def test_a_rerun_with_unchanged_inputs_reads_the_saved_estimates(computed, papi_project):
    estimates, _, folder = computed
    again, recomputed = ensure_papi_estimates(papi_project / "surveys" / "papi-demo", folder)
    assert not recomputed
    assert again.scores.equals(load_papi_estimates(folder).scores)
    assert again.ranks["rank"].tolist() == estimates.ranks["rank"].tolist()


def test_each_wave_records_how_its_standard_errors_were_made(computed):
    estimates, _, _ = computed
    variance = {int(year): v for year, v in estimates.meta["variance"].items()}
    assert variance == {year: {"method": "linearisation"} for year in (2024, 2025, 2026)}
    assert estimates.meta["relative_indicators"] == []


def test_a_min_max_indicator_gets_replicate_standard_errors(tmp_path):
    import yaml

    from satisfaction.analysis.papi import compute_papi_estimates
    from satisfaction.demo.papi import write_papi_demo

    folder = write_papi_demo(tmp_path / "papi")
    spec = yaml.safe_load((folder / "papi_instrument.yaml").read_text(encoding="utf-8"))
    spec["waves"] = {2025: spec["waves"][2025]}
    spec["dimensions"][4]["sub_dimensions"][1]["indicators"][0]["rescale"] = "provinces"
    (folder / "papi_instrument.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    estimates = compute_papi_estimates(folder, draws=200)
    assert estimates.meta["relative_indicators"] == ["d5_3"]
    (variance,) = estimates.meta["variance"].values()
    assert variance["method"] == "replicate" and variance["replicate_method"] == "JKn"
    assert variance["built"] and variance["replicates"] > 10
    scores = estimates.scores
    assert scores["se"].notna().all() and (scores["df"] > 0).all()
    # the commune-procedures sub-dimension: the best province scores the top of its share
    procedures = scores[scores["composite"] == "sub_dimension:commune_procedures"]
    assert procedures["estimate"].max() <= 10 / 2 + 1e-9
    assert len(estimates.ranks) == 4 and len(estimates.compare) == 4 * 9
