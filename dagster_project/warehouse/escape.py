"""Escaping of report-derived values (file names, indicator names, reasons) before they reach HTML
or Markdown: a report can name itself ``<script>…``, so no value read from one is markup."""

from __future__ import annotations

import html
import re
from typing import Any

# Characters with a meaning in CommonMark inline text, escaped with a backslash.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")
# Line breaks would end a list item or table cell: shown as a visible "⏎".
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def escape_html(value: str) -> str:
    """Text for an HTML page or attribute: ``<``, ``>``, ``&`` and both quotes escaped."""
    return html.escape(value, quote=True)


def escape_markdown(value: str) -> str:
    """Text for inline Markdown (a list item, a table cell): every markup character backslashed,
    raw HTML defused, line breaks shown as ``⏎`` so the value stays on its line."""
    return _LINE_BREAK.sub(" ⏎ ", _MARKDOWN_SPECIAL.sub(r"\\\1", value))


def markdown_code(value: str) -> str:
    """A value as an inline code span that no backtick or line break in it can close early."""
    flat = _LINE_BREAK.sub(" ⏎ ", value)
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def escape_tree(value: Any) -> Any:
    """``value`` with every string inside it (dict keys and values, list and tuple items) HTML-escaped."""
    if isinstance(value, str):
        return escape_html(value)
    if isinstance(value, dict):
        return {escape_tree(k): escape_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(escape_tree(v) for v in value)
    return value
