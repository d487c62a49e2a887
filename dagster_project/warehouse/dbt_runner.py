"""The dbt project: running dbt in process, and its manifest (parsed when stale), which the Dagster
definitions and the quality checks read."""

from __future__ import annotations

import contextlib
import fcntl
import gc
import io
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = REPO_ROOT / "dbt"
_GENERATED_DIRS = frozenset({"target", "logs", "dbt_packages"})
DBT_DATABASE_VARIABLE = "GOVPERF_DBT_DATABASE"
"""The environment variable ``profiles.yml`` takes the database path from: set by :func:`run_dbt` for
one invocation, never by a user (the user's setting is ``GOVPERF_BUILD_DB``, read once by ``Settings``)."""


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
                result = run_dbt(["parse", "--target-path", tmp, "--log-path", tmp], project_dir)
                if not result.success:
                    raise RuntimeError(f"dbt parse failed: {result.exception}")
                os.replace(Path(tmp) / "manifest.json", manifest)
    return manifest


def run_dbt(
    args: list[str],
    project_dir: Path = DBT_DIR,
    callbacks: list[Any] | None = None,
    quiet: bool = True,
    build_db: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> dbtRunnerResult:
    """Invoke dbt in this process (``dbtRunner``): no executable on PATH needed, no start-up per call.

    dbt builds in ``build_db`` (default: the path ``profiles.yml`` names), with ``env`` set for this
    invocation only (dbt reads its own variables, such as ``DBT_INDIRECT_SELECTION``, from there).
    ``quiet`` swallows dbt's console output (its events still reach ``callbacks``).
    """
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    full = [*args, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    output = contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext()
    variables = {**(env or {}), **({DBT_DATABASE_VARIABLE: os.fspath(build_db)} if build_db is not None else {})}
    try:
        with output, _set_for_dbt(variables):
            return dbtRunner(callbacks=callbacks or []).invoke(full)
    finally:
        _close_dbt_duckdb()


@contextlib.contextmanager
def _set_for_dbt(variables: Mapping[str, str]) -> Iterator[None]:
    """``variables`` set in this process's environment within the block (taken out, then put back
    as they were after): dbt reads them, this module does not."""
    saved = {name: os.environ.pop(name, None) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ.update({name: value})


def _close_dbt_duckdb() -> None:
    """Close dbt-duckdb's database instance and drop dbt's adapters, which outlive the invocation.

    DuckDB lets one process attach a file only once: the steps after dbt (and publish) need it free.
    dbt's adapters and manifests hold locks of its "spawn" multiprocessing context (named
    semaphores): dropped and collected here, they are unlinked now rather than reported as leaked
    when the CLI exits without interpreter teardown.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.adapters.factory import reset_adapters

    with contextlib.suppress(Exception):  # no environment yet: nothing was opened
        DuckDBConnectionManager.env().close()
    reset_adapters()
    gc.collect()
