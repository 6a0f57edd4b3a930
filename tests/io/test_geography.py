"""Tests for satisfaction.io.geography: the 63/34 province lists, matching, commune names."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from satisfaction.errors import ParameterError
from satisfaction.io import geography
from satisfaction.io.geography import (
    CURRENT_34,
    HISTORICAL_63,
    UNCHANGED_11,
    ProvinceMatch,
    old_to_new,
    province_table,
    standardise_province,
    standardise_provinces,
    standardise_unit_name,
)
from satisfaction.io.text import ascii_key

OLD = province_table("historical_63")
NEW = province_table("current_34")

# Resolution 202/2025/QH15, article 1: each new unit and the old units merged into it.
MERGERS = {
    "Tuyên Quang": {"Hà Giang", "Tuyên Quang"},
    "Lào Cai": {"Lào Cai", "Yên Bái"},
    "Thái Nguyên": {"Bắc Kạn", "Thái Nguyên"},
    "Phú Thọ": {"Vĩnh Phúc", "Phú Thọ", "Hòa Bình"},
    "Bắc Ninh": {"Bắc Giang", "Bắc Ninh"},
    "Hưng Yên": {"Thái Bình", "Hưng Yên"},
    "Hải Phòng": {"Hải Dương", "Hải Phòng"},
    "Ninh Bình": {"Hà Nam", "Ninh Bình", "Nam Định"},
    "Quảng Trị": {"Quảng Bình", "Quảng Trị"},
    "Đà Nẵng": {"Quảng Nam", "Đà Nẵng"},
    "Quảng Ngãi": {"Kon Tum", "Quảng Ngãi"},
    "Gia Lai": {"Gia Lai", "Bình Định"},
    "Khánh Hòa": {"Ninh Thuận", "Khánh Hòa"},
    "Lâm Đồng": {"Lâm Đồng", "Đắk Nông", "Bình Thuận"},
    "Đắk Lắk": {"Đắk Lắk", "Phú Yên"},
    "Hồ Chí Minh": {"Bà Rịa - Vũng Tàu", "Bình Dương", "Hồ Chí Minh"},
    "Đồng Nai": {"Đồng Nai", "Bình Phước"},
    "Tây Ninh": {"Tây Ninh", "Long An"},
    "Cần Thơ": {"Cần Thơ", "Sóc Trăng", "Hậu Giang"},
    "Vĩnh Long": {"Bến Tre", "Vĩnh Long", "Trà Vinh"},
    "Đồng Tháp": {"Tiền Giang", "Đồng Tháp"},
    "Cà Mau": {"Bạc Liêu", "Cà Mau"},
    "An Giang": {"Kiên Giang", "An Giang"},
}


# --------------------------------------------------------------------------------------
# the tables
# --------------------------------------------------------------------------------------


def test_counts():
    assert len(HISTORICAL_63) == len(set(HISTORICAL_63)) == 63
    assert len(CURRENT_34) == len(set(CURRENT_34)) == 34
    assert len(UNCHANGED_11) == 11
    assert len(CURRENT_34) - len(UNCHANGED_11) == 23 == len(MERGERS)
    assert set(UNCHANGED_11) == {
        "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh",
        "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Cao Bằng",
    }  # fmt: skip


def test_every_old_province_maps_to_exactly_one_new_one():
    assert OLD["code"].is_unique and NEW["code"].is_unique
    assert OLD["new_name"].isin(CURRENT_34).all()
    groups = OLD.groupby("new_name")["name"].apply(set).to_dict()
    assert groups == {**MERGERS, **{name: {name} for name in UNCHANGED_11}}
    sizes = Counter(len(members) for members in groups.values())
    assert sizes == {1: 11, 2: 17, 3: 6}
    assert sum(size * count for size, count in sizes.items()) == 63
    # a new unit's code is the code of one of its old units, and its new_code agrees
    for row in NEW.itertuples():
        members = OLD[OLD["new_name"] == row.name]
        assert (members["new_code"] == row.code).all()
        assert row.code in set(members["code"])


def test_types_and_codes():
    cities = {"Hà Nội", "Hải Phòng", "Huế", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}
    centrally_run = "thành phố trực thuộc trung ương"
    assert set(OLD.loc[OLD["type"] == centrally_run, "name"]) == cities
    assert set(NEW.loc[NEW["type"] == centrally_run, "name"]) == cities
    assert set(OLD["type"]) == set(NEW["type"]) == {"tỉnh", centrally_run}
    assert OLD.set_index("name").loc[["Hà Giang", "Trà Vinh", "Cà Mau"], "code"].tolist() == [
        "02", "84", "96",
    ]  # fmt: skip
    assert NEW.set_index("name").loc[["Tây Ninh", "An Giang", "Lào Cai"], "code"].tolist() == [
        "80", "91", "15",
    ]  # fmt: skip


def test_shipped_csvs_are_nfc_and_ascii_keys_are_unique():
    data = Path(__file__).resolve().parents[2] / "src" / "satisfaction" / "data"
    for path in data.glob("provinces*.csv"):
        assert unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8")), path
    names = set(HISTORICAL_63) | set(CURRENT_34)
    assert len({ascii_key(n, compact=True) for n in names}) == len(names) == 63


def test_specific_mappings():
    assert old_to_new("Trà Vinh") == "Vĩnh Long"
    assert old_to_new("Sóc Trăng") == "Cần Thơ"
    assert old_to_new("Hải Dương") == "Hải Phòng"
    assert old_to_new("tinh ba ria vung tau") == "Hồ Chí Minh"
    assert old_to_new("Hà Nội") == "Hà Nội"
    assert old_to_new("Atlantis") is None
    series = pd.Series(["Bạc Liêu", None, "Kon Tum", "nowhere"], index=[3, 4, 5, 6])
    out = old_to_new(series)
    assert isinstance(out, pd.Series) and out.index.tolist() == [3, 4, 5, 6]
    assert out.isna().tolist() == [False, True, False, True]
    assert out.dropna().tolist() == ["Cà Mau", "Quảng Ngãi"]


# --------------------------------------------------------------------------------------
# standardise_province
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    ["Hà Nội", "Ha Noi", "ha noi", "Hanoi", "HÀ NỘI", "TP. Hà Nội", "Thành phố Hà Nội",
     "tp ha noi", "  Hà  Nội ", unicodedata.normalize("NFD", "Hà Nội"), "HN"],
)  # fmt: skip
def test_hanoi_spellings(spelling):
    found = standardise_province(spelling)
    assert (found.name, found.system, found.code_63, found.code_34) == (
        "Hà Nội",
        "both",
        "01",
        "01",
    )
    assert not found.merged_pre2025 and not found.territory_changed


@pytest.mark.parametrize(
    "spelling",
    ["TP HCM", "TP.HCM", "TPHCM", "tp.hcm", "Hồ Chí Minh", "Ho Chi Minh", "TP. Hồ Chí Minh",
     "Thành phố Hồ Chí Minh", "T.P Hồ Chí Minh", "Sài Gòn", "Sai Gon", "HCMC",
     "Ho Chi Minh City", "HCM"],
)  # fmt: skip
def test_hcmc_synonyms(spelling):
    found = standardise_province(spelling)
    assert found.name == "Hồ Chí Minh"
    assert (found.code_63, found.code_34, found.system) == ("79", "79", "both")
    assert found.territory_changed  # since 2025 it includes Bình Dương and Bà Rịa - Vũng Tàu


def test_merged_province_is_kept_and_flagged():
    found = standardise_province("Tỉnh Trà Vinh")
    assert found == ProvinceMatch(
        input="Tỉnh Trà Vinh",
        name="Trà Vinh",
        system="historical_63",
        code_63="84",
        code_34="86",
        new_name="Vĩnh Long",
        merged_pre2025=True,
        territory_changed=False,
        match="exact",
    )
    assert found.in_historical_63 and not found.in_current_34
    retired = [n for n in HISTORICAL_63 if standardise_province(n).merged_pre2025]
    assert len(retired) == 63 - 34 == 29
    assert all(standardise_province(n).system == "historical_63" for n in retired)


def test_name_kept_by_a_merged_unit_is_flagged_as_changed_territory():
    found = standardise_province("Cần Thơ")
    assert (found.name, found.system, found.merged_pre2025, found.territory_changed) == (
        "Cần Thơ", "both", False, True,
    )  # fmt: skip
    assert found.in_historical_63 and found.in_current_34
    changed = [n for n in CURRENT_34 if standardise_province(n).territory_changed]
    assert len(changed) == 23 and set(changed) == set(MERGERS)


def test_every_listed_name_matches_itself_exactly():
    for name in set(HISTORICAL_63) | set(CURRENT_34):
        found = standardise_province(name)
        assert (found.name, found.match) == (name, "exact")


def test_tone_style_spacing_and_missing_diacritics():
    assert standardise_province("Hoà Bình").name == "Hòa Bình"
    assert standardise_province("Hoà Bình").match == "exact"
    assert standardise_province("Khánh Hoà").name == "Khánh Hòa"
    assert standardise_province("thanh hoa").name == "Thanh Hóa"
    assert standardise_province("Bà Rịa-Vũng Tàu").name == "Bà Rịa - Vũng Tàu"
    assert standardise_province("Daklak").name == "Đắk Lắk"
    assert standardise_province("Đắc Lắc").name == "Đắk Lắk"
    assert standardise_province("Thừa Thiên Huế").name == "Huế"
    assert standardise_province("Thừa Thiên Huế").match == "alias"
    assert standardise_province("Hai Duong").match == "ascii"


@pytest.mark.parametrize("unknown", ["Paris", "", "   ", "Hà", "Tỉnh", "Quảng", "Bình", None, 7])
def test_unknown_names_are_unmatched_not_guessed(unknown):
    found = standardise_province(unknown)
    assert not found.matched
    assert (found.name, found.system, found.new_name, found.match) == (None, None, None, None)


def test_standardise_provinces_on_a_column():
    series = pd.Series(["ha noi", None, "Trà Vinh", "xx", "ha noi", np.nan], index=list("abcdef"))
    out = standardise_provinces(series)
    assert out.index.tolist() == list("abcdef")
    assert out.columns.tolist() == [
        "province", "system", "code_63", "code_34", "new_province", "merged_pre2025",
        "territory_changed", "match",
    ]  # fmt: skip
    assert out["province"].isna().tolist() == [False, True, False, True, False, True]
    assert out["province"].dropna().tolist() == ["Hà Nội", "Trà Vinh", "Hà Nội"]
    assert out.loc["c", "new_province"] == "Vĩnh Long"
    assert out["merged_pre2025"].tolist() == [False, False, True, False, False, False]
    assert out["match"].dropna().tolist() == ["ascii", "exact", "ascii"]


def test_province_table_rejects_unknown_system():
    with pytest.raises(ParameterError):
        province_table("current_35")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# commune / ward names
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Xã Tân Phú", ("xã", "Tân Phú")),
        ("X. Tân Phú", ("xã", "Tân Phú")),
        ("x.Tân Phú", ("xã", "Tân Phú")),
        ("XÃ TÂN PHÚ", ("xã", "Tân Phú")),
        (unicodedata.normalize("NFD", "Xã  Tân Phú "), ("xã", "Tân Phú")),
        ("Phường Bến Nghé", ("phường", "Bến Nghé")),
        ("P. Bến Nghé", ("phường", "Bến Nghé")),
        ("Phường 01", ("phường", "1")),
        ("P.1", ("phường", "1")),
        ("P1", ("phường", "1")),
        ("Thị trấn Cầu Diễn", ("thị trấn", "Cầu Diễn")),
        ("TT. Cầu Diễn", ("thị trấn", "Cầu Diễn")),
        ("TT Cầu Diễn", ("thị trấn", "Cầu Diễn")),
        ("Đặc khu Phú Quốc", ("đặc khu", "Phú Quốc")),
        ("Thị xã Sơn Tây", ("thị xã", "Sơn Tây")),
        ("Huyện Củ Chi", ("huyện", "Củ Chi")),
        ("Q.3", ("quận", "3")),
        ("Xa Tan Phu", ("xã", "Tan Phu")),
        ("Xà Phiên", (None, "Xà Phiên")),
        ("xã Xà Phiên", ("xã", "Xà Phiên")),
        ("Phú Mỹ", (None, "Phú Mỹ")),
        ("Phường", (None, "Phường")),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_standardise_unit_name(raw, expected):
    assert standardise_unit_name(raw) == expected


# --------------------------------------------------------------------------------------
# cross-check against the PyPI package vietnamadminunits (skipped when absent)
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vau_data():
    package = pytest.importorskip("vietnamadminunits")
    root = Path(package.__file__).parent / "data"
    with sqlite3.connect(root / "dataset.db") as conn:
        old = dict(conn.execute("SELECT DISTINCT provinceCode, province FROM admin_units_legacy"))
        new = dict(conn.execute("SELECT DISTINCT provinceCode, province FROM admin_units"))
    mapping = json.loads((root / "converter_2025.json").read_text(encoding="utf-8"))
    return old, new, mapping["DICT_PROVINCE"]


def test_cross_check_lists_with_vietnamadminunits(vau_data):
    old, new, _ = vau_data
    ours_old = dict(zip(OLD["code"], OLD["full_name"], strict=True))
    ours_new = dict(zip(NEW["code"], NEW["full_name"], strict=True))
    assert ours_old == old
    assert ours_new == new


def test_cross_check_mapping_with_vietnamadminunits(vau_data):
    _, _, mapping = vau_data
    theirs = {new: set(olds) for new, olds in mapping.items()}
    ours: dict[str, set[str]] = {}
    new_full = dict(zip(NEW["name"], NEW["full_name"], strict=True))
    for row in OLD.itertuples():
        key = ascii_key(new_full[row.new_name], compact=True)
        ours.setdefault(key, set()).add(ascii_key(row.full_name, compact=True))
    assert ours == theirs


@pytest.mark.parametrize(
    ("code", "name"),
    [(1, "Hà Nội"), ("01", "Hà Nội"), (" 1 ", "Hà Nội"), (1.0, "Hà Nội"), ("22", "Quảng Ninh"),
     (22.0, "Quảng Ninh"), ("02", "Hà Giang"), (15, "Lào Cai")],
)  # fmt: skip
def test_official_codes_name_their_province(code, name):
    assert geography.province_by_code(code) == name
    match = geography.standardise_province(code)
    assert (match.name, match.match) == (name, "code")


def test_codes_that_changed_hands_in_2025_read_in_either_system():
    # 15 was Yên Bái before 2025; it merged into Lào Cai, which took the code
    assert geography.province_by_code(15, "historical_63") == "Yên Bái"
    assert geography.old_to_new("Yên Bái") == geography.province_by_code(15)
    for code in (0, 3, 100, "1.5", "x1", True, None):
        assert geography.province_by_code(code) is None
