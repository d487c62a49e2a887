"""Parse decoded reports into the staging frames of ``ingest.schema`` (interface; engine in progress)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from ingest import schema


@dataclass(frozen=True)
class ReportInput:
    """One report to parse: decoded ``text``, or ``failure`` saying why it could not be read."""

    report_id: str
    source_file: str
    text: str | None
    failure: str | None = None
    manifest: Mapping[str, str] | None = None


def parse_reports(inputs: Iterable[ReportInput]) -> dict[str, pl.DataFrame]:
    """Parse a batch of reports; one frame per table of ``schema.STAGING_TABLES``."""
    headers = []
    for item in inputs:
        failed = item.failure is not None or item.text is None
        headers.append(
            {
                "report_id": item.report_id,
                "parse_status": "failed" if failed else "partial",
                "status_reason": item.failure if failed else "parser not implemented",
                "report_type": "other",
            }
        )
    out = {name: schema.empty_frame(cols) for name, cols in schema.STAGING_TABLES.items()}
    out["report_headers"] = schema.frame(headers, schema.REPORT_HEADERS)
    return out
