"""Bad inputs the parser must survive: huge figures, foreign digits, long lines (in time linear in their
length, compared in CPU time between sizes: how fast is a figure of ``make bench``, not a test)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from fixtures.hostile import REPEATED, repeated_text
from ingest.parse import ReportInput, parse_report, parse_reports

TITLE = "2023年度某市财政局部门整体支出绩效自评报告\n一、部门基本情况\n"


def _frames(body: str):
    return parse_reports([ReportInput("r", "r.txt", TITLE + body)], limits=None)


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("全年预算数为" + "9" * 45 + "万元。执行率为95%。", "9999999999"),
        ("全年预算数为123456789012345678亿元。执行率为95%。", "123456789012345678亿元"),
        ("全年预算数为100万元。执行率为" + "9" * 40 + "%。", "9999999999"),
    ],
)
def test_a_figure_out_of_range_is_an_issue_on_that_figure_only(body: str, shown: str) -> None:
    frames = _frames(body)
    (header,) = frames["report_headers"].to_dicts()
    assert header["parse_status"] != "failed"
    issues = frames["parse_issues"].filter(frames["parse_issues"]["code"] == "figure_out_of_range")
    assert issues.height == 1 and shown in issues["message"][0] and "left out" in issues["message"][0]
    kept = frames["money_facts"]["amount_wan_yuan"].to_list() + frames["measure_facts"]["value"].to_list()
    assert kept and all(v is not None for v in kept)


@pytest.mark.parametrize("digits", ["٩٠", "۹۰", "९०", "๙๐"])
def test_digits_of_other_scripts_are_no_figures(digits: str) -> None:
    frames = _frames(f"全年预算数为{digits}万元。执行率为{digits}%。自评得分为{digits}分。")
    assert frames["money_facts"].is_empty()
    assert frames["measure_facts"].is_empty()
    assert frames["score_facts"].is_empty()


def test_full_width_digits_still_read() -> None:
    frames = _frames("自评得分为９０分。")
    assert [str(v) for v in frames["score_facts"]["score"].to_list()] == ["90.00"]


def _assert_bounded(rows: dict) -> None:
    for table, table_rows in rows.items():
        if table != "report_texts":
            assert all(len(r.get("source_text") or "") <= 301 for r in table_rows), table


def _cpu(text: str) -> tuple[float, dict]:
    """CPU seconds of parsing ``text`` in this process (other processes on the machine do not count)."""
    started = time.process_time()
    parsed = parse_report(ReportInput("r", "r.txt", text))
    return time.process_time() - started, parsed.rows


def _assert_linear(make: Callable[[int], str], full: int) -> dict:
    """Parse ``make(full)`` and ``make(full // 10)``: tenfold the content costs at most about tenfold
    (:data:`GROWTH_LIMIT`; a pattern that backtracks costs a hundredfold). Returns the full parse's rows."""
    _cpu(TITLE + "预算数为1万元。")  # vocabularies and the gazetteer load once, outside the timings
    small = min(_cpu(make(max(1, full // 10)))[0] for _ in range(2))
    large, rows = _cpu(make(full))
    assert large / max(small, FLOOR_S) <= GROWTH_LIMIT, f"{small:.3f} s → {large:.3f} s for tenfold the content"
    _assert_bounded(rows)
    return rows


GROWTH_LIMIT = 50.0
"""CPU time growth over a tenfold larger input above which parsing is not linear (linear ≈ 10, quadratic ≈ 100;
the margin absorbs cache effects of a loaded machine)."""
FLOOR_S = 0.01
"""CPU times under this are taken as this (timer noise would dominate them)."""

# Just under the caps, all on one line or in one paragraph where that is the worst case: inputs on
# which a pattern that backtracks or rescans is quadratic. Each builds its text for a number of
# repetitions, and gives the number just under the caps.
_UNDER_CAPS: dict[str, tuple[Callable[[int], str], int]] = {
    "spaces": (lambda n: "年" + " " * n + "年", 1_000_000),
    "spaces at line starts": (lambda n: (" " * n + "|--\n") * 2 + "--" + " " * n + "x\n", 200_000),
    "spaces in a page footer": (lambda n: "第 1 页" + " " * n + "x\n", 500_000),
    "amounts": (lambda n: "预算数为1,000.00万元," * n, 2_900),
    "budget breakdown": (lambda n: "全年预算数为1万元其中" + "基本支出1万元" * n, 2_900),
    "rates": (lambda n: "执行率1%," * n, 2_900),
    "scores": (lambda n: "自评得分为90分," * n, 2_900),
    "headings": (lambda n: "一、基本情况\n(一)存在的主要问题\n" * n, 4_900),
    "indicators": (lambda n: "(一)产出指标\n" + "1.收文处理率:预期95%,实际96%。\n" * n, 1_400),
    "table rows": (lambda n: "| 指标名称 | 年度指标值 | 得分 |\n" + "| 收文处理率 | 95% | 9 |\n| 合计 | | 90 |\n" * n,
                   1_400),
    "one long paragraph": (lambda n: "这是一段很长的文字没有标点\n" * n, 9_900),
    "no sentence end": (lambda n: "," * n + "执行率95%", 1_000_000),
}


@pytest.mark.parametrize("name", list(_UNDER_CAPS))
def test_long_repeated_content_under_the_caps_parses_in_linear_time(name: str) -> None:
    make, full = _UNDER_CAPS[name]
    _assert_linear(lambda n: TITLE + make(n), full)


def test_a_fact_keeps_a_bounded_snippet_not_its_whole_line() -> None:
    _, rows = _cpu(TITLE + "执行率1%," * 2_000)
    _assert_bounded(rows)
    assert len(rows["measure_facts"]) == 2_000


@pytest.mark.slow
@pytest.mark.parametrize("name", list(REPEATED))
def test_2_mb_of_any_repeated_content_parses_or_fails_in_linear_time(name: str) -> None:
    """200 KB against 2 MB (how long 2 MB takes is a figure of ``make bench``: bench/hostile.py)."""
    rows = _assert_linear(lambda n_bytes: repeated_text(REPEATED[name], n_bytes), 2_000_000)
    (header,) = rows["report_headers"]
    if header["parse_status"] == "failed":
        assert "split the file into reports" in header["status_reason"]
