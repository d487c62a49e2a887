"""parse_reports: each report under a time budget; one that runs out fails alone, with the reason."""

from __future__ import annotations

from pathlib import Path

from ingest.parse import ReportInput, parse_reports
from ingest.runtime.pool import Limits

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def test_a_report_over_its_time_budget_fails_alone():
    sample = sorted(RAW.glob("*.txt"))[0].read_text(encoding="utf-8")
    # Just under the caps on lines and figures, 1.3 M characters: several times the 0.5 s budget,
    # while a sample parses well within it.
    filler = "项目资金管理使用情况说明" * 20
    heavy = ("2023年度某局部门整体支出绩效自评报告\n" + f"一、基本情况\n(一)存在的主要问题{filler}\n" * 4_900
             + "预算数为1,000.00万元," * 2_900)
    batch = [ReportInput("a", "a.txt", sample), ReportInput("slow", "slow.txt", heavy),
             ReportInput("gone", "gone.txt", None, "empty file"), ReportInput("b", "b.txt", sample)]
    seen: list[int] = []
    frames = parse_reports(batch, workers=2, limits=Limits(seconds=0.5, memory_mb=1024),
                           on_progress=lambda done, total: seen.append(done))
    headers = {r["report_id"]: r for r in frames["report_headers"].to_dicts()}
    assert list(headers) == ["a", "slow", "gone", "b"]
    assert headers["slow"]["parse_status"] == "failed"
    assert headers["slow"]["status_reason"] == "parse exceeded 0.5 s"
    assert headers["gone"]["status_reason"] == "empty file"
    assert headers["a"]["parse_status"] != "failed" and headers["b"]["parse_status"] != "failed"
    assert seen == [1, 2, 3]


def test_guarded_parse_equals_unguarded_parse():
    texts = [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]
    batch = [ReportInput(f"r{i}", f"r{i}.txt", texts[i % len(texts)]) for i in range(12)]
    guarded, inline = parse_reports(batch, workers=2), parse_reports(batch, limits=None)
    for name, frame in inline.items():
        assert frame.equals(guarded[name]), name
