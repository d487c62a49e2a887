"""govperf dashboard (Streamlit): ``make dashboard`` serves it on 127.0.0.1.

The page and language live in the URL (``?page=department&lang=en``) so every view can be linked.
Each run of this script opens the published warehouse read-only, queries it and closes it, so a
refresh is never blocked and a reload shows the newest publish.
"""

from __future__ import annotations

import os
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import streamlit as st

from dashboard import queries as q
from dashboard import render
from dashboard.i18n import LANGUAGES, text

PAGES = ("overview", "scores", "budget", "indicators", "department", "quality")
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
CSS = """
<style>
table.govperf { border-collapse: collapse; font-size: 0.9rem; }
table.govperf th, table.govperf td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; }
table.govperf th { background: #f5f5f5; }
mark { background: #ffe58a; }
</style>
"""


def warehouse_path() -> Path:
    """The published warehouse: ``GOVPERF_WAREHOUSE`` or data/warehouse.duckdb."""
    return Path(os.environ.get("GOVPERF_WAREHOUSE", "data/warehouse.duckdb"))


def show(panel: q.Panel, lang: str, title: str | None = None) -> bool:
    """Heading plus a note when the panel is empty; True when there is data to draw."""
    if title:
        st.subheader(title)
    if panel.note:
        st.info(text("missing", lang, note=panel.note))
        return False
    if panel.empty:
        st.caption(text("empty", lang))
        return False
    return True


def table(frame: pd.DataFrame, lang: str) -> None:
    """A data table with translated column titles where a label exists."""
    st.dataframe(frame.rename(columns=lambda c: text(c, lang)), hide_index=True, width="stretch")


def status_label(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with its parse_status codes replaced by their display labels."""
    return frame.assign(parse_status=frame["parse_status"].map(lambda s: text(f"status.{s}", lang)))


def page_overview(con: duckdb.DuckDBPyConnection, lang: str) -> None:
    status = q.reports_by_status(con)
    if show(status, lang, text("by_status", lang)):
        frame = status_label(status.frame, lang)
        cols = st.columns(len(frame))
        for col, row in zip(cols, frame.itertuples(), strict=True):
            col.metric(row.parse_status, int(row.reports))
    columns = st.columns(3)
    for column, dimension in zip(columns, ("province", "admin_level", "fiscal_year"), strict=True):
        with column:
            panel = q.reports_by(con, dimension, lang)
            if not show(panel, lang, text(f"by_{dimension}", lang)):
                continue
            frame = status_label(panel.frame, lang).fillna({"category": text("unknown", lang)})
            frame["category"] = frame["category"].astype(str)
            chart = (
                alt.Chart(frame)
                .mark_bar()
                .encode(
                    x=alt.X("category:N", title=text("category", lang), sort=None, axis=alt.Axis(labelAngle=0)),
                    y=alt.Y("reports:Q", title=text("reports", lang), axis=alt.Axis(tickMinStep=1)),
                    color=alt.Color(
                        "parse_status:N", title=text("parse_status", lang), legend=alt.Legend(orient="bottom")
                    ),
                )
            )
            st.altair_chart(chart, width="stretch")


def histogram(frame: pd.DataFrame, column: str, lang: str) -> alt.Chart:
    """Counts of department-years by ``column`` in up to 20 bins."""
    return (
        alt.Chart(frame.dropna(subset=[column]))
        .mark_bar()
        .encode(
            x=alt.X(f"{column}:Q", bin=alt.Bin(maxbins=20), title=text(column, lang)),
            y=alt.Y("count():Q", title=text("reports", lang)),
        )
    )


def by_level_year(frame: pd.DataFrame, column: str, lang: str) -> alt.Chart:
    """``column`` of each department-year by fiscal year, coloured by administrative level."""
    data = frame.dropna(subset=[column]).assign(level=lambda f: f["level"].fillna(text("unknown", lang)))
    return (
        alt.Chart(data)
        .mark_circle(size=80)
        .encode(
            x=alt.X("fiscal_year:O", title=text("fiscal_year", lang)),
            y=alt.Y(f"{column}:Q", title=text(column, lang), scale=alt.Scale(zero=False)),
            color=alt.Color("level:N", title=text("level", lang)),
            tooltip=["department_name", "fiscal_year", column],
        )
    )


def page_scores(con: duckdb.DuckDBPyConnection, lang: str) -> None:
    years = q.department_years(con, lang)
    if not show(years, lang):
        return
    for column, title in (("score_total", "score_distribution"), ("execution_rate_pct", "rate_distribution")):
        st.subheader(text(title, lang))
        left, right = st.columns(2)
        left.altair_chart(histogram(years.frame, column, lang), width="stretch")
        right.altair_chart(by_level_year(years.frame, column, lang), width="stretch")
        outliers = q.outliers(con, column)
        st.markdown(f"**{text('outliers', lang)}**")
        if show(outliers, lang) or outliers.note:
            table(outliers.frame, lang)


def page_budget(con: duckdb.DuckDBPyConnection, lang: str) -> None:
    panel = q.budget_vs_spend(con)
    if show(panel, lang, text("budget_vs_spend", lang)):
        frame = panel.frame
        top = max(frame["budget_total_wan_yuan"].max(), frame["spend_total_wan_yuan"].max())
        points = (
            alt.Chart(frame)
            .mark_circle(size=90)
            .encode(
                x=alt.X("budget_total_wan_yuan:Q", title=text("budget_total_wan_yuan", lang)),
                y=alt.Y("spend_total_wan_yuan:Q", title=text("spend_total_wan_yuan", lang)),
                tooltip=["department_name", "fiscal_year", "budget_total_wan_yuan", "spend_total_wan_yuan"],
            )
        )
        diagonal = (
            alt.Chart(pd.DataFrame({"x": [0, top], "y": [0, top]}))
            .mark_line(strokeDash=[4, 4])
            .encode(x="x:Q", y="y:Q")
        )
        st.altair_chart(diagonal + points, width="stretch")
        table(frame, lang)
    projects = q.projects(con)
    if show(projects, lang, text("projects", lang)):
        table(projects.frame, lang)


def page_indicators(con: duckdb.DuckDBPyConnection, lang: str) -> None:
    met = q.indicators_met(con)
    if show(met, lang, text("indicators_met", lang)):
        frame = met.frame.assign(
            is_met=met.frame["is_met"].map(
                lambda v: text("is_met.null" if pd.isna(v) else f"is_met.{str(bool(v)).lower()}", lang)
            )
        )
        chart = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=alt.X("fiscal_year:O", title=text("fiscal_year", lang)),
                y=alt.Y("indicators:Q", title=text("indicators", lang)),
                color=alt.Color("is_met:N", title=text("indicators_met", lang)),
            )
        )
        st.altair_chart(chart, width="stretch")
    not_met = q.indicators_not_met(con)
    if show(not_met, lang, text("indicators_not_met", lang)):
        table(not_met.frame, lang)
    stated = q.indicators(con)
    if show(stated, lang, text("all_indicators", lang)):
        rows = [
            {
                "department_name": render.cell(row["department_name"]),
                "fiscal_year": render.cell(row["fiscal_year"]),
                "indicator_name": render.cell(row["indicator_name"]),
                "target_text": render.cell(row["target_text"]),
                "actual_text": render.linked_text(
                    render.cell(row["actual_text"]), render.source_url(lang, row["report_id"], fact_id=row["fact_id"])
                ),
            }
            for row in stated.frame.to_dict("records")
        ]
        columns = ("department_name", "fiscal_year", "indicator_name", "target_text", "actual_text")
        st.markdown(
            render.html_table(rows, {c: text(c, lang) for c in columns}, raw={"actual_text"}), unsafe_allow_html=True
        )


FIGURE_COLUMNS = ("budget_total_wan_yuan", "spend_total_wan_yuan", "execution_rate_pct", "score_total")


def page_department(con: duckdb.DuckDBPyConnection, lang: str) -> None:
    choices = q.departments(con)
    if not show(choices, lang):
        return
    names = dict(zip(choices.frame["department_key"], choices.frame["department_name"], strict=True))
    wanted = st.query_params.get("department")
    keys = list(names)
    key = st.selectbox(
        text("choose_department", lang),
        keys,
        index=keys.index(wanted) if wanted in names else 0,
        format_func=names.__getitem__,
    )
    st.query_params["department"] = key
    trend = q.department_trend(con, key)
    if not show(trend, lang, text("trend", lang)):
        return
    long = trend.frame.melt(id_vars=["fiscal_year"], value_vars=["budget_total_wan_yuan", "spend_total_wan_yuan"])
    long["variable"] = long["variable"].map(lambda c: text(c, lang))
    money = (
        alt.Chart(long.dropna())
        .mark_line(point=True)
        .encode(
            x=alt.X("fiscal_year:O", title=text("fiscal_year", lang)),
            y=alt.Y("value:Q", title=text("value", lang)),
            color=alt.Color("variable:N", title=""),
        )
    )
    score = (
        alt.Chart(trend.frame.dropna(subset=["score_total"]))
        .mark_line(point=True)
        .encode(
            x=alt.X("fiscal_year:O", title=text("fiscal_year", lang)),
            y=alt.Y(
                "score_total:Q",
                title=text("score_total", lang),
                scale=alt.Scale(zero=False),
                axis=alt.Axis(format=".2f"),
            ),
        )
    )
    left, right = st.columns(2)
    left.altair_chart(money, width="stretch")
    right.altair_chart(score, width="stretch")

    st.subheader(text("figures", lang))
    rows = []
    for row in trend.frame.to_dict("records"):
        cells = {"fiscal_year": render.cell(row["fiscal_year"]), "source_file": render.cell(row["source_file"])}
        for column in FIGURE_COLUMNS:
            cells[column] = render.linked_number(
                row[column], render.source_url(lang, row["report_id"], value=row[column])
            )
        rows.append(cells)
    headers = {c: text(c, lang) for c in ("fiscal_year", *FIGURE_COLUMNS)} | {"source_file": text("report_file", lang)}
    st.markdown(render.html_table(rows, headers, raw=set(FIGURE_COLUMNS)), unsafe_allow_html=True)

    stated = q.facts(con, department_key=key)
    if show(stated, lang, text("stated_facts", lang)):
        rows = [
            {
                "fiscal_year": render.cell(f["fiscal_year"]),
                "kind": f["kind"],
                "item": render.cell(f["item"]),
                "value": render.linked_number(
                    f["value"], render.source_url(lang, f["report_id"], fact_id=f["fact_id"])
                ),
                "source_text": render.cell(f["source_text"]),
            }
            for f in stated.frame.to_dict("records")
        ]
        headers = {c: text(c, lang) for c in ("fiscal_year", "kind", "item", "value", "source_text")}
        st.markdown(render.html_table(rows, headers, raw={"value"}), unsafe_allow_html=True)


def page_source(con: duckdb.DuckDBPyConnection, lang: str) -> None:
    report_id = st.query_params.get("report", "")
    report = q.report(con, report_id)
    if not show(report, lang):
        return
    info = report.frame.iloc[0]
    st.markdown(f"**{text('report_file', lang)}**: {info['source_file']}  \n{info['title'] or ''}")
    fact_id, value = st.query_params.get("fact"), st.query_params.get("value")
    found = (
        q.facts(con, report_id=report_id, fact_id=fact_id)
        if fact_id
        else q.facts(con, report_id=report_id, value=value)
    )
    if found.note:
        st.info(text("missing", lang, note=found.note))
    elif found.empty:
        st.warning(text("no_fact", lang, how=value))
    for fact in found.frame.to_dict("records"):
        st.markdown(f"#### {fact['kind']} · {fact['item']} = {render.number(fact['value'])}")
        needle = fact.get("amount_text") if not render.is_missing(fact.get("amount_text")) else ""
        st.markdown(f"<blockquote>{render.highlight(fact['source_text'], needle)}</blockquote>", unsafe_allow_html=True)
        place = [f"{text('offsets', lang)}: {fact['source_start']}–{fact['source_end']}"]
        for column in q.OPTIONAL_PROVENANCE:
            if not render.is_missing(fact.get(column)):
                place.append(f"{text(column, lang)}: {fact[column]}")
        st.caption(" · ".join(place))
    original = q.original_file(q.raw_dir(con), info["source_file"])
    if original is None:
        st.warning(text("file_missing", lang, path=info["source_file"]))
    else:
        st.download_button(text("download", lang), original.read_bytes(), file_name=original.name)


def page_quality(con: duckdb.DuckDBPyConnection, lang: str) -> None:
    problems = q.problem_reports(con)
    st.subheader(text("problem_reports", lang))
    if problems.note:
        st.info(text("missing", lang, note=problems.note))
    elif problems.empty:
        st.success(text("none_failed", lang))
    else:
        table(status_label(problems.frame, lang), lang)
    violations = q.quality_violations(con)
    st.subheader(text("violations", lang))
    if violations.note:
        st.info(text("missing", lang, note=violations.note))
    elif violations.empty:
        st.success(text("no_violations", lang))
    else:
        table(violations.frame, lang)
    headerless = q.reports_without_header(con)
    if show(headerless, lang, text("headerless", lang)):
        table(status_label(headerless.frame, lang), lang)
    for name, panel in (("checks", q.quality_checks(con)), ("parse_issues", q.parse_issues(con))):
        if show(panel, lang, text(name, lang)):
            table(panel.frame, lang)


RENDERERS = {
    "overview": page_overview,
    "scores": page_scores,
    "budget": page_budget,
    "indicators": page_indicators,
    "department": page_department,
    "quality": page_quality,
    "source": page_source,
}


def main() -> None:
    st.set_page_config(page_title="govperf", layout="wide")
    st.markdown(CSS, unsafe_allow_html=True)
    lang = st.query_params.get("lang", "zh")
    lang = lang if lang in LANGUAGES else "zh"
    lang = st.sidebar.radio(
        text("language", lang),
        LANGUAGES,
        index=LANGUAGES.index(lang),
        format_func=LANGUAGE_NAMES.__getitem__,
        horizontal=True,
    )
    page = st.query_params.get("page", "overview")
    page = page if page in RENDERERS else "overview"
    chosen = st.sidebar.radio(
        text("nav", lang),
        PAGES,
        index=PAGES.index(page) if page in PAGES else None,
        format_func=lambda p: text(f"page.{p}", lang),
    )
    page = chosen or page
    st.query_params.update(page=page, lang=lang)
    st.title(text("title", lang))
    path = warehouse_path()
    if not path.exists():
        st.error(text("no_warehouse", lang, path=path))
        return
    with q.open_warehouse(path) as con:
        refreshed = q.last_refresh(con)
        if refreshed is not None:
            st.caption(text("refreshed", lang, at=refreshed[0], n=refreshed[1]))
        st.header(text(f"page.{page}", lang))
        RENDERERS[page](con, lang)


if __name__ == "__main__":  # Streamlit runs this file as __main__; tests import it
    main()
