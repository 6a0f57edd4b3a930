"""Plain words for leader-facing outputs: how the numbers were made, and why a cell is flagged.

One place turns declared facts into sentences a provincial leader reads, in one language:

* :class:`MethodFacts` holds what an output must state (the kind of study, the design, the
  index rules, the geography, the interval method and level, the rule for a stratum with a
  single PSU); :func:`facts_from_meta` reads them from the metadata written beside the
  estimates.
* :func:`method_sentences` writes the method note, one sentence per fact. The kind of study
  decides the first sentence and whether intervals are inference or only a reference:
  :data:`STUDY_KINDS` maps a kind to its sentence writer, so a new kind (quota, convenience,
  census of records) plugs in by adding one entry.
* :func:`reliability_reasons` says in words why estimates are flagged (the codes of
  ``reliability_note`` such as ``"CI width >= 0.3"`` never reach a reader).

Nothing here names a rule code, a column, a path or a module: the codes are looked up and an
unknown one falls back to a generic phrase.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from satisfaction.present.formatting import Language, _words, format_number
from satisfaction.studies import kinds

__all__ = [
    "STUDY_KINDS",
    "MethodFacts",
    "comparison_words",
    "facts_from_meta",
    "index_rule_words",
    "method_note",
    "method_sentences",
    "reliability_reasons",
    "reliability_text",
]

# --------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodFacts:
    """What an output states about how its numbers were made (all optional but the kind).

    ``kind``: a key of :data:`STUDY_KINDS` ("probability" for a sample drawn with a design);
    ``weighted``/``stratified``/``clustered``: the design's roles; ``element_rule`` and
    ``overall_rule``: the index rules (codes of ``studies.indices``); ``geography``:
    "current_34" or "historical_63"; ``interval``: the CI method ("logit", "beta", "wilson",
    "wald", "xlogit"); ``level``: 0.95; ``lonely_psu``: the rule for a stratum with one PSU,
    when known; ``adjust``: the multiple-comparison method ("holm", "fdr_bh"); ``min_n``.
    """

    kind: str = "probability"
    weighted: bool = False
    stratified: bool = False
    clustered: bool = False
    element_rule: str | None = None
    overall_rule: str | None = None
    geography: str | None = None
    interval: str | None = None
    level: float = 0.95
    lonely_psu: str | None = None
    adjust: str | None = None
    min_n: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def _design_roles(meta: Mapping[str, Any]) -> dict[str, str]:
    roles = meta.get("design_roles")
    if isinstance(roles, Mapping):
        return {str(k): str(v) for k, v in roles.items() if v}
    text = str(meta.get("design") or "")
    return dict(re.findall(r"(\w+)=([^,\s]+)", text))


def facts_from_meta(meta: Mapping[str, Any]) -> MethodFacts:
    """The facts of the metadata written beside the estimates (``Estimates.meta``)."""
    options = meta.get("options") or {}
    roles = _design_roles(meta)
    study = meta.get("study") or {}
    return MethodFacts(
        kind=str(study.get("kind") or meta.get("study_kind") or "probability"),
        weighted="weight" in roles,
        stratified="strata" in roles,
        clustered="psu" in roles,
        element_rule=meta.get("element_rule") or options.get("element_rule"),
        overall_rule=meta.get("overall_rule") or options.get("overall_rule"),
        geography=meta.get("geography"),
        interval=options.get("method"),
        level=float(options.get("level", 0.95)),
        lonely_psu=meta.get("lonely_psu"),
        adjust=options.get("adjust"),
        min_n=options.get("min_n"),
        extra={key: meta[key] for key in ("study", "lonely_psu_note") if meta.get(key)},
    )


# --------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------

_ELEMENT_RULES = {
    "vi": {
        "mean_of_criteria": "trung bình cộng chỉ số các tiêu chí của yếu tố",
        "pooled": "số câu trả lời hài lòng chia cho số câu trả lời hợp lệ của mọi tiêu chí "
        "trong yếu tố",
        "respondent_mean": "trung bình theo người trả lời của tỷ lệ tiêu chí họ hài lòng",
        "element_question": "tỷ lệ hài lòng ở câu hỏi chung của yếu tố",
    },
    "en": {
        "mean_of_criteria": "the mean of the element's criterion indices",
        "pooled": "satisfied answers over valid answers across the element's criteria",
        "respondent_mean": "the mean over respondents of the share of criteria they are "
        "satisfied with",
        "element_question": "the satisfied share on the element's own question",
    },
}
_OVERALL_RULES = {
    "vi": {
        "mean_of_elements": "trung bình cộng chỉ số các yếu tố",
        "mean_of_criteria": "trung bình cộng chỉ số mọi tiêu chí",
        "respondent_mean": "trung bình theo người trả lời của tỷ lệ tiêu chí họ hài lòng",
        "overall_question": "tỷ lệ hài lòng ở câu hỏi hài lòng chung",
    },
    "en": {
        "mean_of_elements": "the mean of the element indices",
        "mean_of_criteria": "the mean of all criterion indices",
        "respondent_mean": "the mean over respondents of the share of criteria they are "
        "satisfied with",
        "overall_question": "the satisfied share on the overall satisfaction question",
    },
}
_GEOGRAPHY = {
    "vi": {
        "current_34": "34 tỉnh, thành phố sau sắp xếp từ 01/7/2025 (số liệu của tỉnh cũ được "
        "tính vào tỉnh mới)",
        "historical_63": "63 tỉnh, thành phố trước ngày 01/7/2025",
    },
    "en": {
        "current_34": "the 34 provinces in force from 1 July 2025 (data of a merged province "
        "count in the province it belongs to today)",
        "historical_63": "the 63 provinces in force until 30 June 2025",
    },
}
_INTERVALS = {
    "vi": {
        "logit": "tính trên thang logit nên luôn nằm trong khoảng 0–100%",
        "xlogit": "tính trên thang logit nên luôn nằm trong khoảng 0–100%",
        "beta": "theo phương pháp Korn–Graubard (phù hợp khi tỷ lệ gần 0% hoặc 100%)",
        "wilson": "theo phương pháp Wilson",
        "wald": "theo phân phối chuẩn (Wald)",
    },
    "en": {
        "logit": "computed on the logit scale, so it always stays within 0–100%",
        "xlogit": "computed on the logit scale, so it always stays within 0–100%",
        "beta": "by the Korn–Graubard method (suited to shares near 0% or 100%)",
        "wilson": "by the Wilson method",
        "wald": "from the normal approximation (Wald)",
    },
}
_LONELY_PSU = {
    "vi": {
        "adjust": "tầng chỉ có một đơn vị mẫu được tính sai số so với giá trị chung",
        "average": "tầng chỉ có một đơn vị mẫu nhận sai số trung bình của các tầng khác",
        "remove": "tầng chỉ có một đơn vị mẫu không góp vào sai số",
        "certainty": "tầng chỉ có một đơn vị mẫu được coi là chọn toàn bộ",
    },
    "en": {
        "adjust": "a stratum with a single sampled unit is centred on the overall mean",
        "average": "a stratum with a single sampled unit takes the average variance of the others",
        "remove": "a stratum with a single sampled unit adds no variance",
        "certainty": "a stratum with a single sampled unit is treated as taken in full",
    },
}
_ADJUST = {"holm": "Holm", "fdr_bh": "Benjamini–Hochberg"}


def index_rule_words(facts: MethodFacts, language: Language = "vi") -> str:
    """One sentence: how the element and overall indices are made from the criteria."""
    _words(language)
    element = _ELEMENT_RULES[language].get(str(facts.element_rule))
    overall = _OVERALL_RULES[language].get(str(facts.overall_rule))
    if language == "vi":
        parts = ["Chỉ số tiêu chí là tỷ lệ người trả lời hài lòng hoặc rất hài lòng"]
        if element:
            parts.append(f"chỉ số yếu tố là {element}")
        if overall:
            parts.append(f"chỉ số hài lòng chung là {overall}")
        return "; ".join(parts) + "."
    parts = ["A criterion index is the share answering satisfied or very satisfied"]
    if element:
        parts.append(f"an element index is {element}")
    if overall:
        parts.append(f"the overall index is {overall}")
    return "; ".join(parts) + "."


def _probability(facts: MethodFacts, language: Language) -> list[str]:
    """A sample drawn with a design: design-based estimates and intervals."""
    level = format_number(100 * facts.level, digits=0, language=language)
    if language == "vi":
        design = []
        if facts.stratified:
            design.append("phân tầng")
        if facts.clustered:
            design.append("chọn theo cụm")
        how = f" ({', '.join(design)})" if design else ""
        weighted = "có gia quyền theo quyền số mẫu, " if facts.weighted else ""
        sentences = [
            f"Mẫu xác suất{how}: các tỷ lệ được ước lượng {weighted}sai số tính theo thiết kế mẫu."
        ]
        interval = _INTERVALS["vi"].get(str(facts.interval))
        sentences.append(
            f"Khoảng tin cậy {level}% (KTC) là khoảng chứa giá trị thật với độ tin cậy "
            f"{level}%" + (f", {interval}" if interval else "") + "."
        )
    else:
        design = []
        if facts.stratified:
            design.append("stratified")
        if facts.clustered:
            design.append("clustered")
        how = f" ({', '.join(design)})" if design else ""
        weighted = "weighted by the sampling weights, " if facts.weighted else ""
        sentences = [
            f"Probability sample{how}: shares are estimated {weighted}with standard errors "
            "from the sample design."
        ]
        interval = _INTERVALS["en"].get(str(facts.interval))
        sentences.append(
            f"A {level}% confidence interval (CI) holds the true value with {level}% "
            "confidence" + (f"; it is {interval}" if interval else "") + "."
        )
    # the variance rule as the estimates word it (lonely PSUs, replicate weights: one source
    # for every output); older estimates without it get the rule in plain words
    noted = (facts.extra.get("lonely_psu_note") or {}).get(language)
    lonely = noted or _LONELY_PSU[language].get(str(facts.lonely_psu))
    if lonely:
        sentences.append(lonely[0].upper() + lonely[1:].rstrip(".") + ".")
    return sentences


#: Kind of study -> writer of its first sentences (design and what the intervals mean).
#: A new kind (quota, convenience, census of records) adds one entry here.
STUDY_KINDS: dict[str, Callable[[MethodFacts, Language], list[str]]] = {
    "probability": _probability,
    **kinds.method_writers(),  # quota, convenience, census: what each kind may claim
}


def method_sentences(facts: MethodFacts, language: Language = "vi") -> list[str]:
    """The method note, one sentence per fact, in ``language`` only."""
    _words(language)
    writer = STUDY_KINDS.get(facts.kind, _probability)
    sentences = list(writer(facts, language))
    sentences.append(index_rule_words(facts, language))
    geography = _GEOGRAPHY[language].get(str(facts.geography))
    if geography:
        sentences.append(
            f"Địa giới: {geography}." if language == "vi" else f"Geography: {geography}."
        )
    if facts.min_n:
        n = format_number(facts.min_n, digits=0, language=language)
        wide = facts.kind == "probability"  # only a probability sample has such intervals
        sentences.append(
            f"Ô có dưới {n} người trả lời{' hoặc sai số quá lớn' if wide else ''} được đánh "
            "dấu * (chưa đủ tin cậy, chỉ để tham khảo)."
            if language == "vi"
            else f"Cells with fewer than {n} respondents{' or too large an error' if wide else ''}"
            " are marked * (unreliable, indicative only)."
        )
    return sentences


def method_note(facts: MethodFacts, language: Language = "vi") -> str:
    """The method note as one paragraph."""
    return " ".join(method_sentences(facts, language))


def comparison_words(adjust: str | None, tests: int | None, language: Language = "vi") -> str:
    """How differences are tested, and why an interval and an adjusted p can disagree."""
    name = _ADJUST.get(str(adjust), str(adjust or ""))
    many = format_number(tests, digits=0, language=language) if tests else None
    if language == "vi":
        family = f" trên {many} phép so sánh" if many else ""
        return (
            "Chênh lệch được kiểm định theo thiết kế mẫu; giá trị p đã hiệu chỉnh "
            f"{name}{family} để tránh kết luận nhầm khi so sánh nhiều lần. Khoảng tin cậy "
            "của chênh lệch chưa hiệu chỉnh, nên có thể không chứa 0 trong khi p đã hiệu "
            "chỉnh vẫn lớn hơn 0,05: khi đó chênh lệch chưa có ý nghĩa thống kê."
        )
    family = f" across {many} comparisons" if many else ""
    return (
        "Differences are tested under the sample design; p-values are adjusted by "
        f"{name}{family} so that many comparisons do not produce false findings. The "
        "interval of a difference is not adjusted, so it may exclude 0 while the adjusted p "
        "is above 0.05: the difference is then not significant."
    )


# --------------------------------------------------------------------------------------
# Why a cell is flagged
# --------------------------------------------------------------------------------------

_REASONS: dict[str, list[tuple[str, str]]] = {
    "vi": [
        (r"^no estimate$", "không có số liệu"),
        (r"^n < (\d+)$", "dưới {0} người trả lời"),
        (r"^df < 1$", "chỉ nằm trong một cụm mẫu"),
        (r"^effective n < ([\d.]+)$", "cỡ mẫu hiệu dụng dưới {0}"),
        (r"^no Korn-Graubard CI$", "không tính được sai số"),
        (r"^CI width >= ([\d.]+)$", "sai số lớn"),
        (r"^relative CI width > (\d+)%$", "sai số lớn so với tỷ lệ"),
        (r"^CV > ([\d.]+)$", "sai số tương đối lớn"),
        (r"^review: complement relative CI width > (\d+)%$", "cần xem lại: sai số lớn"),
        (r"^review: df < (\d+)$", "cần xem lại: ít cụm mẫu"),
    ],
    "en": [
        (r"^no estimate$", "no data"),
        (r"^n < (\d+)$", "fewer than {0} respondents"),
        (r"^df < 1$", "all in one sampled cluster"),
        (r"^effective n < ([\d.]+)$", "effective sample size under {0}"),
        (r"^no Korn-Graubard CI$", "no error could be computed"),
        (r"^CI width >= ([\d.]+)$", "large error"),
        (r"^relative CI width > (\d+)%$", "error large relative to the share"),
        (r"^CV > ([\d.]+)$", "large relative error"),
        (r"^review: complement relative CI width > (\d+)%$", "to review: large error"),
        (r"^review: df < (\d+)$", "to review: few sampled clusters"),
    ],
}


def _reason(code: str, language: Language) -> str:
    for pattern, words in _REASONS[language]:
        found = re.match(pattern, code)
        if found:
            return words.format(*found.groups())
    return "chưa đủ tin cậy" if language == "vi" else "unreliable"


def reliability_reasons(
    notes: Iterable[object], language: Language = "vi", *, review: bool = False
) -> list[str]:
    """The distinct reasons, in words, behind ``reliability_note`` codes (order kept).

    Review items ("review: ...") are left out unless ``review``: they do not make an
    estimate unreliable.
    """
    _words(language)
    out: list[str] = []
    for note in notes:
        if not isinstance(note, str):
            continue
        for code in (c.strip() for c in note.split(";")):
            if not code or (code.startswith("review:") and not review):
                continue
            words = _reason(code, language)
            if words not in out:
                out.append(words)
    return out


def reliability_text(note: object, language: Language = "vi") -> str:
    """One cell's ``reliability_note`` in words ("" when nothing fired)."""
    return "; ".join(reliability_reasons([note], language, review=True))
