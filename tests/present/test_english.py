"""An English report reads Vietnamese-labelled estimates through the instrument's `en`
labels; a label without English stays as it is and is named once."""

from __future__ import annotations

import dataclasses

import pandas as pd

from satisfaction.analysis.estimates import ALL, Estimates
from satisfaction.io.instrument.model import Label
from satisfaction.present.english import english_labels, in_english, untranslated_note


def test_every_label_with_english_is_mapped(sipas_instrument):
    english, missing = english_labels(sipas_instrument)
    assert english["Đất đai"] == "Land"
    assert english["Tiếp cận dịch vụ"] == "Access to services"
    assert english["Nơi ngồi chờ tại Bộ phận Một cửa có đủ chỗ ngồi"] == (
        "Enough seats in the waiting area"
    )
    assert english["Rất hài lòng"] == "Very satisfied" and english["Nữ"] == "Female"
    assert not set(english) & missing


def test_frames_are_shown_in_english_and_a_label_without_english_is_named_once(
    sipas_instrument,
):
    item = sipas_instrument.items[0]
    lonely = dataclasses.replace(item, id="x9", text=Label("Câu hỏi riêng của tỉnh"))
    instrument = dataclasses.replace(sipas_instrument, items=(*sipas_instrument.items, lonely))
    frame = pd.DataFrame(
        {
            "province": ["Vĩnh Long"] * 4,
            "field": ["Đất đai", "Đất đai", ALL, "Đất đai"],
            "item": ["c1_1", "x9", "c1_1", "sex"],
            "label": [item.text.vi, "Câu hỏi riêng của tỉnh", item.text.vi, "Giới tính: Nữ"],
            "estimate": [0.8, 0.7, 0.75, 0.5],
        }
    )
    estimates = Estimates(frames={"criteria": frame}, meta={"title": "Khảo sát", "title_en": "S"})
    shown, english, missing = in_english(estimates, instrument)
    criteria = shown["criteria"]
    assert list(criteria["field"]) == ["Land", "Land", ALL, "Land"]  # ALL stays the key
    assert criteria["label"].iloc[0] == item.text.en
    assert criteria["label"].iloc[1] == "Câu hỏi riêng của tỉnh"
    assert criteria["label"].iloc[3].endswith(": Female")
    assert list(criteria["province"]) == ["Vĩnh Long"] * 4  # names are not labels
    assert shown.meta["title"] == "S" and english["Đất đai"] == "Land"
    assert missing == ["Câu hỏi riêng của tỉnh"]
    note = untranslated_note(missing)
    assert note.count("Câu hỏi riêng của tỉnh") == 1 and "no English" in note
    assert untranslated_note([]) is None
    assert frame["field"].iloc[0] == "Đất đai"  # the estimates themselves are not changed
