"""The joint covariance of totals equals R's vcov(svytotal()) (tests/r/papi_goldens.R)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from satisfaction.stats.design import Design
from satisfaction.stats.estimate import total, total_covariance

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = pd.read_csv(ROOT / "tests" / "r" / "papi_goldens.csv", keep_default_na=False)


@pytest.fixture(scope="module")
def clus():
    d = pd.read_csv(ROOT / "tests" / "data" / "api" / "apiclus1.csv")
    d["a"] = (d["sch.wide"] == "Yes").astype(float)
    d["b"] = (d["comp.imp"] == "Yes").astype(float)
    return d, Design(psu="dnum", weight="pw", fpc="fpc")


def test_total_covariance_matches_r_vcov(clus):
    data, design = clus
    cov = total_covariance(data, design, ["a", "b", "api00"])
    golden = GOLDEN[GOLDEN["case"] == "vcov_clus"]
    for row in golden.itertuples(index=False):
        assert cov.loc[row.domain, row.composite] == pytest.approx(float(row.estimate), rel=1e-9)


def test_total_covariance_diagonal_is_the_total_variance(clus):
    data, design = clus
    cov = total_covariance(data, design, ["a", "api00"])
    se = total(data, design, ["a", "api00"]).set_index("variable")["se"]
    assert cov.loc["a", "a"] == pytest.approx(se["a"] ** 2, rel=1e-12)
    assert cov.loc["api00", "api00"] == pytest.approx(se["api00"] ** 2, rel=1e-12)
    assert cov.loc["a", "api00"] == cov.loc["api00", "a"]
