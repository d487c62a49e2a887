"""Run the whole refresh job in-process (what ``govperf refresh`` and the test fixtures call)."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from dagster import AssetKey, DagsterInstance, DagsterRunStatus, colored_console_logger, logger

from dagster_project.defs.resources import PROGRESS
from dagster_project.warehouse.build_db import fetch_one
from dagster_project.warehouse.settings import Settings
from ingest.runtime.pool import start_fork_server

PUBLISHED_KEY = AssetKey("published_warehouse")
FACT_TABLES = ("fct_budget", "fct_spend", "fct_scores", "fct_indicators")


@dataclass(frozen=True)
class CheckOutcome:
    """One asset check evaluation of the run (dbt test or Great Expectations)."""

    asset: str
    name: str
    passed: bool
    severity: str


@dataclass
class RefreshOutcome:
    """What a refresh did: whether it published, the checks it ran, step errors, metadata per asset."""

    settings: Settings
    published: bool
    run_id: str
    checks: list[CheckOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    metadata: dict[str, dict[str, object]] = field(default_factory=dict)


def _progress_logger(show: Callable[[str], None]):
    """A Dagster logger passing the step log lines marked :data:`PROGRESS`, and the warnings the
    steps log themselves (first line), to ``show``. Dagster's own failure events (tracebacks
    included) and skip notices are not shown: the CLI ends with the failed steps' root causes."""

    class _Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            text = message.split(" - ")[-1] if " - " in message else message
            from_dagster = (getattr(record, "dagster_meta", None) or {}).get("dagster_event") is not None or (
                text.startswith("Dependencies for step"))  # the steps skipped after a failure, one line each
            if PROGRESS in text:
                show(text.split(PROGRESS, 1)[1])
            elif record.levelno >= logging.WARNING and not from_dagster:
                show(text.strip().split("\n", 1)[0])

    @logger(description="progress lines of a govperf refresh")
    def progress(_init_context):
        log = logging.getLogger("govperf.progress")
        log.handlers = [_Handler()]
        log.setLevel(logging.INFO)
        log.propagate = False
        return log

    return progress


def _instance() -> contextlib.AbstractContextManager[DagsterInstance]:
    """The Dagster instance of ``DAGSTER_HOME`` (runs show in the UI's history), else an ephemeral one."""
    if os.environ.get("DAGSTER_HOME"):
        return contextlib.nullcontext(DagsterInstance.get())
    return DagsterInstance.ephemeral()


def run_refresh(
    settings: Settings, verbose: bool = False, progress: Callable[[str], None] | None = None
) -> RefreshOutcome:
    """Materialise every asset of the refresh job against ``settings`` in this process.

    The published warehouse is replaced only if every step up to the publish step succeeded.
    Unless ``verbose``, Dagster's and dbt's logs are suppressed; ``progress`` receives short lines
    (files scanned, reports parsed of N, dbt nodes, checks, waiting for another refresh's lock).
    """
    from dagster_project.defs.automation import REFRESH_JOB_NAME
    from dagster_project.defs.definitions import build_definitions

    settings.check_paths()
    if settings.engine == "local":
        start_fork_server(["ingest.files.raw", "ingest.warm"])
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    show = progress or (lambda _line: None)
    defs = build_definitions(
        settings, quiet=not verbose, loggers={"progress": _progress_logger(show), "console": colored_console_logger}
    )
    job = defs.resolve_job_def(REFRESH_JOB_NAME)
    loggers: dict[str, object] = {"progress": {"config": {}}}
    if verbose:
        loggers["console"] = {"config": {"log_level": "INFO"}}
    quiet = contextlib.nullcontext() if verbose else contextlib.redirect_stdout(io.StringIO())
    with _instance() as instance, quiet:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": loggers},
        )
    checks = [
        CheckOutcome(e.asset_key.to_user_string(), e.check_name, e.passed, e.severity.value)
        for e in result.get_asset_check_evaluations()
    ]
    errors = [
        f"{event.step_key or 'run'}: {_root_cause(event.event_specific_data.error)}"
        for event in result.all_events
        if (event.is_step_failure or event.is_resource_init_failure)
        and getattr(event.event_specific_data, "error", None) is not None
    ]
    if result.dagster_run.status != DagsterRunStatus.SUCCESS and not errors:
        errors.append(f"run ended {result.dagster_run.status.value}")
    metadata = {
        event.asset_key.to_user_string(): {k: v.value for k, v in event.materialization.metadata.items()}
        for event in result.all_events
        if event.is_step_materialization and event.asset_key
    }
    published = PUBLISHED_KEY.to_user_string() in metadata
    return RefreshOutcome(settings, published, result.run_id, checks, errors, metadata)


def _root_cause(error: Any) -> str:
    """The message of the error a step failed with, down to its root cause (Dagster wraps the
    exception an asset raised in "Error occurred while executing op …"); ``error`` is Dagster's
    serialisable error info."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def warehouse_summary(warehouse: Path) -> dict[str, object]:
    """Reports per status, per-report rows, facts per table, header values rejected by their grammar
    (``header_value_rejected`` parse issues) and the quality checks (name, model, severity, passed), read
    from the published warehouse."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        reports = con.execute(
            "SELECT source_file, parse_status, status_reason FROM marts.fct_report ORDER BY source_file"
        ).fetchall()
        facts = {table: fetch_one(con, f"SELECT count(*) FROM marts.{table}")[0] for table in FACT_TABLES}
        rejected = fetch_one(con, "SELECT count(*) FROM marts.fct_parse_issues "
                                  "WHERE issue_code = 'header_value_rejected'")[0]
        quality = con.execute(
            "SELECT check_name, target_model, severity, passed FROM marts.quality_checks ORDER BY check_name"
        ).fetchall()
    finally:
        con.close()
    return {"reports": reports, "facts": facts, "header_values_rejected": rejected, "quality_checks": quality}


def print_progress(line: str) -> None:
    """Show a progress line on stderr (overwritten in place on a terminal)."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + line)
    else:
        sys.stderr.write(line + "\n")
    sys.stderr.flush()
