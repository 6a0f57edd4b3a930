"""Run parameterised notebooks in batch: one unit per province, field or report, in parallel.

Units come from ``satisfaction.run.units`` (``make_unit``); ``run_batch`` runs them on a
bounded pool of warm kernels (``satisfaction.run.kernel``) or on an existing Dask scheduler,
goes on past failures, and writes under ``out_dir`` only::

    out_dir/
      index.html                      links every report, figure and table
      manifest.json                   per unit: parameters, hashes, versions, times, status
      <notebook-slug>/<value-slug>/   one folder per unit
        <notebook>.ipynb              the executed notebook (records its parameters)
        <notebook>.html               the same, code hidden, images embedded
        ...                           whatever the notebook wrote into its output_dir

A rerun skips a unit whose notebook, parameters, input files and package versions are
unchanged and whose outputs exist, unless ``force``; no kernel is started for it
(``satisfaction.run.manifest``). Compute shared estimates once, before the batch, write them
to a file, pass its path as a parameter and declare it in ``inputs``: the notebooks then only
read and draw, and a change of the file reruns them. The pages are written by
``satisfaction.run.index_page``.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from satisfaction.errors import ParameterError
from satisfaction.run.index_page import INDEX_NAME, export_html, write_index
from satisfaction.run.kernel import (
    DEFAULT_PRELOAD,
    Engine,
    KernelPool,
    execute_notebook,
    shared_pool,
    shutdown_shared_pools,
)
from satisfaction.run.manifest import (
    _DONE,
    MANIFEST_NAME,
    Manifest,
    _digest,
    _list_outputs,
    _now,
    _outputs_exist,
    _package_code_sha256,
    _previous_records,
    _remove_previous_outputs,
    hash_inputs,
    package_versions,
)
from satisfaction.run.units import Unit, _check_units, _schema

__all__ = ["run_batch"]

_Finish = Callable[[Mapping[str, Any], Mapping[str, Any]], None]


def run_batch(
    units: Sequence[Unit],
    *,
    out_dir: str | Path,
    workers: int = 2,
    force: bool = False,
    dask_address: str | None = None,
    progress: bool = True,
    engine: Engine = "warm",
    kernel_name: str = "python3",
    timeout: float | None = 600,
    preload: Sequence[str] = DEFAULT_PRELOAD,
    kernel_pool: KernelPool | None = None,
    about: str = "",
    environment: Mapping[str, str] | None = None,
) -> Manifest:
    """Run ``units`` and write their outputs, ``manifest.json`` and ``index.html`` in ``out_dir``.

    Every unit is checked first (folders inside ``out_dir`` and distinct, parameters known,
    of the right type and plain, inputs present): a ``ParameterError`` lists every problem
    and nothing is written. Then the units run on ``workers`` threads, each leasing a warm
    kernel (``engine="warm"``) or starting a papermill kernel per unit
    (``engine="papermill"``), or on the Dask scheduler at ``dask_address`` (the workers must
    see ``out_dir`` and the notebooks at the same paths). A failing unit is recorded with its
    cell index and error and the others go on. Unchanged units are skipped unless ``force``.
    The manifest is rewritten after every unit, so an interrupted batch resumes where it
    stopped. ``preload`` lists the modules each warm kernel imports once; a ``kernel_pool``
    given by the caller is used instead of a new one and left running (several batches in one
    session then share warm kernels; its ``preload`` applies). ``about`` is shown at the top
    of the index page (e.g. the survey and its kind of sample). ``environment`` is set in
    each warm kernel for its notebook (the job passes ``SATISFACTION_ROOT``: a Dask worker's
    kernels would otherwise look for the data wherever that worker was started).
    """
    if workers < 1:
        raise ParameterError(f"{workers} must be at least 1", key="parameter 'workers'")
    if engine not in ("warm", "papermill"):
        raise ParameterError(f"{engine!r} is not 'warm' or 'papermill'", key="parameter 'engine'")
    units = list(units)
    out_root = Path(out_dir).resolve()
    _check_units(units, out_root)
    records, specs, stale = _plan(
        units,
        out_root,
        force=force,
        engine=engine,
        kernel_name=kernel_name,
        timeout=timeout,
        preload=preload,
    )
    for spec in specs:  # plain strings: the spec may travel to a Dask worker
        spec["environment"] = {str(k): str(v) for k, v in (environment or {}).items()}

    out_root.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(
        out_root / MANIFEST_NAME,
        out_root / INDEX_NAME,
        meta={
            "format": 1,
            "updated": _now(),
            "engine": engine,
            "workers": workers,
            "dask": dask_address,
            "kernel": kernel_name,
        },
    )
    finish = _finisher(records, manifest, out_root)
    for record in stale:
        _remove_previous_outputs(out_root, record)
    try:
        if dask_address:
            _run_dask(specs, finish, progress=progress, address=dask_address)
        else:
            _run_local(specs, finish, workers=workers, progress=progress, pool=kernel_pool)
    finally:  # also when interrupted: finished units are kept, "pending" ones rerun next time
        manifest.units = list(records.values())
        manifest.meta["updated"] = _now()
        manifest.write()
    write_index(out_root, manifest.units, about=about)
    return manifest


# ---------------------------------------------------------------------------------------------
# planning: which units run, which are skipped


def _plan(
    units: Sequence[Unit],
    out_root: Path,
    *,
    force: bool,
    engine: Engine,
    kernel_name: str,
    timeout: float | None,
    preload: Sequence[str],
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Per folder the unit's record; the specs of the units to run; their earlier records.

    A unit whose key and outputs are unchanged keeps its earlier record as "skipped"; units
    of earlier batches whose folders still exist stay listed after the given ones.
    """
    versions = package_versions()
    code_sha = _package_code_sha256()
    hash_cache: dict[tuple[str, int, int], str] = {}
    previous = _previous_records(out_root / MANIFEST_NAME)
    records: dict[str, dict[str, Any]] = {}
    specs: list[dict[str, Any]] = []
    stale: list[dict[str, Any]] = []  # records of earlier runs of the units about to rerun
    for unit in units:
        record = _unit_record(unit, versions, code_sha, kernel_name, hash_cache)
        before = previous.get(unit.folder)
        if not force and before is not None and _is_current(out_root, before, record["key"]):
            records[unit.folder] = {
                **before,
                "title": unit.title,
                "group": unit.group,
                "status": "skipped",
                "checked": _now(),
            }
            continue
        spec = _unit_spec(
            unit,
            out_root,
            engine=engine,
            kernel_name=kernel_name,
            timeout=timeout,
            preload=preload,
        )
        records[unit.folder] = {**record, "status": "pending", "engine": engine}
        specs.append(spec)
        if before is not None:
            stale.append(before)
    for folder, record in previous.items():  # units of earlier batches stay listed
        if folder not in records and (out_root / folder).is_dir():
            records[folder] = record
    return records, specs, stale


def _unit_record(
    unit: Unit,
    versions: Mapping[str, str | None],
    code_sha: str,
    kernel_name: str,
    hash_cache: dict[tuple[str, int, int], str],
) -> dict[str, Any]:
    """What the manifest says of a unit before it runs, with the key that decides skipping."""
    notebook = Path(unit.notebook)
    inputs_sha, per_file = hash_inputs(unit.inputs, hash_cache)
    notebook_sha = hash_inputs([notebook], hash_cache)[1][str(notebook)]
    parameters = dict(unit.parameters)
    key = _digest(
        {
            "notebook": notebook_sha,
            "parameters": parameters,
            "inputs": inputs_sha,
            "versions": versions,
            "code": code_sha,
            "kernel": kernel_name,
        }
    )
    return {
        "folder": unit.folder,
        "title": unit.title,
        "group": unit.group,
        "notebook": str(unit.notebook),
        "notebook_sha256": notebook_sha,
        "parameters": parameters,
        "inputs": per_file,
        "inputs_sha256": inputs_sha,
        "versions": versions,
        "code_sha256": code_sha,
        "key": key,
    }


def _is_current(out_root: Path, before: Mapping[str, Any], key: str) -> bool:
    """An earlier run of the same key that finished and whose outputs are all still there."""
    return (
        before.get("key") == key
        and before.get("status") in _DONE
        and _outputs_exist(out_root, before)
    )


def _unit_spec(
    unit: Unit,
    out_root: Path,
    *,
    engine: Engine,
    kernel_name: str,
    timeout: float | None,
    preload: Sequence[str],
) -> dict[str, Any]:
    """What a worker needs to run a unit (plain values: it may travel to a Dask worker)."""
    notebook = Path(unit.notebook)
    unit_dir = out_root.joinpath(*unit.folder.split("/"))
    schema = _schema(notebook)
    injected = dict(unit.parameters)
    if "output_dir" in schema:
        injected["output_dir"] = str(unit_dir)
    stem = notebook.stem
    return {
        "folder": unit.folder,
        "notebook": str(notebook.resolve()),
        "parameters": injected,
        "unit_dir": str(unit_dir),
        "notebook_file": f"{stem}.ipynb",
        "html_file": f"{stem}.html",
        "title": unit.title or unit.folder,
        "engine": engine,
        "kernel_name": kernel_name,
        "timeout": timeout,
        "preload": tuple(preload),
    }


# ---------------------------------------------------------------------------------------------
# collecting results


def _finisher(records: dict[str, dict[str, Any]], manifest: Manifest, out_root: Path) -> _Finish:
    """``finish(spec, outcome)``: record a unit's outcome and outputs as it ends, from any
    thread; the manifest is rewritten at most once a second (big batches)."""
    lock = threading.Lock()
    last_write = [0.0]

    def finish(spec: Mapping[str, Any], outcome: Mapping[str, Any]) -> None:
        unit_dir = Path(spec["unit_dir"])
        with lock:
            record = records[spec["folder"]]
            record.update(outcome)
            record["outputs"] = _list_outputs(out_root, unit_dir, spec)
            if time.monotonic() - last_write[0] > 1:  # at most once a second: big batches
                manifest.units = list(records.values())
                manifest.write()
                last_write[0] = time.monotonic()

    return finish


# ---------------------------------------------------------------------------------------------
# dispatching: one unit, on local threads or on Dask


def _run_unit(spec: dict[str, Any], pool: KernelPool | None = None) -> dict[str, Any]:
    """Execute one unit and export its HTML; returns the run's part of the record.

    Runs in a worker thread or on a Dask worker (then ``pool`` is None and the worker's
    process-wide pool is used). Never raises for a failing notebook.
    """
    unit_dir = Path(spec["unit_dir"])
    start, clock = _now(), time.perf_counter()
    status, error = "ok", None
    executed = unit_dir / spec["notebook_file"]
    report = unit_dir / spec["html_file"]
    try:
        unit_dir.mkdir(parents=True, exist_ok=True)
        if pool is None and spec["engine"] == "warm":
            pool = shared_pool(spec["kernel_name"], spec["preload"])
        result = execute_notebook(
            spec["notebook"],
            executed,
            spec["parameters"],
            cwd=unit_dir,
            engine=spec["engine"],
            pool=pool,
            kernel_name=spec["kernel_name"],
            timeout=spec["timeout"],
            environment=spec.get("environment"),
        )
        error = result.error
        if error is not None:
            status = "failed"
        if result.notebook is not None:
            language = str(spec["parameters"].get("language") or "vi")
            export_html(result.notebook, report, title=spec["title"], language=language)
    except Exception as failure:  # the batch goes on; the manifest says what happened
        status = "failed"
        error = {
            "cell_index": None,
            "execution_count": None,
            "ename": type(failure).__name__,
            "evalue": str(failure),
        }
    return {
        "status": status,
        "error": error,
        "start": start,
        "end": _now(),
        "duration_s": round(time.perf_counter() - clock, 3),
    }


def _progress_bar(total: int, progress: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="notebooks", unit="nb", disable=not progress or total == 0)


def _run_local(
    specs: Sequence[dict[str, Any]],
    finish: _Finish,
    *,
    workers: int,
    progress: bool,
    pool: KernelPool | None,
) -> None:
    if not specs:
        return
    engine = specs[0]["engine"]
    owned = pool is None
    if pool is None:
        pool = KernelPool(specs[0]["kernel_name"], preload=specs[0]["preload"])
    failed = 0
    bar = _progress_bar(len(specs), progress)
    executor = ThreadPoolExecutor(min(workers, len(specs)), thread_name_prefix="batch")
    futures: dict[Any, Mapping[str, Any]] = {}
    try:
        futures = {
            executor.submit(_run_unit, spec, pool if engine == "warm" else None): spec
            for spec in specs
        }
        for future in as_completed(futures):
            outcome = future.result()
            failed += outcome["status"] == "failed"
            finish(futures[future], outcome)
            bar.set_postfix(failed=failed, refresh=False)
            bar.update()
    except BaseException:  # Ctrl-C: stop the running notebooks now rather than wait for them
        for future in futures:
            future.cancel()
        pool.kill()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        if owned:
            pool.shutdown()
        bar.close()


_DASK_CONNECT_SECONDS = 10


def _run_dask(
    specs: Sequence[dict[str, Any]],
    finish: _Finish,
    *,
    progress: bool,
    address: str,
) -> None:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise ParameterError(
            "needs dask.distributed: pip install 'satisfaction[dask]'", key="option --dask"
        ) from None
    if not specs:
        return
    try:
        client = Client(address, set_as_default=False, timeout=_DASK_CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as err:
        raise ParameterError(
            f"cannot reach a Dask scheduler at {address!r} within {_DASK_CONNECT_SECONDS} s "
            f"({type(err).__name__}: {str(err)[:120]})",
            key="option --dask",
        ) from None
    failed = 0
    bar = _progress_bar(len(specs), progress)
    batch_id = uuid.uuid4().hex[:8]
    try:
        futures = {
            client.submit(_run_unit, spec, pure=False, key=f"satisfaction-{batch_id}-{i}"): spec
            for i, spec in enumerate(specs)
        }
        for future in dask_completed(list(futures), loop=client.loop):
            spec = futures[future]
            try:
                outcome = future.result()
            except Exception as failure:  # a worker lost, a task that could not run
                outcome = {
                    "status": "failed",
                    "error": {
                        "cell_index": None,
                        "execution_count": None,
                        "ename": type(failure).__name__,
                        "evalue": str(failure),
                    },
                    "start": None,
                    "end": _now(),
                    "duration_s": None,
                }
            failed += outcome["status"] == "failed"
            finish(spec, outcome)
            bar.set_postfix(failed=failed, refresh=False)
            bar.update()
    finally:
        try:
            client.run(shutdown_shared_pools)  # kernels held by the workers' pools
        except Exception:  # a worker gone: its kernels died with it
            pass
        client.close()
        bar.close()
