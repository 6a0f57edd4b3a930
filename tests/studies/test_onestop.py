"""One-stop metrics: hand counts on the vendor-like export, a pandas oracle on random data,
and the two satisfaction measures differing exactly where their formulas say."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from satisfaction.cleaning.dossiers import clean_dossiers
from satisfaction.errors import ParameterError
from satisfaction.io.dossiers import load_dossier_spec, read_dossiers
from satisfaction.studies.onestop import (
    DETAIL_COLUMNS,
    METRICS_COLUMNS,
    dossier_metrics,
    interface_metrics,
    wilson_interval,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "dossiers"
A, B = "UBND phường An Hòa", "UBND xã Bình Minh"


@pytest.fixture(scope="module")
def metrics():
    spec = load_dossier_spec(DATA / "dossiers.yaml")
    result = clean_dossiers(read_dossiers(spec), spec)
    return dossier_metrics("clean", con=result.con).set_index(["unit", "field", "period"])


# Counted by hand from tests/data/dossiers/make_fixtures.py (see the row comments there):
# (received, online, settled, early, on_time, late, pending, rated, rated_satisfied,
#  qd766 numerator, coverage numerator = rated)
HAND = {
    (A, "Đất đai", "2025-01"): (6, 3, 4, 1, 2, 2, 2, 2, 1, 2),
    (A, "Đất đai", "2025-02"): (1, 0, 2, 1, 1, 1, 1, 2, 2, 1),
    (A, "Hộ tịch", "2025-01"): (3, 2, 3, 2, 3, 0, 0, 2, 1, 2),
    (A, "Hộ tịch", "2025-02"): (3, 1, 1, 0, 1, 0, 1, 1, 1, 1),
    (B, "Đất đai", "2025-01"): (2, 1, 2, 1, 2, 0, 0, 2, 1, 1),
    (B, "Đất đai", "2025-02"): (1, 0, 1, 0, 0, 0, 0, 0, 0, 1),
    (B, "Chứng thực", "2025-01"): (2, 0, 2, 0, 2, 0, 0, 1, 1, 2),
    (B, "Chứng thực", "2025-02"): (2, 0, 2, 0, 2, 0, 0, 0, 0, 1),
}


def test_every_metric_equals_the_hand_count(metrics):
    assert set(metrics.index) == set(HAND)
    for key, (rec, onl, sett, early, on_time, late, pend, rated, sat, qd_num) in HAND.items():
        row = metrics.loc[key]
        got = [row[c] for c in ("received", "online", "settled", "early", "on_time", "late")]
        assert got == [rec, onl, sett, early, on_time, late], key
        assert (row["pending"], row["rated"], row["rated_satisfied"]) == (pend, rated, sat), key
        assert row["qd766_rate"] == pytest.approx(qd_num / sett), key
        assert row["coverage"] == pytest.approx(rated / sett), key
        if rated:
            assert row["rated_satisfied_share"] == pytest.approx(sat / rated), key
        else:
            assert np.isnan(row["rated_satisfied_share"]) and np.isnan(row["rated_ci_low"])


def test_qd766_rate_and_rated_only_share_differ_where_the_formulas_say(metrics):
    # a neutral rating is not deducted by QĐ 766 but is not "satisfied" either; a complaint
    # is deducted although its rating was "satisfied"
    civil = metrics.loc[(A, "Hộ tịch", "2025-01")]
    assert civil["qd766_rate"] == pytest.approx(2 / 3) and civil["rated_satisfied_share"] == 0.5
    # late dossiers are deducted by QĐ 766 even when rated "very satisfied"
    land = metrics.loc[(A, "Đất đai", "2025-02")]
    assert land["qd766_rate"] == 0.5 and land["rated_satisfied_share"] == 1.0
    # nobody rated: QĐ 766 still reports 100%, the rated-only share has nothing to say
    unrated = metrics.loc[(B, "Đất đai", "2025-02")]
    assert unrated["qd766_rate"] == 1.0 and unrated["coverage"] == 0
    assert np.isnan(unrated["rated_satisfied_share"])
    # where only unsatisfied ratings are deducted and every dossier is rated, they agree
    same = metrics.loc[(B, "Đất đai", "2025-01")]
    assert same["qd766_rate"] == same["rated_satisfied_share"] == 0.5


def test_withdrawn_and_unknown_timeliness_are_kept_apart(metrics):
    assert metrics.loc[(A, "Hộ tịch", "2025-02"), "withdrawn"] == 1
    row = metrics.loc[(B, "Đất đai", "2025-02")]
    assert row["timeliness_unknown"] == 1 and row["on_time"] + row["late"] == 0
    assert np.isnan(row["on_time_share"])


def test_wilson_interval_matches_the_closed_form():
    low, high = wilson_interval(np.array([1, 200, 0]), np.array([2, 200, 0]))
    z = 1.959963984540054
    n, p = 2, 0.5
    centre, half = (p + z * z / (2 * n)) / (1 + z * z / n), 0
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert low[0] == pytest.approx(centre - half) and high[0] == pytest.approx(centre + half)
    assert low[1] == pytest.approx(0.98116, abs=1e-5) and high[1] == pytest.approx(1.0)
    assert np.isnan(low[2])


# ------------------------------------------------------------------ the pandas oracle
def _period(dates: pd.Series, by: str) -> pd.Series:
    stamps = pd.to_datetime(dates)
    if by == "month":
        return stamps.dt.strftime("%Y-%m")
    if by == "quarter":
        return (
            stamps.dt.year.astype("Int64").astype(str)
            + "-Q"
            + stamps.dt.quarter.astype("Int64").astype(str)
        )
    return stamps.dt.year.astype("Int64").astype(str)


def oracle(data: pd.DataFrame, by: str, dims: list[str]) -> pd.DataFrame:
    """The same metrics, dossier by dossier, in plain pandas (the test's reference only)."""
    d = data.copy()
    d["p_received"] = _period(d["received"], by)
    d["p_returned"] = _period(d["returned"], by).where(d["returned"].notna())
    settled = d["status"] == "settled"
    has_due = d["due"].notna() & settled
    d["early"] = has_due & (d["returned"] < d["due"])
    d["on_day"] = has_due & (d["returned"] == d["due"])
    d["late"] = has_due & (d["returned"] > d["due"])
    complaint = d["complaint"].fillna(False).astype(bool)
    d["deducted"] = (d["rating_class"] == "unsatisfied") | complaint | d["late"]
    rows: dict[tuple, dict[str, float]] = {}

    def add(key: tuple, name: str, value: int = 1) -> None:
        rows.setdefault(key, {}).setdefault(name, 0)
        rows[key][name] += value

    for record in d.itertuples(index=False):
        base = tuple(getattr(record, dim) for dim in dims)
        add((*base, record.p_received), "received")
        add((*base, record.p_received), "online", int(record.channel == "online"))
        if record.status == "settled":
            key = (*base, record.p_returned)
            add(key, "settled")
            add(key, "early", int(record.early))
            add(key, "on_time", int(record.early or record.on_day))
            add(key, "late", int(record.late))
            rated = isinstance(record.rating_class, str)
            add(key, "rated", int(rated))
            add(key, "rated_satisfied", int(record.rating_class == "satisfied"))
            add(key, "qd766_deducted", int(record.deducted))
        if record.status == "withdrawn":
            period = record.p_returned if isinstance(record.p_returned, str) else record.p_received
            add((*base, period), "withdrawn")
    frame = pd.DataFrame.from_dict(rows, orient="index").fillna(0).astype("int64")
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=[*dims, "period"])
    frame = frame.sort_index()
    flow = frame["received"] - frame["settled"] - frame.get("withdrawn", 0)
    frame["pending"] = flow.groupby(level=dims).cumsum() if dims else flow.cumsum()
    return frame


def _random_dossiers(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    received = pd.Timestamp("2024-11-20") + pd.to_timedelta(rng.integers(0, 200, n), "D")
    returned = received + pd.to_timedelta(rng.integers(0, 40, n), "D")
    due = received + pd.to_timedelta(rng.integers(0, 30, n), "D")
    status = rng.choice(["settled", "pending", "withdrawn"], n, p=[0.8, 0.12, 0.08])
    rating = rng.choice(["satisfied", "neutral", "unsatisfied", None], n, p=[0.3, 0.1, 0.1, 0.5])
    return pd.DataFrame(
        {
            "dossier_id": [f"D{i}" for i in range(n)],
            "unit": rng.choice(["Xã A", "Phường B", "Xã C"], n),
            "district": rng.choice(["Huyện 1", "Huyện 2"], n),
            "field": rng.choice(["Đất đai", "Hộ tịch", "Xây dựng"], n),
            "channel": rng.choice(["online", "direct", "postal", None], n),
            "online_level": rng.choice(["full", "partial", None], n),
            "received": received.date,
            "due": pd.Series(due.date).where(rng.random(n) > 0.05),
            "returned": pd.Series(returned.date).where(status != "pending"),
            "status": status,
            "rating_class": pd.Series(rating).where(status == "settled"),
            "complaint": pd.Series(rng.random(n) < 0.03).where(rng.random(n) > 0.5),
        }
    )


@pytest.mark.parametrize(
    ("by", "dims"),
    [("month", ["unit", "field"]), ("quarter", ["district", "field"]), ("year", ["field"])],
)
def test_duckdb_equals_the_pandas_oracle_on_random_dossiers(tmp_path, by, dims):
    data = _random_dossiers(3000, seed=len(by) + len(dims))
    path = tmp_path / "clean.parquet"
    data.to_parquet(path, index=False)
    got = dossier_metrics(path, by=by, dims=dims).set_index([*dims, "period"])
    want = oracle(data, by, dims)
    columns = list(want.columns)
    pd.testing.assert_frame_equal(
        got[columns].sort_index(), want[columns], check_dtype=False, check_names=False
    )
    assert list(got.columns) == DETAIL_COLUMNS
    assert got["qd766_rate"].dropna().between(0, 1).all()


def test_interface_columns_and_filters(tmp_path):
    data = _random_dossiers(500, seed=3)
    path = tmp_path / "clean.parquet"
    data.to_parquet(path, index=False)
    frame = interface_metrics(dossier_metrics(path))
    assert list(frame.columns) == METRICS_COLUMNS
    only = dossier_metrics(path, where={"unit": "Xã A"}, dims=["field"])
    assert only["received"].sum() == (data["unit"] == "Xã A").sum()
    hostile = dossier_metrics(path, where={"unit": "x' OR 1=1 --"}, dims=["field"])
    assert hostile.empty
    with pytest.raises(ParameterError, match="--by"):
        dossier_metrics(path, by="week")
    with pytest.raises(ParameterError, match="cannot group"):
        dossier_metrics(path, dims=["rating; DROP"])
