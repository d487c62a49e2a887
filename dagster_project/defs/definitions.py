"""The one Dagster code location of govperf (``dagster dev`` loads ``defs``)."""

from __future__ import annotations

from dagster import Definitions, LoggerDefinition, in_process_executor

from dagster_project.defs.assets import (
    QUALITY_RESULTS_KEY,
    dbt_models,
    dbt_project,
    published_warehouse,
    quality_results,
    raw_reports,
    staging,
)
from dagster_project.defs.automation import raw_dir_sensor, refresh_job, refresh_schedule
from dagster_project.defs.checks import build_quality_checks
from dagster_project.defs.resources import (
    DbtInProcessResource,
    EngineResource,
    GovperfResource,
    GreatExpectationsResource,
    RefreshLockResource,
)
from dagster_project.warehouse.settings import Settings, check_storage_version

great_expectations_checks = build_quality_checks([dbt_models], QUALITY_RESULTS_KEY)


def build_definitions(
    settings: Settings | None = None, quiet: bool = True, loggers: dict[str, LoggerDefinition] | None = None
) -> Definitions:
    """Definitions whose resources, schedule and sensor follow ``settings`` (default: resolved from the
    environment here, once: nothing below reads it again).

    ``quiet`` silences dbt's console output; ``loggers`` replace Dagster's default console logger.
    """
    settings = settings or Settings.resolve()
    check_storage_version(settings.storage_version)
    return Definitions(
        assets=[raw_reports, staging, dbt_models, quality_results, published_warehouse],
        asset_checks=[great_expectations_checks],
        jobs=[refresh_job],
        schedules=[refresh_schedule(settings.refresh_cron)],
        sensors=[raw_dir_sensor(settings.sensor_interval)],
        resources={
            "govperf": GovperfResource.from_settings(settings),
            "engine": EngineResource.from_settings(settings),
            "refresh_lock": RefreshLockResource(
                build_dir=str(settings.build_dir), timeout_seconds=settings.lock_wait_seconds
            ),
            "great_expectations": GreatExpectationsResource(),
            "dbt": DbtInProcessResource(
                project_dir=str(dbt_project.project_dir),
                build_db=str(settings.build_db),
                quiet=quiet,
                lock_wait_seconds=settings.lock_wait_seconds,
            ),
        },
        executor=in_process_executor,
        loggers=loggers,
    )


defs = build_definitions()
