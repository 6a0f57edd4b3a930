"""Best guesses of what a column is, from its name, its question text and its answer labels.

An SPSS dictionary or an XLSForm says what each question asks, not which column is the
province, the field of service, the weight, or personal data. The importers
(`satisfaction.io.spss`, `satisfaction.io.xlsform`) ask `guess_roles` and write each guess
into the instrument with a comment saying why, so a user reviews it instead of writing
YAML from nothing. Matching is on folded text (no diacritics, lower case).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from satisfaction.io import geography

__all__ = ["RoleGuess", "fold", "guess_roles", "one_group_for_ungrouped", "slug"]

_NAME_PATTERNS: dict[str, re.Pattern[str]] = {
    "province": re.compile(r"^(?:tinh|tinh_?thanh(?:_?pho)?|tinh_?tp|ma_?tinh|province)$"),
    "field": re.compile(
        r"^(?:linh_?vuc|field|sector|loai_?thu_?tuc|nhom_?thu_?tuc|linh_?vuc_?tthc)$"
    ),
    "commune": re.compile(r"^(?:xa|xa_?phuong|phuong_?xa|commune|ward)$"),
    "sex": re.compile(r"^(?:gioi_?tinh|sex|gender)$"),
    "age": re.compile(r"^(?:tuoi|age|do_?tuoi)$"),
    "weight": re.compile(r"^(?:trong_?so|weight|wt|pweight|w)$"),
    "overall": re.compile(r"^(?:hl_?chung|hai_?long_?chung|overall(?:_?satisfaction)?)$"),
}
_TEXT_PATTERNS: dict[str, re.Pattern[str]] = {
    "province": re.compile(r"^(?:tinh|tinh, thanh pho|tinh/thanh pho|province)\b"),
    "field": re.compile(r"\blinh vuc\b|\bfield of (?:service|procedure)"),
    "overall": re.compile(r"hai long chung|muc do hai long chung|overall satisf"),
}
# Personal data by column name: what to do with it (drop names and addresses, hash phones
# so repeated respondents can still be found).
_PERSONAL = (
    ("hash", re.compile(r"^(?:so_?)?(?:dien_?thoai|dt|sdt|phone|mobile|tel)(?:_?\w+)?$")),
    ("drop", re.compile(r"^(?:ho_?(?:va_?)?ten|ten|name|full_?name|respondent_?name)$")),
    ("drop", re.compile(r"^(?:dia_?chi|address|so_?nha)(?:_?\w+)?$")),
    ("drop", re.compile(r"^(?:e_?mail|thu_?dien_?tu)$")),
    ("drop", re.compile(r"^(?:so_?)?(?:cccd|cmnd|cmt|can_?cuoc|passport|ho_?chieu|mst)$")),
)
_PERSONAL_TEXT = (
    ("hash", re.compile(r"so dien thoai|dien thoai|phone number")),
    ("drop", re.compile(r"^ho (?:va )?ten\b|\bfull name\b|^ten nguoi")),
    ("drop", re.compile(r"^dia chi\b|\baddress\b")),
    ("drop", re.compile(r"can cuoc|cmnd|cccd|passport|ho chieu")),
)


@dataclass
class RoleGuess:
    """Columns by role, with one reason line per guess (written as YAML comments)."""

    roles: dict[str, str] = field(default_factory=dict)  # role -> column
    personal: dict[str, str] = field(default_factory=dict)  # column -> drop | hash
    reasons: list[str] = field(default_factory=list)

    def role_of(self, column: str) -> str | None:
        return next((role for role, c in self.roles.items() if c == column), None)


def guess_roles(
    columns: list[str],
    texts: Mapping[str, str],
    value_labels: Mapping[str, Mapping[Any, str]],
) -> RoleGuess:
    """Guess the province, field, commune, sex, age, weight and overall columns and the
    personal-data columns among `columns` (question texts and answer labels help)."""
    guess = RoleGuess()
    for column in columns:
        name = slug(column)
        text = fold(texts.get(column, ""))
        for action, pattern in _PERSONAL:
            if pattern.match(name):
                guess.personal[column] = action
                guess.reasons.append(
                    f"{column}: personal data by its name -> {action} (check: keep, drop, "
                    "hash or scrub)"
                )
                break
        else:
            for action, pattern in _PERSONAL_TEXT:
                if text and pattern.search(text):
                    guess.personal[column] = action
                    guess.reasons.append(
                        f"{column}: personal data by its question ({texts[column]!r}) -> {action}"
                    )
                    break
        if column in guess.personal:
            continue
        for role, pattern in _NAME_PATTERNS.items():
            if role in guess.roles:
                continue
            by_text = _TEXT_PATTERNS.get(role)
            if pattern.match(name) or (by_text is not None and text and by_text.search(text)):
                guess.roles[role] = column
                guess.reasons.append(f"{column}: the {role} column, by its name or question")
                break
    if "province" not in guess.roles:
        for column in columns:
            labels = value_labels.get(column) or {}
            if len(labels) >= 2 and column not in guess.personal:
                matched = sum(geography.standardise_province(v).matched for v in labels.values())
                if matched >= 0.8 * len(labels):
                    guess.roles["province"] = column
                    guess.reasons.append(
                        f"{column}: the province column ({matched} of its {len(labels)} "
                        "answer labels are province names)"
                    )
                    break
    return guess


def fold(text: str) -> str:
    """Lower case without diacritics, for matching names and labels typed either way."""
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.lower().replace("’", "'").replace("'", " ")
    return re.sub(r"\s+", " ", bare).strip()


def slug(text: str) -> str:
    """A name as an identifier: folded, non-alphanumerics as single underscores."""
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")


def one_group_for_ungrouped(
    items: list[dict[str, Any]], groups: list[dict[str, Any]], notes: list[str] | None
) -> list[dict[str, Any]]:
    """Criteria outside every group go into one element group, so element and overall
    indices can be computed (the estimates need at least one element)."""
    loose = [item for item in items if item.get("role") == "criterion" and not item.get("group")]
    if not loose:
        return groups
    taken = {item["id"] for item in items} | {group["id"] for group in groups}
    group_id = next(g for g in ("E1", "tieu_chi", "nhom_tieu_chi") if g not in taken)
    for item in loose:
        item["group"] = group_id
    if notes is not None:
        notes.append(
            f"groups: the {len(loose)} criteria outside a group form one element {group_id!r} "
            "(Các tiêu chí đánh giá); split them into the survey's elements"
        )
    return [*groups, {"id": group_id, "kind": "element", "label": {"vi": "Các tiêu chí đánh giá"}}]
