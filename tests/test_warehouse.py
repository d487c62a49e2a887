"""The build database (incremental ingest, recovery) and the atomic publish, without dbt."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import ingest.warehouse as wh
from ingest.parse import parse_reports
from ingest.raw import scan_raw_dir

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

    def no_decoding(raw):
        raise AssertionError(f"{raw.source_file} decoded again")

    monkeypatch.setattr(wh, "decode_raw_file", no_decoding)
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
    monkeypatch.setattr(wh, "code_fingerprint", lambda: "another parser version")
    _, parsed = _refresh_staging(con, raw_dir)
    assert parsed == ["a.txt", "b.txt", "c.pdf"]


def test_interrupted_parse_is_redone_next_time(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    wh.sync_raw_reports(con, scan_raw_dir(raw_dir))  # the staging step never ran (killed)
    _, parsed = _refresh_staging(con, raw_dir)
    assert parsed == ["a.txt", "b.txt", "c.pdf"]


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


def test_corrupt_build_database_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "build.duckdb"
    path.write_bytes(b"\x00garbage" * 1000)
    with wh.build_connection(path) as con:
        assert _rows(con, "SELECT count(*) FROM raw.raw_reports") == [(0,)]


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
    first = wh.RefreshLock(tmp_path, timeout=0)
    with pytest.raises(wh.BuildDatabaseBusy, match="another refresh"):
        wh.RefreshLock(tmp_path, timeout=0)
    first.release()
    wh.RefreshLock(tmp_path, timeout=0).release()


def _publish_version(build: Path, warehouse: Path, version: int) -> None:
    con = duckdb.connect(str(build))
    con.execute("CREATE OR REPLACE TABLE v AS SELECT ? AS version", [version])
    wh.checkpoint_and_close(con)
    wh.publish(build, warehouse)


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
            "q = 'SELECT version FROM v'\n"
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
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".warehouse")] == []


def test_failed_copy_leaves_the_published_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build, warehouse = tmp_path / ".build" / "build.duckdb", tmp_path / "warehouse.duckdb"
    build.parent.mkdir()
    _publish_version(build, warehouse, 1)
    before = warehouse.read_bytes()

    def broken_copy(src, dst, length=0):
        dst.write(src.read(4096))
        raise OSError("disk full")

    monkeypatch.setattr(shutil, "copyfileobj", broken_copy)
    with pytest.raises(OSError, match="disk full"):
        _publish_version(build, warehouse, 2)
    assert warehouse.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".build", "warehouse.duckdb"]


def test_stale_temp_files_of_dead_publishers_are_removed(tmp_path: Path) -> None:
    build, warehouse = tmp_path / ".build" / "build.duckdb", tmp_path / "warehouse.duckdb"
    build.parent.mkdir()
    (tmp_path / ".warehouse.duckdb.tmp-999999999").write_bytes(b"half a copy")
    _publish_version(build, warehouse, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".build", "warehouse.duckdb"]


def test_settings_flags_beat_environment(tmp_path: Path) -> None:
    env = {"GOVPERF_RAW_DIR": str(tmp_path / "env_raw"), "GOVPERF_WAREHOUSE": str(tmp_path / "env.duckdb")}
    from_env = wh.Settings.resolve(env=env)
    assert from_env.raw_dir == tmp_path / "env_raw" and from_env.warehouse == tmp_path / "env.duckdb"
    assert from_env.build_db == tmp_path / ".build" / "build.duckdb"
    flags = wh.Settings.resolve(raw_dir=tmp_path / "r", warehouse=tmp_path / "w" / "x.duckdb", env=env)
    assert flags.raw_dir == tmp_path / "r" and flags.warehouse == tmp_path / "w" / "x.duckdb"
    assert flags.build_db == tmp_path / "w" / ".build" / "build.duckdb"
    defaults = wh.Settings.resolve(env={"GOVPERF_MAX_FILE_MB": "1"})
    assert defaults.raw_dir == Path("data/raw").resolve()
    assert defaults.warehouse == Path("data/warehouse.duckdb").resolve()
    assert defaults.max_file_bytes == 1024 * 1024


def test_document_spans_survive_the_build_database(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    from tests import document_fixtures as F

    raw = tmp_path / "docs"
    raw.mkdir()
    (raw / "r.pdf").write_bytes(F.text_pdf(REPORT))
    (raw / "r.docx").write_bytes(F.docx_file(REPORT + "乙"))
    _refresh_staging(con, raw)
    rows = _rows(con, "SELECT r.source_file, m.source_page, m.source_locator FROM raw.money_facts m "
                      "JOIN raw.raw_reports r USING (report_id) ORDER BY r.source_file")
    assert [(name, page) for name, page, _ in rows] == [("r.docx", None), ("r.pdf", "1")]
    assert rows[0][2].startswith("para ") and rows[1][2].startswith("bbox(")
