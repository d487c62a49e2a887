"""Cheap change detection: what makes a refresh a no-op, and what does not."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from dagster_project.warehouse import changes
from dagster_project.warehouse.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("报告甲", encoding="utf-8")
    (raw / "sub").mkdir()
    (raw / "sub" / "b.txt").write_text("报告乙", encoding="utf-8")
    return Settings.resolve(raw_dir=raw, warehouse=tmp_path / "w.duckdb", env={})


def _publish(settings: Settings) -> None:
    for path in (settings.warehouse, settings.warehouse.with_name(settings.warehouse.name + ".internal.duckdb")):
        path.unlink(missing_ok=True)
        duckdb.connect(str(path)).close()
    changes.write_pending_cursor(settings, changes.current_cursor(settings))
    changes.commit_pending_cursor(settings)


def test_never_published_is_a_change(settings: Settings) -> None:
    assert changes.nothing_changed(settings)[0] is False


def test_unchanged_after_publish(settings: Settings) -> None:
    _publish(settings)
    assert changes.nothing_changed(settings)[0] is True


def test_a_missing_warehouse_is_a_change(settings: Settings) -> None:
    _publish(settings)
    settings.warehouse.unlink()
    assert changes.nothing_changed(settings)[0] is False


def test_touching_a_file_without_changing_it_is_no_change(settings: Settings) -> None:
    _publish(settings)
    os.utime(settings.raw_dir / "a.txt", ns=(1, 1))
    assert changes.nothing_changed(settings)[0] is True


@pytest.mark.parametrize("edit", ["add", "remove", "rewrite", "rename", "broken_link"])
def test_every_edit_of_the_raw_dir_is_a_change(settings: Settings, edit: str) -> None:
    _publish(settings)
    raw = settings.raw_dir
    if edit == "add":
        (raw / "c.txt").write_text("报告丙", encoding="utf-8")
    elif edit == "remove":
        (raw / "sub" / "b.txt").unlink()
    elif edit == "rewrite":
        (raw / "a.txt").write_text("报告丁", encoding="utf-8")
    elif edit == "rename":
        (raw / "a.txt").rename(raw / "z.txt")
    else:
        os.symlink(raw / "nowhere", raw / "link")
    assert changes.nothing_changed(settings)[0] is False


def test_other_settings_are_a_change(settings: Settings) -> None:
    _publish(settings)
    other = Settings.resolve(
        raw_dir=settings.raw_dir, warehouse=settings.warehouse, env={"GOVPERF_STORAGE_VERSION": "v1.1.0"}
    )
    assert changes.nothing_changed(other)[0] is False


def test_a_code_change_is_a_change(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    _publish(settings)
    monkeypatch.setattr(changes, "code_fingerprint", lambda: "another version of the code")
    assert changes.nothing_changed(settings)[0] is False


def test_a_damaged_cursor_means_refresh(settings: Settings) -> None:
    _publish(settings)
    changes.cursor_path(settings).write_text("{not json", encoding="utf-8")
    assert changes.nothing_changed(settings)[0] is False


def test_unreadable_and_odd_entries_never_raise(settings: Settings) -> None:
    raw = settings.raw_dir
    os.mkfifo(raw / "pipe")
    os.symlink(raw / "sub", raw / "dir link")
    os.symlink(raw / "loop", raw / "loop")
    (raw / os.fsdecode(b"bad\xff.txt")).write_text("报告", encoding="utf-8")
    states = changes.file_states(raw)
    _publish(settings)
    assert changes.nothing_changed(settings)[0] is True, "odd entries and names round-trip through the cursor"
    assert states["pipe"][0] == "other" and states["loop"][0] == "link" and states["dir link"][0] == "link"


def test_the_scan_takes_the_change_scans_hashes_and_reads_only_what_it_lacks(settings: Settings) -> None:
    from ingest.files.raw import scan_raw_dir

    _publish(settings)
    (settings.raw_dir / "sub" / "b.txt").write_text("报告乙(修订)", encoding="utf-8")
    cursor = changes.current_cursor(settings, changes.read_cursor(settings))
    hashes = changes.known_hashes(cursor)
    assert set(hashes) == {"a.txt", "sub/b.txt"}
    assert [f.content_sha256 for f in scan_raw_dir(settings.raw_dir, known_hashes=hashes)] == [
        f.content_sha256 for f in scan_raw_dir(settings.raw_dir)
    ], "the change scan re-hashed the edited file, so both scans agree"
    planted = {"a.txt": (1, "0" * 64)}
    by_name = {f.source_file: f for f in scan_raw_dir(settings.raw_dir, known_hashes=planted)}
    assert by_name["a.txt"].content_sha256 == "0" * 64, "a known hash is taken, the file is not read again"
    assert by_name["sub/b.txt"].content_sha256 == hashes["sub/b.txt"][1]


def test_the_refresh_reuses_the_hashes_of_the_scan_that_found_a_change(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(changes, "RACY_NS", 0)  # the files were written just now
    up_to_date, scanned = changes.nothing_changed(settings)
    assert not up_to_date
    changes.keep_scan(settings, scanned)
    assert changes.read_cursor(settings) is None, "the scan's hashes are a cache, never the cursor"
    (settings.raw_dir / "a.txt").write_text("报告甲(修订)", encoding="utf-8")
    hashed: list[str] = []
    sha256 = changes._sha256
    monkeypatch.setattr(changes, "_sha256", lambda path: hashed.append(path) or sha256(path))
    again = changes.current_cursor(settings, changes.latest_hashes(settings))
    assert [os.path.basename(p) for p in hashed] == ["a.txt"], "only the file edited since the scan is read"
    assert again.files["sub/b.txt"] == scanned.files["sub/b.txt"]
    assert again.files["a.txt"][4] != scanned.files["a.txt"][4]
