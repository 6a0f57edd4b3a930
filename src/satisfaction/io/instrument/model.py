"""The questionnaire's parts as frozen dataclasses, and the values their fields allow.

`Instrument` holds scales, items, groups, the field vocabulary, respondent and design
columns, personal data, quality thresholds and where the data is; every object is
immutable. The allowed values (item types, roles, reasons, actions) are checked by the
builder (`satisfaction.io.instrument.builder`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DESIGN_ROLES",
    "DOMAIN_DF_RULES",
    "GEOGRAPHIES",
    "ITEM_ROLES",
    "ITEM_TYPES",
    "LONELY_PSU_RULES",
    "MISSING_REASONS",
    "PERSONAL_ACTIONS",
    "REPLICATE_METHODS",
    "RESPONDENT_ROLES",
    "SAMPLE_KINDS",
    "UNIT_ROLES",
    "DataSource",
    "DesignRules",
    "FieldTerm",
    "FieldVocabulary",
    "Group",
    "Instrument",
    "Item",
    "Label",
    "MissingCode",
    "PersonalColumn",
    "QualityRules",
    "ReplicateColumns",
    "Sample",
    "SampleMargins",
    "Scale",
    "ScaleLevel",
]

# The values the builder accepts for item types and roles, geographies, missing-code
# reasons, personal-data actions, and respondent and design column roles.
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
PERSONAL_ACTIONS = ("drop", "hash", "scrub", "keep")
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
    "agency",
)
#: Respondent roles a report can be made per (``satisfaction batch --by``), in the order the
#: default is chosen: the first one the instrument declares.
UNIT_ROLES = ("province", "commune", "district", "agency", "respondent_group")
#: Kinds of sample (shared/domain.md section 6): what each may claim is in
#: `satisfaction.studies.kinds`.
SAMPLE_KINDS = ("probability", "quota", "convenience", "census")
DESIGN_ROLES = ("weight", "strata", "psu", "ssu", "fpc", "fpc2")
# R survey's options(survey.lonely.psu=) values; how a domain's df is counted; the kinds
# of replicate weights (R's svrepdesign type=, "successive-difference" is the ACS's).
LONELY_PSU_RULES = ("fail", "remove", "certainty", "adjust", "average")
DOMAIN_DF_RULES = ("rows", "answered")
REPLICATE_METHODS = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "successive-difference", "other")


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
    short: Label | None = None

    @property
    def source_column(self) -> str:
        """The column name in the raw response file (defaults to the item id)."""
        return self.column or self.id

    def short_text(self, language: str = "vi") -> str:
        """The short label charts use (a few words), else the full text."""
        if self.short is not None and self.short.get(language):
            return self.short.get(language)
        return self.text.get(language)


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
    other_code: str | None = None  # the answer meaning "other, specify" ...
    other_column: str | None = None  # ... and the column holding what was specified

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
class ReplicateColumns:
    """Replicate weights delivered with the data (R's `svrepdesign(repweights=, type=)`):
    the columns, the method that made them and its variance constants (None: the
    method's default)."""

    columns: tuple[str, ...]
    method: str
    scale: float | None = None
    rscales: tuple[float, ...] | None = None
    rho: float | None = None
    mse: bool = False


@dataclass(frozen=True)
class DesignRules:
    """The variance rules the `design:` block declares beside its columns.

    `lonely_psu` (R's survey.lonely.psu; "adjust" unless declared, so that a report never
    stops on a stratum with one cluster -- every report states the rule),
    `adjust_domain_lonely` (R's survey.adjust.domain.lonely), `domain_df` ("rows": R's
    df of a domain; "answered": the PSUs answering the item) and supplied `replicates`.
    """

    lonely_psu: str = "adjust"
    adjust_domain_lonely: bool = False
    domain_df: str = "rows"
    replicates: ReplicateColumns | None = None


@dataclass(frozen=True)
class SampleMargins:
    """Population counts of the quota variables, and where they come from.

    ``counts`` maps a quota variable (a respondent role) to {category: population count};
    a category is a label of the role's scale, a code of it, or the text in the data.
    """

    source: Label
    counts: Mapping[str, Mapping[str, float]]


@dataclass(frozen=True)
class Sample:
    """How the respondents were found: the kind of sample decides what results may claim.

    ``declared`` is False when the instrument has no ``sample:`` block and the kind was
    assumed (a ``design:`` block: probability; none: convenience) -- every output says so.
    ``quota`` names the quota variables (respondent roles) of a quota sample; ``margins``,
    when given, lets pooled figures be raked to the population. ``channel`` and ``period``
    say how and when answers came (self-selected samples); ``population`` what a census
    counted in full.
    """

    kind: str
    declared: bool = True
    quota: tuple[str, ...] = ()
    margins: SampleMargins | None = None
    channel: Label | None = None
    period: str = ""
    population: Label | None = None


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
    value_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    source: Path | None = None
    extends: tuple[Path, ...] = ()
    sample: Sample | None = None
    design_rules: DesignRules = field(default_factory=DesignRules)

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
    def study(self) -> Sample:
        """The sample as declared, or as assumed: a design means probability, none
        convenience (``declared`` is then False)."""
        if self.sample is not None:
            return self.sample
        return Sample(kind="probability" if self.design else "convenience", declared=False)

    def unit_roles(self) -> list[str]:
        """The reporting-unit roles this instrument declares, in `UNIT_ROLES` order."""
        return [role for role in UNIT_ROLES if role in self.respondent]

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
            if self.fields.other_column:
                columns.append(self.fields.other_column)
        columns += list(self.respondent.values())
        columns += list(self.design.values())
        if self.design_rules.replicates is not None:
            columns += list(self.design_rules.replicates.columns)
        columns += self.personal_columns
        seen: dict[str, None] = {}
        for column in columns:
            seen.setdefault(column, None)
        return list(seen)
