"""Reading published PAPI-style workbooks: the real PAPI_2011-2016.xlsx (read from
../shared/data/papi, skipped when absent) and small workbooks saved by LibreOffice
(tests/data/papi/make_papi_fixtures.py)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from satisfaction.errors import InputError
from satisfaction.io.papi_workbook import TIDY_COLUMNS, read_papi_workbook, tidy_scores

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "data" / "papi"
REAL = Path(
    os.environ.get(
        "PAPI_WORKBOOK", ROOT.parent / "shared" / "data" / "papi" / "PAPI_2011-2016.xlsx"
    )
)


@pytest.fixture(scope="module")
def real_workbook():
    if not REAL.is_file():
        pytest.skip(f"real PAPI workbook not found at {REAL}")
    return read_papi_workbook(REAL)


def test_real_workbook_has_six_years_of_63_provinces(real_workbook):
    assert [s.year for s in real_workbook.sheets] == [2011, 2012, 2013, 2014, 2015, 2016]
    for sheet in real_workbook.sheets:
        assert len(sheet.scores) == 63
        assert sheet.scores["province_code"].is_unique
        assert sheet.header_rows == (1, 2)
        roles = [c.role for c in sheet.columns]
        assert roles.count("dimension") == 6 and roles.count("total") == 1
        assert roles.count("sub_dimension") == 22  # 4 + 3 + 3 + 4 + 4 + 4


def test_real_workbook_highest_row_is_excluded_not_a_province(real_workbook):
    for sheet in real_workbook.sheets:
        assert [(e.row, e.code) for e in sheet.excluded] == [(66, 999)]
        assert "Điểm cao nhất" in sheet.excluded[0].name
    tidy = tidy_scores(real_workbook)
    assert not tidy["province"].str.contains("cao nhất|Highest").any()


def test_real_workbook_2014_unpublished_provinces_are_missing_not_zero(real_workbook):
    sheet = real_workbook.sheet(2014)
    assert sheet.zero_totals_over_empty == (17, 58)  # =D17+I17+... over empty cells gives 0
    tidy = tidy_scores(real_workbook)
    missing = tidy[tidy["score"].isna()]
    assert set(missing["year"]) == {2014}
    assert set(missing["province"]) == {"Bắc Giang", "Đồng Tháp"}
    assert (tidy["score"] != 0).all()


def test_real_workbook_tidy_frame_locates_every_score(real_workbook):
    tidy = tidy_scores(real_workbook)
    assert list(tidy.columns) == TIDY_COLUMNS
    assert len(tidy) == 6 * 63 * 29
    hanoi = tidy[(tidy["year"] == 2011) & (tidy["province_code"] == "01")]
    total = hanoi[hanoi["level"] == "total"].iloc[0]
    assert (total["row"], total["column"]) == (3, "AF")
    assert total["score"] == pytest.approx(36.40502, abs=1e-5)
    assert hanoi.loc[hanoi["column"] == "D", "score"].iloc[0] == 5.76248
    camau = tidy[(tidy["year"] == 2016) & (tidy["province_code"] == "96")]
    assert camau["province"].iloc[0] == "Cà Mau"


def test_real_workbook_2016_sub_dimension_keys(real_workbook):
    keys = {
        year: {
            c.key
            for c in real_workbook.sheet(year).columns
            if c.role == "sub_dimension" and c.dimension_id == "accountability"
        }
        for year in (2015, 2016)
    }
    assert keys[2015] - keys[2016] == {"community investment boards"}
    assert keys[2016] - keys[2015] == {"responsive to citizen actions"}


# ------------------------------------------------------------ workbooks saved by LibreOffice
def test_libreoffice_workbook_two_eras_and_a_notes_sheet():
    workbook = read_papi_workbook(FIXTURES / "papi_two_eras.xlsx")
    assert [s.year for s in workbook.sheets] == [2017, 2018]
    assert workbook.skipped == (("Ghi chú", "no province-code header (tinhid / mã tỉnh) found"),)
    old, new = workbook.sheets
    assert sum(c.role == "dimension" for c in old.columns) == 6
    assert sum(c.role == "dimension" for c in new.columns) == 8
    # the 2018 sheet has Vietnamese headers only: its sub-dimensions borrow the English keys
    assert new.header_rows == (1,)
    assert {c.key for c in new.columns if c.dimension_id == "participation"} >= {
        "civic knowledge",
        "quality of elections",
    }
    # formula totals: LibreOffice's cached values are read; Bắc Kạn's 0 over empty cells is not
    tidy = tidy_scores(workbook)
    kan = tidy[(tidy["province"] == "Bắc Kạn")]
    assert kan["score"].isna().all()
    assert old.zero_totals_over_empty == (6,)
    hanoi = tidy[(tidy["year"] == 2017) & (tidy["province"] == "Hà Nội")]
    dims = hanoi[hanoi["level"] == "dimension"]["score"].sum()
    assert hanoi[hanoi["level"] == "total"]["score"].iloc[0] == pytest.approx(dims, abs=1e-9)


def test_text_in_a_score_cell_is_refused_with_its_place():
    # "n/a" would be read as missing by pandas' default NA strings: it must not be
    with pytest.raises(InputError) as err:
        read_papi_workbook(FIXTURES / "papi_bad_cell.xlsx")
    problem = err.value.first
    assert (problem.sheet, problem.row, problem.column) == ("2017_PAPI", 4, "E")
    assert "'n/a' is text" in problem.message


def test_unknown_province_code_is_refused():
    with pytest.raises(InputError) as err:
        read_papi_workbook(FIXTURES / "papi_bad_code.xlsx")
    assert (err.value.first.row, err.value.first.column) == (7, "A")
    assert "not one of the 63 province codes" in str(err.value)


def test_broken_and_missing_files_are_one_line_errors(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(InputError, match="cannot be read as a workbook"):
        read_papi_workbook(broken)
    with pytest.raises(InputError, match="file not found"):
        read_papi_workbook(tmp_path / "absent.xlsx")


def test_a_code_whose_name_is_another_province_is_refused(tmp_path):
    import openpyxl

    source = openpyxl.load_workbook(FIXTURES / "papi_two_eras.xlsx")
    sheet = source["2017_PAPI"]
    sheet["C4"] = "Cà Mau"  # row 4 holds code 2 (Hà Giang)
    target = tmp_path / "swapped.xlsx"
    source.save(target)
    with pytest.raises(InputError) as err:
        read_papi_workbook(target)
    assert err.value.first.row == 4
    assert "code 2 is Hà Giang" in str(err.value)


def test_scores_keep_full_precision():
    workbook = read_papi_workbook(FIXTURES / "papi_two_eras.xlsx")
    values = workbook.sheets[0].scores.drop(
        columns=["row", "province_code", "province", "name_as_written"]
    )
    assert values.to_numpy(dtype=float).dtype == np.float64
