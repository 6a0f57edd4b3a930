"""Presenting results: figures, tables, Excel and Word files, and the notebooks' sections.

- `figures`: drawers: tidy estimates in, matplotlib Axes out.
- `report`: writers: figures (PNG/SVG/CSV), Excel workbooks, Word documents.
- `sections`: the province and field reports' sections.
- `plan`: the remediation plan's sections and documents.
"""

from __future__ import annotations

from satisfaction.present import figures, report
from satisfaction.present.plan import RemediationReport
from satisfaction.present.sections import FieldReport, ProvinceReport

__all__ = ["FieldReport", "ProvinceReport", "RemediationReport", "figures", "report"]
