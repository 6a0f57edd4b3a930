"""`satisfaction papi published FILE.xlsx`: the files it writes and its one-line errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from satisfaction.cli import main
from satisfaction.run.papi import publish_tables

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "data" / "papi"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    return publish_tables(FIXTURES / "papi_two_eras.xlsx", out)


def test_published_tables_are_written(published):
    names = {p.name for p in published.files}
    assert {"scores.csv", "checks.csv", "quartile_groups.csv", "league_tables.xlsx"} <= names
    assert published.folder.name == "papi-two-eras"
    assert published.years == (2017, 2018)
    maps = sorted(p.name for p in (published.folder / "maps").iterdir())
    assert maps == [f"quartile_map_{y}.{e}" for y in (2017, 2018) for e in ("csv", "png", "svg")]
    scores = pd.read_csv(published.folder / "scores.csv", encoding="utf-8-sig", dtype=str)
    assert scores["province_code"].str.len().eq(2).all()  # "01", not 1


def test_league_workbook_shows_labels_not_codes(published):
    sheets = pd.read_excel(
        published.folder / "league_tables.xlsx", sheet_name=None, header=None, engine="calamine"
    )
    assert list(sheets) == ["2017", "2018", "Kiểm tra"]
    year = sheets["2017"]
    header = list(year.iloc[1])  # the notes row, then the header
    assert header[:5] == [
        "Hạng",
        "Trên tổng số tỉnh",
        "Tỉnh/thành phố",
        "Chỉ số PAPI (tổng)",
        "Nhóm",
    ]
    assert "PERCENTILE.INC" in str(year.iloc[0, 0])
    assert "Hà Nội" in set(year.iloc[2:, 2])


def test_cli_writes_and_reports(tmp_path, capsys):
    code = main(["papi", "published", str(FIXTURES / "papi_two_eras.xlsx"), "--outputs",
                 str(tmp_path)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "problems: 2" in out  # 4 provinces per sheet, not 63
    assert (tmp_path / "papi" / "papi-two-eras" / "league_tables.xlsx").is_file()


def test_cli_bad_cell_is_one_line(tmp_path, capsys):
    code = main(["papi", "published", str(FIXTURES / "papi_bad_cell.xlsx"), "--outputs",
                 str(tmp_path)])  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "sheet '2017_PAPI': row 4: column 'E'" in err
