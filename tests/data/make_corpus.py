"""Write tests/data/corpus/: small survey files as other programs write them.

A fixture written by our own code proves only that we can read ourselves, so each file here
is written, or re-saved, by the program field teams use:

* ``demo_small.xlsx``: the first 40 forms of the demo survey (title row, two-row merged
  header, a blank row, a totals row) as `satisfaction.demo.workbook` writes it: xlsxwriter,
  text in a shared-strings table as Excel stores it;
* ``demo_small_lo.xlsx``, ``demo_small_lo.xls``, ``demo_small_lo.ods``: that workbook
  re-saved by LibreOffice (headless ``soffice --convert-to``): LibreOffice's own XML, the
  Excel 97-2003 binary format (BIFF8) and OpenDocument.

Run from the repository root: ``python tests/data/make_corpus.py`` (needs LibreOffice's
``soffice`` on PATH). The files are committed; the tests only read them.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
DEMO_ROWS = 40


def demo_small() -> Path:
    """The first forms of the demo survey, written as the demo workbook is."""
    from satisfaction.demo.sipas import generate_demo
    from satisfaction.demo.workbook import demo_workbook_bytes

    survey = generate_demo()
    small = dataclasses.replace(
        survey,
        raw=survey.raw.head(DEMO_ROWS).copy(),
        truth=survey.truth.head(DEMO_ROWS).copy(),
        blank_rows_after=tuple(r for r in survey.blank_rows_after if r < DEMO_ROWS - 1) or (9,),
    )
    path = CORPUS / "demo_small.xlsx"
    path.write_bytes(demo_workbook_bytes(small))
    return path


def libreoffice_copies(original: Path) -> list[Path]:
    """The workbook re-saved by LibreOffice as .xlsx, .xls and .ods."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice (soffice) is needed to write the corpus")
    written = []
    targets = {
        "xlsx": 'xlsx:"Calc MS Excel 2007 XML"',
        "xls": 'xls:"MS Excel 97"',
        "ods": "ods",
    }
    with tempfile.TemporaryDirectory() as tmp:
        for suffix, target in targets.items():
            profile = Path(tmp) / "profile"
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    target.replace('"', ""),
                    "--outdir",
                    tmp,
                    str(original),
                ],
                check=True,
                capture_output=True,
                timeout=600,
            )
            converted = Path(tmp) / f"{original.stem}.{suffix}"
            path = CORPUS / f"{original.stem}_lo.{suffix}"
            shutil.copyfile(converted, path)
            written.append(path)
    return written


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    original = demo_small()
    for path in [original, *libreoffice_copies(original)]:
        print(f"{path.relative_to(HERE)}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
