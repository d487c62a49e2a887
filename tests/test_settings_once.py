"""Settings are resolved once (``Settings.resolve``, called by the CLI and the Dagster definitions)
and passed down: no module of the pure layers or the warehouse reads the environment again, and
what was resolved reaches the steps, the schedule and the sensor."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from dagster_project.defs.resources import GovperfResource
from dagster_project.warehouse.settings import Settings
from ingest.runtime.pool import Limits

REPO = Path(__file__).resolve().parents[1]
HOME = REPO / "dagster_project" / "warehouse" / "settings.py"
"""The one module that reads ``GOVPERF_*`` from the environment."""
BELOW = [*sorted((REPO / "ingest").rglob("*.py")), *sorted((REPO / "dagster_project" / "warehouse").rglob("*.py"))]
_WRITES = frozenset({"setdefault", "update", "pop"})
"""Methods of ``os.environ`` that set a variable for a library or a child process (not a read)."""


def environment_reads(source: str) -> Iterator[int]:
    """Lines of ``source`` that read the process environment: ``os.getenv``, ``os.environ`` used in
    any way other than setting a variable, or ``environ`` / ``getenv`` imported from ``os``."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "os" and any(
                alias.name in ("environ", "environb", "getenv", "getenvb") for alias in node.names):
            yield node.lineno
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os"):
            continue
        if node.attr in ("getenv", "getenvb"):
            yield node.lineno
        elif node.attr in ("environ", "environb"):
            parent = parents.get(node)
            if isinstance(parent, ast.Attribute) and parent.attr in _WRITES:
                continue
            if isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Store | ast.Del):
                continue
            yield node.lineno


@pytest.mark.parametrize("path", [p for p in BELOW if p != HOME], ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_below_the_cli_reads_the_environment(path: Path) -> None:
    assert list(environment_reads(path.read_text(encoding="utf-8"))) == []


def test_the_check_sees_every_kind_of_read() -> None:
    reads = """import os
from os import environ
a = os.environ.get("GOVPERF_X")
b = os.environ["GOVPERF_X"]
c = os.getenv("GOVPERF_X")
d = f(os.environ)
e = "GOVPERF_X" in os.environ
os.environ["RAY_X"] = "0"
os.environ.setdefault("RAY_X", "0")
os.environ.update({"CUDA_VISIBLE_DEVICES": "0"})
del os.environ["RAY_X"]
"""
    assert sorted(environment_reads(reads)) == [2, 3, 4, 5, 6, 7]
    assert list(environment_reads(HOME.read_text(encoding="utf-8"))), "the settings module reads it"


def test_resolved_settings_reach_the_resource_the_schedule_and_the_sensor(tmp_path: Path) -> None:
    from dagster_project.defs.definitions import build_definitions

    env = {"GOVPERF_PARSE_SECONDS": "7", "GOVPERF_PARSE_MEMORY_MB": "300", "GOVPERF_READ_SECONDS": "9",
           "GOVPERF_READ_MEMORY_MB": "400", "GOVPERF_LOCK_WAIT_SECONDS": "3", "GOVPERF_REFRESH_CRON": "30 5 * * 1",
           "GOVPERF_SENSOR_INTERVAL": "45"}
    settings = Settings.resolve(raw_dir=tmp_path, warehouse=tmp_path / "out" / "w.duckdb", env=env)
    assert (settings.parse_limits, settings.read_limits) == (Limits(7.0, 300), Limits(9.0, 400))
    passed = GovperfResource.from_settings(settings).settings
    assert (passed.parse_limits, passed.read_limits) == (settings.parse_limits, settings.read_limits)
    assert passed.lock_wait_seconds == 3.0
    defs = build_definitions(settings)
    (schedule,) = defs.schedules
    (sensor,) = defs.sensors
    assert schedule.cron_schedule == "30 5 * * 1" and sensor.minimum_interval_seconds == 45
    resources = defs.resources
    assert resources["govperf"].settings == passed
    assert resources["dbt"].build_db == str(settings.build_db) and resources["dbt"].lock_wait_seconds == 3.0
    assert resources["refresh_lock"].timeout_seconds == 3.0
