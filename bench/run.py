"""``python -m bench.run``: time the govperf refresh on a scaled corpus and write ``data/bench/latest.json``.

One run measures, against the speed and memory targets (``docs/scaling.md``), on a corpus of
``--reports`` files (default 10,000) built by :mod:`bench.corpus`:

- the ingest and parse stage functions in this process (scan, decode + raw insert, read-back,
  ``parse_reports``, staging insert), the parser's reports/s against the naive baseline's
  (:mod:`bench.baseline`) as a ratio, and a cProfile of the parser saying where its time goes;
- the full refresh exactly as a user runs it (``.venv/bin/govperf refresh -v`` in a subprocess), with
  every stage's time read from the Dagster run's step events, and the peak memory of the refresh's
  process tree as the sum of its processes' PSS (shared pages counted once);
- a no-op refresh (nothing changed; ``govperf refresh`` as a user types it), with a breakdown of its
  interpreter start-up, imports and change scan;
- refreshes after adding 1 report and after changing 100, and one more after adding 1 run under
  cProfile (self time by package: what limits the fixed cost);
- unless ``--skip-100k``: a full refresh of 100,000 reports, stopped after ``--timeout-100k`` seconds;
- the parser on 2 MB of each hostile repeated piece (:mod:`bench.hostile`), against the README's 2 s.

Wall times depend on what else the machine runs: the load average before and after each measurement
and the CPU seconds used are recorded beside them.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import importlib.util
import inspect
import json
import os
import platform
import pstats
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import baseline
from bench.corpus import CorpusBuilder, CorpusItem, build_corpus, write_manifest
from bench.hostile import TARGET_2MB_S, measure_repeated

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = REPO / "data" / "bench"
GB = 1024**3

# Speed and memory targets on a 2-core machine (``docs/scaling.md``).
TARGET_NOOP_S = 1.0
TARGET_ADD_ONE_S = 6.0
TARGET_FULL_S = 20.0
TARGET_RATIO = 1.0
TARGET_100K_S = 180.0
TARGET_100K_PSS_BYTES = 2 * GB

# Dagster step keys of the refresh graph → its stages (matched by substring, first match wins):
# raw_reports → staging → dbt_models (one in-process dbt build) → quality_results and the
# great_expectations_checks asset check → published_warehouse.
STAGES: tuple[tuple[str, str], ...] = (
    ("raw_reports", "ingest"),
    ("staging", "parse"),
    ("dbt", "dbt"),
    ("quality", "checks"),
    ("expectations", "checks"),
    ("check", "checks"),
    ("publish", "publish"),
)
# What `govperf refresh` prints when its change scan finds nothing to do.
NOTHING_CHANGED = "nothing changed since the last refresh"
_SUMMARY = re.compile(
    r"reports seen (?P<seen>\d+): parsed (?P<ok>\d+), partial (?P<partial>\d+), failed (?P<failed>\d+)"
    r".*?read (?P<read>\d+) new or changed files, parsed (?P<parsed>\d+)"
)


# ---------------------------------------------------------------- measuring helpers


def stage_of(step: str) -> str:
    """The refresh stage (``STAGES``) of a Dagster step key (``other`` when unknown)."""
    for needle, stage in STAGES:
        if needle in step:
            return stage
    return "other"


def stage_timings(steps: dict[str, float]) -> dict[str, float]:
    """Step seconds summed per stage (ingest, parse, dbt, checks, publish, other)."""
    out: dict[str, float] = {}
    for step, seconds in steps.items():
        stage = stage_of(step)
        out[stage] = round(out.get(stage, 0.0) + seconds, 3)
    return out


def _cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its waited-for children so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _load() -> float:
    return round(os.getloadavg()[0], 2)


@dataclass
class Timed:
    """Wall and CPU seconds of a block, and the 1-minute load average around it."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0

    def as_dict(self) -> dict[str, float]:
        """Rounded figures for the JSON output."""
        return {
            "wall_s": round(self.wall_s, 3),
            "cpu_s": round(self.cpu_s, 3),
            "load_before": self.load_before,
            "load_after": self.load_after,
        }


@contextmanager
def timed() -> Iterator[Timed]:
    """Time the block (wall and CPU, this process and the children it waits for)."""
    result = Timed(load_before=_load())
    cpu, wall = _cpu_seconds(), time.perf_counter()
    yield result
    result.wall_s = time.perf_counter() - wall
    result.cpu_s = _cpu_seconds() - cpu
    result.load_after = _load()


def _descendants(root: int) -> list[int]:
    """``root`` and every live process below it (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _status_kb(pid: int, keys: Sequence[str]) -> dict[str, int]:
    """Fields of ``/proc/<pid>/status`` given in kB, as bytes (empty when the process is gone)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return kb_fields(fh.read(), keys)
    except OSError:
        return {}


def kb_fields(text: str, keys: Sequence[str]) -> dict[str, int]:
    """``Name:   123 kB`` lines of a /proc file (``status``, ``smaps_rollup``) → bytes, for ``keys``."""
    found: dict[str, int] = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name in keys and rest.split():
            found[name] = int(rest.split()[0]) * 1024
    return found


def pss_bytes(pid: int) -> int:
    """Proportional set size of one process (each shared page divided among its sharers); 0 if gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            return kb_fields(fh.read(), ("Pss",)).get("Pss", 0)
    except OSError:
        return 0


@dataclass(frozen=True)
class TreeSample:
    """One look at a process tree: summed PSS, summed RSS and the number of processes."""

    pss: int
    rss: int
    processes: int


def sample_tree(root: int) -> TreeSample:
    """Memory of ``root`` and its descendants now. Summed PSS is what the tree really holds; summed
    RSS counts the pages forked workers share with their parent once per process."""
    pids = _descendants(root)
    rss = sum(_status_kb(pid, ("VmRSS",)).get("VmRSS", 0) for pid in pids)
    return TreeSample(pss=sum(pss_bytes(pid) for pid in pids), rss=rss, processes=len(pids))


class TreeMemory:
    """Samples the memory of a process tree every ``interval`` seconds in a thread.

    ``peak_pss`` is the largest summed PSS over the tree at one sample (the figure the targets use);
    ``peak_rss`` the largest summed RSS (an upper bound, for comparison). When ``limit_bytes`` is
    given and the summed PSS passes it, the tree's process group is killed.
    """

    def __init__(self, pid: int, interval: float = 0.25, limit_bytes: int | None = None) -> None:
        self.pid = pid
        self.interval = interval
        self.limit_bytes = limit_bytes
        self.exceeded = False
        self.peak_pss = 0
        self.peak_rss = 0
        self.peak_processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        """One sample of the tree."""
        now = sample_tree(self.pid)
        self.samples += 1
        self.peak_pss = max(self.peak_pss, now.pss)
        self.peak_rss = max(self.peak_rss, now.rss)
        self.peak_processes = max(self.peak_processes, now.processes)
        if self.limit_bytes and now.pss > self.limit_bytes and not self.exceeded:
            # the tree is a session of its own (start_new_session): stop it before it starves the machine
            self.exceeded = True
            os.killpg(self.pid, signal.SIGKILL)


def _gb(n_bytes: int | float) -> float:
    return round(n_bytes / GB, 3)


# ---------------------------------------------------------------- the refresh, as govperf runs it


def refresh_available() -> bool:
    """True when the refresh that ``govperf refresh`` runs can be imported."""
    try:
        return importlib.util.find_spec("dagster_project.cli.refresh") is not None and (
            importlib.util.find_spec("dagster_project.cli.main") is not None
        )
    except ImportError:
        return False


def govperf_executable() -> Path:
    """The ``govperf`` console script beside this interpreter (``.venv/bin/govperf``)."""
    return Path(sys.executable).parent / "govperf"


def refresh_command(raw_dir: Path, warehouse: Path, verbose: bool = True, extra: Sequence[str] = ()) -> list[str]:
    """``.venv/bin/govperf refresh`` for ``raw_dir`` → ``warehouse`` (``-v``: Dagster's and dbt's logs)."""
    command = [str(govperf_executable()), "refresh", "--raw-dir", str(raw_dir), "--warehouse", str(warehouse)]
    return [*command, *extra, "-v"] if verbose else [*command, *extra]


def init_dagster_home(home: Path) -> Path:
    """A persistent Dagster instance in ``home`` for the refreshes to record their runs in.

    ``govperf refresh`` uses ``$DAGSTER_HOME`` when set; its storage is created here, untimed, so
    that the timed refreshes only append their run's events.
    """
    from dagster import DagsterInstance

    home.mkdir(parents=True, exist_ok=True)
    with DagsterInstance.from_config(str(home)) as instance:
        instance.get_runs(limit=1)
    return home


def latest_run_steps(home: Path) -> dict[str, float]:
    """Seconds per step (from its start and end events) of the newest run recorded in ``home``."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(limit=1)
        stats = instance.get_run_step_stats(runs[0].run_id) if runs else []
    return {s.step_key: round(s.end_time - s.start_time, 3) for s in stats if s.start_time and s.end_time}


@dataclass(frozen=True)
class Outcome:
    """How a subprocess ended: wall and CPU time, memory of its tree, whether it was stopped."""

    timing: Timed
    memory: TreeMemory
    returncode: int
    finished: bool
    stdout: str
    stderr: str


def run_measured(
    command: list[str],
    log_dir: Path,
    label: str,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    memory_limit_bytes: int | None = None,
) -> Outcome:
    """Run ``command`` in its own session with its memory sampled; stop it on ``timeout`` or when its
    tree's PSS passes ``memory_limit_bytes``. Output goes to ``<log_dir>/<label>.{out,err}.log``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{label}.out.log", log_dir / f"{label}.err.log"
    timing = Timed(load_before=_load())
    finished = True
    with out_path.open("w") as out, err_path.open("w") as err:
        cpu, wall = _cpu_seconds(), time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO, env=env, start_new_session=True)
        with TreeMemory(proc.pid, limit_bytes=memory_limit_bytes) as memory:
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                finished = False
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        timing.wall_s = time.perf_counter() - wall
        timing.cpu_s = _cpu_seconds() - cpu
    timing.load_after = _load()
    return Outcome(
        timing,
        memory,
        proc.returncode,
        finished and not memory.exceeded,
        out_path.read_text(errors="replace"),
        err_path.read_text(errors="replace"),
    )


def _memory_dict(memory: TreeMemory) -> dict[str, Any]:
    return {
        "peak_tree_pss_gb": _gb(memory.peak_pss),
        "peak_tree_rss_sum_gb": _gb(memory.peak_rss),
        "peak_processes": memory.peak_processes,
        "memory_samples": memory.samples,
    }


def _ending(done: Outcome, label: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "label": label,
        "finished": done.finished,
        "stopped_for_memory": done.memory.exceeded,
        "stopped_for_time": not done.finished and not done.memory.exceeded,
        "returncode": done.returncode,
        "ok": done.finished and done.returncode == 0,
        **done.timing.as_dict(),
        **_memory_dict(done.memory),
    }
    if not result["ok"]:
        result["error_tail"] = (done.stderr.strip().splitlines() or [""])[-5:]
    return result


@dataclass(frozen=True)
class Refresher:
    """How this benchmark runs ``govperf refresh``: the command, the Dagster home, logs, memory cap.

    With a ``dagster_home`` the refreshes run with ``-v`` and record their runs there, and their stage
    times are read back (the per-event storage costs the refresh some time); without one they run
    exactly as a user types ``govperf refresh`` (ephemeral Dagster instance) and have no stage times.
    """

    logs: Path
    dagster_home: Path | None
    command: Callable[..., list[str]] = refresh_command
    memory_limit_bytes: int | None = None

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
        if self.dagster_home:
            env["DAGSTER_HOME"] = str(self.dagster_home)
        return {**env, "PYTHONUNBUFFERED": "1"}

    def __call__(
        self, raw_dir: Path, warehouse: Path, label: str, timeout: float | None = None, extra: Sequence[str] = ()
    ) -> dict[str, Any]:
        """One timed refresh: wall, CPU, memory and (with a Dagster home) stage times from the Dagster run;
        ``extra`` arguments go to ``govperf refresh`` (``--engine ray …``)."""
        _LAST_FINGERPRINT[str(warehouse)] = _code_fingerprint()
        verbose = self.dagster_home is not None
        command = self.command(raw_dir, warehouse, verbose=verbose, extra=extra) if extra else self.command(
            raw_dir, warehouse, verbose=verbose
        )
        done = run_measured(command, self.logs, label, self._env(), timeout, self.memory_limit_bytes)
        result = _ending(done, label)
        steps = latest_run_steps(self.dagster_home) if done.finished and self.dagster_home else {}
        result["steps_s"] = steps
        result["stages_s"] = stage_timings(steps)
        result["outside_steps_s"] = round(done.timing.wall_s - sum(steps.values()), 3)
        result["logs"] = [str(self.logs / f"{label}.out.log"), str(self.logs / f"{label}.err.log")]
        summary = _SUMMARY.search(done.stdout)
        if summary:
            result["reports"] = {k: int(v) for k, v in summary.groupdict().items()}
        return result

    def noop(self, raw_dir: Path, warehouse: Path, label: str) -> dict[str, Any]:
        """One timed ``govperf refresh`` as a user types it (no ``-v``) when nothing changed."""
        done = run_measured(self.command(raw_dir, warehouse, verbose=False), self.logs, label, self._env())
        return {**_ending(done, label), "nothing_changed": NOTHING_CHANGED in done.stdout}

    def profiled(self, raw_dir: Path, warehouse: Path, label: str) -> dict[str, Any]:
        """An untimed ``govperf refresh`` under cProfile (:mod:`bench.profile_refresh`): self time by package."""
        stats_path = self.logs / f"{label}.pstats"
        command = [sys.executable, "-m", "bench.profile_refresh", str(stats_path)]
        command += self.command(raw_dir, warehouse, verbose=False)[1:]
        done = run_measured(command, self.logs, label, self._env(), memory_limit_bytes=self.memory_limit_bytes)
        result = _ending(done, label)
        if done.finished and stats_path.exists():
            result["profile"] = summarise_profile(pstats.Stats(str(stats_path)))
        return result


# ---------------------------------------------------------------- stage functions in this process


def in_process_stages(raw_dir: Path, build_db: Path, parse_sample: int) -> tuple[dict[str, Any], list[Any]]:
    """Time the ingest and parse stage functions directly, on a scratch build database.

    Returns the timings and the parser inputs (decoded reports) for the baseline and the profile.
    """
    from dagster_project.warehouse.build_db import build_connection, pending_inputs, sync_raw_reports, write_staging
    from ingest.files.raw import scan_raw_dir
    from ingest.parse import parse_reports

    for path in (build_db, build_db.with_name(build_db.name + ".wal")):
        path.unlink(missing_ok=True)
    out: dict[str, Any] = {}
    with build_connection(build_db) as con:
        with timed() as t:
            files = scan_raw_dir(raw_dir)
        out["scan"] = {**t.as_dict(), "files": len(files)}
        with timed() as t:
            synced = sync_raw_reports(con, files)
        out["decode_and_insert_raw"] = {**t.as_dict(), "files": len(synced.ingested)}
        with timed() as t:
            inputs = pending_inputs(con)
        out["read_pending"] = {**t.as_dict(), "reports": len(inputs)}
        with timed() as t:
            frames = parse_reports(inputs)
        statuses = Counter(frames["report_headers"]["parse_status"].to_list())
        out["parse"] = {
            **t.as_dict(),
            "reports": len(inputs),
            "workers": os.cpu_count() or 1,
            "reports_per_s": round(len(inputs) / t.wall_s, 1),
            "cpu_ms_per_report": round(t.cpu_s / max(1, len(inputs)) * 1000, 3),
            "status": dict(statuses),
            "rows": {name: frame.height for name, frame in frames.items()},
        }
        with timed() as t:
            write_staging(con, frames, [i.report_id for i in inputs])
        out["insert_staging"] = {**t.as_dict(), "rows": sum(f.height for f in frames.values())}
    del frames
    sample = inputs[:parse_sample]
    with timed() as t:
        parse_reports(sample, limits=None)
    out["parse_one_process"] = {
        **t.as_dict(),
        "reports": len(sample),
        "reports_per_s": round(len(sample) / t.wall_s, 1),
    }
    return out, inputs


def measure_baseline(texts: Sequence[str]) -> dict[str, Any]:
    """The naive baseline's throughput (best of 3) and how often it found each field."""
    result = baseline.measure(texts, repeat=3)
    return {
        "reports": result.reports,
        "wall_s": round(result.seconds, 3),
        "reports_per_s": round(result.reports_per_s, 1),
        "fields_found": result.found,
    }


def _profile_parts() -> tuple[tuple[str, Callable[..., Any], bool], ...]:
    """What ``parse_reports`` spends its time on: (part, function, called once per batch). A function
    called per report counts only the calls ``parse_report`` makes itself (a helper also called deeper
    is not counted twice)."""
    from ingest import schema
    from ingest.facts import findings, forms, header, indicators, money, projects, scores, tables
    from ingest.text import normalise, segment

    return (
        ("normalise", normalise.clean_texts, True),
        ("normalise", normalise.join_paragraphs, False),
        ("normalise", normalise.simplified, False),
        ("lines + sections", segment.lines_of, False),
        ("lines + sections", segment.sections, False),
        ("tables", tables.report_tables, False),
        ("tables", tables.sections, False),
        ("header", header.read_header, False),
        ("money", money.extract_money, False),
        ("money", money.money_grid_facts, False),
        ("rates + staff", money.extract_rates, False),
        ("rates + staff", money.extract_staff, False),
        ("forms", forms.budget_lines, False),
        ("forms", forms.department_form_money, False),
        ("forms", forms.form_staff, False),
        ("forms", forms.form_score, False),
        ("forms", forms.table_scores, False),
        ("scores", scores.extract_scores, False),
        ("scores", scores.prose_score_at, False),
        ("scores", scores.extract_deductions, False),
        ("indicators", indicators.extract_indicators, False),
        ("findings", findings.extract_findings, False),
        ("projects", projects.project_blocks, False),
        ("frames (polars)", schema.frame, True),
    )


def _profile_key(function: Callable[..., Any]) -> tuple[str, int, str]:
    """The key cProfile files ``function``'s calls under."""
    code = inspect.unwrap(function).__code__
    return code.co_filename, code.co_firstlineno, code.co_name


def profile_parser(inputs: Sequence[Any], sample: int) -> dict[str, Any]:
    """cProfile of ``parse_reports`` over ``sample`` reports in this process: share per part, top functions."""
    from ingest.parse import parse_report, parse_reports

    items = list(inputs[:sample])
    profiler = cProfile.Profile()
    profiler.enable()
    parse_reports(items, limits=None)
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw = stats.stats  # type: ignore[attr-defined]
    total = raw[_profile_key(parse_reports)][3]
    caller = _profile_key(parse_report)
    parts: dict[str, float] = {}
    for part, function, per_batch in _profile_parts():
        entry = raw.get(_profile_key(function))
        if entry is None:
            continue
        seconds = entry[3] if per_batch else sum(t[3] for c, t in entry[4].items() if c == caller)
        parts[part] = parts.get(part, 0.0) + seconds
    parts["other (parse_report itself, conflicts, rows)"] = max(0.0, total - sum(parts.values()))
    top = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:15]
    return {
        "reports": len(items),
        "profiled_s": round(total, 3),
        "ms_per_report_profiled": round(total / max(1, len(items)) * 1000, 3),
        "share": {k: round(v / total, 3) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])},
        "top_self_time": [
            {
                "function": f"{Path(k[0]).name}:{k[1]}({k[2]})",
                "calls": v[1],
                "self_s": round(v[2], 3),
                "cumulative_s": round(v[3], 3),
            }
            for k, v in top
        ],
    }


_BUILTIN_OWNER = re.compile(
    r"""of\ '_?(?P<type_module>[A-Za-z]\w*)   # <method 'execute' of '_duckdb.DuckDBPyConnection' objects>
    | built-in\ method\ _?(?P<module>[A-Za-z]\w*)\.  # <built-in method posix.stat>
    """,
    re.VERBOSE,
)


def package_of(filename: str, function: str) -> str:
    """Who owns a cProfile entry: a repository package, an installed package, the standard library,
    imports, or (for C functions) ``C: <module>``."""
    if filename == "~":
        owner = _BUILTIN_OWNER.search(function)
        return f"C: {(owner.group('type_module') or owner.group('module')) if owner else 'builtins'}"
    if filename.startswith("<frozen importlib"):
        return "imports (importlib)"
    if filename.startswith("<frozen "):
        return f"stdlib: {filename.removeprefix('<frozen ').removesuffix('>')}"
    if filename.startswith("<"):
        return "generated code"  # exec'd source: dataclass and serialiser methods
    path = Path(filename)
    if "site-packages" in path.parts:
        top = path.parts[path.parts.index("site-packages") + 1]
        return top.removesuffix(".py")
    if path.is_relative_to(REPO):
        return path.relative_to(REPO).parts[0]
    return f"stdlib: {path.stem if path.parent.name.startswith('python') else path.parent.name}"


def summarise_profile(stats: pstats.Stats, top: int = 15) -> dict[str, Any]:
    """A cProfile of a whole command: total, self time by package, time in imports, top functions."""
    raw = stats.stats  # type: ignore[attr-defined]
    total = stats.total_tt  # type: ignore[attr-defined]
    by_package: Counter[str] = Counter()
    for (filename, _line, function), entry in raw.items():
        by_package[package_of(filename, function)] += entry[2]
    imports = max(
        (v[3] for k, v in raw.items() if k[0].startswith("<frozen importlib") and k[2] == "_find_and_load"),
        default=0.0,
    )
    hottest = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    return {
        "profiled_s": round(total, 3),
        "imports_s": round(imports, 3),
        "self_s_by_package": {k: round(v, 3) for k, v in by_package.most_common(top)},
        "top_self_time": [
            {
                "function": f"{Path(k[0]).name}:{k[1]}({k[2]})",
                "calls": v[1],
                "self_s": round(v[2], 3),
                "cumulative_s": round(v[3], 3),
            }
            for k, v in hottest
        ],
    }


def noop_breakdown(raw_dir: Path, warehouse: Path, repeat: int = 3) -> dict[str, Any]:
    """Where a no-op ``govperf refresh`` spends its time: interpreter start-up, importing the CLI
    (fresh interpreters, best of ``repeat``), and the change scan itself (here, under cProfile)."""
    from dagster_project.warehouse.changes import nothing_changed
    from dagster_project.warehouse.settings import Settings

    def best(code: str) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
            times.append(time.perf_counter() - start)
        return min(times)

    start_up = best("pass")
    with_cli = best("import dagster_project.cli.main")
    settings = Settings.resolve(raw_dir=raw_dir, warehouse=warehouse)
    profiler = cProfile.Profile()
    with timed() as t:
        profiler.enable()
        up_to_date, _ = nothing_changed(settings)
        profiler.disable()
    scan = summarise_profile(pstats.Stats(profiler), top=8)
    return {
        "interpreter_start_s": round(start_up, 3),
        "import_cli_s": round(with_cli - start_up, 3),
        "change_scan_s": round(t.wall_s, 3),
        "change_scan_says_nothing_changed": up_to_date,
        "change_scan_profile": scan,
    }


# ---------------------------------------------------------------- incremental changes


def add_reports(raw_dir: Path, builder: CorpusBuilder, items: list[CorpusItem], count: int) -> list[CorpusItem]:
    """Write ``count`` new reports after the existing ones; the manifest follows."""
    added = []
    for _ in range(count):
        name, data, item = builder.report(len(items) + len(added))
        (raw_dir / name).write_bytes(data)
        added.append(item)
    write_manifest(raw_dir, items + added)
    return added


def change_reports(raw_dir: Path, builder: CorpusBuilder, items: list[CorpusItem], count: int) -> list[CorpusItem]:
    """Rewrite ``count`` existing reports (spread over the corpus) with other figures and year, same names."""
    count = min(count, len(items))
    step = max(1, len(items) // max(1, count))
    changed = []
    for index in range(0, step * count, step):
        data, item = builder.revise(items[index])
        (raw_dir / item.source_file).write_bytes(data)
        items[index] = item
        changed.append(item)
    write_manifest(raw_dir, items)
    return changed


def _code_fingerprint() -> str | None:
    """The fingerprint of the code that builds the warehouse (parser, dbt project, orchestration):
    when it changes, a refresh rebuilds (and re-parses, for a parser change) instead of doing only
    the work of the change it was given."""
    try:
        from dagster_project.warehouse.changes import code_fingerprint
    except ImportError:
        return None
    return code_fingerprint()


_LAST_FINGERPRINT: dict[str, str | None] = {}


def _settle(
    refresher: Refresher, raw_dir: Path, warehouse: Path, label: str, say: Callable[[str], None]
) -> dict[str, Any] | None:
    """An untimed refresh when the code changed since the last one (edits to the tree while the
    benchmark runs), so that an incremental or no-op refresh measures only its own change."""
    current = _code_fingerprint()
    last = _LAST_FINGERPRINT.get(str(warehouse))
    _LAST_FINGERPRINT[str(warehouse)] = current
    if last is None or current == last:
        return None
    say("code changed since the last refresh: an untimed refresh first")
    result = refresher(raw_dir, warehouse, label)
    return {"wall_s": result["wall_s"], "ok": result["ok"], "reports": result.get("reports")}


# ---------------------------------------------------------------- report


def _fmt_s(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:,.1f} s" if seconds >= 10 else f"{seconds:,.2f} s"


def _fmt_run(run: dict[str, Any]) -> str:
    """Wall time, CPU seconds and the load average around a measured subprocess."""
    load = f"load {run.get('load_before', 0):.1f}→{run.get('load_after', 0):.1f}"
    return f"{_fmt_s(run.get('wall_s'))}  (CPU {_fmt_s(run.get('cpu_s', 0))}, {load})"


def _fmt_mem(run: dict[str, Any]) -> str:
    return f"{run.get('peak_tree_pss_gb', 0):.2f} / {run.get('peak_tree_rss_sum_gb', 0):.2f} GB"


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each speed and memory target: measured value, target, whether met and by what factor."""
    rows: list[dict[str, Any]] = []

    def add(name: str, value: float | None, target: float, unit: str, higher_is_better: bool = False) -> None:
        if value is None:
            rows.append({"target": name, "measured": None, "limit": target, "unit": unit, "met": None})
            return
        met = value >= target if higher_is_better else value <= target
        factor = (target / value if value else float("inf")) if higher_is_better else value / target
        rows.append(
            {
                "target": name,
                "measured": round(value, 3),
                "limit": target,
                "unit": unit,
                "met": met,
                "times_limit": round(factor, 2),
            }
        )

    n = results["corpus"]["reports"]
    refresh = results.get("refresh", {})

    def wall(run: dict[str, Any]) -> float | None:
        return run.get("wall_s") if run.get("ok") else None

    noop = refresh.get("noop", {})
    add(
        f"no-op refresh (nothing changed), {n:,} reports",
        wall(noop) if noop.get("nothing_changed") else None,
        TARGET_NOOP_S,
        "s",
    )
    add("refresh after adding 1 report", wall(refresh.get("add_1", {})), TARGET_ADD_ONE_S, "s")
    add(f"full refresh, {n:,} reports", wall(refresh.get("full", {})), TARGET_FULL_S, "s")
    ratio = results.get("parser_vs_baseline", {}).get("ratio")
    add("parse rate / naive baseline rate", ratio, TARGET_RATIO, "x", higher_is_better=True)
    hostile = results.get("hostile_2mb", {})
    if hostile:
        add(f"parse 2 MB of repeated content, slowest piece ({hostile['slowest']})", hostile["slowest_wall_s"],
            TARGET_2MB_S, "s")
    big = results.get("scale_100k", {})
    if not big.get("skipped"):
        add("full refresh, 100,000 reports", wall(big), TARGET_100K_S, "s")
        add(
            "peak memory (PSS of the process tree), 100,000 reports",
            big.get("peak_tree_pss_gb"),
            TARGET_100K_PSS_BYTES / GB,
            "GB",
        )
    return rows


def _profile_lines(profile: dict[str, Any], indent: str = "    ") -> list[tuple[str, str]]:
    """The self time by package of a summarised cProfile, largest first."""
    lines = [(f"{indent}of which imports (cumulative)", _fmt_s(profile["imports_s"]))]
    lines += [(f"{indent}{package}", _fmt_s(seconds)) for package, seconds in profile["self_s_by_package"].items()]
    return lines


def _pdf_pages(data: bytes) -> int:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def measure_documents(texts: Sequence[str], ocr: bool, dpi: int = 150, forms_per_family: int = 2) -> dict[str, Any]:
    """Reading documents as the refresh does (``read_document``, one process, no OCR cache): the sample
    reports as text-layer PDFs (pages/s); the generated 自评表 forms as ruled text PDFs, their tables
    found and read as cells (pages/s, tables, cells); and unless ``ocr`` is false the first report as a
    scanned PDF rendered at ``dpi`` (seconds per page and per report)."""
    from fixtures import documents, formats, forms
    from ingest.documents import read_document

    pdfs = [documents.text_pdf(text) for text in texts]
    pages = sum(_pdf_pages(data) for data in pdfs)
    with timed() as t:
        decoded = [read_document(data, ".pdf", cache_dir=None) for data in pdfs]
    out: dict[str, Any] = {
        "text_pdf": {
            **t.as_dict(),
            "reports": len(pdfs),
            "pages": pages,
            "pages_per_s": round(pages / t.wall_s, 2),
            "read": sum(d.text is not None for d in decoded),
        },
    }
    form_pdfs = [formats.text_pdf(forms.make_form(family, seed))
                 for family in forms.FAMILIES for seed in range(forms_per_family)]
    form_pages = sum(_pdf_pages(data) for data in form_pdfs)
    with timed() as t:
        read = [read_document(data, ".pdf", cache_dir=None).document for data in form_pdfs]
    tables = [b for d in read if d is not None for p in d.pages for b in p.blocks if b.kind == "table"]
    out["form_pdf"] = {
        **t.as_dict(),
        "forms": len(form_pdfs),
        "pages": form_pages,
        "pages_per_s": round(form_pages / t.wall_s, 2),
        "tables": len(tables),
        "cells": sum(len(row.cells) for table in tables for row in table.rows),
    }
    if ocr and texts:
        scan = documents.scanned_pdf(texts[0], dpi=dpi)
        scan_pages = _pdf_pages(scan)
        with timed() as t:
            result = read_document(scan, ".pdf", cache_dir=None)
        out["scanned_pdf"] = {
            **t.as_dict(),
            "dpi": dpi,
            "pages": scan_pages,
            "s_per_page": round(t.wall_s / scan_pages, 2),
            "cpu_s_per_page": round(t.cpu_s / scan_pages, 2),
            "pages_per_core_s": round(scan_pages / t.cpu_s, 4) if t.cpu_s else None,
            "s_per_report": round(t.wall_s, 2),
            "read": result.text is not None,
        }
    return out


def measure_ray(
    refresher: Refresher, raw_dir: Path, warehouse_dir: Path, n: int, local: dict[str, Any]
) -> dict[str, Any]:
    """A full refresh of the corpus with ``--engine ray`` on a two-node Ray cluster started on this
    machine (``fixtures.cluster``, one CPU a node: the cores the local refresh's workers use), timed
    as the local one was; the ratio of their wall times is the engine's overhead."""
    from fixtures.cluster import local_cluster

    shutil.rmtree(warehouse_dir, ignore_errors=True)
    began = time.perf_counter()
    with local_cluster(nodes=2, cpus_per_node=1) as cluster:
        started = time.perf_counter() - began
        run = refresher(raw_dir, warehouse_dir / "warehouse.duckdb", f"full_{n}_ray",
                        extra=["--engine", "ray", "--ray-address", cluster.address])
    run["cluster_start_s"] = round(started, 3)
    if run.get("ok") and local.get("ok"):
        run["overhead_ratio"] = round(run["wall_s"] / local["wall_s"], 3)
    return run


def render_table(results: dict[str, Any]) -> str:
    """The figures as a plain-text table."""
    lines: list[tuple[str, str]] = []
    corpus = results["corpus"]
    lines.append((f"corpus: {corpus['reports']:,} reports built", _fmt_s(corpus["build_s"])))
    stages = results.get("in_process", {})
    for key, label in (
        ("scan", "ingest: scan + hash (in process)"),
        ("decode_and_insert_raw", "ingest: decode + raw insert (in process)"),
        ("read_pending", "parse: read texts back (in process)"),
        ("parse", "parse: parse_reports (in process)"),
        ("insert_staging", "parse: staging insert (in process)"),
    ):
        if key in stages:
            lines.append((label, _fmt_s(stages[key]["wall_s"])))
    cmp_ = results.get("parser_vs_baseline", {})
    if cmp_:
        lines.append(("parser reports/s (all cores)", f"{cmp_['parser_reports_per_s']:,.0f}"))
        lines.append(("parser reports/s (one process)", f"{cmp_['parser_one_process_reports_per_s']:,.0f}"))
        lines.append(("naive baseline reports/s (one process)", f"{cmp_['baseline_reports_per_s']:,.0f}"))
        lines.append(("ratio parser / baseline", f"{cmp_['ratio']:.3f}"))
    hostile = results.get("hostile_2mb", {})
    for name, piece in hostile.get("pieces", {}).items():
        lines.append((f"parse 2 MB of repeated {name!r} ({piece['status']})",
                      f"{_fmt_s(piece['wall_s'])} (CPU {piece['cpu_s']:.2f} s)"))
    docs = results.get("documents", {})
    if "text_pdf" in docs:
        pdf = docs["text_pdf"]
        lines.append(
            (f"text PDF: {pdf['pages']} pages of {pdf['reports']} reports", f"{pdf['pages_per_s']:,.1f} pages/s")
        )
    if "form_pdf" in docs:
        forms = docs["form_pdf"]
        lines.append((f"ruled form PDF: {forms['pages']} pages, {forms['tables']} tables, {forms['cells']:,} cells",
                      f"{forms['pages_per_s']:,.1f} pages/s"))
    if "scanned_pdf" in docs:
        scan = docs["scanned_pdf"]
        lines.append(
            (f"scanned PDF (OCR, {scan['dpi']} dpi, {scan['pages']} pages)", f"{scan['s_per_page']:,.1f} s/page")
        )
        if scan.get("pages_per_core_s"):
            lines.append(("  OCR pages per core-second (CPU-s per page)",
                          f"{scan['pages_per_core_s']:.3f} ({scan['cpu_s_per_page']:.1f})"))
    refresh = results.get("refresh", {})
    noop = refresh.get("noop")
    if noop:
        said = "" if noop["nothing_changed"] else "  (the change scan found a change!)"
        lines.append((f"no-op refresh (govperf refresh, nothing changed){said}", _fmt_run(noop)))
        parts = refresh.get("noop_breakdown", {})
        for key, label in (
            ("interpreter_start_s", "interpreter start-up"),
            ("import_cli_s", "import dagster_project.cli.main"),
            ("change_scan_s", "change scan (nothing_changed)"),
        ):
            if key in parts:
                lines.append((f"  {label}", _fmt_s(parts[key])))
    runs = (("full", "full refresh"), ("add_1", "refresh after adding 1"), ("change_100", "refresh after changing 100"))
    for key, label in runs:
        run = refresh.get(key)
        if not run:
            continue
        status = "" if run["ok"] else "  (FAILED)" if run["finished"] else "  (did not finish)"
        lines.append((f"{label}{status}", _fmt_run(run)))
        for stage, seconds in run["stages_s"].items():
            lines.append((f"  {stage}", _fmt_s(seconds)))
        if run["stages_s"]:
            lines.append(("  outside steps (start-up, imports, Dagster)", _fmt_s(run["outside_steps_s"])))
        lines.append(("  peak PSS / summed RSS, process tree", _fmt_mem(run)))
    ray = results.get("ray", {})
    if ray and not ray.get("skipped"):
        status = "" if ray.get("ok") else "  (FAILED)" if ray.get("finished") else "  (did not finish)"
        lines.append((f"full refresh, --engine ray, 2-node local cluster{status}", _fmt_run(ray)))
        if "overhead_ratio" in ray:
            lines.append(("  wall time ray / local", f"{ray['overhead_ratio']:.2f}x"))
        lines.append(("  cluster start (not in the refresh)", _fmt_s(ray.get("cluster_start_s"))))
    profiled = refresh.get("profiled_add_1", {})
    if profiled.get("profile"):
        profile = profiled["profile"]
        lines.append(("cProfile, refresh after adding 1 (CPU, all threads)", _fmt_s(profile["profiled_s"])))
        lines.append(("  self CPU time by package:", ""))
        lines += _profile_lines(profile)
    big = results.get("scale_100k", {})
    if big and not big.get("skipped"):
        status = "" if big.get("ok") else "  (FAILED)" if big.get("finished") else "  (did not finish)"
        lines.append((f"100,000 reports: full refresh{status}", _fmt_run(big)))
        for stage, seconds in big.get("stages_s", {}).items():
            lines.append((f"  {stage}", _fmt_s(seconds)))
        lines.append(("  peak PSS / summed RSS, process tree", _fmt_mem(big)))
    width = max(len(k) for k, _ in lines)
    out = [f"{k.ljust(width)}  {v}" for k, v in lines]
    out.append("")
    out.append("targets")
    for row in results.get("targets", []):
        if row["measured"] is None:
            verdict = "not measured / did not finish"
        else:
            verdict = "met" if row["met"] else f"MISSED ({row['times_limit']}x the limit)"
            if row["unit"] == "x" and not row["met"]:
                verdict = f"MISSED ({row['times_limit']}x too slow)"
        measured = "—" if row["measured"] is None else f"{row['measured']:,}"
        out.append(f"  {row['target']}: {measured} {row['unit']} (limit {row['limit']:,} {row['unit']}): {verdict}")
    load = results["machine"]
    out.append("")
    out.append(f"machine: {load['cpus']} CPUs, load average {load['load_start']} at start, {load['load_end']} at end")
    return "\n".join(out)


def _git() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty_files": len(git("status", "--porcelain").splitlines())}


def _corpus_summary(items: list[CorpusItem], raw_dir: Path, seconds: float) -> dict[str, Any]:
    return {
        "reports": len(items),
        "dir": str(raw_dir),
        "build_s": round(seconds, 3),
        "bytes": sum(p.stat().st_size for p in raw_dir.iterdir()),
        "templates": dict(Counter(i.template for i in items)),
        "layouts": dict(Counter(i.layout for i in items)),
        "encodings": dict(Counter(i.encoding for i in items)),
        "units": dict(Counter(i.unit for i in items)),
        "fullwidth": sum(i.fullwidth for i in items),
        "fiscal_years": dict(sorted(Counter(i.fiscal_year for i in items).items())),
    }


# ---------------------------------------------------------------- main


def build_arg_parser() -> argparse.ArgumentParser:
    """Arguments of ``python -m bench.run``."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=10_000, help="corpus size (default 10,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-100k", action="store_true", help="do not run the 100,000-report refresh")
    parser.add_argument(
        "--timeout-100k", type=float, default=3 * TARGET_100K_S, help="seconds before it is stopped (default 540)"
    )
    parser.add_argument(
        "--memory-limit-gb", type=float, default=8.0, help="stop a refresh whose process tree's PSS passes this"
    )
    parser.add_argument("--no-incremental", action="store_true", help="only the full and the no-op refresh")
    parser.add_argument("--no-change-100", action="store_true", help="no refresh after changing 100 reports")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="refreshes exactly as a user runs them (no -v, ephemeral Dagster instance): no stage times",
    )
    parser.add_argument(
        "--no-refresh-profile", action="store_true", help="no extra refresh under cProfile after adding 1 report"
    )
    parser.add_argument("--no-refresh", action="store_true", help="only the in-process stages and the baseline")
    parser.add_argument("--skip-ocr", action="store_true", help="no scanned-PDF (OCR) figure")
    parser.add_argument(
        "--skip-ray", action="store_true", help="no refresh with --engine ray on a 2-node cluster started here"
    )
    parser.add_argument("--profile-sample", type=int, default=300, help="reports profiled (0: no profile)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="corpora, warehouses, logs")
    parser.add_argument("--out", type=Path, default=None, help="JSON output (default <workdir>/latest.json)")
    return parser


def main(argv: Sequence[str] | None = None, command: Callable[..., list[str]] = refresh_command) -> int:
    """Build the corpus, measure, print the table and write the JSON; 0 when every measurement ran."""
    args = build_arg_parser().parse_args(argv)
    workdir: Path = args.workdir.resolve()
    out_path: Path = (args.out or workdir / "latest.json").resolve()
    n: int = args.reports
    results: dict[str, Any] = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "git": _git(),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_start": list(os.getloadavg()),
        },
    }

    def say(message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)

    raw_dir = workdir / f"corpus_{n}"
    say(f"building {n:,} reports in {raw_dir}")
    builder = CorpusBuilder(args.seed)
    with timed() as t:
        items = build_corpus(raw_dir, n, builder=builder)
    results["corpus"] = _corpus_summary(items, raw_dir, t.wall_s)

    say("ingest and parse stage functions, in process")
    stages, inputs = in_process_stages(raw_dir, workdir / "scratch" / f"build_{n}.duckdb", min(n, 1000))
    results["in_process"] = stages
    say("naive baseline")
    texts = [i.text for i in inputs if i.text is not None]
    base = measure_baseline(texts)
    results["baseline"] = base
    parse_rate = stages["parse"]["reports_per_s"]
    results["parser_vs_baseline"] = {
        "parser_reports_per_s": parse_rate,
        "parser_one_process_reports_per_s": stages["parse_one_process"]["reports_per_s"],
        "baseline_reports_per_s": base["reports_per_s"],
        "ratio": round(parse_rate / base["reports_per_s"], 4),
        "ratio_one_process": round(stages["parse_one_process"]["reports_per_s"] / base["reports_per_s"], 4),
    }
    if args.profile_sample:
        say(f"profiling the parser on {min(n, args.profile_sample)} reports")
        results["profile"] = profile_parser(inputs, args.profile_sample)
    del inputs, texts
    say("the parser on 2 MB of each hostile repeated piece")
    results["hostile_2mb"] = measure_repeated()

    say("reading the samples as PDF documents" + ("" if args.skip_ocr else ", and one as a scanned PDF (OCR)"))
    samples = [path.read_text(encoding="utf-8") for path in sorted((REPO / "data" / "raw").glob("*.txt"))]
    results["documents"] = measure_documents(samples, ocr=not args.skip_ocr)

    complete = True
    home = None if args.plain else init_dagster_home(workdir / "dagster_home")
    refresher = Refresher(workdir / "logs", home, command, int(args.memory_limit_gb * GB))
    if args.no_refresh:
        results["refresh"] = {"skipped": "--no-refresh"}
    elif not refresh_available():
        results["refresh"] = {"skipped": "dagster_project.cli.refresh / dagster_project.cli.main not importable"}
        complete = False
    else:
        warehouse_dir = workdir / f"warehouse_{n}"
        shutil.rmtree(warehouse_dir, ignore_errors=True)
        warehouse = warehouse_dir / "warehouse.duckdb"
        refresh: dict[str, Any] = {}
        results["refresh"] = refresh
        say("full refresh (govperf refresh, subprocess)")
        refresh["full"] = refresher(raw_dir, warehouse, f"full_{n}")
        complete &= refresh["full"]["ok"]
        if refresh["full"]["ok"]:
            settled = _settle(refresher, raw_dir, warehouse, f"settle_noop_{n}", say)
            say("no-op refresh (govperf refresh, nothing changed)")
            refresh["noop"] = refresher.noop(raw_dir, warehouse, f"noop_{n}")
            if settled:
                refresh["noop"]["settled_first"] = settled
            refresh["noop_breakdown"] = noop_breakdown(raw_dir, warehouse)
            complete &= refresh["noop"]["ok"] and refresh["noop"]["nothing_changed"]
        if not args.no_incremental and refresh["full"]["ok"]:
            incremental = (
                ("add_1", "adding 1 report", lambda: add_reports(raw_dir, builder, items, 1)),
                ("change_100", "changing 100 reports", lambda: change_reports(raw_dir, builder, items, 100)),
            )
            for key, what, change in incremental[: 1 if args.no_change_100 else 2]:
                settled = _settle(refresher, raw_dir, warehouse, f"settle_{key}_{n}", say)
                say(f"refresh after {what}")
                changed = change()
                run = refresher(raw_dir, warehouse, f"{key}_{n}")
                run["changed_files"] = len(changed)
                # a refresh that read more files than were changed measured something else (e.g. a code change)
                run["only_changed_files_read"] = run.get("reports", {}).get("read") == len(changed)
                if settled:
                    run["settled_first"] = settled
                refresh[key] = run
                complete &= run["ok"]
            if not args.no_refresh_profile:
                say("refresh after adding 1 more report, under cProfile (untimed)")
                add_reports(raw_dir, builder, items, 1)
                refresh["profiled_add_1"] = refresher.profiled(raw_dir, warehouse, f"profiled_add_1_{n}")

    if not (args.skip_ray or args.no_refresh) and refresh_available() and results["refresh"].get("full", {}).get("ok"):
        say("full refresh with --engine ray on a 2-node Ray cluster started here (1 CPU a node) vs local")
        results["ray"] = measure_ray(refresher, raw_dir, workdir / f"warehouse_{n}_ray", n, results["refresh"]["full"])
    else:
        results["ray"] = {"skipped": True}

    if args.skip_100k or args.no_refresh or not refresh_available():
        results["scale_100k"] = {"skipped": True}
    else:
        big_n = 100_000
        big_dir = workdir / f"corpus_{big_n}"
        say(f"building {big_n:,} reports in {big_dir}")
        with timed() as t:
            big_items = build_corpus(big_dir, big_n, seed=args.seed)
        big_wh = workdir / f"warehouse_{big_n}"
        shutil.rmtree(big_wh, ignore_errors=True)
        say(f"full refresh of {big_n:,} reports (stopped after {args.timeout_100k:.0f} s)")
        big = refresher(big_dir, big_wh / "warehouse.duckdb", f"full_{big_n}", args.timeout_100k)
        big["corpus_build_s"] = round(t.wall_s, 3)
        big["corpus_bytes"] = sum(p.stat().st_size for p in big_dir.iterdir())
        big["reports_built"] = len(big_items)
        results["scale_100k"] = big

    results["machine"]["load_end"] = list(os.getloadavg())
    results["targets"] = targets(results)
    results["machine"]["load_start"] = [round(x, 2) for x in results["machine"]["load_start"]]
    results["machine"]["load_end"] = [round(x, 2) for x in results["machine"]["load_end"]]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print()
    print(render_table(results))
    print(f"\nwritten {out_path}")
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
