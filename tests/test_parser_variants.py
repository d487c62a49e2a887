"""Metamorphic tests: a sample re-encoded, reflowed, re-unitised or re-laid-out states the same facts."""

from __future__ import annotations

from typing import Any

import pytest

from fixtures import variants
from fixtures.facts import SAMPLES, facts
from ingest.documents.decode import decode_bytes
from ingest.parse import ReportInput, parse_reports


@pytest.fixture(scope="module", params=SAMPLES, ids=lambda p: p.name[:3])
def sample(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    text = request.param.read_text(encoding="utf-8")
    return text, facts(text)


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_reencoded_sample_states_same_facts(sample, encoding):
    text, expected = sample
    decoded = decode_bytes(variants.reencode(text, encoding, crlf=encoding == "gbk"))
    assert decoded.error is None
    assert facts(decoded.text) == expected


@pytest.mark.parametrize(("width", "footer_every"), [(22, 0), (31, 25), (45, 40)])
def test_reflowed_sample_states_same_facts(sample, width, footer_every):
    text, expected = sample
    assert facts(variants.reflow(text, width, footer_every)) == expected


def test_fullwidth_sample_states_same_facts(sample):
    text, expected = sample
    assert facts(variants.fullwidth(text)) == expected


@pytest.mark.parametrize("unit", ["元", "亿元"])
def test_rescaled_units_state_same_amounts(sample, unit):
    text, expected = sample
    assert facts(variants.rescale_units(text, unit)) == expected


def test_markdown_layout_states_same_facts(sample):
    text, expected = sample
    assert facts(variants.markdownify(text)) == expected


def test_manifest_supplies_header_of_untitled_report(sample):
    text, expected = sample
    manifest = {"department_name": expected["header"]["department_name"],
                "fiscal_year": str(expected["header"]["fiscal_year"])}
    got = facts(variants.drop_title(text), manifest)
    frames = parse_reports([ReportInput("r", "r.txt", variants.drop_title(text), manifest=manifest)])
    assert frames["report_headers"]["header_source"][0] == "manifest"
    for key in ("department_name", "fiscal_year", "province", "city", "county", "admin_level", "department_type"):
        assert got["header"][key] == expected["header"][key], key
    assert got["money"] == expected["money"]
    assert got["scores"] == expected["scores"]
