"""Reports in styles the samples lack (other provinces and levels, 元/亿元, tables, GBK, form fields,
a project report, a truncated report, a news article): the parser states exactly the expected facts."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.documents.decode import decode_bytes
from ingest.parse import ReportInput, _frames, parse_report, parse_reports

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
CASES = sorted(k for k in EXPECTED if not k.startswith("_"))


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@pytest.fixture(scope="module")
def parsed() -> dict:
    inputs = []
    for name in CASES:
        decoded = decode_bytes((CORPUS / name).read_bytes())
        inputs.append(ReportInput(name, name, decoded.text, decoded.error))
    return parse_reports(inputs)


@pytest.mark.parametrize("name", CASES)
def test_header(parsed, name):
    expected = dict(EXPECTED[name]["header"])
    row = parsed["report_headers"].filter(report_id=name).to_dicts()[0]
    contains = expected.pop("status_reason_contains", None)
    if contains:
        assert contains in (row["status_reason"] or "")
    assert {k: row[k] for k in expected} == expected


@pytest.mark.parametrize("name", CASES)
def test_money_facts_are_exactly_the_stated_ones(parsed, name):
    rows = parsed["money_facts"].filter(report_id=name)
    got = sorted((r["side"], r["item"], r["fund_scope"], r["amount_wan_yuan"]) for r in rows.to_dicts())
    want = sorted((s, i, f, Decimal(a)) for s, i, f, a in EXPECTED[name]["money"])
    assert got == want
    for r in rows.to_dicts():
        assert r["amount_text"].replace(" ", "") in r["source_text"].replace(" ", "")


@pytest.mark.parametrize("name", CASES)
def test_measures(parsed, name):
    got = sorted((r["measure"], r["value"]) for r in parsed["measure_facts"].filter(report_id=name).to_dicts())
    assert got == sorted((m, Decimal(v)) for m, v in EXPECTED[name]["measures"])


@pytest.mark.parametrize("name", CASES)
def test_scores(parsed, name):
    got = sorted(((r["score_item"], r["score"], r["max_score"], r["rating"], r["is_derived"])
                  for r in parsed["score_facts"].filter(report_id=name).to_dicts()), key=str)
    want = sorted(((i, _dec(s), _dec(m), r, d) for i, s, m, r, d in EXPECTED[name]["scores"]), key=str)
    assert got == want


@pytest.mark.parametrize("name", CASES)
def test_indicators(parsed, name):
    got = {(r["indicator_name"], r["target_value"], r["actual_value"], r["unit"])
           for r in parsed["indicator_facts"].filter(report_id=name).to_dicts()}
    for n, t, a, u in EXPECTED[name]["indicators"]:
        assert (n, _dec(t), _dec(a), u) in got


@pytest.mark.parametrize("name", CASES)
def test_findings(parsed, name):
    rows = parsed["findings"].filter(report_id=name)
    got = {k: c for k, c in rows.group_by("kind").len().rows() if k != "deduction_reason"}
    assert got == EXPECTED[name]["findings"]


def test_offsets_index_the_normalised_text(parsed):
    texts = dict(parsed["report_texts"].rows())
    for table in ("money_facts", "measure_facts", "score_facts", "indicator_facts"):
        for r in parsed[table].to_dicts():
            assert texts[r["report_id"]][r["source_start"]:r["source_end"]] == r["source_text"]


def test_a_batch_parses_each_report_as_it_would_alone(parsed):
    """The batch's whole-text pass (one polars run over every text) changes nothing a report states."""
    alone = []
    for name in CASES:
        decoded = decode_bytes((CORPUS / name).read_bytes())
        alone.append(parse_report(ReportInput(name, name, decoded.text, decoded.error)))
    for table, frame in _frames(alone).items():
        assert frame.equals(parsed[table]), table
