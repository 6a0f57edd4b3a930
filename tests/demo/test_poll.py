"""The demo quota poll: seeded, byte-for-byte the committed files, filled to its quotas."""

from __future__ import annotations

from pathlib import Path

from satisfaction.demo.poll import POLL_COMMUNES, POLL_GROUPS, generate_poll, write_poll_survey
from satisfaction.io.instrument import load_instrument

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_poll_is_what_the_seed_writes(tmp_path):
    write_poll_survey(tmp_path)
    committed = ROOT / "surveys" / "demo-poll"
    for name in ("responses.xlsx", "instrument.yaml"):
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name


def test_three_communes_by_three_groups_filled_to_quota():
    forms = generate_poll()
    counts = forms.groupby(["xa", "nhom"]).size()
    assert len(counts) == len(POLL_COMMUNES) * len(POLL_GROUPS) == 9
    for (_, group), count in counts.items():
        assert count == POLL_GROUPS[group][1]
    assert forms["y_kien"].notna().sum() > 50  # free-text answers
    assert set(forms["c1"].dropna()) <= {"Hài lòng", "hài lòng", "HL", "Bình thường", "BT",
                                         "Không hài lòng"}  # fmt: skip


def test_the_instrument_declares_a_quota_sample_with_margins():
    study = load_instrument(ROOT / "surveys" / "demo-poll").study
    assert study.kind == "quota" and study.declared
    assert study.quota == ("commune", "respondent_group")
    totals = {k: sum(v.values()) for k, v in study.margins.counts.items()}
    assert totals["commune"] == totals["respondent_group"] == 27000
