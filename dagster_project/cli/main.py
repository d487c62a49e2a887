"""``govperf``: refresh the warehouse from the raw reports, or say what the published warehouse holds."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from dagster_project.warehouse.changes import keep_scan, nothing_changed
from dagster_project.warehouse.settings import SettingError, Settings, check_storage_version

_DISK_FULL = "No space left on device"

CLOSED_PIPE_EXIT = 128 + 13  # 128 + SIGPIPE: what a shell reports for a tool whose reader went away


def _table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    cells = [[str(c) if c is not None else "" for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _attention(reports: Sequence[Sequence[object]], verbose: bool) -> list[Sequence[object]]:
    """The per-report lines to print: every report with ``-v``, else only partial and failed ones."""
    return list(reports) if verbose else [row for row in reports if row[1] != "ok"]


def _disk_full(errors: Sequence[str]) -> str | None:
    """The first error that says a disk is full, as one line."""
    return next((" ".join(e.split())[:300] for e in errors if _DISK_FULL in e), None)


def _refresh(args: argparse.Namespace) -> int:
    try:
        settings = Settings.resolve(
            raw_dir=args.raw_dir, warehouse=args.warehouse, engine=args.engine, ray_address=args.ray_address
        )
        settings.check_paths()
    except SettingError as exc:
        print(f"govperf: {exc}", file=sys.stderr)
        return 2
    if settings.ray_address is not None:
        from ingest.runtime.ray_engine import unreachable

        problem = unreachable(settings.ray_address)
        if problem is not None:
            print(f"govperf: {problem}", file=sys.stderr)
            return 2
    if args.verify or not args.force:
        try:
            up_to_date, current = nothing_changed(settings, verify=args.verify)
        except OSError as exc:
            print(f"govperf: cannot look at {settings.raw_dir}: {exc}", file=sys.stderr)
            return 1
        if up_to_date and not args.force:
            checked = " (every file hashed)" if args.verify else ""
            print(f"nothing changed since the last refresh{checked}; {settings.warehouse} is up to date")
            return 0
    try:
        check_storage_version(settings.storage_version)  # after the cheap check: a new version is a change
    except SettingError as exc:
        print(f"govperf: {exc}", file=sys.stderr)
        return 2
    if args.verify or not args.force:
        keep_scan(settings, current)  # the refresh reuses these hashes instead of reading every file again
    from dagster_project.warehouse.publish import RefreshBusy, RefreshLock

    try:  # wait for another refresh here, before Dagster starts (its run takes the lock again)
        with RefreshLock(settings.build_dir, settings.lock_wait_seconds,
                         on_wait=lambda line: print(line, file=sys.stderr, flush=True)):
            pass
    except RefreshBusy as exc:
        print(f"govperf: {exc}", file=sys.stderr)
        return 1
    from dagster_project.cli.refresh import print_progress, run_refresh, warehouse_summary
    from dagster_project.defs.checks import GX_CHECK_NAME

    print(f"refreshing {settings.warehouse} from {settings.raw_dir} …", file=sys.stderr, flush=True)
    try:
        outcome = run_refresh(settings, verbose=args.verbose, progress=print_progress)
    except OSError as exc:
        reason = "disk full" if exc.errno == errno.ENOSPC else "refresh failed"
        print(f"\ngovperf: {reason}, nothing was published: {exc}", file=sys.stderr)
        return 1
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    if not outcome.published:
        full = _disk_full(outcome.errors)
        if full is not None:
            print(f"govperf: disk full, nothing was published (the warehouse is as it was): {full}",
                  file=sys.stderr)
            return 1
        print("govperf: refresh failed, the published warehouse was left as it was", file=sys.stderr)
        for error in outcome.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    summary = warehouse_summary(settings.warehouse)
    reports = summary["reports"]
    status = Counter(row[1] for row in reports)
    ingest = outcome.metadata.get("raw/raw_reports", {})
    parsed = outcome.metadata.get("raw/report_headers", {}).get("reports_parsed", 0)
    dbt_tests = [c for c in outcome.checks if c.name != GX_CHECK_NAME]
    dbt_failed = [c for c in dbt_tests if not c.passed]
    quality = summary["quality_checks"]
    quality_failed = [row for row in quality if not row[3]]
    passed = len(dbt_tests) - len(dbt_failed) + len(quality) - len(quality_failed)
    print(
        f"reports seen {len(reports)}: parsed {status.get('ok', 0)}, partial {status.get('partial', 0)}, "
        f"failed {status.get('failed', 0)} (read {ingest.get('files_ingested', 0)} new or changed files, "
        f"parsed {parsed}, {ingest.get('files_removed', 0)} removed); "
        f"facts: " + ", ".join(f"{table} {count}" for table, count in summary["facts"].items()) + "; "
        f"header values rejected {summary['header_values_rejected']}; "
        f"checks: {passed} passed, {len(dbt_failed) + len(quality_failed)} failed "
        f"(quality checks {len(quality) - len(quality_failed)} passed, {len(quality_failed)} failed; "
        f"dbt tests {len(dbt_tests) - len(dbt_failed)} passed, {len(dbt_failed)} failed)"
    )
    listed = _attention(reports, args.verbose)
    if listed:
        print("\n" + ("every report:" if args.verbose else "reports that need attention:"))
        print(_table(listed, ["file", "status", "reason"]))
    for name, model, severity, _ in quality_failed:
        print(f"  {severity.lower():5} quality check {name} ({model})")
    for check in dbt_failed:
        print(f"  {check.severity.lower():5} dbt test {check.asset} {check.name}")
    print(f"published {settings.warehouse}")
    return 0


def _status(args: argparse.Namespace) -> int:
    import duckdb

    from dagster_project.warehouse.build_db import fetch_one
    from dagster_project.warehouse.publish import PairError, published_pair

    try:
        settings = Settings.resolve(warehouse=args.warehouse)
    except SettingError as exc:
        print(f"govperf: {exc}", file=sys.stderr)
        return 2
    if not settings.warehouse.exists():
        print(f"govperf: no warehouse published at {settings.warehouse} yet (run govperf refresh)")
        return 1
    try:
        internal = published_pair(settings.warehouse)
        con = duckdb.connect(str(internal), read_only=True)
    except (PairError, duckdb.Error, OSError) as exc:
        print(f"govperf: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    try:
        last = fetch_one(
            con,
            "SELECT refreshed_at, run_id, raw_dir, reports_present, reports_removed "
            "FROM ops.refresh_log ORDER BY refreshed_at DESC LIMIT 1",
        )
        by_status = con.execute(
            "SELECT parse_status, count(*) FROM marts.fct_report GROUP BY ALL ORDER BY 1"
        ).fetchall()
        checks = con.execute(
            "SELECT check_name, target_model, severity, unexpected_count, passed FROM raw.quality_results "
            "WHERE row_kind = 'summary' ORDER BY severity, check_name"
        ).fetchall()
        failing_tests = con.execute(
            "SELECT unique_id, status, failures FROM ops.dbt_tests "
            "WHERE status NOT IN ('pass', 'success') ORDER BY unique_id"
        ).fetchall()
        failed_reports = con.execute(
            "SELECT source_file, status_reason FROM marts.fct_report WHERE parse_status = 'failed' ORDER BY source_file"
        ).fetchall()
    except duckdb.Error as exc:
        print(f"govperf: the internal file {internal} is damaged ({' '.join(str(exc).split())[:200]}); "
              "run `govperf refresh --force` to publish it again", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(f"warehouse {settings.warehouse}")
    if last:
        print(f"last refresh {last[0]:%Y-%m-%d %H:%M:%S} UTC (run {last[1][:8]}) from {last[2]}")
        print(f"reports present {last[3]}; files removed from the raw dir (kept on record) {last[4]}")
    print("reports by status: " + ", ".join(f"{s} {n}" for s, n in by_status))
    if failed_reports:
        print("\nfailed reports:\n" + _table(failed_reports, ["file", "reason"]))
    failing = [row[:4] for row in checks if not row[4]]
    print(f"\nquality checks (Great Expectations): {len(checks) - len(failing)} passed, {len(failing)} failed")
    if failing:
        print(_table(failing, ["check", "model", "severity", "offending rows"]))
    print(f"failing dbt tests: {len(failing_tests)}")
    if failing_tests:
        print(_table(failing_tests, ["test", "status", "failing rows"]))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``govperf`` argument parser."""
    parser = argparse.ArgumentParser(prog="govperf", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    refresh = sub.add_parser("refresh", help="ingest, parse, build, check and publish the warehouse")
    refresh.add_argument("--raw-dir", type=Path, help="raw reports (default $GOVPERF_RAW_DIR or data/raw)")
    refresh.add_argument(
        "--warehouse", type=Path, help="published file (default $GOVPERF_WAREHOUSE or data/warehouse.duckdb)"
    )
    refresh.add_argument("-v", "--verbose", action="store_true", help="every report's line, Dagster's and dbt's logs")
    refresh.add_argument("--force", action="store_true", help="refresh even when nothing changed")
    refresh.add_argument(
        "--verify", action="store_true", help="hash every raw file to decide what changed (never trust file stats)"
    )
    refresh.add_argument(
        "--engine",
        choices=["local", "ray"],
        help="where documents are read and reports parsed (default $GOVPERF_ENGINE or local: this machine's "
        "worker processes; ray: an existing Ray cluster)",
    )
    refresh.add_argument(
        "--ray-address",
        metavar="HOST:PORT",
        help="the Ray cluster's head (default $GOVPERF_RAY_ADDRESS; ray://HOST:PORT through Ray Client)",
    )
    refresh.set_defaults(func=_refresh)
    status = sub.add_parser("status", help="what the published warehouse holds (read-only)")
    status.add_argument("--warehouse", type=Path, help="published file (default as for refresh)")
    status.set_defaults(func=_status)
    from dagster_project.warehouse.export import add_export_command

    add_export_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``govperf`` console script."""
    args = build_parser().parse_args(argv)
    return args.func(args)


def run() -> None:
    """Console entry point: ``main`` and a hard exit once output is flushed.

    Skipping interpreter teardown keeps DuckDB 2.0's binding from printing pages of "leaked
    instance" noise at shutdown after a refresh; every file and connection is closed by then. A reader
    that stops reading (``govperf status | head -3``) ends the command quietly with exit 141, as a
    tool killed by SIGPIPE would.
    """
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        code = CLOSED_PIPE_EXIT
    with contextlib.suppress(BrokenPipeError, ValueError):
        sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
