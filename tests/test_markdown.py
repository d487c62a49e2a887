"""Values shown in the Dagster UI's Markdown are data, never markup."""

from __future__ import annotations

import re

from dagster_project.defs.markdown import md_code, md_table, md_text

SCRIPT = "<script>alert(1)</script>"


def test_text_is_escaped() -> None:
    rendered = md_text(f"{SCRIPT} [link](http://x) | *bold*")
    assert "<script>" not in rendered and "\\<script\\>" in rendered
    assert "](" not in rendered and "\\|" in rendered and "\\*bold\\*" in rendered


def test_code_spans_cannot_be_closed_or_split() -> None:
    rendered = md_code("a`b|c\nnext")
    fence = re.match(r"`+", rendered).group(0)
    assert rendered.endswith(fence) and "`" * len(fence) not in rendered[len(fence) : -len(fence)]
    assert "\n" not in rendered and re.search(r"(?<!\\)\|", rendered) is None


def test_table_rows_keep_their_columns() -> None:
    table = md_table(["file", "reason"], [(md_code(f"{SCRIPT}|.txt"), f"bad | {SCRIPT}")])
    header, _rule, row = table.split("\n")
    assert len(re.findall(r"(?<!\\)\|", row)) == len(re.findall(r"(?<!\\)\|", header)) == 3
    assert "<script>" not in table.split("`")[-1]
