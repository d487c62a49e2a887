"""Metamorphic test at the facts level: a generated 自评表 (``fixtures.forms``) rendered as pipe text,
flattened text, text PDF, DOCX, XLSX, XLS and a GBK web page, read and parsed as a refresh does, states
the generator's ground truth in every rendering: department, fiscal year, budget, spend, execution rate,
total score, rating, score parts, staff counts, the project's figures, every indicator's target, result,
comparator and whether it is met. A fact a rendering does not state is NULL with a parse issue saying so;
no rendering may give a different value. The slow tier reads scans (OCR) and runs one real refresh,
checking the published marts themselves. The harness is ``tests/form_facts.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.cli.refresh import run_refresh
from dagster_project.warehouse.settings import Settings
from fixtures import formats
from fixtures.forms import FAMILIES, make_form
from tests.form_facts import FAST_RENDERINGS, Score, expected, read_forms, rendered, warehouse_reads

SEEDS = (0, 1, 2, 3)
FORMS = [make_form(family, seed) for family in FAMILIES for seed in SEEDS]


@pytest.fixture(scope="module")
def reads() -> tuple[list[tuple[str, object, bytes]], dict]:
    """Every form of ``FORMS`` in every fast rendering, read in one batch."""
    files = rendered(FORMS, FAST_RENDERINGS)
    return files, read_forms([(name, data) for name, _, data in files])


@pytest.mark.parametrize("rendering", FAST_RENDERINGS)
def test_every_rendering_states_the_ground_truth(reads, rendering):
    files, found = reads
    score = Score()
    for name, form, _ in files:
        if name.rsplit(".", 1)[0].endswith(f"-{rendering}"):
            score.add(name, form, rendering, found[name])
    assert score.total > 200
    assert not score.wrongs, score.wrongs
    assert not score.misses, score.misses
    assert not score.extra, score.extra


def test_a_fact_the_rendering_does_not_state_is_null_with_a_parse_issue(reads):
    """A scoring table alone in a workbook names no department: NULL, and the report says why."""
    files, found = reads
    checked = 0
    for name, form, _ in files:
        rendering = name.rsplit(".", 1)[0].rsplit("-", 1)[1]
        if expected(form, rendering)["department_name"] is None:
            read = found[name]
            assert read.row["department_name"] is None
            assert any(i["code"] == "missing_department" for i in read.issues), read.issues
            checked += 1
    assert checked >= len(SEEDS) * 2


def test_the_forms_cover_the_variants_that_matter():
    """The forms under test include both money units, every unit position, titles inside and outside the
    ruling, two-page PDFs, wrapped cells, texts as targets, stated and unstated comparators, met and missed
    indicators, both scoring frameworks and ratings stated and not."""
    facts = [f.facts for f in FORMS]
    assert {f.unit for f in facts} >= {"元", "万元"}
    assert {f.unit_position for f in FORMS} >= {"block", "column", "above", "caption", "group"}
    assert {f.title_in_table for f in FORMS} == {True, False}
    assert any(c.wrap for f in FORMS for c in f.grid.cells)
    indicators = [i for f in facts for i in f.indicators]
    assert any(i.comparator is None for i in indicators)
    assert {i.target.startswith(("≥", "≤", "=")) for i in indicators} == {True, False}
    assert {i.points == i.max_points for i in indicators} == {True, False}
    assert {f.parts[0][0] for f in facts if f.parts} >= {"履职效能", "部门决策"}
    assert {f.rating is None for f in facts} == {True, False}


def test_workbook_rates_are_fractions_shown_as_percentages():
    """The workbooks store a rate as the fraction a spreadsheet keeps (0.9833 in a 0.00% format), and the
    reader gives it as the sheet shows it."""
    import io

    import openpyxl

    form = make_form("department", 0)
    sheet = openpyxl.load_workbook(io.BytesIO(formats.xlsx_file(form))).active
    rates = [c for row in sheet.iter_rows() for c in row
             if isinstance(c.value, float) and c.number_format.endswith("%")]
    assert rates and all(0 < c.value <= 1 for c in rates)


# ---------------------------------------------------------------- slow tier

# OCR costs several CPU-seconds a page: two forms (one over two pages), read with the persistent OCR cache
# the reader-level test fills (tests/test_forms_renderings.py).
SCANNED = (("project", 0), ("sichuan", 0))


@pytest.mark.slow
@pytest.mark.parametrize("family, seed", SCANNED)
def test_a_scanned_form_states_the_ground_truth_or_says_what_it_missed(family, seed, request):
    """A scan (OCR) gives no different value; a fact it misses is NULL with a parse issue (a fact read
    from an unsure OCR box carries one too)."""
    form = make_form(family, seed)
    data, suffix = formats.render(form, "scan")
    cache = Path(request.config.cache.mkdir("govperf-ocr"))
    name = f"{family}-{seed}-scan{suffix}"
    read = read_forms([(name, data)], ocr_cache=cache)[name]
    score = Score()
    score.add(name, form, "scan", read)
    assert not score.wrongs, score.wrongs
    assert not score.extra, score.extra
    assert score.right >= 0.8 * score.total, score.misses
    if score.misses:
        assert read.issues, score.misses


@pytest.mark.slow
def test_a_refresh_publishes_the_ground_truth_of_every_rendering(tmp_path):
    """One real refresh (ingest → parse → dbt → checks → publish) over a form of each family in every fast
    rendering (another form in each: a project is one row of ``fct_project`` whichever report states it):
    the marts (``mart_report``, ``fct_project``, ``fct_indicators``, ``fct_scores``) state the ground truth.
    ``fct_project`` names the 主管部门 only, so the 实施单位 is not compared there."""
    raw = tmp_path / "raw"
    raw.mkdir()
    files = [file for n, rendering in enumerate(FAST_RENDERINGS)
             for file in rendered([make_form(family, 20 + n) for family in FAMILIES], (rendering,))]
    for name, _, data in files:
        (raw / name).write_bytes(data)
    outcome = run_refresh(Settings.resolve(raw_dir=raw, warehouse=tmp_path / "warehouse.duckdb"))
    assert outcome.published, "\n".join(outcome.errors)
    found = warehouse_reads(outcome.settings.warehouse)
    score = Score()
    for name, form, _ in files:
        rendering = name.rsplit(".", 1)[0].rsplit("-", 1)[1]
        score.add(name, form, rendering, found[name], ignore=frozenset({"project.implementing"}))
    assert not score.wrongs, score.wrongs
    assert not score.misses, score.misses
