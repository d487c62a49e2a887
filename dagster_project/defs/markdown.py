"""Markdown for Dagster metadata: file names and reasons are data, never markup (escaping rules in
:mod:`dagster_project.warehouse.escape`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dagster_project.warehouse.escape import escape_markdown, markdown_code


def md_text(value: object) -> str:
    """``value`` as inert inline Markdown text."""
    return escape_markdown(str(value))


def md_code(value: object) -> str:
    """``value`` as one inline code span; a ``|`` in it cannot split a table cell."""
    return markdown_code(str(value)).replace("|", "\\|")


def md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table; cells already rendered by :func:`md_code` pass through, others are escaped."""

    def cell(value: object) -> str:
        text = str(value)
        return text if text.startswith("`") and text.endswith("`") else md_text(value)

    lines = ["| " + " | ".join(md_text(h) for h in header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
