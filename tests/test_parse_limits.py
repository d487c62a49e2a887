"""Bad inputs the parser must survive: huge figures, foreign digits, long lines (each ≤ 2 s)."""

from __future__ import annotations

import time

import pytest

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


def _assert_fast_and_bounded(text: str, seconds: float = 2.0) -> dict:
    started = time.perf_counter()
    parsed = parse_report(ReportInput("r", "r.txt", text))
    assert time.perf_counter() - started < seconds
    for table, rows in parsed.rows.items():
        if table != "report_texts":
            assert all(len(r.get("source_text") or "") <= 301 for r in rows), table
    return parsed.rows


# Just under the caps, all on one line or in one paragraph where that is the worst case: each was
# quadratic (50 KB of rates took 0.4 s, 200 KB 20 s; 100,000 spaces 28 s).
_UNDER_CAPS = {
    "spaces": "年" + " " * 1_000_000 + "年",
    "spaces at line starts": (" " * 200_000 + "|--\n") * 2 + "--" + " " * 200_000 + "x\n",
    "spaces in a page footer": "第 1 页" + " " * 500_000 + "x\n",
    "amounts": "预算数为1,000.00万元," * 2_900,
    "budget breakdown": "全年预算数为1万元其中" + "基本支出1万元" * 2_900,
    "rates": "执行率1%," * 2_900,
    "scores": "自评得分为90分," * 2_900,
    "headings": "一、基本情况\n(一)存在的主要问题\n" * 4_900,
    "indicators": "(一)产出指标\n" + "1.收文处理率:预期95%,实际96%。\n" * 1_400,
    "table rows": "| 指标名称 | 年度指标值 | 得分 |\n" + "| 收文处理率 | 95% | 9 |\n| 合计 | | 90 |\n" * 1_400,
    "one long paragraph": "这是一段很长的文字没有标点\n" * 9_900,
    "no sentence end": "," * 1_000_000 + "执行率95%",
}


@pytest.mark.parametrize("name", list(_UNDER_CAPS))
def test_long_repeated_content_under_the_caps_parses_in_under_2_s(name: str) -> None:
    _assert_fast_and_bounded(TITLE + _UNDER_CAPS[name])


def test_a_fact_keeps_a_bounded_snippet_not_its_whole_line() -> None:
    rows = _assert_fast_and_bounded(TITLE + "执行率1%," * 2_000)
    assert len(rows["measure_facts"]) == 2_000


_2MB = {
    "amounts": "预算数为1,000.00万元,",
    "rates": "执行率1%,",
    "scores": "自评得分为90分,",
    "headings": "一、基本情况\n",
    "indicators": "1.收文处理率:预期95%,实际96%。\n",
    "table rows": "| 收文处理率 | 95% | 96% |\n",
    "spaces": " ",
    "space lines": "年" + " " * 1000 + "年\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(_2MB))
def test_2_mb_of_any_repeated_content_parses_or_fails_in_under_2_s(name: str) -> None:
    unit = _2MB[name]
    rows = _assert_fast_and_bounded(TITLE + unit * (2_000_000 // len(unit.encode())))
    (header,) = rows["report_headers"]
    if header["parse_status"] == "failed":
        assert "split the file into reports" in header["status_reason"]
