"""Run a function over items in worker processes, each item under a time and a memory limit.

A worker that runs past the time limit or grows past the memory limit is killed and replaced; that
item's outcome is a failure (``parse exceeded 60 s``, ``parse exceeded 2048 MB``) and the other
items go on. Outcomes come back in item order, as soon as each is known.

Memory is held two ways: the worker's address space is capped (``RLIMIT_AS``, its size at start plus
the limit), so a runaway allocation raises ``MemoryError`` in the worker; and the parent polls each
busy worker's resident size and kills it past the limit (a backstop for memory the cap misses).
Workers are forked from a fork server that has imported the function's module once, so replacing a
killed worker costs milliseconds, not an interpreter start.

This is the ``local`` engine. Another engine (:mod:`ingest.runtime.ray_engine`: tasks on a Ray cluster) is
put in place for a block of code with :func:`using_engine`; ``run_limited`` then hands it the items,
and the callers do not change. :class:`Remote` tells such an engine how to send an item to another
machine.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import multiprocessing
import multiprocessing.forkserver
import os
import resource
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_MB = 1024 * 1024
_POLL_SECONDS = 0.05
_START_SECONDS = 300
# Items sent to a worker ahead: the next waits in the pipe while the current one runs. Only a small
# one: a worker reads it after sending its result, so an item that does not fit in the pipe's buffer
# would block the parent's send while the worker blocks on its result (a 2 MB report hung a refresh).
_IN_FLIGHT = 2
_AHEAD_BYTES = 64 * 1024
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Limits:
    """Budget of one item: wall-clock seconds and memory in MB (resident size of its worker)."""

    seconds: float = 120.0
    memory_mb: int = 2048

    def __post_init__(self) -> None:
        if not (self.seconds > 0 and self.seconds != float("inf")):
            raise ValueError(f"time limit must be a positive number of seconds, not {self.seconds!r}")
        if self.memory_mb <= 0:
            raise ValueError(f"memory limit must be a positive number of MB, not {self.memory_mb!r}")


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """What became of item ``index``: its ``value``, or ``failure`` saying why there is none."""

    index: int
    value: R | None
    failure: str | None


@dataclass(frozen=True)
class Remote:
    """How an engine that runs items on other machines sends them (the local engine ignores it).

    ``ship(item)`` is called where the refresh runs, just before the item is sent, and returns what a
    node needs instead (a file's bytes in place of its path: nodes share no filesystem); ``run`` is
    the function nodes apply to shipped items (default: the function itself); ``per_task`` is the
    number of items sent in one task (None: the engine shares them out evenly); ``gpu(item)`` says
    whether the item can use a GPU (OCR), so that it goes to a node that has one when any has.
    """

    ship: Callable[[Any], Any] | None = None
    run: Callable[[Any], Any] | None = None
    per_task: int | None = None
    gpu: Callable[[Any], bool] | None = None


class Engine(Protocol):
    """Runs ``fn`` over items somewhere else, with the contract of :func:`run_limited`."""

    name: str

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
        """One outcome per item, in item order, as soon as each is known."""
        ...

    def close(self) -> None:
        """Release what the engine holds (a connection to a cluster)."""
        ...


_ENGINE: contextvars.ContextVar[Engine | None] = contextvars.ContextVar("govperf_engine", default=None)


@contextlib.contextmanager
def using_engine(engine: Engine | None) -> Iterator[None]:
    """Within the block, :func:`run_limited` runs items on ``engine`` (None: here, in worker processes)."""
    token = _ENGINE.set(engine)
    try:
        yield
    finally:
        _ENGINE.reset(token)


def _seconds_text(seconds: float) -> str:
    return f"{seconds:g} s"


def exceeded_time(limits: Limits, what: str = "parse") -> str:
    """The failure reason of an item that ran out of time: ``parse exceeded 120 s``."""
    return f"{what} exceeded {_seconds_text(limits.seconds)}"


def exceeded_memory(limits: Limits, what: str = "parse") -> str:
    """The failure reason of an item that ran out of memory: ``parse exceeded 2048 MB``."""
    return f"{what} exceeded {limits.memory_mb} MB"


def _cap_address_space(extra_bytes: int) -> None:
    """Cap this process's address space at its current size plus ``extra_bytes``."""
    with open("/proc/self/statm") as fh:
        current = int(fh.read().split()[0]) * _PAGE_BYTES
    cap = current + extra_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _work(conn: Connection, fn: Callable[[Any], Any], memory_bytes: int, preload: Sequence[str]) -> None:
    """Worker loop: import ``preload`` (already done when the fork server did), say it is ready, then
    receive ``(index, item)`` and send ``(index, status, payload)``; stop on None."""
    for module in preload:
        importlib.import_module(module)
    _cap_address_space(memory_bytes)
    conn.send("ready")
    while (message := conn.recv()) is not None:
        index, item = message
        try:
            value = fn(item)
            conn.send((index, "ok", value))
        except MemoryError:
            conn.send((index, "memory", None))
            return
        except Exception as exc:
            conn.send((index, "error", f"{type(exc).__name__}: {exc}"))


def _resident_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE_BYTES
    except (OSError, ValueError, IndexError):
        return 0


class _Worker:
    """One worker process, its end of the pipe, and the items sent to it: the first is running
    (since ``started``), the next waits in the pipe so that the worker never idles for the parent."""

    def __init__(self, ctx: Any, fn: Callable[[Any], Any], limits: Limits, preload: Sequence[str] = ()) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_work, args=(child, fn, limits.memory_mb * _MB, preload), daemon=True)
        self.process.start()
        child.close()
        self.jobs: deque[int] = deque()
        self.started = 0.0
        # Start-up (the first fork server boots and imports the function's module) is not an
        # item's time: wait for the worker to say it is ready.
        try:
            ready = self.conn.poll(_START_SECONDS) and self.conn.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.kill()
            raise RuntimeError(f"a worker process did not start within {_START_SECONDS} s")

    def give(self, index: int, message: bytes) -> None:
        """Send item ``index``, already pickled (``message``)."""
        self.conn.send_bytes(message)
        if not self.jobs:
            self.started = time.monotonic()
        self.jobs.append(index)

    def done(self) -> int:
        """The running item finished: the next one sent (if any) starts now."""
        self.started = time.monotonic()
        return self.jobs.popleft()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def start_fork_server(modules: Iterable[str]) -> None:
    """Start the fork server now, importing ``modules`` in it (in its own process, on another core).

    The first ``run_limited`` of a process otherwise waits for the server to start and import
    the worker's module; called at the start of a refresh, that happens while the refresh does
    other work. Later calls, and modules asked for once the server runs, change nothing.
    """
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(modules))
    multiprocessing.forkserver.ensure_running()


def run_limited(
    fn: Callable[[T], R],
    items: Iterable[T],
    limits: Limits,
    workers: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    what: str = "parse",
    preload: Sequence[str] = (),
    remote: Remote | None = None,
) -> Iterator[Outcome[R]]:
    """``fn`` over ``items`` in worker processes, each item under ``limits``; outcomes in item order.

    ``fn`` must be a module-level function and items and results picklable. An exception raised
    by ``fn`` becomes that item's failure (``ValueError: …``), as does a worker dying.
    ``on_progress(done, total)`` is called as each item finishes. ``preload`` names modules every
    worker imports before it takes an item (the fork server imports them once, if it starts now), so
    what they load is not counted in an item's time. Inside :func:`using_engine` the engine runs the
    items instead (``workers`` is then the engine's business; ``remote`` says how to send them).
    """
    batch = list(items)
    total = len(batch)
    if not total:
        return
    engine = _ENGINE.get()
    if engine is not None:
        yield from engine.run(fn, batch, limits, on_progress=on_progress, what=what, preload=preload,
                              remote=remote or Remote())
        return
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([fn.__module__, *preload])
    size = max(1, min(workers or os.cpu_count() or 1, total))
    queue = deque(range(total))
    done: dict[int, Outcome[R]] = {}
    pool: list[_Worker] = []
    next_out = 0

    def finish(index: int, value: R | None, failure: str | None) -> None:
        done[index] = Outcome(index, value, failure)
        if on_progress is not None:
            on_progress(len(done) + next_out, total)

    def replace(worker: _Worker, failure: str) -> None:
        """Fail the running item, kill the worker, give its waiting items back to the queue."""
        finish(worker.jobs.popleft(), None, failure)
        queue.extendleft(reversed(worker.jobs))
        worker.kill()
        pool[pool.index(worker)] = _Worker(ctx, fn, limits, preload)

    def feed(worker: _Worker) -> None:
        """Keep ``_IN_FLIGHT`` items sent to the worker. One that has died since the last look (its
        pipe is broken) keeps the item in the queue; its running item fails below, when its death is
        seen, or it is replaced now if nothing was running."""
        while len(worker.jobs) < _IN_FLIGHT and queue:
            index = queue.popleft()
            message = ForkingPickler.dumps((index, batch[index]))
            if worker.jobs and len(message) > _AHEAD_BYTES:
                queue.appendleft(index)  # sent when the worker is free to read it
                return
            try:
                worker.give(index, message)
            except OSError:
                queue.appendleft(index)
                if not worker.jobs:
                    worker.kill()
                    pool[pool.index(worker)] = _Worker(ctx, fn, limits, preload)
                return

    try:
        pool.extend(_Worker(ctx, fn, limits, preload) for _ in range(size))
        while next_out < total:
            for worker in list(pool):
                feed(worker)
            busy = [w for w in pool if w.jobs]
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], _POLL_SECONDS))
            now = time.monotonic()
            for worker in busy:
                if worker.conn in ready:
                    try:
                        _, status, payload = worker.conn.recv()
                    except (EOFError, OSError):
                        status, payload = "died", None
                    if status == "ok":
                        finish(worker.done(), payload, None)
                    elif status == "error":
                        finish(worker.done(), None, f"{what} error: {payload}")
                    else:
                        worker.process.join(timeout=1)
                        replace(worker, exceeded_memory(limits, what) if status == "memory"
                                else f"{what} worker died (exit code {worker.process.exitcode})")
                elif worker.process.sentinel in ready and not worker.process.is_alive():
                    replace(worker, f"{what} worker died (exit code {worker.process.exitcode})")
                elif now - worker.started > limits.seconds:
                    replace(worker, exceeded_time(limits, what))
                elif _resident_bytes(worker.process.pid or 0) > limits.memory_mb * _MB:
                    replace(worker, exceeded_memory(limits, what))
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for worker in pool:
            worker.stop()
