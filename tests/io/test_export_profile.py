"""A Google Forms export alone -> instrument (`satisfaction.io.export_profile`)."""

from __future__ import annotations

from pathlib import Path

from satisfaction.cleaning.rules import clean
from satisfaction.io.export_profile import instrument_spec_from_export
from satisfaction.io.instrument import instrument_from_dict
from satisfaction.io.read import read_responses

CSV = Path(__file__).resolve().parents[1] / "data" / "corpus" / "google_forms.csv"


def test_google_forms_export_becomes_an_instrument_that_cleans_it():
    notes: list[str] = []
    spec = instrument_spec_from_export(CSV, notes=notes)
    assert (spec["id_column"], spec["year"]) == ("Dấu thời gian", 2025)
    assert spec["respondent"] == {"province": "Tỉnh/thành phố nơi làm thủ tục"}
    assert spec["fields"]["column"] == "Lĩnh vực thủ tục"
    items = {item["column"]: item for item in spec["items"]}
    assert items["Nơi ngồi chờ có đủ chỗ ngồi"]["type"] == "likert"
    assert items["Mức độ hài lòng chung"]["role"] == "overall"
    checkbox = items["Nội dung cần cải thiện"]
    assert checkbox["type"] == "multiple" and checkbox["separator"] == ", "
    options = [level["label"]["vi"] for level in spec["scales"][checkbox["scale"]]["levels"]]
    assert "Công khai thủ tục hành chính đầy đủ, rõ ràng hơn" in options  # kept whole
    assert spec["groups"][0]["id"] == "E1"
    result = clean(read_responses(CSV), instrument_from_dict(spec))
    assert result.count("unknown_label") == 0 and result.count("field_unmatched") == 0
    assert {item["id"] for item in spec["items"]} <= set(result.data.columns)
