"""The ``ray`` engine on a real two-node Ray cluster started on this machine (``ray start``, one CPU a
node, each its own temp dir; ``ray stop --force`` afterwards, whatever happens).

A refresh of the samples plus scanned and form documents with ``--engine ray`` publishes exactly the
facts a ``local`` refresh does, although the second node's raylet (and everything under it) is killed
while that node runs one of the refresh's tasks; a report over its time or memory budget fails with
the reason a local refresh gives.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from fixtures import documents as F
from fixtures.cluster import LocalCluster, local_cluster
from ingest.runtime.pool import Limits, run_limited, using_engine
from ingest.runtime.ray_engine import RayEngine
from tests.conftest import REPO_ROOT, SAMPLE_RAW_DIR
from tests.test_pool import behave

pytestmark = pytest.mark.slow

CORPUS = REPO_ROOT / "fixtures" / "corpus"
GOVPERF = str(Path(sys.executable).with_name("govperf"))
REFRESH_SECONDS = 900
SKIPPED_COLUMNS = frozenset({"ingested_at"})
"""Columns that record when, not what: the only ones two refreshes of the same files may differ in
(and ``refresh_log``, which records the runs)."""


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with local_cluster(nodes=2, cpus_per_node=1) as started:
        yield started


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples, two one-page scans (so both nodes OCR at once), a 自评表 workbook and a DOCX."""
    raw = tmp_path_factory.mktemp("raw")
    for path in SAMPLE_RAW_DIR.iterdir():
        shutil.copy(path, raw / path.name)
    project = (CORPUS / "project_report.txt").read_text(encoding="utf-8")
    form = (CORPUS / "province_form_fields.txt").read_text(encoding="utf-8")
    (raw / "scan_project.pdf").write_bytes(F.scanned_pdf(project, dpi=150))
    (raw / "scan_form.pdf").write_bytes(F.scanned_pdf(form, dpi=150))
    (raw / "form.xlsx").write_bytes(F.xlsx_form(form))
    (raw / "project.docx").write_bytes(F.docx_file(project))
    return raw


def refresh(raw: Path, warehouse: Path, *engine: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVPERF_")}
    return subprocess.Popen(
        [GOVPERF, "refresh", "--raw-dir", str(raw), "--warehouse", str(warehouse), *engine],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def marts(warehouse: Path) -> dict[str, Counter]:
    """Every marts table and view as a multiset of rows (without the when-columns)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = [n for (n,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts'"
        ).fetchall() if n != "refresh_log"]
        out = {}
        for name in names:
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' AND table_name = ? "
                "ORDER BY column_index", [name]
            ).fetchall() if c not in SKIPPED_COLUMNS]
            select = ", ".join(f'"{c}"' for c in columns)
            out[name] = Counter(con.execute(f"SELECT {select} FROM marts.{name}").fetchall())
        return out
    finally:
        con.close()


def test_budgets_hold_on_the_cluster(cluster: LocalCluster):
    items = ["a", "hang", "b", "bloat", "boom", "exit", "c"]
    limits = Limits(seconds=5, memory_mb=300)
    local = [(o.value, o.failure) for o in run_limited(behave, items, limits, workers=2)]
    engine = RayEngine(cluster.address)
    try:
        with using_engine(engine):
            remote = [(o.value, o.failure) for o in run_limited(behave, items, limits)]
    finally:
        engine.close()
    assert remote == local
    assert remote[1] == (None, "parse exceeded 5 s") and remote[3] == (None, "parse exceeded 300 MB")


def test_ray_refresh_gives_the_local_facts_although_a_node_is_lost(
    cluster: LocalCluster, raw_dir: Path, tmp_path: Path
):
    local = refresh(raw_dir, tmp_path / "local" / "warehouse.duckdb")
    _, err = local.communicate(timeout=REFRESH_SECONDS)
    assert local.returncode == 0, err

    ray_run = refresh(raw_dir, tmp_path / "ray" / "warehouse.duckdb", "--engine", "ray",
                      "--ray-address", cluster.address)
    killed: list[int] = []
    while ray_run.poll() is None and not killed:
        if cluster.running_tasks(1, "run_task"):
            killed = cluster.kill_node(1)
        time.sleep(0.1)
    _, err = ray_run.communicate(timeout=REFRESH_SECONDS)
    assert killed, f"the second node never ran a task of the refresh:\n{err}"
    assert cluster.raylet_pid(1) is None
    assert ray_run.returncode == 0, err
    assert "read 4 of 4 documents" in err

    expected, got = marts(tmp_path / "local" / "warehouse.duckdb"), marts(tmp_path / "ray" / "warehouse.duckdb")
    with duckdb.connect(str(tmp_path / "ray" / "warehouse.duckdb"), read_only=True) as con:
        reports = [name for (name,) in con.execute("SELECT source_file FROM marts.fct_report ORDER BY 1").fetchall()]
    assert reports == sorted(p.name for p in raw_dir.iterdir())  # every report, once
    assert got["fct_budget"] and got == expected
