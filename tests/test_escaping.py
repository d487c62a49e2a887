"""Values read from reports never become markup: Data Docs HTML and Dagster Markdown escape them."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.warehouse.escape import escape_html, escape_markdown, escape_tree, markdown_code

EVIL = "<script>alert('x')</script>"


def test_escape_html() -> None:
    assert escape_html(EVIL) == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert escape_html('a & "b"') == "a &amp; &quot;b&quot;"


def test_escape_markdown_keeps_a_value_inert_and_on_its_line() -> None:
    out = escape_markdown(f"**{EVIL}** [x](javascript:1)\n- next")
    assert "<" not in out.replace("\\<", "") and "\n" not in out
    assert out.startswith("\\*\\*\\<script\\>") and "\\[x\\]\\(javascript:1\\)" in out and "⏎ \\- next" in out


@pytest.mark.parametrize("value", ["plain", "a`b", "``", "`edge`", f"{EVIL}\nline"])
def test_markdown_code_cannot_be_closed_early(value: str) -> None:
    span = markdown_code(value)
    fence = span[: len(span) - len(span.lstrip("`"))]
    assert span.endswith(fence) and fence not in span[len(fence):-len(fence)] and "\n" not in span


def test_escape_tree_reaches_nested_values() -> None:
    tree = {"k<": [EVIL, ("<b>", 1)], "n": None}
    assert escape_tree(tree) == {"k&lt;": [escape_html(EVIL), ("&lt;b&gt;", 1)], "n": None}


@pytest.mark.slow
def test_data_docs_escape_names_and_values_from_reports(tmp_path: Path) -> None:
    import great_expectations as gx
    import great_expectations.expectations as gxe
    import pandas as pd

    from dagster_project.quality import suite as quality

    frame = pd.DataFrame({"report_id": [EVIL], "observed": [f"indicator {EVIL}"], "expected": [EVIL],
                          "indicator_name": [EVIL], "value": [5.0]})
    source = gx.get_context(mode="ephemeral").data_sources.add_pandas("docs_test")
    batch = (source.add_dataframe_asset("a").add_batch_definition_whole_dataframe("a")
             .get_batch(batch_parameters={"dataframe": frame}))
    expectations = [gxe.ExpectColumnValuesToBeBetween(column="value", max_value=1),
                    gxe.ExpectColumnValuesToBeInSet(column="indicator_name", value_set=["ok"])]
    outcomes = [
        quality.CheckOutcome(f"check_{i}", "fct_indicators", "warn", False, f"about {EVIL}", 1, 1, (),
                             batch.validate(expectation, result_format=quality._RESULT_FORMAT))
        for i, expectation in enumerate(expectations)
    ]
    quality.write_data_docs(outcomes, tmp_path / "docs")
    pages = list((tmp_path / "docs").rglob("*.html"))
    assert len(pages) >= 3
    rendered = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    assert "<script>alert" not in rendered
    assert "&lt;script&gt;alert" in rendered or "&amp;lt;script&amp;gt;alert" in rendered
