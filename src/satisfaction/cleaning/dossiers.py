"""Dossier exports -> clean dossiers, a cleaning log and a quarantine (in DuckDB).

The export is never changed. `clean_dossiers` returns tables in a DuckDB connection:
``clean`` (one typed row per dossier kept), ``cleaning_log`` (one row per changed,
coded-missing, flagged or rejected value: row, dossier id, column as the export names it,
old value, new value, rule) and ``quarantine`` (rejected rows as exported, with the rules
that rejected them), so clean + quarantine = raw, row for row.

Why DuckDB: a province's export holds millions of rows; the rules run as set operations
over the whole table (out of core if need be), and coded columns are mapped through their
DISTINCT spellings, so a file costs about as much as its distinct values.

Rules (`DOSSIER_RULES`): a dossier is rejected when its id is blank, its status or channel
is not in the vocabulary, its received date is blank or not a date, its unit or field is
blank, it is settled without a return date, it was returned before it was received, or its
id appears more than once (identical copies: the first kept, the others quarantined; copies
that differ: all quarantined, since nothing says which is right). Values that cannot be
read but do not decide whether the dossier counts (a due date, a rating) become missing and
are logged. Dates are compared by day; the export's due date ("Ngày hẹn trả") is the truth
when present, else the due date is the received date plus the procedure's time limit in
working days (numpy's business-day calendar: Monday-Friday minus the declared holidays).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.cleaning.dossier_rules import (
    _CODED_ROLES,
    _REJECTIONS,
    _TEXT_ROLES,
    CLEAN_COLUMNS,
    DOSSIER_LOG_COLUMNS,
    DOSSIER_RULES,
    _split,
    _write_log,
)
from satisfaction.io import text
from satisfaction.io.dossiers import DossierSpec, RawDossiers, quote_name, read_dossiers
from satisfaction.io.read import ROW_COLUMN, ReadNote

__all__ = [
    "CLEAN_COLUMNS",
    "DOSSIER_LOG_COLUMNS",
    "DOSSIER_RULES",
    "DossierCleanResult",
    "clean_dossier_folder",
    "clean_dossiers",
    "write_clean_dossiers",
]


@dataclass
class DossierCleanResult:
    """The tables `clean`, `cleaning_log` and `quarantine` in `con`, with their provenance."""

    con: Any
    spec: DossierSpec
    source: Path
    raw_rows: int
    read_notes: list[ReadNote] = field(default_factory=list)

    def data(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM clean ORDER BY _row").df()

    def log(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM cleaning_log ORDER BY row_id, rule").df()

    def quarantine(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM quarantine ORDER BY _row").df()

    @property
    def clean_rows(self) -> int:
        return int(self.con.execute("SELECT count(*) FROM clean").fetchone()[0])

    @property
    def quarantined_rows(self) -> int:
        return int(self.con.execute("SELECT count(*) FROM quarantine").fetchone()[0])

    def count(self, rule: str, column: str | None = None) -> int:
        """How many log entries a rule made (in one export column, if given)."""
        where = "rule = ?" + (' AND "column" = ?' if column is not None else "")
        params = [rule] if column is None else [rule, column]
        return int(
            self.con.execute(
                f"SELECT count(*) FROM cleaning_log WHERE {where}", params
            ).fetchone()[0]
        )

    def summary(self) -> pd.DataFrame:
        """Entries per rule and column, with the rule's kind and meaning (vi, en)."""
        counts = self.con.execute(
            'SELECT rule, "column", count(*) AS count FROM cleaning_log GROUP BY ALL'
        ).df()
        order = {name: i for i, name in enumerate(DOSSIER_RULES)}
        counts["kind"] = counts["rule"].map(lambda r: DOSSIER_RULES[r].kind)
        counts["vi"] = counts["rule"].map(lambda r: DOSSIER_RULES[r].vi)
        counts["en"] = counts["rule"].map(lambda r: DOSSIER_RULES[r].en)
        counts = counts.assign(_order=counts["rule"].map(order))
        return (
            counts.sort_values(["_order", "column"]).drop(columns="_order").reset_index(drop=True)
        )


def clean_dossiers(raw: RawDossiers, spec: DossierSpec) -> DossierCleanResult:
    """Clean a read export under `spec` (see the module docstring for every rule)."""
    con = raw.con
    _stage(con, raw, spec)
    _map_texts(con, spec)
    _map_codes(con, spec)
    _map_ratings(con, spec)
    _resolve(con, spec)
    _write_log(con, spec, raw)
    _split(con, raw)
    return DossierCleanResult(con, spec, raw.source, raw.rows + len(raw.removed), raw.notes)


# ------------------------------------------------------------------------------- staging
def _raw_text(header: str) -> str:
    """The raw cell as text, NULL when blank (so blank and missing are one thing)."""
    cell = f"CAST({quote_name(header)} AS VARCHAR)"
    return f"CASE WHEN trim({cell}) = '' THEN NULL ELSE {cell} END"


def _stage(con: Any, raw: RawDossiers, spec: DossierSpec) -> None:
    """`staged`: per raw row its role values as text (r_<role>) and a hash of the whole row."""
    roles = [f"{_raw_text(h)} AS r_{role}" for role, h in spec.columns.items()]
    for role in ("district", "province", "procedure", "online_level", "due", "rating"):
        if role not in spec.columns:
            roles.append(f"CAST(NULL AS VARCHAR) AS r_{role}")
    if "complaint" not in spec.columns:
        roles.append("CAST(NULL AS VARCHAR) AS r_complaint")
    # copies are compared on the mapped columns: a running number (STT) differs anyway
    everything = ", ".join(f"r_{role}" for role in spec.columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE staged AS SELECT {ROW_COLUMN} AS _row, "
        f"{', '.join(roles)} FROM raw"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE staged AS SELECT *, hash({everything}) AS row_hash "
        "FROM staged"
    )


def _distinct(con: Any, column: str) -> list[str]:
    return [row[0] for row in con.execute(f"SELECT DISTINCT {column} FROM staged").fetchall()]


def _register_map(con: Any, name: str, frame: pd.DataFrame) -> None:
    con.register(f"{name}_frame", frame)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_frame")
    con.unregister(f"{name}_frame")


def _map_texts(con: Any, spec: DossierSpec) -> None:
    """map_<role>(raw, clean, rule): NFC + spacing, and the field vocabulary."""
    fields = spec.field_lookup()
    for role in _TEXT_ROLES:
        rows = []
        for value in _distinct(con, f"r_{role}"):
            if value is None:
                continue
            cleaned = text.clean_text(value)
            rule = "text_normalised" if cleaned != value else None
            if role == "field" and fields:
                known = fields.get(text.match_key(cleaned))
                if known is None:
                    rule = "field_not_in_vocabulary"
                elif known != cleaned:
                    cleaned, rule = known, "field_synonym"
            rows.append((value, cleaned or None, rule))
        frame = pd.DataFrame(rows, columns=["raw", "clean", "rule"], dtype=object)
        _register_map(con, f"map_{role}", frame.astype("string"))


def _map_codes(con: Any, spec: DossierSpec) -> None:
    """map_<role>(raw, code): a vocabulary's code per spelling, NULL for an unknown one."""
    for role, vocabulary in _CODED_ROLES.items():
        lookup = spec.lookup(vocabulary)
        rows = [
            (value, lookup.get(text.match_key(value)))
            for value in _distinct(con, f"r_{role}")
            if value is not None
        ]
        frame = pd.DataFrame(rows, columns=["raw", "code"], dtype=object).astype("string")
        _register_map(con, f"map_{role}", frame)


def _rating_code(value: str, lookup: dict[str, Any]) -> Any:
    level = lookup.get(text.match_key(value))
    if level is not None:
        return level
    head = value.split("-")[0].split(".")[0].strip()
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        number = None
    if number is not None and number.is_integer():
        return lookup.get(str(int(number)))
    return lookup.get(head) if head.isdigit() else None


def _map_ratings(con: Any, spec: DossierSpec) -> None:
    lookup = spec.rating_lookup()
    rows = []
    for value in _distinct(con, "r_rating"):
        if value is None:
            continue
        level = _rating_code(value, lookup)
        rows.append(
            (
                value,
                None if level is None else level.code,
                None if level is None else level.rating_class,
            )
        )
    frame = pd.DataFrame(rows, columns=["raw", "code", "rating_class"])
    frame = frame.astype({"raw": "string", "code": "Int16", "rating_class": "string"})
    _register_map(con, "map_rating", frame)


# ------------------------------------------------------------------------------- resolving
def _date(expr: str, spec: DossierSpec) -> str:
    fmt = spec.strptime_format
    formats = [
        fmt,
        f"{fmt} %H:%M",
        f"{fmt} %H:%M:%S",
        f"%H:%M {fmt}",
        f"%H:%M:%S {fmt}",
        "%Y-%m-%d",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S.%f",
    ]
    listed = ", ".join(f"'{f}'" for f in formats)
    return f"CAST(try_strptime(trim({expr}), [{listed}]) AS DATE)"


def _map_dates(con: Any, spec: DossierSpec) -> None:
    """map_date_<role>(raw, day): each distinct spelling parsed once (a year has few days)."""
    for role in ("received", "due", "returned"):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE map_date_{role} AS SELECT raw, {_date('raw', spec)} "
            f"AS day FROM (SELECT DISTINCT r_{role} AS raw FROM staged WHERE r_{role} IS NOT NULL)"
        )


def _resolve(con: Any, spec: DossierSpec) -> None:
    """`judged`: typed values per row, the duplicate groups and the rejection reasons."""
    _map_dates(con, spec)
    joins = (
        "\n".join(
            f"LEFT JOIN map_{role} AS m_{role} ON m_{role}.raw = s.r_{role}"
            for role in (*_TEXT_ROLES, *_CODED_ROLES, "rating")
        )
        + "\n"
        + "\n".join(
            f"LEFT JOIN map_date_{role} AS d_{role} ON d_{role}.raw = s.r_{role}"
            for role in ("received", "due", "returned")
        )
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE parsed AS
        SELECT s.*,
            nullif(trim(s.r_dossier_id), '') AS dossier_id,
            {", ".join(f"m_{r}.clean AS {r}" for r in _TEXT_ROLES)},
            lower(nfc_normalize(m_procedure.clean)) AS procedure_key,
            m_channel.code AS channel,
            s.r_channel IS NOT NULL AND m_channel.code IS NULL AS channel_unknown,
            m_online_level.code AS online_level,
            CASE WHEN s.r_status IS NULL
                 THEN CASE WHEN d_returned.day IS NULL THEN 'pending' ELSE 'settled' END
                 ELSE m_status.code END AS status,
            s.r_status IS NOT NULL AND m_status.code IS NULL AS status_unknown,
            m_rating.code AS rating,
            m_rating.rating_class AS rating_class,
            CASE m_complaint.code WHEN 'yes' THEN true WHEN 'no' THEN false END AS complaint,
            d_received.day AS received,
            d_due.day AS due_export,
            d_returned.day AS returned_parsed
        FROM staged AS s
        {joins}
        """
    )
    _due_from_calendar(con, spec)
    # ids seen more than once: how many differing copies, and the first row of each
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE dups AS
        SELECT dossier_id, count(DISTINCT row_hash) AS dup_copies, min(_row) AS dup_first
        FROM parsed WHERE dossier_id IS NOT NULL GROUP BY dossier_id HAVING count(*) > 1
        """
    )
    flags = ",\n".join(
        f"CASE WHEN {condition} THEN '{rule}' END" for rule, _, condition in _REJECTIONS
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE judged AS
        SELECT *, list_filter([{flags}], lambda x: x IS NOT NULL) AS reasons
        FROM (
            SELECT p.*,
                CASE WHEN p.status = 'pending' THEN NULL ELSE p.returned_parsed END AS returned,
                coalesce(p.due_export, c.due) AS due,
                CASE WHEN p.due_export IS NOT NULL THEN 'export'
                     WHEN c.due IS NOT NULL THEN 'calendar' END AS due_source,
                u.dup_copies, u.dup_first
            FROM parsed AS p
            LEFT JOIN calendar_due AS c
                ON c.received = p.received AND c.procedure_key = p.procedure_key
            LEFT JOIN dups AS u ON u.dossier_id = p.dossier_id
        )
        """
    )


def _due_from_calendar(con: Any, spec: DossierSpec) -> None:
    """calendar_due(received, procedure_key, due): the working-day due date of each pair."""
    frame = pd.DataFrame({"received": [], "procedure_key": [], "due": []})
    if spec.time_limits:
        pairs = con.execute(
            "SELECT DISTINCT received, procedure_key FROM parsed "
            "WHERE due_export IS NULL AND received IS NOT NULL AND procedure_key IS NOT NULL"
        ).df()
        keys = pairs["procedure_key"].map(lambda k: spec.time_limits.get(text.match_key(k)))
        pairs = pairs[keys.notna()].assign(days=keys[keys.notna()].astype(int))
        if len(pairs):
            holidays = np.array(spec.holidays, dtype="datetime64[D]")
            due = np.busday_offset(
                pairs["received"].to_numpy(dtype="datetime64[D]"),
                pairs["days"].to_numpy(),
                roll="forward",
                holidays=holidays,
            )
            frame = pairs.assign(due=pd.to_datetime(due).date)[
                ["received", "procedure_key", "due"]
            ]
    frame = frame.astype({"procedure_key": "string"})
    con.register("calendar_frame", frame)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE calendar_due AS SELECT CAST(received AS DATE) AS received, "
        "CAST(procedure_key AS VARCHAR) AS procedure_key, CAST(due AS DATE) AS due "
        "FROM calendar_frame"
    )
    con.unregister("calendar_frame")


# ------------------------------------------------------------------------------- folders
def clean_dossier_folder(survey_dir: str | Path, con: Any | None = None) -> DossierCleanResult:
    """Read `dossiers.yaml` and its export in `survey_dir` and clean them."""
    from satisfaction.io.dossiers import load_dossier_spec

    spec = load_dossier_spec(Path(survey_dir))
    return clean_dossiers(read_dossiers(spec, con), spec)


def write_clean_dossiers(result: DossierCleanResult, out_dir: Path) -> dict[str, Path]:
    """dossiers.parquet (clean), cleaning_log.parquet/.csv, cleaning_summary.csv,
    quarantine.csv, read_notes.csv in `out_dir`; returns them by name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    con = result.con
    paths = {
        "dossiers": out_dir / "dossiers.parquet",
        "log_parquet": out_dir / "cleaning_log.parquet",
        "log": out_dir / "cleaning_log.csv",
        "summary": out_dir / "cleaning_summary.csv",
        "quarantine": out_dir / "quarantine.csv",
        "read_notes": out_dir / "read_notes.csv",
    }
    for table, key in (("clean", "dossiers"), ("cleaning_log", "log_parquet")):
        target = str(paths[key]).replace("'", "''")
        con.execute(f"COPY (SELECT * FROM {table}) TO '{target}' (FORMAT parquet)")
    result.log().to_csv(paths["log"], index=False, encoding="utf-8-sig")
    result.summary().to_csv(paths["summary"], index=False, encoding="utf-8-sig")
    result.quarantine().to_csv(paths["quarantine"], index=False, encoding="utf-8-sig")
    notes = pd.DataFrame(
        [{"kind": n.kind, "row": n.row, "detail": n.detail} for n in result.read_notes],
        columns=["kind", "row", "detail"],
    )
    notes.to_csv(paths["read_notes"], index=False, encoding="utf-8-sig")
    return paths
