"""The refresh job, its daily schedule and the sensor that starts it when the raw dir changes; the
schedule's cron and the sensor's interval come from the resolved settings (``build_definitions``)."""

from dagster import (
    AssetSelection,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    ScheduleDefinition,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    in_process_executor,
    sensor,
)

from dagster_project.defs.resources import GovperfResource
from dagster_project.warehouse import changes

REFRESH_JOB_NAME = "refresh"
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



def refresh_schedule(cron: str) -> ScheduleDefinition:
    """The daily refresh on ``cron`` (the settings' ``refresh_cron``)."""
    return ScheduleDefinition(
        name="daily_refresh",
        job=refresh_job,
        cron_schedule=cron,
        default_status=DefaultScheduleStatus.RUNNING,
        description="Refreshes the warehouse every day (cron GOVPERF_REFRESH_CRON, default 06:00); a refresh "
        "whose input and code are unchanged re-parses nothing.",
    )


def raw_dir_sensor(interval_seconds: int) -> SensorDefinition:
    """The sensor that looks at the raw dir every ``interval_seconds`` (the settings' ``sensor_interval``)."""
    return sensor(
        name="raw_dir_sensor",
        job=refresh_job,
        minimum_interval_seconds=interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description="Starts a refresh when files under the raw dir are added, changed or removed.",
    )(raw_dir_changed)


def raw_dir_changed(context: SensorEvaluationContext, govperf: GovperfResource) -> SensorResult | SkipReason:
    """Request a refresh when the raw dir or the code differ from what the warehouse was last built from.

    The same cheap check as ``govperf refresh`` (:mod:`dagster_project.warehouse.changes`); while a refresh runs
    nothing is requested, so a change is picked up when it has finished.
    """
    up_to_date, current = changes.nothing_changed(govperf.settings)
    if up_to_date:
        return SkipReason("raw dir and code unchanged since the last publish")
    state = current.digest()
    if state == context.cursor:
        return SkipReason("a refresh of this state was already requested")
    active = context.instance.get_run_records(RunsFilter(job_name=REFRESH_JOB_NAME, statuses=_ACTIVE), limit=1)
    if active:
        return SkipReason("a refresh is already running; will look again")
    return SensorResult(run_requests=[RunRequest(run_key=state)], cursor=state)
