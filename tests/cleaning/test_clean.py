"""Cleaning: every planted defect is found by its rule in its exact count, and nothing else."""

from __future__ import annotations

import dataclasses
import unicodedata

import numpy as np
import pandas as pd
import pytest

from satisfaction.cleaning.log import RULES
from satisfaction.cleaning.rules import clean
from satisfaction.demo.spec import CRITERIA, PLANTED
from satisfaction.errors import InputError
from satisfaction.io.text import encode_tcvn3, encode_vni

CELL_RULES = [r for r in PLANTED if r not in ("blank_row", "totals_row", "near_duplicate")]


@pytest.fixture(scope="module")
def cleaned(demo_survey, demo_instrument):
    raw = demo_survey.raw.copy()
    result = clean(raw, demo_instrument)
    return raw, result


@pytest.mark.parametrize("rule", CELL_RULES)
def test_each_planted_defect_found_in_exact_count(cleaned, rule):
    _, result = cleaned
    assert result.count(rule) == PLANTED[rule]


def test_near_duplicates_flag_both_forms_of_each_planted_pair(cleaned, demo_survey):
    _, result = cleaned
    assert result.count("near_duplicate") == 2 * PLANTED["near_duplicate"]
    flagged = result.data.loc[result.data["flag_near_duplicate"], "ma_phieu"]
    expected = demo_survey.raw.loc[demo_survey.truth["near_duplicate"].to_numpy(), "ma_phieu"]
    assert sorted(flagged) == sorted(expected)
    # each flagged form points at its partner, whose id differs only by the "B" suffix
    pairs = result.data.loc[result.data["flag_near_duplicate"], ["ma_phieu", "near_duplicate_of"]]
    for form, partner in pairs.itertuples(index=False):
        assert form.rstrip("B") == partner.rstrip("B") and form != partner


def test_no_rule_fires_that_was_not_planted(cleaned):
    _, result = cleaned
    fired = set(result.log["rule"])
    expected = set(PLANTED) - {"blank_row", "totals_row"} | {"personal_dropped", "personal_hashed"}
    assert fired == expected
    assert fired <= set(RULES)


def test_quarantine_holds_exact_copies_and_both_conflicting_forms(cleaned, demo_survey):
    _, result = cleaned
    reasons = result.quarantine["quarantine_reason"].value_counts().to_dict()
    assert reasons == {"duplicate_conflict": 16, "duplicate_exact": 25}
    assert len(result.data) == len(demo_survey.raw) - 41
    # nothing lost: every raw row is either clean or quarantined
    assert sorted([*result.data["_row"], *result.quarantine["_row"]]) == list(
        range(1, len(demo_survey.raw) + 1)
    )


def test_clean_values_equal_the_generator_truth(cleaned, demo_survey):
    _, result = cleaned
    truth = demo_survey.truth.loc[~demo_survey.truth["quarantined"].to_numpy()]
    data = result.data.set_index("_row")
    rows = truth.index.to_numpy() + 1
    for column in [*CRITERIA, "e1", "e3", "hl_chung", "gioi_tinh", "tuoi"]:
        expected = pd.to_numeric(truth[column]).to_numpy(dtype=float)
        got = data.loc[rows, column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        np.testing.assert_array_equal(got, expected, err_msg=column)
    assert list(data.loc[rows, "linh_vuc"].fillna("<NA>")) == list(
        truth["linh_vuc"].fillna("<NA>")
    )
    assert list(data.loc[rows, "tinh"]) == list(truth["tinh"])
    assert list(data.loc[rows, "xa"]) == list(truth["xa"])
    assert list(data.loc[rows, "ma_xa"]) == list(truth["ma_xa"])


def test_straightlining_flags_exactly_the_planted_forms(cleaned, demo_survey):
    _, result = cleaned
    flagged = set(result.data.loc[result.data["flag_straightlining"], "ma_phieu"])
    planted = set(demo_survey.raw.loc[demo_survey.truth["straightlining"].to_numpy(), "ma_phieu"])
    assert flagged == planted and len(flagged) == 40


def test_pre2025_province_is_kept_and_flagged(cleaned):
    _, result = cleaned
    flagged = result.data.loc[result.data["flag_province"] == "pre2025", "tinh"]
    assert flagged.value_counts().to_dict() == {"Hải Dương": 60, "Trà Vinh": 45}


def test_raw_frame_is_not_modified(cleaned, demo_survey):
    raw, _ = cleaned
    pd.testing.assert_frame_equal(raw, demo_survey.raw)


def test_log_names_row_column_old_new_and_rule(cleaned):
    _, result = cleaned
    assert list(result.log.columns) == [
        "row_id",
        "form_id",
        "column",
        "old_value",
        "new_value",
        "rule",
    ]
    tcvn3 = result.log[result.log["rule"] == "legacy_tcvn3"].iloc[0]
    assert tcvn3["column"] == "xa"
    assert tcvn3["new_value"] == unicodedata.normalize("NFC", tcvn3["new_value"])
    assert tcvn3["old_value"] == encode_tcvn3(tcvn3["new_value"]).decode("cp1252")
    dk = result.log[
        (result.log["rule"] == "missing_dont_know") & (result.log["old_value"] == "98")
    ]
    assert len(dk) == 150 and (dk["new_value"] == "").all()


def test_personal_values_never_reach_log_or_data(cleaned, demo_survey):
    _, result = cleaned
    assert "ho_ten" not in result.data.columns and "dia_chi" not in result.data.columns
    text_of_outputs = " ".join(
        [
            result.log.astype(str).to_csv(),
            result.data.astype(str).to_csv(),
            result.quarantine.astype(str).to_csv(),
        ]
    )
    for column in ("ho_ten", "so_dien_thoai", "dia_chi"):
        for value in demo_survey.raw[column].head(300):
            assert str(value) not in text_of_outputs, (column, value)
    phones_in_comments = demo_survey.raw["y_kien"].astype(str).str.extract(r"(09\d{8})")[0]
    for phone in phones_in_comments.dropna():
        assert phone not in text_of_outputs


def _small_answers(n: int = 60, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"ma_phieu": [f"F{i:03d}" for i in range(n)]})
    for column in CRITERIA:
        frame[column] = rng.integers(1, 6, size=n)
    return frame


def _minimal_instrument(sipas_instrument):
    return dataclasses.replace(
        sipas_instrument,
        items=tuple(i for i in sipas_instrument.items if i.id in CRITERIA),
        fields=None,
        respondent={},
        personal_data=(),
    )


def test_label_typed_and_code_typed_files_clean_identically(sipas_instrument):
    instrument = _minimal_instrument(sipas_instrument)
    codes = _small_answers()
    labels = codes.copy().astype(object)
    spellings = {
        1: "Rất không hài lòng",
        2: "không hài lòng ",
        3: "BÌNH THƯỜNG",
        4: unicodedata.normalize("NFD", "Hài lòng"),
        5: "5 - Rất hài lòng",
    }
    for column in CRITERIA:
        labels[column] = codes[column].map(spellings)
    from_codes = clean(codes.astype(str), instrument)
    from_labels = clean(labels, instrument)
    pd.testing.assert_frame_equal(from_codes.data, from_labels.data)
    assert from_codes.count("label_to_code") == 0
    assert from_labels.count("label_to_code") == codes.size - len(codes)


def test_nfd_tcvn3_and_vni_spellings_clean_to_the_same_nfc_text(sipas_instrument):
    instrument = _minimal_instrument(sipas_instrument)
    words = [
        "Xã Hòa Bình",
        "Phường Đông Hưng",
        "Thủ tục đất đai còn rườm rà",
        "Cán bộ hướng dẫn nhiệt tình, chu đáo",
    ]
    nfd = [unicodedata.normalize("NFD", w) for w in words]
    tcvn3 = [encode_tcvn3(w).decode("cp1252") for w in words]
    vni = [encode_vni(w).decode("cp1252") for w in words]
    for spelled in (nfd, tcvn3, vni):
        frame = _small_answers(len(words))
        frame["ghi_chu"] = spelled
        result = clean(frame, instrument)
        assert list(result.data["ghi_chu"]) == words
        assert all(unicodedata.is_normalized("NFC", w) for w in result.data["ghi_chu"])


def test_missing_instrument_column_names_file_and_column(sipas_instrument):
    frame = _small_answers().drop(columns=["c3_2", "c5_1"])
    with pytest.raises(InputError) as info:
        clean(frame, _minimal_instrument(sipas_instrument), source="phieu.xlsx")
    message = str(info.value)
    assert "phieu.xlsx: column 'c3_2'" in message and "column 'c5_1'" in message


def test_unicode_text_is_never_converted(sipas_instrument):
    instrument = _minimal_instrument(sipas_instrument)
    words = ["Hà Nội", "Đắk Lắk", "Vĩnh Long", "Hải Phòng", "An Giang", "Cà Mau"]
    frame = _small_answers(len(words))
    frame["noi"] = words
    result = clean(frame, instrument)
    assert list(result.data["noi"]) == words
    assert result.log.query("column == 'noi'").empty


def test_google_forms_export_cleans_to_item_ids_with_comma_labels():
    from pathlib import Path

    from satisfaction.io.instrument import load_instrument
    from satisfaction.io.read import read_responses

    corpus = Path(__file__).resolve().parents[1] / "data" / "corpus"
    instrument = load_instrument(corpus / "google_forms.yaml")
    raw = read_responses(corpus / "google_forms.csv")
    result = clean(raw, instrument)
    # question texts are the headers; `column:` maps them and clean writes the item ids
    assert {"c1_1", "c3_4", "hl_chung", "cai_thien_2"} <= set(result.data.columns)
    assert "Nơi ngồi chờ có đủ chỗ ngồi" not in result.data.columns
    # a checkbox label holding a comma is one answer, not two unknown ones
    clearer = raw.frame["Nội dung cần cải thiện"].str.contains("rõ ràng hơn", na=False)
    assert clearer.any() and result.count("unknown_label") == 0
    assert result.data.loc[clearer.to_numpy(), "cai_thien_2"].eq(1).all()
    assert result.count("label_to_code") == 5 * len(raw.frame)


def test_zero_weights_are_kept_and_replicate_columns_cleaned_as_weights(sipas_instrument):
    from types import MappingProxyType

    from satisfaction.io.instrument.model import DesignRules, ReplicateColumns

    instrument = dataclasses.replace(
        _minimal_instrument(sipas_instrument),
        design=MappingProxyType({"weight": "w"}),
        design_rules=DesignRules(replicates=ReplicateColumns(("r1", "r2"), "JK1")),
    )
    frame = _small_answers(4)
    frame["w"] = ["1,5", "0", "-2", "x"]  # zero: an out-of-scope form, as R accepts it
    frame["r1"] = ["3", "0", "1.5", None]
    frame["r2"] = ["0", "2", "2", "2"]
    result = clean(frame, instrument)
    assert result.data["w"].tolist()[:2] == [1.5, 0.0] and result.data["w"][2:].isna().all()
    assert result.data["r1"].tolist()[:3] == [3.0, 0.0, 1.5]
    assert result.count("invalid_weight") == 2  # -2 and "x"; a blank stays missing
