"""Run one parameterised notebook: in a warm kernel reused across notebooks, or with papermill.

Start-up dominates the time of a small notebook: starting a kernel costs about a second here
and importing pandas, scipy, statsmodels and seaborn one to two more. A ``WarmKernel`` pays
both once: it starts one kernel, imports the heavy modules, and between notebooks only resets
the user namespace (``%reset -f``), closes figures, restores matplotlib, pandas, warnings,
logging, ``os.environ``, ``sys.path`` and the execution counter, and changes into the next
output folder, so units do not leak state into one another. Kernels are shut down at once
(``now=True``): the default graceful shutdown sometimes waits seconds for nothing.

The executed notebook looks like papermill's (an ``injected-parameters`` cell, papermill
metadata per cell, error markers on failure): papermill's execution manager and client run
the cells, only the kernel is kept. ``engine="papermill"`` runs ``papermill.execute_notebook``
with a fresh kernel per notebook, for comparison and as a fallback.

Each ``WarmKernel`` is driven from its own thread (jupyter_client's asynchronous client is
bound to the event loop of the thread that made it), so any thread may lease it from a
``KernelPool`` and any thread may shut it down. A kernel may start in the background
(``KernelPool.start``: the job starts its kernels while it reads, cleans and estimates); a
notebook given to it waits for the start, and a shutdown stops a start at once.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from satisfaction.run.kernel_setup import SETUP as _SETUP
from satisfaction.run.params import inject_parameters

__all__ = [
    "DEFAULT_PRELOAD",
    "Engine",
    "ExecutionResult",
    "KernelPool",
    "WarmKernel",
    "execute_notebook",
    "shared_pool",
    "shutdown_shared_pools",
]

Engine = Literal["warm", "papermill"]

#: Modules imported once per warm kernel; a missing one is skipped, never an error.
DEFAULT_PRELOAD: tuple[str, ...] = (
    "numpy",
    "pandas",
    "scipy.stats",
    "statsmodels.api",
    "matplotlib.pyplot",
    "seaborn",
    "satisfaction",
)

_logger = logging.getLogger(__name__)
_POLL_SECONDS = 0.2  # how often a wait for the kernel checks that it is still wanted and alive


@dataclass
class ExecutionResult:
    """An executed notebook (as written to disk) and, for a failure, what failed where.

    ``error`` holds ``cell_index`` (in the executed notebook, counting the injected parameters
    cell, as papermill does; None when unknown), ``execution_count``, ``ename`` and ``evalue``.
    """

    notebook: Any
    error: dict[str, Any] | None
    seconds: float


def _encryption() -> dict[str, str]:
    """CurveZMQ keys when this jupyter_client and pyzmq can: no plain-text TCP to the kernel."""
    import zmq
    from jupyter_client.manager import KernelManager

    if zmq.has("curve") and KernelManager.class_traits().get("transport_encryption"):
        return {"transport_encryption": "auto"}
    return {}


def _kernel_manager(kernel_name: str) -> Any:
    from jupyter_client.manager import AsyncKernelManager

    return AsyncKernelManager(kernel_name=kernel_name, **_encryption())


def _client_config() -> Any:
    from traitlets.config import Config

    return Config({"KernelManager": _encryption()})


class WarmKernel:
    """One kernel started once, preloaded, and reused by notebook after notebook.

    ``wait=False`` returns at once and starts the kernel in its thread; ``run`` then waits
    for the start (and raises its error), ``shutdown`` and ``kill`` stop it.
    """

    def __init__(
        self,
        kernel_name: str = "python3",
        *,
        preload: Sequence[str] = DEFAULT_PRELOAD,
        startup_timeout: float = 60,
        wait: bool = True,
    ) -> None:
        self.kernel_name = kernel_name
        self.preload = tuple(preload)
        self.startup_timeout = startup_timeout
        self.broken = False
        self.units_run = 0
        self.preload_failed: list[str] = []
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="warm-kernel")
        self._km: Any = None
        self._kc: Any = None
        self._stop = threading.Event()  # set by shutdown and kill: a start under way gives up
        self._started = self._thread.submit(self._start)
        if wait:
            try:
                self._started.result()
            except BaseException:
                self._thread.shutdown(wait=False)
                raise

    # everything that touches the kernel runs on the kernel's own thread and event loop
    def _call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._thread.submit(function, *args, **kwargs).result()

    def _start(self) -> None:
        from jupyter_core.utils import run_sync

        self._check_wanted()
        self._km = _kernel_manager(self.kernel_name)
        try:
            # no IPython history: nothing written to ~/.ipython, and no "Session/line number
            # was not unique" message after the execution counter is reset between notebooks
            run_sync(self._km.start_kernel)(extra_arguments=["--HistoryManager.enabled=False"])
            self._check_wanted()
            self._kc = self._km.client()
            # no heartbeat: liveness is the process's (the manager's is_alive); its thread
            # made stopping a kernel killed mid-start wait a second
            self._kc.start_channels(hb=False)
            run_sync(self._kc.wait_for_ready)(timeout=self.startup_timeout)
            self._check_wanted()
            self._kc.allow_stdin = False
            self._silent(_SETUP)
            code = f"__satisfaction_warm_setup({list(self.preload)!r})"
            self.preload_failed = self._silent(code, expression=True) or []
            self._silent("del __satisfaction_warm_setup")
        except BaseException:
            self._shutdown()
            raise

    def _check_wanted(self) -> None:
        """Raise when a shutdown or kill was asked for, or the kernel's process ended."""
        if self._stop.is_set():
            raise RuntimeError("warm kernel stopped")
        process = getattr(getattr(self._km, "provisioner", None), "process", None)
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"warm kernel died (exit code {process.poll()})")

    def _silent(self, code: str, *, expression: bool = False) -> Any:
        """Run code without output or history; raise RuntimeError if it fails.

        Waits for the reply in short polls (not jupyter_client's ``execute_interactive``,
        which waits for a dead kernel until its timeout): a shutdown during the preload
        ends the wait at once. The kernel's busy/idle messages are left for the notebook
        client, which skips messages of other requests.
        """
        import ast as _ast

        from jupyter_core.utils import run_sync

        expressions = {"result": code} if expression else {}
        msg_id = self._kc.execute(
            "" if expression else code,
            silent=True,
            store_history=False,
            user_expressions=expressions,
            allow_stdin=False,
        )
        deadline = time.monotonic() + self.startup_timeout * 5
        receive = run_sync(self._kc.get_shell_msg)
        while True:
            try:
                reply = receive(timeout=_POLL_SECONDS)
            except queue.Empty:
                self._check_wanted()
                if time.monotonic() > deadline:
                    raise TimeoutError("warm kernel: no reply") from None
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"warm kernel: {content.get('ename')}: {content.get('evalue')}")
        if expression:
            result = content["user_expressions"]["result"]
            if result.get("status") != "ok":
                raise RuntimeError(f"warm kernel: {result.get('ename')}: {result.get('evalue')}")
            return _ast.literal_eval(result["data"]["text/plain"])
        return None

    def run(
        self,
        nb: Any,
        *,
        cwd: Path,
        timeout: float | None,
        environment: Mapping[str, str] | None = None,
    ) -> Any:
        """Reset the kernel, change into ``cwd``, set ``environment`` on top of the kernel's
        own and execute ``nb`` (papermill-style)."""
        if self.broken:
            raise RuntimeError("warm kernel is broken")
        return self._call(self._run, nb, cwd, timeout, dict(environment or {}))

    def _run(self, nb: Any, cwd: Path, timeout: float | None, environment: dict[str, str]) -> Any:
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.engines import NotebookExecutionManager
        from papermill.log import logger as papermill_logger

        try:
            failed_start = self._started.exception()  # done: it ran before, on this thread
            if failed_start is not None:
                raise failed_start
            self._check_wanted()
            plain = {str(k): str(v) for k, v in environment.items()}  # a literal, never code
            self._silent(
                f"__import__('sys').modules['_satisfaction_warm'].reset({str(cwd)!r}, {plain!r})"
            )
            manager = NotebookExecutionManager(
                nb, output_path=None, progress_bar=False, autosave_cell_every=0
            )
            manager.notebook_start()
            try:
                client = PapermillNotebookClient(
                    manager,
                    km=self._km,
                    kernel_name=self.kernel_name,
                    timeout=timeout,
                    startup_timeout=self.startup_timeout,
                    log=papermill_logger,
                )
                client.kc = self._kc  # reuse the running client: no new channels, no start
                client.execute()
            finally:
                manager.cleanup_pbar()
                manager.notebook_complete()
            self.units_run += 1
            return manager.nb
        except BaseException:
            # a timeout or a dead kernel leaves the kernel in an unknown state: retire it
            self.broken = True
            raise

    def kill(self) -> None:
        """Kill the kernel process from any thread, even mid-notebook or mid-start (then
        ``shutdown``)."""
        self.broken = True
        self._stop.set()
        process = getattr(getattr(self._km, "provisioner", None), "process", None)
        if process is not None:
            with contextlib.suppress(Exception):
                process.kill()

    def cancel_start(self) -> None:
        """Stop a start under way, from any thread (a started kernel is left running)."""
        if not self._started.done():
            self.kill()

    def shutdown(self) -> None:
        """Stop the kernel at once (no graceful wait) and the kernel's thread; a start
        under way is stopped first, and this returns once its process is gone."""
        self.cancel_start()
        with contextlib.suppress(Exception):
            self._call(self._shutdown)  # after the start (one thread): nothing is left behind
        self._thread.shutdown(wait=False)

    def _shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        km, kc, self._km, self._kc = self._km, self._kc, None, None
        if kc is not None:
            with contextlib.suppress(Exception):
                kc.stop_channels()
        if km is not None:
            # kill first: jupyter_client interrupts before it kills, and an idle kernel then
            # logs a "KeyboardInterrupt caught in kernel" error for nothing
            process = getattr(getattr(km, "provisioner", None), "process", None)
            with contextlib.suppress(Exception):
                process.kill()
                process.wait(timeout=10)
            with contextlib.suppress(Exception):
                run_sync(km.shutdown_kernel)(now=True)
            with contextlib.suppress(Exception):
                run_sync(km.cleanup_resources)()


class KernelPool:
    """Idle warm kernels, leased one per running notebook and kept for the next one.

    The pool never holds more kernels than notebooks ran at once, so a pool shared by
    ``workers`` threads starts at most ``workers`` kernels.
    """

    def __init__(
        self, kernel_name: str = "python3", *, preload: Sequence[str] = DEFAULT_PRELOAD
    ) -> None:
        self.kernel_name = kernel_name
        self.preload = tuple(preload)
        self._idle: list[WarmKernel] = []
        self._all: list[WarmKernel] = []
        self._lock = threading.Lock()
        self.started = 0  # kernels this pool has started

    def start(self, count: int) -> int:
        """Start kernels in the background until the pool holds ``count``; returns how many
        were started. A job calls this first, so the kernels start and import their preload
        while it reads, cleans and estimates; a notebook leasing one waits for its start."""
        with self._lock:
            new = [
                WarmKernel(self.kernel_name, preload=self.preload, wait=False)
                for _ in range(max(0, count - len(self._all)))
            ]
            self._all.extend(new)
            self._idle.extend(new)
            self.started += len(new)
        return len(new)

    @contextlib.contextmanager
    def lease(self) -> Iterator[WarmKernel]:
        with self._lock:
            kernel = self._idle.pop() if self._idle else None
        if kernel is None:
            kernel = WarmKernel(self.kernel_name, preload=self.preload)
            with self._lock:
                self._all.append(kernel)
                self.started += 1
        try:
            yield kernel
        finally:
            if kernel.broken:
                kernel.shutdown()
                with self._lock:
                    if kernel in self._all:
                        self._all.remove(kernel)
            else:
                with self._lock:
                    self._idle.append(kernel)

    @property
    def size(self) -> int:
        return len(self._all)

    def kill(self) -> None:
        """Kill every kernel's process at once (an interrupted batch); leases then retire them."""
        with self._lock:
            kernels = list(self._all)
        for kernel in kernels:
            kernel.kill()

    def shutdown(self) -> None:
        with self._lock:
            kernels, self._all, self._idle = self._all, [], []
        for kernel in kernels:  # all at once: a start takes up to a second to notice
            kernel.cancel_start()
        for kernel in kernels:
            kernel.shutdown()


_shared: dict[tuple[str, tuple[str, ...]], KernelPool] = {}
_shared_lock = threading.Lock()


def shared_pool(kernel_name: str, preload: Sequence[str]) -> KernelPool:
    """The process-wide pool for these settings (used by Dask workers, which outlive tasks)."""
    key = (kernel_name, tuple(preload))
    with _shared_lock:
        if key not in _shared:
            _shared[key] = KernelPool(kernel_name, preload=preload)
        return _shared[key]


def shutdown_shared_pools() -> int:
    """Shut down every shared pool's kernels; returns how many pools there were."""
    with _shared_lock:
        pools = list(_shared.values())
        _shared.clear()
    for pool in pools:
        pool.shutdown()
    return len(pools)


def _escape_braces(path: Path) -> str:
    # papermill formats paths with the parameters (str.format); keep braces literal
    return str(path).replace("{", "{{").replace("}", "}}")


def _error_of(nb: Any) -> dict[str, Any] | None:
    """papermill's reading of the first error in an executed notebook (adds its markers)."""
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import raise_for_execution_errors

    try:
        raise_for_execution_errors(nb, None)  # with no path it only marks, writes nothing
    except PapermillExecutionError as error:
        return _error_dict(error)
    return None


def _error_dict(error: Any) -> dict[str, Any]:
    return {
        "cell_index": error.cell_index,
        "execution_count": error.exec_count,
        "ename": error.ename,
        "evalue": error.evalue,
    }


def _failure(failure: BaseException, nb: Any) -> dict[str, Any]:
    """An error record for a failure outside the notebook's code (timeout, dead kernel)."""
    lines = [line.strip() for line in str(failure).splitlines() if line.strip()]
    return {
        "cell_index": _last_started_cell(nb),
        "execution_count": None,
        "ename": type(failure).__name__,
        "evalue": lines[0] if lines else "",
    }


def _last_started_cell(nb: Any) -> int | None:
    """The cell that was running: the last one papermill gave a start time."""
    started = [
        index
        for index, cell in enumerate(getattr(nb, "cells", None) or [])
        if cell.get("metadata", {}).get("papermill", {}).get("start_time")
    ]
    return started[-1] if started else None


def execute_notebook(
    notebook: str | Path,
    output_path: str | Path,
    parameters: Mapping[str, Any],
    *,
    cwd: str | Path,
    engine: Engine = "warm",
    pool: KernelPool | None = None,
    kernel_name: str = "python3",
    timeout: float | None = 600,
    environment: Mapping[str, str] | None = None,
) -> ExecutionResult:
    """Execute ``notebook`` with ``parameters`` in ``cwd`` and write it to ``output_path``.

    ``parameters`` must already be validated (``satisfaction.run.params.validate_params``). A
    failure inside the notebook does not raise: it is returned in ``ExecutionResult.error``
    (the executed notebook, with papermill's error markers, is still written). ``engine``
    ``"warm"`` leases a kernel from ``pool`` and sets ``environment`` in it for this notebook
    (a Dask worker's kernels were started with whatever environment the worker had);
    ``"papermill"`` starts a fresh kernel, which inherits this process's environment.
    """
    notebook, output_path, cwd = Path(notebook), Path(output_path), Path(cwd)
    started = time.perf_counter()
    if engine == "papermill":
        return _execute_papermill(notebook, output_path, parameters, cwd, kernel_name, timeout)
    if engine != "warm":
        raise ValueError(f"unknown engine {engine!r}; use 'warm' or 'papermill'")
    from papermill.execute import prepare_notebook_metadata, remove_error_markers
    from papermill.iorw import load_notebook_node

    nb = load_notebook_node(str(notebook))
    nb = inject_parameters(nb, parameters)
    nb = prepare_notebook_metadata(nb, str(notebook), str(output_path))
    nb = remove_error_markers(nb)
    pool = pool if pool is not None else KernelPool(kernel_name)
    error: dict[str, Any] | None
    try:
        with pool.lease() as kernel:
            nb = kernel.run(nb, cwd=cwd, timeout=timeout, environment=environment)
        error = _error_of(nb)
    except Exception as failure:  # a timeout, a dead kernel: record it, go on with the batch
        error = _failure(failure, nb)
    import nbformat

    nbformat.write(nb, str(output_path))
    return ExecutionResult(nb, error, time.perf_counter() - started)


def _execute_papermill(
    notebook: Path,
    output_path: Path,
    parameters: Mapping[str, Any],
    cwd: Path,
    kernel_name: str,
    timeout: float | None,
) -> ExecutionResult:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    error: dict[str, Any] | None = None
    try:
        papermill.execute_notebook(
            _escape_braces(notebook),
            _escape_braces(output_path),
            parameters=dict(parameters),
            kernel_name=kernel_name,
            progress_bar=False,
            execution_timeout=timeout,
            # the kernel's working directory without papermill's process-wide os.chdir,
            # which would race between worker threads
            resources={"metadata": {"path": str(cwd)}},
            shutdown_kernel="immediate",
            config=_client_config(),
        )
    except PapermillExecutionError as failure:
        error = _error_dict(failure)
    except Exception as failure:
        error = _failure(failure, None)
    if output_path.exists():
        import nbformat

        nb = nbformat.read(str(output_path), as_version=4)
        if error is not None and error["cell_index"] is None:
            error["cell_index"] = _last_started_cell(nb)
    else:
        nb = None
    return ExecutionResult(nb, error, time.perf_counter() - started)
