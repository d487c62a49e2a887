"""Removed-file records are compacted after a while; present and recently removed ones stay."""

from __future__ import annotations

import datetime as dt

import duckdb

from ingest.housekeeping import compact_removed


def test_removed_rows_older_than_the_window_are_compacted() -> None:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw.raw_reports (report_id VARCHAR, is_removed BOOLEAN, removed_at TIMESTAMP)")
    now = dt.datetime(2026, 11, 23, 12)
    con.executemany("INSERT INTO raw.raw_reports VALUES (?, ?, ?)", [
        ("present", False, None),
        ("recent", True, now - dt.timedelta(days=3)),
        ("old", True, now - dt.timedelta(days=31)),
        ("older", True, now - dt.timedelta(days=400)),
    ])
    assert compact_removed(con, now, keep_days=30) == 2
    left = sorted(r for (r,) in con.execute("SELECT report_id FROM raw.raw_reports").fetchall())
    assert left == ["present", "recent"]
    assert compact_removed(con, now, keep_days=30) == 0
