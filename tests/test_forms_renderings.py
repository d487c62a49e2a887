"""Metamorphic tests at the reader level: a generated 自评表 rendered as text, text PDF, scanned PDF, DOCX,
XLSX, XLS and a GBK web page reads back as the same table grid (cells after expanding merges) as the
generator intended, with the title and the year line outside the table, and every cell placed."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from fixtures import formats
from fixtures.forms import FAMILIES, Form, make_form
from ingest.documents import Limits, read_document
from ingest.documents.model import Block, Document

SEEDS = (0, 1, 2)
EXACT_RENDERINGS = ("txt", "pdf", "docx", "xlsx", "xls", "html")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def cell_key(text: str) -> str:
    """A cell compared across formats: whitespace dropped (wrapping), a plain number by its value (a
    spreadsheet stores 1234.50 as the number 1234.5)."""
    text = "".join(text.split())
    return format(Decimal(text).normalize(), "f") if _NUMBER.fullmatch(text) else text


def intended(form: Form) -> list[list[str]]:
    return [[cell_key(c) for c in row] for row in form.grid.expanded()]


def tables(document: Document) -> list[Block]:
    return [b for page in document.pages for b in page.blocks if b.kind == "table"]


def read(form: Form, rendering: str, **kwargs) -> Document:
    data, suffix = formats.render(form, rendering)
    decoded = read_document(data, suffix, **kwargs)
    assert decoded.error is None and decoded.document is not None
    return decoded.document


@pytest.fixture(scope="module", params=[(f, s) for f in FAMILIES for s in SEEDS], ids=lambda p: f"{p[0]}-{p[1]}")
def form(request: pytest.FixtureRequest) -> Form:
    return make_form(*request.param)


@pytest.mark.parametrize("rendering", EXACT_RENDERINGS)
def test_every_rendering_reads_back_as_the_intended_grid(form: Form, rendering: str):
    document = read(form, rendering)
    found = tables(document)
    assert len(found) == 1, [len(t.rows) for t in found]
    assert [[cell_key(c) for c in row.cells] for row in found[0].rows] == intended(form)
    paragraphs = [line for page in document.pages for b in page.blocks if b.kind != "table"
                  for line in b.text.split("\n")]
    assert f"({form.facts.fiscal_year}年度)" in paragraphs  # the year alone under the title, outside the table
    assert form.heading[0] in paragraphs
    assert_cells_placed(found[0], rendering)


def assert_cells_placed(table: Block, rendering: str) -> None:
    """Every cell has a place: in a PDF a box within its row's columns (a merged cell's box may reach
    above or below its row, never beside it); in a sheet its reference or merged range, on its row."""
    for row in table.rows:
        assert len(row.cell_provs) == len(row.cells)
    if rendering == "pdf":
        for row in table.rows:
            page, box = row.prov.page, _box(row.prov.locator)
            for prov in row.cell_provs:  # a merged cell's box reaches beyond its row, never beside it
                cell = _box(prov.locator)
                assert prov.page is not None and box[0] - 1 <= cell[0] < cell[2] <= box[2] + 1
                if prov.page == page:
                    assert cell[1] <= box[3] and cell[3] >= box[1]
    if rendering in ("xlsx", "xls"):
        for row in table.rows:
            row_no = re.search(r"\d+", row.prov.locator).group()
            for prov in row.cell_provs:
                assert re.fullmatch(r"[A-Z]+\d+(:[A-Z]+\d+)?", prov.locator)
                first, _, last = prov.locator.partition(":")
                rows = [int(re.search(r"\d+", ref).group()) for ref in (first, last or first)]
                assert rows[0] <= int(row_no) <= rows[1]


def _box(locator: str) -> tuple[float, ...]:
    return tuple(float(v) for v in locator.removeprefix("bbox(").removesuffix(")").split(","))


def test_the_seeds_cover_the_layouts_that_matter():
    """The forms under test include PDFs over two pages (with and without a repeated first row), titles
    inside and outside the ruling, both ways of drawing borders, 元 and 万元, and every unit position."""
    chosen = [make_form(f, s) for f in FAMILIES for s in SEEDS]
    long_pdfs = [f for f in chosen if _pages(formats.text_pdf(f)) > 1]
    assert {f.seed % 2 == 0 for f in long_pdfs} == {True, False}
    assert {f.title_in_table for f in chosen} == {True, False}
    assert {f.ruling for f in chosen} == {"lines", "rects"}
    assert {f.facts.unit for f in chosen} >= {"元", "万元"}
    assert {f.unit_position for f in chosen} >= {"block", "column", "above", "caption", "group"}


def _pages(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def test_a_table_over_a_page_break_is_one_table_and_a_cut_block_label_carries_on():
    """Two-page forms read as one table with rows on both pages, the repeated first row not read twice,
    and a block label cut by the break (drawn only above it) filled into its rows below."""
    cut = 0
    for form in (make_form(f, s) for f in ("project", "department") for s in range(8)):
        if _pages(formats.text_pdf(form)) < 2:
            continue
        table = tables(read(form, "pdf"))[0]
        assert {row.prov.page for row in table.rows} == {"1", "2"}
        assert [[cell_key(c) for c in row.cells] for row in table.rows] == intended(form)
        cut += any(row.prov.page == "2" and row.cell_provs[0].page == "1" for row in table.rows)
    assert cut >= 1


def test_ground_truth_figures_stand_in_the_grid():
    """The facts the generator returns are the cells of its grid: budget and spend in the total row,
    the total score after the maximum in the 总分 row, the rating beside 自评等级, every indicator's target
    and result on its row."""
    for family in FAMILIES:
        for seed in SEEDS:
            form = make_form(family, seed)
            grid, facts = form.grid.expanded(), form.facts
            cells = {c for row in grid for c in row}
            for value in (facts.budget, facts.spend):
                if value is not None:
                    assert f"{value:.2f}" in cells
            if facts.execution_rate is not None:
                assert f"{facts.execution_rate:.2f}%" in cells
            total_row = next((row for row in grid if row[0] == "总分"), None)
            if facts.total_score is not None:
                values = [c for c in total_row if c not in ("总分", "/")]
                assert values[0] == "100" and Decimal(values[1]) == facts.total_score
            rating_row = next((row for row in grid if row[0] == "自评等级"), None)
            assert (rating_row[-1] if rating_row else None) == facts.rating
            for item in facts.indicators:
                row = next(row for row in grid if item.name in row)
                assert (item.target in row or str(item.target_value) in row) and \
                    (item.actual in row or str(item.actual_value) in row)
            assert not any(ch.isdigit() for line in form.prose[1:] for ch in line)  # the prose states no figure


def test_generation_is_deterministic_and_departments_vary():
    assert make_form("department", 7) == make_form("department", 7)
    names = {make_form(f, s).facts.department for f in FAMILIES for s in range(10)}
    assert len(names) >= 45


def test_flattened_text_lists_each_cell_once_in_reading_order():
    form = make_form("sichuan", 1)
    lines = formats.txt_flat(form).decode("utf-8").splitlines()
    cells = [c.text for r in range(form.grid.n_rows) for c in form.grid.row_cells(r) if c.text]
    start = lines.index(cells[0])
    assert lines[start:start + len(cells)] == cells


# OCR is the costliest reading: two scanned forms, one over two pages, read with a persistent OCR cache.
SCANNED = (("project", 0), ("sichuan", 0))
_PUNCT = re.compile(r"[()（）:：,，。、;；]")


@pytest.mark.slow
@pytest.mark.parametrize("family, seed", SCANNED)
def test_scanned_form_reads_back_as_the_grid_or_flags_what_ocr_missed(family, seed, request):
    """A scan keeps the grid's shape; each cell is the intended text (OCR may drop brackets and commas)
    or empty or flagged low-confidence, never a confident different value; and 95 % of cells are exact."""
    form = make_form(family, seed)
    cache = Path(request.config.cache.mkdir("govperf-ocr"))
    document = read(form, "scan", cache_dir=cache, limits=Limits())
    assert all(note.endswith("OCR'd") for note in document.notes)
    found = tables(document)
    assert len(found) == 1
    want = intended(form)
    rows = found[0].rows
    assert [len(row.cells) for row in rows] == [len(row) for row in want]
    equal = total = 0
    for row, expected in zip(rows, want, strict=True):
        for text, prov, cell in zip(row.cells, row.cell_provs, expected, strict=True):
            got = _PUNCT.sub("", unicodedata.normalize("NFKC", cell_key(text)))
            total += 1
            if got == _PUNCT.sub("", unicodedata.normalize("NFKC", cell)):
                equal += 1
            else:
                assert got == "" or prov.low_confidence, (text, cell, prov)
    assert equal >= 0.95 * total
