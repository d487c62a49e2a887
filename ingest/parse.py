"""Parse decoded reports into the staging frames of ``ingest.schema``.

``parse_report`` is pure and per report; ``parse_reports`` does the whole-text clean-up of a batch at
once (``ingest.text.normalise.clean_texts``, vectorised in polars), runs ``parse_report`` over the batch in
worker processes, each report under a time and memory budget (``ingest.runtime.pool``), and assembles one
polars frame per staging table.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from ingest import schema
from ingest.documents.grids import cell_spans
from ingest.documents.model import Span
from ingest.documents.provenance import locate
from ingest.facts.findings import extract_findings
from ingest.facts.forms import TableScores, budget_lines, department_form_money, form_score, form_staff, table_scores
from ingest.facts.header import Header, read_header
from ingest.facts.indicators import extract_indicators
from ingest.facts.money import Issue, extract_money, extract_rates, extract_staff, money_grid_facts
from ingest.facts.projects import form_projects, project_blocks, report_project
from ingest.facts.scores import ScoreFact, extract_deductions, extract_scores, prose_score_at
from ingest.facts.tables import VOCABULARY_PATTERN, report_tables, sections
from ingest.files.manifest import checked_values
from ingest.runtime.limits import DEFAULT_PARSE_LIMITS
from ingest.runtime.pool import Limits, run_limited
from ingest.schema import ReportInput
from ingest.text.normalise import clean_texts, join_paragraphs, simplified
from ingest.text.segment import lines_of
from ingest.text.segment import sections as segment_sections
from ingest.vocab import patterns as P

# Caps on one report: a self-evaluation report has a few hundred lines and figures; a text far
# beyond these is many reports in one file, or no report, and fails fast with the count.
MAX_LINES = 10_000
MAX_FIGURES = 3_000
MAX_CELLS = 50_000
# Anything that reads like a figure: "1,234.5万元", "95%", "90分". Tried only where a run of digits
# begins, so a long run with no unit is scanned once, not once per digit.
_FIGURE = re.compile(r"(?<![0-9.,])[0-9][0-9.,]*+\s*+(?:亿元|万元|元|%|分)", re.ASCII)
# What the table reader makes a cell of, counted before it runs: a pipe, a number, a column or field wording.
_CELL_MAKERS = re.compile(rf"\||(?<![0-9.,])[0-9]|{VOCABULARY_PATTERN.pattern}")


@dataclass
class ParsedReport:
    """Rows for every staging table, for one report."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))


def _issue_row(report_id: str, issue: Issue) -> dict[str, Any]:
    return {"report_id": report_id, "code": issue.code, "severity": issue.severity,
            "message": issue.message, "snippet": issue.snippet[:300], "source_start": issue.start}


class _Provenance:
    """Provenance columns of a fact, and a parse issue for each fact read from an unsure OCR line."""

    def __init__(self, report_id: str, text: str, spans: tuple[Span, ...] | None) -> None:
        self.report_id, self.text, self.spans = report_id, text, spans
        self.issues: list[dict[str, Any]] = []

    def __call__(self, start: int, end: int) -> dict[str, Any]:
        row: dict[str, Any] = {"source_text": self.text[start:end], "source_start": start, "source_end": end,
                               "source_page": None, "source_locator": None}
        if self.spans:
            where = locate(self.spans, start, end)
            row["source_page"], row["source_locator"] = where.page, where.locator
            if where.low_confidence:
                self.issues.append(_issue_row(self.report_id, Issue(
                    "low_ocr_confidence", "warn",
                    f"read by OCR with confidence {where.confidence:.2f} (page {where.page} "
                    f"{where.locator}); check it against the scan", self.text[start:end], start)))
        return row


def _failed(item: ReportInput, reason: str, header: Header | None = None) -> ParsedReport:
    parsed = ParsedReport()
    header = header or Header()
    parsed.rows["report_headers"].append(_header_row(item.report_id, header, "failed", reason, None))
    return parsed


def _header_row(report_id: str, header: Header, status: str, reason: str | None,
                chars: int | None) -> dict[str, Any]:
    return {
        "report_id": report_id, "title": header.title, "report_type": header.report_type,
        "fiscal_year": header.fiscal_year, "department_name": header.department_name,
        "department_type": header.department_type, "admin_level": header.admin_level,
        "province": header.province, "city": header.city, "county": header.county,
        "header_source": header.header_source, "evaluator_kind": header.evaluator_kind,
        "parse_status": status, "status_reason": reason, "text_chars": chars,
    }


def _is_performance_report(header: Header, text: str, has_facts: bool) -> bool:
    """A title naming a performance evaluation, or performance vocabulary together with stated facts."""
    if header.title and (P.TITLE_KEYWORDS.search(header.title) or P.REPORT_TITLE.search(header.title)):
        return True
    return has_facts and len(P.PERFORMANCE_VOCABULARY.findall(text)) >= 3


def _conflicts(report_id: str, text: str, keyed: dict[tuple, list[tuple[Decimal | None, int]]],
               what: str) -> list[dict[str, Any]]:
    """A parse issue for every key stated with different values in one report."""
    out = []
    for key, values in keyed.items():
        distinct = {v for v, _ in values if v is not None}
        if len(distinct) > 1:
            pos = values[0][1]
            out.append(_issue_row(report_id, Issue(
                f"conflicting_{what}", "warn",
                f"{'/'.join(str(k) for k in key)} stated with different values "
                f"{', '.join(str(v) for v in sorted(distinct))}; left NULL in the marts",
                text[pos:pos + 120], pos)))
    return out


def parse_report(item: ReportInput, cleaned: str | None = None) -> ParsedReport:
    """Parse one report into staging rows. Never raises on bad input: failures become rows.

    ``cleaned`` is ``clean_texts`` of the item's text when the caller cleaned a batch at once.
    """
    if item.failure or item.text is None:
        return _failed(item, item.failure or "no text")
    if (n_lines := item.text.count("\n") + 1) > MAX_LINES:
        return _failed(item, f"{n_lines} lines, over the {MAX_LINES} a report may have: split the file into reports")
    written = join_paragraphs(clean_texts([item.text])[0] if cleaned is None else cleaned)
    text = simplified(written)  # matched on; values are read from it, provenance from ``written``
    if not text.strip():
        return _failed(item, "empty file")
    if (n_figures := sum(1 for _ in _FIGURE.finditer(text))) > MAX_FIGURES:
        return _failed(item, f"{n_figures} figures, over the {MAX_FIGURES} a report may state: "
                             "split the file into reports")
    if (n_cells := sum(1 for _ in _CELL_MAKERS.finditer(text))) > MAX_CELLS:
        return _failed(item, f"{n_cells} table cells and numbers, over the {MAX_CELLS} a report may have: "
                             "split the file into reports")
    same_text = written == item.text
    spans = item.spans if item.spans and same_text else None
    lines = lines_of(text)
    found_sections = segment_sections(text, lines)
    manifest, manifest_problems = checked_values(item.manifest)
    documents = item.tables if same_text else ()
    if text is not written:
        documents = tuple(grid.with_text(simplified) for grid in documents)
    cells, grids = report_tables(text, lines, documents)
    if spans is not None and item.tables:
        spans = cell_spans(item.tables, spans)
    table_sections = [section for grid in grids for section in sections(grid)]
    header = read_header(text, lines, manifest, cells)
    blocks = project_blocks(cells, text)
    own = [s for s in table_sections if header.report_type == "project"
           or not any(a <= s.start < b for a, b in blocks)]
    grid_money, grid_rates = money_grid_facts(grids)
    money, issues = extract_money(text, header.report_type, grid_money, header.fiscal_year)
    measures = extract_rates(text, header.report_type, header.fiscal_year) + grid_rates + extract_staff(text)
    if header.report_type != "project":
        form_money, form_rates, form_issues = department_form_money(text, budget_lines(own))
        money, measures, issues = money + form_money, measures + form_rates, issues + form_issues
    measures += form_staff(cells, table_sections)
    field_score = form_score(cells)
    if field_score and prose_score_at(text, field_score.start):
        field_score = None  # a score worded as prose is the prose's to read (or reject)
    scores = _with_table_scores(extract_scores(text, header.report_type, header.fiscal_year), field_score,
                                table_scores(own))
    indicators = extract_indicators(text, found_sections, table_sections)
    findings = extract_findings(text, found_sections)
    if not _is_performance_report(header, text, bool(money or scores)):
        return _failed(item, "not a performance report: no title or figures of a budget-performance "
                             "self-evaluation were found", header)

    rid = item.report_id
    parsed = ParsedReport()
    rows = parsed.rows
    provenance = _Provenance(rid, written, spans)
    if item.spans and spans is None:
        rows["parse_issues"].append(_issue_row(rid, Issue(
            "provenance_unavailable", "warn", "document text changed on normalising; page and position "
            "of its facts are unknown", text[:120], 0)))
    rows["report_texts"].append({"report_id": rid, "normalised_text": written})
    for f in money:
        rows["money_facts"].append({
            "report_id": rid, "side": f.side, "item": f.item, "fund_scope": f.fund_scope,
            "amount_wan_yuan": f.amount_wan_yuan, "unit": f.unit, "amount_text": f.amount_text,
            **provenance(f.start, f.end)})
    for m in measures:
        rows["measure_facts"].append({"report_id": rid, "measure": m.measure, "value": m.value,
                                      "unit": m.unit, **provenance(m.start, m.end)})
    for s in scores:
        rows["score_facts"].append({"report_id": rid, "score_item": s.score_item, "score": s.score,
                                    "max_score": s.max_score, "rating": s.rating, "is_derived": s.is_derived,
                                    **provenance(s.start, s.end)})
    for ind in indicators:
        rows["indicator_facts"].append({
            "report_id": rid, "indicator_name": ind.name, "indicator_level1": ind.level1,
            "indicator_level2": ind.level2, "target_text": ind.target_text, "actual_text": ind.actual_text,
            "target_value": ind.target_value, "actual_value": ind.actual_value, "unit": ind.unit,
            "weight": ind.weight, "score": ind.score, "comparator": ind.comparator,
            "assumed_comparator": ind.assumed_comparator, "target_unit": ind.target_unit,
            "actual_unit": ind.actual_unit, **provenance(ind.start, ind.end)})
    for fd in findings:
        rows["findings"].append({"report_id": rid, "kind": fd.kind, "seq": fd.seq, "text": fd.text,
                                 "source_start": fd.start, "source_end": fd.end})
    for seq, (reason, start, end) in enumerate(extract_deductions(text), start=1):
        rows["findings"].append({"report_id": rid, "kind": "deduction_reason", "seq": seq, "text": reason,
                                 "source_start": start, "source_end": end})
    projects, project_issues = form_projects(text, cells, table_sections)
    if not projects and header.report_type == "project":
        narrative = report_project(header.title, header.title_start, header.department_name, text,
                                   money, measures, scores)
        projects = [narrative] if narrative else []
    for pr in projects:
        rows["project_facts"].append({
            "report_id": rid, "project_seq": pr.seq, "project_name": pr.project_name,
            "project_code": pr.project_code, "supervising_department": pr.supervising_department,
            "implementing_unit": pr.implementing_unit, "budget_initial_wan_yuan": pr.budget_initial,
            "budget_adjusted_wan_yuan": pr.budget_adjusted, "spend_wan_yuan": pr.spend,
            "execution_rate_pct": pr.execution_rate_pct, "score_total": pr.score_total, "rating": pr.rating,
            **provenance(pr.start, pr.end), "block_start": pr.block_start, "block_end": pr.block_end})
    rows["parse_issues"].extend(_issue_row(rid, i) for i in issues + project_issues)
    rows["parse_issues"].extend(provenance.issues)
    if header.place_issue:
        rows["parse_issues"].append(_issue_row(rid, Issue("region_unresolved", "warn", header.place_issue,
                                                          header.department_name or "", 0)))
    rows["parse_issues"].extend(_issue_row(rid, issue) for issue in header.issues)
    rows["parse_issues"].extend(_issue_row(rid, Issue("manifest_value_rejected", "warn", problem, "", 0))
                                for problem in manifest_problems)

    money_keys: dict[tuple, list[tuple[Decimal | None, int]]] = defaultdict(list)
    for f in money:
        money_keys[(f.side, f.item, f.fund_scope)].append((f.amount_wan_yuan, f.start))
    score_keys: dict[tuple, list[tuple[Decimal | None, int]]] = defaultdict(list)
    for s in scores:
        score_keys[(s.score_item,)].append((s.score, s.start))
    measure_keys: dict[tuple, list[tuple[Decimal | None, int]]] = defaultdict(list)
    for m in measures:
        measure_keys[(m.measure,)].append((m.value, m.start))
    rows["parse_issues"].extend(_conflicts(rid, text, money_keys, "figures"))
    rows["parse_issues"].extend(_conflicts(rid, text, score_keys, "scores"))
    rows["parse_issues"].extend(_conflicts(rid, text, measure_keys, "measures"))

    missing = _missing(header, found_sections, money, scores)
    for code, reason in missing:
        rows["parse_issues"].append(_issue_row(rid, Issue(code, "warn", reason, text[:120], 0)))
    _drop_out_of_range(rid, rows)
    reasons = [reason for _, reason in missing] + _headline_conflicts(money_keys, score_keys, measure_keys)
    status = "partial" if reasons else "ok"
    rows["report_headers"].append(_header_row(rid, header, status, "; ".join(reasons) or None, len(text)))
    return parsed


def _with_table_scores(scores: list[ScoreFact], field: ScoreFact | None, table: TableScores) -> list[ScoreFact]:
    """The prose's scores with what the forms state: a score field, then the total row of a score
    table where no total is stated otherwise; the table's rating where none is; its parts where the
    prose states none of that part."""
    if field:
        scores.append(field)
    if table.total and not any(s.score_item == "total" and s.score is not None for s in scores):
        scores = [s for s in scores if s.score_item != "total"]
        scores.insert(0, table.total)
    if table.rating and not any(s.rating for s in scores):
        rating, start, end = table.rating
        first = next((i for i, s in enumerate(scores) if s.score_item == "total"), None)
        if first is None:
            scores.insert(0, ScoreFact("total", None, None, rating, False, start, end))
        else:
            s = scores[first]
            scores[first] = ScoreFact(s.score_item, s.score, s.max_score, rating, s.is_derived, s.start, s.end)
    stated = {s.score_item for s in scores}
    return scores + [p for p in table.parts if p.score_item not in stated]


# The keys behind the marts' headline figures, and how a reason names them.
_HEADLINES = {
    ("money", ("budget", "total", "all_funds")): "budget total",
    ("money", ("spend", "total", "all_funds")): "spend total",
    ("score", ("total",)): "total score",
    ("measure", ("execution_rate_pct",)): "execution rate",
}


def _headline_conflicts(money_keys: dict, score_keys: dict, measure_keys: dict) -> list[str]:
    """A reason for every headline figure left NULL because the report states it with different values."""
    keyed = {"money": money_keys, "score": score_keys, "measure": measure_keys}
    out = []
    for (kind, key), label in _HEADLINES.items():
        values = sorted({v for v, _ in keyed[kind].get(key, []) if v is not None})
        if len(values) > 1:
            out.append(f"conflicting {label}: stated as {', '.join(str(v) for v in values)}; "
                       "left NULL, check the report")
    return out


def _fits(value: Any, dtype: pl.DataType) -> bool:
    """Whether a figure fits its staging column (a DECIMAL(p, s) holds p - s digits before the point)."""
    if not isinstance(value, Decimal) or not isinstance(dtype, pl.Decimal):
        return True
    return value.is_finite() and (value.is_zero() or value.adjusted() < dtype.precision - (dtype.scale or 0))


def _drop_out_of_range(report_id: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Leave out every fact with a figure too large for its column, each with a parse issue."""
    for table, columns in schema.STAGING_TABLES.items():
        kept = []
        for row in rows.get(table, []):
            bad = next((c for c, dtype in columns.items() if not _fits(row.get(c), dtype)), None)
            if bad is None:
                kept.append(row)
                continue
            dtype = columns[bad]
            assert isinstance(dtype, pl.Decimal)
            stated = str(row.get("amount_text") or row[bad])
            shown = stated if len(stated) <= 40 else stated[:40] + "…"
            rows["parse_issues"].append(_issue_row(report_id, Issue(
                "figure_out_of_range", "warn",
                f"{table} {bad} {shown} has more than {dtype.precision - (dtype.scale or 0)} digits before "
                "the point; that figure is left out", row.get("source_text") or "", row.get("source_start") or 0)))
        if table in rows:
            rows[table] = kept


def _missing(header: Header, found_sections: list, money: list, scores: list) -> list[tuple[str, str]]:
    """(issue code, reason) for what an expected report states that this one does not (each reason actionable)."""
    missing = []
    if header.department_name is None:
        missing.append(("missing_department",
                        "no department name in the title, form fields or body; add it to manifest.csv"))
    if header.fiscal_year is None:
        missing.append(("missing_fiscal_year", "no fiscal year in the title or body; add it to manifest.csv"))
    if not money:
        missing.append(("missing_money_figures", "no budget, revenue or spend figure found"))
    kinds = {s.kind for s in found_sections}
    if "self_evaluation" not in kinds and not scores:
        missing.append(("missing_self_evaluation",
                        "no self-evaluation section or score found (the report may be truncated)"))
    return missing


def _frames(parsed: Iterable[ParsedReport]) -> dict[str, pl.DataFrame]:
    merged: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for report in parsed:
        for table, rows in report.rows.items():
            merged[table].extend(rows)
    return {name: schema.frame(merged.get(name, []), cols) for name, cols in schema.STAGING_TABLES.items()}


def _safe_parse(job: tuple[ReportInput, str | None]) -> ParsedReport:
    """``parse_report`` of ``(item, cleaned text)`` that turns an unexpected parser error into a failed
    row, never an exception."""
    item, cleaned = job
    try:
        return parse_report(item, cleaned)
    except Exception as exc:
        return _failed(item, f"parser error: {type(exc).__name__}: {exc}")


def _jobs(batch: list[ReportInput]) -> list[tuple[ReportInput, str | None]]:
    """Each report with its text cleaned: the readable ones' whole-text pass done at once."""
    readable = [i for i, item in enumerate(batch) if item.failure is None and item.text is not None]
    cleaned: list[str | None] = [None] * len(batch)
    for i, text in zip(readable, clean_texts([batch[i].text or "" for i in readable]), strict=True):
        cleaned[i] = text
    return list(zip(batch, cleaned, strict=True))


def parse_reports(
    inputs: Iterable[ReportInput],
    workers: int | None = None,
    limits: Limits | None = DEFAULT_PARSE_LIMITS,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, pl.DataFrame]:
    """Parse a batch of reports; one frame per table of ``schema.STAGING_TABLES``.

    The batch's texts are cleaned at once (``clean_texts``); reports with text are then parsed in
    ``workers`` processes (default: one per CPU), each under ``limits`` (the refresh passes its
    settings' ``parse_limits``; default 120 s and 2048 MB): a report that runs out of time or memory is
    ``failed`` with ``parse exceeded 120 s`` (or ``… MB``) and the batch goes on. ``limits=None`` parses
    in this process, unguarded (tests, benchmarks).
    ``on_progress(done, total)`` counts the reports sent to workers.
    """
    jobs = _jobs(list(inputs))
    if limits is None:
        return _frames(_safe_parse(job) for job in jobs)
    readable = [i for i, (_, cleaned) in enumerate(jobs) if cleaned is not None]
    parsed = {i: _safe_parse(job) for i, job in enumerate(jobs) if job[1] is None}
    jobs_in = [jobs[i] for i in readable]
    for outcome in run_limited(_safe_parse, jobs_in, limits, workers, on_progress, preload=["ingest.warm"]):
        i = readable[outcome.index]
        parsed[i] = outcome.value if outcome.value is not None else _failed(jobs[i][0], outcome.failure or "")
    return _frames(parsed[i] for i in range(len(jobs)))
