"""The demo dossier export: seeded, its planted dirt caught in exact counts, its planted
facts visible in the metrics (a unit late on land; a field whose two measures differ)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from satisfaction.demo.dossiers import (
    DOSSIER_DIRT,
    DOSSIER_FACTS,
    demo_dossier_table,
    write_demo_dossiers,
)
from satisfaction.run.onestop import run_onestop
from satisfaction.studies.onestop import dossier_metrics

ROOT = Path(__file__).resolve().parents[2]
ROWS = 60_000


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("surveys") / "demo-onestop"
    folder.mkdir()
    shutil.copy(ROOT / "surveys" / "demo-onestop" / "dossiers.yaml", folder)
    write_demo_dossiers(folder, rows=ROWS)
    outputs = tmp_path_factory.mktemp("outputs")
    return run_onestop(folder, outputs=outputs, by="year")


def test_same_seed_same_table():
    assert demo_dossier_table(2000).equals(demo_dossier_table(2000))
    assert not demo_dossier_table(2000).equals(demo_dossier_table(2000, seed=1))


def test_planted_dirt_is_caught_in_exact_counts(demo_run):
    summary = pd.read_csv(demo_run.folder / "clean" / "cleaning_summary.csv")
    assert summary.groupby("rule")["count"].sum().to_dict() == DOSSIER_DIRT
    planted_rows = ROWS + DOSSIER_DIRT["duplicate_exact"] + DOSSIER_DIRT["duplicate_conflict"] // 2
    assert demo_run.clean_rows + demo_run.quarantined_rows == planted_rows


def test_one_unit_is_late_on_land(demo_run):
    by_unit = dossier_metrics(demo_run.clean_dossiers, by="year", where={"field": "Đất đai"})
    late = (by_unit["late"] / by_unit["settled"]).groupby(by_unit["unit"]).sum()
    assert late.idxmax() == DOSSIER_FACTS["late_unit"]
    assert late.max() > 0.25 and late.drop(late.idxmax()).max() < 0.08


def test_rarely_rated_field_differs_between_the_two_measures(demo_run):
    fields = dossier_metrics(demo_run.clean_dossiers, by="year", dims=["field"]).set_index("field")
    rare = fields.loc[DOSSIER_FACTS["rarely_rated_field"]]
    assert rare["coverage"] < 0.12 and rare["qd766_rate"] - rare["rated_satisfied_share"] > 0.3
    others = fields.drop(DOSSIER_FACTS["rarely_rated_field"])
    assert (others["coverage"] > 0.25).all()
