"""Shared fixtures: the real pipeline run once on the sample reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.refresh import RefreshOutcome, run_refresh
from dagster_project.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_RAW_DIR = REPO_ROOT / "data" / "raw"


@pytest.fixture(scope="session")
def sample_refresh(tmp_path_factory: pytest.TempPathFactory) -> RefreshOutcome:
    """``govperf refresh`` (the same function, in-process) on ``data/raw`` into a temporary directory."""
    warehouse = tmp_path_factory.mktemp("sample_warehouse") / "warehouse.duckdb"
    outcome = run_refresh(Settings.resolve(raw_dir=SAMPLE_RAW_DIR, warehouse=warehouse))
    assert outcome.published, "\n".join(outcome.errors)
    return outcome


@pytest.fixture(scope="session")
def sample_warehouse(sample_refresh: RefreshOutcome) -> Path:
    """Path of the warehouse published from the sample reports (open it read-only)."""
    return sample_refresh.settings.warehouse
