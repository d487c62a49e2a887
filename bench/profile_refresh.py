"""``python -m bench.profile_refresh STATS_FILE [govperf arguments]``: one ``govperf`` run under cProfile.

The statistics of the whole command (start-up imports included, since ``govperf`` is imported here)
are written to ``STATS_FILE`` and the process exits as the console script does (``os._exit``). The
profile covers this process's main thread: Dagster runs every step there; time spent waiting on parse
workers or dbt's threads shows as waits.
"""

from __future__ import annotations

import cProfile
import os
import sys


def main(argv: list[str]) -> int:
    """Profile ``govperf <argv[1:]>`` and dump the statistics to ``argv[0]``; govperf's exit code."""
    stats_file, govperf_args = argv[0], argv[1:]
    profiler = cProfile.Profile()
    profiler.enable()
    from dagster_project.cli import main as govperf

    code = govperf(govperf_args)
    profiler.disable()
    profiler.dump_stats(stats_file)
    return code


if __name__ == "__main__":
    exit_code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code)
