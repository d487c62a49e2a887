"""Pure helpers that turn query results into links, numbers and HTML for the dashboard (no Streamlit here)."""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from urllib.parse import urlencode

import pandas as pd

# One number format everywhere: amounts, rates and scores with two decimals and thousands separators,
# counts and ranks as whole numbers, years as written.
DECIMAL_FORMAT, COUNT_FORMAT = "{:,.2f}", "{:,.0f}"
COUNT_SUFFIXES = ("_count", "_rank", "reports", "indicators", "department_years")
COUNT_COLUMNS = {"staff_authorized", "staff_in_service", "staff_retired", "source_start", "source_end"}
YEAR_COLUMNS = {"fiscal_year", "previous_year"}


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' NA."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def cell(value: object) -> str:
    """A value as table text; '' when missing (NULL arrives from pandas as None, NaN or NA)."""
    return "" if is_missing(value) else str(value)


def column_kind(column: str) -> str:
    """How a column's numbers are shown: ``year``, ``count`` or ``decimal``."""
    if column in YEAR_COLUMNS:
        return "year"
    if column in COUNT_COLUMNS or column.endswith(COUNT_SUFFIXES):
        return "count"
    return "decimal"


def number(value: object, kind: str = "decimal") -> str:
    """A figure in the dashboard's one format ('' when missing): ``decimal`` 1,234.50; ``count`` 1,234;
    ``year`` 2023."""
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return str(value)
    if kind == "year":
        return str(int(value))  # type: ignore[call-overload]
    if kind == "count":
        return COUNT_FORMAT.format(int(value))  # type: ignore[call-overload]
    return DECIMAL_FORMAT.format(Decimal(str(value)))


def signed(value: object, kind: str = "decimal") -> str:
    """A change with its sign (+1.50, −2.00); '' when missing."""
    if is_missing(value):
        return ""
    shown = number(abs(Decimal(str(value))), kind)
    return f"+{shown}" if Decimal(str(value)) > 0 else (f"−{shown}" if Decimal(str(value)) < 0 else shown)


def formats(columns: Sequence[str]) -> dict[str, str]:
    """pandas Styler formats {column: format} for numeric display columns (by :func:`column_kind`)."""
    chosen = {}
    for column in columns:
        kind = column_kind(column)
        chosen[column] = "{:.0f}" if kind == "year" else (COUNT_FORMAT if kind == "count" else DECIMAL_FORMAT)
    return chosen


def page_url(page: str, lang: str, **params: object) -> str:
    """A relative link to a dashboard page (query string only), keeping the language."""
    query = {"page": page, "lang": lang, **{k: str(v) for k, v in params.items() if not is_missing(v)}}
    return "?" + urlencode(query)


def source_url(lang: str, report_id: str, *, fact_id: str | None = None, value: object = None, **params: object) -> str:
    """Link to the source page: one fact (or several, comma-joined) by id, else the sentences of a
    report that state ``value``."""
    if fact_id is not None:
        return page_url("source", lang, report=report_id, fact=fact_id, **params)
    return page_url("source", lang, report=report_id, value=str(value), **params)


def linked_text(label: str, url: str) -> str:
    """An HTML provenance link showing ``label`` that leads to ``url``; '' for an empty label."""
    if not label:
        return ""
    return f'<a class="provenance" href="{html.escape(url)}" target="_self">{html.escape(label)}</a>'


def linked_number(value: object, url: str, kind: str = "decimal") -> str:
    """An HTML link showing ``value`` that leads to ``url``; '' when the value is missing."""
    return "" if is_missing(value) else linked_text(number(value, kind), url)


def html_table(rows: Sequence[Mapping[str, str]], headers: Mapping[str, str], raw: set[str] = frozenset()) -> str:
    """An HTML table of ``rows`` with ``headers`` {column: title}; columns in ``raw`` are already HTML."""
    head = "".join(f"<th>{html.escape(title)}</th>" for title in headers.values())
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{row.get(col, '') if col in raw else html.escape(str(row.get(col, '')))}</td>" for col in headers
        )
        + "</tr>"
        for row in rows
    )
    return f'<table class="govperf"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def highlight(text: str, needle: str) -> str:
    """``text`` as HTML with the first occurrence of ``needle`` marked (``<mark>``)."""
    at = text.find(needle) if needle else -1
    if at < 0:
        return html.escape(text)
    end = at + len(needle)
    return f"{html.escape(text[:at])}<mark>{html.escape(needle)}</mark>{html.escape(text[end:])}"


def local_time(utc: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    """A UTC timestamp (naive = UTC, as the refresh log stores it) in local time with its zone, to the
    second: ``2026-01-02 11:04:05 CST (UTC+08:00)``; ``zone`` defaults to the machine's."""
    aware = utc.replace(tzinfo=dt.UTC) if utc.tzinfo is None else utc
    local = aware.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()} (UTC{offset[:3]}:{offset[3:]})"
