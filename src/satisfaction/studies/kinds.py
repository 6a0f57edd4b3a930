"""What each kind of sample may claim: its estimates, its words, and the words it must avoid.

Four kinds (shared/domain.md section 6; docs/study_kinds.md gives the reasoning and the
references, chiefly the AAPOR task-force report on non-probability sampling, 2013):

* ``probability`` -- a sample drawn with a known design: design-based estimates, standard
  errors, confidence intervals and tests;
* ``quota`` -- respondents picked to fill set numbers per group (respondent group x place):
  shares per quota cell; figures pooled across cells only when the instrument declares the
  population's margins (raked to them, and said so with their source); intervals, when
  shown, are *reference* intervals that assume random selection inside each cell;
* ``convenience`` -- whoever chose to answer (Zalo/QR/Google Forms, desk forms): counts and
  shares with n, period and channel; no intervals, no tests, differences as differences;
* ``census`` -- every member of the population counted (a period's dossiers, every staff
  member): exact rates, no sampling intervals.

:func:`study_meta` is what the estimates record about the sample (``Estimates.meta
["study"]``); :func:`finish_estimates` turns a tidy frame computed by the design-based
estimators into what the kind may show; :func:`kind_sentences` and :func:`kind_line` are
the method note's first sentences and the short line every figure and page carries;
:func:`forbidden_words` lists the words of other kinds, which a test looks for in every
output. Nothing here draws or writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.errors import ParameterError
from satisfaction.io.instrument import Instrument, Label
from satisfaction.io.instrument.model import SAMPLE_KINDS

__all__ = [
    "INTERVALS",
    "KINDS",
    "NO_MARGINS_NOTE",
    "ROLE_WORDS",
    "finish_estimates",
    "forbidden_words",
    "inference_allowed",
    "kind_line",
    "kind_name",
    "kind_sentences",
    "method_writers",
    "study_meta",
    "study_of_meta",
    "unit_words",
]

KINDS = SAMPLE_KINDS

#: What the intervals of a kind are: "confidence" (design-based), "reference" (assume random
#: selection inside quota cells) or None (no interval is shown).
INTERVALS: dict[str, str | None] = {
    "probability": "confidence",
    "quota": "reference",
    "convenience": None,
    "census": None,
}

#: ``reliability_note`` of a pooled row of a quota sample without population margins.
NO_MARGINS_NOTE = "pooled without margins"

# Columns of the tidy shape that only a probability design gives a meaning to.
_DESIGN_ONLY = ("cv", "deff", "df")
_INTERVAL = ("se", "ci_low", "ci_high")

#: Respondent roles as a reader says them: (vi singular, vi plural, en singular, en plural).
ROLE_WORDS: dict[str, tuple[str, str, str, str]] = {
    "province": ("tỉnh, thành phố", "các tỉnh, thành phố", "province", "provinces"),
    "commune": ("xã, phường", "các xã, phường", "commune or ward", "communes and wards"),
    "district": ("quận, huyện", "các quận, huyện", "district", "districts"),
    "agency": (
        "cơ quan, bộ phận một cửa",
        "các cơ quan, bộ phận một cửa",
        "agency or one-stop desk",
        "agencies and one-stop desks",
    ),
    "respondent_group": (
        "nhóm người trả lời",
        "các nhóm người trả lời",
        "respondent group",
        "respondent groups",
    ),
    "sex": ("giới tính", "giới tính", "sex", "sex"),
    "age": ("nhóm tuổi", "các nhóm tuổi", "age band", "age bands"),
    "age_band": ("nhóm tuổi", "các nhóm tuổi", "age band", "age bands"),
    "ethnicity": ("dân tộc", "các dân tộc", "ethnicity", "ethnic groups"),
    "urban_rural": ("khu vực", "thành thị và nông thôn", "urban or rural", "urban and rural"),
}

_NAMES = {
    "vi": {
        "probability": "Mẫu xác suất",
        "quota": "Mẫu theo hạn ngạch",
        "convenience": "Mẫu tự nguyện",
        "census": "Điều tra toàn bộ",
    },
    "en": {
        "probability": "Probability sample",
        "quota": "Quota sample",
        "convenience": "Self-selected sample",
        "census": "Census (every record counted)",
    },
}

# Words that claim what a kind cannot: design-based inference, confidence intervals,
# weights, and the names of the other kinds. Matched case-insensitively as substrings.
_INFERENCE = (
    "thiết kế mẫu",
    "design-based",
    "sample design",
    "có ý nghĩa thống kê",
    "ý nghĩa thống kê",
    "significant",
    "Wald",
    "mẫu xác suất",
    "probability sample",
)
_CONFIDENCE = ("khoảng tin cậy", "KTC", "confidence interval", "95% CI")
_WEIGHTS = ("trọng số", "gia quyền", "weighted")
_REFERENCE = ("khoảng tham chiếu", "reference interval")
_OWN = {
    "quota": ("hạn ngạch", "quota"),
    "convenience": ("mẫu tự nguyện", "self-selected"),
    "census": ("điều tra toàn bộ", "census"),
}


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ParameterError(f"unknown kind of sample {kind!r}; use one of {KINDS}")
    return kind


def _check_language(language: str) -> str:
    if language not in ("vi", "en"):
        raise ParameterError(f"language must be 'vi' or 'en', got {language!r}")
    return language


def inference_allowed(kind: str) -> bool:
    """Whether tests, significance and confidence intervals may be shown (probability only)."""
    return _check_kind(kind) == "probability"


def forbidden_words(kind: str, *, weighted: bool = False) -> tuple[str, ...]:
    """Words an output of this kind must never hold (another kind's claims and names).

    ``weighted``: a quota sample raked to declared margins may speak of weights.
    """
    _check_kind(kind)
    others = tuple(w for k, words in _OWN.items() if k != kind for w in words)
    if kind == "probability":
        return (*others, *_REFERENCE)
    words = (*_INFERENCE, *_CONFIDENCE, *others)
    if kind != "quota":
        words += _REFERENCE
    if not (kind == "quota" and weighted):
        words += _WEIGHTS
    return words


def unit_words(role: str | None, language: str = "vi", *, plural: bool = False) -> str:
    """A reporting unit's role as a reader says it ("xã, phường"; "communes and wards")."""
    _check_language(language)
    words = ROLE_WORDS.get(role or "", ("đơn vị", "các đơn vị", "unit", "units"))
    index = (0 if language == "vi" else 2) + (1 if plural else 0)
    return words[index]


# --------------------------------------------------------------------------------------
# What the estimates record
# --------------------------------------------------------------------------------------


def _label(value: Label | None) -> dict[str, str] | None:
    return None if value is None else {"vi": value.vi, "en": value.en or value.vi}


def study_meta(
    instrument: Instrument, *, unit: str | None, weighted: bool | None = None
) -> dict[str, Any]:
    """What every output states about the sample, as plain JSON values.

    ``kind``, ``declared`` (False: assumed from the design block or its absence),
    ``quota`` (roles), ``margins`` (role -> {category: population count}),
    ``margins_source`` ({vi, en}), ``channel``, ``period``, ``population``, ``unit`` (the
    reporting-unit role, None when the survey has no unit column) and ``weighted``.
    """
    study = instrument.study
    margins = study.margins
    if weighted is None:
        weighted = bool(instrument.design.get("weight")) or margins is not None
    return {
        "kind": study.kind,
        "declared": study.declared,
        "quota": list(study.quota),
        "margins": (
            {role: dict(cells) for role, cells in margins.counts.items()} if margins else {}
        ),
        "margins_source": _label(margins.source) if margins else None,
        "channel": _label(study.channel),
        "period": study.period,
        "population": _label(study.population),
        "unit": unit,
        "weighted": bool(weighted),
    }


def study_of_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The study recorded beside estimates; for estimates written before kinds were
    recorded, the kind assumed from their design note (and the province as unit)."""
    study = meta.get("study")
    if isinstance(study, Mapping) and study.get("kind") in KINDS:
        return dict(study)
    design = str(meta.get("design") or "")
    designed = bool(design) and not design.startswith("no design")
    return {
        "kind": "probability" if designed else "convenience",
        "declared": False,
        "quota": [],
        "margins": {},
        "unit": "province",
        "weighted": "weight=" in design,
    }


# --------------------------------------------------------------------------------------
# Estimates a kind may show
# --------------------------------------------------------------------------------------


def finish_estimates(
    frame: pd.DataFrame,
    kind: str,
    *,
    min_n: int = 30,
    pooled: np.ndarray | pd.Series | None = None,
) -> pd.DataFrame:
    """A tidy frame from the design-based estimators, reduced to what ``kind`` may claim.

    * probability: unchanged;
    * quota: ``se``/``ci_low``/``ci_high`` kept as reference intervals (random selection
      inside each quota cell assumed); ``cv``, ``deff``, ``df`` emptied; ``reliable`` means
      n >= ``min_n`` (note "n < 30"); rows in ``pooled`` (pooled across quota cells with no
      population margins declared) lose their estimate (note `NO_MARGINS_NOTE`);
    * convenience: only the share and n: every interval and design column emptied,
      ``reliable`` is n >= ``min_n`` -- a count, not an inference;
    * census: exact rates: intervals emptied, every row with an estimate is reliable.
    """
    _check_kind(kind)
    if kind == "probability" or frame.empty or "estimate" not in frame.columns:
        return frame
    out = frame.copy()
    emptied = _DESIGN_ONLY if kind == "quota" else (*_DESIGN_ONLY, *_INTERVAL)
    for column in emptied:
        if column in out.columns:
            out[column] = np.nan
    estimate = pd.to_numeric(out["estimate"], errors="coerce")
    notes = pd.Series("", index=out.index, dtype=object)
    if "n" in out.columns and kind != "census":
        small = pd.to_numeric(out["n"], errors="coerce").fillna(0) < min_n
        notes[small.to_numpy()] = f"n < {min_n}"
    if pooled is not None:
        mask = np.asarray(pooled, dtype=bool)
        out.loc[mask, ["estimate", *[c for c in _INTERVAL if c in out.columns]]] = np.nan
        estimate = pd.to_numeric(out["estimate"], errors="coerce")
        notes[mask] = NO_MARGINS_NOTE
    notes[estimate.isna().to_numpy() & (notes == "").to_numpy()] = "no estimate"
    if "reliable" in out.columns or "reliability_note" in out.columns:
        out["reliable"] = (notes == "").to_numpy()
        out["reliability_note"] = notes.to_numpy()
    return out


# --------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------


def _text(value: Mapping[str, str] | None, language: str) -> str:
    if not value:
        return ""
    return str(value.get(language) or value.get("vi") or "")


def _roles_text(roles: Sequence[str], language: str) -> str:
    joined = [unit_words(r, language) for r in roles]
    glue = " và " if language == "vi" else " and "
    return glue.join(joined) if len(joined) <= 2 else ", ".join(joined[:-1]) + glue + joined[-1]


def kind_name(kind: str, language: str = "vi", *, declared: bool = True) -> str:
    """The kind in a few words: "Mẫu theo hạn ngạch"; "(giả định)" when it was assumed."""
    _check_kind(kind)
    _check_language(language)
    name = _NAMES[language][kind]
    if not declared:
        name += " (giả định)" if language == "vi" else " (assumed)"
    return name


def kind_line(study: Mapping[str, Any], language: str = "vi") -> str:
    """One short line for a figure's source line, a page header or the index page."""
    kind = str(study.get("kind") or "convenience")
    name = kind_name(kind, language, declared=bool(study.get("declared", True)))
    vi = language == "vi"
    if kind == "quota":
        if study.get("margins"):
            source = _text(study.get("margins_source"), language)
            tail = (
                f"số liệu gộp theo cơ cấu dân số ({source})"
                if vi
                else f"pooled figures follow the population ({source})"
            )
        else:
            tail = "số liệu theo từng nhóm" if vi else "figures per quota group"
    elif kind == "convenience":
        tail = "chỉ mô tả những người đã trả lời" if vi else "describes only those who answered"
    elif kind == "census":
        tail = "tỷ lệ thực, không chọn mẫu" if vi else "exact rates, nothing sampled"
    else:
        return name
    return f"{name}: {tail}"


def kind_sentences(
    study: Mapping[str, Any], language: str = "vi", *, level: float = 0.95
) -> list[str]:
    """The method note's first sentences: how respondents were found and what that allows.

    For a probability sample only the assumption (when the kind was not declared) is said
    here; the design and its intervals are said by the method note of `present.wording`.
    """
    _check_language(language)
    kind = _check_kind(str(study.get("kind") or "convenience"))
    writer = {
        "probability": _probability,
        "quota": _quota,
        "convenience": _convenience,
        "census": _census,
    }[kind]
    sentences = writer(study, language, round(100 * level))
    if not study.get("declared", True):
        sentences.append(_assumed(kind, language))
    return sentences


def _assumed(kind: str, language: str) -> str:
    if language == "vi":
        why = (
            "có khai báo cách chọn mẫu (design)"
            if kind == "probability"
            else ("không khai báo cách chọn mẫu")
        )
        return (
            f"Bộ câu hỏi không ghi loại mẫu; vì {why} nên được coi là "
            f"{kind_name(kind, 'vi').lower()}."
        )
    why = (
        "it declares how the sample was drawn"
        if kind == "probability"
        else ("it does not say how respondents were found")
    )
    return (
        f"The questionnaire does not state its kind of sample; since {why}, it is treated as "
        f"a {kind_name(kind, 'en').lower()}."
    )


def _probability(study: Mapping[str, Any], language: str, level: int) -> list[str]:
    if language == "vi":
        return [
            "Mẫu xác suất: người trả lời được chọn ngẫu nhiên theo thiết kế mẫu đã khai báo, "
            f"nên tỷ lệ được suy rộng cho toàn bộ đối tượng kèm khoảng tin cậy {level}%."
        ]
    return [
        "Probability sample: respondents were drawn at random under the declared sample "
        f"design, so shares generalise to the whole population with {level}% confidence "
        "intervals."
    ]


def _quota(study: Mapping[str, Any], language: str, level: int) -> list[str]:
    roles = _roles_text(study.get("quota") or [], language)
    margins = study.get("margins") or {}
    source = _text(study.get("margins_source"), language)
    period = str(study.get("period") or "")
    if language == "vi":
        when = f" (thời gian: {period})" if period else ""
        sentences = [
            f"Mẫu theo hạn ngạch theo {roles}{when}: người trả lời được chọn cho đủ số phiếu "
            "định trước của mỗi nhóm, không chọn ngẫu nhiên; tỷ lệ được tính riêng cho từng "
            "nhóm hạn ngạch."
        ]
        if margins:
            sentences.append(
                f"Số liệu gộp nhiều nhóm được gia quyền theo cơ cấu dân số theo "
                f"{_roles_text(list(margins), 'vi')} (nguồn: {source}), bằng cách hiệu chỉnh "
                "lặp cho khớp từng cơ cấu (raking)."
            )
        else:
            sentences.append(
                "Không có cơ cấu dân số để gộp các nhóm, nên số liệu gộp nhiều nhóm để trống "
                "(–); hãy đọc số liệu theo từng nhóm."
            )
        sentences.append(
            f"Khoảng tham chiếu {level}% chỉ đúng nếu người trả lời trong mỗi nhóm được chọn "
            "ngẫu nhiên, điều không được bảo đảm; chênh lệch giữa các nhóm, các đơn vị được "
            "nêu như chênh lệch, không kiểm định."
        )
        return sentences
    when = f" (period: {period})" if period else ""
    sentences = [
        f"Quota sample by {roles}{when}: respondents were picked to fill set numbers per "
        "group, not at random; shares are computed per quota group."
    ]
    if margins:
        sentences.append(
            "Figures pooled across groups are weighted to the population's make-up by "
            f"{_roles_text(list(margins), 'en')} (source: {source}), raked to match each "
            "margin."
        )
    else:
        sentences.append(
            "No population make-up is declared to pool the groups, so pooled figures are "
            "left empty (–); read the figures per group."
        )
    sentences.append(
        f"A {level}% reference interval holds only if respondents were picked at random "
        "within each group, which nothing guarantees; differences between groups and units "
        "are shown as differences, not tested."
    )
    return sentences


def _convenience(study: Mapping[str, Any], language: str, level: int) -> list[str]:
    channel = _text(study.get("channel"), language)
    period = str(study.get("period") or "")
    if language == "vi":
        how = ", ".join(p for p in (channel, period) if p)
        return [
            "Mẫu tự nguyện: ai biết và muốn thì trả lời"
            + (f" ({how})" if how else "")
            + "; người trả lời không được chọn ngẫu nhiên nên không đại diện cho mọi người "
            "được phục vụ.",
            "Số liệu là số phiếu và tỷ lệ trong số những người đã trả lời, kèm số phiếu n, "
            "mỗi phiếu tính như nhau; không suy rộng cho toàn bộ người dân và không kiểm "
            "định; chênh lệch giữa các đơn vị là chênh lệch giữa những người đã trả lời.",
        ]
    how = ", ".join(p for p in (channel, period) if p)
    return [
        "Self-selected sample: whoever learned of the survey and chose to answer"
        + (f" ({how})" if how else "")
        + "; respondents were not picked at random, so they do not stand for everyone "
        "served.",
        "Figures are counts and shares among those who answered, with n, every form counted "
        "once; they do not generalise to all citizens and nothing is tested; a difference "
        "between units is a difference between those who answered.",
    ]


def _census(study: Mapping[str, Any], language: str, level: int) -> list[str]:
    population = _text(study.get("population"), language)
    period = str(study.get("period") or "")
    if language == "vi":
        what = population or "mọi đối tượng"
        when = f" trong {period}" if period else ""
        return [
            f"Điều tra toàn bộ: {what}{when} đều được tính, không chọn mẫu, nên tỷ lệ là tỷ lệ "
            "thực, không có sai số chọn mẫu; độ chính xác phụ thuộc vào việc ghi nhận đầy đủ."
        ]
    what = population or "every member of the population"
    when = f" in {period}" if period else ""
    return [
        f"Census: {what}{when} counted, nothing sampled, so the rates are exact with no "
        "sampling error; their accuracy depends on complete recording."
    ]


def method_writers() -> dict[str, Any]:
    """Kind -> writer ``(facts, language) -> sentences`` for the method note of
    `present.wording` (its ``STUDY_KINDS``): the study is read from ``facts.extra["study"]``
    (the estimates' ``meta["study"]``) or, lacking it, from ``facts.kind``; the level from
    ``facts.level``. The probability writer is left to `present.wording`, which states the
    design; add ``kind_sentences``' assumption sentence there when the kind was assumed."""

    def writer(facts: Any, language: str) -> list[str]:
        extra = getattr(facts, "extra", None) or {}
        study = extra.get("study") or {"kind": getattr(facts, "kind", "convenience")}
        return kind_sentences(study, language, level=float(getattr(facts, "level", 0.95)))

    return {kind: writer for kind in KINDS if kind != "probability"}
