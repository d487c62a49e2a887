"""Hostile state and settings: every change is seen, damaged build state recovers, the published pair
stays one refresh's, bad settings are refused before any work, waits name who holds what."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import textwrap
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import duckdb
import pytest

import dagster_project.warehouse.build_db as wh
import dagster_project.warehouse.publish as pub
from dagster_project.cli.main import main
from dagster_project.warehouse import changes
from dagster_project.warehouse.settings import SettingError, Settings, check_storage_version, is_valid_cron
from ingest.documents.decode import decode_bytes
from ingest.documents.read import read_document

# ------------------------------------------------------------------ change detection


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("报告甲:全年预算数为100万元", encoding="utf-8")
    (raw / "b.txt").write_text("报告乙", encoding="utf-8")
    return Settings.resolve(raw_dir=raw, warehouse=tmp_path / "w.duckdb", env={})


def _publish(settings: Settings) -> None:
    for path in (settings.warehouse, pub.internal_path(settings.warehouse)):
        path.unlink(missing_ok=True)
        duckdb.connect(str(path)).close()
    changes.write_pending_cursor(settings, changes.current_cursor(settings))
    changes.commit_pending_cursor(settings)


def _age(settings: Settings, seconds: int = 3) -> None:
    """Pretend the cursor's hashes were taken ``seconds`` later than they were (past the racy window)."""
    cursor = changes.read_cursor(settings)
    assert cursor is not None
    for state in cursor.files.values():
        state[6] += seconds * 1_000_000_000
    changes._write(changes.cursor_path(settings), cursor)


def _same_size_edit(path: Path) -> None:
    """Change one byte, keep the size, put the mtime back to the nanosecond."""
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_a_same_size_edit_with_its_mtime_restored_is_a_change(settings: Settings) -> None:
    _publish(settings)
    _age(settings)
    assert changes.nothing_changed(settings)[0] is True
    _same_size_edit(settings.raw_dir / "a.txt")
    assert changes.nothing_changed(settings)[0] is False


@pytest.mark.parametrize("mtime_ns", [4_102_444_800 * 10**9, 0], ids=["2100", "0"])
def test_a_same_size_edit_is_seen_whatever_the_mtime(settings: Settings, mtime_ns: int) -> None:
    path = settings.raw_dir / "a.txt"
    os.utime(path, ns=(mtime_ns, mtime_ns))
    _publish(settings)
    _age(settings)
    _same_size_edit(path)
    assert changes.nothing_changed(settings)[0] is False


def test_a_file_stamped_in_the_future_is_hashed_on_every_look(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    future = 4_102_444_800 * 10**9
    os.utime(settings.raw_dir / "a.txt", ns=(future, future))
    _publish(settings)
    _age(settings)
    hashed: list[str] = []
    sha256 = changes._sha256
    monkeypatch.setattr(changes, "_sha256", lambda path: hashed.append(os.path.basename(path)) or sha256(path))
    assert changes.nothing_changed(settings)[0] is True
    assert hashed == ["a.txt"], "only the file with an untrustworthy mtime is read again"


def test_a_file_changed_within_the_tick_of_its_hash_is_hashed_again(settings: Settings) -> None:
    _publish(settings)  # the files were written just now: their hashes are too close to their mtimes
    _same_size_edit(settings.raw_dir / "b.txt")
    assert changes.nothing_changed(settings)[0] is False


def test_verify_hashes_every_file(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    _publish(settings)
    _age(settings)
    hashed: list[str] = []
    sha256 = changes._sha256
    monkeypatch.setattr(changes, "_sha256", lambda path: hashed.append(os.path.basename(path)) or sha256(path))
    assert changes.nothing_changed(settings)[0] is True and hashed == []
    assert changes.nothing_changed(settings, verify=True)[0] is True
    assert sorted(hashed) == ["a.txt", "b.txt"]


def test_a_damaged_published_file_is_a_change(settings: Settings) -> None:
    _publish(settings)
    _age(settings)
    internal = pub.internal_path(settings.warehouse)
    internal.write_bytes(b"\x00" * 8192 + internal.read_bytes()[8192:])
    assert changes.nothing_changed(settings)[0] is False


# ------------------------------------------------------------------ damaged build state


def _damage(path: Path, form: str) -> None:
    if form == "directory":
        path.unlink(missing_ok=True)
        path.mkdir()
        (path / "inside").write_text("x")
    elif form == "header":
        path.write_bytes(os.urandom(8192) + path.read_bytes()[8192:])
    elif form == "wal directory":
        path.with_name(path.name + ".wal").mkdir()
    elif form == "build dir a file":
        for item in path.parent.iterdir():
            item.unlink()
        path.parent.rmdir()
        path.parent.write_text("not a directory")


@pytest.mark.parametrize("form", ["directory", "header", "wal directory", "build dir a file"])
def test_damaged_build_state_is_set_aside_and_rebuilt(tmp_path: Path, form: str) -> None:
    path = tmp_path / ".build" / "build.duckdb"
    with wh.build_connection(path) as con:
        con.execute("INSERT INTO ops.refresh_log VALUES ('r1', now()::timestamp, 'raw', 1, 0)")
    _damage(path, form)
    with wh.build_connection(path) as con:
        assert con.execute("SELECT count(*) FROM raw.raw_reports").fetchall() == [(0,)]
    aside = [p.name for p in (tmp_path / ".build").iterdir() if ".corrupt-" in p.name] + [
        p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert aside, "the damaged state is kept for inspection, not deleted"


def test_a_damaged_internal_file_does_not_stop_the_refresh_log_restore(tmp_path: Path) -> None:
    internal = tmp_path / "w.duckdb.internal.duckdb"
    internal.write_bytes(b"\x00garbage" * 2000)
    with wh.build_connection(tmp_path / "build.duckdb") as con:
        wh.restore_refresh_log(con, internal)
        assert con.execute("SELECT count(*) FROM ops.refresh_log").fetchall() == [(0,)]


# ------------------------------------------------------------------ the published pair


def _build(build: Path, run_id: str, version: int) -> None:
    build.parent.mkdir(parents=True, exist_ok=True)
    with wh.build_connection(build) as con:
        wh.record_refresh(con, run_id, build.parent)
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        con.execute("CREATE OR REPLACE TABLE marts.v AS SELECT ? AS version", [version])
        con.execute("CHECKPOINT")


def _versions(warehouse: Path) -> tuple[int, str | None]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        marts = con.execute("SELECT version FROM marts.v").fetchall()[0][0]
    finally:
        con.close()
    return marts, pub.generation(pub.published_pair(warehouse))


_KILL_AT_REPLACE = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import dagster_project.warehouse.publish as pub
    target, calls = sys.argv[3], []
    real = os.replace
    def replace(src, dst):
        calls.append(dst)
        if os.path.basename(os.fspath(dst)) == target:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(src, dst)
    pub.os.replace = replace
    pub.publish(Path(sys.argv[1]), Path(sys.argv[2]))
""")


@pytest.mark.parametrize("moment", ["internal", "warehouse"])
def test_kill_9_at_the_replace_leaves_a_pair_of_one_refresh(tmp_path: Path, moment: str) -> None:
    build, warehouse = tmp_path / ".build" / "build.duckdb", tmp_path / "w.duckdb"
    _build(build, "run-1", 1)
    pub.publish(build, warehouse)
    _build(build, "run-2", 2)
    target = pub.internal_path(warehouse).name if moment == "internal" else warehouse.name
    killed = subprocess.run([sys.executable, "-c", _KILL_AT_REPLACE, str(build), str(warehouse), target],
                            cwd=Path(__file__).resolve().parents[1], check=False)
    assert killed.returncode == -signal.SIGKILL
    assert _versions(warehouse) == (1, "run-1"), "the old marts are read with the old internals"
    pub.publish(build, warehouse)
    assert _versions(warehouse) == (2, "run-2")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".build", "w.duckdb", "w.duckdb.internal.duckdb"]


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_status_explains_a_damaged_internal_file_in_one_line(tmp_path: Path) -> None:
    build, warehouse = tmp_path / ".build" / "build.duckdb", tmp_path / "w.duckdb"
    _build(build, "run-1", 1)
    pub.publish(build, warehouse)
    internal = pub.internal_path(warehouse)
    internal.write_bytes(os.urandom(8192) + internal.read_bytes()[8192:])
    code, out, err = _cli("status", "--warehouse", str(warehouse))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "damaged" in err and "govperf refresh --force" in err and "Traceback" not in err


# ------------------------------------------------------------------ settings


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"GOVPERF_REFRESH_CRON": "not a cron"}, "GOVPERF_REFRESH_CRON"),
        ({"GOVPERF_REFRESH_CRON": "61 6 * * *"}, "GOVPERF_REFRESH_CRON"),
        ({"GOVPERF_SENSOR_INTERVAL": "-1"}, "GOVPERF_SENSOR_INTERVAL"),
        ({"GOVPERF_SENSOR_INTERVAL": "1.5"}, "GOVPERF_SENSOR_INTERVAL"),
        ({"GOVPERF_MAX_FILE_MB": ""}, "GOVPERF_MAX_FILE_MB"),
        ({"GOVPERF_RAW_DIR": " "}, "GOVPERF_RAW_DIR"),
        ({"GOVPERF_STORAGE_VERSION": ""}, "GOVPERF_STORAGE_VERSION"),
        ({"GOVPERF_LOCK_WAIT_SECONDS": "0"}, "GOVPERF_LOCK_WAIT_SECONDS"),
    ],
)
def test_a_bad_setting_is_refused_with_its_name(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingError, match=named):
        Settings.resolve(env=env)


def test_a_storage_version_duckdb_cannot_write_is_refused() -> None:
    check_storage_version("v1.0.0")
    with pytest.raises(SettingError, match=re.escape("GOVPERF_STORAGE_VERSION='v9.9.9'")):
        check_storage_version("v9.9.9")


CRONS = ["0 6 * * *", "*/15 * * * *", "0 6 * * mon-fri", "0 0 1 jan *", "5,35 8-18/2 * * 1-5", "@daily",
         "not a cron", "61 6 * * *", "0 6 * *", "0 6 * * * *", "0 6 30 2 *", "0 6 * * 8", "*/0 * * * *", ""]


def test_the_cron_check_agrees_with_dagster() -> None:
    from dagster._utils.schedules import is_valid_cron_string

    assert {c: is_valid_cron(c) for c in CRONS} == {c: is_valid_cron_string(c) for c in CRONS}


def _refresh_exit(tmp_path: Path, env: dict[str, str], *argv: str) -> tuple[int, str]:
    """``govperf refresh`` in a subprocess (settings come from its environment); exit code and stderr."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GOVPERF_")}
    done = subprocess.run([sys.executable, "-m", "dagster_project.cli.main", "refresh", *argv],
                          env={**clean, **env}, capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[1], check=False)
    return done.returncode, done.stderr


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    directory = tmp_path / "raw"
    directory.mkdir()
    report = "2023年度某市财政局部门整体支出绩效自评报告\n全年预算数为100万元。"
    (directory / "r.txt").write_text(report, encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("env", "flags", "said"),
    [
        ({"GOVPERF_STORAGE_VERSION": "v9.9.9"}, [], "GOVPERF_STORAGE_VERSION='v9.9.9'"),
        ({"GOVPERF_REFRESH_CRON": "not a cron"}, [], "GOVPERF_REFRESH_CRON='not a cron'"),
        ({"GOVPERF_SENSOR_INTERVAL": "-1"}, [], "GOVPERF_SENSOR_INTERVAL"),
        ({"GOVPERF_MAX_FILE_MB": ""}, [], "GOVPERF_MAX_FILE_MB is set but empty"),
        ({}, ["--warehouse", "{tmp}"], "is a directory"),
        ({}, ["--warehouse", "/proc/govperf/w.duckdb"], "not a writable directory"),
        ({}, ["--warehouse", "{raw}/w.duckdb"], "would read its own output"),
        ({}, ["--raw-dir", "{tmp}", "--warehouse", "{tmp}/w.duckdb"], "would read its own output"),
    ],
)
def test_bad_settings_exit_2_with_one_line_before_any_work(
    tmp_path: Path, raw: Path, env: dict[str, str], flags: list[str], said: str
) -> None:
    argv = [f.format(tmp=tmp_path, raw=raw) for f in flags]
    if "--raw-dir" not in argv:
        argv += ["--raw-dir", str(raw)]
    if "--warehouse" not in argv:
        argv += ["--warehouse", str(tmp_path / "out" / "w.duckdb")]
    code, err = _refresh_exit(tmp_path, env, *argv)
    assert code == 2, err
    assert err.count("\n") == 1 and said in err and "Traceback" not in err
    assert not (tmp_path / "out" / ".build").exists() and not list(tmp_path.rglob("build.duckdb")), "no work done"


# ------------------------------------------------------------------ waits name the holder


def _holder(code: str, where: Path) -> subprocess.Popen:
    """A process running ``code`` from ``where/holder.py`` until its stdin gets a line."""
    (where / "holder.py").write_text(code, encoding="utf-8")
    holder = subprocess.Popen([sys.executable, str(where / "holder.py")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


def test_a_refresh_waiting_on_the_lock_says_who_holds_it_and_gives_up(tmp_path: Path) -> None:
    holder = _holder(
        "import sys; from pathlib import Path; from dagster_project.warehouse.publish import RefreshLock\n"
        f"with RefreshLock(Path({str(tmp_path)!r}), 0):\n"
        "    print('ready', flush=True); sys.stdin.readline()\n", tmp_path)
    said: list[str] = []
    try:
        with pytest.raises(pub.RefreshBusy) as busy, pub.RefreshLock(tmp_path, 0.5, on_wait=said.append):
            pass
    finally:
        holder.communicate("\n", timeout=60)
    (waiting,) = said
    for text in (waiting, str(busy.value)):
        assert f"pid {holder.pid}" in text and "holder.py" in text and "since" in text
    assert "gave up after 0.5 s" in str(busy.value) and "GOVPERF_LOCK_WAIT_SECONDS" in str(busy.value)


def test_a_writer_holding_the_build_database_is_named_and_waited_for_a_bounded_time(tmp_path: Path) -> None:
    path = tmp_path / "build.duckdb"
    duckdb.connect(str(path)).close()
    holder = _holder(f"import duckdb, sys; c = duckdb.connect({str(path)!r}); print('ready', flush=True); "
                     "sys.stdin.readline()", tmp_path)
    said: list[str] = []
    try:
        with pytest.raises(wh.BuildDatabaseBusy) as busy:
            wh.connect_build(path, lock_timeout=1, on_wait=said.append)
    finally:
        holder.communicate("\n", timeout=60)
    (waiting,) = said
    for text in (waiting, str(busy.value)):
        assert f"pid {holder.pid}" in text and "holder.py" in text and "running since" in text
    assert "gave up after 1 s" in str(busy.value)


# ------------------------------------------------------------------ small cases


TRADITIONAL = ("2023年度某市財政局部門整體支出績效自評報告\n一、部門基本情況\n全年預算數為120.5萬元，"
               "實際支出114.3萬元，預算執行率為94.85%。\n二、績效自評結論\n經自評，整體支出績效自評得分為92分，"
               "評價等級為優。\n")


def test_big5_text_is_read_as_big5() -> None:
    decoded = decode_bytes(TRADITIONAL.encode("big5"))
    assert (decoded.text, decoded.encoding) == (TRADITIONAL, "big5hkscs")


def test_traditional_text_in_gb18030_stays_gb18030() -> None:
    decoded = decode_bytes(TRADITIONAL.encode("gb18030"))
    assert (decoded.text, decoded.encoding) == (TRADITIONAL, "gb18030")


def _nested(depth: int) -> bytes:
    return ("<html><body>" + "<div>" * depth + "<p>2023年度某市财政局部门整体支出绩效自评报告</p>" + "</div>" * depth
            + "</body></html>").encode()


def test_deeply_nested_html_is_read_up_to_the_cap_and_refused_past_it() -> None:
    assert read_document(_nested(900), ".html").text == "2023年度某市财政局部门整体支出绩效自评报告"
    refused = read_document(_nested(100_000), ".html")
    assert refused.text is None and "nests its elements more than 1000 deep" in (refused.error or "")


def test_a_docx_whose_xml_inflates_past_its_cap_fails_on_the_cap() -> None:
    from fixtures.documents import docx_file

    source = zipfile.ZipFile(io.BytesIO(docx_file("2023年度某市财政局部门整体支出绩效自评报告")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * (70 * 1024 * 1024 // 6))
            bomb.writestr(info.filename, data)
    decoded = read_document(out.getvalue(), ".docx")
    assert decoded.text is None and "DOCX its XML inflates to more than 64 MB" in (decoded.error or "")
