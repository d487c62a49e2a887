"""The dbt project and its manifest, which must exist before the dbt assets can be defined."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from dagster_dbt import DbtProject

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_DIR = REPO_ROOT / "dbt"
_GENERATED_DIRS = frozenset({"target", "logs", "dbt_packages"})


def dbt_sources_mtime(project_dir: Path = DBT_DIR) -> float:
    """Latest modification time of the dbt project's own files (not its generated artifacts)."""
    latest = 0.0
    for dirpath, dirnames, filenames in os.walk(project_dir):
        if Path(dirpath) == project_dir:
            dirnames[:] = [d for d in dirnames if d not in _GENERATED_DIRS]
        for filename in filenames:
            latest = max(latest, (Path(dirpath) / filename).stat().st_mtime)
    return latest


def manifest_is_stale(project_dir: Path = DBT_DIR) -> bool:
    """True when ``target/manifest.json`` is missing or older than a file of the dbt project."""
    manifest = project_dir / "target" / "manifest.json"
    return not manifest.exists() or manifest.stat().st_mtime < dbt_sources_mtime(project_dir)


def ensure_dbt_manifest(project_dir: Path = DBT_DIR) -> Path:
    """Run ``dbt parse`` when the manifest is missing or stale; return the manifest's path.

    Serialised by a lock file so that concurrent processes (the Dagster UI, run workers, tests)
    parse once; the new manifest replaces the old one atomically.
    """
    target = project_dir / "target"
    manifest = target / "manifest.json"
    if not manifest_is_stale(project_dir):
        return manifest
    target.mkdir(parents=True, exist_ok=True)
    with (target / ".parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if manifest_is_stale(project_dir):
            with tempfile.TemporaryDirectory(dir=target, prefix=".parse-") as tmp:
                dbt = Path(sys.executable).parent / "dbt"
                env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
                done = subprocess.run(
                    [
                        str(dbt),
                        "parse",
                        "--project-dir",
                        str(project_dir),
                        "--profiles-dir",
                        str(project_dir),
                        "--target-path",
                        tmp,
                        "--log-path",
                        tmp,
                        "--quiet",
                    ],
                    cwd=project_dir,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode != 0:
                    raise RuntimeError(f"dbt parse failed:\n{done.stdout}\n{done.stderr}")
                os.replace(Path(tmp) / "manifest.json", manifest)
    return manifest


def load_dbt_project() -> DbtProject:
    """The govperf dbt project with a fresh manifest."""
    ensure_dbt_manifest(DBT_DIR)
    return DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
