"""Fuzz: the decoder and the parser take any input without raising, hanging or losing the report."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.documents.decode import decode_bytes
from ingest.parse import ReportInput, parse_report

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"

# Pieces of the genre, so that generated texts reach the extractors, not only the decoder.
_PIECES = [
    "2023年度", "某市财政局", "部门整体支出绩效自评报告", "一、", "(一)", "1.", "①", "一是", "全年预算数",
    "执行率", "自评得分", "满分", "万元", "亿元", "元", "%", "分", "其中", "基本支出", "项目支出", "。", ",",
    ";", ":", "\n", "\n\n", " ", "    ", "\t", "|", " | ", "---", "#", "**", "- ", "第 2 页", "附件",
    "存在的主要问题", "改进措施", "产出指标", "收文处理率", "预期", "实际", "合计", "得分", "分值",
    "1,234.56", "99.84", "0", "100", "٩٠", "９０", "\u3000", "\r\n", "<script>alert(1)</script>",
]
_TEXT = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=8)), max_size=200).map("".join)
_FAST = settings(max_examples=50, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
_LONG = settings(max_examples=1000, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def _check_decode(data: bytes) -> None:
    decoded = decode_bytes(data)
    assert (decoded.text is None) != (decoded.error is None)
    if decoded.error is not None:
        assert "\n" not in decoded.error


def _check_parse(text: str) -> None:
    parsed = parse_report(ReportInput("r", "r.txt", text))
    (header,) = parsed.rows["report_headers"]
    assert header["parse_status"] in {"ok", "partial", "failed"}
    assert header["parse_status"] == "ok" or header["status_reason"]
    for table, rows in parsed.rows.items():
        for row in rows:
            if "source_start" in row and table != "parse_issues":
                assert 0 <= row["source_start"] <= row["source_end"]


@_FAST
@given(st.binary(max_size=512))
def test_decode_takes_any_bytes(data: bytes) -> None:
    _check_decode(data)


@_FAST
@given(_TEXT)
def test_parse_takes_any_text(text: str) -> None:
    _check_parse(text)


@_FAST
@given(_TEXT, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "gb18030"]))
def test_decode_then_parse_takes_any_encoded_text(text: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    decoded = decode_bytes(data)
    if decoded.text is not None:
        _check_parse(decoded.text)


@pytest.mark.slow
@_LONG
@given(_TEXT)
def test_parse_takes_any_text_long_run(text: str) -> None:
    _check_parse(text)


@pytest.mark.slow
@_LONG
@given(st.binary(max_size=4096))
def test_decode_takes_any_bytes_long_run(data: bytes) -> None:
    _check_decode(data)


def test_utf16_without_bom_and_without_ascii_is_read() -> None:
    text = "部门整体支出绩效自评报告二〇二三年度预算执行情况良好全年预算数壹佰万元"
    for encoding in ("utf-16-le", "utf-16-be"):
        decoded = decode_bytes(text.encode(encoding))
        assert (decoded.text, decoded.encoding) == (text, encoding)


def test_chinese_gb18030_reports_are_not_taken_for_utf16() -> None:
    for path in sorted(RAW.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for piece in (text, text.replace("\n", "").replace(" ", "")[:2000]):
            while len(piece.encode("gb18030")) % 2:
                piece = piece[:-1]
            assert decode_bytes(piece.encode("gb18030")).encoding == "gb18030", path.name
