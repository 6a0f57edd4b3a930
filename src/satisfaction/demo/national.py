"""A national-scale synthetic SIPAS-style survey, for benchmarks (generated, never committed).

The 4-province demo (`sipas`) is small on purpose; a national wave has 34 provinces (63 for
waves before July 2025) and tens of thousands of respondents. `generate_national` draws one
with the demo's answer model (`respondents._answer_codes`: latent satisfaction cut into codes
1-5; land lowest, civil registration highest) and:

- every province split urban/rural (2 strata), province samples of unequal size, communes
  (PSUs) drawn with probability proportional to size in each stratum, 75-125 adults each,
  weights the inverse of the two-stage selection probability;
- light dirt at realistic rates (labels typed for codes, missing codes 98/99 and blanks,
  field synonyms, province spellings, stray spaces, lost leading zeros of commune codes),
  so reading and cleaning do their ordinary work;
- a share `copies` of the forms copied from another form of the same commune under a new id
  and a new respondent (name, phone, address): half identical in every answer, half one
  criterion one code apart. Interviewers who copy forms make exactly this data; cleaning
  must flag each copy (and its source) as a near-duplicate and stay near-linear doing so.

Every draw comes from one seeded generator, vectorised, so 1,000,000 respondents take
seconds. `write_national_survey` writes the responses (xlsx, csv or parquet) and an
instrument extending the SIPAS one, with the design and the wave's geography.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from satisfaction.demo.dirt import _FIELD_SYNONYMS, _LABELS_TYPED
from satisfaction.demo.respondents import (
    _COMMENTS,
    _COMMUNE_PARTS,
    _GIVEN,
    _MIDDLE,
    _STREETS,
    _SURNAMES,
    _answer_codes,
    _field_sex_age,
)
from satisfaction.demo.spec import _EXPECTATION_ELEMENT, _FIELDS, COLUMNS, CRITERIA, DEMO_SEED
from satisfaction.demo.workbook import _cell_value
from satisfaction.errors import ParameterError
from satisfaction.io.geography import CURRENT_34, HISTORICAL_63, old_to_new

__all__ = ["NATIONAL_FORMATS", "NationalSurvey", "generate_national", "write_national_survey"]

NATIONAL_FORMATS = ("xlsx", "csv", "parquet")
_LIKERT = [*CRITERIA, "e1", "e2", "e3", "e4", "e5", "hl_chung"]
_CITIES = {"Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Hồ Chí Minh", "Huế"}
# share of cells (likert) or rows spoiled by each kind of dirt
_DIRT_RATES = {
    "label_to_code": 0.002,
    "missing_dont_know": 0.003,
    "missing_refused": 0.001,
    "missing_blank": 0.004,
    "out_of_range": 0.0003,
    "field_synonym": 0.02,
    "province_variant": 0.01,
    "province_pre2025": 0.005,
    "whitespace": 0.005,
    "leading_zeros": 0.005,
}


@dataclass(frozen=True)
class NationalSurvey:
    """A generated national wave: the raw cells as keyed, and the planted copies.

    `copies` has one row per copied form: `copy` and `source` (form ids, same commune) and
    `kind` ("exact": every answer the same; "near": one criterion one code apart).
    """

    raw: pd.DataFrame
    copies: pd.DataFrame
    provinces: tuple[str, ...]
    geography: str
    wave: int


def generate_national(
    provinces: int = 34,
    respondents: int = 40_000,
    *,
    copies: float = 0.0,
    seed: int = DEMO_SEED,
    wave: int = DEMO_SEED,
    dirt: bool = True,
) -> NationalSurvey:
    """Draw a national wave of about `respondents` forms, a share `copies` of them copied.

    `provinces` is 34 (the units from 1 July 2025, geography ``current_34``) or 63 (the
    units before, ``historical_63``: an earlier wave). `dirt=False` leaves every cell clean
    (tests compare the near-duplicate flags with the planted copies exactly).
    """
    if provinces not in (34, 63):
        raise ParameterError(
            f"provinces must be 34 or 63, got {provinces}", key="parameter 'provinces'"
        )
    if not 0 <= copies < 0.9:
        raise ParameterError(
            f"copies must be a share between 0 and 0.9, got {copies}", key="parameter 'copies'"
        )
    if respondents < 20 * provinces:  # 2 strata x 2 communes x 5 forms per province
        raise ParameterError(
            f"{provinces} provinces need at least {20 * provinces} respondents, got {respondents}",
            key="parameter 'respondents'",
        )
    names = CURRENT_34 if provinces == 34 else HISTORICAL_63
    geography = "current_34" if provinces == 34 else "historical_63"
    rng = np.random.default_rng([seed, wave, provinces])
    n_copies = round(respondents * copies)
    design = _national_design(rng, names, respondents - n_copies)
    frame = _national_respondents(rng, design, names, wave)
    frame, planted = _plant_copies(rng, frame, n_copies)
    if dirt:
        _plant_dirt(rng, frame, historical=provinces == 63)
    return NationalSurvey(
        raw=frame[COLUMNS], copies=planted, provinces=names, geography=geography, wave=wave
    )


def _national_design(
    rng: np.random.Generator, names: tuple[str, ...], respondents: int
) -> pd.DataFrame:
    """Communes drawn PPS in each province x area stratum, with their sample sizes.

    Province samples are unequal (lognormal shares); a stratum gets one commune per ~100
    respondents (at least 2, so every stratum has a variance).
    """
    shares = rng.lognormal(0.0, 0.35, size=len(names))
    shares /= shares.sum()
    rows = []
    code_pool = rng.permutation(100_000)
    used_codes = 0
    for p, name in enumerate(names):
        combos = [f"{a} {b}" for a in _COMMUNE_PARTS for b in _COMMUNE_PARTS if a != b]
        order = rng.permutation(len(combos))
        taken = 0
        for area in (1, 2):
            target = respondents * shares[p] * (0.4 if area == 1 else 0.6)
            n_psu = max(2, round(target / 100))
            n_pop = n_psu * int(rng.integers(4, 9))
            sizes = np.round(rng.lognormal(8.0, 0.5, size=n_pop)).astype(int) + 500
            step = sizes.sum() / n_psu
            points = rng.uniform(0, step) + step * np.arange(n_psu)
            chosen = np.unique(np.searchsorted(np.cumsum(sizes), points))
            n_resp = rng.integers(75, 126, size=len(chosen))
            n_resp = np.maximum(2, np.round(n_resp * target / n_resp.sum())).astype(int)
            for k, (idx, n) in enumerate(zip(chosen, n_resp, strict=True)):
                size = int(sizes[idx])
                pi_psu = min(1.0, n_psu * size / sizes.sum())
                kind = "Phường" if area == 1 else "Xã"
                rows.append(
                    {
                        "province": name,
                        "province_index": p,
                        "area": area,
                        "stratum": f"{p + 1:02d}-{'TT' if area == 1 else 'NT'}",
                        "commune": f"{kind} {combos[order[taken % len(combos)]]}",
                        "commune_code": f"{int(code_pool[used_codes]):05d}",
                        "psu_index": k,
                        "n": int(n),
                        "pi_psu": pi_psu,
                        "size": size,
                    }
                )
                taken += 1
                used_codes += 1
    design = pd.DataFrame(rows)
    # rounding: the largest communes take the difference, a form each (one commune would
    # go below zero at a million forms), so the file has `respondents` rows
    difference = respondents - int(design["n"].sum())
    largest = design["n"].sort_values(ascending=False, kind="stable").index.to_numpy()
    takers = np.resize(largest, abs(difference))
    n_forms = design["n"].to_numpy().copy()
    np.add.at(n_forms, takers, int(np.sign(difference)))
    design["n"] = n_forms
    within = np.minimum(1.0, design["n"] / design["size"])
    design["weight"] = (1.0 / (design["pi_psu"] * within)).round(4)
    return design


def _national_respondents(
    rng: np.random.Generator, design: pd.DataFrame, names: tuple[str, ...], wave: int
) -> pd.DataFrame:
    """One row per respondent with clean codes, in the workbook's columns."""
    psu = design.loc[design.index.repeat(design["n"])].reset_index(drop=True)
    n = len(psu)
    province = psu["province_index"].to_numpy()
    field_idx, field, sex, age = _field_sex_age(rng, n)
    minority = rng.uniform(0.01, 0.5, size=len(names))[province]
    group = np.where(rng.random(n) < 0.15, 2, 1)
    # province and commune effects; a few provinces weak on civil-servant attitude (E3)
    prov_effect = rng.normal(0, 0.2, size=len(names))[province]
    e3_effect = np.where(rng.random(len(names)) < 0.15, -0.8, 0.0)[province]
    field_effect = np.array([effect for _, effect in _FIELDS.values()])[field_idx]
    psu_effect = rng.normal(0, 0.35, size=len(design))[np.repeat(design.index, design["n"])]
    base = 1.45 + prov_effect + field_effect + psu_effect + rng.normal(0, 0.8, size=n)
    base = base + 0.12 * (group == 1)
    codes, element_latent = _answer_codes(rng, base, e3_effect)
    counter = psu.groupby("province_index").cumcount().to_numpy() + 1
    # "T01-25000132": letters first, so no id reads as a phone number
    form_ids = pd.Series(province + 1).map("T{:02d}".format) + (
        pd.Series(counter).map(f"-{wave % 100:02d}{{:06d}}".format)
    )
    return pd.DataFrame(
        {
            "_psu": np.repeat(design.index.to_numpy(), design["n"]),
            "ma_phieu": form_ids.to_numpy(),
            "tinh": psu["province"].to_numpy(dtype=object),
            "xa": psu["commune"].to_numpy(dtype=object),
            "ma_xa": psu["commune_code"].to_numpy(dtype=object),
            "khu_vuc": psu["area"].to_numpy(),
            "tang": psu["stratum"].to_numpy(dtype=object),
            "trong_so": psu["weight"].to_numpy(),
            "dtv": (
                "DTV" + psu["stratum"].str[:2] + (psu["psu_index"] % 3 + 1).map("{:02d}".format)
            ).to_numpy(dtype=object),
            "ngay": _interview_days(rng, n, wave),
            "linh_vuc": field,
            **_identities(rng, psu["commune"].to_numpy(dtype=object), sex),
            "gioi_tinh": sex,
            "tuoi": age,
            "dan_toc": np.where(rng.random(n) < minority, 2, 1),
            "nhom": group,
            **{item: codes[item] for item in _LIKERT},
            "ky_vong": _expectations(rng, element_latent),
            "y_kien": _comments(rng, field),
        }
    )


def _interview_days(rng: np.random.Generator, n: int, wave: int) -> np.ndarray:
    """Interview dates as teams type them: dd/mm/yyyy text."""
    days = pd.Timestamp(wave, 9, 8) + pd.to_timedelta(rng.integers(0, 40, size=n), unit="D")
    return days.strftime("%d/%m/%Y").to_numpy(dtype=object)


def _identities(
    rng: np.random.Generator, commune: np.ndarray, sex: np.ndarray
) -> dict[str, np.ndarray]:
    """Name, phone number and address of each respondent (all invented)."""
    n = len(commune)
    surname = np.array(_SURNAMES, dtype=object)[rng.integers(0, len(_SURNAMES), size=n)]
    middle_m = np.array(_MIDDLE[1], dtype=object)[rng.integers(0, 4, size=n)]
    middle_f = np.array(_MIDDLE[2], dtype=object)[rng.integers(0, 4, size=n)]
    given = np.array(_GIVEN, dtype=object)[rng.integers(0, len(_GIVEN), size=n)]
    names = surname + " " + np.where(sex == 1, middle_m, middle_f) + " " + given
    phones = "09" + pd.Series(rng.integers(0, 10**8, size=n)).map("{:08d}".format)
    street = np.array(_STREETS, dtype=object)[rng.integers(0, len(_STREETS), size=n)]
    house = pd.Series(rng.integers(1, 300, size=n)).astype(str).to_numpy(dtype=object)
    addresses = "Số " + house + ", đường " + street + ", " + commune
    return {"ho_ten": names, "so_dien_thoai": phones.to_numpy(dtype=object), "dia_chi": addresses}


def _expectations(rng: np.random.Generator, element_latent: np.ndarray) -> np.ndarray:
    """Up to 3 options each, the weaker an element the likelier (Gumbel top-k draws)."""
    n = len(element_latent)
    options = np.array([*_EXPECTATION_ELEMENT, 7])
    logits = np.zeros((n, len(options)))
    for j, element in enumerate(_EXPECTATION_ELEMENT.values()):
        logits[:, j] = -element_latent[:, int(element[1]) - 1]
    keys = logits + rng.gumbel(size=logits.shape)
    ranked = np.argsort(-keys, axis=1)
    k = rng.integers(1, 4, size=n)
    mask = np.zeros(n, dtype=np.int64)
    for position in range(3):
        picked = position < k
        mask[picked] |= 1 << ranked[picked, position]
    text = np.array(
        [";".join(str(options[j]) for j in range(len(options)) if m >> j & 1) for m in range(128)],
        dtype=object,
    )
    return text[mask]


def _comments(rng: np.random.Generator, field: np.ndarray) -> np.ndarray:
    """A comment about the field for about a fifth of the respondents."""
    comments = np.full(len(field), None, dtype=object)
    has_comment = rng.random(len(field)) < 0.22
    for name, choices in _COMMENTS.items():
        rows = np.flatnonzero(has_comment & (field == name))
        comments[rows] = np.array(choices, dtype=object)[rng.integers(0, len(choices), len(rows))]
    return comments


def _plant_copies(
    rng: np.random.Generator, frame: pd.DataFrame, n_copies: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Append `n_copies` forms copied from others of the same commune, then shuffle them in.

    A copy gets a new form id and a new respondent (name, phone, address); half keep every
    answer, half change one criterion by one code.
    """
    empty = pd.DataFrame({"copy": [], "source": [], "kind": []}, dtype=object)
    if n_copies == 0:
        return frame, empty
    sources = np.sort(rng.choice(len(frame), size=n_copies, replace=n_copies > len(frame)))
    copied = frame.iloc[sources].reset_index(drop=True)
    fresh = _identities(rng, copied["xa"].to_numpy(dtype=object), copied["gioi_tinh"].to_numpy())
    for column, values in fresh.items():
        copied[column] = values
    # the copy is numbered after the province's last form, as a form keyed later would be
    prefix = copied["ma_phieu"].str[:-6]  # "T01-25"
    last = frame["ma_phieu"].str[-6:].astype(int).groupby(frame["ma_phieu"].str[:-6]).max()
    number = prefix.map(last).to_numpy() + copied.groupby(prefix).cumcount().to_numpy() + 1
    copied["ma_phieu"] = prefix + pd.Series(number).map("{:06d}".format)
    near = rng.random(n_copies) < 0.5
    column = rng.integers(0, len(CRITERIA), size=n_copies)
    for j, name in enumerate(CRITERIA):
        rows = np.flatnonzero(near & (column == j))
        values = copied.loc[rows, name].to_numpy()
        copied.loc[rows, name] = np.where(values > 1, values - 1, values + 1)
    planted = pd.DataFrame(
        {
            "copy": copied["ma_phieu"].to_numpy(dtype=object),
            "source": frame["ma_phieu"].to_numpy(dtype=object)[sources],
            "kind": np.where(near, "near", "exact").astype(object),
        }
    )
    combined = pd.concat([frame, copied], ignore_index=True)
    # a copy is keyed among its commune's forms (the file stays in commune order)
    commune = np.r_[frame["_psu"].to_numpy(), frame["_psu"].to_numpy()[sources]]
    order = np.lexsort((rng.random(len(combined)), commune))
    return combined.iloc[order].reset_index(drop=True), planted


def _plant_dirt(rng: np.random.Generator, frame: pd.DataFrame, *, historical: bool) -> None:
    """Spoil cells at `_DIRT_RATES` the way field teams do (cleaning repairs or logs them)."""
    n = len(frame)

    def rows(rate: float) -> np.ndarray:
        return np.flatnonzero(rng.random(n) < rate)

    for column in _LIKERT:
        values = frame[column].to_numpy(dtype=object)
        for rule, replacement in (
            ("missing_dont_know", 98),
            ("missing_refused", 99),
            ("missing_blank", None),
            ("out_of_range", 7),
        ):
            values[rows(_DIRT_RATES[rule])] = replacement
        typed = rows(_DIRT_RATES["label_to_code"])
        typed = typed[np.isin(values[typed], [1, 2, 3, 4, 5])]
        values[typed] = [_LABELS_TYPED[int(v)][int(rng.integers(0, 3))] for v in values[typed]]
        frame[column] = values
    fields = frame["linh_vuc"].to_numpy(dtype=object)
    for row in rows(_DIRT_RATES["field_synonym"]):
        choices = _FIELD_SYNONYMS[fields[row]]
        fields[row] = choices[int(rng.integers(0, len(choices)))]
    frame["linh_vuc"] = fields
    provinces = frame["tinh"].to_numpy(dtype=object)
    for row in rows(_DIRT_RATES["province_variant"]):
        name = provinces[row]
        provinces[row] = f"{'Thành phố' if name in _CITIES else 'Tỉnh'} {name}"
    if not historical:  # some teams still write the province's pre-2025 name
        mapping = pd.Series(HISTORICAL_63, index=HISTORICAL_63).map(old_to_new)
        retired = {new: [old for old, m in mapping.items() if m == new] for new in CURRENT_34}
        for row in rows(_DIRT_RATES["province_pre2025"]):
            olds = retired.get(str(provinces[row]), [])
            if len(olds) > 1:
                provinces[row] = olds[int(rng.integers(0, len(olds)))]
    frame["tinh"] = provinces
    communes = frame["xa"].to_numpy(dtype=object)
    spaced = rows(_DIRT_RATES["whitespace"])
    communes[spaced] = [f" {c}" for c in communes[spaced]]
    frame["xa"] = communes
    codes = frame["ma_xa"].to_numpy(dtype=object)
    lost = rows(_DIRT_RATES["leading_zeros"])
    lost = lost[[str(c).startswith("0") for c in codes[lost]]]
    codes[lost] = [int(c) for c in codes[lost]]
    frame["ma_xa"] = codes


_INSTRUMENT = """\
# A national-scale synthetic survey (satisfaction.demo.national, seed {seed}): not real data.
extends: {extends}
id: {survey_id}
title:
  vi: Khảo sát mô phỏng quy mô toàn quốc ({provinces} tỉnh, dữ liệu mô phỏng)
  en: National-scale synthetic satisfaction survey ({provinces} provinces)
year: {wave}
geography: {geography}
data:
  file: {file}
design:
  weight: trong_so
  strata: tang
  psu: ma_xa
salt: national-demo-salt-not-secret
"""


def write_national_survey(
    directory: str | Path,
    *,
    provinces: int = 34,
    respondents: int = 40_000,
    copies: float = 0.0,
    file_format: str = "xlsx",
    seed: int = DEMO_SEED,
    wave: int = DEMO_SEED,
    extends: str | Path | None = None,
) -> NationalSurvey:
    """Write `instrument.yaml` and `responses.<file_format>` of a national wave.

    The instrument extends `extends` (by default the SIPAS instrument of the project the
    folder sits in: ``<root>/surveys/sipas/instrument.yaml``, found from `directory`).
    """
    if file_format not in NATIONAL_FORMATS:
        raise ParameterError(
            f"format must be one of {', '.join(NATIONAL_FORMATS)}, got {file_format!r}",
            key="parameter 'format'",
        )
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    survey = generate_national(provinces, respondents, copies=copies, seed=seed, wave=wave)
    file = directory / f"responses.{file_format}"
    if file_format == "xlsx":
        _write_xlsx(survey.raw, file)
    elif file_format == "csv":
        survey.raw.to_csv(file, index=False, encoding="utf-8")
    else:
        survey.raw.astype("string").to_parquet(file, index=False)
    if extends is None:
        extends = _sipas_instrument(directory)
    (directory / "instrument.yaml").write_text(
        _INSTRUMENT.format(
            seed=seed,
            extends=Path(extends).as_posix(),
            survey_id=directory.name,
            provinces=provinces,
            wave=wave,
            geography=survey.geography,
            file=file.name,
        ),
        encoding="utf-8",
    )
    return survey


def _sipas_instrument(directory: Path) -> Path:
    """The SIPAS instrument of the project around `directory`, relative to it if inside."""
    for parent in [directory.resolve(), *directory.resolve().parents]:
        candidate = parent / "surveys" / "sipas" / "instrument.yaml"
        if candidate.is_file():
            try:
                return Path("..") / candidate.relative_to(directory.resolve().parent)
            except ValueError:
                return candidate
    raise ParameterError(
        f"no surveys/sipas/instrument.yaml above {directory}: pass extends=",
        key="parameter 'extends'",
    )


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """One sheet, one header row, streamed (write-only) so 40,000 rows stay quick."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Dữ liệu")
    sheet.append(list(frame.columns))
    for values in frame.itertuples(index=False, name=None):
        sheet.append([_cell_value(v) for v in values])
    workbook.save(path)
