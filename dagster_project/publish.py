"""Publishing: the refresh lock, and the atomic replacement of the warehouse analysts read.

The build database is written in the storage format of our DuckDB (2.x). Two files are published:

- ``<warehouse>``: only the schema ``marts`` (tables, dimensions and the quality views materialised,
  plus ``refresh_log``: when the data is from), with the table and column comments of the dbt docs,
  so a BI tool lists nothing internal; written anew in ``settings.storage_version`` (default v1.0.0)
  so every DuckDB 1.x client opens it;
- ``<warehouse>.internal.duckdb``: a copy of the build database, every schema (raw, staging,
  intermediate, marts, ops), for debugging and ``govperf status``, in our DuckDB's format.

Each is written to a temporary file beside its target, fsynced and renamed over it (``os.replace``):
readers never see a half-written file, and a reader holding the old file keeps its snapshot.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from dagster_project.build_db import pid_alive

PUBLISHED_SCHEMA = "marts"
REFRESH_LOG_COMMENT = (
    "刷新记录 One row per published refresh: run id, time (UTC), raw dir, reports present and removed."
)


class RefreshBusy(RuntimeError):
    """Another refresh of the same warehouse holds the refresh lock."""


class RefreshLock:
    """An exclusive lock on ``<build dir>/refresh.lock`` that keeps two refreshes from interleaving.

    Used as a context manager around one whole refresh; the kernel drops it when the holding
    process dies, so a killed refresh never leaves it behind. ``on_wait`` is called once when the
    lock is held by another refresh and this one starts waiting.
    """

    def __init__(self, build_dir: Path, timeout: float, on_wait: Callable[[], None] | None = None) -> None:
        self._build_dir = build_dir
        self._timeout = timeout
        self._on_wait = on_wait
        self._file = None

    def __enter__(self) -> RefreshLock:
        self._build_dir.mkdir(parents=True, exist_ok=True)
        self._file = (self._build_dir / "refresh.lock").open("w")
        deadline = time.monotonic() + self._timeout
        waited = False
        while True:
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited and self._on_wait is not None:
                    self._on_wait()
                waited = True
                if time.monotonic() > deadline:
                    self._file.close()
                    raise RefreshBusy(f"another refresh holds {self._build_dir / 'refresh.lock'}") from None
                time.sleep(0.2)
        self._file.write(str(os.getpid()))
        self._file.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None and not self._file.closed:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()


def checkpoint_and_close(con: duckdb.DuckDBPyConnection) -> None:
    """Flush the WAL into the database file and close the connection."""
    con.execute("CHECKPOINT")
    con.close()


def internal_path(warehouse: Path) -> Path:
    """The internal companion file of a published warehouse."""
    return warehouse.with_name(warehouse.name + ".internal.duckdb")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())


def _clean_stale_temps(target: Path) -> None:
    for tmp in target.parent.glob(f".{target.name}.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not pid_alive(int(pid)) or int(pid) == os.getpid():
            tmp.unlink(missing_ok=True)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Copy every table and view of ``build.marts`` into ``out.marts`` as tables, with comments."""
    con.execute(f"CREATE SCHEMA out.{PUBLISHED_SCHEMA}")
    relations = con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = 'build' AND schema_name = ? "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE database_name = 'build' AND schema_name = ? "
        "AND NOT internal ORDER BY 1",
        [PUBLISHED_SCHEMA, PUBLISHED_SCHEMA],
    ).fetchall()
    columns = con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE database_name = 'build' AND schema_name = ? AND comment IS NOT NULL AND comment <> ''",
        [PUBLISHED_SCHEMA],
    ).fetchall()
    for name, comment in relations:
        qualified = f"{PUBLISHED_SCHEMA}.{_quote(name)}"
        con.execute(f"CREATE TABLE out.{qualified} AS SELECT * FROM build.{qualified}")
        if comment:
            con.execute(f"COMMENT ON TABLE out.{qualified} IS {_literal(comment)}")
    has_log = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'build' AND schema_name = 'ops' "
        "AND table_name = 'refresh_log'"
    ).fetchall()[0][0]
    if has_log:
        con.execute(f"CREATE TABLE out.{PUBLISHED_SCHEMA}.refresh_log AS SELECT * FROM build.ops.refresh_log")
        con.execute(f"COMMENT ON TABLE out.{PUBLISHED_SCHEMA}.refresh_log IS {_literal(REFRESH_LOG_COMMENT)}")
    for table, column, comment in columns:
        con.execute(f"COMMENT ON COLUMN out.{PUBLISHED_SCHEMA}.{_quote(table)}.{_quote(column)} IS {_literal(comment)}")


def _replace_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """``write`` a temporary file beside ``target``, fsync it and rename it over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale_temps(target)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        write(tmp)
        _fsync_file(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    _fsync_dir(target.parent)


def _write_marts(build_db: Path, storage_version: str) -> Callable[[Path], None]:
    """A writer of the marts-only warehouse in ``storage_version``, read from the closed build database."""

    def write(tmp: Path) -> None:
        con = duckdb.connect()
        try:
            con.execute(f"ATTACH {_literal(str(build_db))} AS build (READ_ONLY)")
            con.execute(f"ATTACH {_literal(str(tmp))} AS out (STORAGE_VERSION {_literal(storage_version)})")
            _copy_marts(con)
            con.execute("DETACH out")
        finally:
            con.close()

    return write


def publish(build_db: Path, warehouse: Path, storage_version: str = "v1.0.0") -> None:
    """Publish the (closed, checkpointed) build database: the internal file first, then the warehouse.

    The internal file is a byte copy of the build database (our DuckDB's storage format: a copy costs
    a fraction of rewriting every schema, and the file is a third of the size); the warehouse is
    written anew in ``storage_version`` for the analysts' clients.
    """
    wal = build_db.with_name(build_db.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise RuntimeError(f"{build_db} has an unflushed WAL; checkpoint and close it before publishing")
    _replace_atomically(internal_path(warehouse), lambda tmp: shutil.copyfile(build_db, tmp))
    _replace_atomically(warehouse, _write_marts(build_db, storage_version))


def publish_directory(source: Path, target: Path) -> None:
    """Replace directory ``target`` by ``source`` (two renames; the old copy is removed after)."""
    if not source.is_dir():
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(source, target)
    shutil.rmtree(old, ignore_errors=True)
