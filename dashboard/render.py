"""Pure helpers that turn query results into links and HTML for the dashboard (no Streamlit here)."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from urllib.parse import urlencode

import pandas as pd


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' NA."""
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def cell(value: object) -> str:
    """A value as table text; '' when missing (NULL arrives from pandas as None, NaN or NA)."""
    return "" if is_missing(value) else str(value)


def number(value: object) -> str:
    """A figure as text with thousands separators and no trailing zeros; '' when missing."""
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    exact = Decimal(str(value)).quantize(Decimal("0.000001")).normalize()
    if exact == exact.to_integral():
        return f"{exact:,.0f}"
    return f"{exact:,f}"


def page_url(page: str, lang: str, **params: object) -> str:
    """A relative link to a dashboard page (query string only), keeping the language."""
    query = {"page": page, "lang": lang, **{k: str(v) for k, v in params.items() if not is_missing(v)}}
    return "?" + urlencode(query)


def source_url(lang: str, report_id: str, *, fact_id: str | None = None, value: object = None) -> str:
    """Link to the source page: one fact by id, or the sentences of a report that state ``value``."""
    if fact_id is not None:
        return page_url("source", lang, report=report_id, fact=fact_id)
    return page_url("source", lang, report=report_id, value=number(value).replace(",", ""))


def linked_text(label: str, url: str) -> str:
    """An HTML provenance link showing ``label`` that leads to ``url``; '' for an empty label."""
    if not label:
        return ""
    return f'<a class="provenance" href="{html.escape(url)}" target="_self">{html.escape(label)}</a>'


def linked_number(value: object, url: str) -> str:
    """An HTML link showing ``value`` that leads to ``url``; '' when the value is missing."""
    return "" if is_missing(value) else linked_text(number(value), url)


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
