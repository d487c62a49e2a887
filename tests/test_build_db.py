"""The build database (incremental ingest, recovery) and the atomic publish, without dbt."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

import dagster_project.warehouse.build_db as wh
import dagster_project.warehouse.publish as pub
from dagster_project.warehouse.settings import SettingError, Settings
from ingest.files.raw import scan_raw_dir
from ingest.parse import parse_reports

REPORT = "2023年度某市财政局部门整体支出绩效自评报告\n\n一、部门基本情况\n全年预算数 120.5 万元。\n"


def _refresh_staging(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> tuple[wh.IngestResult, list[str]]:
    """What the raw_reports and staging assets do, minus Dagster."""
    result = wh.sync_raw_reports(con, scan_raw_dir(raw_dir))
    inputs = wh.pending_inputs(con)
    wh.write_staging(con, parse_reports(inputs), [i.report_id for i in inputs])
    return result, [i.source_file for i in inputs]


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(REPORT + "甲", encoding="utf-8")
    (raw / "b.txt").write_text(REPORT + "乙", encoding="gb18030")
    (raw / "c.pdf").write_bytes(b"%PDF-1.7")
    return raw


@pytest.fixture
def con(tmp_path: Path):
    with wh.build_connection(tmp_path / "build" / "build.duckdb") as connection:
        yield connection


def test_unchanged_files_are_neither_decoded_nor_parsed(
    con: duckdb.DuckDBPyConnection, raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, parsed = _refresh_staging(con, raw_dir)
    assert len(first.ingested) == 3 and parsed == ["a.txt", "b.txt", "c.pdf"]
    before = _rows(con, "SELECT * FROM raw.raw_reports ORDER BY report_id")
    headers = _rows(con, "SELECT * FROM raw.report_headers ORDER BY report_id")

    def no_decoding(raws, **kwargs):
        if raws:
            raise AssertionError(f"{[raw.source_file for raw in raws]} decoded again")
        return []

    monkeypatch.setattr(wh, "decode_raw_files", no_decoding)
    second, parsed = _refresh_staging(con, raw_dir)
    assert (second.ingested, parsed, second.removed) == ([], [], [])
    assert _rows(con, "SELECT * FROM raw.raw_reports ORDER BY report_id") == before
    assert _rows(con, "SELECT * FROM raw.report_headers ORDER BY report_id") == headers


def test_changed_new_and_removed_files(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    _refresh_staging(con, raw_dir)
    ingested_at = dict(_rows(con, "SELECT source_file, ingested_at FROM raw.raw_reports"))
    old_a = _rows(con, "SELECT report_id FROM raw.raw_reports WHERE source_file = 'a.txt'")[0][0]
    (raw_dir / "a.txt").write_text(REPORT + "甲 修订", encoding="utf-8")
    (raw_dir / "新 报告.md").write_text(REPORT + "丙", encoding="utf-8")
    (raw_dir / "c.pdf").unlink()
    result, parsed = _refresh_staging(con, raw_dir)
    assert parsed == ["a.txt", "新 报告.md"]
    assert len(result.unchanged) == 1 and len(result.removed) == 2  # old a.txt version and c.pdf
    present = dict(_rows(con, "SELECT source_file, is_removed FROM raw.raw_reports WHERE NOT is_removed"))
    assert set(present) == {"a.txt", "b.txt", "新 报告.md"}
    removed = _rows(con, "SELECT report_id, source_file FROM raw.raw_reports WHERE is_removed ORDER BY 2")
    assert [name for _, name in removed] == ["a.txt", "c.pdf"] and removed[0][0] == old_a
    headers = {r[0] for r in _rows(con, "SELECT report_id FROM raw.report_headers")}
    assert headers == {r[0] for r in _rows(con, "SELECT report_id FROM raw.raw_reports WHERE NOT is_removed")}
    still = _rows(con, "SELECT ingested_at FROM raw.raw_reports WHERE source_file = 'b.txt'")[0][0]
    assert still == ingested_at["b.txt"]


def test_a_removed_file_that_comes_back_is_parsed_again(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    _refresh_staging(con, raw_dir)
    saved = (raw_dir / "b.txt").read_bytes()
    (raw_dir / "b.txt").unlink()
    _refresh_staging(con, raw_dir)
    (raw_dir / "b.txt").write_bytes(saved)
    result, parsed = _refresh_staging(con, raw_dir)
    assert parsed == ["b.txt"] and len(result.ingested) == 1
    assert _rows(con, "SELECT count(*) FROM raw.raw_reports WHERE is_removed") == [(0,)]


def test_parser_or_decoder_change_reparses_everything(
    con: duckdb.DuckDBPyConnection, raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _refresh_staging(con, raw_dir)
    monkeypatch.setattr(wh, "parser_fingerprint", lambda: "another parser version")
    _, parsed = _refresh_staging(con, raw_dir)
    assert parsed == ["a.txt", "b.txt", "c.pdf"]


def test_interrupted_parse_is_redone_next_time(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    wh.sync_raw_reports(con, scan_raw_dir(raw_dir))  # the staging step never ran (killed)
    _, parsed = _refresh_staging(con, raw_dir)
    assert parsed == ["a.txt", "b.txt", "c.pdf"]


def test_a_sync_stopped_half_way_keeps_its_batches_and_reads_only_the_rest(
    con: duckdb.DuckDBPyConnection, raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each batch of new files is committed on its own (memory stays flat at 100,000 files)."""
    decode = wh.decode_raw_files
    calls: list[int] = []

    def second_batch_dies(files: list, **kwargs: object) -> list:
        calls.append(len(files))
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")
        return decode(files, **kwargs)

    monkeypatch.setattr(wh, "decode_raw_files", second_batch_dies)
    files = scan_raw_dir(raw_dir)
    with pytest.raises(KeyboardInterrupt):
        wh.sync_raw_reports(con, files, batch_size=2)
    kept = _rows(con, "SELECT count(*) FROM raw.raw_reports")[0][0]
    assert kept == 2 and len(files) > 2
    calls.clear()
    result = wh.sync_raw_reports(con, scan_raw_dir(raw_dir), batch_size=2)
    assert len(result.unchanged) == 2 and sum(calls) == len(files) - 2
    assert _rows(con, "SELECT count(*) FROM raw.raw_reports")[0][0] == len(files)


def test_batches_give_the_same_tables_as_one_batch(tmp_path: Path, raw_dir: Path) -> None:
    tables = {}
    for size in (1, 1000):
        with wh.build_connection(tmp_path / f"b{size}" / "build.duckdb") as con:
            wh.sync_raw_reports(con, scan_raw_dir(raw_dir), batch_size=size)
            pending = wh.pending_report_ids(con)
            with wh.transaction(con):
                for batch in wh.batches(pending, size):
                    wh.replace_staging(con, parse_reports(wh.pending_inputs(con, batch)), batch)
            tables[size] = [
                _rows(con, "SELECT * EXCLUDE (ingested_at) FROM raw.raw_reports ORDER BY ALL"),
                _rows(con, "SELECT * FROM raw.raw_texts ORDER BY ALL"),
                _rows(con, "SELECT * FROM raw.report_headers ORDER BY ALL"),
            ]
            assert wh.pending_report_ids(con) == []
    assert tables[1] == tables[1000]


def test_staging_rows_are_written_with_schema_types(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    _refresh_staging(con, raw_dir)
    types = dict(
        _rows(
            con,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = 'money_facts'",
        )
    )
    assert types["amount_wan_yuan"] == "DECIMAL(20,6)"
    failure = _rows(con, "SELECT failure_reason FROM raw.raw_reports WHERE source_file = 'c.pdf'")
    assert failure[0][0].startswith("corrupt or unreadable PDF")


def test_corrupt_build_database_is_set_aside_and_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "build.duckdb"
    path.write_bytes(b"\x00garbage" * 1000)
    with wh.build_connection(path) as con:
        assert _rows(con, "SELECT count(*) FROM raw.raw_reports") == [(0,)]
    aside = [p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1, "the damaged file is kept for inspection, not deleted"


def test_an_error_that_is_not_corruption_keeps_the_build_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "build.duckdb"
    with wh.build_connection(path) as con:
        con.execute("INSERT INTO ops.refresh_log VALUES ('r1', now()::timestamp, 'raw', 1, 0)")
    real_connect = duckdb.connect

    def disk_full(*args: object, **kwargs: object) -> None:
        raise duckdb.IOException("IO Error: Could not write file: No space left on device")

    monkeypatch.setattr(wh.duckdb, "connect", disk_full)
    with pytest.raises(duckdb.IOException, match="No space left"):
        wh.connect_build(path, lock_timeout=0)
    monkeypatch.setattr(wh.duckdb, "connect", real_connect)
    assert [p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name] == []
    con = wh.connect_build(path)
    try:
        assert _rows(con, "SELECT run_id FROM ops.refresh_log") == [("r1",)]
    finally:
        con.close()


def test_refresh_log_survives_a_rebuilt_build_database(tmp_path: Path) -> None:
    build, warehouse = tmp_path / ".build" / "build.duckdb", tmp_path / "warehouse.duckdb"
    with wh.build_connection(build) as con:
        wh.record_refresh(con, "first", tmp_path)
    pub.publish(build, warehouse)
    build.write_bytes(b"\x00garbage" * 1000)
    with wh.build_connection(build) as con:
        wh.restore_refresh_log(con, pub.internal_path(warehouse))
        wh.record_refresh(con, "second", tmp_path)
        assert _rows(con, "SELECT run_id FROM ops.refresh_log ORDER BY refreshed_at") == [("first",), ("second",)]


def test_removed_records_are_compacted(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    name = sorted(p.name for p in raw_dir.iterdir())[0]
    original = (raw_dir / name).read_bytes()
    for round_ in range(3):
        (raw_dir / name).write_bytes(original + f"\n修订{round_}\n".encode())
        _refresh_staging(con, raw_dir)
    (raw_dir / name).unlink()
    _refresh_staging(con, raw_dir)
    removed = _rows(con, "SELECT count(*) FROM raw.raw_reports WHERE is_removed")[0][0]
    assert removed == 3
    wh.compact_removed(con)
    assert _rows(con, "SELECT source_file FROM raw.raw_reports WHERE is_removed") == [(name,)]
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=wh.KEEP_REMOVED_DAYS + 1)
    assert wh.compact_removed(con, later) == 1, "old enough records of removed files go too"
    assert _rows(con, "SELECT count(*) FROM raw.raw_reports WHERE is_removed") == [(0,)]


def test_build_database_held_by_a_live_process_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "build.duckdb"
    duckdb.connect(str(path)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(path)!r}); print(1, flush=True); sys.stdin.readline()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "1"
        with pytest.raises(wh.BuildDatabaseBusy):
            wh.connect_build(path, lock_timeout=1)
    finally:
        holder.communicate("\n", timeout=30)
    wh.connect_build(path, lock_timeout=1).close()


def test_refresh_lock_keeps_a_second_refresh_out(tmp_path: Path) -> None:
    waited: list[str] = []
    second = pub.RefreshLock(tmp_path, timeout=0, on_wait=waited.append)
    with pub.RefreshLock(tmp_path, timeout=0), pytest.raises(pub.RefreshBusy, match="another refresh"), second:
        pass
    assert len(waited) == 1, "the waiting refresh says so once"
    with pub.RefreshLock(tmp_path, timeout=0):
        pass


def _publish_version(build: Path, warehouse: Path, version: int) -> None:
    con = duckdb.connect(str(build))
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute("CREATE OR REPLACE TABLE marts.v AS SELECT ? AS version", [version])
    con.execute("COMMENT ON TABLE marts.v IS '版本 version'")
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE OR REPLACE TABLE raw.internal AS SELECT 1 AS x")
    pub.checkpoint_and_close(con)
    pub.publish(build, warehouse)


def _published_names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_publish_replaces_the_file_atomically_under_an_open_reader(tmp_path: Path) -> None:
    build, warehouse = tmp_path / ".build" / "build.duckdb", tmp_path / "warehouse.duckdb"
    build.parent.mkdir()
    _publish_version(build, warehouse, 1)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys\n"
            f"c = duckdb.connect({str(warehouse)!r}, read_only=True)\n"
            "q = 'SELECT version FROM marts.v'\n"
            "print(c.execute(q).fetchall()[0][0], flush=True)\n"
            "sys.stdin.readline()\n"
            "print(c.execute(q).fetchall()[0][0], flush=True)\n"
            "c.close()\n"
            f"c = duckdb.connect({str(warehouse)!r}, read_only=True)\n"
            "print(c.execute(q).fetchall()[0][0], flush=True)\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "1"
    started = time.monotonic()
    _publish_version(build, warehouse, 2)
    assert time.monotonic() - started < 10
    out, _ = reader.communicate("\n", timeout=60)
    assert out.split() == ["1", "2"], "old handle keeps the old file, a reconnect sees the new one"
    assert _published_names(tmp_path) == [".build", "warehouse.duckdb", "warehouse.duckdb.internal.duckdb"]


def test_published_file_holds_only_the_marts_with_comments(tmp_path: Path) -> None:
    build, warehouse = tmp_path / ".build" / "build.duckdb", tmp_path / "warehouse.duckdb"
    build.parent.mkdir()
    _publish_version(build, warehouse, 1)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute("SELECT schema_name, table_name, comment FROM duckdb_tables()").fetchall()
    finally:
        con.close()
    assert tables == [("marts", "v", "版本 version")]
    internal = duckdb.connect(str(pub.internal_path(warehouse)), read_only=True)
    try:
        assert internal.execute("SELECT x FROM raw.internal").fetchall() == [(1,)]
    finally:
        internal.close()


def test_failed_write_leaves_the_published_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build, warehouse = tmp_path / ".build" / "build.duckdb", tmp_path / "warehouse.duckdb"
    build.parent.mkdir()
    _publish_version(build, warehouse, 1)
    before = warehouse.read_bytes()

    def disk_full(path: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pub, "_fsync_file", disk_full)
    with pytest.raises(OSError, match="disk full"):
        _publish_version(build, warehouse, 2)
    assert warehouse.read_bytes() == before
    assert _published_names(tmp_path) == [".build", "warehouse.duckdb", "warehouse.duckdb.internal.duckdb"]


def test_stale_temp_files_of_dead_publishers_are_removed(tmp_path: Path) -> None:
    build, warehouse = tmp_path / ".build" / "build.duckdb", tmp_path / "warehouse.duckdb"
    build.parent.mkdir()
    (tmp_path / ".warehouse.duckdb.tmp-999999999").write_bytes(b"half a copy")
    _publish_version(build, warehouse, 1)
    assert _published_names(tmp_path) == [".build", "warehouse.duckdb", "warehouse.duckdb.internal.duckdb"]


def test_settings_flags_beat_environment(tmp_path: Path) -> None:
    env = {"GOVPERF_RAW_DIR": str(tmp_path / "env_raw"), "GOVPERF_WAREHOUSE": str(tmp_path / "env.duckdb")}
    from_env = Settings.resolve(env=env)
    assert from_env.raw_dir == tmp_path / "env_raw" and from_env.warehouse == tmp_path / "env.duckdb"
    assert from_env.build_db == tmp_path / ".build" / "env.duckdb" / "build.duckdb"
    flags = Settings.resolve(raw_dir=tmp_path / "r", warehouse=tmp_path / "w" / "x.duckdb", env=env)
    assert flags.raw_dir == tmp_path / "r" and flags.warehouse == tmp_path / "w" / "x.duckdb"
    assert flags.build_db == tmp_path / "w" / ".build" / "x.duckdb" / "build.duckdb"
    defaults = Settings.resolve(env={"GOVPERF_MAX_FILE_MB": "1"})
    assert defaults.raw_dir == Path("data/raw").resolve()
    assert defaults.warehouse == Path("data/warehouse.duckdb").resolve()
    assert defaults.max_file_bytes == 1024 * 1024


def test_two_warehouses_in_one_directory_keep_their_own_build_state(tmp_path: Path) -> None:
    first = Settings.resolve(warehouse=tmp_path / "a.duckdb", env={})
    second = Settings.resolve(warehouse=tmp_path / "b.duckdb", env={})
    assert first.build_dir != second.build_dir
    assert first.quality_dir != second.quality_dir


@pytest.mark.parametrize("value", ["abc", "nan", "inf", "-1", "0"])
def test_a_bad_file_size_limit_is_refused_with_its_value(value: str) -> None:
    with pytest.raises(SettingError, match="GOVPERF_MAX_FILE_MB"):
        Settings.resolve(env={"GOVPERF_MAX_FILE_MB": value})


def test_document_spans_survive_the_build_database(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    from fixtures import documents as F

    raw = tmp_path / "docs"
    raw.mkdir()
    (raw / "r.pdf").write_bytes(F.text_pdf(REPORT))
    (raw / "r.docx").write_bytes(F.docx_file(REPORT + "乙"))
    _refresh_staging(con, raw)
    rows = _rows(con, "SELECT r.source_file, m.source_page, m.source_locator FROM raw.money_facts m "
                      "JOIN raw.raw_reports r USING (report_id) ORDER BY r.source_file")
    assert [(name, page) for name, page, _ in rows] == [("r.docx", None), ("r.pdf", "1")]
    assert rows[0][2].startswith("para ") and rows[1][2].startswith("bbox(")


def test_build_connections_bound_duckdb_memory(tmp_path: Path) -> None:
    """DuckDB's buffer pool would otherwise keep every block a refresh writes (80 % of RAM)."""
    con = wh.connect_build(tmp_path / "build.duckdb")
    try:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        default = duckdb.connect().execute("SELECT current_setting('memory_limit')").fetchone()[0]
    finally:
        con.close()
    assert limit != default and limit.startswith("488")  # 512 MB, shown in MiB
