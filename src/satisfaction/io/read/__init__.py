"""Raw survey responses from CSV, Excel, SPSS or Parquet: nothing changed but types.

`read_responses` turns a file as delivered by a field team into a `RawResponses`: a frame
plus everything a user needs to trust it -- which encoding, sheet and header row were used,
which rows were removed at read time (blank rows, totals rows) and why, and notes about
anything odd (a two-row header, codes Excel turned into dates, expected columns not found).

Why text: CSV and Excel cells are read AS TEXT so identifier codes keep their leading zeros
("00123") and the instrument-driven cleaning step decides how each column is parsed. Excel
numbers become the text Excel shows ("4", "12.5"), Excel dates ISO text ("2025-03-14").
SPSS and Parquet keep their stored types (SPSS codes stay numeric; value labels and
user-missing codes are kept beside the frame). Every row carries its row number in the
source file in the column `_row`, so the cleaning log can send a user to the exact row.
Header names are normalised to Unicode NFC; text cells are NOT (cleaning normalises and logs
every changed cell), but cells not in NFC are counted in a note. Cells holding only spaces
count as blank.

Modules: `dispatch` (`read_responses`: options, file type), `csv_files` (encodings,
delimiter), `excel` (sheet -> frame) and `workbook` (opening the .xlsx), `spss_parquet`,
`header` (header row, two-row headers), `rows` (blank and totals rows), `frame` (text table
-> frame), `cells` (cells as text), `responses` (`RawResponses`, `ReadNote`).
"""

from __future__ import annotations

from satisfaction.io.read.cells import excel_column_letter
from satisfaction.io.read.dispatch import read_responses
from satisfaction.io.read.responses import REASON_COLUMN, ROW_COLUMN, RawResponses, ReadNote

__all__ = [
    "REASON_COLUMN",
    "ROW_COLUMN",
    "RawResponses",
    "ReadNote",
    "excel_column_letter",
    "read_responses",
]
