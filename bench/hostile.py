"""Hostile repeated content: one short piece repeated to 2 MB, the worst case of a pattern that
backtracks (80,000 digits with no unit once took 61 s).

``make bench`` times the parser on each piece at 2 MB, in this process, against the README's promise
(parses or fails on a cap in under 2 s); ``tests/test_parse_limits.py`` and
``tests/test_linear_patterns.py`` check, in CPU time, that the cost grows linearly with the size.
"""

from __future__ import annotations

import time
from typing import Any

TITLE = "2023年度某市财政局部门整体支出绩效自评报告\n一、部门基本情况\n"
TARGET_2MB_S = 2.0
"""Seconds within which 2 MB of any repeated content parses or fails on a cap (the README)."""

REPEATED: dict[str, str] = {
    "amounts": "预算数为1,000.00万元,",
    "rates": "执行率1%,",
    "scores": "自评得分为90分,",
    "headings": "一、基本情况\n",
    "indicators": "1.收文处理率:预期95%,实际96%。\n",
    "table rows": "| 收文处理率 | 95% | 96% |\n",
    "spaces": " ",
    "space lines": "年" + " " * 1000 + "年\n",
    "digits": "1",
    "numbers in a row": "1 ",
    "thousands commas": ",1",
    "decimal points": "1.",
    "tabs": "\t",
    "blank lines": " \n",
    "numerals": "二七",
    "names": "政协 ",
    "wordings and numbers": "执行率1",
    "pipes and numbers": "| 1 ",
    "column wordings": "预算",
    "percentages": "1%",
}
"""Pieces that reach the parser's slow paths: figures, headings, indicator items and table rows at
their caps; digits with no unit, numbers in a row, thousands commas, spaces, numerals, names, table
wordings glued to numbers, pipes."""


def repeated_text(piece: str, n_bytes: int) -> str:
    """A report title and ``piece`` repeated to about ``n_bytes`` bytes of UTF-8."""
    return TITLE + piece * max(1, n_bytes // len(piece.encode()))


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
