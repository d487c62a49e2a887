"""``govperf`` output as a person or a pipe sees it: the CLI in a subprocess over the sample warehouse."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli.main import CLOSED_PIPE_EXIT
from tests.conftest import REPO_ROOT, SAMPLE_RAW_DIR

GOVPERF = str(Path(sys.executable).with_name("govperf"))


def _quality_check_count(warehouse: Path) -> tuple[int, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT count(*), count(*) FILTER (WHERE NOT passed) FROM marts.quality_checks").fetchone()
    finally:
        con.close()


def test_status_into_a_closed_pipe_ends_quietly(sample_warehouse: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line, as `| head -0` would leave it
    try:
        done = subprocess.run(
            [GOVPERF, "status", "--warehouse", str(sample_warehouse)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == CLOSED_PIPE_EXIT


def test_status_piped_to_head_prints_its_first_lines(sample_warehouse: Path) -> None:
    done = subprocess.run(
        f"'{GOVPERF}' status --warehouse '{sample_warehouse}' | head -3",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stderr == "" and done.returncode == 0
    assert done.stdout.splitlines()[0] == f"warehouse {sample_warehouse}"


def test_status_counts_the_quality_checks_the_warehouse_and_data_docs_hold(sample_warehouse: Path) -> None:
    done = subprocess.run(
        [GOVPERF, "status", "--warehouse", str(sample_warehouse)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = re.search(r"quality checks \(Great Expectations\): (\d+) passed, (\d+) failed", done.stdout)
    assert found, done.stdout
    total, failing = _quality_check_count(sample_warehouse)
    assert (int(found[1]) + int(found[2]), int(found[2])) == (total, failing)
    site = Path(f"{sample_warehouse}.quality") / "gx" / "uncommitted" / "data_docs" / "local_site" / "validations"
    assert len([p for p in site.iterdir() if p.is_dir()]) == total >= 10


@pytest.mark.slow
def test_make_run_and_make_dev_share_one_dagster_instance_without_telemetry(tmp_path: Path) -> None:
    raw, home = tmp_path / "raw", tmp_path / "dagster home"
    raw.mkdir()
    first = sorted(SAMPLE_RAW_DIR.glob("*.txt"))[0]
    shutil.copy(first, raw / first.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVPERF_", "DAGSTER_HOME", "MAKE"))}
    env |= {"GOVPERF_RAW_DIR": str(raw), "GOVPERF_WAREHOUSE": str(tmp_path / "w.duckdb")}
    done = subprocess.run(
        ["make", "run", f"DAGSTER_HOME={home}"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "published" in done.stdout
    dev = subprocess.run(
        ["make", "-n", "dev", f"DAGSTER_HOME={home}"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert f'DAGSTER_HOME="{home}"' in dev.stdout.split("dagster dev")[0].splitlines()[-1]
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from dagster import DagsterInstance; i = DagsterInstance.get(); "
            "print(len(i.get_runs()), i.telemetry_enabled, i.nux_enabled)",
        ],
        env={**env, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    runs, telemetry, nux = probe.stdout.split()
    assert (int(runs) >= 1, telemetry, nux) == (True, "False", "False")
