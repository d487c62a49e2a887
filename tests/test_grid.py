"""Tables read as tables: the grid model, header resolution and the form readers on it, on forms
written for these tests as document-model objects, as DOCX / HTML / XLSX files read by the real
readers, and as text (pipe and flattened); merged cells, two-row headers, units in every position,
元 and 万元, wrapped cell text and "/" in unused cells."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from ingest.documents import read_document
from ingest.documents.grids import GridCell, cell_spans, document_grids, grids_from_json, grids_to_json
from ingest.documents.model import Block, Document, Page, Provenance, TableRow
from ingest.documents.render import render_placed
from ingest.facts.indicators import comparator_cell, read_figure
from ingest.facts.tables import report_tables, sections
from ingest.parse import ReportInput, parse_report
from ingest.text.normalise import normalise
from ingest.text.segment import lines_of

BLOCK = "年度预算执行情况(万元)"
TITLE = "2021年度某县农业农村局部门整体支出绩效自评表"
# The national department form: the unit only in the merged block label, 分值 before 得分 on the total row.
DEPARTMENT_FORM = [
    ["部门(单位)名称", "某县农业农村局", "某县农业农村局", "某县农业农村局", "某县农业农村局", "某县农业农村局",
     "某县农业农村局", "某县农业农村局"],
    [BLOCK, BLOCK, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    [BLOCK, "年度资金\n总额", "1,200.50", "1,310.00", "1,296.90", "10", "99.00%", "9.9"],
    [BLOCK, "其中:财政拨款", "1,100", "1,200", "1,190", "/", "99.17%", "/"],
    [BLOCK, "其他资金", "100.5", "110", "106.9", "/", "97.18%", "/"],
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
    ["产出指标", "数量指标", "培训人次", "≥500人次", "620人次", "20", "20", ""],
    ["产出指标", "质量指标", "验收合格率", "≥95%", "93%", "20", "18.6", "个别未达"],
    ["效益指标", "成本指标", "培训成本", "30万元", "28万元", "10", "10", ""],
    ["总分", "总分", "总分", "总分", "总分", "100", "88.60", ""],
    ["自评等级", "良", "良", "良", "良", "良", "良", "良"],
]
WANT_MONEY = {("budget", "initial", Decimal("1200.50")), ("budget", "total", Decimal("1310.00")),
              ("spend", "total", Decimal("1296.90")), ("budget", "fiscal_appropriation", Decimal("1200")),
              ("spend", "fiscal_appropriation", Decimal("1190")), ("budget", "other_funds", Decimal("110")),
              ("spend", "other_funds", Decimal("106.9"))}


def _document(rows: list[list[str]], above: str = TITLE, kind: str = "docx") -> Document:
    table = tuple(TableRow(tuple(r), Provenance(None, f"table 1 row {i}")) for i, r in enumerate(rows, start=1))
    return Document(kind, (Page(None, (Block("paragraph", Provenance(None, "para 1"), above),
                                       Block("table", Provenance(None, "table 1"), rows=table))),))


def _parse_document(document: Document) -> dict:
    text, spans, placed = render_placed(document)
    grids = document_grids(document, text, placed)
    return parse_report(ReportInput("r", "r.docx", text, spans=tuple(spans), tables=grids)).rows


def _parse_text(raw: str) -> dict:
    return parse_report(ReportInput("r", "r.txt", raw)).rows


def _money(rows: dict) -> set[tuple]:
    return {(m["side"], m["item"], m["amount_wan_yuan"]) for m in rows["money_facts"] if m["fund_scope"] == "all_funds"}


def _headline(rows: dict) -> tuple:
    (score,) = [s for s in rows["score_facts"] if s["score_item"] == "total"]
    rate = [m["value"] for m in rows["measure_facts"] if m["measure"] == "execution_rate_pct"]
    return rate, score["score"], score["max_score"], score["rating"]


def test_department_form_as_document_cells():
    rows = _parse_document(_document(DEPARTMENT_FORM))
    assert _money(rows) == WANT_MONEY
    assert _headline(rows) == ([Decimal("99.00")], Decimal("88.60"), Decimal("100"), "良")
    total = next(m for m in rows["money_facts"] if m["item"] == "total" and m["side"] == "budget")
    assert total["source_locator"] == "table 1 row 3" and total["amount_text"] == "1,310.00"
    assert total["source_text"].startswith("年度预算执行情况(万元) | 年度资金总额 |")


def test_indicators_with_comparator_unit_and_cost_direction():
    rows = _parse_document(_document(DEPARTMENT_FORM))
    got = {i["indicator_name"]: (i["indicator_level2"], i["target_value"], i["actual_value"], i["unit"],
                                 i["comparator"], i["assumed_comparator"]) for i in rows["indicator_facts"]}
    assert got == {
        "培训人次": ("数量指标", Decimal(500), Decimal(620), "人次", ">=", None),
        "验收合格率": ("质量指标", Decimal(95), Decimal(93), "%", ">=", None),
        "培训成本": ("成本指标", Decimal(30), Decimal(28), "万元", None, "<="),
    }


@pytest.mark.parametrize("unit_at", ["header", "caption", "unit_row"])
def test_unit_in_a_column_header_the_caption_or_a_unit_row(unit_at):
    header = ["项目", "年初预算数", "全年预算数", "全年执行数", "执行率"]
    body = [["合计", "12,345,678.90", "13,000,000.00", "12,500,000.50", "96.15%"]]
    above = TITLE
    if unit_at == "header":
        header = ["项目", "年初预算数(元)", "全年预算数(元)", "全年执行数(元)", "执行率"]
    elif unit_at == "caption":
        above = TITLE + "\n单位:元"
    else:
        body.insert(0, ["金额单位:元"] * 5)
        header, body = body[0], [header, *body[1:]]
    rows = _parse_document(_document([header, *body], above))
    assert _money(rows) == {("budget", "initial", Decimal("1234.56789")), ("budget", "total", Decimal("1300")),
                            ("spend", "total", Decimal("1250.00005"))}


def test_a_table_without_a_unit_states_no_money():
    rows = _parse_document(_document([["项目", "年初预算数", "全年预算数", "全年执行数"], ["合计", "100", "95", "90"]]))
    assert rows["money_facts"] == []


# The Sichuan project form: a group header 年度预算数(万元) over its columns (two header rows), points in
# the block label, "/" in unused cells, the comparator and the unit in columns of their own.
SICHUAN = [
    ["项目名称", "51000021R000000019951-某某运维经费"] + ["51000021R000000019951-某某运维经费"] * 7,
    ["主管部门", "某县发展和改革局本级", "某县发展和改革局本级", "某县发展和改革局本级", "实施单位",
     "某县发展和改革局", "某县发展和改革局", "某县发展和改革局", "某县发展和改革局"],
    ["预算执行情况(10分)", "预算执行情况(10分)", "年度预算数(万元)", "年度预算数(万元)", "年度预算数(万元)",
     "预算执行率", "权重", "得分", "原因"],
    ["预算执行情况(10分)", "预算执行情况(10分)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重",
     "得分", "原因"],
    ["预算执行情况(10分)", "总额", "50.00", "62.40", "60.00", "96.15%", "10", "9.6", ""],
    ["预算执行情况(10分)", "其中:财政资金", "50.00", "62.40", "60.00", "96.15%", "/", "/", ""],
    ["预算执行情况(10分)", "单位资金", "/", "/", "/", "/", "/", "/", ""],
    ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分"],
]


def test_two_row_header_and_group_unit_in_a_project_form():
    rows = [list(r) for r in SICHUAN]
    rows += [["产出指标", "质量指标", "系统正常运行率", "≥", "98", "%", "99.5", "40", "40"],
             ["效益指标", "社会效益指标", "故障响应时间", "≤", "2", "小时", "1.5", "30", "30"],
             ["满意度指标", "服务对象满意度指标", "使用人员满意度", "=", "100", "%", "96", "20", "18"],
             ["合计", "合计", "合计", "合计", "合计", "合计", "合计", "100", "97.6"]]
    parsed = _parse_document(_document(rows, "部门预算项目支出绩效自评表(2023年度)"))
    (project,) = parsed["project_facts"]
    assert (project["project_code"], project["project_name"], project["budget_initial_wan_yuan"],
            project["budget_adjusted_wan_yuan"], project["spend_wan_yuan"], project["execution_rate_pct"],
            project["score_total"]) == ("51000021R000000019951", "某某运维经费", Decimal("50.00"), Decimal("62.40"),
                                        Decimal("60.00"), Decimal("96.15"), Decimal("97.6"))
    got = {i["indicator_name"]: (i["target_text"], i["target_value"], i["actual_value"], i["unit"], i["comparator"])
           for i in parsed["indicator_facts"]}
    assert got == {"系统正常运行率": ("≥98%", Decimal(98), Decimal("99.5"), "%", ">="),
                   "故障响应时间": ("≤2小时", Decimal(2), Decimal("1.5"), "小时", "<="),
                   "使用人员满意度": ("=100%", Decimal(100), Decimal(96), "%", "=")}


def test_points_in_a_header_are_a_maximum_never_a_score():
    text = normalise("\n".join(f"| {' | '.join(r)} |" for r in SICHUAN[2:7]))
    (section,) = sections(report_tables(text, lines_of(text))[1][0])
    assert section.max_points == Decimal(10) and section.column("spend").unit == "万元"
    assert section.column("budget_adjusted").header == ("年度预算数(万元)", "调整后预算数")


PIPE_FORM = f"""{TITLE}
| 部门(单位)名称 | 某县农业农村局 | | | | | | |
| {BLOCK} | | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |
| | 年度资金总额 | 1,200.50 | 1,310.00 | 1,296.90 | 10 | 99.00% | 9.9 |
| | 其中:财政拨款 | 1,100 | 1,200 | 1,190 | / | 99.17% | / |
| | 其他资金 | 100.5 | 110 | 106.9 | / | 97.18% | / |
| 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 |
| 产出指标 | 数量指标 | 培训人次 | ≥500人次 | 620人次 | 20 | 20 | |
| | 质量指标 | 验收合格率 | ≥95% | 93% | 20 | 18.6 | 个别未达 |
| 效益指标 | 成本指标 | 培训成本 | 30万元 | 28万元 | 10 | 10 | |
| 总分 | 100 | 88.60 |
| 自评等级 | 良 |
"""


def test_pipe_table_with_blank_merged_cells_states_what_the_document_states():
    rows = _parse_text(PIPE_FORM)
    assert _money(rows) == WANT_MONEY
    assert _headline(rows) == ([Decimal("99.00")], Decimal("88.60"), Decimal("100"), "良")
    levels = {i["indicator_name"]: i["indicator_level1"] for i in rows["indicator_facts"]}
    assert levels == {"培训人次": "产出指标", "验收合格率": "产出指标", "培训成本": "效益指标"}


def test_total_row_whose_score_is_not_under_its_maximum_is_not_read():
    rows = _parse_text(PIPE_FORM.replace("| 总分 | 100 | 88.60 |", "| 总分 | 88.60 | 100 |"))
    assert [s["score"] for s in rows["score_facts"] if s["score"] is not None] == []


FLAT_FORM = "\n".join([TITLE, "部门(单位)名称", "某县农业农村局", BLOCK,
                       "年初预算数 全年预算数 全年执行数 分值 执行率 得分",
                       "年度资金总额:1,200.50 1,310.00 1,296.90 10 99.00% 9.9", "其中:财政拨款1,100 1,200 1,190"])


def test_flattened_form_reads_the_total_row():
    rows = _parse_text(FLAT_FORM)
    assert {m for m in _money(rows) if m[1] in ("initial", "total")} == {
        ("budget", "initial", Decimal("1200.50")), ("budget", "total", Decimal("1310.00")),
        ("spend", "total", Decimal("1296.90"))}


# ---------------------------------------------------------------- the real readers


def _layout(rows: list[list[str]]) -> list[list[tuple[int, int, int, str]]]:
    """Each row's cells as (column, rows spanned, columns spanned, text): a run of one value is one
    merged cell, and the block label is one cell merged down the money block (rows 2-5)."""
    out = []
    for r, row in enumerate(rows):
        cells, c = [], 0
        while c < len(row):
            if c == 0 and row[0] == BLOCK:
                if r == 1:
                    cells.append((0, 4, 1, BLOCK))
                c = 1
                continue
            span = 1
            while c + span < len(row) and row[c + span] == row[c] and row[c] != BLOCK:
                span += 1
            cells.append((c, 1, span, "" if row[c] == BLOCK else row[c]))
            c += span
        out.append(cells)
    return out


def _docx(rows: list[list[str]]) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, cells in enumerate(_layout(rows)):
        for c, down, across, text in cells:
            table.cell(r, c).text = text
            if down > 1 or across > 1:
                table.cell(r, c).merge(table.cell(r + down - 1, c + across - 1))
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _html(rows: list[list[str]]) -> bytes:
    body = "".join("<tr>" + "".join(f'<td rowspan="{down}" colspan="{across}">{text.replace(chr(10), "<br>")}</td>'
                                    for _, down, across, text in cells) + "</tr>" for cells in _layout(rows))
    return (f"<html><head><meta charset='utf-8'></head><body><p>{TITLE}</p><table>{body}</table>"
            "</body></html>").encode()


def _xlsx(rows: list[list[str]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.cell(row=1, column=1).value = TITLE
    for r, cells in enumerate(_layout(rows), start=2):
        for c, down, across, text in cells:
            sheet.cell(row=r, column=c + 1).value = text or None
            if down > 1 or across > 1:
                sheet.merge_cells(start_row=r, start_column=c + 1, end_row=r + down - 1, end_column=c + across)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(("suffix", "build"), [(".docx", _docx), (".html", _html), (".xlsx", _xlsx)])
def test_real_readers_hand_over_cells_the_form_reader_reads(suffix, build):
    decoded = read_document(build(DEPARTMENT_FORM), suffix)
    assert decoded.error is None and decoded.tables
    rows = parse_report(ReportInput("r", "r" + suffix, decoded.text, spans=decoded.spans,
                                    tables=decoded.tables)).rows
    assert _money(rows) == WANT_MONEY
    assert _headline(rows) == ([Decimal("99.00")], Decimal("88.60"), Decimal("100"), "良")
    assert all(m["source_locator"] for m in rows["money_facts"])


# ---------------------------------------------------------------- the grid model


def test_grids_survive_their_transport_as_json():
    document = _document(DEPARTMENT_FORM)
    text, _, placed = render_placed(document)
    grids = document_grids(document, text, placed)
    assert grids_from_json(grids_to_json(grids)) == grids
    assert all(text[c.start:c.end] == c.text for g in grids for row in g.rows for c in row)


def test_a_cell_with_its_own_provenance_locates_the_facts_read_from_it():
    class CellRow(TableRow):
        pass

    rows = []
    for i, r in enumerate([["项目", "全年预算数(万元)", "全年执行数(万元)"], ["合计", "100", "90"]], start=1):
        row = CellRow(tuple(r), Provenance("1", f"A{i}:C{i}"))
        object.__setattr__(row, "cell_provs", tuple(Provenance("1", f"{col}{i}") for col in "ABC"))
        rows.append(row)
    document = Document("xlsx", (Page("1", (Block("paragraph", Provenance("1", "A0"), TITLE),
                                             Block("table", Provenance("1", "A1:C2"), rows=tuple(rows)))),))
    text, spans, placed = render_placed(document)
    grids = document_grids(document, text, placed)
    refined = cell_spans(grids, spans)
    assert [s.prov.locator for s in refined if s.start >= grids[0].start] == ["A1", "B1", "C1", "A2", "B2", "C2"]


@pytest.mark.parametrize(("text", "value", "unit", "comparator"), [
    ("≥95%", Decimal(95), "%", ">="), ("不低于90%", Decimal(90), "%", ">="), ("95%以上", Decimal(95), "%", ">="),
    ("≤3起", Decimal(3), "起", "<="), ("控制在5%以内", Decimal(5), "%", "<="), ("=100", Decimal(100), None, "="),
    ("100%", Decimal(100), "%", None), ("1,200人次", Decimal(1200), "人次", None),
    ("约95%", None, None, None), ("2023年12月底前", None, None, None), ("完成", None, None, None),
])
def test_target_figures_and_their_comparator(text, value, unit, comparator):
    figure = read_figure(text)
    assert (figure.value, figure.unit, figure.comparator) == (value, unit, comparator)


def test_comparator_column_and_prose_wording():
    assert [comparator_cell(c) for c in ("≥", "≤", "=", "定性")] == [">=", "<=", "=", None]
    rows = _parse_text("2023年度某县某局部门整体支出绩效自评报告\n二、绩效自评情况\n(一)履职效能分析\n"
                       "1.收文处理率:预期全年收文处理率达95%,实际完成97%。\n"
                       "2.投诉率:预期控制在5%以内,实际完成6%。\n")
    got = {i["indicator_name"]: (i["comparator"], i["target_value"], i["actual_value"])
           for i in rows["indicator_facts"]}
    assert got == {"收文处理率": (">=", Decimal(95), Decimal(97)), "投诉率": ("<=", Decimal(5), Decimal(6))}


def test_a_blank_cell_is_a_placeholder():
    assert [GridCell(t, 0, len(t)).is_blank for t in ("/", "—", "", "无", "0")] == [True, True, True, True, False]


SCORING = f"""{TITLE.replace("自评表", "自评报告")}
| 一级指标 | 二级指标 | 三级指标 | 分值 | 得分 |
| 履职效能(60分) | 履职效能(60分) | 履职效能(60分) | 60 | 55.2 |
| 履职效能(60分) | 产出数量 | 重点工作完成率 | 30 | 28 |
| 管理效率(40分) | 管理效率(40分) | 管理效率(40分) | 40 | 36 |
| 管理效率(40分) | 预算管理 | 预算执行率 | 40 | 36 |
| 合计 | 合计 | 合计 | 100 | 91.2 |
"""


def test_scoring_table_parts_and_total():
    rows = _parse_text(SCORING)
    got = {(s["score_item"], s["score"], s["max_score"]) for s in rows["score_facts"]}
    assert got == {("total", Decimal("91.2"), Decimal(100)),
                   ("performance_effectiveness", Decimal("55.2"), Decimal(60)),
                   ("management_efficiency", Decimal(36), Decimal(40))}


def test_a_project_form_in_a_department_report_is_not_the_department_s_money():
    project = [["项目名称", "某某运维经费", "某某运维经费", "某某运维经费"],
               ["项目资金(万元)", "年初预算数", "全年预算数", "全年执行数"],
               ["年度资金总额", "50", "62.4", "60"]]
    rows = _parse_document(_document(project, TITLE.replace("自评表", "自评报告")))
    assert rows["money_facts"] == []
    assert [p["budget_adjusted_wan_yuan"] for p in rows["project_facts"]] == [Decimal("62.4")]


def test_a_form_in_traditional_script_reads_like_the_simplified_one():
    traditional = str.maketrans("预执况万额资财拨数总级评实际标", "預執況萬額資財撥數總級評實際標")
    rows = _parse_document(_document([[cell.translate(traditional) for cell in row] for row in DEPARTMENT_FORM]))
    assert "年度預算執行情況(萬元)" in rows["money_facts"][0]["source_text"]
    assert _money(rows) == WANT_MONEY
    assert _headline(rows) == ([Decimal("99.00")], Decimal("88.60"), Decimal("100"), "良")
