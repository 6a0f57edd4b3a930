"""The seeded generator of the demo survey: synthetic SIPAS-style responses, clearly labelled.

`write_demo_survey()` rebuilds `surveys/demo/` byte-for-byte from the seed: an Excel
workbook as field teams deliver it (title row, two-row header, blank rows, a totals row)
and an instrument that extends the SIPAS one with the data source and the sampling design.
`generate_demo` (here) runs the parts in order: `spec` holds the fixed facts (seeds,
provinces, criteria, `PLANTED`), `respondents` draws the sample and the answers, `dirt`
plants the dirt, and `workbook` writes the files.

The design: 4 provinces (current names) x urban/rural = 8 strata; in each stratum 8-12
communes (PSUs) drawn with probability proportional to size, then 75-125 adults per commune;
the weight is the inverse of the two-stage selection probability, so weights are unequal.

The story the figures should show: land (đất đai) is the least satisfying field and civil
registration (hộ tịch) the most; Vĩnh Long is weak on civil-servant attitude (element E3).

Two waves. `surveys/demo/` is wave 2025; `surveys/demo-2024/` is the previous wave
(`PREVIOUS_WAVE`), drawn by the same generator with its own random stream (seed and wave
together seed it, so the two samples are independent: new communes, new respondents) and
the same instrument version (both extend ../sipas/instrument.yaml), so the change analysis
may compare them. The changes planted from 2024 to 2025 (`PLANTED_CHANGES`), on the latent
satisfaction scale every answer is cut from:

- Hà Nội, đất đai: +0.6 (land was worse in Hà Nội in 2024): a rise of every land criterion;
- Vĩnh Long, element E3 (công chức): its weakness was 15% as strong in 2024 (-0.165 on the
  E3 criteria), 100% in 2025 (-1.1): a fall of the six E3 criteria in every field there;
- nothing else: in particular công chứng, chứng thực in Hà Nội (`NULL_CHANGE`) has no
  planted change, and a design-based test of it must not find one.

Planted dirt -- every number below is exact, asserted by the generator itself, and the
tests assert that cleaning finds exactly these (see `PLANTED`):

=====================  =====  ==========================================================
rule                   count  what was planted
=====================  =====  ==========================================================
label_to_code            120  likert cells typed as labels ("Hài lòng", "hai long",
                              "4 - Hài lòng", NFD, capitals, stray spaces)
missing_dont_know        160  likert cells: 150 coded 98, 10 typed "Không biết"
missing_refused           40  likert cells coded 99
missing_blank            200  likert cells left blank
out_of_range              40  30 likert cells coded 0/6/7/44; 10 ages of 7 or 150
unknown_label             15  likert cells holding "tốt", "ok", "x"
field_synonym            300  field cells typed with a synonym ("Cấp GCN QSDĐ", "BHYT", ...)
field_unmatched           12  field cells no synonym matches ("Thuế", "Khác", "???")
province_pre2025         105  60 "Hải Dương" (now Hải Phòng), 45 "Trà Vinh" (now Vĩnh Long)
province_standardised     80  "Ha Noi", "TP. Hà Nội", "Thành phố Hải Phòng", "tinh Vinh Long"
nfc                       50  province cells keyed in decomposed Unicode (NFD)
whitespace                70  commune cells with leading/trailing/double spaces
legacy_tcvn3             250  commune names keyed in TCVN3 (ABC) by one Đắk Lắk team
legacy_vni                40  comments keyed in VNI
leading_zeros             90  commune codes keyed as numbers ("4" for "00004")
personal_scrubbed         30  comments that carry a phone number
duplicate_exact           25  forms keyed twice, identical (the copy is quarantined)
duplicate_conflict        16  8 form ids used twice with different answers (both out)
near_duplicate            12  pairs of forms with different ids, 1 answer apart (flagged)
straightlining            40  forms answering all 22 criteria with one code (flagged)
blank_row                  3  blank rows in the middle of the sheet
totals_row                 1  a "Tổng cộng" row at the bottom
=====================  =====  ==========================================================
"""

from __future__ import annotations

import numpy as np

from satisfaction.demo.dirt import (
    _break_natural_straightlining,
    _Cells,
    _Dirt,
    _Extra,
    _interleave,
    _mark_flagged_forms,
    _plant_conflicts,
    _plant_exact_duplicates,
    _plant_fields,
    _plant_likert,
    _plant_near_duplicates,
    _plant_provinces,
    _plant_straightlining,
    _plant_text,
)
from satisfaction.demo.respondents import _respondents, _sample_design
from satisfaction.demo.spec import CRITERIA, DEMO_SEED, PLANTED, DemoSurvey

__all__ = ["generate_demo"]


def generate_demo(seed: int = DEMO_SEED, wave: int = DEMO_SEED) -> DemoSurvey:
    """Generate one wave of the demo survey with every kind of dirt planted in known numbers."""
    rng = np.random.default_rng([seed, wave])
    design = _sample_design(rng)
    truth, _ = _respondents(rng, design, wave)
    _break_natural_straightlining(truth, rng)
    raw = truth.astype(object).copy()
    n = len(raw)
    cells = _Cells(rng, n)
    planted: dict[str, int] = dict.fromkeys(PLANTED, 0)
    likert_columns = [*CRITERIA, "e1", "e2", "e3", "e4", "e5", "hl_chung"]

    # rows reserved whole for the form-level dirt (planted last, on clean rows)
    straight_rows = cells.reserve_rows(PLANTED["straightlining"])
    near_rows = cells.reserve_rows(PLANTED["near_duplicate"])
    exact_rows = cells.reserve_rows(PLANTED["duplicate_exact"])
    conflict_rows = cells.reserve_rows(PLANTED["duplicate_conflict"] // 2)

    d = _Dirt(rng, truth, raw, truth.astype(object).copy(), cells, planted)
    _plant_likert(d, likert_columns)
    _plant_fields(d)
    _plant_provinces(d)
    _plant_text(d)

    # form-level dirt on reserved clean rows
    _plant_straightlining(d, straight_rows)
    extra = _Extra()
    _plant_near_duplicates(d, near_rows, extra)
    _plant_exact_duplicates(d, exact_rows, extra)
    _plant_conflicts(d, conflict_rows, extra)
    raw_out, truth_out = _interleave(d, extra)
    _mark_flagged_forms(d, raw_out, truth_out, straight_rows, near_rows)

    planted["blank_row"] = 3
    planted["totals_row"] = 1
    blank_after = tuple(
        sorted(rng.choice(np.arange(100, len(raw_out) - 100), size=3, replace=False).tolist())
    )
    if planted != PLANTED:  # pragma: no cover - the generator checks itself
        raise AssertionError(f"planted {planted} != documented {PLANTED}")
    return DemoSurvey(
        raw=raw_out, truth=truth_out, planted=planted, blank_rows_after=blank_after, wave=wave
    )
