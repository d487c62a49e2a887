"""The benchmark's corpus builder, naive baseline and runner (no timed assertions: speed lives in the output)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from bench import baseline, corpus, run
from ingest.decode import decode_bytes
from ingest.parse import ReportInput, parse_reports
from ingest.raw import read_manifest

HEADER_FIELDS = ("fiscal_year", "department_name", "department_type", "province", "city", "county", "admin_level")


def _digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_corpus_is_deterministic(tmp_path):
    first = corpus.build_corpus(tmp_path / "a", n=40, seed=3)
    again = corpus.build_corpus(tmp_path / "b", n=40, seed=3)
    other = corpus.build_corpus(tmp_path / "c", n=40, seed=4)
    assert first == again
    assert first != other
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    assert _digests(tmp_path / "a") != _digests(tmp_path / "c")
    assert len({hashlib.sha256((tmp_path / "a" / i.source_file).read_bytes()).digest() for i in first}) == 40


def test_corpus_is_a_prefix_of_a_larger_one(tmp_path):
    small = corpus.build_corpus(tmp_path / "small", n=15, seed=0)
    large = corpus.build_corpus(tmp_path / "large", n=30, seed=0)
    assert large[:15] == small
    for item in small:
        name = item.source_file
        assert (tmp_path / "small" / name).read_bytes() == (tmp_path / "large" / name).read_bytes()


@pytest.mark.parametrize(
    ("number", "unit", "factor", "expected"),
    [
        ("30,266.62", "万元", "1.37", "41,465.2694"),
        ("31,08.53", "万元", "2", "6,217.06"),  # a misplaced separator comes out well-formed
        ("2180.24", "万元", "0.5", "1090.12"),
        ("850", "万元", "1.37", "1164.5"),
        ("0", "万元", "2.5", "0"),
        ("123,456,789.00", "元", "1.37", "169,135,800.93"),
        ("5,000,000", "元", "0.33", "1,650,000"),
        ("1.2", "亿元", "1.37", "1.644"),
        ("280.03", "万\n\n元", "2", "560.06"),
    ],
)
def test_amounts_scale_exactly_and_stay_well_formed(number, unit, factor, expected):
    assert corpus.scale_amount(number, unit, Decimal(factor)) == expected


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, list[corpus.CorpusItem], dict[str, pl.DataFrame]]:
    out = tmp_path_factory.mktemp("corpus")
    items = corpus.build_corpus(out, n=60, seed=11)
    manifest = read_manifest(out)
    inputs = []
    for item in items:
        decoded = decode_bytes((out / item.source_file).read_bytes())
        assert decoded.error is None, (item.source_file, decoded.error)
        row = manifest.get(item.source_file)
        inputs.append(ReportInput(item.source_file, item.source_file, decoded.text, manifest=row))
    return out, items, parse_reports(inputs, workers=1)


def test_corpus_varies_layouts_encodings_and_units(built):
    _, items, _ = built
    assert len({i.template for i in items}) >= 8
    assert len({i.layout for i in items}) >= 4
    assert len({i.encoding for i in items}) >= 4
    assert {i.unit for i in items} >= {"万元", "元"}
    assert len({i.fiscal_year for i in items}) >= 5
    assert len({i.province for i in items}) >= 10


def test_every_variant_parses_with_the_header_it_was_given(built):
    _, items, frames = built
    headers = {r["report_id"]: r for r in frames["report_headers"].iter_rows(named=True)}
    statuses = {r["parse_status"] for r in headers.values()}
    assert "failed" not in statuses
    for item in items:
        row = headers[item.source_file]
        assert row["parse_status"] == item.status, (item, row["status_reason"])
        assert {k: row[k] for k in HEADER_FIELDS} == {k: getattr(item, k) for k in HEADER_FIELDS}, item


def test_money_facts_scale_with_the_factor(built):
    """Every money fact of a variant is its template's fact times the report's factor (so budget,
    spend and execution rate stay consistent); rates are unchanged."""
    _, items, frames = built
    templates = parse_reports(
        [ReportInput(t.key, t.key, decode_bytes(t.path.read_bytes()).text) for t in corpus.TEMPLATES], workers=1
    )

    def by_report(frame, key_cols, value_col):
        out: dict[str, dict[tuple, Decimal]] = defaultdict(dict)
        for r in frame.iter_rows(named=True):
            out[r["report_id"]][tuple(r[c] for c in key_cols)] = r[value_col]
        return out

    money_keys = ("side", "item", "fund_scope")
    template_money = by_report(templates["money_facts"], money_keys, "amount_wan_yuan")
    template_rates = by_report(templates["measure_facts"], ("measure",), "value")
    money = by_report(frames["money_facts"], money_keys, "amount_wan_yuan")
    rates = by_report(frames["measure_facts"], ("measure",), "value")
    for item in items:
        factor = Decimal(item.factor)
        expected = {k: v * factor for k, v in template_money[item.template].items()}
        got = money[item.source_file]
        assert set(got) == set(expected), item
        for key, value in expected.items():
            assert abs(got[key] - value) <= Decimal("0.0001"), (item, key, got[key], value)
        assert rates[item.source_file] == template_rates[item.template], item


def test_revised_report_keeps_name_and_department(tmp_path):
    builder = corpus.CorpusBuilder(seed=5)
    items = corpus.build_corpus(tmp_path, n=5, builder=builder)
    data, revised = builder.revise(items[2])
    assert revised.source_file == items[2].source_file
    assert revised.department_name == items[2].department_name
    assert (revised.factor, revised.fiscal_year) != (items[2].factor, items[2].fiscal_year)
    assert data != (tmp_path / items[2].source_file).read_bytes()


def test_baseline_extracts_headline_fields():
    text = (corpus.HAND_CORPUS / "web_page_pasted.txt").read_text(encoding="utf-8")
    got = baseline.extract_headline(text)
    assert got.fiscal_year == 2023
    assert got.department_name == "株洲市芦淞区卫生健康局"
    assert got.budget_total == Decimal("2345.67")
    assert got.spend_total == Decimal("2300.12")
    assert got.spend_basic == Decimal("1800.12")
    assert got.spend_project == Decimal("500")
    assert got.execution_rate == Decimal("98.06")
    assert got.score_total == Decimal("94")
    assert got.rating == "优"
    assert baseline.measure([text] * 3).reports == 3


def test_step_timings_are_read_from_dagster_events():
    log = (
        '... - raw__raw_reports - STEP_SUCCESS - Finished execution of step "raw__raw_reports" in 533ms.\n'
        '... - staging - STEP_SUCCESS - Finished execution of step "staging" in 5.6s.\n'
        '... - dbt_models - STEP_SUCCESS - Finished execution of step "dbt_models" in 4m52s.\n'
        '... - great_expectations_checks - STEP_SUCCESS - Finished execution of step "great_expectations_checks" '
        "in 0.83ms.\n"
    )
    steps = run.step_timings(log)
    assert steps == {
        "raw__raw_reports": 0.533,
        "staging": 5.6,
        "dbt_models": 292.0,
        "great_expectations_checks": 0.00083,
    }
    assert run.stage_timings(steps) == {"ingest": 0.533, "parse": 5.6, "dbt": 292.0, "checks": 0.001}


@pytest.mark.skipif(not run.refresh_available(), reason="the refresh (dagster_project.refresh) is not available")
@pytest.mark.slow
def test_bench_runs_end_to_end_on_a_tiny_corpus(tmp_path):
    out = tmp_path / "latest.json"
    argv = ["--reports", "20", "--skip-100k", "--no-incremental", "--profile-sample", "10"]
    code = run.main([*argv, "--workdir", str(tmp_path), "--out", str(out)])
    results = json.loads(out.read_text(encoding="utf-8"))
    full = results["refresh"]["full"]
    assert code == 0, full.get("error_tail")
    assert full["ok"] and full["reports"]["seen"] == 20 and full["reports"]["failed"] == 0
    assert {"ingest", "parse", "dbt", "checks", "publish"} <= set(full["stages_s"])
    assert results["in_process"]["parse"]["status"].get("failed", 0) == 0
    assert results["parser_vs_baseline"]["ratio"] > 0
    assert {t["target"].split(",")[0] for t in results["targets"]} >= {"full refresh", "peak RSS"}
