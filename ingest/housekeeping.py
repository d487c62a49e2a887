"""Keeping the build database from growing without bound: records of removed files are compacted."""

from __future__ import annotations

import datetime as dt

import duckdb

# How long the record of a removed file is kept (it explains a vanished report in ``status``).
KEEP_REMOVED_DAYS = 30


def compact_removed(con: duckdb.DuckDBPyConnection, now: dt.datetime, keep_days: int = KEEP_REMOVED_DAYS) -> int:
    """Delete ``raw.raw_reports`` rows of files removed more than ``keep_days`` before ``now``
    (their texts and staging rows went when they were removed); return how many."""
    cutoff = now - dt.timedelta(days=keep_days)
    where = "is_removed AND removed_at < ?"
    (count,) = con.execute(f"SELECT count(*) FROM raw.raw_reports WHERE {where}", [cutoff]).fetchone() or (0,)
    con.execute(f"DELETE FROM raw.raw_reports WHERE {where}", [cutoff])
    return int(count)
