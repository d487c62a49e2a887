"""Markdown for Dagster metadata: file names and reasons are data, never markup."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def md_text(value: object) -> str:
    """``value`` as inert Markdown text: HTML escaped, Markdown punctuation backslashed, one line."""
    text = html.escape(str(value), quote=True)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def md_code(value: object) -> str:
    """``value`` as an inline code span (backticks in it cannot close the span), HTML escaped."""
    text = html.escape(" ".join(str(value).split()), quote=True).replace("`", "&#96;").replace("|", "&#124;")
    return f"`{text}`"


def md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table; cells already rendered by :func:`md_code` pass through, others are escaped."""

    def cell(value: object) -> str:
        text = str(value)
        return text if text.startswith("`") and text.endswith("`") else md_text(value)

    lines = ["| " + " | ".join(md_text(h) for h in header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
