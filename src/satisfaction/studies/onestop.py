"""One-stop dossier metrics per unit x field x period, counted by DuckDB over clean Parquet.

A dossier export is a census of the period's records, not a sample: the counts and rates
are exact, and carry no sampling interval. Two satisfaction measures exist and are never
shown under one name (domain.md, section 1.3):

- the QĐ 766/QĐ-TTg (2022) rate: (settled dossiers - those rated unsatisfied, complained
  about or settled late) / settled dossiers. Unrated dossiers count as satisfied, so the
  rate rises when few people rate; a dossier that is late and rated unsatisfied is deducted
  once.
- the rated-only satisfied share: dossiers rated "satisfied" (the form's satisfied levels)
  / rated dossiers, with a Wilson 95% interval -- a reference interval that treats the
  rated dossiers as if drawn at random from the settled ones, which self-selected ratings
  are not; beside it the rating coverage (rated / settled) says how far to trust it.

Periods: a dossier is *received* in the period of its received date and *settled* (early,
on time, late, rated, complained about) in the period of its return date; *pending* at the
end of a period are those received by then and neither settled nor withdrawn by then.
Timeliness compares days: returned before the due date is early, on it on time, after it
late ("on_time" in the interface counts early ones too). Settled dossiers without a due
date are counted in `timeliness_unknown` and in neither on time nor late.

`dossier_metrics` runs out of core on files larger than memory (DuckDB streams Parquet);
the result is one small frame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.errors import InputError, ParameterError

__all__ = [
    "DETAIL_COLUMNS",
    "FORMULAS",
    "METRICS_COLUMNS",
    "PERIODS",
    "dossier_metrics",
    "interface_metrics",
    "period_of",
    "wilson_interval",
]

PERIODS = ("month", "quarter", "year")

#: The columns of `outputs/<name>/onestop/metrics.csv`, in order (other tools read it).
METRICS_COLUMNS = [
    "unit",
    "field",
    "period",
    "received",
    "settled",
    "on_time",
    "late",
    "online",
    "qd766_rate",
    "rated",
    "rated_satisfied_share",
    "rated_ci_low",
    "rated_ci_high",
    "coverage",
]

_COUNTS = [
    "received",
    "online",
    "online_full",
    "online_partial",
    "direct",
    "postal",
    "channel_unknown",
    "settled",
    "early",
    "on_day",
    "on_time",
    "late",
    "timeliness_unknown",
    "withdrawn",
    "pending",
    "rated",
    "rated_satisfied",
    "rated_neutral",
    "rated_unsatisfied",
    "complaints",
    "qd766_deducted",
]
_SHARES = [
    "online_share",
    "on_time_share",
    "qd766_rate",
    "rated_satisfied_share",
    "rated_ci_low",
    "rated_ci_high",
    "coverage",
]
#: Every column `dossier_metrics` returns after its by-columns and `period`.
DETAIL_COLUMNS = [*_COUNTS, *_SHARES]

#: How each metric is made, in words a leader reads (vi, en).
FORMULAS: dict[str, tuple[str, str]] = {
    "received": ("Số hồ sơ có ngày tiếp nhận trong kỳ", "Dossiers received in the period"),
    "online": ("Hồ sơ tiếp nhận trực tuyến trong kỳ", "Dossiers received online"),
    "direct": ("Hồ sơ nộp trực tiếp", "Dossiers handed in at the desk"),
    "postal": ("Hồ sơ nộp qua dịch vụ bưu chính công ích", "Dossiers sent by public post"),
    "settled": (
        "Hồ sơ có ngày trả kết quả trong kỳ (đã giải quyết)",
        "Dossiers whose result was returned in the period (settled)",
    ),
    "early": ("Trả trước ngày hẹn trả", "Returned before the due date"),
    "on_day": ("Trả đúng ngày hẹn trả", "Returned on the due date"),
    "on_time": (
        "Đúng hạn = trước hạn + đúng ngày hẹn (hạn theo ngày hẹn trả của hệ thống)",
        "On time = early + on the due date (the export's due date)",
    ),
    "late": ("Trả sau ngày hẹn trả (quá hạn)", "Returned after the due date (late)"),
    "pending": (
        "Đã tiếp nhận đến cuối kỳ, chưa giải quyết, chưa rút",
        "Received by the end of the period, neither settled nor withdrawn",
    ),
    "qd766_rate": (
        "Tỷ lệ hài lòng theo QĐ 766/QĐ-TTg = (hồ sơ đã giải quyết − hồ sơ bị đánh giá không "
        "hài lòng, bị phản ánh hoặc quá hạn) / hồ sơ đã giải quyết; hồ sơ không được đánh "
        "giá được tính là hài lòng",
        "QĐ 766 satisfaction rate = (settled − rated unsatisfied, complained about or late) "
        "/ settled; unrated dossiers count as satisfied",
    ),
    "rated": ("Hồ sơ đã giải quyết có phiếu đánh giá", "Settled dossiers that were rated"),
    "rated_satisfied_share": (
        "Tỷ lệ hài lòng trong số hồ sơ được đánh giá = đánh giá hài lòng / hồ sơ được đánh giá",
        "Rated-only satisfied share = rated satisfied / rated",
    ),
    "rated_ci_low": (
        "Khoảng Wilson 95% của tỷ lệ hài lòng trong số hồ sơ được đánh giá (tham khảo: coi "
        "như người đánh giá được chọn ngẫu nhiên)",
        "Wilson 95% interval of the rated-only share (a reference: as if raters were random)",
    ),
    "coverage": (
        "Độ phủ đánh giá = hồ sơ được đánh giá / hồ sơ đã giải quyết",
        "Rating coverage = rated / settled",
    ),
}
FORMULAS["rated_ci_high"] = FORMULAS["rated_ci_low"]


def period_of(column: str, by: str) -> str:
    """SQL for the period label of a date column: YYYY-MM, YYYY-Qn or YYYY."""
    if by == "month":
        return f"strftime({column}, '%Y-%m')"
    if by == "quarter":
        return f"CAST(year({column}) AS VARCHAR) || '-Q' || CAST(quarter({column}) AS VARCHAR)"
    if by == "year":
        return f"CAST(year({column}) AS VARCHAR)"
    raise ParameterError(f"--by must be one of {', '.join(PERIODS)}, got {by!r}", key="--by")


def wilson_interval(
    successes: np.ndarray, trials: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of successes / trials (statsmodels); NaN where trials == 0."""
    from statsmodels.stats.proportion import proportion_confint

    successes = np.asarray(successes, dtype=float)
    trials = np.asarray(trials, dtype=float)
    low = np.full(trials.shape, np.nan)
    high = np.full(trials.shape, np.nan)
    ok = trials > 0
    if ok.any():
        low[ok], high[ok] = proportion_confint(
            successes[ok], trials[ok], alpha=1 - level, method="wilson"
        )
    return low, high


def _source_sql(source: str | Path | Any) -> str:
    if isinstance(source, Path) or (isinstance(source, str) and source.endswith(".parquet")):
        path = Path(source)
        if not path.exists():
            raise InputError("no clean dossiers here; run `satisfaction onestop` first", file=path)
        return "read_parquet('" + str(path).replace("'", "''") + "')"
    if isinstance(source, str) and source.isidentifier():
        return source  # a table or view of the connection
    raise ParameterError(f"source must be a .parquet path or a table name, got {source!r}")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def dossier_metrics(
    source: str | Path,
    *,
    by: str = "month",
    dims: Sequence[str] = ("unit", "field"),
    where: Mapping[str, str] | None = None,
    con: Any | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Metrics per `dims` x period from clean dossiers (a Parquet path or a table of `con`).

    Returns one row per combination present, sorted: the `dims`, `period`, then
    `DETAIL_COLUMNS` -- counts (received, online, online_full, online_partial, direct,
    postal, channel_unknown, settled, early, on_day, on_time, late, timeliness_unknown,
    withdrawn, pending, rated, rated_satisfied, rated_neutral, rated_unsatisfied,
    complaints, qd766_deducted) and shares in [0, 1] (online_share = online / received,
    on_time_share = on_time / (settled - timeliness_unknown), qd766_rate, the rated-only
    rated_satisfied_share with its Wilson interval rated_ci_low / rated_ci_high, coverage =
    rated / settled; NaN where the denominator is 0). `where` keeps rows whose column
    equals the value (e.g. {"province": "Hà Nội"}); values are bound, never pasted.
    """
    import duckdb

    from satisfaction.io.dossiers import connect

    dims = list(dims)
    allowed = {"unit", "district", "province", "field", "procedure"}
    bad = [d for d in [*dims, *(where or {})] if d not in allowed]
    if bad:
        raise ParameterError(f"cannot group or filter by {bad[0]!r}; use {sorted(allowed)}")
    con = con if con is not None else connect()
    src = _source_sql(source)
    filters = " AND ".join(f"{_quote(c)} = ?" for c in (where or {})) or "true"
    params = list((where or {}).values())
    # unit and field are never blank in clean dossiers; optional roles may be (NULL keys
    # would not meet in the joins below)
    dim_sql = ", ".join(
        _quote(d) if d in ("unit", "field") else f"coalesce({_quote(d)}, '') AS {_quote(d)}"
        for d in dims
    )
    keys = ", ".join([*(_quote(d) for d in dims), "period"])
    partition = ("PARTITION BY " + ", ".join(_quote(d) for d in dims)) if dims else ""
    # One scan: per dims x month-of-receipt x month-of-return, every count at once (a small
    # table), then received counts by receipt period and the rest by return period.
    settled = "status = 'settled'"
    timing = "CASE WHEN returned < due THEN 1 WHEN returned = due THEN 2 ELSE 3 END"
    sql = f"""
    WITH d AS (
        SELECT {dim_sql + "," if dims else ""}
            {_trunc("received", by)} AS p_received, {_trunc("returned", by)} AS p_returned,
            status, channel, online_level, rating_class, complaint,
            CASE WHEN {settled} AND due IS NOT NULL THEN {timing} END AS timing
        FROM {src} WHERE {filters}
    ),
    cells AS MATERIALIZED (
        SELECT {dims_list(dims)} p_received, p_returned, count(*) AS received,
            count_if(channel = 'online') AS online,
            count_if(channel = 'online' AND online_level = 'full') AS online_full,
            count_if(channel = 'online' AND online_level = 'partial') AS online_partial,
            count_if(channel = 'direct') AS direct,
            count_if(channel = 'postal') AS postal,
            count_if(channel IS NULL) AS channel_unknown,
            count_if({settled}) AS settled,
            count_if(timing = 1) AS early,
            count_if(timing = 2) AS on_day,
            count_if(timing = 3) AS late,
            count_if({settled} AND timing IS NULL) AS timeliness_unknown,
            count_if({settled} AND rating_class IS NOT NULL) AS rated,
            count_if({settled} AND rating_class = 'satisfied') AS rated_satisfied,
            count_if({settled} AND rating_class = 'neutral') AS rated_neutral,
            count_if({settled} AND rating_class = 'unsatisfied') AS rated_unsatisfied,
            count_if({settled} AND complaint) AS complaints,
            count_if({settled} AND (rating_class = 'unsatisfied' OR complaint OR timing = 3))
                AS qd766_deducted,
            count_if(status = 'withdrawn') AS withdrawn
        FROM d GROUP BY ALL
    ),
    rec AS (
        SELECT {dims_list(dims)} p_received AS period,
            {", ".join(f"sum({c}) AS {c}" for c in _RECEIVED)}
        FROM cells GROUP BY ALL
    ),
    sett AS (
        SELECT {dims_list(dims)} p_returned AS period,
            {", ".join(f"sum({c}) AS {c}" for c in _SETTLED)}
        FROM cells WHERE p_returned IS NOT NULL GROUP BY ALL HAVING sum(settled) > 0
    ),
    wd AS (
        SELECT {dims_list(dims)} coalesce(p_returned, p_received) AS period,
            sum(withdrawn) AS withdrawn
        FROM cells GROUP BY ALL HAVING sum(withdrawn) > 0
    ),
    joined AS (
        SELECT * FROM rec FULL JOIN sett USING ({keys}) FULL JOIN wd USING ({keys})
    )
    SELECT * EXCLUDE (period),
        {_label("period", by)} AS period,
        sum(coalesce(received, 0) - coalesce(settled, 0) - coalesce(withdrawn, 0))
            OVER ({partition} ORDER BY period ROWS UNBOUNDED PRECEDING) AS pending
    FROM joined
    ORDER BY {keys}
    """
    try:
        frame = con.execute(sql, params).df()
    except duckdb.Error as err:
        raise InputError(f"cannot compute dossier metrics ({err})", file=str(source)) from None
    return _finish(frame, dims, level)


_RECEIVED = ["received", "online", "online_full", "online_partial", "direct", "postal",
             "channel_unknown"]  # fmt: skip
_SETTLED = ["settled", "early", "on_day", "late", "timeliness_unknown", "rated",
            "rated_satisfied", "rated_neutral", "rated_unsatisfied", "complaints",
            "qd766_deducted"]  # fmt: skip


def _trunc(column: str, by: str) -> str:
    """The period as a whole number (grouping on it is cheaper than on text or dates)."""
    period_of(column, by)  # checks `by`
    if by == "month":
        return f"year({column}) * 100 + month({column})"
    if by == "quarter":
        return f"year({column}) * 10 + quarter({column})"
    return f"year({column})"


def _label(column: str, by: str) -> str:
    """The period's label from its number: YYYY-MM, YYYY-Qn or YYYY."""
    if by == "month":
        return f"printf('%04d-%02d', {column} // 100, {column} % 100)"
    if by == "quarter":
        return f"printf('%d-Q%d', {column} // 10, {column} % 10)"
    return f"CAST({column} AS VARCHAR)"


def dims_list(dims: Sequence[str]) -> str:
    return "".join(f"{_quote(d)}, " for d in dims)


def _finish(frame: pd.DataFrame, dims: list[str], level: float) -> pd.DataFrame:
    frame["on_time"] = frame["early"].fillna(0) + frame["on_day"].fillna(0)
    for column in _COUNTS:
        frame[column] = pd.to_numeric(frame[column]).fillna(0).astype("int64")

    def share(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
        return (numerator / denominator.where(denominator > 0)).astype(float)

    frame["online_share"] = share(frame["online"], frame["received"])
    frame["on_time_share"] = share(
        frame["on_time"], frame["settled"] - frame["timeliness_unknown"]
    )
    frame["qd766_rate"] = share(frame["settled"] - frame["qd766_deducted"], frame["settled"])
    frame["rated_satisfied_share"] = share(frame["rated_satisfied"], frame["rated"])
    low, high = wilson_interval(
        frame["rated_satisfied"].to_numpy(), frame["rated"].to_numpy(), level
    )
    frame["rated_ci_low"], frame["rated_ci_high"] = low, high
    frame["coverage"] = share(frame["rated"], frame["settled"])
    frame = frame[[*dims, "period", *DETAIL_COLUMNS]]
    return frame.sort_values([*dims, "period"], kind="stable").reset_index(drop=True)


def interface_metrics(detail: pd.DataFrame) -> pd.DataFrame:
    """The `metrics.csv` interface columns (unit x field x period) of a unit-level frame."""
    missing = [c for c in METRICS_COLUMNS if c not in detail.columns]
    if missing:
        raise ParameterError(f"metrics lack {missing}: compute them with dims=('unit', 'field')")
    return detail[METRICS_COLUMNS].copy()
