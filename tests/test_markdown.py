"""Values shown in the Dagster UI's Markdown are data, never markup."""

from __future__ import annotations

from dagster_project.markdown import md_code, md_table, md_text

SCRIPT = "<script>alert(1)</script>"


def test_text_is_escaped() -> None:
    rendered = md_text(f"{SCRIPT} [link](http://x) | *bold*")
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
    assert "](" not in rendered and "\\|" in rendered and "\\*bold\\*" in rendered


def test_code_spans_cannot_be_closed_or_split() -> None:
    rendered = md_code("a`b|c<img src=x onerror=alert(1)>\nnext")
    assert rendered.startswith("`") and rendered.endswith("`") and rendered.count("`") == 2
    assert "|" not in rendered and "<img" not in rendered and "\n" not in rendered


def test_table_rows_keep_their_columns() -> None:
    table = md_table(["file", "reason"], [(md_code(f"{SCRIPT}|.txt"), f"bad | {SCRIPT}")])
    header, _rule, row = table.split("\n")
    assert row.count(" | ") == header.count(" | ") == 1
    assert "<script>" not in table
