"""Word documents exported to PDF through LibreOffice (``--pdf``), for printing and sending.

:func:`export_pdfs` converts every ``.docx`` under a folder with ``soffice --headless``
(each beside its document, same name), using a private LibreOffice profile so it neither
waits on nor disturbs a LibreOffice the user has open. Without LibreOffice it converts
nothing and says so.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from satisfaction.errors import InputError

__all__ = ["export_pdfs", "libreoffice"]

_TIMEOUT_S = 180


def libreoffice() -> str | None:
    """The LibreOffice command on this machine, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def export_pdfs(folder: str | Path, documents: Sequence[Path] | None = None) -> list[Path]:
    """PDF copies of the ``.docx`` files under ``folder`` (or of ``documents``); returns the
    PDFs written. Raises ``InputError`` naming the document LibreOffice could not convert;
    returns [] when LibreOffice is not installed."""
    command = libreoffice()
    root = Path(folder)
    docs = sorted(documents if documents is not None else root.rglob("*.docx"))
    docs = [d for d in docs if not d.name.startswith((".", "~$"))]
    if command is None or not docs:
        return []
    written = []
    with tempfile.TemporaryDirectory(prefix="satisfaction-lo-") as profile:
        for doc in docs:
            result = subprocess.run(
                [
                    command,
                    f"-env:UserInstallation={Path(profile).as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(doc.parent),
                    str(doc),
                ],
                capture_output=True,
                text=True,
                timeout=_TIMEOUT_S,
                check=False,
            )
            pdf = doc.with_suffix(".pdf")
            if result.returncode != 0 or not pdf.is_file():
                detail = (result.stderr or result.stdout).strip().splitlines()
                raise InputError(
                    "LibreOffice could not convert the document to PDF"
                    + (f": {detail[-1]}" if detail else ""),
                    file=doc,
                )
            written.append(pdf)
    return written
