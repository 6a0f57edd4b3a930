"""Dossier exports clean to hand-counted logs and quarantines, from a vendor-like CSV and the
same export saved as .xlsx by LibreOffice (tests/data/dossiers/make_fixtures.py)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from satisfaction.cleaning.dossiers import (
    CLEAN_COLUMNS,
    DOSSIER_LOG_COLUMNS,
    DOSSIER_RULES,
    clean_dossier_folder,
    clean_dossiers,
    write_clean_dossiers,
)
from satisfaction.errors import InputError
from satisfaction.io.dossiers import load_dossier_spec, read_dossiers

DATA = Path(__file__).resolve().parents[1] / "data" / "dossiers"

# counted by hand from the rows of make_fixtures.py (one dirty row per rule)
EXPECTED_RULES = {
    "text_normalised": 1,
    "status_from_dates": 1,
    "bad_date": 1,
    "returned_on_pending": 1,
    "missing_channel": 1,
    "unknown_rating": 1,
    "due_unknown": 1,
    "rating_not_counted": 1,
    "missing_id": 1,
    "unknown_status": 1,
    "unknown_channel": 1,
    "bad_received_date": 1,
    "settled_without_return_date": 1,
    "returned_before_received": 1,
    "duplicate_exact": 1,
    "duplicate_conflict": 2,
    "blank_row": 1,
    "totals_row": 1,
}


@pytest.fixture(scope="module", params=["dossiers.yaml", "dossiers_xlsx.yaml"])
def cleaned(request):
    spec = load_dossier_spec(DATA / request.param)
    return clean_dossiers(read_dossiers(spec), spec)


def test_rules_fire_exactly_as_counted_by_hand(cleaned):
    counts = cleaned.log()["rule"].value_counts().to_dict()
    assert counts == EXPECTED_RULES
    assert set(counts) <= set(DOSSIER_RULES)


def test_clean_plus_quarantine_is_raw_row_for_row(cleaned):
    clean, quarantine = cleaned.data(), cleaned.quarantine()
    assert len(clean) == 20 and len(quarantine) == 11
    rows = sorted([*clean["_row"], *quarantine["_row"]])
    # header on line 3; 31 lines of data (rows 4..34): dossiers, a blank row, a totals row
    assert rows == list(range(4, 35))
    assert cleaned.raw_rows == 31 == cleaned.clean_rows + cleaned.quarantined_rows


def test_quarantine_keeps_the_exported_values_and_names_the_rule(cleaned):
    quarantine = cleaned.quarantine().set_index("_row")
    assert quarantine.loc[19, "Mã hồ sơ"] == "HS003"  # the second copy; row 6 is kept
    assert quarantine.loc[19, "quarantine_reason"] == "duplicate_exact"
    assert list(quarantine.loc[[20, 21], "quarantine_reason"]) == ["duplicate_conflict"] * 2
    assert quarantine.loc[23, "Trạng thái"] == "Đã chuyển xử lý"
    assert quarantine.loc[25, "Ngày tiếp nhận"] == "32/01/2025"
    assert quarantine.loc[34, "quarantine_reason"] == "totals_row"
    assert 6 in set(cleaned.data()["_row"])


def test_log_names_row_export_column_old_and_new_value(cleaned):
    log = cleaned.log()
    assert list(log.columns) == DOSSIER_LOG_COLUMNS
    unit = log[log["rule"] == "text_normalised"].iloc[0]
    assert (unit["row_id"], unit["dossier_id"], unit["column"]) == (29, "HS022", "Đơn vị")
    assert unit["new_value"] == "UBND phường An Hòa" and unit["old_value"] != unit["new_value"]
    late = log[log["rule"] == "returned_before_received"].iloc[0]
    assert (late["row_id"], late["column"]) == (22, "Ngày trả kết quả")
    assert late["old_value"] in ("05/01/2025", "2025-01-05")  # CSV text / LibreOffice date


def test_clean_values_are_typed_and_decoded(cleaned):
    data = cleaned.data().set_index("dossier_id")
    assert list(cleaned.data().columns) == list(CLEAN_COLUMNS)
    assert data.loc["HS022", "unit"] == "UBND phường An Hòa"
    assert data.loc["HS001", "channel"] == "online" and data.loc["HS001", "online_level"] == "full"
    assert data.loc["HS004", "channel"] == "postal"
    assert data.loc["HS014", "rating"] == 5 and data.loc["HS014", "rating_class"] == "satisfied"
    assert data.loc["HS007", "rating_class"] == "neutral"
    assert data.loc["HS024", "status"] == "settled" and pd.isna(data.loc["HS024", "channel"])
    assert data.loc["HS025", "status"] == "pending" and pd.isna(data.loc["HS025", "returned"])
    assert pd.isna(data.loc["HS023", "due"]) and pd.isna(data.loc["HS023", "rating"])
    assert str(data.loc["HS023", "received"])[:10] == "2025-02-03"  # ISO accepted beside d/m/y
    assert bool(data.loc["HS008", "complaint"]) and pd.isna(data.loc["HS001", "complaint"])


def test_csv_and_libreoffice_xlsx_clean_to_the_same_dossiers():
    frames = []
    for name in ("dossiers.yaml", "dossiers_xlsx.yaml"):
        spec = load_dossier_spec(DATA / name)
        frames.append(clean_dossiers(read_dossiers(spec), spec).data())
    pd.testing.assert_frame_equal(frames[0], frames[1])


def test_due_date_from_working_days_when_the_export_has_none(tmp_path):
    """Received Friday 24/01/2025 + 3 working days, with Tết (27/01-31/01) off: 05/02."""
    export = tmp_path / "ho_so.csv"
    export.write_text(
        "Mã,Đơn vị,Lĩnh vực,Thủ tục,Kênh,Nhận,Trả,Trạng thái\n"
        "A1,Xã X,Hộ tịch,Khai sinh,Trực tiếp,24/01/2025,05/02/2025,Đã trả kết quả\n"
        "A2,Xã X,Hộ tịch,Khai tử,Trực tiếp,24/01/2025,05/02/2025,Đã trả kết quả\n",
        encoding="utf-8",
    )
    (tmp_path / "dossiers.yaml").write_text(
        "data: {file: ho_so.csv}\n"
        "columns: {dossier_id: Mã, unit: Đơn vị, field: Lĩnh vực, procedure: Thủ tục,\n"
        "  channel: Kênh, received: Nhận, returned: Trả, status: Trạng thái}\n"
        "time_limits: {Khai sinh: 3}\n"
        "holidays: [2025-01-27, 2025-01-28, 2025-01-29, 2025-01-30, 2025-01-31]\n",
        encoding="utf-8",
    )
    result = clean_dossier_folder(tmp_path)
    data = result.data().set_index("dossier_id")
    assert str(data.loc["A1", "due"])[:10] == "2025-02-05"
    assert data.loc["A1", "due_source"] == "calendar"
    assert pd.isna(data.loc["A2", "due"])  # no time limit for this procedure
    assert result.count("due_from_calendar") == 1 and result.count("due_unknown") == 1


def test_written_files_and_raw_export_untouched(tmp_path):
    folder = tmp_path / "xa"
    shutil.copytree(DATA, folder)
    before = hashlib.sha256((folder / "ho_so_mot_cua.csv").read_bytes()).hexdigest()
    result = clean_dossier_folder(folder)
    paths = write_clean_dossiers(result, tmp_path / "out")
    assert hashlib.sha256((folder / "ho_so_mot_cua.csv").read_bytes()).hexdigest() == before
    assert len(pd.read_parquet(paths["dossiers"])) == 20
    summary = pd.read_csv(paths["summary"], encoding="utf-8-sig")
    assert summary.groupby("rule")["count"].sum().to_dict() == EXPECTED_RULES
    assert len(pd.read_csv(paths["quarantine"], encoding="utf-8-sig")) == 11


def test_a_missing_mapped_column_is_one_located_error(tmp_path):
    shutil.copy(DATA / "ho_so_mot_cua.csv", tmp_path)
    text = (DATA / "dossiers.yaml").read_text(encoding="utf-8")
    (tmp_path / "dossiers.yaml").write_text(text.replace("Kênh nộp", "Kênh"), encoding="utf-8")
    spec = load_dossier_spec(tmp_path)
    with pytest.raises(InputError) as caught:
        read_dossiers(spec)
    message = str(caught.value)
    assert "ho_so_mot_cua.csv" in message and "column 'Kênh'" in message
    assert "channel" in message and "\n" not in message
