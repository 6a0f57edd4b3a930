"""The three routes from what teams already have, through the command line to `batch`:

* SPSS: ``instrument from-spss`` on a .sav with value labels (province 1 / 22, fields 1-3);
* KoboToolbox: ``instrument from-xlsform`` on the XLSForm with its XLSX export (choice
  names "qn", "dat_dai" in the data, group paths in the headers, "other, specify");
* Google Forms: ``instrument from-export`` on the CSV export alone (question texts kept as
  `column:`; clean writes item ids, which the analysis then finds).

Each runs `validate`, `clean` and `batch` (one province, one field, the plans) unedited;
the reports' HTML and the plans' docx show labels, never the codes of the data.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from satisfaction.cli import main

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "corpus"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("routes")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    before = os.environ.get("SATISFACTION_ROOT")
    os.environ["SATISFACTION_ROOT"] = str(root)
    commands = {
        "spss": ["instrument", "from-spss", str(CORPUS / "sipas_spss.sav"),
                 "--out", str(root / "surveys" / "spss" / "instrument.yaml")],
        "kobo": ["instrument", "from-xlsform", str(CORPUS / "kobo_form.xlsx"),
                 "--data", str(CORPUS / "kobo_export.xlsx"),
                 "--out", str(root / "surveys" / "kobo" / "instrument.yaml")],
        "gforms": ["instrument", "from-export", str(CORPUS / "google_forms.csv"),
                   "--out", str(root / "surveys" / "gforms" / "instrument.yaml")],
    }  # fmt: skip
    codes = {name: main(args) for name, args in commands.items()}
    units = {"spss": ("Quảng Ninh", "Đất đai"), "kobo": ("Quảng Ninh", "Hộ tịch"),
             "gforms": ("Vĩnh Long", "Đất đai")}  # fmt: skip
    for name, (province, field) in units.items():
        codes[f"validate {name}"] = main(["validate", str(root / "surveys" / name)])
        codes[f"batch {name}"] = main(
            ["batch", name, "--provinces", province, "--fields", field, "--workers", "2"]
        )
    yield root, codes
    if before is None:
        os.environ.pop("SATISFACTION_ROOT", None)
    else:
        os.environ["SATISFACTION_ROOT"] = before


def _html_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    return html.unescape(re.sub(r"<[^>]+>", " ", xml))


def _reports(root: Path, survey: str) -> Path:
    return root / "outputs" / survey / "reports"


def test_every_route_runs_unedited_from_the_command_line(project):
    _, codes = project
    assert codes == dict.fromkeys(codes, 0)


@pytest.mark.parametrize(
    ("survey", "province", "field", "labels", "codes"),
    [
        ("spss", "quang-ninh", "dat-dai", ["Quảng Ninh", "Đất đai", "Hộ tịch"], []),
        ("kobo", "quang-ninh", "ho-tich", ["Quảng Ninh", "Hộ tịch", "Tiếp cận dịch vụ"],
         ["qn", "dat_dai", "ho_tich", "tiep_can"]),
        ("gforms", "vinh-long", "dat-dai", ["Vĩnh Long", "Đất đai", "Công chứng, chứng thực"],
         ["cong_chung", "dat_dai"]),
    ],
)  # fmt: skip
def test_reports_and_plans_show_labels_never_codes(
    project, survey, province, field, labels, codes
):
    root, _ = project
    reports = _reports(root, survey)
    province_html = _html_text(reports / "province" / province / "province_report.html")
    field_html = _html_text(reports / "field" / field / "field_report.html")
    plan = _docx_text(reports / "remediation-plan" / province / "remediation_plan.docx")
    assert labels[0].upper() in plan  # the plan's title names the province
    for text in (province_html, plan):
        assert labels[0] in text or labels[0].upper() in text
        for label in labels[1:]:
            assert label in text
    assert labels[1] in field_html
    for code in codes:
        for text in (province_html, field_html, plan):
            assert not re.search(rf"(?<![\w/.,:-]){re.escape(code)}(?![\w/.,%:-])", text), code
