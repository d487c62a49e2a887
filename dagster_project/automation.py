"""The refresh job, its daily schedule and the sensor that starts it when the raw dir changes."""

import hashlib
import json
import os
from pathlib import Path

from dagster import (
    AssetSelection,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    ScheduleDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    in_process_executor,
    sensor,
)

from dagster_project.resources import GovperfResource

REFRESH_JOB_NAME = "refresh"
DEFAULT_CRON = "0 6 * * *"
_ACTIVE = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]

refresh_job = define_asset_job(
    REFRESH_JOB_NAME,
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Ingest, parse, dbt build, quality checks and atomic publish of the warehouse.",
)

refresh_schedule = ScheduleDefinition(
    name="daily_refresh",
    job=refresh_job,
    cron_schedule=os.environ.get("GOVPERF_REFRESH_CRON", DEFAULT_CRON),
    default_status=DefaultScheduleStatus.RUNNING,
)


def raw_dir_state(raw_dir: Path) -> str:
    """Digest of every file's relative name, size and modification time under ``raw_dir``."""
    entries = []
    if raw_dir.is_dir():
        for dirpath, dirnames, filenames in os.walk(raw_dir):
            dirnames.sort()
            for filename in sorted(filenames):
                path = Path(dirpath) / filename
                stat = path.stat()
                entries.append([path.relative_to(raw_dir).as_posix(), stat.st_size, stat.st_mtime_ns])
    return hashlib.sha256(json.dumps(sorted(entries), ensure_ascii=False).encode()).hexdigest()


@sensor(
    job=refresh_job,
    minimum_interval_seconds=int(os.environ.get("GOVPERF_SENSOR_INTERVAL", "60")),
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a refresh when files under the raw dir are added, changed or removed.",
)
def raw_dir_sensor(context: SensorEvaluationContext, govperf: GovperfResource) -> SensorResult | SkipReason:
    """Request a refresh when the raw dir's names/sizes/mtimes differ from the cursor.

    While a refresh is running the cursor is left alone, so the change is picked up afterwards.
    """
    state = raw_dir_state(Path(govperf.raw_dir))
    if state == context.cursor:
        return SkipReason("raw dir unchanged")
    active = context.instance.get_run_records(RunsFilter(job_name=REFRESH_JOB_NAME, statuses=_ACTIVE), limit=1)
    if active:
        return SkipReason("a refresh is already running; will look again")
    return SensorResult(run_requests=[RunRequest(run_key=state)], cursor=state)
