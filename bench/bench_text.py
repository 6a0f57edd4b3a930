"""Benchmark: legacy conversion and cleaning of large text columns (prints seconds).

Target: cleaning 1,000,000 rows x 40 columns in under 60 s overall, so one low-cardinality
column should take well under 1.5 s. Run: ``python bench/bench_text.py``.
"""

from __future__ import annotations

import time
import unicodedata

import numpy as np
import pandas as pd

from satisfaction.io.geography import HISTORICAL_63, standardise_provinces
from satisfaction.io.text import clean_text, convert_legacy, encode_tcvn3, match_key

N_ROWS = 1_000_000
N_DISTINCT = 1_000


def _labels() -> list[str]:
    base = ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]
    words = [*base, *HISTORICAL_63, "Đất đai", "Bảo hiểm y tế", "Công chứng", "Hộ tịch"]
    labels = [f"{words[i % len(words)]} {i}" for i in range(N_DISTINCT)]
    return labels


def _timed(label: str, func):
    start = time.perf_counter()
    result = func()
    print(f"{label:<58} {time.perf_counter() - start:6.2f} s")
    return result


def main() -> None:
    rng = np.random.default_rng(1)
    labels = _labels()
    picks = rng.integers(0, N_DISTINCT, N_ROWS)
    tcvn3 = np.array([f"  {encode_tcvn3(w).decode('cp1252')}\u00a0" for w in labels], dtype=object)
    unicode_nfd = np.array([unicodedata.normalize("NFD", f" {w}  ") for w in labels], dtype=object)
    legacy_col = pd.Series(tcvn3[picks])
    unicode_col = pd.Series(unicode_nfd[picks])
    print(f"{N_ROWS:,} rows, {N_DISTINCT:,} distinct values per column, dtype {legacy_col.dtype}")

    non_ascii = np.array([not w.isascii() for w in labels])
    expected_changes = int(non_ascii[picks].sum())  # "Kon Tum 3" is the same in TCVN3

    def legacy_then_clean():
        converted, encoding, n_changed = convert_legacy(legacy_col)
        assert (encoding, n_changed) == ("tcvn3", expected_changes), (encoding, n_changed)
        return clean_text(converted)

    out = _timed("TCVN3 column: convert_legacy + clean_text", legacy_then_clean)
    assert out.iloc[0] == labels[picks[0]]

    def legacy_and_clean_in_one_pass():
        converted, encoding, n_changed = convert_legacy(legacy_col, clean=True)
        assert (encoding, n_changed) == ("tcvn3", expected_changes)
        return converted

    out = _timed("TCVN3 column: convert_legacy(clean=True)", legacy_and_clean_in_one_pass)
    assert out.iloc[0] == labels[picks[0]]

    def unicode_then_clean():
        converted, encoding, _ = convert_legacy(unicode_col)
        assert encoding is None
        return clean_text(converted)

    _timed("Unicode (NFD) column: convert_legacy + clean_text", unicode_then_clean)
    _timed("match_key on the same column", lambda: match_key(unicode_col))
    provinces = pd.Series(np.array(HISTORICAL_63, dtype=object)[rng.integers(0, 63, N_ROWS)])
    _timed("standardise_provinces (63 distinct)", lambda: standardise_provinces(provinces))

    clean = pd.Series([f"Người trả lời số {i}" for i in range(N_ROWS)])
    dirty = pd.Series([f"Người trả lời số {i}\t" for i in range(N_ROWS)])
    _timed("1,000,000 distinct, already clean: clean_text", lambda: clean_text(clean))
    _timed("1,000,000 distinct, already clean: convert_legacy", lambda: convert_legacy(clean))
    _timed("1,000,000 distinct, all dirty: clean_text", lambda: clean_text(dirty))
    _timed(
        "1,000,000 distinct, all dirty: convert_legacy(clean=True)",
        lambda: convert_legacy(dirty, clean=True),
    )
    ascii_codes = pd.Series([f"ID-{i:07d}" for i in range(N_ROWS)])
    _timed(
        "1,000,000 distinct ASCII codes: convert_legacy(clean=True)",
        lambda: convert_legacy(ascii_codes, clean=True),
    )


if __name__ == "__main__":
    main()
