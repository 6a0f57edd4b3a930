"""An instrument built from an SPSS dictionary, so SPSS users need not write YAML first.

Survey teams very often hold their questionnaire only as an SPSS .sav file: variable labels
(the question wording), value labels (the answer options) and user-missing values. This
module turns that dictionary into the plain mapping `instrument.yaml` holds and passes it
through `instrument_from_dict`, so the usual validation applies. Users can save the mapping
with `write_instrument_yaml`, then review what cannot be read off a dictionary: item roles,
groups (elements), respondent and design columns.

Rules:
- variable label -> item text; value labels -> a scale; identical label sets (with the same
  missing codes) share one scale;
- user-missing codes -> the scale's missing codes, with a reason read from the label
  ("Không biết"/"KB"/"Don't know" -> dont_know; "Không trả lời"/"Từ chối"/"Refused" ->
  refused; "Không áp dụng"/"Not applicable" -> not_applicable; else other);
- 3 to 5 ordered labels that read as a satisfaction scale ("hài lòng"/"satisf") -> a likert
  item (role criterion) whose satisfied / neutral / dissatisfied codes come from the labels
  ("không/chưa hài lòng", "dissatisfied" are dissatisfied; "bình thường", "neutral" are
  neutral); a labelled "Không biết"-like code beside such a scale becomes a missing code even
  if SPSS did not declare it missing, since it cannot sit on a satisfaction scale;
- other labelled numeric variables with 2 to 11 labels -> single; unlabelled numeric (or
  more than 11 labels, such as a province list) -> numeric; strings -> text; dates -> date.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from satisfaction.errors import InputError, ParameterError
from satisfaction.io.instrument import Instrument, instrument_from_dict
from satisfaction.io.read import RawResponses, read_responses
from satisfaction.io.roles import guess_roles, one_group_for_ungrouped

__all__ = ["instrument_from_spss", "instrument_spec_from_spss", "write_instrument_yaml"]

# Names of the questionnaire id, best first: a form code beats a running number (STT).
_ID_NAMES = (
    re.compile(r"^(?:ma_?phieu|so_?phieu|phieu|ma_?so|ma_?ho|resp_?id|case_?id|id|ma|key)$"),
    re.compile(r"^(?:stt|so_?tt)$"),
)
# Missing-code reasons from a label (matched on folded text: no diacritics, lower case).
_REASONS = (
    ("dont_know", re.compile(r"^(?:kb|dk|kbiet)$|khong biet|khong ro|don ?t know|do not know")),
    ("refused", re.compile(r"^(?:ktl|tc)$|khong tra loi|tu choi|refus|no answer")),
    ("not_applicable", re.compile(r"^(?:kad|n/?a)$|khong ap dung|not applicable")),
)
_NEUTRAL = re.compile(
    r"binh thuong|trung binh|trung lap|khong (?:co )?y kien|phan van|neutral|neither|"
    r"no opinion"
)
_DISSATISFIED = re.compile(
    r"\b(?:khong|chua)\b.*\bhai long\b|dissatisf|unsatisf|not (?:at all )?satisf"
)
_SATISFIED = re.compile(r"\bhai long\b|satisf")


def instrument_from_spss(
    path: str | Path,
    *,
    id_column: str | None = None,
    survey_id: str | None = None,
    title: str | None = None,
    geography: str = "historical_63",
) -> Instrument:
    """Build and validate an `Instrument` from the dictionary of an SPSS .sav file.

    See `instrument_spec_from_spss` for the rules; raises `InstrumentError` (naming the
    .sav file and the key path) if the result does not validate.
    """
    spec = instrument_spec_from_spss(
        path, id_column=id_column, survey_id=survey_id, title=title, geography=geography
    )
    return instrument_from_dict(spec, source=path)


def instrument_spec_from_spss(
    path: str | Path,
    *,
    id_column: str | None = None,
    survey_id: str | None = None,
    title: str | None = None,
    geography: str = "historical_63",
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """The instrument mapping (as `instrument.yaml` would hold it) read off a .sav dictionary.

    Column roles a dictionary does not state (province, field, weight, sex, age, the
    overall question, personal data) are guessed by `satisfaction.io.roles`; each guess is
    appended to `notes` (for `write_instrument_yaml` to write as comments).

    Args:
        path: the .sav (or .zsav) file.
        id_column: the questionnaire id variable; None picks the first variable named like
            an id (``ma_phieu``, ``id``, ``stt``...), else the first whose values are all
            present and distinct, else the first variable.
        survey_id: the instrument id; default the file name in lower case.
        title: the title; default the SPSS file label, else the file name.
        geography: ``historical_63`` or ``current_34``.
    """
    source = Path(path)
    if source.suffix.lower() not in (".sav", ".zsav"):
        raise InputError("an SPSS dictionary must come from a .sav or .zsav file", file=source)
    raw = read_responses(source)
    file_label, measures, year = _spss_header(source)
    columns = raw.columns
    if not columns:
        raise InputError("the SPSS file has no variables", file=source)
    id_name = _id_column(raw, id_column)

    guess = guess_roles(columns, raw.column_labels, raw.value_labels)
    skipped = {id_name, *guess.personal}
    skipped |= {
        guess.roles[r] for r in ("province", "field", "weight", "commune") if r in guess.roles
    }
    scales: dict[str, dict[str, Any]] = {}
    scale_of_signature: dict[tuple[Any, ...], str] = {}
    items: list[dict[str, Any]] = []
    for column in columns:
        if column in skipped:
            continue
        item: dict[str, Any] = {
            "id": column,
            "text": {"vi": raw.column_labels.get(column, column)},
        }
        kind, scale = _classify(raw, column, measures.get(column))
        item["type"] = kind
        if scale is not None:
            signature = _signature(scale)
            scale_id = scale_of_signature.get(signature)
            if scale_id is None:
                scale_id = _new_scale_id(scale, column, scales)
                scales[scale_id] = scale
                scale_of_signature[signature] = scale_id
            item["scale"] = scale_id
        item["role"] = "criterion" if kind == "likert" else "other"
        role = guess.role_of(column)
        if role == "overall" and kind == "likert":
            item["role"] = "overall"
        elif role in ("sex", "age"):
            item["role"] = "respondent"
        if role == "age" and kind == "numeric":
            item["min"], item["max"] = 15, 110  # years; a band code would be a scale
            if notes is not None:
                notes.append(f"{column}: age in years, kept between 15 and 110")
        items.append(item)
    groups = one_group_for_ungrouped(items, _criterion_groups(items, notes), notes)

    spec: dict[str, Any] = {
        "id": survey_id or _slug(source.stem),
        "title": {"vi": title or file_label or source.stem},
        "version": "1",
        "year": year,
        "geography": geography,
        "id_column": id_name,
        "data": {"file": source.name},
    }
    if notes is not None:
        notes.append(f"year: {year}, when the .sav file was written (the survey's year?)")
    if scales:
        spec["scales"] = scales
    if groups:
        spec["groups"] = groups
    spec["items"] = items
    _roles_into_spec(spec, guess, raw)
    if notes is not None:
        notes.extend(guess.reasons)
    return spec


def _criterion_groups(
    items: list[dict[str, Any]], notes: list[str] | None
) -> list[dict[str, Any]]:
    """Element groups guessed from criterion names sharing a prefix (c1_1, c1_2 -> C1)."""
    prefixes: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        match = re.match(r"^(.*?\D)_?\d+$", item["id"])
        if item["role"] == "criterion" and match:
            prefixes.setdefault(match[1].rstrip("_."), []).append(item)
    found = {p: members for p, members in prefixes.items() if len(members) >= 2}
    if len(found) < 2:
        return []
    taken = {item["id"] for item in items}
    groups = []
    for prefix, members in found.items():
        group_id = prefix.upper() if prefix.upper() not in taken else f"{prefix}_nhom"
        groups.append({"id": group_id, "kind": "element", "label": {"vi": f"Nhóm {group_id}"}})
        for item in members:
            item["group"] = group_id
    if notes is not None:
        notes.append(
            "groups: element groups guessed from criterion names sharing a prefix ("
            + ", ".join(g["id"] for g in groups)
            + "); give each a label leaders read"
        )
    return groups


def _roles_into_spec(spec: dict[str, Any], guess: Any, raw: RawResponses) -> None:
    """Respondent, field, design and personal-data sections from the guessed roles."""
    respondent = {
        role: column
        for role, column in guess.roles.items()
        if role in ("province", "commune", "sex", "age")
    }
    if respondent:
        spec["respondent"] = respondent
    field_column = guess.roles.get("field")
    if field_column is not None:
        labels = raw.value_labels.get(field_column) or {}
        if not labels:
            values = raw.frame[field_column].dropna().astype(str).str.strip()
            labels = {v: v for v in sorted(set(values)) if v}
        spec["fields"] = {
            "column": field_column,
            "vocabulary": [
                {"code": _slug(label), "label": {"vi": label}, "synonyms": [str(code)]}
                for code, label in labels.items()
            ],
        }
    if "weight" in guess.roles:
        spec["design"] = {"weight": guess.roles["weight"]}
    if guess.personal:
        spec["personal_data"] = [
            {"column": column, "action": action} for column, action in guess.personal.items()
        ]


def write_instrument_yaml(
    spec: dict[str, Any],
    path: str | Path,
    *,
    notes: list[str] | None = None,
    made_from: str = "an SPSS dictionary by satisfaction.io.spss",
) -> Path:
    """Write an instrument mapping as UTF-8 YAML that keeps Vietnamese readable and key order.

    `spec` is the mapping `instrument_spec_from_spss` (or `instrument_spec_from_xlsform`)
    returns -- not an `Instrument`. Short mappings (a scale level, a label) are written
    inline, as in the shipped instruments, so the file stays easy to review and edit; each
    of `notes` (the importer's guesses) becomes a comment line at the top.
    """
    if not isinstance(spec, dict):
        raise ParameterError(
            f"write_instrument_yaml takes the mapping from instrument_spec_from_spss (a "
            f"dict), not {type(spec).__name__}; or run `satisfaction instrument from-spss`"
        )
    target = Path(path)
    text = yaml.safe_dump(
        spec, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100
    )
    header = (
        f"# Instrument read off {made_from}. Review before use:\n"
        "# item roles (criterion / element_satisfaction / overall / respondent ...), groups,\n"
        "# the satisfied / neutral / dissatisfied codes, respondent and design columns.\n"
    )
    if notes:
        header += "# The tool's best guesses (change what is wrong):\n" + "".join(
            f"#   - {note}\n" for note in notes
        )
    target.write_text(header + text, encoding="utf-8")
    return target


# ---------------------------------------------------------------------------- variables
def _spss_header(source: Path) -> tuple[str | None, dict[str, str], int]:
    """The file label, each variable's measurement level (nominal / ordinal / scale) and
    the year the file was written (reports name the survey's year)."""
    import pyreadstat

    try:
        _, meta = pyreadstat.read_sav(str(source), metadataonly=True)
    except Exception as err:  # pyreadstat raises its own error types on broken files
        raise InputError(
            f"cannot read the SPSS dictionary ({type(err).__name__}: {err})", file=source
        ) from None
    label = (meta.file_label or "").strip() or None
    label = unicodedata.normalize("NFC", label) if label else None
    measures = {
        unicodedata.normalize("NFC", name): measure
        for name, measure in (meta.variable_measure or {}).items()
    }
    created = getattr(meta, "creation_time", None)
    year = created.year if created is not None else __import__("datetime").date.today().year
    return label, measures, year


def _id_column(raw: RawResponses, wanted: str | None) -> str:
    columns = raw.columns
    if wanted is not None:
        wanted = unicodedata.normalize("NFC", wanted).strip()
        if wanted not in columns:
            raise InputError(
                f"id column {wanted!r} is not a variable of the file (variables: "
                + ", ".join(columns[:12])
                + (", ..." if len(columns) > 12 else "")
                + ")",
                file=raw.source,
            )
        return wanted
    for pattern in _ID_NAMES:
        for column in columns:
            if pattern.match(_fold(column).replace(" ", "_")):
                return column
    for column in columns:
        values = raw.frame[column]
        if len(values) and values.notna().all() and values.is_unique:
            return column
    return columns[0]


def _classify(
    raw: RawResponses, column: str, measure: str | None
) -> tuple[str, dict[str, Any] | None]:
    """The item type of a variable and, for likert/single, its scale mapping."""
    series = raw.frame[column]
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date", None
    if not pd.api.types.is_numeric_dtype(series):
        return "text", None
    labels = {
        code: label
        for code, label in raw.value_labels.get(column, {}).items()
        if isinstance(code, int) and not isinstance(code, bool)
    }
    declared_missing = [
        code
        for code in raw.missing_values.get(column, [])
        if isinstance(code, int) and not isinstance(code, bool)
    ]
    valid = {code: label for code, label in labels.items() if code not in declared_missing}
    missing = [(code, labels.get(code, "")) for code in declared_missing]
    if any(isinstance(code, float) for code in raw.value_labels.get(column, {})):
        return "numeric", None  # labels on fractional values are not answer codes
    if not 2 <= len(valid) <= 11:
        return "numeric", None

    # A satisfaction scale, once labelled "Không biết"-like codes are set aside.
    substantive = {c: lab for c, lab in valid.items() if _missing_reason(lab) == "other"}
    aside = [(c, lab) for c, lab in valid.items() if c not in substantive]
    partition = _satisfaction_partition(substantive) if 3 <= len(substantive) <= 5 else None
    if partition is not None:
        return "likert", _scale(substantive, [*missing, *aside], ordered=True, parts=partition)
    return "single", _scale(valid, missing, ordered=measure == "ordinal")


def _scale(
    levels: dict[int, str],
    missing: list[tuple[int, str]],
    *,
    ordered: bool,
    parts: tuple[list[int], list[int], list[int]] | None = None,
) -> dict[str, Any]:
    """A scale mapping in the key order of the shipped instruments."""
    scale: dict[str, Any] = {
        "levels": [
            {"code": int(code), "label": {"vi": label or str(code)}}
            for code, label in sorted(levels.items())
        ]
    }
    if parts is not None:
        scale["satisfied"], scale["neutral"], scale["dissatisfied"] = parts
        # SIPAS counts neutral answers among valid ones; stated so users see the choice.
        scale["neutral_in_denominator"] = True
    if missing:
        scale["missing"] = [
            {
                "code": int(code),
                "label": {"vi": label or f"Mã khuyết {code}"},
                "reason": _missing_reason(label),
            }
            for code, label in sorted(missing)
        ]
    scale["ordered"] = ordered
    return scale


def _satisfaction_partition(
    levels: dict[int, str],
) -> tuple[list[int], list[int], list[int]] | None:
    """(satisfied, neutral, dissatisfied) codes if the labels read as a satisfaction scale.

    Every label must be classified, at least two must name satisfaction, both ends must be
    present and the classes must run monotonically along the codes (either direction).
    """
    folded = {code: _fold(label) for code, label in levels.items()}
    if sum(bool(_SATISFIED.search(text)) for text in folded.values()) < 2:
        return None
    sentiment: dict[int, int] = {}
    for code, text in folded.items():
        if _NEUTRAL.search(text):
            sentiment[code] = 0
        elif _DISSATISFIED.search(text):
            sentiment[code] = -1
        elif _SATISFIED.search(text):
            sentiment[code] = 1
        else:
            return None
    ordered = [sentiment[code] for code in sorted(sentiment)]
    if 1 not in ordered or -1 not in ordered:
        return None
    pairs = list(pairwise(ordered))
    if not (all(a <= b for a, b in pairs) or all(a >= b for a, b in pairs)):
        return None
    return (
        sorted(c for c, s in sentiment.items() if s == 1),
        sorted(c for c, s in sentiment.items() if s == 0),
        sorted(c for c, s in sentiment.items() if s == -1),
    )


def _missing_reason(label: str) -> str:
    text = _fold(label)
    for reason, pattern in _REASONS:
        if pattern.search(text):
            return reason
    return "other"


def _signature(scale: dict[str, Any]) -> tuple[Any, ...]:
    def freeze(value: Any) -> Any:
        if isinstance(value, dict):
            return tuple((k, freeze(v)) for k, v in value.items())
        if isinstance(value, list):
            return tuple(freeze(v) for v in value)
        return value

    return freeze(scale)


def _new_scale_id(scale: dict[str, Any], column: str, scales: dict[str, Any]) -> str:
    base = f"sat{len(scale['levels'])}" if "satisfied" in scale else _slug(column)
    scale_id, n = base, 1
    while scale_id in scales:
        n += 1
        scale_id = f"{base}_{n}"
    return scale_id


def _fold(text: str) -> str:
    """Lower case without diacritics, for matching labels typed with or without accents."""
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.lower().replace("’", "'").replace("'", " ")
    return re.sub(r"\s+", " ", bare).strip()


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", _fold(text)).strip("_")
    return slug or "survey"
