"""The parser on 2 MB of each hostile repeated piece (``fixtures.hostile``), timed in this process
against the README's promise: 2 MB of any repeated content parses or fails on a cap in under 2 s."""

from __future__ import annotations

import time
from typing import Any

from fixtures.hostile import REPEATED, TITLE, repeated_text

TARGET_2MB_S = 2.0
"""Seconds within which 2 MB of any repeated content parses or fails on a cap (the README)."""


def measure_repeated(n_bytes: int = 2_000_000) -> dict[str, Any]:
    """Wall and CPU seconds of ``parse_report`` on each repeated piece at ``n_bytes``, and how it
    ended (``ok`` / ``partial`` / ``failed`` and the reason a cap gave)."""
    from ingest.parse import ReportInput, parse_report

    parse_report(ReportInput("warm", "warm.txt", TITLE + "预算数为1万元。"))  # vocabularies and gazetteer loaded
    pieces: dict[str, Any] = {}
    for name, piece in REPEATED.items():
        text = repeated_text(piece, n_bytes)
        wall, cpu = time.perf_counter(), time.process_time()
        parsed = parse_report(ReportInput("r", "r.txt", text))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        (header,) = parsed.rows["report_headers"]
        pieces[name] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "status": header["parse_status"],
                        "reason": header.get("status_reason")}
    slowest = max(pieces, key=lambda name: pieces[name]["wall_s"])
    return {"bytes": n_bytes, "pieces": pieces, "slowest": slowest, "slowest_wall_s": pieces[slowest]["wall_s"]}
