"""Shared fixtures: the real pipeline run once on the sample reports."""

from __future__ import annotations

import fcntl
import pickle
from pathlib import Path

import pytest

from dagster_project.cli.refresh import RefreshOutcome, run_refresh
from dagster_project.warehouse.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_RAW_DIR = REPO_ROOT / "data" / "raw"


def _refresh_samples(root: Path) -> RefreshOutcome:
    outcome = run_refresh(Settings.resolve(raw_dir=SAMPLE_RAW_DIR, warehouse=root / "warehouse.duckdb"))
    assert outcome.published, "\n".join(outcome.errors)
    return outcome


@pytest.fixture(scope="session")
def sample_refresh(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> RefreshOutcome:
    """``govperf refresh`` (the same function, in-process) on ``data/raw`` into a temporary directory.

    Under pytest-xdist the first worker to ask runs it, in the directory every worker of the session
    shares, and the others read its outcome: one refresh per session, not one per worker.
    """
    if worker_id == "master":
        return _refresh_samples(tmp_path_factory.mktemp("sample_warehouse"))
    root = tmp_path_factory.getbasetemp().parent / "sample_warehouse"
    root.mkdir(exist_ok=True)
    saved = root / "outcome.pickle"
    with (root / "refresh.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not saved.exists():
            saved.write_bytes(pickle.dumps(_refresh_samples(root)))
        return pickle.loads(saved.read_bytes())


@pytest.fixture(scope="session")
def sample_warehouse(sample_refresh: RefreshOutcome) -> Path:
    """Path of the warehouse published from the sample reports (open it read-only)."""
    return sample_refresh.settings.warehouse
