"""Presenting results: figures, tables, Excel and Word files, and the notebooks' sections.

- `figures`: drawers: tidy estimates in, matplotlib Axes out.
- `formatting`: Vietnamese number formatting, column headers, tables as display text.
- `files`: safe file names, atomic writes, figures saved as PNG/SVG/CSV.
- `tables`: the presentation table of tidy estimates.
- `workbook`: formatted Excel workbooks.
- `word`: Word documents in the Vietnamese administrative style.
- `remediation_docs`: the remediation plan's table and Word document.
- `survey_choice`: the project, survey, provinces and fields a report covers; its estimates.
- `sections`: what the reports' sections share (`_Report`).
- `province_report`, `field_report`: the province and field reports' sections.
- `plan`: the remediation plan's sections and documents.
- `onestop_text`, `onestop_report`: the one-stop report's sentences and tables, and its
  notebook sections, xlsx and docx (`OnestopReport`).
"""

from __future__ import annotations

from satisfaction.present import (
    figures,
    files,
    formatting,
    remediation_docs,
    tables,
    word,
    workbook,
)
from satisfaction.present.field_report import FieldReport
from satisfaction.present.plan import RemediationReport
from satisfaction.present.province_report import ProvinceReport

__all__ = [
    "FieldReport",
    "ProvinceReport",
    "RemediationReport",
    "figures",
    "files",
    "formatting",
    "remediation_docs",
    "tables",
    "word",
    "workbook",
]
