"""The questionnaire as data: scales, items, groups, fields, respondent, design and personal data.

An `Instrument` is loaded from `surveys/<survey>/instrument.yaml` (or built from an SPSS
dictionary) and is immutable. Every later step -- cleaning, indices, reports -- reads the
instrument instead of hard-wiring SIPAS, so a 3- or 4-level local form, a PAPI-style survey
or a one-stop-shop rating sheet all go through the same code. Validation reports every
problem at once, each naming the file and the key path (``items[12].scale``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from satisfaction.errors import InstrumentError, Problem

__all__ = [
    "DataSource",
    "FieldTerm",
    "FieldVocabulary",
    "Group",
    "Instrument",
    "Item",
    "Label",
    "MissingCode",
    "PersonalColumn",
    "QualityRules",
    "Scale",
    "ScaleLevel",
    "instrument_from_dict",
    "load_instrument",
]

ITEM_TYPES = ("likert", "single", "multiple", "numeric", "text", "date")
ITEM_ROLES = (
    "criterion",
    "element_satisfaction",
    "overall",
    "expectation",
    "respondent",
    "comment",
    "other",
)
GEOGRAPHIES = ("historical_63", "current_34")
MISSING_REASONS = ("dont_know", "refused", "not_applicable", "blank", "other")
PERSONAL_ACTIONS = ("drop", "hash", "scrub")
RESPONDENT_ROLES = (
    "province",
    "district",
    "commune",
    "sex",
    "age",
    "age_band",
    "ethnicity",
    "respondent_group",
    "urban_rural",
    "interviewer",
    "interview_date",
)
DESIGN_ROLES = ("weight", "strata", "psu", "ssu", "fpc", "fpc2")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Label:
    """A text in Vietnamese and English; Vietnamese is the default language of outputs."""

    vi: str
    en: str = ""

    def get(self, language: str = "vi") -> str:
        """The label in `language`, falling back to the other one when empty."""
        if language == "en":
            return self.en or self.vi
        return self.vi or self.en


@dataclass(frozen=True)
class ScaleLevel:
    """One answer option: its code, its label, and label spellings accepted as that code."""

    code: int
    label: Label
    variants: tuple[str, ...] = ()
    group: str | None = None


@dataclass(frozen=True)
class MissingCode:
    """A code that means 'no valid answer', with the reason kept in the cleaning log."""

    code: int
    label: Label
    reason: str
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scale:
    """An ordered answer scale with its satisfied / neutral / dissatisfied partition.

    `neutral_in_denominator` declares whether neutral answers count among valid answers when
    computing the satisfied share (SIPAS: yes; some local forms: no) -- it must be declared
    per instrument, never assumed.
    """

    id: str
    levels: tuple[ScaleLevel, ...]
    satisfied: frozenset[int] = frozenset()
    neutral: frozenset[int] = frozenset()
    dissatisfied: frozenset[int] = frozenset()
    missing: tuple[MissingCode, ...] = ()
    ordered: bool = True
    neutral_in_denominator: bool = True

    @property
    def codes(self) -> tuple[int, ...]:
        """Valid answer codes in scale order."""
        return tuple(level.code for level in self.levels)

    @property
    def missing_codes(self) -> dict[int, MissingCode]:
        return {m.code: m for m in self.missing}

    def level(self, code: int) -> ScaleLevel:
        for level in self.levels:
            if level.code == code:
                return level
        raise KeyError(code)

    def labels(self, language: str = "vi") -> dict[int, str]:
        """Code -> label text, in scale order."""
        return {level.code: level.label.get(language) for level in self.levels}


@dataclass(frozen=True)
class Item:
    """One question (one column of the response file, or one column per choice)."""

    id: str
    text: Label
    type: str
    scale: str | None = None
    group: str | None = None
    role: str = "other"
    column: str | None = None
    separator: str = ";"
    min: float | None = None
    max: float | None = None
    width: int | None = None

    @property
    def source_column(self) -> str:
        """The column name in the raw response file (defaults to the item id)."""
        return self.column or self.id


@dataclass(frozen=True)
class Group:
    """A set of items reported together: a SIPAS element, a PAPI dimension, ..."""

    id: str
    label: Label
    kind: str = "element"


@dataclass(frozen=True)
class FieldTerm:
    """One field (lĩnh vực) of administrative services, with the spellings that mean it."""

    code: str
    label: Label
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldVocabulary:
    """The field column and its controlled vocabulary."""

    column: str
    terms: tuple[FieldTerm, ...]

    def labels(self, language: str = "vi") -> dict[str, str]:
        return {term.code: term.label.get(language) for term in self.terms}


@dataclass(frozen=True)
class PersonalColumn:
    """A column holding personal data and what cleaning does with it."""

    column: str
    action: str = "drop"


@dataclass(frozen=True)
class QualityRules:
    """Thresholds of the data-quality flags (documented in docs of `clean`)."""

    straightlining_group_role: str = "criterion"
    straightlining_min_answered: int = 10
    near_duplicate_max_differences: int = 1
    near_duplicate_min_compared: int = 20


@dataclass(frozen=True)
class DataSource:
    """Where the raw responses are and how to read them."""

    file: str
    sheet: str | None = None
    header_row: int | None = None
    encoding: str | None = None


@dataclass(frozen=True)
class Instrument:
    """An immutable, validated questionnaire definition.

    Build it with `load_instrument(path)` or `instrument_from_dict(mapping)`.
    """

    id: str
    title: Label
    version: str
    year: int | None
    geography: str
    legal_basis: str
    id_column: str
    scales: Mapping[str, Scale]
    items: tuple[Item, ...]
    groups: tuple[Group, ...]
    fields: FieldVocabulary | None
    respondent: Mapping[str, str]
    design: Mapping[str, str]
    personal_data: tuple[PersonalColumn, ...]
    quality: QualityRules = field(default_factory=QualityRules)
    data: DataSource | None = None
    salt: str = ""
    source: Path | None = None
    extends: tuple[Path, ...] = ()

    # ------------------------------------------------------------------ lookups
    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def group(self, group_id: str) -> Group:
        for group in self.groups:
            if group.id == group_id:
                return group
        raise KeyError(group_id)

    def items_with(self, *, role: str | None = None, group: str | None = None) -> list[Item]:
        """Items filtered by role and/or group, in questionnaire order."""
        return [
            item
            for item in self.items
            if (role is None or item.role == role) and (group is None or item.group == group)
        ]

    def scale_of(self, item: Item | str) -> Scale:
        item = self.item(item) if isinstance(item, str) else item
        if item.scale is None:
            raise KeyError(f"item {item.id!r} has no scale")
        return self.scales[item.scale]

    @property
    def criteria(self) -> list[Item]:
        return self.items_with(role="criterion")

    @property
    def personal_columns(self) -> list[str]:
        return [p.column for p in self.personal_data]

    def expected_columns(self) -> list[str]:
        """Every raw column the instrument names (items, fields, respondent, design, id)."""
        columns: list[str] = [self.id_column]
        columns += [item.source_column for item in self.items]
        if self.fields is not None:
            columns.append(self.fields.column)
        columns += list(self.respondent.values())
        columns += list(self.design.values())
        columns += self.personal_columns
        seen: dict[str, None] = {}
        for column in columns:
            seen.setdefault(column, None)
        return list(seen)


# ---------------------------------------------------------------------- loading
def load_instrument(path: str | Path) -> Instrument:
    """Load and validate `instrument.yaml`; every problem is reported with its key path."""
    path = Path(path)
    if path.is_dir():
        path = path / "instrument.yaml"
    spec = _read_yaml(path)
    seen = [path.resolve()]
    while isinstance(spec, dict) and "extends" in spec:
        base_ref = spec.pop("extends")
        if not isinstance(base_ref, str):
            raise InstrumentError(
                "must be a path to another instrument.yaml", file=path, key="extends"
            )
        base_path = (seen[-1].parent / base_ref).resolve()
        if base_path in seen:
            raise InstrumentError(
                f"circular extends through {base_path}", file=path, key="extends"
            )
        seen.append(base_path)
        base = _read_yaml(base_path)
        if not isinstance(base, dict):
            raise InstrumentError("base instrument is not a mapping", file=base_path)
        spec = {**base, **spec}  # the child's top-level keys replace the base's
    instrument = instrument_from_dict(spec, source=path)
    # the files it extends: a change in any of them must make results stale
    return replace(instrument, extends=tuple(seen[1:]))


def _read_yaml(path: Path) -> Any:
    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise InstrumentError("instrument file not found", file=path) from None
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InstrumentError(
            f"not UTF-8 (byte {err.start}); save the instrument as UTF-8", file=path
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise InstrumentError(f"invalid YAML: {where}{problem}", file=path) from None


def instrument_from_dict(spec: Any, *, source: str | Path | None = None) -> Instrument:
    """Validate a parsed instrument mapping and build the `Instrument`."""
    builder = _Builder(source)
    instrument = builder.build(spec)
    if builder.problems:
        raise InstrumentError(problems=builder.problems)
    assert instrument is not None
    return instrument


class _Builder:
    """Walks the mapping, collecting located problems instead of stopping at the first."""

    def __init__(self, source: str | Path | None) -> None:
        self.source = Path(source) if source is not None else None
        self.problems: list[Problem] = []

    # -- helpers
    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(message, file=self.source, key=key))

    def mapping(self, value: Any, key: str, *, required: bool = True) -> dict[str, Any]:
        if value is None:
            if required:
                self.fail(key, "is required")
            return {}
        if not isinstance(value, Mapping):
            self.fail(key, f"must be a mapping, got {type(value).__name__}")
            return {}
        return dict(value)

    def sequence(self, value: Any, key: str, *, required: bool = True) -> list[Any]:
        if value is None:
            if required:
                self.fail(key, "is required")
            return []
        if not isinstance(value, list):
            self.fail(key, f"must be a list, got {type(value).__name__}")
            return []
        return value

    def text(self, value: Any, key: str, *, required: bool = True) -> str:
        if value is None or value == "":
            if required:
                self.fail(key, "is required")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(key, f"must be text, got {type(value).__name__}")
            return ""
        return _nfc(str(value).strip())

    def code(self, value: Any, key: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            self.fail(key, f"code must be a whole number, got {value!r}")
            return None
        try:
            return int(str(value).strip())
        except ValueError:
            self.fail(key, f"code must be a whole number, got {value!r}")
            return None

    def label(self, value: Any, key: str, *, required: bool = True) -> Label:
        if isinstance(value, str):
            return Label(vi=_nfc(value.strip()))
        spec = self.mapping(value, key, required=required)
        if not spec:
            return Label(vi="")
        unknown = set(spec) - {"vi", "en"}
        for name in sorted(unknown):
            self.fail(f"{key}.{name}", "unknown language (use vi and en)")
        return Label(
            vi=self.text(spec.get("vi"), f"{key}.vi", required=required),
            en=self.text(spec.get("en"), f"{key}.en", required=False),
        )

    def variants(self, value: Any, key: str) -> tuple[str, ...]:
        return tuple(
            self.text(v, f"{key}[{i}]")
            for i, v in enumerate(self.sequence(value, key, required=False))
        )

    def unknown_keys(self, spec: Mapping[str, Any], allowed: Iterable[str], key: str) -> None:
        for name in spec:
            if name not in allowed:
                prefix = f"{key}." if key else ""
                self.fail(f"{prefix}{name}", "unknown key")

    # -- sections
    def build(self, spec: Any) -> Instrument | None:
        top = self.mapping(spec, "(top level)")
        if not top:
            return None
        self.unknown_keys(
            top,
            (
                "id",
                "title",
                "version",
                "year",
                "geography",
                "legal_basis",
                "id_column",
                "scales",
                "items",
                "groups",
                "fields",
                "respondent",
                "design",
                "personal_data",
                "quality",
                "data",
                "salt",
            ),
            "",
        )
        scales = self.scales(top.get("scales"))
        groups = self.groups(top.get("groups"))
        items = self.items(top.get("items"), scales, groups)
        geography = self.text(top.get("geography"), "geography")
        if geography and geography not in GEOGRAPHIES:
            self.fail("geography", f"unknown geography {geography!r}; use one of {GEOGRAPHIES}")
        year = top.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            self.fail("year", f"must be a year such as 2025, got {year!r}")
            year = None
        return Instrument(
            id=self.text(top.get("id"), "id"),
            title=self.label(top.get("title"), "title"),
            version=self.text(top.get("version"), "version"),
            year=year,
            geography=geography,
            legal_basis=self.text(top.get("legal_basis"), "legal_basis", required=False),
            id_column=self.text(top.get("id_column"), "id_column"),
            scales=MappingProxyType(scales),
            items=tuple(items),
            groups=tuple(groups),
            fields=self.fields(top.get("fields")),
            respondent=MappingProxyType(
                self.roles(top.get("respondent"), "respondent", RESPONDENT_ROLES)
            ),
            design=MappingProxyType(self.roles(top.get("design"), "design", DESIGN_ROLES)),
            personal_data=self.personal(top.get("personal_data")),
            quality=self.quality(top.get("quality")),
            data=self.data(top.get("data")),
            salt=self.text(top.get("salt"), "salt", required=False),
            source=self.source,
        )

    def scales(self, value: Any) -> dict[str, Scale]:
        scales: dict[str, Scale] = {}
        for scale_id, spec in self.mapping(value, "scales").items():
            key = f"scales.{scale_id}"
            spec = self.mapping(spec, key)
            self.unknown_keys(
                spec,
                (
                    "levels",
                    "satisfied",
                    "neutral",
                    "dissatisfied",
                    "missing",
                    "ordered",
                    "neutral_in_denominator",
                ),
                key,
            )
            levels = []
            for i, level_spec in enumerate(self.sequence(spec.get("levels"), f"{key}.levels")):
                lkey = f"{key}.levels[{i}]"
                level_spec = self.mapping(level_spec, lkey)
                code = self.code(level_spec.get("code"), f"{lkey}.code")
                if code is None:
                    continue
                levels.append(
                    ScaleLevel(
                        code=code,
                        label=self.label(level_spec.get("label"), f"{lkey}.label"),
                        variants=self.variants(level_spec.get("variants"), f"{lkey}.variants"),
                        group=self.text(level_spec.get("group"), f"{lkey}.group", required=False)
                        or None,
                    )
                )
            codes = [level.code for level in levels]
            for code in {c for c in codes if codes.count(c) > 1}:
                self.fail(f"{key}.levels", f"code {code} appears more than once")
            if spec.get("levels") is not None and not 2 <= len(levels) <= 11:
                self.fail(f"{key}.levels", f"a scale needs 2 to 11 levels, got {len(levels)}")
            partition: dict[str, frozenset[int]] = {}
            for part in ("satisfied", "neutral", "dissatisfied"):
                members = []
                for j, raw in enumerate(
                    self.sequence(spec.get(part), f"{key}.{part}", required=False)
                ):
                    code = self.code(raw, f"{key}.{part}[{j}]")
                    if code is None:
                        continue
                    if code not in codes:
                        self.fail(
                            f"{key}.{part}[{j}]",
                            f"{part} code {code} is not a level of the scale {codes}",
                        )
                    members.append(code)
                partition[part] = frozenset(members)
            overlap = (
                (partition["satisfied"] & partition["neutral"])
                | (partition["satisfied"] & partition["dissatisfied"])
                | (partition["neutral"] & partition["dissatisfied"])
            )
            if overlap:
                self.fail(
                    key,
                    f"codes {sorted(overlap)} are in more than one of "
                    "satisfied / neutral / dissatisfied",
                )
            missing = []
            for j, m_spec in enumerate(
                self.sequence(spec.get("missing"), f"{key}.missing", required=False)
            ):
                mkey = f"{key}.missing[{j}]"
                m_spec = self.mapping(m_spec, mkey)
                code = self.code(m_spec.get("code"), f"{mkey}.code")
                reason = self.text(m_spec.get("reason"), f"{mkey}.reason")
                if reason and reason not in MISSING_REASONS:
                    self.fail(
                        f"{mkey}.reason", f"unknown reason {reason!r}; use {MISSING_REASONS}"
                    )
                if code is None:
                    continue
                if code in codes:
                    self.fail(f"{mkey}.code", f"missing code {code} is also a valid level")
                missing.append(
                    MissingCode(
                        code=code,
                        label=self.label(m_spec.get("label"), f"{mkey}.label"),
                        reason=reason,
                        variants=self.variants(m_spec.get("variants"), f"{mkey}.variants"),
                    )
                )
            scales[scale_id] = Scale(
                id=scale_id,
                levels=tuple(levels),
                satisfied=partition["satisfied"],
                neutral=partition["neutral"],
                dissatisfied=partition["dissatisfied"],
                missing=tuple(missing),
                ordered=bool(spec.get("ordered", True)),
                neutral_in_denominator=bool(spec.get("neutral_in_denominator", True)),
            )
        return scales

    def groups(self, value: Any) -> list[Group]:
        groups = []
        seen: set[str] = set()
        for i, spec in enumerate(self.sequence(value, "groups", required=False)):
            key = f"groups[{i}]"
            spec = self.mapping(spec, key)
            self.unknown_keys(spec, ("id", "label", "kind"), key)
            group_id = self.text(spec.get("id"), f"{key}.id")
            if group_id in seen:
                self.fail(f"{key}.id", f"duplicate group id {group_id!r}")
            seen.add(group_id)
            groups.append(
                Group(
                    id=group_id,
                    label=self.label(spec.get("label"), f"{key}.label"),
                    kind=self.text(spec.get("kind"), f"{key}.kind", required=False) or "element",
                )
            )
        return groups

    def items(self, value: Any, scales: Mapping[str, Scale], groups: list[Group]) -> list[Item]:
        items = []
        seen: set[str] = set()
        group_ids = {g.id for g in groups}
        for i, spec in enumerate(self.sequence(value, "items")):
            key = f"items[{i}]"
            spec = self.mapping(spec, key)
            self.unknown_keys(
                spec,
                (
                    "id",
                    "text",
                    "type",
                    "scale",
                    "group",
                    "role",
                    "column",
                    "separator",
                    "min",
                    "max",
                    "width",
                ),
                key,
            )
            item_id = self.text(spec.get("id"), f"{key}.id")
            if item_id in seen:
                self.fail(f"{key}.id", f"duplicate item id {item_id!r}")
            seen.add(item_id)
            item_type = self.text(spec.get("type"), f"{key}.type")
            if item_type and item_type not in ITEM_TYPES:
                self.fail(f"{key}.type", f"unknown type {item_type!r}; use one of {ITEM_TYPES}")
            scale = self.text(spec.get("scale"), f"{key}.scale", required=False) or None
            if item_type in ("likert", "single", "multiple") and scale is None:
                self.fail(f"{key}.scale", f"a {item_type} item needs a scale")
            if scale is not None and scale not in scales:
                known = ", ".join(sorted(scales)) or "none declared"
                self.fail(f"{key}.scale", f"unknown scale {scale!r} (known: {known})")
            group = self.text(spec.get("group"), f"{key}.group", required=False) or None
            if group is not None and group not in group_ids:
                self.fail(f"{key}.group", f"unknown group {group!r}")
            role = self.text(spec.get("role"), f"{key}.role", required=False) or "other"
            if role not in ITEM_ROLES:
                self.fail(f"{key}.role", f"unknown role {role!r}; use one of {ITEM_ROLES}")
            bounds = {}
            for bound in ("min", "max"):
                raw = spec.get(bound)
                if raw is not None and (
                    isinstance(raw, bool) or not isinstance(raw, (int, float))
                ):
                    self.fail(f"{key}.{bound}", f"must be a number, got {raw!r}")
                    raw = None
                bounds[bound] = raw
            width = spec.get("width")
            if width is not None and (isinstance(width, bool) or not isinstance(width, int)):
                self.fail(f"{key}.width", f"must be a whole number, got {width!r}")
                width = None
            items.append(
                Item(
                    id=item_id,
                    text=self.label(spec.get("text"), f"{key}.text", required=False),
                    type=item_type,
                    scale=scale,
                    group=group,
                    role=role,
                    column=self.text(spec.get("column"), f"{key}.column", required=False) or None,
                    separator=str(spec.get("separator", ";")),
                    min=bounds["min"],
                    max=bounds["max"],
                    width=width,
                )
            )
        columns = [item.column or item.id for item in items]
        for column in {c for c in columns if columns.count(c) > 1}:
            self.fail("items", f"column {column!r} is used by more than one item")
        return items

    def fields(self, value: Any) -> FieldVocabulary | None:
        if value is None:
            return None
        spec = self.mapping(value, "fields")
        self.unknown_keys(spec, ("column", "vocabulary"), "fields")
        terms = []
        seen_codes: set[str] = set()
        for i, t_spec in enumerate(self.sequence(spec.get("vocabulary"), "fields.vocabulary")):
            key = f"fields.vocabulary[{i}]"
            t_spec = self.mapping(t_spec, key)
            self.unknown_keys(t_spec, ("code", "label", "synonyms"), key)
            code = self.text(t_spec.get("code"), f"{key}.code")
            if code in seen_codes:
                self.fail(f"{key}.code", f"duplicate field code {code!r}")
            seen_codes.add(code)
            terms.append(
                FieldTerm(
                    code=code,
                    label=self.label(t_spec.get("label"), f"{key}.label"),
                    synonyms=self.variants(t_spec.get("synonyms"), f"{key}.synonyms"),
                )
            )
        return FieldVocabulary(
            column=self.text(spec.get("column"), "fields.column"), terms=tuple(terms)
        )

    def roles(self, value: Any, key: str, allowed: tuple[str, ...]) -> dict[str, str]:
        spec = self.mapping(value, key, required=False)
        roles = {}
        for role, column in spec.items():
            if role not in allowed:
                self.fail(f"{key}.{role}", f"unknown role; use one of {allowed}")
                continue
            if column is None:
                continue
            roles[role] = self.text(column, f"{key}.{role}")
        return roles

    def personal(self, value: Any) -> tuple[PersonalColumn, ...]:
        columns = []
        for i, spec in enumerate(self.sequence(value, "personal_data", required=False)):
            key = f"personal_data[{i}]"
            if isinstance(spec, str):
                spec = {"column": spec}
            spec = self.mapping(spec, key)
            self.unknown_keys(spec, ("column", "action"), key)
            action = self.text(spec.get("action"), f"{key}.action", required=False) or "drop"
            if action not in PERSONAL_ACTIONS:
                self.fail(f"{key}.action", f"unknown action {action!r}; use {PERSONAL_ACTIONS}")
            columns.append(PersonalColumn(self.text(spec.get("column"), f"{key}.column"), action))
        return tuple(columns)

    def quality(self, value: Any) -> QualityRules:
        spec = self.mapping(value, "quality", required=False)
        defaults = QualityRules()
        allowed = set(QualityRules.__dataclass_fields__)
        self.unknown_keys(spec, allowed, "quality")
        values: dict[str, Any] = {}
        for name in allowed & set(spec):
            default = getattr(defaults, name)
            raw = spec[name]
            if isinstance(default, int) and (isinstance(raw, bool) or not isinstance(raw, int)):
                self.fail(f"quality.{name}", f"must be a whole number, got {raw!r}")
                continue
            values[name] = raw
        return QualityRules(**values)

    def data(self, value: Any) -> DataSource | None:
        if value is None:
            return None
        spec = self.mapping(value, "data")
        self.unknown_keys(spec, ("file", "sheet", "header_row", "encoding"), "data")
        header_row = spec.get("header_row")
        if header_row is not None and (
            isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1
        ):
            self.fail("data.header_row", f"must be a row number from 1, got {header_row!r}")
            header_row = None
        return DataSource(
            file=self.text(spec.get("file"), "data.file"),
            sheet=self.text(spec.get("sheet"), "data.sheet", required=False) or None,
            header_row=header_row,
            encoding=self.text(spec.get("encoding"), "data.encoding", required=False) or None,
        )
