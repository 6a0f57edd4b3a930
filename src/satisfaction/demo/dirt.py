"""The demo's planted dirt: cells and forms spoiled in exact, documented numbers.

Cell dirt (labels typed for codes, missing codes, out-of-range values, field synonyms,
province variants and pre-2025 names, legacy encodings, stray spaces, lost leading zeros,
phone numbers in comments) goes on distinct cells, so no cell carries two kinds (`_Cells`);
form dirt (straight-lining, near-duplicates, exact and conflicting duplicates) goes on rows
kept whole and clean for it. `PLANTED` (in `spec`) lists the counts; the generator asserts
them. The draws follow one seeded generator in a fixed order.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from satisfaction.demo.spec import COLUMNS, CRITERIA, DEMO_PROVINCES, PLANTED

__all__: list[str] = []

_FIELD_SYNONYMS: dict[str, list[str]] = {
    "Đất đai": ["Cấp GCN QSDĐ", "dat dai", "Sổ đỏ", "ĐẤT ĐAI"],
    "Bảo hiểm y tế": ["BHYT", "bảo hiểm y tế", "BHYT - BHXH"],
    "Công chứng, chứng thực": ["Chứng thực", "Công chứng", "cong chung"],
    "Hộ tịch": ["Đăng ký khai sinh", "Kết hôn", "ho tich"],
    "Xây dựng": ["GPXD", "Cấp phép xây dựng", "xay dung"],
}
_UNMATCHED_FIELDS = ["Thuế", "Khác", "???"]
_LABELS_TYPED = {
    1: ["Rất không hài lòng", "rất không hài lòng", "1 - Rất không hài lòng"],
    2: ["Không hài lòng", "khong hai long", "KHÔNG HÀI LÒNG"],
    3: ["Bình thường", "binh thuong", "3. Bình thường"],
    4: ["Hài lòng", "hài lòng ", "HÀI LÒNG", "4 - Hài lòng", "hai long", " Hài Lòng"],
    5: ["Rất hài lòng", "rat hai long", "5 - Rất hài lòng", "Rất  hài lòng"],
}
_UNKNOWN_LABELS = ["tốt", "ok", "x"]
_OUT_OF_RANGE = [0, 6, 7, 44]


def _break_natural_straightlining(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    """Make sure no unplanted form answers all 22 criteria alike (so counts stay exact)."""
    grid = frame[CRITERIA].to_numpy()
    alike = (grid == grid[:, :1]).all(axis=1)
    for i in np.flatnonzero(alike):
        j = int(rng.integers(0, len(CRITERIA)))
        value = int(grid[i, j])
        frame.iat[i, frame.columns.get_loc(CRITERIA[j])] = value - 1 if value > 1 else 2


class _Cells:
    """Hands out distinct row indices per column so no cell carries two kinds of dirt."""

    def __init__(self, rng: np.random.Generator, n_rows: int) -> None:
        self.rng = rng
        self.n_rows = n_rows
        self.used: dict[str, set[int]] = {}
        self.used_rows: set[int] = set()

    def take(self, column: str, count: int, *, rows: np.ndarray | None = None) -> list[int]:
        pool = np.arange(self.n_rows) if rows is None else np.asarray(rows)
        used = self.used.setdefault(column, set())
        blocked = np.fromiter(used | self.used_rows, dtype=np.int64)
        free = pool[~np.isin(pool, blocked)]
        picked = sorted(self.rng.choice(free, size=count, replace=False).tolist())
        used.update(picked)
        return picked

    def reserve_rows(self, count: int) -> list[int]:
        """Whole rows kept clean of cell dirt (used for duplicates and straight-lining)."""
        taken = set().union(*self.used.values()) if self.used else set()
        free = np.array([r for r in range(self.n_rows) if r not in taken | self.used_rows])
        picked = sorted(self.rng.choice(free, size=count, replace=False).tolist())
        self.used_rows.update(picked)
        return picked


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@dataclass
class _Dirt:
    """One wave being dirtied.

    The clean truth, the raw cells, the truth with the planted missing values, the cells
    handed out so far and the count of each kind of dirt planted.
    """

    rng: np.random.Generator
    truth: pd.DataFrame
    raw: pd.DataFrame
    truth_missing: pd.DataFrame
    cells: _Cells
    planted: dict[str, int]


@dataclass
class _Extra:
    """Forms added to the wave: near-duplicates and copies.

    Their raw and true values, whether each goes to quarantine, the original rows of
    conflicting ids (also quarantined) and the (original, copy) positions of exact copies.
    """

    raw: list[pd.Series] = field(default_factory=list)
    truth: list[pd.Series] = field(default_factory=list)
    quarantined: list[bool] = field(default_factory=list)
    quarantined_originals: set[int] = field(default_factory=set)
    exact_pairs: list[tuple[int, int]] = field(default_factory=list)


# ------------------------------------------------------------------------------ cell dirt
def _plant_likert(d: _Dirt, likert_columns: list[str]) -> None:
    """Typed labels, missing codes, out-of-range codes and ages, unknown labels."""
    rng, raw, truth_missing, planted = d.rng, d.raw, d.truth_missing, d.planted
    cells = d.cells

    def likert_cells(count: int) -> Iterator[tuple[int, str]]:
        columns = rng.choice(likert_columns, size=count)
        for column in columns:
            (row,) = cells.take(str(column), 1)
            yield row, str(column)

    for row, column in likert_cells(PLANTED["label_to_code"]):
        code = int(d.truth.at[row, column])
        raw.at[row, column] = str(rng.choice(_LABELS_TYPED[code]))
        planted["label_to_code"] += 1
    for k, (row, column) in enumerate(likert_cells(PLANTED["missing_dont_know"])):
        raw.at[row, column] = 98 if k < 150 else "Không biết"
        truth_missing.at[row, column] = None
        planted["missing_dont_know"] += 1
    for row, column in likert_cells(PLANTED["missing_refused"]):
        raw.at[row, column] = 99
        truth_missing.at[row, column] = None
        planted["missing_refused"] += 1
    for row, column in likert_cells(PLANTED["missing_blank"]):
        raw.at[row, column] = None
        truth_missing.at[row, column] = None
        planted["missing_blank"] += 1
    for row, column in likert_cells(30):
        raw.at[row, column] = int(rng.choice(_OUT_OF_RANGE))
        truth_missing.at[row, column] = None
        planted["out_of_range"] += 1
    for row in cells.take("tuoi", 10):
        raw.at[row, "tuoi"] = int(rng.choice([7, 150]))
        truth_missing.at[row, "tuoi"] = None
        planted["out_of_range"] += 1
    for row, column in likert_cells(PLANTED["unknown_label"]):
        raw.at[row, column] = str(rng.choice(_UNKNOWN_LABELS))
        truth_missing.at[row, column] = None
        planted["unknown_label"] += 1


def _plant_fields(d: _Dirt) -> None:
    """Fields typed with a synonym, or with a word no synonym matches."""
    rng, raw, truth, truth_missing, planted = d.rng, d.raw, d.truth, d.truth_missing, d.planted
    cells = d.cells
    for row in cells.take("linh_vuc", PLANTED["field_synonym"]):
        raw.at[row, "linh_vuc"] = str(rng.choice(_FIELD_SYNONYMS[truth.at[row, "linh_vuc"]]))
        planted["field_synonym"] += 1
    for row in cells.take("linh_vuc", PLANTED["field_unmatched"]):
        raw.at[row, "linh_vuc"] = str(rng.choice(_UNMATCHED_FIELDS))
        truth_missing.at[row, "linh_vuc"] = None
        planted["field_unmatched"] += 1


def _plant_provinces(d: _Dirt) -> None:
    """Pre-2025 names of merged provinces, variant spellings, decomposed Unicode."""
    rng, raw, truth, truth_missing, planted = d.rng, d.raw, d.truth, d.truth_missing, d.planted
    cells = d.cells
    for prov, count in (("Hải Phòng", 60), ("Vĩnh Long", 45)):
        old = next(p.old_name for p in DEMO_PROVINCES if p.name == prov)
        rows = np.flatnonzero((truth["tinh"] == prov).to_numpy())
        for row in cells.take("tinh", count, rows=rows):
            raw.at[row, "tinh"] = old
            truth_missing.at[row, "tinh"] = old  # kept and flagged, never renamed by cleaning
            planted["province_pre2025"] += 1
    variants = {
        "Hà Nội": ["Ha Noi", "TP. Hà Nội", "Thành phố Hà Nội", "HÀ NỘI", "ha noi"],
        "Hải Phòng": ["Thành phố Hải Phòng", "TP Hải Phòng", "Hai Phong"],
        "Vĩnh Long": ["tinh Vinh Long", "Tỉnh Vĩnh Long", "Vinh Long"],
        "Đắk Lắk": ["Dak Lak", "Tỉnh Đắk Lắk", "DAK LAK"],
    }
    for row in cells.take("tinh", PLANTED["province_standardised"]):
        raw.at[row, "tinh"] = str(rng.choice(variants[truth.at[row, "tinh"]]))
        planted["province_standardised"] += 1
    for row in cells.take("tinh", PLANTED["nfc"]):
        raw.at[row, "tinh"] = _nfd(truth.at[row, "tinh"])
        planted["nfc"] += 1


def _plant_text(d: _Dirt) -> None:
    """Stray spaces, TCVN3 and VNI text, phone numbers in comments, lost leading zeros."""
    from satisfaction.io.text import encode_tcvn3, encode_vni

    def to_tcvn3(value: str) -> str:  # what a TCVN3 cell looks like once in Excel
        return encode_tcvn3(value).decode("cp1252")

    def to_vni(value: str) -> str:
        return encode_vni(value).decode("cp1252")

    rng, raw, truth, planted, cells = d.rng, d.raw, d.truth, d.planted, d.cells
    for row in cells.take("xa", PLANTED["whitespace"]):
        name = truth.at[row, "xa"]
        raw.at[row, "xa"] = str(rng.choice([f" {name}", f"{name}  ", name.replace(" ", "  ", 1)]))
        planted["whitespace"] += 1
    dl_rows = np.flatnonzero((truth["tinh"] == "Đắk Lắk").to_numpy())
    for row in cells.take("xa", PLANTED["legacy_tcvn3"], rows=dl_rows):
        raw.at[row, "xa"] = to_tcvn3(truth.at[row, "xa"])
        planted["legacy_tcvn3"] += 1
    comment_rows = np.flatnonzero(truth["y_kien"].notna().to_numpy())
    for row in cells.take("y_kien", PLANTED["legacy_vni"], rows=comment_rows):
        raw.at[row, "y_kien"] = to_vni(truth.at[row, "y_kien"])
        planted["legacy_vni"] += 1
    for row in cells.take("y_kien", PLANTED["personal_scrubbed"], rows=comment_rows):
        phone = f"09{int(rng.integers(0, 10**8)):08d}"
        raw.at[row, "y_kien"] = f"{truth.at[row, 'y_kien']}. Liên hệ số {phone}"
        planted["personal_scrubbed"] += 1
    zero_rows = np.flatnonzero(truth["ma_xa"].str.startswith("0").to_numpy())
    for row in cells.take("ma_xa", PLANTED["leading_zeros"], rows=zero_rows):
        raw.at[row, "ma_xa"] = int(truth.at[row, "ma_xa"])
        planted["leading_zeros"] += 1


# ------------------------------------------------------------------------------ form dirt
def _plant_straightlining(d: _Dirt, rows: list[int]) -> None:
    """Every criterion of a reserved form set to one code."""
    for row in rows:
        code = int(d.rng.choice([3, 4, 4, 5]))
        for column in CRITERIA:
            d.raw.at[row, column] = code
            d.truth.at[row, column] = code
            d.truth_missing.at[row, column] = code
        d.planted["straightlining"] += 1


def _plant_near_duplicates(d: _Dirt, rows: list[int], extra: _Extra) -> None:
    """A copy of each form under another id, one criterion one code apart."""
    for row in rows:
        copy_raw = d.raw.loc[row].copy()
        copy_truth = d.truth_missing.loc[row].copy()
        column = str(d.rng.choice(CRITERIA))
        value = int(copy_raw[column])
        new_value = value - 1 if value > 1 else value + 1
        copy_raw[column] = copy_truth[column] = new_value
        copy_raw["ma_phieu"] = copy_truth["ma_phieu"] = f"{copy_raw['ma_phieu']}B"
        extra.raw.append(copy_raw)
        extra.truth.append(copy_truth)
        extra.quarantined.append(False)
        d.planted["near_duplicate"] += 1


def _plant_exact_duplicates(d: _Dirt, rows: list[int], extra: _Extra) -> None:
    """An identical copy of each form (whichever comes second is quarantined)."""
    n = len(d.raw)
    for row in rows:
        extra.exact_pairs.append((row, n + len(extra.raw)))
        extra.raw.append(d.raw.loc[row].copy())
        extra.truth.append(d.truth_missing.loc[row].copy())
        extra.quarantined.append(False)  # whichever copy comes second is quarantined
        d.planted["duplicate_exact"] += 1


def _plant_conflicts(d: _Dirt, rows: list[int], extra: _Extra) -> None:
    """A second form under each id with one other answer (both forms go to review)."""
    for row in rows:
        copy_raw = d.raw.loc[row].copy()
        copy_truth = d.truth_missing.loc[row].copy()
        column = str(d.rng.choice(CRITERIA))
        value = int(copy_raw[column])
        copy_raw[column] = copy_truth[column] = value - 1 if value > 1 else value + 1
        extra.raw.append(copy_raw)
        extra.truth.append(copy_truth)
        extra.quarantined.append(True)
        extra.quarantined_originals.add(row)  # both forms of a conflicting id go to review
        d.planted["duplicate_conflict"] += 2


def _interleave(d: _Dirt, extra: _Extra) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw and truth with the extra forms inserted at seeded positions, and `quarantined`."""
    n = len(d.raw)
    # insert the extra forms at seeded positions so they are not all at the bottom
    positions = sorted(d.rng.choice(np.arange(1, n), size=len(extra.raw), replace=False).tolist())
    # stable order: an extra form goes just before the original row at its position
    order = sorted(
        [(i, 1, i) for i in range(n)] + [(p, 0, n + k) for k, p in enumerate(positions)]
    )
    take = [index for _, _, index in order]
    all_raw = pd.concat([d.raw, pd.DataFrame(extra.raw)], ignore_index=True)
    all_truth = pd.concat([d.truth_missing, pd.DataFrame(extra.truth)], ignore_index=True)
    flags = np.array([i in extra.quarantined_originals for i in range(n)] + extra.quarantined)
    final_position = {index: pos for pos, index in enumerate(take)}
    for original, copy in extra.exact_pairs:
        flags[max(original, copy, key=final_position.__getitem__)] = True
    raw_out = all_raw.iloc[take].reset_index(drop=True)[COLUMNS]
    truth_out = all_truth.iloc[take].reset_index(drop=True)[COLUMNS]
    truth_out["quarantined"] = flags[take]
    return raw_out, truth_out


def _mark_flagged_forms(
    d: _Dirt,
    raw_out: pd.DataFrame,
    truth_out: pd.DataFrame,
    straight_rows: list[int],
    near_rows: list[int],
) -> None:
    """The truth's `straightlining` and `near_duplicate` columns (both forms of a pair)."""
    truth_out["straightlining"] = False
    truth_out["near_duplicate"] = False
    ids = raw_out["ma_phieu"]
    straight_ids = set(d.raw.loc[straight_rows, "ma_phieu"])
    near_ids = set(d.raw.loc[near_rows, "ma_phieu"])
    truth_out.loc[ids.isin(straight_ids).to_numpy(), "straightlining"] = True
    near_mask = ids.isin(near_ids) | ids.isin({f"{i}B" for i in near_ids})
    truth_out.loc[near_mask.to_numpy(), "near_duplicate"] = True
