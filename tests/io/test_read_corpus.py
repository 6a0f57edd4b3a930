"""Files written by other programs (tests/data/corpus, made by tests/data/make_corpus.py)
read and clean to the same frame as their original, row for row.

Also the published PAPI workbook in shared/data, when it is there (read-only, not copied).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from satisfaction.cleaning.rules import clean
from satisfaction.io.read import read_responses

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "corpus"
PAPI = ROOT.parent / "shared" / "data" / "papi" / "PAPI_2011-2016.xlsx"


@pytest.fixture(scope="module")
def original(demo_instrument):
    raw = read_responses(CORPUS / "demo_small.xlsx", sheet="Dữ liệu")
    return raw, clean(raw, demo_instrument)


@pytest.mark.parametrize("name", ["demo_small_lo.xlsx", "demo_small_lo.xls", "demo_small_lo.ods"])
def test_libreoffice_copies_read_and_clean_as_the_original(original, demo_instrument, name):
    raw0, clean0 = original
    raw = read_responses(CORPUS / name, sheet="Dữ liệu")
    assert raw.format == name.rsplit(".", 1)[1]
    pd.testing.assert_frame_equal(raw.frame, raw0.frame)
    pd.testing.assert_frame_equal(raw.removed, raw0.removed)
    assert [str(n) for n in raw.notes] == [str(n) for n in raw0.notes]
    result = clean(raw, demo_instrument)
    pd.testing.assert_frame_equal(result.data, clean0.data)
    pd.testing.assert_frame_equal(result.log, clean0.log)
    pd.testing.assert_frame_equal(result.quarantine, clean0.quarantine)


def test_original_has_the_demo_layout(original):
    raw, result = original
    assert raw.header_row == 3
    assert [n.kind for n in raw.notes_of("two_row_header")] == ["two_row_header"]
    assert sorted(raw.removed["_reason"]) == ["blank_row", "totals_row"]
    assert len(result.data) + len(result.quarantine) == len(raw.frame) + len(raw.removed)


@pytest.mark.skipif(not PAPI.exists(), reason="shared/data/papi is not beside the repository")
def test_published_papi_workbook_opens():
    raw = read_responses(PAPI, sheet="2016_PAPI")
    assert raw.header_row == 1
    assert {"tinhid", "tentinh_vie"} <= set(raw.columns)
    assert len(raw.frame) >= 63


@pytest.mark.parametrize("name", ["offset.xlsx", "offset_lo.xls", "offset_lo.ods"])
def test_a_table_away_from_a1_keeps_the_rows_excel_shows(name):
    raw = read_responses(CORPUS / name)
    assert raw.header_row == 3
    assert raw.frame.to_dict("list") == {"_row": [4, 5], "ma": ["01", "02"], "q1": ["4", "5"]}


@pytest.mark.parametrize("name", ["merged_lo.xls", "merged_lo.ods"])
def test_merged_blocks_fill_down_in_every_format(name):
    original = read_responses(CORPUS / "merged.xlsx")
    raw = read_responses(CORPUS / name)
    assert raw.frame["tinh"].tolist() == ["Hà Nội", "Hà Nội", "Hà Nội", "Huế", "Huế"]
    pd.testing.assert_frame_equal(raw.frame, original.frame)
    pd.testing.assert_frame_equal(
        raw.filled.sort_values(["_row", "column"]).reset_index(drop=True),
        original.filled.sort_values(["_row", "column"]).reset_index(drop=True),
    )
