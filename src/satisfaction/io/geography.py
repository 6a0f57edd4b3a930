"""Provinces of Vietnam in both systems, and commune/ward name clean-up.

Two systems of provincial units:

* ``historical_63``: the 63 units in force until 30 June 2025 (Huế as it stood then: a
  centrally-run city since 1 January 2025, "Thừa Thiên Huế" before that, kept as an alias).
* ``current_34``: the 34 units from 1 July 2025 (Resolution 202/2025/QH15): 11 unchanged,
  23 formed by merging whole old provinces, each named after one of the old ones.

So a name falls in one of three groups, told apart by the fields of `ProvinceMatch`:

* the 11 unchanged units: in both lists, same territory (``system == "both"``);
* the 23 names carried by a merged unit (Cần Thơ, Vĩnh Long ...): in both lists, but the
  2025 unit is larger (``system == "both"``, ``territory_changed``);
* the 29 names retired by the merger (Trà Vinh, Sóc Trăng ...): ``system ==
  "historical_63"`` and ``merged_pre2025``; they are kept and flagged, never renamed —
  `old_to_new` gives the 2025 unit when a caller asks for it.

Old -> new is many-to-one and clean at province level, but a new province's figure for an
earlier year must be recomputed from microdata, never averaged from published indices.

The tables ship as CSV in ``satisfaction/data`` (provinces_63.csv, provinces_34.csv,
provinces_aliases.csv) and are cross-checked in the tests against the PyPI package
``vietnamadminunits`` when it is installed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd

from satisfaction.errors import ParameterError
from satisfaction.io.text import ascii_key, clean_text, match_key

__all__ = [
    "CURRENT_34",
    "HISTORICAL_63",
    "MAPPING_VERSIONS",
    "UNCHANGED_11",
    "ProvinceMatch",
    "old_to_new",
    "province_by_code",
    "province_mapping",
    "province_table",
    "standardise_province",
    "standardise_provinces",
    "standardise_unit_name",
]

System = Literal["current_34", "historical_63", "both"]
MatchKind = Literal["exact", "alias", "ascii", "code"]


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("satisfaction").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


_ROWS_63 = _read_csv("provinces_63.csv")
_ROWS_34 = _read_csv("provinces_34.csv")
_ALIASES = _read_csv("provinces_aliases.csv")

HISTORICAL_63: tuple[str, ...] = tuple(row["name"] for row in _ROWS_63)
"""The 63 provincial units before 1 July 2025, in order of their statistical code."""
CURRENT_34: tuple[str, ...] = tuple(row["name"] for row in _ROWS_34)
"""The 34 provincial units from 1 July 2025 (Resolution 202/2025/QH15), by code."""
UNCHANGED_11: tuple[str, ...] = tuple(row["name"] for row in _ROWS_34 if row["unchanged"] == "1")
"""The 11 units the 2025 reorganisation left as they were."""

_OLD = {row["name"]: row for row in _ROWS_63}
_NEW = {row["name"]: row for row in _ROWS_34}


@dataclass(frozen=True)
class ProvinceMatch:
    """The result of standardising one province name.

    name: canonical name, or None when the input is not a known province (never a guess).
    system: "both" if the name is in both lists, "historical_63" if only before 2025,
        "current_34" if only after (no such name today: every 2025 unit kept an old name).
    merged_pre2025: a pre-2025 province merged into `new_name` (kept and flagged).
    territory_changed: a name in both lists whose 2025 unit is larger than the old one.
    new_name / code_34: the 2025 unit the (old) territory belongs to.
    match: "exact" (diacritics agree), "alias" (a listed synonym), "ascii" (agrees once
        diacritics, case, spaces and punctuation are ignored) or "code" (an official
        statistical code such as 1, "01" or "22").
    """

    input: str | None
    name: str | None = None
    system: System | None = None
    code_63: str | None = None
    code_34: str | None = None
    new_name: str | None = None
    merged_pre2025: bool = False
    territory_changed: bool = False
    match: MatchKind | None = None

    @property
    def matched(self) -> bool:
        return self.name is not None

    @property
    def in_historical_63(self) -> bool:
        """The name is one of the 63 units before 1 July 2025."""
        return self.code_63 is not None

    @property
    def in_current_34(self) -> bool:
        """The name is one of the 34 units from 1 July 2025 (maybe with a larger territory)."""
        return self.system in ("both", "current_34")


# Prefixes of province names, on the ascii key with spaces ("TP.HCM" -> "tp hcm").
_PROVINCE_PREFIX_RE = re.compile(r"^(?:tinh|thanh pho|tp|t p)\s+")


def _strip_province_prefix(key: str) -> str:
    return _PROVINCE_PREFIX_RE.sub("", key, count=1)


def _exact_key(name: str) -> str:
    """match_key without an administrative prefix ("Tỉnh Trà Vinh" -> "trà vinh")."""
    key = match_key(name)
    for prefix in ("tỉnh ", "thành phố ", "tp. ", "tp.", "tp ", "t.p. ", "t.p.", "t.p "):
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :].strip()
    return key


def _loose_key(name: str) -> str:
    return _strip_province_prefix(ascii_key(name)).replace(" ", "")


@cache
def _lookup() -> tuple[dict[str, tuple[str, MatchKind]], dict[str, str]]:
    exact: dict[str, tuple[str, MatchKind]] = {}
    loose: dict[str, str] = {}
    for name in dict.fromkeys((*HISTORICAL_63, *CURRENT_34)):
        exact[_exact_key(name)] = (name, "exact")
        loose[_loose_key(name)] = name
    for row in _ALIASES:
        exact.setdefault(_exact_key(row["alias"]), (row["name"], "alias"))
        loose.setdefault(_loose_key(row["alias"]), row["name"])
    return exact, loose


def _resolve(name: str) -> tuple[str, MatchKind] | None:
    exact, loose = _lookup()
    found = exact.get(_exact_key(name))
    if found is not None:
        return found
    canonical = loose.get(_loose_key(name))
    return (canonical, "ascii") if canonical is not None else None


def _describe(raw: str | None, canonical: str, how: MatchKind) -> ProvinceMatch:
    old, new = _OLD.get(canonical), _NEW.get(canonical)
    system: System = "both" if old and new else ("historical_63" if old else "current_34")
    unchanged = new is not None and new["unchanged"] == "1"
    new_row = new if new is not None else _NEW[old["new_name"]]  # type: ignore[index]
    return ProvinceMatch(
        input=raw,
        name=canonical,
        system=system,
        code_63=old["code"] if old else None,
        code_34=new_row["code"],
        new_name=new_row["name"],
        merged_pre2025=new is None,
        territory_changed=old is not None and new is not None and not unchanged,
        match=how,
    )


_CODE = re.compile(r"^\s*0*(\d{1,2})(?:\.0+)?\s*$")


def province_by_code(code: object, codes: System = "current_34") -> str | None:
    """The province an official statistical code names: 1, 1.0, "1", "01" -> "Hà Nội".

    Seven codes changed hands in 2025 (15 was Yên Bái, now Lào Cai, into which Yên Bái
    merged; likewise 24, 44, 52, 80, 82, 91): read as `codes` ("current_34", the default,
    or "historical_63"). Either way the 2025 unit is the same, since each code's old
    province lies inside the new one. Codes of the 63 list absent from the 34 give the old
    province (flagged by cleaning as a pre-2025 name).
    """
    if isinstance(code, bool):
        return None
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    match = _CODE.match(str(code)) if isinstance(code, (int, str)) else None
    if match is None:
        return None
    key = f"{int(match[1]):02d}"
    first, second = (
        (_BY_CODE_34, _BY_CODE_63)
        if codes != "historical_63"
        else (
            _BY_CODE_63,
            _BY_CODE_34,
        )
    )
    return first.get(key) or second.get(key)


_BY_CODE_63 = {row["code"]: row["name"] for row in _ROWS_63}
_BY_CODE_34 = {row["code"]: row["name"] for row in _ROWS_34}


def standardise_province(name: object, codes: System = "current_34") -> ProvinceMatch:
    """Recognise a province name in either system, whatever its spelling.

    Strips "Tỉnh", "Thành phố", "TP.", "TP", "T.P"; ignores case, spacing, NFD and tone
    style; accepts names without diacritics ("ha noi", "Hanoi") and listed synonyms ("TP
    HCM", "Sài Gòn", "Thừa Thiên Huế"). A pre-2025 name of a merged province is returned
    as itself with ``merged_pre2025=True``. An official code (1, "01", 22.0) gives its
    province (`province_by_code`, read as `codes`). Anything else is unmatched (``name is
    None``).
    """
    by_code = province_by_code(name, codes)
    if by_code is not None:
        return _describe(str(name), by_code, "code")
    if not isinstance(name, str) or not clean_text(name):
        return ProvinceMatch(input=name if isinstance(name, str) else None)
    found = _resolve(name)
    if found is None:
        return ProvinceMatch(input=name)
    return _describe(name, *found)


_MATCH_COLUMNS = (
    "province", "system", "code_63", "code_34", "new_province", "merged_pre2025",
    "territory_changed", "match",
)  # fmt: skip


def standardise_provinces(series: pd.Series) -> pd.DataFrame:
    """`standardise_province` for a column, computed once per distinct value.

    Returns a frame on the same index with columns province, system, code_63, code_34,
    new_province, merged_pre2025, territory_changed, match (None/False where unmatched).
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    rows = [standardise_province(u) for u in np.asarray(uniques, dtype=object)]
    table = pd.DataFrame(
        {
            "province": [m.name for m in rows],
            "system": [m.system for m in rows],
            "code_63": [m.code_63 for m in rows],
            "code_34": [m.code_34 for m in rows],
            "new_province": [m.new_name for m in rows],
            "merged_pre2025": [m.merged_pre2025 for m in rows],
            "territory_changed": [m.territory_changed for m in rows],
            "match": [m.match for m in rows],
        },
        columns=list(_MATCH_COLUMNS),
    )
    empty = pd.DataFrame(
        {"merged_pre2025": [False], "territory_changed": [False]},
        columns=list(_MATCH_COLUMNS),
    )
    table = pd.concat([table, empty], ignore_index=True)  # row -1 serves missing values
    out = table.iloc[np.where(codes >= 0, codes, len(table) - 1)].reset_index(drop=True)
    out.index = series.index
    return out.astype({"merged_pre2025": bool, "territory_changed": bool})


def _old_to_new_one(name: object) -> str | None:
    found = standardise_province(name)
    return found.new_name if found.matched else None


def old_to_new(name: object) -> str | pd.Series | None:
    """The 2025 province a pre-2025 province (any spelling) became part of, else None.

    A 2025 name gives itself; unknown names give None. Given a Series, returns a Series
    (computed once per distinct value).
    """
    if isinstance(name, pd.Series):
        codes, uniques = pd.factorize(name, use_na_sentinel=True)
        mapped = np.array(
            [_old_to_new_one(u) for u in np.asarray(uniques, dtype=object)] + [None],
            dtype=object,
        )
        return pd.Series(mapped[codes], index=name.index, name=name.name)
    return _old_to_new_one(name)


def province_table(system: Literal["historical_63", "current_34"]) -> pd.DataFrame:
    """The shipped province list as a frame (codes as zero-padded strings)."""
    if system == "historical_63":
        return pd.DataFrame(_ROWS_63)
    if system == "current_34":
        frame = pd.DataFrame(_ROWS_34)
        return frame.assign(unchanged=frame["unchanged"] == "1")
    raise ParameterError(f"system must be 'historical_63' or 'current_34', got {system!r}")


#: Versions of the province mapping: the date a reorganisation took effect -> its legal
#: basis. Every table built on a mapping names its version, so a later reorganisation adds
#: a version instead of silently changing old outputs.
MAPPING_VERSIONS: dict[str, str] = {
    "2025-07-01": "Nghị quyết 202/2025/QH15 (sắp xếp đơn vị hành chính cấp tỉnh), 63 -> 34",
}


def province_mapping(version: str = "2025-07-01") -> pd.DataFrame:
    """The old -> new province table of one reorganisation, one row per old province.

    Columns: old_code, old_name, new_code, new_name, merged (the old province lost its own
    unit), territory_changed (the new unit is larger than the old one of the same name),
    version, legal_basis. Codes are the official statistical codes as zero-padded text.
    """
    if version not in MAPPING_VERSIONS:
        raise ParameterError(
            f"no province mapping version {version!r}; versions: {sorted(MAPPING_VERSIONS)}",
            key="version",
        )
    unchanged = {row["code"] for row in _ROWS_34 if row["unchanged"] == "1"}
    sizes: dict[str, int] = {}
    for row in _ROWS_63:
        sizes[row["new_code"]] = sizes.get(row["new_code"], 0) + 1
    rows = [
        {
            "old_code": row["code"],
            "old_name": row["name"],
            "new_code": row["new_code"],
            "new_name": row["new_name"],
            "merged": row["name"] != row["new_name"],
            "territory_changed": row["new_code"] not in unchanged and sizes[row["new_code"]] > 1,
            "version": version,
            "legal_basis": MAPPING_VERSIONS[version],
        }
        for row in _ROWS_63
    ]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# Commune / ward / district names
# --------------------------------------------------------------------------------------

# (pattern on the lowercased cleaned name, kind). Longer prefixes first: "thị xã" before
# "xã". Abbreviations need their dot or a following digit, so "Phú" is not "P." + "hú".
_UNIT_PREFIXES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"^thị trấn\s+", "thị trấn"),
        (r"^thi tran\s+", "thị trấn"),
        (r"^tt\.\s*|^tt\s+", "thị trấn"),
        (r"^thị xã\s+", "thị xã"),
        (r"^tx\.\s*|^tx\s+", "thị xã"),
        (r"^thành phố\s+", "thành phố"),
        (r"^tp\.\s*|^tp\s+", "thành phố"),
        (r"^đặc khu\s+", "đặc khu"),
        (r"^phường\s+", "phường"),
        (r"^phuong\s+", "phường"),
        (r"^p\.\s*|^p(?=\d)", "phường"),
        (r"^xã\s+", "xã"),
        (r"^x\.\s*", "xã"),
        (r"^quận\s+", "quận"),
        (r"^q\.\s*|^q(?=\d)", "quận"),
        (r"^huyện\s+", "huyện"),
        (r"^h\.\s*", "huyện"),
    )
)
_ASCII_XA_RE = re.compile(r"^xa\s+")


def _tidy_unit_name(name: str) -> str:
    name = name.strip(" .,-")
    if name.isdigit():
        return str(int(name))  # "Phường 01" and "Phường 1" are one ward
    if name.islower() or name.isupper():
        return " ".join(w[:1].upper() + w[1:].lower() for w in name.split())
    return name


def standardise_unit_name(name: object) -> tuple[str | None, str | None]:
    """Split a commune/ward (or pre-2025 district) name into (kind, name).

    Kinds: "xã", "phường", "thị trấn", "đặc khu", and for districts "quận", "huyện",
    "thị xã", "thành phố". Handles "X.", "P.", "P1", "TT.", "Q.3", spacing, case and NFD;
    numbered wards lose leading zeros. No prefix gives kind None. Unaccented "Xa ..." is
    read as the prefix only when the whole name is ASCII ("Xà Phiên" is a commune's name).
    Missing input gives (None, None).
    """
    if not isinstance(name, str):
        return None, None
    cleaned = clean_text(name)
    if not cleaned:
        return None, None
    lowered = cleaned.lower()
    for pattern, kind in _UNIT_PREFIXES:
        found = pattern.match(lowered)
        if found and found.end() < len(cleaned):
            return kind, _tidy_unit_name(cleaned[found.end() :])
    if cleaned.isascii():
        found = _ASCII_XA_RE.match(lowered)
        if found and found.end() < len(cleaned):
            return "xã", _tidy_unit_name(cleaned[found.end() :])
    return None, _tidy_unit_name(cleaned)
