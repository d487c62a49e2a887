"""Metamorphic tests: a sample report published as PDF, DOCX, HTML, an XLSX form or a scan states
the same facts as its text (a scan: the same or fewer, never a different number)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fixtures import documents as F
from fixtures.facts import SAMPLES, different_facts, facts
from ingest.documents import Limits, read_document
from ingest.parse import ReportInput, parse_reports
from ingest.text.normalise import normalise

FORMATS: dict[str, tuple[Callable[[str], bytes], str]] = {
    "text_pdf": (F.text_pdf, ".pdf"),
    "docx": (F.docx_file, ".docx"),
    "html_gbk": (F.html_page, ".html"),
    "xlsx_form": (F.xlsx_form, ".xlsx"),
}


@pytest.fixture(scope="module", params=SAMPLES, ids=lambda p: p.name[:3])
def sample(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    text = request.param.read_text(encoding="utf-8")
    return text, facts(text)


@pytest.mark.parametrize("fmt", FORMATS)
def test_document_renderings_state_the_same_facts(sample, fmt):
    text, expected = sample
    build, suffix = FORMATS[fmt]
    decoded = read_document(build(text), suffix)
    assert decoded.error is None and normalise(decoded.text) == decoded.text
    assert facts(decoded.text) == expected
    money = parse_reports([ReportInput("r", "r" + suffix, decoded.text, spans=decoded.spans)])["money_facts"]
    assert money.height and money["source_locator"].is_not_null().all()
    if suffix == ".xlsx":  # each paragraph is a row merged across A:F
        assert money["source_locator"].str.contains(r"^A\d+:F\d+$").all()


# OCR is the costliest reading: the scan test runs on the two shortest samples, not all five.
OCR_SAMPLES = sorted(SAMPLES, key=lambda path: path.stat().st_size)[:2]


@pytest.mark.slow
@pytest.mark.parametrize("path", OCR_SAMPLES, ids=lambda p: p.name[:3])
def test_scanned_sample_states_the_same_facts_or_fewer(path: Path, request: pytest.FixtureRequest):
    text = path.read_text(encoding="utf-8")
    expected = facts(text)
    cache = Path(request.config.cache.mkdir("govperf-ocr"))
    decoded = read_document(F.scanned_pdf(text, dpi=200), ".pdf", cache_dir=cache, limits=Limits())
    assert decoded.error is None and all(note.endswith("OCR'd") for note in decoded.notes)
    got = facts(decoded.text)
    assert not different_facts(expected, got)
    assert len(got["money"]) >= 0.8 * len(expected["money"])


@pytest.mark.slow
def test_image_without_text_fails_with_a_reason(tmp_path: Path):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (1240, 1754), 255).save(buf, "PNG")
    decoded = read_document(buf.getvalue(), ".png", cache_dir=tmp_path)
    assert decoded.text is None and decoded.error.startswith("no text found")


def test_different_facts_flags_a_changed_figure_never_a_lost_one():
    expected = facts(SAMPLES[0].read_text(encoding="utf-8"))
    assert not different_facts(expected, expected)
    fewer = {**expected, "money": expected["money"][1:], "scores": []}
    assert not different_facts(expected, fewer)
    side, item, scope, amount = expected["money"][0]
    changed = {**expected, "money": [(side, item, scope, amount + 1), *expected["money"][1:]]}
    wrong = f"money {(side, item, scope)}: {(amount + 1,)} not stated in the text"
    assert different_facts(expected, changed) == [wrong]
    renamed = {**expected, "header": {**expected["header"], "fiscal_year": 1999}}
    assert different_facts(expected, renamed)[0].startswith("header fiscal_year")
