"""``python -m bench.parse_snapshot save|compare SNAPSHOT DIR...``: guard a parser speed-up.

Parses every file under the given directories in this process (``limits=None``), prints the rate,
and either saves every staging frame to ``SNAPSHOT`` (a directory of Parquet files) or compares
this run's frames with the saved ones, row for row. A change meant to make the parser faster must
leave every frame identical: save on the old code, compare on the new. Exit 1 on any difference.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from ingest.documents.decode import decode_bytes
from ingest.parse import ReportInput, parse_reports


def inputs(dirs: Sequence[Path]) -> list[ReportInput]:
    """One parser input per file under ``dirs`` (recursively, by path), decoded as the scan does."""
    items = []
    for root in dirs:
        for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
            decoded = decode_bytes(path.read_bytes())
            items.append(ReportInput(str(path), path.name, decoded.text, decoded.error))
    return items


def differences(saved: dict[str, pl.DataFrame], now: dict[str, pl.DataFrame]) -> list[str]:
    """Tables whose frames differ (missing, different shape or values), with their row counts."""
    return [
        f"{name}: {frame.height} rows saved, {now[name].height if name in now else 'no'} rows now"
        for name, frame in saved.items()
        if name not in now or not frame.equals(now[name])
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, then save or compare; 0 when saved or identical."""
    parser = argparse.ArgumentParser(prog="python -m bench.parse_snapshot", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["save", "compare"])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("dirs", type=Path, nargs="+")
    args = parser.parse_args(argv)
    items = inputs(args.dirs)
    started = time.perf_counter()
    frames = parse_reports(items, limits=None)
    elapsed = time.perf_counter() - started
    print(f"{len(items)} reports in {elapsed:.2f} s: {len(items) / elapsed:,.0f} reports/s (one process)")
    if args.action == "save":
        args.snapshot.mkdir(parents=True, exist_ok=True)
        for name, frame in frames.items():
            frame.write_parquet(args.snapshot / f"{name}.parquet")
        print(f"saved {len(frames)} frames to {args.snapshot}")
        return 0
    saved = {path.stem: pl.read_parquet(path) for path in sorted(args.snapshot.glob("*.parquet"))}
    different = differences(saved, frames)
    print("\n".join(different) if different else "identical")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
