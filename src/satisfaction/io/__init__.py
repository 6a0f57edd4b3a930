"""Reading what survey teams deliver: files, Vietnamese text, the instrument, reference tables.

The left end of the flow. Nothing here changes a value: readers change types only, and
everything that corrects data lives in `satisfaction.cleaning`.

- `text`: Vietnamese text (NFC, TCVN3/VNI legacy encodings, tone placement, matching keys),
  gathering `normalise` (NFC, whitespace), `legacy` (TCVN3/VNI) and `distinct` (`map_unique`).
- `geography`: the 63 pre-2025 and 34 current provinces, and the old -> new mapping.
- `instrument`: the questionnaire as data, validated with key paths (a package).
- `read`: CSV / Excel / SPSS / Parquet -> a raw frame with Excel row numbers (a package).
- `spss`: an instrument built from an SPSS dictionary.
- `papi_workbook`: published PAPI-style index workbooks -> one tidy frame of scores.
- `papi_instrument`: a PAPI-style instrument (indicators, sub-dimensions, dimensions, total).
- `paths`: safe folder names and paths for everything the toolkit writes.
- `dossiers`: one-stop dossier exports: the `dossiers.yaml` column-role map and the reader.
"""

from __future__ import annotations

from satisfaction.io import dossiers, geography, paths, text
from satisfaction.io.instrument import Instrument, instrument_from_dict, load_instrument
from satisfaction.io.paths import safe_output_path, slugify
from satisfaction.io.read import RawResponses, read_responses
from satisfaction.io.spss import instrument_from_spss, write_instrument_yaml

__all__ = [
    "Instrument",
    "RawResponses",
    "dossiers",
    "geography",
    "instrument_from_dict",
    "instrument_from_spss",
    "load_instrument",
    "paths",
    "read_responses",
    "safe_output_path",
    "slugify",
    "text",
    "write_instrument_yaml",
]
