"""The adversarial sweep as the project's own regression suite: generated hostile inputs, injected
faults and bad settings against real refreshes through the ``govperf`` CLI.

One working directory, in order: a refresh of a raw dir of hostile inputs (2 MB bodies that make a
backtracking pattern blow up, nesting, Big5, a DOCX XML bomb, symlinks); a same-size edit with its mtime put back; the
build database replaced by a directory and the sidecar's header overwritten; a refresh that finds the
lock held; the raw dir pointed at the warehouse; and, where a small filesystem can be mounted, a full
disk.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from dagster_project.warehouse.publish import internal_path
from tests.conftest import REPO_ROOT, SAMPLE_RAW_DIR

pytestmark = pytest.mark.slow

SAMPLE = sorted(SAMPLE_RAW_DIR.iterdir())[0]
TRADITIONAL = ("2023年度某市財政局部門整體支出績效自評報告\n一、部門基本情況\n全年預算數為120.5萬元，"
               "實際支出114.3萬元，預算執行率為94.85%。\n二、績效自評結論\n經自評，整體支出績效自評得分為92分，"
               "評價等級為優。\n")


@dataclasses.dataclass
class Sweep:
    root: Path
    raw: Path
    warehouse: Path


def _govperf(sweep: Sweep, *argv: str, env: dict[str, str] | None = None,
             timeout: float = 1800) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GOVPERF_")}
    return subprocess.run([sys.executable, "-m", "dagster_project.cli.main", *argv], cwd=REPO_ROOT,
                          env={**clean, **(env or {})}, capture_output=True, text=True, timeout=timeout, check=False)


def _refresh(sweep: Sweep, *flags: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return _govperf(sweep, "refresh", "--raw-dir", str(sweep.raw), "--warehouse", str(sweep.warehouse), *flags,
                    env=env)


def _reports(sweep: Sweep) -> dict[str, tuple[str, str | None]]:
    con = duckdb.connect(str(sweep.warehouse), read_only=True)
    try:
        rows = con.execute("SELECT source_file, parse_status, status_reason FROM marts.fct_report").fetchall()
    finally:
        con.close()
    return {name: (status, reason) for name, status, reason in rows}


def _docx_bomb() -> bytes:
    from fixtures.documents import docx_file

    source = zipfile.ZipFile(io.BytesIO(docx_file("2023年度某市财政局部门整体支出绩效自评报告")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * (150 * 1024 * 1024 // 6))
            bomb.writestr(info.filename, data)
    return out.getvalue()


def _hostile_inputs(raw: Path, outside: Path) -> dict[str, tuple[set[str], str]]:
    """Write the sweep's input categories; what fct_report should say for each."""
    title = "2023年度某市财政局部门整体支出绩效自评报告\n一、部门基本情况\n"
    bodies = {"digits": "1", "numbers in a row": "1 ", "commas": ",1", "spaces": " \t", "numerals": "二七",
              "wordings and numbers": "执行率1"}
    expected: dict[str, tuple[set[str], str]] = {}
    for name, piece in bodies.items():
        (raw / f"{name}.txt").write_text(title + piece * (2_000_000 // len(piece.encode())), encoding="utf-8")
        expected[f"{name}.txt"] = ({"ok", "partial", "failed"}, "")
    expected["numbers in a row.txt"] = ({"failed"}, "table cells and numbers, over the 50000")
    nested = "<html><body>" + "<div>" * 100_000 + "<p>绩效自评报告</p>" + "</div>" * 100_000 + "</body></html>"
    (raw / "nested.html").write_text(nested, encoding="utf-8")
    expected["nested.html"] = ({"failed"}, "nests its elements more than 1000 deep")
    (raw / "traditional.txt").write_bytes(TRADITIONAL.encode("big5"))
    expected["traditional.txt"] = ({"ok", "partial"}, "")
    (raw / "bomb.docx").write_bytes(_docx_bomb())
    expected["bomb.docx"] = ({"failed"}, "XML inflates to more than 64 MB")
    shutil.copy(SAMPLE, raw / "real.txt")
    (raw / "a link.txt").symlink_to(raw / "real.txt")
    expected["real.txt"] = ({"ok", "partial"}, "")
    expected["a link.txt"] = ({"failed"}, "duplicate of real.txt")
    (outside / "elsewhere").mkdir()
    (raw / "dir outside").symlink_to(outside / "elsewhere")
    expected["dir outside"] = ({"failed"}, "symlink to a directory outside the raw dir")
    return expected


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Sweep:
    root = tmp_path_factory.mktemp("sweep")
    (root / "raw").mkdir()
    return Sweep(root, root / "raw", root / "wh" / "warehouse.duckdb")


@pytest.fixture(scope="module")
def first(sweep: Sweep) -> dict[str, object]:
    expected = _hostile_inputs(sweep.raw, sweep.root)
    started = time.monotonic()
    done = _refresh(sweep)
    return {"done": done, "expected": expected, "seconds": time.monotonic() - started}


def test_every_hostile_input_ends_in_the_warehouse_with_its_reason(sweep: Sweep, first: dict) -> None:
    done = first["done"]
    assert done.returncode == 0, done.stderr
    reports = _reports(sweep)
    for name, (statuses, reason) in first["expected"].items():
        status, said = reports[name]
        assert status in statuses and reason in (said or ""), (name, status, said)
    assert "Traceback" not in done.stderr


def test_a_same_size_edit_with_its_mtime_restored_reaches_the_warehouse(sweep: Sweep, first: dict) -> None:
    path = sweep.raw / "traditional.txt"
    before = path.stat()
    time.sleep(2.5)  # past the window in which a change could hide in the tick of its hash
    path.write_bytes(TRADITIONAL.replace("120.5", "980.5").encode("big5"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    done = _refresh(sweep)
    assert done.returncode == 0 and "nothing changed" not in done.stdout, done.stdout + done.stderr
    con = duckdb.connect(str(sweep.warehouse), read_only=True)
    try:
        texts = con.execute("SELECT source_text FROM marts.fct_budget b JOIN marts.fct_report r USING (report_id) "
                            "WHERE r.source_file = 'traditional.txt'").fetchall()
    finally:
        con.close()
    assert not texts or any("980.5" in t for (t,) in texts)
    again = _refresh(sweep, "--verify")
    assert again.returncode == 0 and "nothing changed since the last refresh (every file hashed)" in again.stdout


def test_damaged_build_state_and_sidecar_recover_by_themselves(sweep: Sweep, first: dict) -> None:
    build = sweep.warehouse.parent / ".build" / sweep.warehouse.name / "build.duckdb"
    build.unlink()
    build.mkdir()
    sidecar = internal_path(sweep.warehouse)
    sidecar.write_bytes(os.urandom(8192) + sidecar.read_bytes()[8192:])
    status = _govperf(sweep, "status", "--warehouse", str(sweep.warehouse))
    assert status.returncode == 1 and status.stderr.count("\n") == 1 and "damaged" in status.stderr
    done = _refresh(sweep)
    assert done.returncode == 0, done.stderr
    assert any(".corrupt-" in p.name for p in build.parent.iterdir())
    status = _govperf(sweep, "status", "--warehouse", str(sweep.warehouse))
    assert status.returncode == 0 and "reports by status" in status.stdout


def test_a_refresh_finding_the_lock_held_names_the_holder_and_gives_up(sweep: Sweep, first: dict) -> None:
    build_dir = sweep.warehouse.parent / ".build" / sweep.warehouse.name
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; from dagster_project.warehouse.publish import "
         f"RefreshLock\nwith RefreshLock(Path({str(build_dir)!r}), 0):\n    print('ready', flush=True); "
         "sys.stdin.readline()\n"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        (sweep.raw / "new.txt").write_text(SAMPLE.read_text(encoding="utf-8") + "\n新增\n", encoding="utf-8")
        done = _refresh(sweep, env={"GOVPERF_LOCK_WAIT_SECONDS": "2"})
    finally:
        holder.communicate("\n", timeout=60)
    assert done.returncode == 1
    assert f"pid {holder.pid}" in done.stderr and "gave up after 2 s" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_raw_dir_holding_the_warehouse_is_refused_before_any_work(sweep: Sweep, first: dict) -> None:
    done = _govperf(sweep, "refresh", "--raw-dir", str(sweep.warehouse.parent), "--warehouse", str(sweep.warehouse))
    assert done.returncode == 2 and "would read its own output" in done.stderr and done.stderr.count("\n") == 1


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 64 MB tmpfs (root only; skipped elsewhere)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)],
                                           capture_output=True, check=False).returncode:
        pytest.skip("mounting a small filesystem needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_one_line_exit_1_and_nothing_published(tmp_path: Path, small_disk: Path) -> None:
    sweep = Sweep(tmp_path, tmp_path / "raw", small_disk / "warehouse.duckdb")
    shutil.copytree(SAMPLE_RAW_DIR, sweep.raw)
    assert _refresh(sweep).returncode == 0
    published = sweep.warehouse.read_bytes()
    free = os.statvfs(small_disk)
    (small_disk / "filler").write_bytes(b"\0" * (free.f_bavail * free.f_frsize - 256 * 1024))
    (sweep.raw / "new.txt").write_text(SAMPLE.read_text(encoding="utf-8") + "\n新增\n", encoding="utf-8")
    done = _refresh(sweep)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("govperf:")]
    assert len(errors) == 1 and "disk full, nothing was published" in errors[0]
    assert sweep.warehouse.read_bytes() == published
