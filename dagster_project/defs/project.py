"""The dbt project as Dagster sees it (its manifest must exist before the dbt assets are defined)."""

from __future__ import annotations

from dagster_dbt import DbtProject

from dagster_project.warehouse.dbt_runner import DBT_DIR, ensure_dbt_manifest


def load_dbt_project() -> DbtProject:
    """The govperf dbt project with a fresh manifest."""
    ensure_dbt_manifest(DBT_DIR)
    return DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
