"""Running the work: notebook parameters, warm kernels, parallel batches, the main job.

- `params`: notebook parameter schemas and validation.
- `kernel`: warm kernels for fast batches.
- `batch`: runs notebooks in parallel; manifest.json, index.html.
- `jobs`: the main job: clean -> estimate -> batch.
"""

from __future__ import annotations

from satisfaction.run.batch import Manifest, Unit, run_batch
from satisfaction.run.jobs import JobResult, prepare_survey, run_reports

__all__ = ["JobResult", "Manifest", "Unit", "prepare_survey", "run_batch", "run_reports"]
