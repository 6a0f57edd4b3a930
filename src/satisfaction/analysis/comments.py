"""Free-text comments: the most frequent phrases per field, with personal data kept out.

A remediation report quotes what people wrote ("thời gian giải quyết quá lâu") and how
often. `top_phrases` normalises each comment (NFC, whitespace, lowercase, one tone style:
`satisfaction.io.text.match_key`), removes personal data, splits it into stretches between
punctuation marks, segments each stretch into Vietnamese WORDS (underthesea: "niêm yết",
"chứng thực" are one word of two syllables) and counts the word n-grams, so a phrase never
starts or ends inside a word ("thực cần niêm" cannot occur).

Counting rules (what the numbers mean):

* ``count`` is the number of COMMENTS containing the phrase (a comment repeating it counts
  once), ``share`` that number over the comments of the group (blank comments are not
  comments). A phrase never spans punctuation or a removed piece of personal data.
* An n-gram that starts or ends with a stopword is not counted ("của cán bộ" no, "thủ tục
  và hồ sơ" yes); neither is one made only of digits.
* A phrase contained in a longer listed phrase with the same count says nothing more and
  is dropped ("thời gian" when "thời gian giải quyết" has the same count), so a Vietnamese
  word of two syllables is not listed three times.
* Order: count (high first), then longer phrases first, then alphabetical.

Personal data never reaches a phrase: what cleaning's detectors find (e-mail addresses,
phone numbers in every Vietnamese spelling, CMND / CCCD / passport / tax numbers, names
after a title or an introduction and full names, addresses: `cleaning.pii`), any other run
of 6 or more digits (single spaces, dots or dashes between digits allowed), and the cleaning
placeholder "[đã ẩn]", are cut out before counting; as a last guard a phrase holding 6
digits in a row is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import pandas as pd

from satisfaction.cleaning.pii import scrub_text
from satisfaction.errors import InputError, ParameterError
from satisfaction.io.text import clean_text, match_key

__all__ = ["PLACEHOLDER", "VIETNAMESE_STOPWORDS", "scrub_personal", "top_phrases"]

PLACEHOLDER = "[đã ẩn]"  # what cleaning writes where it removed personal data

# Function words that carry no complaint on their own. Negations (không, chưa) and
# intensifiers that make the complaint (quá, nhiều) are deliberately NOT here.
VIETNAMESE_STOPWORDS: frozenset[str] = frozenset(
    match_key(word)
    for word in (
        "và của là có cho các những được thì mà với này đã rất cũng để khi đến trong ra "
        "vào nên lại nhưng hoặc hay từ theo tại về một cái việc sự đó đây ở bị do vì nếu "
        "như thế vẫn đang sẽ còn nữa ạ à nhé ơi tôi chúng ta mình họ nó em anh chị ông bà "
        "cần phải hơn nhất thêm"
    ).split()
)

_LONG_NUMBER = re.compile(r"(?<!\d)\d(?:[\s.-]?\d){5,}(?!\d)")  # ID numbers and the rest
_PLACEHOLDER = re.compile(r"\[\s*đã\s+ẩn\s*\]", re.IGNORECASE)
_SIX_DIGITS = re.compile(r"\d(?:\s?\d){5}")
_BREAK = "\n"
_JOIN = "\u00a0"  # joins the syllables of one word inside a token
_SPLIT = re.compile(r"[^\w\s]|_|\n")


def scrub_personal(text: str, replacement: str = _BREAK) -> str:
    """Cut e-mails, phone, ID and other long numbers, names and addresses
    (`satisfaction.cleaning.pii.scrub_text`), and "[đã ẩn]" out of `text`."""
    text = scrub_text(text)
    text = _LONG_NUMBER.sub(replacement, text)
    return _PLACEHOLDER.sub(replacement, text)


def _words(text: str) -> list[str]:
    """The Vietnamese words of a stretch of text ("niêm yết" is one word of two syllables),
    by underthesea's word segmentation; syllables where it is not installed."""
    try:
        from underthesea import word_tokenize
    except ImportError:  # pragma: no cover - a declared dependency
        return text.split()
    # underthesea rewrites tone placement ("hoà" -> "hòa"): back to the house style
    return [match_key(word).replace(" ", _JOIN) for word in word_tokenize(text) if word.strip()]


#: Comments segmented per process: segmentation (underthesea) and the personal-data scrub
#: cost ~0.5 ms a comment, the same comment is often written many times ("Phải đi lại nhiều
#: lần"), and a kernel running the whole-survey plan and then each province's segments
#: each comment again. Bounded, so a million comments do not stay in memory.
_SEGMENTED_CACHE = 1 << 16


@lru_cache(maxsize=_SEGMENTED_CACHE)
def _stretches(comment: str) -> tuple[tuple[str, ...], ...]:
    """Word lists of the stretches of a comment between punctuation and removed data, after
    `match_key` (so "Hòa giải" and "HOÀ GIẢI" segment alike); the syllables of one word are
    joined (``_JOIN``), so an n-gram never cuts a word. Tuples: the result is cached."""
    text = match_key(scrub_personal(clean_text(comment)))
    return tuple(tuple(_words(part)) for part in _SPLIT.split(text) if part.strip())


def _phrases(
    stretches: Sequence[Sequence[str]], low: int, high: int, stopwords: frozenset[str]
) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for tokens in stretches:
        for size in range(low, high + 1):
            for start in range(len(tokens) - size + 1):
                gram = tuple(tokens[start : start + size])
                if (
                    gram[0].replace(_JOIN, " ") in stopwords
                    or gram[-1].replace(_JOIN, " ") in stopwords
                ):
                    continue
                if all(token.isdigit() for token in gram):
                    continue
                if _SIX_DIGITS.search(" ".join(gram)):
                    continue
                found.add(gram)
    return found


def _subgrams(gram: tuple[str, ...]) -> Iterable[tuple[str, ...]]:
    for size in range(1, len(gram)):
        for start in range(len(gram) - size + 1):
            yield gram[start : start + size]


def _join_chains(
    kept: dict[tuple[str, ...], frozenset[int]], high: int, texts: list[str]
) -> dict[tuple[str, ...], frozenset[int]]:
    """Join longest-size phrases that overlap and occur together in the same comments.

    "thủ tục khai", "tục khai sinh", "khai sinh nhanh" found in exactly the same comments
    become "thủ tục khai sinh nhanh", provided that phrase is really in each of them.
    """
    longest = [gram for gram in kept if len(gram) == high and high > 1]
    by_comments: dict[frozenset[int], list[tuple[str, ...]]] = {}
    for gram in longest:
        by_comments.setdefault(kept[gram], []).append(gram)
    joined = dict(kept)
    for ids, grams in by_comments.items():
        if len(grams) < 2:
            continue
        heads = {gram[:-1]: gram for gram in grams}
        tails = {gram[1:] for gram in grams}
        for start in grams:
            if start[:-1] in tails:
                continue  # not the first link of a chain
            chain, tokens = [start], list(start)
            while tuple(tokens[-(high - 1) :]) in heads and len(chain) <= len(grams):
                nxt = heads[tuple(tokens[-(high - 1) :])]
                chain.append(nxt)
                tokens.append(nxt[-1])
            if len(chain) < 2:
                continue
            needle = " " + " ".join(tokens) + " "
            if all(needle in texts[i] for i in ids):
                for gram in chain:
                    joined.pop(gram, None)
                joined[tuple(tokens)] = ids
    return joined


def _top(
    comments: Sequence[str], n: int, low: int, high: int, min_count: int, stop: frozenset[str]
) -> list[tuple[str, int, int]]:
    where: dict[tuple[str, ...], set[int]] = {}
    texts: list[str] = []
    seen: dict[str, tuple[str, set[tuple[str, ...]]]] = {}  # a comment written many times
    for index, comment in enumerate(comments):
        if comment not in seen:
            stretches = _stretches(comment)
            # one searchable text per comment; "|" keeps stretches apart
            text = " " + " | ".join(" ".join(tokens) for tokens in stretches) + " "
            seen[comment] = (text, _phrases(stretches, low, high, stop))
        text, grams = seen[comment]
        texts.append(text)
        for gram in grams:
            where.setdefault(gram, set()).add(index)
    kept = {gram: frozenset(ids) for gram, ids in where.items() if len(ids) >= min_count}
    kept = _join_chains(kept, high, texts)
    count = {gram: len(ids) for gram, ids in kept.items()}
    redundant = {
        sub
        for gram, c in count.items()
        for sub in _subgrams(gram)
        if len(sub) >= low and count.get(sub, len(where.get(sub, ()))) == c
    }
    ordered = sorted(
        (gram for gram in count if gram not in redundant),
        key=lambda gram: (-count[gram], -len(gram), " ".join(gram)),
    )
    return [(" ".join(gram).replace(_JOIN, " "), len(gram), count[gram]) for gram in ordered[:n]]


def _is_comment(value: object) -> bool:
    return isinstance(value, str) and bool(clean_text(value))


def top_phrases(
    df: pd.DataFrame,
    text_column: str,
    *,
    by: str | Sequence[str] | None = None,
    n: int = 10,
    ngram: tuple[int, int] = (1, 3),
    min_count: int = 3,
    stopwords: Iterable[str] = VIETNAMESE_STOPWORDS,
) -> pd.DataFrame:
    """The `n` most frequent phrases of `ngram` words in `text_column`, per `by` group.

    See the module docstring for the normalisation, what is counted and how personal data
    is kept out. Phrases found in fewer than `min_count` comments are not shown (a phrase
    one person wrote can identify them). Stopwords are compared after `match_key`.

    Returns the `by` columns, then ``phrase``, ``words`` (its length), ``count`` (comments
    containing it), ``comments`` (non-blank comments in the group), ``share``
    (count / comments) and ``rank`` (1 = most frequent). Groups without any phrase give no
    rows.
    """
    if text_column not in df.columns:
        raise InputError("text column not in the data", column=text_column)
    by_columns = [] if by is None else [by] if isinstance(by, str) else list(by)
    missing = [c for c in by_columns if c not in df.columns]
    if missing:
        raise InputError(f"by column(s) not in the data: {', '.join(map(repr, missing))}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ParameterError(f"n must be a whole number >= 1, got {n!r}")
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise ParameterError(f"min_count must be a whole number >= 1, got {min_count!r}")
    try:
        low, high = (int(v) for v in ngram)
    except (TypeError, ValueError):
        raise ParameterError(f"ngram must be a pair (min, max), got {ngram!r}") from None
    if not 1 <= low <= high:
        raise ParameterError(f"ngram must satisfy 1 <= min <= max, got {ngram!r}")
    stop = frozenset(match_key(str(word)) for word in stopwords)

    is_comment = df[text_column].map(_is_comment).astype(bool)
    data = df.loc[is_comment, [*by_columns, text_column]]
    columns = [*by_columns, "phrase", "words", "count", "comments", "share", "rank"]
    rows: list[dict[str, object]] = []
    groups = data.groupby(by_columns, dropna=False, sort=True) if by_columns else [((), data)]
    for key, group in groups:
        values = key if isinstance(key, tuple) else (key,)
        texts = group[text_column].tolist()
        for rank, (phrase, words, count) in enumerate(
            _top(texts, n, low, high, min_count, stop), start=1
        ):
            row: dict[str, object] = dict(zip(by_columns, values, strict=True))
            row.update(
                phrase=phrase,
                words=words,
                count=count,
                comments=len(texts),
                share=count / len(texts),
                rank=rank,
            )
            rows.append(row)
    return pd.DataFrame(rows, columns=columns)
