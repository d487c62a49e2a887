"""The engine setting: ``local`` (default) or ``ray`` with a cluster address, refused before any work
when wrong; a local refresh imports no Ray. The cluster itself is exercised in test_ray_cluster."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project.cli.main import main
from dagster_project.warehouse.settings import SettingError, Settings, engine_setting
from fixtures import formats
from fixtures.forms import make_form
from ingest.files.raw import scan_raw_dir
from ingest.runtime.limits import max_scan_bytes
from ingest.runtime.pool import Limits, Remote, run_limited, using_engine
from ingest.runtime.ray_engine import MAX_PER_TASK, per_task, unreachable
from tests.conftest import REPO_ROOT, SAMPLE_RAW_DIR
from tests.test_pool import behave


def test_local_is_the_default_and_flags_beat_the_environment():
    assert engine_setting(None, None, {}) == ("local", None)
    env = {"GOVPERF_ENGINE": "ray", "GOVPERF_RAY_ADDRESS": "10.0.0.5:6379"}
    assert engine_setting(None, None, env) == ("ray", "10.0.0.5:6379")
    assert engine_setting("local", None, env) == ("local", None)
    assert engine_setting(None, "head.example:7000", env) == ("ray", "head.example:7000")
    assert engine_setting("ray", "ray://[::1]:10001", {}) == ("ray", "ray://[::1]:10001")
    settings = Settings.resolve(env=env)
    assert (settings.engine, settings.ray_address) == ("ray", "10.0.0.5:6379")


@pytest.mark.parametrize(
    ("engine", "address", "env", "message"),
    [
        (None, None, {"GOVPERF_ENGINE": "spark"}, "GOVPERF_ENGINE='spark' is not an engine"),
        ("ray", None, {}, "needs the cluster's address"),
        ("ray", "10.0.0.5", {}, "is not a Ray address"),
        ("ray", "10.0.0.5:99999", {}, "is not a Ray address"),
        ("ray", "http://10.0.0.5:6379", {}, "is not a Ray address"),
        (None, None, {"GOVPERF_ENGINE": "ray", "GOVPERF_RAY_ADDRESS": "head:port"}, "GOVPERF_RAY_ADDRESS='head:port'"),
        ("local", "10.0.0.5:6379", {}, "--ray-address is used only with --engine ray"),
    ],
)
def test_bad_engine_settings_are_refused(engine, address, env, message):
    with pytest.raises(SettingError, match=message.replace("(", r"\(").replace("[", r"\[")):
        engine_setting(engine, address, env)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_cli_refuses_a_bad_engine_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    warehouse = tmp_path / "w" / "warehouse.duckdb"
    args = ["refresh", "--raw-dir", str(SAMPLE_RAW_DIR), "--warehouse", str(warehouse)]
    assert main([*args, "--engine", "ray"]) == 2
    assert "needs the cluster's address" in capsys.readouterr().err
    port = _closed_port()
    assert main([*args, "--engine", "ray", "--ray-address", f"127.0.0.1:{port}"]) == 2
    assert f"no Ray cluster answers at 127.0.0.1:{port}" in capsys.readouterr().err
    assert not warehouse.parent.exists()  # nothing was built


def test_unreachable_says_why_and_accepts_a_listening_port():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert unreachable(f"127.0.0.1:{server.getsockname()[1]}") is None
        assert unreachable(f"ray://127.0.0.1:{server.getsockname()[1]}") is None
    assert unreachable(f"127.0.0.1:{_closed_port()}").startswith("no Ray cluster answers")


def test_items_are_shared_out_in_tasks_of_a_bounded_size():
    assert per_task(1, 2) == 1
    assert per_task(80, 2) == 10
    assert per_task(100_000, 2) == MAX_PER_TASK
    assert per_task(5, 0) == 2


class _Recorder:
    """An engine that runs items here and records what it was asked."""

    name = "recorder"

    def __init__(self) -> None:
        self.calls: list[tuple[str, list, Remote]] = []

    def run(self, fn, items, limits, *, on_progress, what, preload, remote):
        from ingest.runtime.pool import Outcome

        self.calls.append((what, list(items), remote))
        for index, item in enumerate(items):
            yield Outcome(index, fn(item), None)

    def close(self) -> None:
        pass


def test_run_limited_hands_items_to_the_engine_in_place(tmp_path: Path):
    recorder = _Recorder()
    with using_engine(recorder):
        assert [o.value for o in run_limited(behave, ["a", "b"], Limits())] == ["A", "B"]
    assert recorder.calls[0][:2] == ("parse", ["a", "b"])
    assert [o.value for o in run_limited(behave, ["c"], Limits(), workers=1)] == ["C"]  # local again
    assert len(recorder.calls) == 1


def test_documents_travel_as_bytes_checked_against_the_scan(tmp_path: Path):
    from ingest.files.raw import decode_raw_files

    (tmp_path / "a.html").write_bytes(formats.html_page(make_form("project", 0)))
    (tmp_path / "b.txt").write_text("text is read where the refresh runs")
    files = scan_raw_dir(tmp_path)
    recorder = _Recorder()
    with using_engine(recorder):
        decoded = decode_raw_files(files, limits=Limits())
    (what, items, remote), = recorder.calls
    assert what == "reading" and [raw.source_file for raw, _ in items] == ["a.html"]
    shipped = remote.ship(items[0])
    assert shipped[1] == (tmp_path / "a.html").read_bytes() and shipped[2] is None
    on_node = remote.run(shipped)
    assert on_node.text == decoded[0].text and "自评表" in decoded[0].text
    assert on_node.tables == decoded[0].tables and decoded[0].tables  # the form's grid travels back too
    assert remote.per_task == 1 and not remote.gpu(items[0])
    (tmp_path / "a.html").write_text("changed after the scan")
    assert remote.run(remote.ship(items[0])).decode_error.startswith("file changed while the refresh read it")


def test_pdfs_and_images_have_their_own_size_cap(tmp_path: Path):
    assert max_scan_bytes({}) == 200 * 1024 * 1024
    assert Settings.resolve(env={"GOVPERF_MAX_SCAN_MB": "300"}).max_scan_bytes == 300 * 1024 * 1024
    with pytest.raises(SettingError, match="GOVPERF_MAX_SCAN_MB"):
        Settings.resolve(env={"GOVPERF_MAX_SCAN_MB": "-1"})
    for n, name in enumerate(("scan.pdf", "page.png", "report.txt", "form.docx")):
        (tmp_path / name).write_bytes(bytes([65 + n]) * 3000)
    files = {f.source_file: f.failure for f in scan_raw_dir(tmp_path, max_file_bytes=1024, max_scan_bytes=4096)}
    assert files["scan.pdf"] is None and files["page.png"] is None
    assert files["report.txt"] == files["form.docx"] == "file exceeds 1 KB limit"
    small = {f.source_file: f.failure for f in scan_raw_dir(tmp_path, max_file_bytes=4096, max_scan_bytes=2048)}
    assert small["scan.pdf"] == "file exceeds 2 KB limit" and small["report.txt"] is None


@pytest.mark.slow
def test_a_local_refresh_imports_no_ray(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sorted(SAMPLE_RAW_DIR.iterdir())[0], raw)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVPERF_", "RAY_"))}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "dagster_project.cli.main", "refresh", "--raw-dir", str(raw),
         "--warehouse", str(tmp_path / "w" / "warehouse.duckdb")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "dagster_project.defs.assets" in imported
    assert not {name for name in imported if name == "ray" or name.startswith(("ray.", "dagster_ray"))}
