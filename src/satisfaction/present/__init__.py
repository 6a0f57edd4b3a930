"""Presenting results: figures, tables, Excel and Word files, and the notebooks' sections.

- `figures`: drawers: tidy estimates in, matplotlib Axes out.
- `report`: writers: figures (PNG/SVG/CSV), Excel workbooks, Word documents.
- `survey_choice`: the project, survey, provinces and fields a report covers; its estimates.
- `sections`: what the reports' sections share (`_Report`).
- `province_report`, `field_report`: the province and field reports' sections.
- `plan`: the remediation plan's sections and documents.
"""

from __future__ import annotations

from satisfaction.present import figures, report
from satisfaction.present.field_report import FieldReport
from satisfaction.present.plan import RemediationReport
from satisfaction.present.province_report import ProvinceReport

__all__ = ["FieldReport", "ProvinceReport", "RemediationReport", "figures", "report"]
