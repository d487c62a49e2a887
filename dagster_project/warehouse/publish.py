"""Publishing: the refresh lock, and the atomic replacement of the warehouse analysts read.

The build database is written in the storage format of our DuckDB (2.x). Two files are published:

- ``<warehouse>``: only the schema ``marts`` (tables, dimensions and the quality views materialised,
  plus ``refresh_log``: when the data is from), with the table and column comments of the dbt docs,
  so a BI tool lists nothing internal; written anew in ``settings.storage_version`` (default v1.0.0)
  so every DuckDB 1.x client opens it;
- ``<warehouse>.internal.duckdb``: a copy of the build database, every schema (raw, staging,
  intermediate, marts, ops), for debugging and ``govperf status``, in our DuckDB's format.

Each is written to a temporary file beside its target, fsynced and renamed over it (``os.replace``):
readers never see a half-written file, and a reader holding the old file keeps its snapshot. The two
are one pair: both carry the run id of their refresh (their generation), and the internal file of
the warehouse still published is kept until the warehouse is replaced, so ``govperf status``
(:func:`published_pair`) never reads the marts of one refresh with the internals of another.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.warehouse.build_db import describe_process, lock_holders, pid_alive

PUBLISHED_SCHEMA = "marts"
REFRESH_LOG_COMMENT = (
    "刷新记录 One row per published refresh: run id, time (UTC), raw dir, reports present and removed."
)


class RefreshBusy(RuntimeError):
    """Another refresh of the same warehouse holds the refresh lock."""


class PairError(RuntimeError):
    """The published warehouse has no readable internal file of its own refresh (damaged or missing)."""


def _lock_holder(lock_path: Path) -> str:
    """Who holds the refresh lock and since when: the holder's note in the lock file, checked against
    the kernel's lock table."""
    holders = lock_holders(lock_path)
    try:
        note = json.loads(lock_path.read_text(encoding="utf-8"))
        pid, since = int(note["pid"]), str(note["since"])
    except (OSError, ValueError, KeyError, TypeError):
        pid, since = None, None
    if pid is not None and (pid in holders or (not holders and pid_alive(pid))):
        return f"{describe_process(pid).split(' running since')[0]} since {since}"
    return describe_process(holders[0]) if holders else "another process"


class RefreshLock:
    """An exclusive lock on ``<build dir>/refresh.lock`` that keeps two refreshes from interleaving.

    Used as a context manager around one whole refresh; the kernel drops it when the holding
    process dies, so a killed refresh never leaves it behind. The holder writes its pid, command and
    the time it took the lock into the file; ``on_wait`` is called once, with who holds it and since
    when, when another process holds it and this one starts waiting, and after ``timeout`` seconds
    this one gives up (:class:`RefreshBusy`, naming the holder).
    """

    def __init__(
        self, build_dir: Path, timeout: float, on_wait: Callable[[str], None] | None = None
    ) -> None:
        self._build_dir = build_dir
        self._timeout = timeout
        self._on_wait = on_wait
        self._fd: int | None = None

    def __enter__(self) -> RefreshLock:
        self._build_dir.mkdir(parents=True, exist_ok=True)
        path = self._build_dir / "refresh.lock"
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # never truncated by a waiter
        deadline = time.monotonic() + self._timeout
        waited = False
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited and self._on_wait is not None:
                    self._on_wait(f"waiting for another refresh ({_lock_holder(path)}) to finish "
                                  f"(up to {self._timeout:g} s, GOVPERF_LOCK_WAIT_SECONDS)")
                waited = True
                if time.monotonic() > deadline:
                    holder = _lock_holder(path)
                    os.close(self._fd)
                    self._fd = None
                    raise RefreshBusy(
                        f"another refresh ({holder}) holds {path}; gave up after {self._timeout:g} s "
                        "(GOVPERF_LOCK_WAIT_SECONDS)"
                    ) from None
                time.sleep(0.2)
        note = {"pid": os.getpid(), "command": " ".join(sys.argv)[:200],
                "since": f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC"}
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, json.dumps(note).encode(), 0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


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


@contextlib.contextmanager
def _temporary(target: Path, write: Callable[[Path], None]) -> Iterator[Path]:
    """A temporary file beside ``target``, written by ``write`` and fsynced; removed on exit unless
    it was renamed over ``target`` meanwhile."""
    _clean_stale_temps(target)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        write(tmp)
        _fsync_file(tmp)
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


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


def generation(path: Path) -> str | None:
    """The generation of a published file: the run id of the last refresh it records (the warehouse's
    ``marts.refresh_log``, the internal file's ``ops.refresh_log``), None when it records none.
    Raises ``duckdb.Error`` or ``OSError`` when the file cannot be read."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        schemas = [name for (name,) in con.execute(
            "SELECT schema_name FROM duckdb_tables() WHERE table_name = 'refresh_log' "
            "AND schema_name IN ('ops', 'marts') ORDER BY schema_name DESC").fetchall()]
        if not schemas:
            return None
        rows = con.execute(
            f"SELECT run_id FROM {schemas[0]}.refresh_log ORDER BY refreshed_at DESC, run_id DESC LIMIT 1"
        ).fetchall()
        return rows[0][0] if rows else None
    finally:
        con.close()


def _kept_path(warehouse: Path, gen: str | None) -> Path:
    """Where the internal file of generation ``gen`` is kept while a publish replaces the pair."""
    return warehouse.with_name(f".{warehouse.name}.internal-{gen or 'none'}.duckdb")


def _kept_files(warehouse: Path) -> list[Path]:
    return sorted(warehouse.parent.glob(f".{warehouse.name}.internal-*.duckdb"))


def _quietly(read: Callable[[Path], str | None], path: Path) -> tuple[bool, str | None]:
    """``(True, read(path))``, or ``(False, None)`` when the file is missing or damaged."""
    try:
        return True, read(path)
    except (duckdb.Error, OSError):
        return False, None


def _keep_current_internal(warehouse: Path) -> Path | None:
    """Before the pair is replaced: make sure the internal file of the published warehouse's refresh
    is kept under its generation's name (a hard link), and drop kept files of other generations."""
    readable, gen = _quietly(generation, warehouse)
    kept = _kept_path(warehouse, gen) if readable else None
    for other in _kept_files(warehouse):
        if other != kept:
            other.unlink(missing_ok=True)
    for tmp in warehouse.parent.glob(f".{warehouse.name}.internal-*.duckdb.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not pid_alive(int(pid)):
            tmp.unlink(missing_ok=True)
    if kept is None or kept.exists():
        return kept
    internal = internal_path(warehouse)
    same, internal_gen = _quietly(generation, internal)
    if not same or internal_gen != gen:
        return None
    tmp = kept.with_name(kept.name + f".tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        os.link(internal, tmp)
    except OSError:
        shutil.copyfile(internal, tmp)
    os.replace(tmp, kept)
    return kept


def published_pair(warehouse: Path, attempts: int = 3) -> Path:
    """The internal file that belongs to the published warehouse (the same refresh's generation):
    the internal file, or, while a publish is replacing the pair (or after one killed half-way), the
    kept copy of the warehouse's own generation. A reader never pairs marts of one refresh with the
    internal schemas of another. Raises :class:`PairError` with a one-line reason."""
    problem = ""
    for attempt in range(attempts):
        readable, gen = _quietly(generation, warehouse)
        if not readable:
            problem = f"the warehouse {warehouse} cannot be read as a DuckDB database (damaged?)"
        else:
            internal = internal_path(warehouse)
            ok, internal_gen = _quietly(generation, internal)
            if ok and internal_gen == gen:
                return internal
            kept = _kept_path(warehouse, gen)
            if kept.is_file() and _quietly(generation, kept) == (True, gen):
                return kept
            problem = (f"the internal file {internal} is damaged or missing" if not ok else
                       f"the internal file {internal} is from another refresh than the warehouse")
        if attempt + 1 < attempts:
            time.sleep(0.2)  # a publish may be replacing the pair right now
    raise PairError(problem + "; run `govperf refresh --force` to publish both again")


def publish(build_db: Path, warehouse: Path, storage_version: str = "v1.0.0") -> None:
    """Publish the (closed, checkpointed) build database as one pair: the internal file and the
    warehouse, both of the same refresh (its run id in their refresh logs is their generation).

    The internal file is a byte copy of the build database (our DuckDB's storage format: a copy costs
    a fraction of rewriting every schema, and the file is a third of the size); the warehouse is
    written anew in ``storage_version`` for the analysts' clients. Both are written and fsynced as
    temporary files first; the internal file of the warehouse still published is kept (a hard link
    under its generation's name) until the warehouse itself is replaced, the commit point, so a
    reader (:func:`published_pair`) finds the pair of one refresh whenever it looks, also after a
    ``kill -9`` between the two renames.
    """
    wal = build_db.with_name(build_db.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise RuntimeError(f"{build_db} has an unflushed WAL; checkpoint and close it before publishing")
    internal = internal_path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as temps:
        new_internal = temps.enter_context(_temporary(internal, lambda tmp: shutil.copyfile(build_db, tmp)))
        new_warehouse = temps.enter_context(_temporary(warehouse, _write_marts(build_db, storage_version)))
        kept = _keep_current_internal(warehouse)
        os.replace(new_internal, internal)
        os.replace(new_warehouse, warehouse)
        _fsync_dir(warehouse.parent)
    if kept is not None:
        kept.unlink(missing_ok=True)
    _fsync_dir(warehouse.parent)


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
