"""The ``ray`` engine: the items of :func:`ingest.runtime.pool.run_limited` run as tasks on a Ray cluster.

A task takes a few items (one document, or a share of a batch of reports) and runs them on the node
it lands on with the local engine (``run_limited`` with one worker process), so an item's time and
memory budget, and the reason it fails when over budget, are exactly those of a refresh on one
machine. What a task needs travels with it through Ray's object store (:class:`ingest.runtime.pool.Remote`
ships a file's bytes, never its path: nodes share no filesystem) and its outcomes come back to the
refresh, which alone writes the build database. Tasks are pure functions of their arguments, so a
task that Ray runs again (its node was lost) gives the same outcome and the refresh keeps exactly
one per item. Ray is imported when the engine is first used, never by a ``local`` refresh.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ingest.runtime.pool import Limits, Outcome, Remote, run_limited

MAX_PER_TASK = 64
"""Items in one task at most, when the caller does not say (reports: a task is milliseconds each)."""
TASKS_PER_CPU = 2
"""Tasks submitted per CPU of the cluster: one runs, the next waits on the node."""
GPU_SHARE = 0.25
"""GPU fraction one OCR task asks for: four OCR tasks share a GPU (its model is small)."""
TASK_RETRIES = 3
"""Times Ray runs a task again elsewhere when its node or worker is lost."""
_WAIT_SECONDS = 5.0
_START_SECONDS = 300.0


def unreachable(address: str, timeout: float = 5.0) -> str | None:
    """Why nothing answers at a Ray address (a TCP connection to its host and port), or None when
    something does: checked before a refresh does any work, without importing Ray."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        return f"no Ray cluster answers at {address}: {exc.strerror or exc}"
    return None


def _ray() -> Any:
    """The ``ray`` module, imported on first use. Under ``uv run`` Ray would by default ship this
    working directory to every node and start their workers with ``uv run`` (a package index on each
    node); here nodes run the govperf installed on them (README: the cluster)."""
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    import ray

    return ray


class EngineError(RuntimeError):
    """The cluster could not run the work (unreachable, every node lost, retries used up)."""


def _with_env(fn: Callable[[Any], Any], env: dict[str, str], item: Any) -> Any:
    """``fn(item)`` with ``env`` set first: the worker process is forked from a server started
    before Ray gave this task its GPU, so the GPU Ray assigned the task is passed on here (as Ray
    itself sets ``CUDA_VISIBLE_DEVICES`` for the task)."""
    os.environ.update(env)
    return fn(item)


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Hide ``__main__.__file__`` (Ray's worker script) while worker processes start: multiprocessing
    would import that script, and so Ray, again in each of them."""
    main = sys.modules["__main__"]
    path = main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        if path is not None:
            main.__file__ = path


def run_task(
    fn: Callable[[Any], Any], items: list[Any], limits: Limits, what: str, preload: Sequence[str], gpu: bool
) -> list[tuple[Any, str | None]]:
    """One task on a node: ``fn`` over ``items`` in one local worker process under ``limits``;
    ``(value, failure)`` per item. A pure function of its arguments, so running it again is harmless."""
    if gpu:
        gpus = _ray().get_runtime_context().get_accelerator_ids().get("GPU", [])
        fn = functools.partial(_with_env, fn, {"CUDA_VISIBLE_DEVICES": ",".join(gpus)})
    with _main_script_hidden():
        outcomes = list(run_limited(fn, items, limits, workers=1, what=what, preload=preload))
    return [(outcome.value, outcome.failure) for outcome in outcomes]


def per_task(total: int, cpus: int) -> int:
    """Items per task when the caller does not say: about four tasks per CPU, at most ``MAX_PER_TASK``."""
    return max(1, min(MAX_PER_TASK, math.ceil(total / (4 * max(1, cpus)))))


class RayEngine:
    """Runs items on the Ray cluster at ``address`` (``HOST:PORT`` of its head, or ``ray://HOST:PORT``
    through Ray Client); connects on first use, disconnects in :meth:`close`."""

    name = "ray"

    def __init__(self, address: str) -> None:
        self.address = address
        self._task: Any = None
        self._connected = False

    def connect(self) -> Any:
        """Connect to the cluster (once); the remote task function."""
        if self._task is None:
            ray = _ray()
            try:
                if not ray.is_initialized():
                    ray.init(address=self.address, namespace="govperf", log_to_driver=False,
                             logging_level=logging.WARNING)
                    self._connected = True
            except Exception as exc:
                raise EngineError(f"cannot connect to the Ray cluster at {self.address}: {exc}") from exc
            self._task = ray.remote(run_task)
        return self._task

    def close(self) -> None:
        """Disconnect from the cluster if this engine connected."""
        if self._connected:
            _ray().shutdown()
            self._connected = False
        self._task = None

    def cluster(self) -> tuple[int, float]:
        """CPUs and GPUs of the cluster's live nodes."""
        resources = _ray().cluster_resources()
        return int(resources.get("CPU", 0)), float(resources.get("GPU", 0))

    def run(
        self,
        fn: Callable[[Any], Any],
        items: Sequence[Any],
        limits: Limits,
        *,
        on_progress: Callable[[int, int], None] | None,
        what: str,
        preload: Sequence[str],
        remote: Remote,
    ) -> Iterator[Outcome[Any]]:
        """``fn`` over ``items`` in tasks on the cluster; outcomes in item order as soon as known.

        At most ``TASKS_PER_CPU`` tasks per CPU are submitted at a time, and an item is shipped (its
        file read here) only when its task is submitted, so memory stays flat. A task lost with its
        node runs again elsewhere; when Ray gives up on one, or no node can run it, the run fails
        with :class:`EngineError` (the batches already written stay).
        """
        ray = _ray()
        from ray.exceptions import RayTaskError

        task = self.connect()
        cpus, gpus = self.cluster()
        if cpus < 1:
            raise EngineError(f"the Ray cluster at {self.address} has no CPU to run tasks on")
        total = len(items)
        size = remote.per_task or per_task(total, cpus)
        chunks = [list(range(start, min(start + size, total))) for start in range(0, total, size)]
        node_fn = remote.run or fn
        modules = [node_fn.__module__, *preload]
        in_flight = max(2, cpus * TASKS_PER_CPU)
        # A task whose items all ran to their time limit, plus a worker's start, is the longest any
        # task can take once started; one queued behind as many others waits at most that again.
        patience = 2 * (size * limits.seconds + _START_SECONDS)
        pending: dict[Any, int] = {}
        done: dict[int, Outcome[Any]] = {}
        finished = emitted = submitted = 0
        last_done = time.monotonic()

        def submit(number: int) -> None:
            chunk = chunks[number]
            shipped = [remote.ship(items[i]) if remote.ship else items[i] for i in chunk]
            gpu = bool(gpus and remote.gpu and any(remote.gpu(items[i]) for i in chunk))
            options: dict[str, Any] = {"num_cpus": 1, "max_retries": TASK_RETRIES, "retry_exceptions": False}
            if gpu:
                options["num_gpus"] = GPU_SHARE
            ref = task.options(**options).remote(node_fn, ray.put(shipped), limits, what, modules, gpu)
            pending[ref] = number

        try:
            while emitted < total:
                while len(pending) < in_flight and submitted < len(chunks):
                    submit(submitted)
                    submitted += 1
                ready, _ = ray.wait(list(pending), num_returns=1, timeout=_WAIT_SECONDS)
                for ref in ready:
                    chunk = chunks[pending.pop(ref)]
                    try:
                        values = ray.get(ref)
                    except RayTaskError as exc:
                        values = [(None, f"{what} error: {exc.cause!r}")] * len(chunk)
                    except Exception as exc:
                        raise EngineError(
                            f"the Ray cluster lost a {what} task after {TASK_RETRIES} retries "
                            f"({type(exc).__name__}: {exc}); nothing was published"
                        ) from exc
                    for index, (value, failure) in zip(chunk, values, strict=True):
                        done[index] = Outcome(index, value, failure)
                        finished += 1
                        if on_progress is not None:
                            on_progress(finished, total)
                    last_done = time.monotonic()
                while emitted in done:
                    yield done.pop(emitted)
                    emitted += 1
                if not ready and time.monotonic() - last_done > patience:
                    raise EngineError(
                        f"no {what} task finished on the Ray cluster at {self.address} for "
                        f"{time.monotonic() - last_done:.0f} s (live CPUs {self.cluster()[0]}); nothing was published"
                    )
        finally:
            for ref in pending:
                ray.cancel(ref, force=True)
