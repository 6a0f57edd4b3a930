"""Personal data in free text and in columns: what the detectors find, and how it is cut out.

No Vietnamese named-entity model runs here: underthesea's NER downloads its model at run
time, which a machine without network (and CI) cannot do. The detectors are patterns and
declared lists, each aimed at what Vietnamese forms really hold:

- *numbers*: any run of 9 or more digits, with spaces, dots, dashes, brackets or a leading
  ``+`` between them -- mobile and landline phones in every spelling (``0912 345 678``,
  ``(+84) 912 345 681``, ``(091) 234-5682``, ``+84(0)912345686``), 9-digit CMND and
  12-digit CCCD (``079201001234``, ``036.2010.01234``), 10- and 13-digit tax codes, bank
  accounts; passports (a letter and 7-8 digits, ``C1234567``); e-mail addresses;
- *names*: a full name from the instrument's declared name columns (``ho_ten``) wherever it
  appears; capitalised words after a form of address or an introduction ("chị Lan",
  "anh Nguyễn Văn Hùng", "tên tôi là Minh", "họ tên: ..."); a run of 2-4 capitalised
  syllables starting with one of the common family names (Nguyễn, Trần, Lê, ...), which
  covers most Vietnamese full names;
- *addresses*: a house number with a street word ("số 12 đường Lê Lợi", "12/3 hẻm 45") and
  what follows an address introduction ("nhà ở số ...", "địa chỉ: ...") up to the end of
  the clause.

What a detector finds becomes ``[đã ẩn]``. A pattern cannot find every name (a given name
alone, with no title, is not found): that is why comments go out only as phrases counted in
at least three comments, and why columns that look personal must be declared.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

__all__ = [
    "SCRUBBED",
    "NameList",
    "column_looks_personal",
    "looks_like_name_column",
    "scrub_contacts",
    "scrub_text",
]

SCRUBBED = "[đã ẩn]"

# Upper-case letters of Vietnamese (a range such as À-Ỹ would take lower case in too).
_UPPER = "A-Z" + "".join(
    chr(c) for c in range(0xC0, 0x1EF9) if chr(c).isupper() and chr(c).isalpha()
)
_WORD = rf"[{_UPPER}][\wÀ-ỹ]*"
_CAPITALISED = rf"{_WORD}(?:\s+{_WORD}){{0,3}}"
_EMAIL = re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_NUMBER_RUN = re.compile(r"(?<![\w])[+(]{0,2}\d[\d\s.()+\-]*\d(?![\w])")
_PASSPORT = re.compile(r"(?<![\w])[A-Za-z]\s?\d{7,8}(?![\w])")
_FAMILY_NAMES = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đoàn "
    "Lâm Trịnh Mai Trương Hà Cao Lưu Tạ Chu Quách Lương Tô Châu Thái Kiều Triệu Văn"
).split()
_FULL_NAME = re.compile(
    rf"(?<![\wÀ-ỹ])(?:{'|'.join(_FAMILY_NAMES)})(?:\s+{_WORD}){{1,3}}(?![\wÀ-ỹ])"
)
_PUBLIC_NAMES = ("Hồ Chí Minh",)  # a city as well as a person: kept
_TITLES = "anh|chị|chi|ông|bà|cô|chú|bác|em|cháu|cậu|dì|thím|mợ|cán bộ|công chức|đồng chí|đ/c"
_AFTER_TITLE = re.compile(rf"(?i:\b(?:{_TITLES}))\s+({_CAPITALISED})")
_INTRODUCED = re.compile(
    r"(?i:tên\s+tôi\s+là|tôi\s+tên\s+là|tôi\s+tên|họ\s+(?:và\s+)?tên\s*:?|tên\s*:)"
    r"\s*([\wÀ-ỹ]+(?:\s+[\wÀ-ỹ]+){0,3})"
)
_I_AM = re.compile(rf"(?i:\btôi\s+là)\s+({_CAPITALISED})")
_STREET = "đường|phố|ngõ|ngách|hẻm|kiệt|tổ|thôn|ấp|xóm|khu phố|khóm|số nhà"
_HOUSE = re.compile(
    rf"(?i:\b(?:số\s*)?\d+[A-Za-z]?(?:/\d+)*\s*,?\s*(?:{_STREET})\s+)[^.;!?\n,]{{1,40}}"
)
# An address runs on through commas only while the next part is still an address part.
_ADDRESS_PART = (
    r"(?:đường|phố|phường|xã|quận|huyện|thị\s+trấn|thị\s+xã|tỉnh|thành\s+phố|tp|ngõ|ngách"
    r"|hẻm|kiệt|tổ|thôn|ấp|xóm|khu|khóm|số|p\.|q\.|\d)"
)
_ADDRESS_INTRO = re.compile(
    r"(?i:\b(?:địa\s+chỉ\s*:?|nhà\s+(?:tôi\s+)?ở|tôi\s+ở|số\s+nhà|nhà\s+số|ở\s+số|trú\s+tại"
    rf"|thường\s+trú\s*:?))\s*[^.;!?\n,]{{1,60}}(?:,\s*(?i:{_ADDRESS_PART})[^.;!?\n,]{{0,40}})*"
)
_NAME_COLUMN = re.compile(r"^(ho ten|ho va ten|ten|full name|name|ten nguoi tra loi)$")
_PERSONAL_COLUMN = re.compile(
    r"(^|\s)(ho ten|ho va ten|full name|name|cccd|cmnd|can cuoc|dinh danh|so cmt|"
    r"e ?mail|thu dien tu|dien thoai|sdt|so dt|phone|mobile|di dong|dia chi|address|"
    r"ho chieu|passport|ma so thue|mst|tax)(\s|$)"
)


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _scrub_numbers(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return SCRUBBED if _digits(match.group()) >= 9 else match.group()

    return _NUMBER_RUN.sub(replace, text)


class NameList:
    """Full names declared in the data (the instrument's name columns), found in free text
    whatever their case or spacing."""

    def __init__(self, names: Iterable[Any] = ()) -> None:
        keys = {_name_key(n) for n in names if isinstance(n, str)}
        self.keys = frozenset(k for k in keys if len(k.split()) >= 2)

    def __bool__(self) -> bool:
        return bool(self.keys)

    def scrub(self, text: str) -> str:
        if not self.keys:
            return text
        words = list(re.finditer(r"[\wÀ-ỹ]+", text))
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            for size in (4, 3, 2):
                run = words[i : i + size]
                if len(run) == size and _name_key(" ".join(w.group() for w in run)) in self.keys:
                    spans.append((run[0].start(), run[-1].end()))
                    i += size - 1
                    break
            i += 1
        for start, end in reversed(spans):
            text = text[:start] + SCRUBBED + text[end:]
        return text


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _scrub_names(text: str) -> str:
    def public(match: re.Match[str]) -> bool:
        return any(match.group().startswith(n) for n in _PUBLIC_NAMES)

    text = _INTRODUCED.sub(lambda m: m.group()[: m.start(1) - m.start()] + SCRUBBED, text)
    text = _I_AM.sub(lambda m: m.group()[: m.start(1) - m.start()] + SCRUBBED, text)
    text = _AFTER_TITLE.sub(lambda m: m.group()[: m.start(1) - m.start()] + SCRUBBED, text)
    return _FULL_NAME.sub(lambda m: m.group() if public(m) else SCRUBBED, text)


def scrub_contacts(text: str) -> str:
    """`text` with e-mails, phone, ID and passport numbers replaced by ``[đã ẩn]``: what
    every text value outside free text gets (no place or code is ever 9 digits long)."""
    if not isinstance(text, str) or not text:
        return text
    text = _EMAIL.sub(SCRUBBED, unicodedata.normalize("NFC", text))
    return _PASSPORT.sub(SCRUBBED, _scrub_numbers(text))


def scrub_text(text: str, names: NameList | None = None) -> str:
    """`text` with e-mails, phone and ID numbers, names and addresses replaced by
    ``[đã ẩn]`` (see the module docstring for what is found)."""
    if not isinstance(text, str) or not text:
        return text
    text = scrub_contacts(text)
    if names:
        text = names.scrub(text)
    text = _ADDRESS_INTRO.sub(lambda m: _keep_intro(m), text)
    text = _HOUSE.sub(SCRUBBED, text)
    return _scrub_names(text)


def _keep_intro(match: re.Match[str]) -> str:
    """The words that introduce an address stay; the address goes."""
    found = re.match(
        r"(?i:địa\s+chỉ\s*:?|nhà\s+(?:tôi\s+)?ở|tôi\s+ở|số\s+nhà|nhà\s+số|ở\s+số|trú\s+tại"
        r"|thường\s+trú\s*:?)\s*",
        match.group(),
    )
    head = found.group() if found else ""
    return head + SCRUBBED


def looks_like_name_column(column: str) -> bool:
    """Whether a column's name says it holds people's names (its values are a name list)."""
    return bool(_NAME_COLUMN.match(_ascii(column)))


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


def _whole_value_personal(value: str) -> bool:
    text = value.strip()
    if _EMAIL.fullmatch(text) or _PASSPORT.fullmatch(text):
        return True
    return bool(_NUMBER_RUN.fullmatch(text)) and _digits(text) >= 9


def column_looks_personal(column: str, values: Iterable[Any]) -> str | None:
    """Why a column looks personal ("its name", "its values: 12 of 15 are phone, ID or
    e-mail"), or None. Values are checked on up to 1,000 distinct ones."""
    if _PERSONAL_COLUMN.search(_ascii(column)):
        return "its name"
    texts = []
    for value in values:
        if isinstance(value, str) and value.strip():
            texts.append(value)
        elif isinstance(value, int | float) and value == value and abs(value) >= 1e8:
            texts.append(str(int(value)))  # a phone or ID number read as a number
        if len(texts) >= 1000:
            break
    if not texts:
        return None
    hits = sum(_whole_value_personal(t) for t in texts)
    if hits >= min(5, len(texts)) and hits * 2 >= len(texts):
        return f"its values: {hits} of {len(texts)} are phone, ID or e-mail"
    return None
