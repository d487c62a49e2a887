"""The parser's input record (:class:`ReportInput`) and the Polars schemas of the staging tables it
writes (DuckDB schema ``raw``).

dbt reads these tables as sources; keep this module, ``dbt/models/staging/_sources.yml`` and
``docs/staging.md`` in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from ingest.documents.grids import Grid
from ingest.documents.model import Span

MONEY = pl.Decimal(20, 6)
PCT = pl.Decimal(9, 4)
SCORE = pl.Decimal(6, 2)

PROVENANCE: dict[str, pl.DataType] = {
    "source_text": pl.String(),
    "source_start": pl.Int64(),
    "source_end": pl.Int64(),
    "source_page": pl.String(),
    "source_locator": pl.String(),
}

RAW_REPORTS: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "source_file": pl.String(),
    "content_sha256": pl.String(),
    "size_bytes": pl.Int64(),
    "file_kind": pl.String(),
    "encoding": pl.String(),
    "decode_error": pl.String(),
    "duplicate_of": pl.String(),
    "ingested_at": pl.Datetime("us"),
    "is_removed": pl.Boolean(),
}

REPORT_HEADERS: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "title": pl.String(),
    "report_type": pl.String(),
    "fiscal_year": pl.Int32(),
    "department_name": pl.String(),
    "department_type": pl.String(),
    "admin_level": pl.String(),
    "province": pl.String(),
    "city": pl.String(),
    "county": pl.String(),
    "header_source": pl.String(),
    "evaluator_kind": pl.String(),
    "parse_status": pl.String(),
    "status_reason": pl.String(),
    "text_chars": pl.Int64(),
}

REPORT_TEXTS: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "normalised_text": pl.String(),
}

MONEY_FACTS: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "side": pl.String(),
    "item": pl.String(),
    "fund_scope": pl.String(),
    "amount_wan_yuan": MONEY,
    "unit": pl.String(),
    "amount_text": pl.String(),
    **PROVENANCE,
}

MEASURE_FACTS: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "measure": pl.String(),
    "value": MONEY,
    "unit": pl.String(),
    **PROVENANCE,
}

SCORE_FACTS: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "score_item": pl.String(),
    "score": SCORE,
    "max_score": SCORE,
    "rating": pl.String(),
    "is_derived": pl.Boolean(),
    **PROVENANCE,
}

INDICATOR_FACTS: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "indicator_name": pl.String(),
    "indicator_level1": pl.String(),
    "indicator_level2": pl.String(),
    "target_text": pl.String(),
    "actual_text": pl.String(),
    "target_value": MONEY,
    "actual_value": MONEY,
    "unit": pl.String(),
    "weight": SCORE,
    "score": SCORE,
    "comparator": pl.String(),
    "assumed_comparator": pl.String(),
    "target_unit": pl.String(),
    "actual_unit": pl.String(),
    **PROVENANCE,
}

PROJECT_FACTS: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "project_seq": pl.Int32(),
    "project_name": pl.String(),
    "project_code": pl.String(),
    "supervising_department": pl.String(),
    "implementing_unit": pl.String(),
    "budget_initial_wan_yuan": MONEY,
    "budget_adjusted_wan_yuan": MONEY,
    "spend_wan_yuan": MONEY,
    "execution_rate_pct": PCT,
    "score_total": SCORE,
    "rating": pl.String(),
    **PROVENANCE,
    "block_start": pl.Int64(),
    "block_end": pl.Int64(),
}

FINDINGS: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "kind": pl.String(),
    "seq": pl.Int32(),
    "text": pl.String(),
    "source_start": pl.Int64(),
    "source_end": pl.Int64(),
}

PARSE_ISSUES: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "code": pl.String(),
    "severity": pl.String(),
    "message": pl.String(),
    "snippet": pl.String(),
    "source_start": pl.Int64(),
}

STAGING_TABLES: dict[str, dict[str, pl.DataType]] = {
    "report_headers": REPORT_HEADERS,
    "report_texts": REPORT_TEXTS,
    "money_facts": MONEY_FACTS,
    "measure_facts": MEASURE_FACTS,
    "score_facts": SCORE_FACTS,
    "indicator_facts": INDICATOR_FACTS,
    "project_facts": PROJECT_FACTS,
    "findings": FINDINGS,
    "parse_issues": PARSE_ISSUES,
}


def empty_frame(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """An empty frame with the given schema."""
    return pl.DataFrame(schema=schema)


def frame(rows: list[dict], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Rows (dicts) as a frame with exactly ``schema``'s columns and types."""
    if not rows:
        return empty_frame(schema)
    return pl.DataFrame(rows, schema=schema, strict=False)


@dataclass(frozen=True)
class ReportInput:
    """One report to parse: decoded ``text``, or ``failure`` saying why it could not be read;
    ``spans`` map the (already normalised) text of a document back to its pages (None for text);
    ``tables`` are the document's tables as grids placed in that text."""

    report_id: str
    source_file: str
    text: str | None
    failure: str | None = None
    manifest: Mapping[str, str] | None = None
    spans: tuple[Span, ...] | None = None
    tables: tuple[Grid, ...] = ()
