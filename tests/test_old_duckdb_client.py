"""The published warehouse opens in a DuckDB 1.x client, the kind BI tools embed (slow: builds a venv)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

OLD_DUCKDB = "duckdb==1.1.3"  # reads storage version 64 only: the oldest 1.x file format
READ = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
rows = con.execute("SELECT source_file, budget_total_wan_yuan FROM marts.mart_department_year ORDER BY 1").fetchall()
comment = con.execute(
    "SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'mart_department_year'"
).fetchone()[0]
print(json.dumps({"version": duckdb.__version__, "rows": [[f, str(b)] for f, b in rows], "comment": comment}))
"""


@pytest.fixture(scope="module")
def old_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway venv with an old DuckDB from the package registry."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("uv is needed to build the throwaway venv (the Makefile installs it)")
    venv = tmp_path_factory.mktemp("old_duckdb") / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", "3.11", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run([uv, "pip", "install", "--quiet", "--python", str(python), OLD_DUCKDB], check=True, timeout=600)
    return python


def test_published_warehouse_opens_in_duckdb_1x(sample_warehouse: Path, old_python: Path) -> None:
    done = subprocess.run(
        [str(old_python), "-c", READ, str(sample_warehouse)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["version"].startswith("1.")
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        ours = con.execute(
            "SELECT source_file, budget_total_wan_yuan FROM marts.mart_department_year ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert result["rows"] == [[f, str(b)] for f, b in ours], "the old client reads the same figures"
    assert len(ours) == 5 and any(b is not None for _, b in ours)
    assert result["comment"] and "部门" in result["comment"]
