"""The quality step in a worker process that imports Great Expectations while the refresh does other work.

``import great_expectations`` takes seconds of one core, which every refresh would pay before it can
check anything. :class:`QualityWorker` starts a process that pays it when the refresh starts (on the
core the steps before the checks leave idle: scanning, dbt's Jinja), then waits for one request:
validate the invariant models of a build database and render the Data Docs
(:func:`dagster_project.quality.suite.validate_build`). Kept free of heavy imports: the refresh process
never imports Great Expectations itself unless the worker is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from multiprocessing.connection import Connection
from typing import Any

from dagster_project.quality.spec import QualitySummary

JOIN_SECONDS = 10.0
NICE = 10


def _serve(conn: Connection) -> None:
    """Worker body: import the quality module (and Great Expectations) now, then answer one request.

    The worker runs at a lower priority (nice 10): its import takes the cycles the refresh leaves
    idle; by the time it validates, the refresh process only waits for it.
    """
    os.nice(NICE)
    from dagster_project.quality import suite

    try:
        request = conn.recv()
    except EOFError:  # the refresh ended (or died) without asking
        return
    try:
        conn.send(("ok", suite.validate_build(*request)))
    except Exception as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        conn.close()


class QualityWorker:
    """One worker process for one refresh: ``start`` it early, ``validate`` once, ``stop`` at the end."""

    def __init__(self, process: Any, conn: Connection) -> None:
        self._process, self._conn = process, conn
        self._asked = False

    @classmethod
    def start(cls) -> QualityWorker:
        """Start the worker (forked from the refresh's fork server); it begins importing at once."""
        ctx = multiprocessing.get_context("forkserver")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(child,), name="govperf-quality", daemon=True)
        process.start()
        child.close()
        return cls(process, parent)

    @property
    def pid(self) -> int | None:
        """The worker's process id."""
        return self._process.pid

    @property
    def running(self) -> bool:
        """Whether the worker process is alive."""
        return self._process.is_alive()

    def validate(self, build_db: str, docs_dir: str) -> QualitySummary:
        """The quality step on ``build_db`` in the worker.

        Raises ``RuntimeError`` with the worker's traceback if the step failed there, and
        ``ConnectionError`` if the worker is gone (the caller may then run the step itself).
        """
        self._asked = True
        try:
            self._conn.send((build_db, docs_dir))
            status, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise ConnectionError(f"the quality worker ended (exit code {self._process.exitcode})") from exc
        if status != "ok":
            raise RuntimeError(f"the quality step failed in its worker: {value}")
        return value

    def stop(self) -> None:
        """End the worker: one never asked holds nothing (it may still be importing) and is killed;
        one asked has answered (or failed) and ends on its own, else it is killed after a wait."""
        if self._asked:
            self._process.join(JOIN_SECONDS)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()
