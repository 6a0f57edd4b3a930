"""One-stop dossier exports: the `dossiers.yaml` column-role map, and reading the export.

Provincial one-stop e-systems (Decree 61/2018, Circular 01/2018/TT-VPCP) export one row per
dossier, but every vendor names the columns its own way ("Mã hồ sơ", "Ngày tiếp nhận",
"Kênh nộp" ...). A survey folder holding such an export also holds `dossiers.yaml`, which
maps each column *role* to the export's header and declares the spellings of the coded
values (channel, online level, status, rating, complaint flag)::

    id: phuong-a-2025
    title: {vi: Hồ sơ một cửa phường A 2025, en: One-stop dossiers, ward A, 2025}
    data: {file: ho_so.csv}                 # .csv/.xlsx as delivered, or .parquet
    date_format: dd/mm/yyyy                 # ISO yyyy-mm-dd is always accepted too
    columns:
      dossier_id: Mã hồ sơ
      unit: Đơn vị
      field: Lĩnh vực
      channel: Kênh nộp
      received: Ngày tiếp nhận
      due: Ngày hẹn trả                     # optional: else time_limits + holidays
      returned: Ngày trả kết quả
      status: Trạng thái
      rating: Đánh giá                      # optional
    rating: {scale: 5}                      # or 3, or levels: {code: {label, class}}

Unlisted vocabularies take the defaults below. Nothing here changes a value: reading gives
the export as text (CSV/Excel via `satisfaction.io.read`) or as stored (Parquet, read by
DuckDB without loading it into memory), with each row's number in the source as `_row`;
`satisfaction.cleaning.dossiers` does the rest.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from satisfaction.errors import InputError, InstrumentError, Problem
from satisfaction.io.read import ROW_COLUMN, ReadNote, read_responses
from satisfaction.io.read.dispatch import PARQUET_SUFFIXES
from satisfaction.io.text import match_key

__all__ = [
    "DEFAULT_VOCABULARIES",
    "OPTIONAL_ROLES",
    "RATING_PRESETS",
    "REQUIRED_ROLES",
    "DossierSpec",
    "RatingLevel",
    "RawDossiers",
    "connect",
    "load_dossier_spec",
    "quote_name",
    "read_dossiers",
]

SPEC_NAME = "dossiers.yaml"

#: Column roles every export must map: without them no metric can be counted.
REQUIRED_ROLES = ("dossier_id", "unit", "field", "channel", "received", "returned", "status")
#: Roles an export may map. Without `due`, due dates come from `time_limits` (per procedure,
#: in working days) and the working-day calendar (`holidays`).
OPTIONAL_ROLES = (
    "district",
    "province",
    "procedure",
    "online_level",
    "due",
    "rating",
    "complaint",
)
_ROLES = REQUIRED_ROLES + OPTIONAL_ROLES

#: Spellings of the coded values, by code (matched NFC, trimmed, case- and tone-style-blind).
DEFAULT_VOCABULARIES: dict[str, dict[str, tuple[str, ...]]] = {
    "channels": {
        "direct": ("Trực tiếp", "Tại quầy", "Tại bộ phận một cửa", "Direct"),
        "online": ("Trực tuyến", "Dịch vụ công trực tuyến", "DVC trực tuyến", "Online"),
        "postal": ("Bưu chính", "Bưu chính công ích", "Qua dịch vụ bưu chính", "BCCI", "Postal"),
    },
    "online_levels": {
        "full": ("Toàn trình", "Trực tuyến toàn trình", "Mức độ 4", "Full"),
        "partial": ("Một phần", "Trực tuyến một phần", "Mức độ 3", "Partial"),
    },
    "statuses": {
        "settled": (
            "Đã trả kết quả",
            "Đã giải quyết",
            "Hoàn thành",
            "Đã hoàn thành",
            "Settled",
        ),
        "pending": (
            "Đang xử lý",
            "Đang giải quyết",
            "Chờ bổ sung",
            "Chờ trả kết quả",
            "Pending",
        ),
        "withdrawn": (
            "Rút hồ sơ",
            "Công dân rút hồ sơ",
            "Hủy",
            "Đã hủy",
            "Từ chối",
            "Withdrawn",
        ),
    },
    "complaint": {
        "yes": ("Có", "x", "1", "Yes", "True"),
        "no": ("Không", "0", "No", "False"),
    },
}
_VOCABULARY_CODES = {name: tuple(codes) for name, codes in DEFAULT_VOCABULARIES.items()}

RATING_CLASSES = ("satisfied", "neutral", "unsatisfied")


@dataclass(frozen=True)
class RatingLevel:
    """One level of the rating form: its code, label and what it counts as."""

    code: int
    label: str
    rating_class: str  # satisfied | neutral | unsatisfied
    spellings: tuple[str, ...] = ()


#: The rating forms in use (unconfirmed: declare `rating.levels` when a form differs).
#: Five levels on most forms; three on the national public-service portal.
RATING_PRESETS: dict[int, tuple[RatingLevel, ...]] = {
    5: (
        RatingLevel(1, "Rất không hài lòng", "unsatisfied"),
        RatingLevel(2, "Không hài lòng", "unsatisfied"),
        RatingLevel(3, "Bình thường", "neutral"),
        RatingLevel(4, "Hài lòng", "satisfied"),
        RatingLevel(5, "Rất hài lòng", "satisfied"),
    ),
    3: (
        RatingLevel(1, "Không hài lòng", "unsatisfied"),
        RatingLevel(2, "Hài lòng", "satisfied"),
        RatingLevel(3, "Rất hài lòng", "satisfied"),
    ),
}

_DATE_FORMATS = {"dd/mm/yyyy": "%d/%m/%Y", "mm/dd/yyyy": "%m/%d/%Y"}


@dataclass(frozen=True)
class DossierSpec:
    """A validated `dossiers.yaml`: where the export is and what its columns mean."""

    id: str
    title_vi: str
    title_en: str
    folder: Path
    file: str
    columns: Mapping[str, str]
    vocabularies: Mapping[str, Mapping[str, tuple[str, ...]]]
    rating_levels: tuple[RatingLevel, ...]
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    date_format: str = "dd/mm/yyyy"
    sheet: str | None = None
    header_row: int | None = None
    encoding: str | None = None
    time_limits: Mapping[str, int] = field(default_factory=dict)
    holidays: tuple[dt.date, ...] = ()
    source: Path | None = None

    @property
    def data_path(self) -> Path:
        """The export, resolved inside the survey folder."""
        return (self.folder / self.file).resolve()

    @property
    def strptime_format(self) -> str:
        return _DATE_FORMATS[self.date_format]

    def has(self, role: str) -> bool:
        return role in self.columns

    def lookup(self, vocabulary: str) -> dict[str, str]:
        """match_key(spelling) -> code, for one vocabulary (the code itself matches too)."""
        table: dict[str, str] = {}
        for code, spellings in self.vocabularies[vocabulary].items():
            for spelling in (code, *spellings):
                table[match_key(str(spelling))] = code
        return table

    def rating_lookup(self) -> dict[str, RatingLevel]:
        """match_key(label or code) -> level; "4", "4.0" and "4 - Hài lòng" are read later."""
        table: dict[str, RatingLevel] = {}
        for level in self.rating_levels:
            for spelling in (str(level.code), level.label, *level.spellings):
                table[match_key(spelling)] = level
        return table

    def field_lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for name, synonyms in self.fields.items():
            for spelling in (name, *synonyms):
                table[match_key(spelling)] = name
        return table


def load_dossier_spec(path: str | Path) -> DossierSpec:
    """Load and check `dossiers.yaml` (a path to it, or its folder); every problem at once."""
    path = Path(path)
    if path.is_dir():
        path = path / SPEC_NAME
    if not path.is_file():
        raise InstrumentError(f"no {SPEC_NAME} here (a one-stop folder needs one)", file=path)
    try:
        spec = yaml.safe_load(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise InstrumentError(f"not UTF-8 (byte {err.start})", file=path) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or err
        raise InstrumentError(f"invalid YAML: {where}{problem}", file=path) from None
    problems: list[Problem] = []
    built = _build_spec(spec, path, problems)
    if problems or built is None:
        raise InstrumentError(problems=problems)
    return built


def _problem(problems: list[Problem], path: Path, key: str, message: str) -> None:
    problems.append(Problem(message, file=path, key=key))


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    return text or None


def _build_spec(spec: Any, path: Path, problems: list[Problem]) -> DossierSpec | None:
    if not isinstance(spec, dict):
        _problem(problems, path, "(top)", "must be a mapping of keys (id, data, columns ...)")
        return None
    known = {
        "id",
        "title",
        "data",
        "date_format",
        "columns",
        "rating",
        "fields",
        "time_limits",
        "holidays",
        *DEFAULT_VOCABULARIES,
    }
    for key in spec:
        if key not in known:
            _problem(problems, path, str(key), f"unknown key; known: {', '.join(sorted(known))}")
    ident = _text(spec.get("id")) or path.parent.name
    title = spec.get("title") or {}
    if isinstance(title, str):
        title = {"vi": title, "en": title}
    data = spec.get("data")
    file_name, sheet, header_row, encoding = _data_section(data, path, problems)
    columns = _columns_section(spec.get("columns"), path, problems)
    vocabularies = {
        name: _vocabulary(spec.get(name), name, path, problems) for name in DEFAULT_VOCABULARIES
    }
    date_format = str(spec.get("date_format", "dd/mm/yyyy")).strip().lower()
    if date_format not in _DATE_FORMATS:
        _problem(problems, path, "date_format", f"must be one of {', '.join(_DATE_FORMATS)}")
    levels = _rating_section(spec.get("rating"), path, problems)
    fields = _fields_section(spec.get("fields"), path, problems)
    limits = _time_limits(spec.get("time_limits"), path, problems)
    holidays = _holidays(spec.get("holidays"), path, problems)
    if columns is not None and "due" not in columns and not limits:
        _problem(
            problems,
            path,
            "columns.due",
            "no due-date column: map `due` (the export's 'Ngày hẹn trả' is the truth), or give "
            "time_limits per procedure (working days) with the procedure column",
        )
    if limits and columns is not None and "procedure" not in columns:
        _problem(problems, path, "time_limits", "needs the `procedure` column in `columns`")
    if problems or columns is None or file_name is None:
        return None
    return DossierSpec(
        id=ident,
        title_vi=str(title.get("vi") or ident),
        title_en=str(title.get("en") or title.get("vi") or ident),
        folder=path.parent,
        file=file_name,
        columns=columns,
        vocabularies=vocabularies,
        rating_levels=levels,
        fields=fields,
        date_format=date_format,
        sheet=sheet,
        header_row=header_row,
        encoding=encoding,
        time_limits=limits,
        holidays=holidays,
        source=path,
    )


def _data_section(
    data: Any, path: Path, problems: list[Problem]
) -> tuple[str | None, str | None, int | None, str | None]:
    if not isinstance(data, dict) or not _text(data.get("file")):
        _problem(problems, path, "data.file", "name the export file, e.g. data: {file: ho_so.csv}")
        return None, None, None, None
    file_name = str(data["file"]).strip()
    target = (path.parent / file_name).resolve()
    if not target.is_relative_to(path.parent.resolve()):
        _problem(problems, path, "data.file", "must stay inside the folder of dossiers.yaml")
        return None, None, None, None
    header_row = data.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        _problem(problems, path, "data.header_row", "must be a row number from 1")
        header_row = None
    return file_name, _text(data.get("sheet")), header_row, _text(data.get("encoding"))


def _columns_section(columns: Any, path: Path, problems: list[Problem]) -> dict[str, str] | None:
    if not isinstance(columns, dict):
        _problem(problems, path, "columns", "map each column role to the export's header")
        return None
    out: dict[str, str] = {}
    for role, header in columns.items():
        if role not in _ROLES:
            _problem(
                problems, path, f"columns.{role}", f"unknown role; roles: {', '.join(_ROLES)}"
            )
        elif _text(header) is None:
            _problem(problems, path, f"columns.{role}", "must name a column of the export")
        else:
            out[str(role)] = _nfc_header(str(header))
    for role in REQUIRED_ROLES:
        if role not in out and role not in columns:
            _problem(problems, path, f"columns.{role}", "required role is not mapped")
    seen: dict[str, str] = {}
    for role, header in out.items():
        if header in seen:
            _problem(problems, path, f"columns.{role}", f"same column as role {seen[header]!r}")
        seen[header] = role
    return out


def _nfc_header(header: str) -> str:
    import unicodedata

    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", header)).strip()


def _vocabulary(
    given: Any, name: str, path: Path, problems: list[Problem]
) -> dict[str, tuple[str, ...]]:
    codes = _VOCABULARY_CODES[name]
    if given is None:
        return dict(DEFAULT_VOCABULARIES[name])
    if not isinstance(given, dict):
        _problem(problems, path, name, f"must map each of {', '.join(codes)} to its spellings")
        return dict(DEFAULT_VOCABULARIES[name])
    out: dict[str, tuple[str, ...]] = {}
    for code, spellings in given.items():
        code = str(code)
        if code not in codes:
            _problem(problems, path, f"{name}.{code}", f"unknown code; codes: {', '.join(codes)}")
            continue
        items = spellings if isinstance(spellings, list) else [spellings]
        out[code] = tuple(str(s) for s in items if s is not None)
    seen: dict[str, str] = {}
    for code, spellings in out.items():
        for spelling in spellings:
            key = match_key(spelling)
            if key in seen and seen[key] != code:
                _problem(
                    problems, path, f"{name}.{code}", f"{spelling!r} also spells {seen[key]!r}"
                )
            seen[key] = code
    return out


def _rating_section(given: Any, path: Path, problems: list[Problem]) -> tuple[RatingLevel, ...]:
    if given is None:
        return RATING_PRESETS[5]
    if not isinstance(given, dict):
        _problem(problems, path, "rating", "must be {scale: 3 or 5} or {levels: ...}")
        return RATING_PRESETS[5]
    if "levels" not in given:
        scale = given.get("scale", 5)
        if scale not in RATING_PRESETS:
            _problem(problems, path, "rating.scale", "must be 3 or 5 (or declare levels)")
            return RATING_PRESETS[5]
        return RATING_PRESETS[scale]
    levels = given["levels"]
    out: list[RatingLevel] = []
    if not isinstance(levels, dict) or not levels:
        _problem(problems, path, "rating.levels", "must map each code to {label, class}")
        return RATING_PRESETS[5]
    for code, level in levels.items():
        key = f"rating.levels.{code}"
        if not isinstance(code, int) or not isinstance(level, dict):
            _problem(problems, path, key, "a whole-number code mapping to {label, class}")
            continue
        rating_class = str(level.get("class", ""))
        if rating_class not in RATING_CLASSES:
            _problem(problems, path, key, f"class must be one of {', '.join(RATING_CLASSES)}")
            continue
        spellings = level.get("spellings") or []
        out.append(
            RatingLevel(
                code,
                str(level.get("label") or code),
                rating_class,
                tuple(str(s) for s in (spellings if isinstance(spellings, list) else [spellings])),
            )
        )
    return tuple(out)


def _fields_section(given: Any, path: Path, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    if given is None:
        return {}
    if not isinstance(given, dict):
        _problem(problems, path, "fields", "must map each field name to its synonyms")
        return {}
    return {
        str(name): tuple(str(s) for s in (syn if isinstance(syn, list) else [syn] if syn else []))
        for name, syn in given.items()
    }


def _time_limits(given: Any, path: Path, problems: list[Problem]) -> dict[str, int]:
    if given is None:
        return {}
    if not isinstance(given, dict):
        _problem(problems, path, "time_limits", "must map each procedure to working days")
        return {}
    out = {}
    for procedure, days in given.items():
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            _problem(problems, path, f"time_limits.{procedure}", "must be whole working days >= 0")
        else:
            out[match_key(str(procedure))] = days
    return out


def _holidays(given: Any, path: Path, problems: list[Problem]) -> tuple[dt.date, ...]:
    if given is None:
        return ()
    if not isinstance(given, list):
        _problem(problems, path, "holidays", "must be a list of dates (yyyy-mm-dd)")
        return ()
    out = []
    for i, value in enumerate(given):
        if isinstance(value, dt.date):
            out.append(value)
            continue
        try:
            out.append(dt.date.fromisoformat(str(value)))
        except ValueError:
            _problem(problems, path, f"holidays[{i}]", f"{value!r} is not a date (yyyy-mm-dd)")
    return tuple(sorted(out))


# ------------------------------------------------------------------------------- reading
@dataclass
class RawDossiers:
    """The export as read: a DuckDB view `raw` (every source column plus `_row`).

    `removed` holds rows the reader dropped (blank rows, totals rows) with `_row` and
    `_reason`, so cleaning puts them in the quarantine; `notes` say what the reader did.
    """

    con: Any  # duckdb.DuckDBPyConnection
    source: Path
    columns: list[str]
    rows: int
    removed: pd.DataFrame
    notes: list[ReadNote]
    sheet: str | None = None
    frame: pd.DataFrame | None = None  # kept alive while DuckDB reads it (CSV / Excel)


def connect(threads: int | None = None) -> Any:
    """An in-memory DuckDB connection; spills to a temporary folder when memory runs short."""
    import duckdb

    con = duckdb.connect()
    if threads is not None:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = true")
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:  # inside Jupyter without ipywidgets DuckDB refuses to change it
        pass
    return con


def read_dossiers(spec: DossierSpec, con: Any | None = None) -> RawDossiers:
    """Read the export `spec` names into the view `raw` of `con` (a new connection if None).

    CSV and Excel are read as text by `read_responses` (encoding, header row, blank and
    totals rows handled there); Parquet is scanned by DuckDB in place. Raises `InputError`
    naming the file (and sheet) and every mapped column the export does not have.
    """
    path = spec.data_path
    if not path.exists():
        raise InputError("the export named by dossiers.yaml does not exist", file=path)
    con = con if con is not None else connect()
    if path.suffix.lower() in PARQUET_SUFFIXES:
        raw = _read_parquet(path, con)
    else:
        read = read_responses(
            path,
            sheet=spec.sheet,
            header_row=spec.header_row,
            encoding=spec.encoding,
            expected_columns=list(spec.columns.values()),
        )
        frame = read.frame
        con.register("raw_frame", frame)
        con.execute("CREATE OR REPLACE VIEW raw AS SELECT * FROM raw_frame")
        removed = read.removed if len(read.removed) else pd.DataFrame(columns=["_row", "_reason"])
        raw = RawDossiers(
            con, path, [c for c in frame.columns if c != ROW_COLUMN], len(frame), removed,
            list(read.notes), read.sheet, frame,
        )  # fmt: skip
    missing = [
        Problem(
            f"column for role {role!r} not found (columns: {', '.join(raw.columns)})",
            file=path,
            sheet=raw.sheet,
            column=header,
        )
        for role, header in spec.columns.items()
        if header not in raw.columns
    ]
    if missing:
        raise InputError(problems=missing)
    return raw


def quote_name(name: str) -> str:
    """A column name as a DuckDB identifier (any header text is safe inside)."""
    return '"' + name.replace('"', '""') + '"'


def _read_parquet(path: Path, con: Any) -> RawDossiers:
    import duckdb

    quoted = str(path).replace("'", "''")
    try:
        names = [
            row[0]
            for row in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{quoted}')").fetchall()
        ]
    except duckdb.Error as err:
        raise InputError(f"cannot read as a Parquet file ({err})", file=path) from None
    notes: list[ReadNote] = []
    if ROW_COLUMN in names:
        row = ROW_COLUMN
        notes.append(ReadNote("row_numbers_kept", None, "the file already has a _row column"))
        option = ""
    else:
        row = f"file_row_number + 1 AS {ROW_COLUMN}"
        option = ", file_row_number = true"
    data = [n for n in names if n != ROW_COLUMN]
    columns = [_nfc_header(n) for n in data]
    select = ", ".join(
        f"{quote_name(old)} AS {quote_name(new)}" for old, new in zip(data, columns, strict=True)
    )
    con.execute(
        f"CREATE OR REPLACE VIEW raw AS SELECT {row}, {select} "
        f"FROM read_parquet('{quoted}'{option})"
    )
    rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    return RawDossiers(con, path, columns, rows, pd.DataFrame(columns=["_row", "_reason"]), notes)
