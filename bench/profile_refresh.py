"""``python -m bench.profile_refresh STATS_FILE [govperf arguments]``: one ``govperf`` run under cProfile.

The statistics of the whole command (start-up imports included, since ``govperf`` is imported here)
are written to ``STATS_FILE`` and the process exits as the console script does (``os._exit``).
cProfile sees one thread at a time, so every thread started during the run (dbt runs its nodes on a
thread pool) gets a profiler of its own, merged into the main thread's when it has finished. Every
profiler counts its thread's CPU time (``time.thread_time``), not wall time: idle pool threads and
waits cost nothing, the totals do not depend on what else the machine runs, and the merged total is
the process's CPU. Parse workers are other processes and are not in it.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_FINISHED: list[cProfile.Profile] = []
_LOCK = threading.Lock()


def _profiled_run(run: Callable[[threading.Thread], None]) -> Callable[[threading.Thread], None]:
    """``Thread.run`` with a profiler of its own, kept for merging once the thread has finished."""

    def wrapper(self: threading.Thread) -> None:
        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
        try:
            run(self)
        finally:
            profiler.disable()
            with _LOCK:
                _FINISHED.append(profiler)

    return wrapper


def profiled(call: Callable[[], T]) -> tuple[T, pstats.Stats]:
    """``call()`` under cProfile, with the threads it starts and finishes; its result and the merged stats."""
    original = threading.Thread.run
    threading.Thread.run = _profiled_run(original)  # type: ignore[method-assign]
    profiler = cProfile.Profile(time.thread_time)
    try:
        profiler.enable()
        result = call()
        profiler.disable()
    finally:
        threading.Thread.run = original  # type: ignore[method-assign]
    stats = pstats.Stats(profiler)
    with _LOCK:
        for finished in _FINISHED:
            stats.add(finished)
        _FINISHED.clear()
    return result, stats


def main(argv: list[str]) -> int:
    """Profile ``govperf <argv[1:]>`` and dump the statistics to ``argv[0]``; govperf's exit code."""
    stats_file, govperf_args = argv[0], argv[1:]

    def govperf() -> int:
        from dagster_project.cli.main import main as cli

        return cli(govperf_args)

    code, stats = profiled(govperf)
    stats.dump_stats(stats_file)
    return code


if __name__ == "__main__":
    exit_code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code)
