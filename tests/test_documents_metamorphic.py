"""Metamorphic tests: a sample report published as PDF, DOCX, HTML, an XLSX form or a scan states
the same facts as its text (a scan: the same or fewer, never a different number)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fixtures import documents as F
from ingest.documents import Limits, read_document
from ingest.parse import ReportInput, parse_reports
from ingest.text.normalise import normalise
from tests.test_parser_variants import SAMPLES, facts

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


def _keyed(rows: list[tuple], n_key: int) -> dict[tuple, set]:
    out: dict[tuple, set] = {}
    for row in rows:
        out.setdefault(row[:n_key], set()).add(row[n_key:])
    return out


# Header fields that OCR may change by one misread character (部内 for 部门 in a title) and that
# a manifest.csv row corrects; every other header field must be the text's or NULL.
OCR_TOLERATED_HEADER = frozenset({"department_name", "department_type", "parse_status", "status_reason"})


def assert_never_a_different_fact(expected: dict[str, Any], got: dict[str, Any]) -> None:
    """Every figure read from the scan is one the text states (OCR may lose facts, never change them);
    header fields are equal or NULL except the names OCR may misspell."""
    for field, value in got["header"].items():
        if field not in OCR_TOLERATED_HEADER:
            assert value is None or value == expected["header"][field], field
    # Indicator names are free text OCR may misspell: their figures are compared without the name.
    for kind, n_key in (("money", 3), ("measures", 1), ("scores", 1), ("indicators", 1)):
        want = _keyed([row[n_key:] if kind == "indicators" else row for row in expected[kind]],
                      0 if kind == "indicators" else n_key)
        have = _keyed([row[n_key:] if kind == "indicators" else row for row in got[kind]],
                      0 if kind == "indicators" else n_key)
        for key, values in have.items():
            assert key in want, f"{kind}: {key} not stated in the text"
            for value in values:
                assert _covered(value, want[key]), f"{kind} {key}: {value} not stated in the text"


def _covered(value: tuple, stated: set[tuple]) -> bool:
    """``value`` equals a stated tuple where it is not NULL."""
    return any(all(v is None or v == s for v, s in zip(value, row, strict=True)) for row in stated)


# OCR costs ~12 CPU-s a page here: the scan test runs on the two shortest samples (~25 s), not all five.
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
    assert_never_a_different_fact(expected, got)
    assert len(got["money"]) >= 0.8 * len(expected["money"])


@pytest.mark.slow
def test_image_without_text_fails_with_a_reason(tmp_path: Path):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (1240, 1754), 255).save(buf, "PNG")
    decoded = read_document(buf.getvalue(), ".png", cache_dir=tmp_path)
    assert decoded.text is None and decoded.error.startswith("no text found")
