"""The one Dagster code location of govperf (``dagster dev`` loads ``defs``)."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from dagster_project.assets import (
    QUALITY_RESULTS_KEY,
    dbt_models,
    dbt_post_quality_models,
    dbt_project,
    published_warehouse,
    quality_results,
    raw_reports,
    staging,
)
from dagster_project.automation import raw_dir_sensor, refresh_job, refresh_schedule
from dagster_project.checks import build_quality_checks
from dagster_project.resources import GovperfDbtCliResource, GovperfResource
from ingest.warehouse import Settings

great_expectations_checks = build_quality_checks([dbt_models, dbt_post_quality_models], QUALITY_RESULTS_KEY)


def build_definitions(settings: Settings | None = None) -> Definitions:
    """Definitions whose resources point at ``settings`` (default: from the environment)."""
    settings = settings or Settings.resolve()
    return Definitions(
        assets=[
            raw_reports,
            staging,
            dbt_models,
            quality_results,
            dbt_post_quality_models,
            published_warehouse,
        ],
        asset_checks=[great_expectations_checks],
        jobs=[refresh_job],
        schedules=[refresh_schedule],
        sensors=[raw_dir_sensor],
        resources={
            "govperf": GovperfResource.from_settings(settings),
            "dbt": GovperfDbtCliResource(project_dir=dbt_project, profiles_dir=str(dbt_project.project_dir)),
        },
        executor=in_process_executor,
    )


defs = build_definitions()
