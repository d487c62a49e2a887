"""Settings are checked (bad values are errors, not tracebacks); build state is per warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.runtime.limits import (
    SettingError,
    build_state_dir,
    is_corrupt_database_error,
    max_file_bytes,
    parse_limits,
)
from ingest.runtime.pool import Limits


@pytest.mark.parametrize("bad", ["abc", "nan", "inf", "-inf", "-1", "0", "1e999", " ", ""])
def test_a_bad_max_file_size_is_a_setting_error(bad: str) -> None:
    with pytest.raises(SettingError, match=f"GOVPERF_MAX_FILE_MB must be a positive number, not '{bad}'"):
        max_file_bytes({"GOVPERF_MAX_FILE_MB": bad})


def test_max_file_size_values() -> None:
    assert max_file_bytes({}) == 20 * 1024 * 1024
    assert max_file_bytes({"GOVPERF_MAX_FILE_MB": "0.5"}) == 512 * 1024


def test_parse_limits_from_settings() -> None:
    assert parse_limits({}) == Limits(120.0, 2048)
    assert parse_limits({"GOVPERF_PARSE_SECONDS": "5", "GOVPERF_PARSE_MEMORY_MB": "300"}) == Limits(5.0, 300)
    with pytest.raises(SettingError, match="GOVPERF_PARSE_SECONDS"):
        parse_limits({"GOVPERF_PARSE_SECONDS": "nan"})


def test_two_warehouses_in_one_dir_have_their_own_build_state(tmp_path: Path) -> None:
    a, b = build_state_dir(tmp_path / "a.duckdb"), build_state_dir(tmp_path / "b.duckdb")
    assert a != b and a.parent == b.parent == tmp_path / ".build"


@pytest.mark.parametrize(
    ("message", "corrupt"),
    [
        ("IO Error: The file \"x.duckdb\" exists, but it is not a valid DuckDB database file!", True),
        ("IO Error: Corrupt database file: computed checksum 1 does not match stored checksum 2", True),
        ("IO Error: Could not set lock on file \"x.duckdb\": Conflicting lock is held", False),
        ("IO Error: Could not write file: No space left on device", False),
        ("Permission Error: Permission denied", False),
    ],
)
def test_only_a_corrupt_build_database_may_be_deleted(message: str, corrupt: bool) -> None:
    assert is_corrupt_database_error(message) is corrupt
