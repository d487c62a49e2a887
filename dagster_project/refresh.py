"""Run the whole refresh job in-process (what ``govperf refresh`` and the test fixtures call)."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from dagster import AssetKey, DagsterInstance, DagsterRunStatus

from ingest.warehouse import Settings, fetch_one

PUBLISHED_KEY = AssetKey("published_warehouse")
FACT_TABLES = ("fct_budget", "fct_spend", "fct_scores", "fct_indicators")
_QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


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


def run_refresh(settings: Settings, verbose: bool = False) -> RefreshOutcome:
    """Materialise every asset of the refresh job against ``settings`` in this process.

    Uses an ephemeral Dagster instance (no daemon, nothing left behind); the published warehouse is
    replaced only if every step up to the publish step succeeded. Unless ``verbose``, Dagster logs
    below WARNING and dbt's console output are suppressed.
    """
    from dagster_project.assets import release_run_lock
    from dagster_project.automation import REFRESH_JOB_NAME
    from dagster_project.definitions import build_definitions

    settings.build_dir.mkdir(parents=True, exist_ok=True)
    job = build_definitions(settings).resolve_job_def(REFRESH_JOB_NAME)
    quiet = contextlib.nullcontext() if verbose else contextlib.redirect_stdout(io.StringIO())
    with DagsterInstance.ephemeral() as instance, quiet:
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=None if verbose else _QUIET)
    release_run_lock(result.run_id)
    checks = [
        CheckOutcome(e.asset_key.to_user_string(), e.check_name, e.passed, e.severity.value)
        for e in result.get_asset_check_evaluations()
    ]
    errors = [
        f"{event.step_key}: {event.event_specific_data.error.message.strip()}"
        for event in result.all_events
        if event.is_step_failure and event.event_specific_data and event.event_specific_data.error
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


def warehouse_summary(warehouse: Path) -> dict[str, object]:
    """Reports per status, per-report rows and facts per table, read from the published warehouse."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        reports = con.execute(
            "SELECT source_file, parse_status, status_reason FROM marts.fct_report ORDER BY source_file"
        ).fetchall()
        facts = {table: fetch_one(con, f"SELECT count(*) FROM marts.{table}")[0] for table in FACT_TABLES}
    finally:
        con.close()
    return {"reports": reports, "facts": facts}
