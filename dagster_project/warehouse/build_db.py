"""The build database: raw records and staging tables kept between refreshes.

A refresh works in a build DuckDB file of its own warehouse (``<warehouse dir>/.build/<name>/``)
that keeps ``raw.raw_reports`` and the staging tables between refreshes, so unchanged files are
neither decoded nor parsed again; dbt builds the marts in it and ``publish`` copies them out.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from dagster_project.warehouse.changes import parser_fingerprint
from dagster_project.warehouse.settings import DEFAULT_LOCK_WAIT_SECONDS, set_aside
from ingest import schema
from ingest.documents.grids import grids_from_json, grids_to_json
from ingest.documents.provenance import spans_from_json, spans_to_json
from ingest.files.raw import DecodedFile, RawFile, decode_raw_files, report_input
from ingest.parse import ReportInput
from ingest.runtime.limits import is_corrupt_database_error
from ingest.runtime.pool import Limits as PoolLimits

RAW_REPORTS_EXTRA: dict[str, pl.DataType] = {
    "failure_reason": pl.String(),
    "manifest_json": pl.String(),
    "input_fingerprint": pl.String(),
    "parsed_fingerprint": pl.String(),
    "removed_at": pl.Datetime("us"),
}
RAW_REPORTS_COLUMNS: dict[str, pl.DataType] = {**schema.RAW_REPORTS, **RAW_REPORTS_EXTRA}
RAW_TEXTS: dict[str, pl.DataType] = {
    "report_id": pl.String(), "text": pl.String(), "spans_json": pl.String(), "tables_json": pl.String()}
REFRESH_LOG: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "refreshed_at": pl.Datetime("us"),
    "raw_dir": pl.String(),
    "reports_present": pl.Int64(),
    "reports_removed": pl.Int64(),
}
QUALITY_RESULTS: dict[str, pl.DataType] = {
    "row_kind": pl.String(),
    "check_name": pl.String(),
    "target_model": pl.String(),
    "severity": pl.String(),
    "passed": pl.Boolean(),
    "description": pl.String(),
    "element_count": pl.Int64(),
    "unexpected_count": pl.Int64(),
    "report_id": pl.String(),
    "observed": pl.String(),
    "expected": pl.String(),
    "checked_at": pl.Datetime("us"),
}
"""Columns of ``raw.quality_results``: one ``summary`` row per check, one ``failure`` row per failing row."""

DBT_TESTS: dict[str, pl.DataType] = {
    "unique_id": pl.String(),
    "status": pl.String(),
    "failures": pl.Int64(),
    "message": pl.String(),
}
BATCH_SIZE = 2000
"""Reports decoded or parsed at a time: memory stays flat however many files change."""
_LOCK_PID = re.compile(r"\(PID (\d+)\)")


class BuildDatabaseBusy(RuntimeError):
    """Another live process holds the build database (a refresh is already running)."""


def duckdb_type(dtype: pl.DataType) -> str:
    """The DuckDB column type for a polars dtype of ``ingest.schema``."""
    if isinstance(dtype, pl.Decimal):
        return f"DECIMAL({dtype.precision},{dtype.scale})"
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    names = {
        pl.String: "VARCHAR",
        pl.Int64: "BIGINT",
        pl.Int32: "INTEGER",
        pl.Int16: "SMALLINT",
        pl.Boolean: "BOOLEAN",
        pl.Float64: "DOUBLE",
        pl.Date: "DATE",
    }
    for pl_type, sql in names.items():
        if isinstance(dtype, pl_type):
            return sql
    raise TypeError(f"no DuckDB type for {dtype}")


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def describe_process(pid: int) -> str:
    """``pid 1234 (govperf refresh) running since 2025-05-01 06:00:02 UTC``, as far as ``/proc`` tells."""
    words = f"pid {pid}"
    with contextlib.suppress(OSError, ValueError, IndexError):
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        command = " ".join(argv.replace("\0", " ").split())
        if command:
            words += f" ({command if len(command) <= 160 else command[:159] + '…'})"
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        started = datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), UTC)
        words += f" running since {started:%Y-%m-%d %H:%M:%S} UTC"
    return words


def lock_holders(path: Path) -> list[int]:
    """Ids of other processes holding a lock (``flock`` or ``fcntl``) on ``path``, from ``/proc/locks``."""
    try:
        info = os.stat(path)
        table = Path("/proc/locks").read_text()
    except OSError:
        return []
    device = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    pids = []
    for line in table.splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[5] == device and fields[4].isdigit():
            pid = int(fields[4])
            if pid not in pids and pid != os.getpid() and pid > 0:
                pids.append(pid)
    return pids


def _set_aside(path: Path) -> Path:
    """Move a damaged build database and its WAL (whichever are there) to ``<name>.corrupt-<time>``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    for source, target in ((path, aside), (path.with_name(path.name + ".wal"), aside.with_name(aside.name + ".wal"))):
        if source.exists() or source.is_symlink():
            os.replace(source, target)
    return aside


def _not_a_database_file(path: Path) -> bool:
    """Whether something other than a regular file (a directory, a pipe, a broken link) sits where the
    build database or its WAL belongs."""
    return any((p.exists() or p.is_symlink()) and not p.is_file() for p in (path, path.with_name(path.name + ".wal")))


BUILD_MEMORY_LIMIT = "512MB"
"""DuckDB memory limit of the refresh's own connections to the build database (DuckDB's default is
80 % of RAM): its buffer pool otherwise keeps every block a refresh writes, growing with the corpus
(1.2 GB over 100,000 reports). Batches of 2,000 reports need far less; dbt's connection is not
limited by it."""


def connect_build(
    path: Path, lock_timeout: float = DEFAULT_LOCK_WAIT_SECONDS, on_wait: Callable[[str], None] | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the build database read-write; rebuild it from scratch when it is damaged.

    DuckDB's memory is limited to ``BUILD_MEMORY_LIMIT``. A lock held by a live process is waited
    for (up to ``lock_timeout`` seconds, the settings' ``lock_wait_seconds``: a killed refresh can
    leave a dbt child finishing its statement); ``on_wait`` is told once who holds it and since
    when, and after the wait it is a :class:`BuildDatabaseBusy` naming the holder. Damaged build
    state, whatever its form (a file DuckDB reports as damaged, a directory or other non-file where
    the database or its WAL belongs), is set aside (``*.corrupt-<time>``, never deleted) and a new
    database started, whose refresh log is restored by the next publish from the internal copy.
    Any other error (disk full, permissions) is raised as it is.
    """
    if path.parent.exists() and not path.parent.is_dir():
        set_aside(path.parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout
    rebuilt = waited = False
    while True:
        if not rebuilt and _not_a_database_file(path):
            _set_aside(path)
            rebuilt = True
        try:
            con = duckdb.connect(str(path), config={"memory_limit": BUILD_MEMORY_LIMIT})
            con.execute("SELECT 1").fetchall()
            return con
        except duckdb.Error as exc:
            message = str(exc)
            holder = _LOCK_PID.search(message)
            if "Could not set lock" in message and (holder is None or pid_alive(int(holder.group(1)))):
                who = describe_process(int(holder.group(1))) if holder else "another process"
                if time.monotonic() > deadline:
                    raise BuildDatabaseBusy(
                        f"build database {path} is held by {who}; gave up after {lock_timeout:g} s "
                        "(GOVPERF_LOCK_WAIT_SECONDS): close that connection or stop that process"
                    ) from None
                if not waited and on_wait is not None:
                    on_wait(f"waiting for {who} to release the build database {path} "
                            f"(up to {lock_timeout:g} s, GOVPERF_LOCK_WAIT_SECONDS)")
                waited = True
                time.sleep(0.5)
                continue
            if rebuilt or not is_corrupt_database_error(message):
                raise
            _set_aside(path)
            rebuilt = True


@contextlib.contextmanager
def build_connection(
    path: Path, on_wait: Callable[[str], None] | None = None, lock_timeout: float = DEFAULT_LOCK_WAIT_SECONDS
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The build database, with the raw and staging tables in place; closed on exit (``on_wait`` and
    ``lock_timeout`` as for :func:`connect_build`)."""
    con = connect_build(path, lock_timeout, on_wait)
    try:
        ensure_tables(con)
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, rolled back on error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def fetch_one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None:
    """The first row of a query, consuming the whole result (DuckDB wants results finished)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def _columns(con: duckdb.DuckDBPyConnection, schema_name: str, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema_name, table],
    ).fetchall()
    return dict(rows)


def _ensure_table(con: duckdb.DuckDBPyConnection, qualified: str, cols: Mapping[str, pl.DataType]) -> bool:
    """Create the table, or recreate it empty when its columns differ; True when (re)created."""
    schema_name, table = qualified.split(".")
    wanted = {name: duckdb_type(dtype) for name, dtype in cols.items()}
    existing = _columns(con, schema_name, table)
    if existing == wanted:
        return False
    con.execute(f"DROP TABLE IF EXISTS {qualified}")
    ddl = ", ".join(f'"{name}" {sql}' for name, sql in wanted.items())
    con.execute(f"CREATE TABLE {qualified} ({ddl})")
    return True


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ``raw`` and ``ops`` tables; a staging table whose columns changed is recreated empty."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SCHEMA IF NOT EXISTS ops")
    with transaction(con):
        if _ensure_table(con, "raw.raw_reports", RAW_REPORTS_COLUMNS):
            con.execute("DROP TABLE IF EXISTS raw.raw_texts")
        if _ensure_table(con, "raw.raw_texts", RAW_TEXTS):
            con.execute("UPDATE raw.raw_reports SET input_fingerprint = NULL")
        _ensure_table(con, "ops.refresh_log", REFRESH_LOG)
        _ensure_table(con, "ops.dbt_tests", DBT_TESTS)
        _ensure_table(con, "raw.quality_results", QUALITY_RESULTS)
        recreated = [_ensure_table(con, f"raw.{table}", cols) for table, cols in schema.STAGING_TABLES.items()]
        if any(recreated):
            con.execute("UPDATE raw.raw_reports SET parsed_fingerprint = NULL")


@contextlib.contextmanager
def _registered(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[str]:
    """``frame`` visible to SQL as view ``name`` for the duration of the block."""
    con.register(name, frame.to_arrow())
    try:
        yield name
    finally:
        con.unregister(name)


def _ids(report_ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"report_id": report_ids}, schema={"report_id": pl.String})


def _insert_frame(con: duckdb.DuckDBPyConnection, qualified: str, frame: pl.DataFrame) -> None:
    if frame.is_empty():
        return
    with _registered(con, "_govperf_frame", frame) as view:
        con.execute(f"INSERT INTO {qualified} BY NAME SELECT * FROM {view}")


def _delete_reports(con: duckdb.DuckDBPyConnection, tables: Iterable[str], report_ids: list[str]) -> None:
    if not report_ids:
        return
    with _registered(con, "_govperf_ids", _ids(report_ids)) as view:
        for table in tables:
            con.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT report_id FROM {view})")


def _staging_tables() -> list[str]:
    return [f"raw.{table}" for table in schema.STAGING_TABLES]


@dataclass
class IngestResult:
    """What :func:`sync_raw_reports` did."""

    seen: int = 0
    ingested: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _raw_row(raw: RawFile, decoded: DecodedFile, fingerprint: str, ingested_at: datetime) -> dict[str, Any]:
    return {
        "report_id": raw.report_id,
        "source_file": raw.source_file,
        "content_sha256": raw.content_sha256,
        "size_bytes": raw.size_bytes,
        "file_kind": raw.file_kind,
        "encoding": decoded.encoding,
        "decode_error": decoded.decode_error,
        "duplicate_of": raw.duplicate_of,
        "ingested_at": ingested_at,
        "failure_reason": raw.failure or decoded.decode_error,
        "manifest_json": raw.manifest_json,
        "input_fingerprint": fingerprint,
        "parsed_fingerprint": None,
        "is_removed": False,
        "removed_at": None,
    }


def batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in consecutive lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sync_raw_reports(
    con: duckdb.DuckDBPyConnection,
    files: list[RawFile],
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    ocr_cache_dir: Path | None = None,
    read_limits: PoolLimits | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> IngestResult:
    """Bring ``raw.raw_reports`` / ``raw.raw_texts`` in step with the scanned files.

    Files whose fingerprint (content, name, manifest row, decoding/parsing code) is unchanged are
    left alone and not decoded; new and changed files are decoded (``batch_size`` at a time;
    documents in worker processes under ``read_limits``) and their staging rows dropped so that the
    staging step parses them; records of files that are gone are flagged ``is_removed`` and their
    staging rows deleted. The removals are one transaction and each batch of new rows another:
    memory stays flat (an uncommitted transaction is held in memory: one for 100,000 texts peaked at
    2.9 GB), and a refresh killed half-way keeps the batches it wrote, which the next one does not
    read again (their fingerprints match).
    """
    now = now or datetime.now(UTC).replace(tzinfo=None)
    code = parser_fingerprint()
    existing = {
        rid: (fp, removed, ingested_at)
        for rid, fp, removed, ingested_at in con.execute(
            "SELECT report_id, input_fingerprint, is_removed, ingested_at FROM raw.raw_reports"
        ).fetchall()
    }
    result = IngestResult(seen=len(files))
    todo: list[tuple[RawFile, str, datetime]] = []
    for raw in files:
        fingerprint = hashlib.sha256(f"{raw.fingerprint}:{code}".encode()).hexdigest()
        old = existing.get(raw.report_id)
        if old is not None and old[0] == fingerprint and not old[1]:
            result.unchanged.append(raw.report_id)
        else:
            todo.append((raw, fingerprint, old[2] if old is not None and not old[1] else now))
    result.ingested = [raw.report_id for raw, _, _ in todo]
    current = {raw.report_id for raw in files}
    result.removed = sorted(rid for rid, old in existing.items() if rid not in current and not old[1])
    with transaction(con):
        _delete_reports(con, ["raw.raw_reports", "raw.raw_texts", *_staging_tables()], result.ingested)
        _delete_reports(con, ["raw.raw_texts", *_staging_tables()], result.removed)
        with _registered(con, "_govperf_removed", _ids(result.removed)) as view:
            con.execute(
                "UPDATE raw.raw_reports SET is_removed = true, removed_at = ?, parsed_fingerprint = NULL "
                f"WHERE report_id IN (SELECT report_id FROM {view})",
                [now],
            )
    for batch in batches(todo, batch_size):
        rows, texts = [], []
        decoded_files = decode_raw_files(
            [raw for raw, _, _ in batch], cache_dir=ocr_cache_dir, limits=read_limits, on_progress=on_progress
        )
        for (raw, fingerprint, ingested_at), decoded in zip(batch, decoded_files, strict=True):
            rows.append(_raw_row(raw, decoded, fingerprint, ingested_at))
            if decoded.text is not None:
                texts.append({"report_id": raw.report_id, "text": decoded.text,
                              "spans_json": spans_to_json(decoded.spans), "tables_json": grids_to_json(decoded.tables)})
        with transaction(con):
            _insert_frame(con, "raw.raw_reports", schema.frame(rows, RAW_REPORTS_COLUMNS))
            _insert_frame(con, "raw.raw_texts", schema.frame(texts, RAW_TEXTS))
    return result


_PENDING = "NOT r.is_removed AND r.parsed_fingerprint IS DISTINCT FROM r.input_fingerprint"


def pending_report_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Ids of every present report not parsed since it last changed, in file-name order."""
    sql = f"SELECT r.report_id FROM raw.raw_reports r WHERE {_PENDING} ORDER BY r.source_file, r.report_id"
    return [rid for (rid,) in con.execute(sql).fetchall()]


def pending_inputs(con: duckdb.DuckDBPyConnection, report_ids: list[str] | None = None) -> list[ReportInput]:
    """Parser inputs for the pending reports (all of them, or those of ``report_ids``)."""
    sql = f"""
        SELECT r.report_id, r.source_file, t.text, r.failure_reason, r.manifest_json, t.spans_json, t.tables_json
        FROM raw.raw_reports r LEFT JOIN raw.raw_texts t USING (report_id)
        WHERE {_PENDING} {{only}}
        ORDER BY r.source_file, r.report_id
    """
    if report_ids is None:
        rows = con.execute(sql.format(only="")).fetchall()
    else:
        with _registered(con, "_govperf_pending", _ids(report_ids)) as view:
            rows = con.execute(sql.format(only=f"AND r.report_id IN (SELECT report_id FROM {view})")).fetchall()
    return [
        report_input(rid, name, text, failure, json.loads(manifest) if manifest else None, spans_from_json(spans),
                     grids_from_json(tables))
        for rid, name, text, failure, manifest, spans, tables in rows
    ]


def replace_staging(
    con: duckdb.DuckDBPyConnection, frames: Mapping[str, pl.DataFrame], report_ids: list[str]
) -> dict[str, int]:
    """Replace the staging rows of ``report_ids`` with ``frames`` and mark them parsed (no transaction).

    Returns the number of rows inserted per table.
    """
    unknown = set(frames) - set(schema.STAGING_TABLES)
    if unknown:
        raise ValueError(f"parser returned unknown staging tables: {sorted(unknown)}")
    counts = {}
    _delete_reports(con, _staging_tables(), report_ids)
    for table, cols in schema.STAGING_TABLES.items():
        frame = frames.get(table, schema.empty_frame(cols))
        frame = frame.select([pl.col(name).cast(dtype) for name, dtype in cols.items()])
        _insert_frame(con, f"raw.{table}", frame)
        counts[table] = frame.height
    with _registered(con, "_govperf_parsed", _ids(report_ids)) as view:
        con.execute(
            "UPDATE raw.raw_reports SET parsed_fingerprint = input_fingerprint "
            f"WHERE report_id IN (SELECT report_id FROM {view})"
        )
    return counts


def drop_orphan_staging_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Delete staging rows whose report is no longer present (no transaction)."""
    for table in schema.STAGING_TABLES:
        con.execute(
            f"DELETE FROM raw.{table} WHERE report_id NOT IN "
            "(SELECT report_id FROM raw.raw_reports WHERE NOT is_removed)"
        )


def write_staging(
    con: duckdb.DuckDBPyConnection, frames: Mapping[str, pl.DataFrame], report_ids: list[str]
) -> dict[str, int]:
    """:func:`replace_staging` and :func:`drop_orphan_staging_rows` in one transaction."""
    with transaction(con):
        counts = replace_staging(con, frames, report_ids)
        drop_orphan_staging_rows(con)
    return counts


KEEP_REMOVED_DAYS = 30
"""How long the record of a removed file is kept (``govperf status`` counts removed files)."""


def compact_removed(
    con: duckdb.DuckDBPyConnection, now: datetime | None = None, keep_days: int = KEEP_REMOVED_DAYS
) -> int:
    """Drop records of removed files that say nothing new; return how many were dropped.

    A removed record is kept only while it is younger than ``keep_days``, the newest record of its
    file name, and its content is not present again (under any name): churn in the raw dir does
    not grow the table.
    """
    now = now or datetime.now(UTC).replace(tzinfo=None)
    before = fetch_one(con, "SELECT count(*) FROM raw.raw_reports")[0]
    con.execute(
        """
        DELETE FROM raw.raw_reports AS r
        WHERE r.is_removed AND (
            r.removed_at < ?
            OR EXISTS (SELECT 1 FROM raw.raw_reports p WHERE NOT p.is_removed AND p.content_sha256 = r.content_sha256)
            OR EXISTS (
                SELECT 1 FROM raw.raw_reports n
                WHERE n.source_file = r.source_file AND n.report_id <> r.report_id
                  AND (NOT n.is_removed OR n.removed_at > r.removed_at)
            )
        )
        """,
        [now - timedelta(days=keep_days)],
    )
    return before - fetch_one(con, "SELECT count(*) FROM raw.raw_reports")[0]


def restore_refresh_log(con: duckdb.DuckDBPyConnection, internal: Path) -> None:
    """Fill an empty ``ops.refresh_log`` (a rebuilt build database) from the last published internal
    file; a damaged or missing one has nothing to give and is left for the publish to replace."""
    if fetch_one(con, "SELECT count(*) FROM ops.refresh_log")[0] or not internal.is_file():
        return
    try:
        con.execute(f"ATTACH '{internal.as_posix().replace(chr(39), chr(39) * 2)}' AS previous (READ_ONLY)")
    except duckdb.Error:
        return
    try:
        con.execute("INSERT INTO ops.refresh_log BY NAME SELECT * FROM previous.ops.refresh_log")
    except duckdb.Error:
        return
    finally:
        con.execute("DETACH previous")


def record_refresh(con: duckdb.DuckDBPyConnection, run_id: str, raw_dir: Path, now: datetime | None = None) -> None:
    """Append this refresh to ``ops.refresh_log`` (what ``govperf status`` shows as last refresh)."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    present, removed = fetch_one(
        con,
        "SELECT count(*) FILTER (WHERE NOT is_removed), count(*) FILTER (WHERE is_removed) FROM raw.raw_reports",
    )
    row = {
        "run_id": run_id,
        "refreshed_at": now,
        "raw_dir": str(raw_dir),
        "reports_present": present,
        "reports_removed": removed,
    }
    _insert_frame(con, "ops.refresh_log", schema.frame([row], REFRESH_LOG))


def record_dbt_tests(con: duckdb.DuckDBPyConnection, results: list[Mapping[str, Any]]) -> None:
    """Replace the dbt test outcomes in ``ops.dbt_tests`` with those of this build."""
    rows = [
        {
            "unique_id": r["unique_id"],
            "status": r["status"],
            "failures": r.get("failures"),
            "message": r.get("message"),
        }
        for r in results
        if r["unique_id"].startswith(("test.", "unit_test."))
    ]
    with transaction(con):
        con.execute("DELETE FROM ops.dbt_tests")
        _insert_frame(con, "ops.dbt_tests", schema.frame(rows, DBT_TESTS))
