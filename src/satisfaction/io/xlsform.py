"""An instrument built from an XLSForm (KoboToolbox, ODK) and, if given, its data export.

pyxform -- the reference implementation of XLSForm -- reads the form (survey, choices and
settings sheets, ``label::Vietnamese (vi)`` columns, groups, select lists, ``or_other``);
this module turns its JSON into the mapping `instrument.yaml` holds:

* select_one -> a scale (numeric choice names are the codes; other names get codes 1..n in
  form order, the name kept as an accepted spelling, so the export's names are read);
  a satisfaction scale (labels) -> likert criteria; "Không biết"-like choices -> missing;
* the province and the field select lists -> respondent.province with `value_labels`
  (choice name -> label) and `fields:` (one term per choice; the "other" choice and the
  text question that specifies it -> `fields.other`);
* select_multiple -> a multiple item (names separated by spaces, as Kobo exports them);
* groups holding criteria -> element groups (a group named like an item is renamed);
* integer/decimal -> numeric (a constraint ``. >= 18 and . <= 100`` gives min and max);
  constraints and relevance are kept as notes; text -> text, personal data guessed;
* each question's column is found in the export: ``group/sub/name`` (Kobo's group paths)
  or the bare name; the id column is ``_uuid`` (else ``_id``, ``_index``).

Guesses (roles, personal data, groups) are returned as notes for the YAML's comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from satisfaction.errors import InputError
from satisfaction.io.read import read_responses
from satisfaction.io.roles import fold, guess_roles, one_group_for_ungrouped, slug
from satisfaction.io.spss import _missing_reason, _satisfaction_partition

__all__ = ["instrument_spec_from_xlsform"]

_SKIPPED_TYPES = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
    "username", "email", "audit", "note", "calculate", "start-geopoint", "hidden",
}  # fmt: skip
_ID_COLUMNS = ("_uuid", "meta/instanceID", "meta-instanceID", "instanceID", "KEY", "_id", "_index")
_OTHER_CHOICE = re.compile(r"^(?:other|khac|others?_?specify)$")
_BOUND = re.compile(r"\.\s*(>=|>|<=|<)\s*(-?\d+(?:\.\d+)?)")


def instrument_spec_from_xlsform(
    form: str | Path,
    *,
    data: str | Path | None = None,
    sheet: str | None = None,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """The instrument mapping read off an XLSForm, with columns found in its `data` export.

    Raises `InputError` naming the form (and the pyxform message) when it does not parse,
    e.g. a select_one naming a choice list the choices sheet lacks.
    """
    source = Path(form)
    tree = _parse(source)
    notes = notes if notes is not None else []
    export = read_responses(data, sheet=sheet) if data is not None else None
    columns = export.columns if export is not None else None
    language = _language(tree)
    questions = list(_questions(tree.get("children", []), [], language))
    column_of = {q["name"]: _column(q, columns) for q in questions}
    guess = guess_roles(
        [q["name"] for q in questions],
        {q["name"]: q["label"][0] for q in questions},
        {q["name"]: {c["name"]: c["label"][0] for c in q["choices"]} for q in questions},
    )
    notes += [note for note in guess.reasons if not note.startswith("groups")]
    spec: dict[str, Any] = {
        "id": slug(str(tree.get("id_string") or source.stem)) or "survey",
        "title": {"vi": str(tree.get("title") or source.stem)},
        "version": str(tree.get("version") or "1"),
        "year": _year(export, notes),
        "geography": "current_34",
        "id_column": next((c for c in _ID_COLUMNS if columns and c in columns), "_uuid"),
    }
    if data is not None:
        spec["data"] = {"file": Path(data).name} | ({"sheet": sheet} if sheet else {})
    built = _Built()
    for question in questions:
        _add_question(question, column_of[question["name"]], guess, questions, built, notes)
    _name_groups(built, notes)
    built.groups = one_group_for_ungrouped(built.items, built.groups, notes)
    for key in ("scales", "groups", "items"):
        if getattr(built, key):
            spec[key] = getattr(built, key)
    if built.respondent:
        spec["respondent"] = built.respondent
    if built.fields:
        spec["fields"] = built.fields
    if built.value_labels:
        spec["value_labels"] = built.value_labels
    if built.personal:
        spec["personal_data"] = built.personal
    return spec


class _Built:
    """The sections as they are filled, question by question."""

    def __init__(self) -> None:
        self.scales: dict[str, Any] = {}
        self.groups: list[dict[str, Any]] = []
        self.items: list[dict[str, Any]] = []
        self.respondent: dict[str, str] = {}
        self.fields: dict[str, Any] = {}
        self.value_labels: dict[str, dict[str, str]] = {}
        self.personal: list[dict[str, str]] = []
        self.group_labels: dict[str, tuple[str, str]] = {}


def _parse(source: Path) -> dict[str, Any]:
    from pyxform.xls2json import parse_file_to_json

    if not source.is_file():
        raise InputError("file not found", file=source)
    try:
        return parse_file_to_json(str(source), warnings=[])
    except Exception as err:  # pyxform raises its own and openpyxl's errors
        message = " ".join(str(err).split()) or type(err).__name__
        raise InputError(f"not a valid XLSForm: {message}", file=source) from None


def _language(tree: dict[str, Any]) -> tuple[str | None, str | None]:
    """The keys of the Vietnamese and English labels (None: the only or default label)."""
    keys: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            label = node.get("label")
            if isinstance(label, dict):
                keys.update(label)
            choices = node.get("choices") or []
            if isinstance(choices, dict):  # the survey's own table: list name -> choices
                choices = [c for options in choices.values() for c in options]
            for child in [*(node.get("children") or []), *choices]:
                collect(child)

    collect(tree)
    default = tree.get("default_language")
    vi = next(
        (k for k in keys if "(vi)" in k or fold(k).startswith(("vietnam", "tieng viet"))),
        default if default in keys else None,
    )
    en = next((k for k in keys if "(en)" in k or fold(k).startswith("english")), None)
    return vi, en


def _text(label: Any, language: tuple[str | None, str | None]) -> tuple[str, str]:
    if isinstance(label, str):
        return label.strip(), ""
    if not isinstance(label, dict) or not label:
        return "", ""
    vi_key, en_key = language
    vi = label.get(vi_key) if vi_key else None
    vi = vi or label.get("default") or next(iter(label.values()))
    en = label.get(en_key, "") if en_key else ""
    return str(vi).strip(), str(en or "").strip()


def _questions(
    children: list[dict[str, Any]], path: list[tuple[str, tuple[str, str]]], language: Any
) -> Iterator[dict[str, Any]]:
    """Every question in form order with its group path, labels and choices."""
    for child in children:
        kind = str(child.get("type", ""))
        name = str(child.get("name", ""))
        if kind in ("group", "repeat"):
            label = _text(child.get("label"), language)
            yield from _questions(child.get("children", []), [*path, (name, label)], language)
            continue
        if kind in _SKIPPED_TYPES or not name or name == "meta":
            continue
        yield {
            "name": name,
            "type": kind,
            "label": _text(child.get("label"), language),
            "path": path,
            "bind": child.get("bind") or {},
            "list": child.get("list_name") or child.get("itemset"),
            "choices": [
                {"name": str(c.get("name")), "label": _text(c.get("label"), language)}
                for c in child.get("choices") or []
            ],
        }


def _column(question: dict[str, Any], columns: list[str] | None) -> str:
    """The question's column in the export: its group path (``group/name`` as Kobo writes
    it, ``group-name`` as ODK Central does), its name, or its label (a labels export)."""
    parts = [*(name for name, _ in question["path"]), question["name"]]
    grouped = "/".join(parts)  # KoboToolbox; ODK Central joins groups with "-"
    if columns is None:
        return grouped if question["path"] else question["name"]
    for candidate in (grouped, "-".join(parts), question["name"], question["label"][0]):
        if candidate in columns:
            return candidate
    return grouped if question["path"] else question["name"]


def _add_question(
    question: dict[str, Any],
    column: str,
    guess: Any,
    questions: list[dict[str, Any]],
    built: _Built,
    notes: list[str],
) -> None:
    name, kind = question["name"], question["type"]
    role = guess.role_of(name)
    for key in ("constraint", "relevant"):
        if question["bind"].get(key):
            notes.append(f"{name}: {key} {question['bind'][key]!r} (kept as a note)")
    if name in guess.personal:
        built.personal.append({"column": column, "action": guess.personal[name]})
        return
    if role == "province" and kind == "select one":
        built.respondent["province"] = column
        built.value_labels[column] = {c["name"]: c["label"][0] for c in question["choices"]}
        return
    if role == "field" and kind == "select one":
        built.fields = _field_section(question, column, questions, notes)
        return
    item: dict[str, Any] = {"id": name}
    if column != name:
        item["column"] = column
    item["text"] = _label_spec(question["label"]) if question["label"][0] else {"vi": name}
    if kind in ("select one", "select all that apply", "select multiple"):
        scale_id, likert = _scale(question, built)
        multiple = kind != "select one"
        item["type"] = "multiple" if multiple else ("likert" if likert else "single")
        item["scale"] = scale_id
        if multiple:
            item["separator"] = " "
    elif kind in ("integer", "decimal", "range"):
        item["type"] = "numeric"
        item |= _bounds(question["bind"].get("constraint", ""))
    elif kind in ("date", "datetime"):
        item["type"] = "date"
    else:
        item["type"] = "text"
    item["role"] = _item_role(item, role, name)
    if role in ("sex", "age") and item["role"] == "respondent":
        built.respondent[role] = column
    if question["path"] and item["role"] == "criterion":
        group_name, label = question["path"][-1]
        item["group"] = group_name
        built.group_labels.setdefault(group_name, label)
    built.items.append(item)


def _item_role(item: dict[str, Any], role: str | None, name: str) -> str:
    if role == "overall" and item["type"] == "likert":
        return "overall"
    if role in ("sex", "age"):
        return "respondent"
    if item["type"] == "likert":
        return "criterion"
    if item["type"] == "text" and re.match(r"^(?:y_?kien|gop_?y|comment|ghi_?chu)", name):
        return "comment"
    return "other"


def _label_spec(label: tuple[str, str]) -> dict[str, str]:
    return {"vi": label[0]} | ({"en": label[1]} if label[1] else {})


def _scale(question: dict[str, Any], built: _Built) -> tuple[str, bool]:
    """The scale of a select list (shared by every question on the list)."""
    scale_id = slug(question["list"] or question["name"]) or "scale"
    if scale_id in built.scales:
        return scale_id, "satisfied" in built.scales[scale_id]
    choices = question["choices"]
    numeric = all(re.fullmatch(r"-?\d+", c["name"]) for c in choices)
    levels, missing = [], []
    for position, choice in enumerate(choices, start=1):
        code = int(choice["name"]) if numeric else position
        entry: dict[str, Any] = {"code": code, "label": _label_spec(choice["label"])}
        if not numeric:
            entry["variants"] = [choice["name"]]
        reason = _missing_reason(choice["label"][0])
        if reason != "other":
            missing.append(entry | {"reason": reason})
        else:
            levels.append(entry)
    scale: dict[str, Any] = {"levels": levels}
    partition = (
        _satisfaction_partition({e["code"]: e["label"]["vi"] for e in levels})
        if 3 <= len(levels) <= 5
        else None
    )
    if partition is not None:
        scale["satisfied"], scale["neutral"], scale["dissatisfied"] = partition
        scale["neutral_in_denominator"] = True
    if missing:
        scale["missing"] = missing
    scale["ordered"] = partition is not None
    built.scales[scale_id] = scale
    return scale_id, partition is not None


def _field_section(
    question: dict[str, Any], column: str, questions: list[dict[str, Any]], notes: list[str]
) -> dict[str, Any]:
    """`fields:` from the field's choice list; "other" + its specify question -> `other`."""
    terms, other = [], None
    for choice in question["choices"]:
        if _OTHER_CHOICE.match(slug(choice["name"])):
            other = choice["name"]
            continue
        terms.append(
            {
                "code": slug(choice["name"]),
                "label": _label_spec(choice["label"]),
                "synonyms": [choice["name"]],
            }
        )
    section: dict[str, Any] = {"column": column, "vocabulary": terms}
    if other is not None:
        reference = "${" + question["name"] + "}"
        specify = next(
            (
                q
                for q in questions
                if q["type"] == "text" and reference in str(q["bind"].get("relevant", ""))
            ),
            None,
        )
        if specify is not None:
            grouped = "/".join([*(n for n, _ in specify["path"]), specify["name"]])
            section["other"] = {
                "code": other,
                "column": grouped if specify["path"] else specify["name"],
            }
            notes.append(
                f"{question['name']}: the answer {other!r} is replaced by what "
                f"{specify['name']} specifies"
            )
    return section


def _bounds(constraint: str) -> dict[str, float | int]:
    """min/max from a constraint such as ". >= 18 and . <= 100"."""
    bounds: dict[str, float | int] = {}
    for operator, number in _BOUND.findall(constraint or ""):
        value: float | int = float(number) if "." in number else int(number)
        bounds["min" if operator.startswith(">") else "max"] = value
    return bounds


def _year(export: Any, notes: list[str]) -> int:
    """The year most answers were submitted (Kobo's _submission_time, ODK's start)."""
    import datetime as dt

    if export is not None:
        for column in ("_submission_time", "SubmissionDate", "start", "today"):
            if column in export.columns:
                years = export.frame[column].astype("string").str.extract(r"(\d{4})")[0]
                if years.notna().any():
                    return int(years.mode().iloc[0])
    year = dt.date.today().year
    notes.append(f"year: {year} (no submission time in the data; set the survey's year)")
    return year


def _name_groups(built: _Built, notes: list[str]) -> None:
    """Element groups from the form's groups that hold criteria; ids apart from item ids."""
    item_ids = {item["id"] for item in built.items}
    renamed: dict[str, str] = {}
    for group, label in built.group_labels.items():
        group_id = group if group not in item_ids else f"{group}_nhom"
        if group_id != group:
            notes.append(f"group {group!r} shares its name with an item: renamed {group_id!r}")
        renamed[group] = group_id
        built.groups.append({"id": group_id, "kind": "element", "label": _label_spec(label)})
    for item in built.items:
        if "group" in item:
            item["group"] = renamed[item["group"]]
