"""govperf dashboard (Streamlit): ``make dashboard`` serves it on 127.0.0.1.

The page, the language and the global filters (province, level, year, department type) live in the
URL (``?page=department&lang=en&province=广东省&year=2023``) so every view can be linked. Each run of
this script opens the published warehouse read-only, queries it and closes it, so a refresh is never
blocked and a reload shows the newest publish. Every table can be downloaded as CSV or XLSX (the
export's formats: formula-like text neutralised, numbers stay numbers).
"""

from __future__ import annotations

import html
import io
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import streamlit as st

from dagster_project.warehouse import export
from dashboard import queries as q
from dashboard import render
from dashboard.i18n import LANGUAGES, label, reason, text

PAGES = ("overview", "scores", "budget", "indicators", "department", "report", "quality", "dictionary")
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
# Fixed colours per category, the same in every chart.
LEVELS = ("province", "prefecture", "county", "township")
LEVEL_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#b279a2")
STATUS_COLOURS = {"ok": "#54a24b", "partial": "#f58518", "failed": "#e45756"}
MET_COLOURS = {"true": "#54a24b", "false": "#e45756", "null": "#bab0ac"}
SERIES_COLOURS = {"budget_total_wan_yuan": "#4c78a8", "spend_total_wan_yuan": "#f58518"}
UNKNOWN_COLOUR = "#bab0ac"
CSS = """
<style>
table.govperf { border-collapse: collapse; font-size: 0.9rem; margin-bottom: 0.5rem; }
table.govperf th, table.govperf td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; }
table.govperf th { background: #f5f5f5; }
mark { background: #ffe58a; }
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDownloadButton"], [data-testid="stSelectbox"], .no-print { display: none !important; }
  table.govperf { page-break-inside: avoid; font-size: 10pt; }
  a.provenance { color: inherit; text-decoration: none; }
}
</style>
"""


def warehouse_path() -> Path:
    """The published warehouse: ``GOVPERF_WAREHOUSE`` or data/warehouse.duckdb."""
    return Path(os.environ.get("GOVPERF_WAREHOUSE", "data/warehouse.duckdb"))


# --- state carried in the URL ---------------------------------------------------------------------


def current_filters() -> q.Filters:
    """The global filters of this page view (from the URL)."""
    return q.Filters.from_params(st.query_params.to_dict())


def link(page: str, lang: str, **params: object) -> str:
    """A link to ``page`` keeping the language and the global filters."""
    return render.page_url(page, lang, **current_filters().to_params(), **params)


TYPE_LABELS: dict[str, dict[str, str]] = {}


def type_label(code: object, lang: str) -> str:
    """A department type in words (seed dim_department_type), else the code."""
    return TYPE_LABELS.get(str(code), {}).get(lang, render.cell(code))


def filter_label(key: str, value: object, lang: str) -> str:
    """How a filter value is shown: provinces with their GB/T 2260 code, codes by their label."""
    if key == "province":
        code = q.province_codes().get(str(value))
        return f"{value} ({code})" if code else str(value)
    if key == "level":
        return text(f"level.{value}", lang)
    if key == "type":
        return type_label(value, lang)
    return str(value)


def sidebar_filters(con: duckdb.DuckDBPyConnection, lang: str) -> q.Filters:
    """The global filters as sidebar multiselects, initialised from and written back to the URL."""
    TYPE_LABELS.clear()
    TYPE_LABELS.update(q.type_labels(con))
    options = q.filter_options(con)
    current = current_filters()
    chosen: dict[str, tuple] = {}
    st.sidebar.subheader(text("filters", lang))
    for key in q.FILTER_COLUMNS:
        values = options[key]
        chosen[key] = tuple(
            st.sidebar.multiselect(
                text(f"filter.{key}", lang),
                values,
                default=[v for v in getattr(current, key) if v in values],
                format_func=lambda v, k=key: filter_label(k, v, lang),
                placeholder=text("filter.all", lang),
                key=f"filter_{key}",
            )
        )
    filters = q.Filters(**chosen)
    for key in q.FILTER_COLUMNS:
        st.query_params.pop(key, None)
    st.query_params.update(filters.to_params())
    return filters


# --- panels, tables and downloads -----------------------------------------------------------------


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


def plain_rows(frame: pd.DataFrame) -> list[list[object]]:
    """Rows of ``frame`` as Python values, missing ones as None (what the export writers take)."""
    return [[None if render.is_missing(v) else (v.item() if hasattr(v, "item") else v) for v in row]
            for row in frame.itertuples(index=False)]


def downloads(frame: pd.DataFrame, name: str, lang: str) -> None:
    """CSV and XLSX download buttons for ``frame`` with its display headers (made when clicked)."""
    columns = [str(c) for c in frame.columns]
    titles = [text(c, lang) for c in columns]

    def as_csv() -> bytes:
        handle = io.StringIO()
        export.write_csv(handle, titles, plain_rows(frame))
        return handle.getvalue().encode("utf-8-sig")

    def as_xlsx() -> bytes:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        export.add_sheet(book, name[: export.SHEET_NAME_MAX], columns, plain_rows(frame), len(frame), titles)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    left, right, _ = st.columns([1, 1, 6])
    left.download_button(
        text("download_csv", lang), as_csv, file_name=f"{name}.csv", mime="text/csv", on_click="ignore",
        key=f"csv_{name}",
    )
    right.download_button(
        text("download_xlsx", lang), as_xlsx, file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
        key=f"xlsx_{name}",
    )


def is_number_column(series: pd.Series) -> bool:
    """True for a column of numbers (booleans excluded), also when every value is NULL."""
    if series.dtype == bool:
        return False
    if pd.api.types.is_numeric_dtype(series):
        return True
    values = [v for v in series if not render.is_missing(v)]
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values) and series.dtype == object


def display_column(series: pd.Series, column: str) -> pd.Series:
    """A column as display text: numbers in the one format (by the column's kind), NULL as ''."""
    if is_number_column(series):
        kind = render.column_kind(column)
        return series.map(lambda v: render.number(v, kind))
    return series.map(render.cell)


def table(frame: pd.DataFrame, lang: str, name: str) -> None:
    """A data table in the one number format, with translated titles, blanks for NULL, and downloads."""
    shown = pd.DataFrame({text(c, lang): display_column(frame[c], str(c)) for c in frame.columns})
    st.dataframe(shown, hide_index=True, width="stretch")
    downloads(frame, name, lang)


def html_table(
    frame: pd.DataFrame,
    lang: str,
    name: str,
    cells: Mapping[str, Callable[[dict], str]],
    download: pd.DataFrame | None = None,
) -> None:
    """An HTML table (links allowed) of ``frame`` with one column per ``cells`` entry ({column: row →
    HTML}), and downloads of ``download`` (default: ``frame`` with those columns)."""
    rows = [{column: make(row) for column, make in cells.items()} for row in frame.to_dict("records")]
    st.markdown(render.html_table(rows, {c: text(c, lang) for c in cells}, raw=set(cells)), unsafe_allow_html=True)
    downloads(download if download is not None else frame[[c for c in cells if c in frame]], name, lang)


def esc(value: object, kind: str | None = None) -> str:
    """A cell as escaped HTML: numbers in the one format (by ``kind``), NULL as ''."""
    if kind is not None:
        return render.number(value, kind)
    return html.escape(render.cell(value))


def department_link(row: Mapping[str, object], lang: str) -> str:
    """The department's name linking to its page (drill-down)."""
    key = row.get("department_key")
    name = render.cell(row.get("department_name"))
    if render.is_missing(key):
        return esc(name)
    return render.linked_text(name, link("department", lang, department=key))


def number_cell(column: str) -> Callable[[dict], str]:
    """A cell maker showing ``column`` in the one number format."""
    return lambda row: render.number(row.get(column), render.column_kind(column))


def level_scale(lang: str) -> alt.Scale:
    """The fixed colours of the administrative levels (unknown in grey)."""
    domain = [text(f"level.{level}", lang) for level in LEVELS] + [text("unknown", lang)]
    return alt.Scale(domain=domain, range=[*LEVEL_COLOURS, UNKNOWN_COLOUR])


def with_level_label(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with ``level`` set to the label of its ``admin_level`` code (fixed colour domain)."""
    return frame.assign(
        level=frame["admin_level"].map(
            lambda code: text(f"level.{code}", lang) if isinstance(code, str) else text("unknown", lang)
        )
    )


def status_label(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with its parse_status codes replaced by their display labels."""
    return frame.assign(parse_status=frame["parse_status"].map(lambda s: text(f"status.{s}", lang)))


def status_scale(lang: str) -> alt.Scale:
    """The fixed colours of the parse statuses."""
    return alt.Scale(domain=[text(f"status.{s}", lang) for s in STATUS_COLOURS], range=list(STATUS_COLOURS.values()))


def integer_axis(title: str) -> alt.Axis:
    """A count axis: whole-number ticks only."""
    return alt.Axis(title=title, tickMinStep=1, format="d")


def drill_to_department(event: object) -> None:
    """Go to the department page of the chart mark the user clicked (a ``pick`` selection)."""
    picked = (getattr(event, "selection", None) or {}).get("pick") or []
    key = next((p.get("department_key") for p in picked if p.get("department_key")), None)
    if key:
        st.query_params.update(page="department", department=key)
        st.rerun()


# --- pages ----------------------------------------------------------------------------------------


def page_overview(con: duckdb.DuckDBPyConnection, lang: str, filters: q.Filters) -> None:
    status = q.reports_by_status(con, filters)
    if show(status, lang, text("by_status", lang)):
        frame = status_label(status.frame, lang)
        cols = st.columns(len(frame))
        for col, row in zip(cols, frame.itertuples(), strict=True):
            col.metric(row.parse_status, render.number(row.reports, "count"))
    page_provinces(con, lang, filters)
    columns = st.columns(2)
    for column, dimension in zip(columns, ("admin_level", "fiscal_year"), strict=True):
        with column:
            panel = q.reports_by(con, dimension, lang, filters)
            if not show(panel, lang, text(f"by_{dimension}", lang)):
                continue
            frame = status_label(panel.frame, lang)
            if dimension == "admin_level":
                frame = frame.assign(
                    category=frame["code"].map(
                        lambda c: text(f"level.{c}", lang) if isinstance(c, str) else text("unknown", lang)
                    )
                )
            frame["category"] = frame["category"].map(
                lambda c: text("unknown", lang) if render.is_missing(c) else render.cell(c)
            )
            chart = (
                alt.Chart(frame)
                .mark_bar()
                .encode(
                    x=alt.X("category:N", title=text(dimension, lang), sort=None, axis=alt.Axis(labelAngle=0)),
                    y=alt.Y("reports:Q", axis=integer_axis(text("reports", lang))),
                    color=alt.Color(
                        "parse_status:N", title=text("parse_status", lang), scale=status_scale(lang),
                        legend=alt.Legend(orient="bottom"),
                    ),
                    tooltip=[alt.Tooltip("category:N", title=text(dimension, lang)),
                             alt.Tooltip("reports:Q", title=text("reports", lang))],
                )
            )
            st.altair_chart(chart, width="stretch")


def page_provinces(con: duckdb.DuckDBPyConnection, lang: str, filters: q.Filters) -> None:
    """Department-years per province, sorted, labelled with GB/T 2260 codes; a click filters by it."""
    panel = q.provinces(con, filters)
    if not show(panel, lang, text("by_province", lang)):
        return
    frame = panel.frame.assign(
        place=[
            f"{render.cell(code)} {province}" if not render.is_missing(code) else
            (province if not render.is_missing(province) else text("unknown", lang))
            for code, province in zip(panel.frame["area_code"], panel.frame["province"], strict=True)
        ]
    )
    pick = alt.selection_point(name="pick", fields=["province"])
    chart = (
        alt.Chart(frame)
        .mark_bar(color=LEVEL_COLOURS[0])
        .encode(
            y=alt.Y("place:N", sort="-x", title=text("area", lang), axis=alt.Axis(labelLimit=300, labelOverlap=False)),
            x=alt.X("department_years:Q", axis=integer_axis(text("department_years", lang))),
            tooltip=[alt.Tooltip("place:N", title=text("area", lang)),
                     alt.Tooltip("department_years:Q", title=text("department_years", lang))],
        )
        .add_params(pick)
        .properties(height=max(120, 32 * len(frame)))
    )
    event = st.altair_chart(chart, width="stretch", on_select="rerun", key="province_bar")
    picked = (getattr(event, "selection", None) or {}).get("pick") or []
    chosen = next((p.get("province") for p in picked if p.get("province")), None)
    if chosen and chosen not in filters.province:
        st.query_params["province"] = chosen
        st.session_state.pop("filter_province", None)
        st.rerun()
    table(panel.frame, lang, "provinces")


def histogram(frame: pd.DataFrame, column: str, lang: str) -> alt.Chart:
    """Counts of department-years by ``column`` in up to 20 bins (whole-number count axis)."""
    return (
        alt.Chart(frame.dropna(subset=[column]))
        .mark_bar(color=LEVEL_COLOURS[0])
        .encode(
            x=alt.X(f"{column}:Q", bin=alt.Bin(maxbins=20), title=text(column, lang)),
            y=alt.Y("count():Q", axis=integer_axis(text("department_years", lang))),
        )
    )


def by_level_year(frame: pd.DataFrame, column: str, lang: str) -> alt.Chart:
    """``column`` of each department-year by fiscal year, in the fixed colour of its level; a click on a
    point opens the department."""
    data = with_level_label(frame.dropna(subset=[column]), lang)
    pick = alt.selection_point(name="pick", fields=["department_key"])
    return (
        alt.Chart(data)
        .mark_circle(size=80)
        .encode(
            x=alt.X("fiscal_year:O", title=text("fiscal_year", lang), axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{column}:Q", title=text(column, lang), scale=alt.Scale(zero=False)),
            color=alt.Color("level:N", title=text("level", lang), scale=level_scale(lang)),
            tooltip=[alt.Tooltip("department_name:N", title=text("department_name", lang)),
                     alt.Tooltip("fiscal_year:O", title=text("fiscal_year", lang)),
                     alt.Tooltip(f"{column}:Q", title=text(column, lang), format=",.2f")],
        )
        .add_params(pick)
    )


def outlier_table(con: duckdb.DuckDBPyConnection, column: str, lang: str, filters: q.Filters) -> None:
    outliers = q.outliers(con, column, filters)
    st.markdown(f"**{text('outliers', lang)}**")
    if not show(outliers, lang):
        return
    html_table(
        outliers.frame,
        lang,
        f"outliers_{column}",
        {
            "department_name": lambda row: department_link(row, lang),
            "fiscal_year": number_cell("fiscal_year"),
            column: lambda row: render.number(row["value"]),
            "lower_fence": number_cell("lower_fence"),
            "upper_fence": number_cell("upper_fence"),
        },
        outliers.frame.rename(columns={"value": column})[
            ["department_name", "fiscal_year", column, "lower_fence", "upper_fence"]
        ],
    )


def page_scores(con: duckdb.DuckDBPyConnection, lang: str, filters: q.Filters) -> None:
    years = q.department_years(con, lang, filters)
    if not show(years, lang):
        return
    for column, title in (("score_total", "score_distribution"), ("execution_rate_pct", "rate_distribution")):
        st.subheader(text(title, lang))
        left, right = st.columns(2)
        left.altair_chart(histogram(years.frame, column, lang), width="stretch")
        with right:
            drill_to_department(
                st.altair_chart(by_level_year(years.frame, column, lang), width="stretch", on_select="rerun",
                                key=f"points_{column}")
            )
        outlier_table(con, column, lang, filters)


def page_budget(con: duckdb.DuckDBPyConnection, lang: str, filters: q.Filters) -> None:
    st.subheader(text("budget_vs_spend", lang))
    panel = q.budget_vs_spend(con, filters, lang)
    everything = q.department_years(con, lang, filters)
    total = 0 if everything.note else len(everything.frame)
    st.caption(text("comparable_only", lang, n=0 if panel.note else len(panel.frame), total=total))
    if show(panel, lang):
        frame = with_level_label(panel.frame, lang)
        top = max(frame["budget_total_wan_yuan"].max(), frame["spend_total_wan_yuan"].max())
        pick = alt.selection_point(name="pick", fields=["department_key"])
        points = (
            alt.Chart(frame)
            .mark_circle(size=90)
            .encode(
                x=alt.X("budget_total_wan_yuan:Q", title=text("budget_total_wan_yuan", lang)),
                y=alt.Y("spend_total_wan_yuan:Q", title=text("spend_total_wan_yuan", lang)),
                color=alt.Color("level:N", title=text("level", lang), scale=level_scale(lang)),
                tooltip=[alt.Tooltip("department_name:N", title=text("department_name", lang)),
                         alt.Tooltip("fiscal_year:O", title=text("fiscal_year", lang)),
                         alt.Tooltip("budget_total_wan_yuan:Q", title=text("budget_total_wan_yuan", lang),
                                     format=",.2f"),
                         alt.Tooltip("spend_total_wan_yuan:Q", title=text("spend_total_wan_yuan", lang),
                                     format=",.2f")],
            )
            .add_params(pick)
        )
        diagonal = (
            alt.Chart(pd.DataFrame({"x": [0, top], "y": [0, top]}))
            .mark_line(strokeDash=[4, 4], color=UNKNOWN_COLOUR)
            .encode(x="x:Q", y="y:Q")
        )
        drill_to_department(st.altair_chart(diagonal + points, width="stretch", on_select="rerun", key="budget"))
        columns = ("budget_total_wan_yuan", "spend_total_wan_yuan", "difference_wan_yuan", "execution_rate_pct")
        html_table(
            frame,
            lang,
            "budget_vs_spend",
            {
                "department_name": lambda row: department_link(row, lang),
                "fiscal_year": number_cell("fiscal_year"),
                **{c: number_cell(c) for c in columns},
            },
        )
    totals = q.budget_totals(con, filters, lang)
    if show(totals, lang, text("budget_totals", lang)):
        st.caption(text("budget_totals_note", lang))
        table(totals.frame, lang, "budget_totals")
    projects = q.projects(con)
    if show(projects, lang, text("projects", lang)):
        table(projects.frame.drop(columns=["report_id"]), lang, "projects")


def met_label(value: object, lang: str) -> str:
    return text("is_met.null" if render.is_missing(value) else f"is_met.{str(bool(value)).lower()}", lang)


def page_indicators(con: duckdb.DuckDBPyConnection, lang: str, filters: q.Filters) -> None:
    completion = q.indicator_completion(con, filters)
    if show(completion, lang, text("completion", lang)):
        st.caption(text("completion_note", lang))
        html_table(
            completion.frame,
            lang,
            "indicator_completion",
            {
                "department_name": lambda row: department_link(row, lang),
                "fiscal_year": number_cell("fiscal_year"),
                "indicator_count": number_cell("indicator_count"),
                "indicator_assessed_count": number_cell("indicator_assessed_count"),
                "indicator_met_count": number_cell("indicator_met_count"),
                "indicators_met_pct": lambda row: (
                    text("not_assessable", lang) if render.is_missing(row["indicators_met_pct"])
                    else render.number(row["indicators_met_pct"])
                ),
            },
        )
    met = q.indicators_met(con, filters)
    if show(met, lang, text("indicators_met", lang)):
        frame = met.frame.assign(is_met=met.frame["is_met"].map(lambda v: met_label(v, lang)))
        scale = alt.Scale(domain=[text(f"is_met.{k}", lang) for k in MET_COLOURS], range=list(MET_COLOURS.values()))
        chart = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=alt.X("fiscal_year:O", title=text("fiscal_year", lang), axis=alt.Axis(labelAngle=0)),
                y=alt.Y("indicators:Q", axis=integer_axis(text("indicators", lang))),
                color=alt.Color("is_met:N", title=text("indicators_met", lang), scale=scale),
            )
        )
        st.altair_chart(chart, width="stretch")
    st.subheader(text("indicators_not_met", lang))
    not_met = q.indicators_not_met(con, filters)
    assessed = 0 if met.note or met.empty else int(met.frame["is_met"].notna().multiply(met.frame["indicators"]).sum())
    if not_met.note:
        st.info(text("missing", lang, note=not_met.note))
    elif assessed == 0:
        st.info(text("none_assessable", lang))
    elif not_met.empty:
        st.success(text("all_met", lang))
    else:
        html_table(
            not_met.frame,
            lang,
            "indicators_not_met",
            {
                "indicator_name": lambda row: esc(row["indicator_name"]),
                "department_name": lambda row: esc(row["department_name"]),
                "fiscal_year": number_cell("fiscal_year"),
                "target_text": lambda row: esc(row["target_text"]),
                "actual_text": lambda row: render.linked_text(
                    render.cell(row["actual_text"]), render.source_url(lang, row["report_id"], fact_id=row["fact_id"])
                ),
            },
        )
    stated = q.indicators(con, filters)
    if show(stated, lang, text("all_indicators", lang)):
        html_table(
            stated.frame,
            lang,
            "indicators",
            {
                "department_name": lambda row: department_link(row, lang),
                "fiscal_year": number_cell("fiscal_year"),
                "indicator_name": lambda row: esc(row["indicator_name"]),
                "target_text": lambda row: esc(row["target_text"]),
                "actual_text": lambda row: render.linked_text(
                    render.cell(row["actual_text"]), render.source_url(lang, row["report_id"], fact_id=row["fact_id"])
                ),
                "is_met": lambda row: esc(met_label(row["is_met"], lang)),
            },
            stated.frame.assign(is_met=stated.frame["is_met"].map(lambda v: met_label(v, lang)))[
                ["department_name", "fiscal_year", "indicator_name", "target_text", "actual_text", "is_met"]
            ],
        )


FIGURE_COLUMNS = ("budget_total_wan_yuan", "spend_total_wan_yuan", "execution_rate_pct", "score_total")
COUNT_ITEMS = {"staff_authorized", "staff_in_service", "staff_retired", "internal_units"}


def figure_link(row: Mapping[str, object], column: str, lang: str) -> str:
    """A headline figure linking to the fact it was read from; a computed one to the facts it was computed
    from (the rate from budget and spend), marked as computed."""
    fact = row.get(q.HEADLINE_FACTS[column])
    if not render.is_missing(fact):
        return render.linked_number(row[column], render.source_url(lang, str(row["report_id"]), fact_id=str(fact)))
    parts = [row.get("budget_total_fact_id"), row.get("spend_total_fact_id")]
    if column == "execution_rate_pct" and all(not render.is_missing(p) for p in parts):
        url = render.source_url(lang, str(row["report_id"]), fact_id=",".join(map(str, parts)), computed=column)
        return render.linked_number(row[column], url) + f" <small>{text('computed', lang)}</small>"
    shown = render.number(row[column])
    return f"{shown} <small>{text('computed', lang)}</small>" if shown else ""


def trend_charts(trend: pd.DataFrame, lang: str) -> None:
    long = trend.melt(id_vars=["fiscal_year"], value_vars=list(SERIES_COLOURS))
    long["variable"] = long["variable"].map(lambda c: text(c, lang))
    money = (
        alt.Chart(long.dropna())
        .mark_line(point=True)
        .encode(
            x=alt.X("fiscal_year:O", title=text("fiscal_year", lang), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=text("amount_wan_yuan", lang), axis=alt.Axis(format=",.2f")),
            color=alt.Color(
                "variable:N",
                title="",
                scale=alt.Scale(domain=[text(c, lang) for c in SERIES_COLOURS], range=list(SERIES_COLOURS.values())),
            ),
        )
    )
    score = (
        alt.Chart(trend.dropna(subset=["score_total"]))
        .mark_line(point=True, color=LEVEL_COLOURS[2])
        .encode(
            x=alt.X("fiscal_year:O", title=text("fiscal_year", lang), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("score_total:Q", title=text("score_total", lang), scale=alt.Scale(zero=False),
                    axis=alt.Axis(format=",.2f")),
        )
    )
    left, right = st.columns(2)
    left.altair_chart(money, width="stretch")
    right.altair_chart(score, width="stretch")


def figures_table(trend: pd.DataFrame, lang: str) -> None:
    html_table(
        trend,
        lang,
        "figures",
        {
            "fiscal_year": number_cell("fiscal_year"),
            **{c: (lambda row, c=c: figure_link(row, c, lang)) for c in FIGURE_COLUMNS},
            "rating": lambda row: esc(label(f"rating.{row['rating']}", lang, render.cell(row["rating"]))),
            "source_file": lambda row: esc(row["source_file"]),
        },
        trend[["fiscal_year", *FIGURE_COLUMNS, "rating", "source_file"]],
    )


def rank_text(rank: object, peers: object) -> str:
    return "" if render.is_missing(rank) else f"{render.number(rank, 'count')} / {render.number(peers, 'count')}"


def change_table(trend: pd.DataFrame, lang: str) -> None:
    """Change on the previous year and rank among peers (same level and year)."""
    html_table(
        trend,
        lang,
        "change_and_rank",
        {
            "fiscal_year": number_cell("fiscal_year"),
            "previous_year": number_cell("previous_year"),
            "spend_total_change": lambda row: render.signed(row["spend_total_change"]),
            "score_total_change": lambda row: render.signed(row["score_total_change"]),
            "execution_rate_change": lambda row: render.signed(row["execution_rate_change"]),
            "score_rank": lambda row: rank_text(row["score_rank"], row["peer_count"]),
            "execution_rate_rank": lambda row: rank_text(row["execution_rate_rank"], row["peer_count"]),
        },
        trend[
            ["fiscal_year", "previous_year", "spend_total_change", "score_total_change", "execution_rate_change",
             "score_rank", "execution_rate_rank", "peer_count"]
        ],
    )


def fact_item(fact: Mapping[str, object], lang: str) -> str:
    """A fact's item in words: money items and measures from labels.csv, score parts from dim_indicator."""
    kind, item = str(fact["kind"]), render.cell(fact["item"])
    if kind == "indicator":
        return item
    shown = label(f"item.{kind}.{item}", lang, label(f"item.{item}", lang, item))
    scope = fact.get("fund_scope")
    if not render.is_missing(scope) and scope != "all_funds":
        shown += f"（{label(f'scope.{scope}', lang, str(scope))}）"
    return shown


def stated_facts(con: duckdb.DuckDBPyConnection, lang: str, **where: str) -> None:
    stated = q.facts(con, **where)
    if not show(stated, lang, text("stated_facts", lang)):
        return
    frame = stated.frame.assign(
        kind_label=stated.frame["kind"].map(lambda k: text(f"kind.{k}", lang)),
        item_label=[fact_item(f, lang) for f in stated.frame.to_dict("records")],
    )
    html_table(
        frame,
        lang,
        "stated_facts",
        {
            "fiscal_year": number_cell("fiscal_year"),
            "kind": lambda row: esc(row["kind_label"]),
            "item": lambda row: esc(row["item_label"]),
            "value": lambda row: render.linked_number(
                row["value"],
                render.source_url(lang, row["report_id"], fact_id=row["fact_id"]),
                "count" if row["item"] in COUNT_ITEMS else "decimal",
            ),
            "source_text": lambda row: esc(row["source_text"]),
        },
        frame[["fiscal_year", "kind_label", "item_label", "value", "source_text"]].rename(
            columns={"kind_label": "kind", "item_label": "item"}
        ),
    )


def choose_department(con: duckdb.DuckDBPyConnection, lang: str, filters: q.Filters) -> str | None:
    choices = q.departments(con, filters)
    wanted = st.query_params.get("department")
    if choices.note or choices.empty:
        choices = q.departments(con)
    if not show(choices, lang):
        return None
    names = dict(zip(choices.frame["department_key"], choices.frame["department_name"], strict=True))
    keys = list(names)
    key = st.selectbox(
        text("choose_department", lang),
        keys,
        index=keys.index(wanted) if wanted in names else 0,
        format_func=names.__getitem__,
    )
    st.query_params["department"] = key
    return key


def department_heading(con: duckdb.DuckDBPyConnection, key: str, lang: str) -> None:
    info = q.department(con, key, lang)
    if info.note or info.empty:
        return
    row = info.frame.iloc[0]
    region = " ".join(render.cell(row[c]) for c in ("province", "city", "county") if not render.is_missing(row[c]))
    kind = render.cell(row["type"]) if lang == "zh" else type_label(row["type"], lang)
    st.markdown(f"### {row['department_name']}\n{render.cell(row['level'])} · {kind} · {region}")


def page_department(con: duckdb.DuckDBPyConnection, lang: str, filters: q.Filters) -> None:
    key = choose_department(con, lang, filters)
    if key is None:
        return
    department_heading(con, key, lang)
    st.markdown(render.linked_text(text("printable", lang), link("report", lang, department=key)),
                unsafe_allow_html=True)
    trend = q.department_trend(con, key)
    if not show(trend, lang, text("trend", lang)):
        return
    trend_charts(trend.frame, lang)
    st.subheader(text("figures", lang))
    figures_table(trend.frame, lang)
    st.subheader(text("change_and_rank", lang))
    st.caption(text("rank_note", lang))
    change_table(trend.frame, lang)
    stated_facts(con, lang, department_key=key)


def page_report(con: duckdb.DuckDBPyConnection, lang: str, filters: q.Filters) -> None:
    """A department's report for printing: heading, figures by year with change and rank, every stated
    figure with its sentence; the sidebar and buttons are hidden when printed."""
    key = st.query_params.get("department")
    if not key:
        with st.container():
            key = choose_department(con, lang, filters)
        if key is None:
            return
    department_heading(con, key, lang)
    trend = q.department_trend(con, key)
    st.caption(text("print_hint", lang))
    if not show(trend, lang, text("figures", lang)):
        return
    figures_table(trend.frame, lang)
    st.subheader(text("change_and_rank", lang))
    change_table(trend.frame, lang)
    completion = trend.frame[["fiscal_year", "indicator_count", "indicators_met_pct"]]
    st.subheader(text("completion", lang))
    html_table(
        completion,
        lang,
        "report_completion",
        {
            "fiscal_year": number_cell("fiscal_year"),
            "indicator_count": number_cell("indicator_count"),
            "indicators_met_pct": lambda row: (
                text("not_assessable", lang) if render.is_missing(row["indicators_met_pct"])
                else render.number(row["indicators_met_pct"])
            ),
        },
    )
    stated_facts(con, lang, department_key=key)


def page_source(con: duckdb.DuckDBPyConnection, lang: str, filters: q.Filters) -> None:
    report_id = st.query_params.get("report", "")
    report = q.report(con, report_id)
    if not show(report, lang):
        return
    info = report.frame.iloc[0]
    st.markdown(f"**{text('report_file', lang)}**: {info['source_file']}  \n{info['title'] or ''}")
    fact_ids, value = st.query_params.get("fact"), st.query_params.get("value")
    computed = st.query_params.get("computed")
    if computed:
        st.info(text("computed_from", lang, what=text(computed, lang)))
    frames = (
        [q.facts(con, report_id=report_id, fact_id=f) for f in fact_ids.split(",")]
        if fact_ids
        else [q.facts(con, report_id=report_id, value=value)]
    )
    found = q.Panel(pd.concat([p.frame for p in frames]) if all(not p.note for p in frames) else pd.DataFrame(),
                    next((p.note for p in frames if p.note), None))
    if found.note:
        st.info(text("missing", lang, note=found.note))
    elif found.empty:
        st.warning(text("no_fact", lang, how=fact_ids or value))
    for fact in found.frame.to_dict("records"):
        kind = text(f"kind.{fact['kind']}", lang)
        st.markdown(f"#### {kind} · {fact_item(fact, lang)} = {render.number(fact['value'])}")
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
        st.download_button(text("download", lang), original.read_bytes(), file_name=original.name, on_click="ignore")


def check_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Quality rows with the check, table and severity in words (labels.csv)."""
    out = frame.copy()
    if "check_name" in out:
        out["check_name"] = out["check_name"].map(lambda c: label(f"check.{c}", lang, c))
    if "description" in out and "check_name" in frame:
        out["description"] = [
            label(f"check_description.{c}", lang, d) for c, d in zip(frame["check_name"], out["description"],
                                                                     strict=True)
        ]
    if "target_model" in out:
        out["target_model"] = out["target_model"].map(lambda t: label(f"table.{t}", lang, t))
    if "severity" in out:
        out["severity"] = out["severity"].map(lambda s: label(f"severity.{s}", lang, s))
    if "passed" in out:
        out["passed"] = out["passed"].map(lambda p: text("yes" if p else "no", lang))
    return out


def page_quality(con: duckdb.DuckDBPyConnection, lang: str, filters: q.Filters) -> None:
    checks = q.quality_checks(con)
    if not checks.note and not checks.empty:
        failing = int((~checks.frame["passed"].astype(bool)).sum())
        st.markdown(text("checks_summary", lang, n=len(checks.frame), passed=len(checks.frame) - failing,
                         failed=failing))
    problems = q.problem_reports(con)
    st.subheader(text("problem_reports", lang))
    if problems.note:
        st.info(text("missing", lang, note=problems.note))
    elif problems.empty:
        st.success(text("none_failed", lang))
    else:
        frame = status_label(problems.frame, lang).assign(
            status_reason=problems.frame["status_reason"].map(lambda r: reason(r, lang)),
            report_type=problems.frame["report_type"].map(lambda t: label(f"report_type.{t}", lang, render.cell(t))),
        )
        table(frame.drop(columns=["report_id"]), lang, "problem_reports")
    violations = q.quality_violations(con)
    st.subheader(text("violations", lang))
    if violations.note:
        st.info(text("missing", lang, note=violations.note))
    elif violations.empty:
        st.success(text("no_violations", lang))
    else:
        table(check_frame(violations.frame, lang).drop(columns=["report_id"]), lang, "violations")
    headerless = q.reports_without_header(con)
    if show(headerless, lang, text("headerless", lang)):
        frame = status_label(headerless.frame, lang).assign(
            report_type=headerless.frame["report_type"].map(lambda t: label(f"report_type.{t}", lang, render.cell(t)))
        )
        table(frame.drop(columns=["report_id"]), lang, "headerless")
    if show(checks, lang, text("checks", lang)):
        table(check_frame(checks.frame, lang), lang, "checks")
    issues = q.parse_issues(con)
    if show(issues, lang, text("parse_issues", lang)):
        frame = check_frame(issues.frame, lang)
        if lang == "zh" and "issue_code_zh" in frame:
            frame["issue_code"] = frame["issue_code_zh"].where(frame["issue_code_zh"].notna(), frame["issue_code"])
        table(frame.drop(columns=[c for c in ("report_id", "issue_code_zh") if c in frame]), lang, "parse_issues")


def page_dictionary(con: duckdb.DuckDBPyConnection, lang: str, filters: q.Filters) -> None:
    """Every table and column of the marts with the label the export uses and the dbt description."""
    entries = q.data_dictionary(con)
    if not show(entries, lang):
        return
    frame = entries.frame
    tables = export.reading_order(frame["table_name"].unique())
    chosen = st.selectbox(text("table_name", lang), tables)
    rows = frame[frame["table_name"] == chosen]
    comment = rows["table_comment"].iloc[0]
    if not render.is_missing(comment):
        st.markdown(str(comment))
    shown = rows.assign(
        label=[export.column_label(c, None if render.is_missing(d) else d, lang)
               for c, d in zip(rows["column_name"], rows["comment"], strict=True)]
    )[["column_name", "label", "data_type", "comment"]]
    table(shown, lang, f"dictionary_{chosen}")


RENDERERS = {
    "overview": page_overview,
    "scores": page_scores,
    "budget": page_budget,
    "indicators": page_indicators,
    "department": page_department,
    "report": page_report,
    "quality": page_quality,
    "dictionary": page_dictionary,
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
        filters = sidebar_filters(con, lang)
        refreshed = q.last_refresh(con)
        if refreshed is not None:
            st.caption(text("refreshed", lang, at=render.local_time(refreshed[0]), n=refreshed[1]))
        st.header(text(f"page.{page}", lang))
        if filters != q.NO_FILTERS:
            shown = "；".join(
                f"{text(f'filter.{k}', lang)}: {'、'.join(filter_label(k, v, lang) for v in getattr(filters, k))}"
                for k in q.FILTER_COLUMNS
                if getattr(filters, k)
            )
            st.caption(text("filtered_by", lang, filters=shown))
        RENDERERS[page](con, lang, filters)


if __name__ == "__main__":  # Streamlit runs this file as __main__; tests import it
    main()
