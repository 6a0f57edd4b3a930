"""The demo survey: rebuilt byte-for-byte from its seed, tells its story, documents its dirt."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

import satisfaction.demo.sipas as demo
import satisfaction.demo.workbook as workbook
from demo_waves import previous_wave
from satisfaction.demo.spec import CRITERIA, PLANTED, PREVIOUS_WAVE
from satisfaction.demo.workbook import demo_workbook_bytes

ROOT = Path(__file__).resolve().parents[2]


def test_committed_workbook_is_rebuilt_byte_for_byte(demo_survey):
    committed = (ROOT / "surveys" / "demo" / "responses.xlsx").read_bytes()
    assert demo_workbook_bytes(demo_survey) == committed


def test_docstring_table_matches_planted_counts():
    table = dict(
        (m.group(1), int(m.group(2)))
        for m in re.finditer(r"^(\w+)\s+(\d+)\s{2,}", demo.__doc__ or "", flags=re.M)
    )
    assert table == PLANTED


def test_design_has_8_strata_with_8_to_12_psus_and_unequal_weights(demo_survey):
    raw = demo_survey.raw
    psus = demo_survey.truth.groupby("tang")["ma_xa"].nunique()  # raw codes lost their zeros
    assert len(psus) == 8 and psus.between(8, 12).all()
    weights = pd.to_numeric(raw["trong_so"])
    assert weights.min() > 0 and weights.max() / weights.min() > 1.5
    assert 7_500 <= len(raw) <= 8_500


def _top2(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    codes = frame[columns].apply(pd.to_numeric)
    return (codes >= 4).sum(axis=1) / codes.notna().sum(axis=1)


def test_the_story_land_lowest_civil_registration_highest_vinh_long_weak_on_e3(demo_survey):
    truth = demo_survey.truth.loc[~demo_survey.truth["quarantined"].to_numpy()].copy()
    truth["share"] = _top2(truth, CRITERIA)
    by_field = truth.groupby("linh_vuc")["share"].mean()
    assert by_field.idxmin() == "Đất đai" and by_field.idxmax() == "Hộ tịch"
    truth["e3"] = _top2(truth, [c for c in CRITERIA if c.startswith("c3_")])
    current = truth["tinh"].replace({"Trà Vinh": "Vĩnh Long", "Hải Dương": "Hải Phòng"})
    by_province = truth.groupby(current)["e3"].mean()
    assert by_province.idxmin() == "Vĩnh Long"
    assert by_province["Vĩnh Long"] < by_province.drop("Vĩnh Long").min() - 0.15


def test_no_natural_straightlining_outside_the_planted_forms(demo_survey):
    grid = demo_survey.truth[CRITERIA].apply(pd.to_numeric).to_numpy(dtype=float)
    alike = np.all(grid == grid[:, :1], axis=1)
    assert alike.sum() == PLANTED["straightlining"] + 0  # only the planted ones
    assert set(np.flatnonzero(alike)) == set(np.flatnonzero(demo_survey.truth["straightlining"]))


def test_previous_wave_is_rebuilt_byte_for_byte_with_its_own_id():
    folder = ROOT / "surveys" / "demo-2024"
    committed = (folder / "responses.xlsx").read_bytes()
    assert demo_workbook_bytes(previous_wave()) == committed
    text = (folder / "instrument.yaml").read_text(encoding="utf-8")
    current = (ROOT / "surveys" / "demo" / "instrument.yaml").read_text(encoding="utf-8")
    # the same instrument (extends ../sipas/instrument.yaml: same version), its own id and year
    assert text == current.replace("id: demo\n", "id: demo-2024\n").replace(
        "year: 2025", "year: 2024"
    )
    assert "id: demo-2024" in text and "extends: ../sipas/instrument.yaml" in text


def test_write_demo_survey_names_the_previous_wave(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "generate_demo", lambda seed, wave: previous_wave())
    monkeypatch.setattr(workbook, "demo_workbook_bytes", lambda survey, seed: b"")  # tested above
    workbook.write_demo_survey(tmp_path, wave=PREVIOUS_WAVE)
    written = (tmp_path / "instrument.yaml").read_text(encoding="utf-8")
    assert written == (ROOT / "surveys" / "demo-2024" / "instrument.yaml").read_text("utf-8")


def test_previous_wave_is_an_independent_sample_with_the_planted_changes(demo_survey):
    from satisfaction.demo.spec import NULL_CHANGE

    before = previous_wave()
    # a new sample: different form ids and different answers, same size of design
    assert not set(before.raw["ma_phieu"]) & set(demo_survey.raw["ma_phieu"])
    assert 7_500 <= len(before.raw) <= 8_500

    def share(truth: pd.DataFrame, province: str, field: str | None, items: list[str]) -> float:
        truth = truth.loc[~truth["quarantined"].to_numpy()]
        current = truth["tinh"].replace({"Trà Vinh": "Vĩnh Long", "Hải Dương": "Hải Phòng"})
        rows = (current == province) & ((truth["linh_vuc"] == field) if field else True)
        return float(_top2(truth.loc[rows], items).mean())

    e3 = [c for c in CRITERIA if c.startswith("c3_")]
    land_now = share(demo_survey.truth, "Hà Nội", "Đất đai", CRITERIA)
    land_before = share(before.truth, "Hà Nội", "Đất đai", CRITERIA)
    assert land_now - land_before > 0.10  # +0.6 on the latent scale
    vl_now = share(demo_survey.truth, "Vĩnh Long", None, e3)
    vl_before = share(before.truth, "Vĩnh Long", None, e3)
    assert vl_before - vl_now > 0.15  # the E3 weakness grew from 15% to 100%
    null_now = share(demo_survey.truth, *NULL_CHANGE, CRITERIA)
    null_before = share(before.truth, *NULL_CHANGE, CRITERIA)
    assert abs(null_now - null_before) < 0.05  # nothing planted: sampling noise only
