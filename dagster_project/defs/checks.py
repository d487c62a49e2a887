"""Great Expectations outcomes (stored in ``raw.quality_results``) as Dagster asset checks on the marts."""

from collections.abc import Iterator, Sequence
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    AssetsDefinition,
    MetadataValue,
    multi_asset_check,
)
from dagster_dbt import get_asset_key_for_model
from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets

from dagster_project.defs.markdown import md_table
from dagster_project.defs.resources import GovperfResource
from dagster_project.quality.spec import checks_from_manifest
from dagster_project.warehouse.build_db import connect_build

GX_CHECK_NAME = "great_expectations"
MAX_LISTED = 50


def checked_marts(dbt_assets: Sequence[AssetsDefinition]) -> list[str]:
    """The marts the quality checks of the dbt project guard (their ``target_model``), sorted."""
    manifest, _, _ = get_manifest_and_translator_from_dbt_assets(list(dbt_assets))
    return sorted({check.target_model for check in checks_from_manifest(manifest)})


def _mart_keys(dbt_assets: Sequence[AssetsDefinition]) -> dict[str, AssetKey]:
    keys = {}
    for model in checked_marts(dbt_assets):
        for assets_def in dbt_assets:
            try:
                keys[model] = get_asset_key_for_model([assets_def], model)
            except KeyError:
                continue
    return keys


def _summaries(rows: list[tuple[Any, ...]]) -> str:
    return md_table(["check", "severity", "passed", "unexpected", "description"], rows)


def build_quality_checks(dbt_assets: Sequence[AssetsDefinition], quality_key: AssetKey):
    """One ``great_expectations`` check per mart, fed by the outcomes the quality asset stored."""
    keys = _mart_keys(dbt_assets)
    model_by_key = {key: model for model, key in keys.items()}

    @multi_asset_check(
        specs=[
            AssetCheckSpec(
                GX_CHECK_NAME,
                asset=key,
                additional_deps=[quality_key],
                description=f"Great Expectations invariants on {model} (see raw.quality_results)",
            )
            for model, key in keys.items()
        ],
        can_subset=True,
        name="great_expectations_checks",
    )
    def great_expectations_checks(
        context: AssetCheckExecutionContext, govperf: GovperfResource
    ) -> Iterator[AssetCheckResult]:
        """Pass/fail per mart from the stored Great Expectations outcomes, with offending reports."""
        con = connect_build(govperf.settings.build_db, govperf.settings.lock_wait_seconds)
        try:
            summary = con.execute(
                "SELECT target_model, check_name, severity, passed, unexpected_count, description "
                "FROM raw.quality_results WHERE row_kind = 'summary' ORDER BY check_name"
            ).fetchall()
            failures = con.execute(
                "SELECT target_model, check_name, report_id, observed, expected "
                "FROM raw.quality_results WHERE row_kind = 'failure' ORDER BY check_name, report_id"
            ).fetchall()
        finally:
            con.close()
        for check_key in context.selected_asset_check_keys:
            model = model_by_key[check_key.asset_key]
            rows = [row[1:] for row in summary if row[0] == model]
            failing = [row for row in rows if not row[2]]
            offending = [
                {"check": check, "report_id": rid, "observed": observed, "expected": expected}
                for target, check, rid, observed, expected in failures
                if target == model
            ]
            error = any(str(row[1]).lower() == "error" for row in failing)
            yield AssetCheckResult(
                asset_key=check_key.asset_key,
                check_name=GX_CHECK_NAME,
                passed=not failing,
                severity=AssetCheckSeverity.ERROR if error else AssetCheckSeverity.WARN,
                metadata={
                    "checks_run": len(rows),
                    "checks_failing": [row[0] for row in failing],
                    "offending_report_ids": sorted({o["report_id"] for o in offending if o["report_id"]}),
                    "offending": MetadataValue.json(offending[:MAX_LISTED]),
                    "offending_total": len(offending),
                    "results": MetadataValue.md(_summaries(rows)) if rows else "no checks target this model",
                },
            )

    return great_expectations_checks
