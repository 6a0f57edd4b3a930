"""Running the work: notebook parameters, warm kernels, parallel batches, the main job.

- `params`: notebook parameter schemas and validation.
- `kernel`: warm kernels for fast batches.
- `units`: notebook units: validated parameters and output folders.
- `manifest`: hashes, versions, manifest.json, skipping unchanged units.
- `index_page`: the HTML reports and the batch's index.html.
- `batch`: runs notebooks in parallel; manifest.json, index.html.
- `jobs`: the main job: clean -> estimate -> batch.
- `onestop`: the one-stop job: dossier export -> clean dossiers -> metrics.csv.
"""

from __future__ import annotations

from satisfaction.run.batch import run_batch
from satisfaction.run.jobs import JobResult, prepare_survey, run_reports
from satisfaction.run.manifest import Manifest
from satisfaction.run.onestop import OnestopResult, run_onestop
from satisfaction.run.units import Unit

__all__ = [
    "JobResult",
    "Manifest",
    "OnestopResult",
    "Unit",
    "prepare_survey",
    "run_batch",
    "run_onestop",
    "run_reports",
]
