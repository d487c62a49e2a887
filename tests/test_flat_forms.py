"""Units of the rules the facts-level form test needed, on forms written for these tests (not generated):
a form flattened to one cell per line rebuilt into rows, the unit line over a form's title rows, a rate a
workbook keeps as a fraction, subtotal rows as a scoring table's parts, the total among total rows."""

from __future__ import annotations

from decimal import Decimal

from ingest.documents import read_document
from ingest.documents.grids import line_above
from ingest.documents.sheet import _cell_text
from ingest.facts.tables import flat_tables
from ingest.parse import ReportInput, parse_report

FLAT_FORM = """某县某局2022年度部门整体支出绩效自评报告
一、基本情况
本单位按照规定开展了绩效自评，各项指标完成情况详见附表。
部门整体支出绩效自评表
(2022年度)
部门(单位)名称
某省某县农业农村局
年度预算执行情况(万元)
年初预算数
全年预算数
全年执行数
分值
执行率
得分
年度资金总额
1,200.50
1,310.00
1,296.90
10
99.00%
9.9
其中:财政拨款
1,100
1,200
1,190
/
/
/
绩效指标
一级指标
二级指标
三级指标
年度指标值
实际完成值
分值
得分
偏差原因分析及改进措施
产出指标
数量指标
培训人次
≥500人次
620人次
20
20
质量指标
验收合格率
≥95%
93%
20
18.6
个别项目未按期验收
效益指标
社会效益指标
群众知晓率
90%
92%
50
50
总分
100
98.50
自评等级
优
"""


def _rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line.strip()]
    tables = flat_tables(lines)
    assert len(tables) == 1
    return [[cell for cell, _ in row] for row in tables[0].rows]


def test_a_flattened_form_is_rebuilt_into_rows_with_merged_cells_carried_and_empty_reasons_missing():
    rows = _rows(FLAT_FORM)
    assert rows[0][:2] == ["部门(单位)名称", "某省某县农业农村局"]
    assert rows[1][:7] == ["年度预算执行情况(万元)", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    assert rows[2][:7] == ["年度资金总额", "1,200.50", "1,310.00", "1,296.90", "10", "99.00%", "9.9"]
    indicators = [r for r in rows if r[0] == "绩效指标"]
    assert indicators[1] == ["绩效指标", "产出指标", "数量指标", "培训人次", "≥500人次", "620人次", "20", "20", ""]
    assert indicators[2] == ["绩效指标", "产出指标", "质量指标", "验收合格率", "≥95%", "93%", "20", "18.6",
                             "个别项目未按期验收"]
    assert indicators[3] == ["绩效指标", "效益指标", "社会效益指标", "群众知晓率", "90%", "92%", "50", "50", ""]
    assert rows[-2] == ["总分"] * 6 + ["100", "98.50", ""]
    assert rows[-1] == ["自评等级"] * 8 + ["优"]


def test_a_flattened_form_states_its_facts_through_the_text_reader():
    decoded = read_document(FLAT_FORM.encode("utf-8"), ".txt", flat_forms=flat_tables)
    assert decoded.document is not None and decoded.document.notes
    rows = parse_report(ReportInput("r", "r.txt", decoded.text, tables=decoded.tables)).rows
    money = {(m["side"], m["item"], m["amount_wan_yuan"]) for m in rows["money_facts"]}
    assert {("budget", "total", Decimal("1310.00")), ("spend", "total", Decimal("1296.90"))} <= money
    scores = [(s["score_item"], s["score"], s["rating"]) for s in rows["score_facts"]]
    assert ("total", Decimal("98.50"), "优") in scores
    found = {i["indicator_name"]: (i["target_value"], i["actual_value"], i["comparator"])
             for i in rows["indicator_facts"]}
    assert found == {"培训人次": (Decimal(500), Decimal(620), ">="), "验收合格率": (Decimal(95), Decimal(93), ">="),
                     "群众知晓率": (Decimal(90), Decimal(92), None)}
    assert rows["report_headers"][0]["department_name"] == "某省某县农业农村局"


def test_prose_naming_column_words_is_no_flattened_table():
    text = "预算执行情况\n年初预算数\n全年预算数\n本年度预算执行良好,资金使用规范。\n下一步将加强管理。\n"
    assert flat_tables(text.splitlines()) == []
    assert not read_document(text.encode("utf-8"), ".txt", flat_forms=flat_tables).document.notes


def test_the_unit_line_over_a_forms_title_rows_is_its_caption():
    text = "前言段落。\n单位:元\n项目支出绩效自评表\n(2021年度)\n| 项目名称 | 某项目 |"
    assert line_above(text, text.index("|")).text == "单位:元"
    plain = "前言段落。\n项目支出绩效自评表\n(2021年度)\n| 项目名称 | 某项目 |"
    assert line_above(plain, plain.index("|")).text == "(2021年度)"
    # a unit line above a paragraph that is no caption belongs to something else
    far = "单位:元\n" + "这是一段很长的说明文字," * 10 + "\n| 项目名称 | 某项目 |"
    assert line_above(far, far.index("|")) is None


def test_a_fraction_in_a_percent_format_reads_as_the_sheet_shows_it():
    assert _cell_text(0.9833, 2) == "98.33%"
    assert _cell_text(1.0, 0) == "100%"
    assert _cell_text(0.9833) == "0.9833"  # no percent format: the number as stored
    assert _cell_text(12.0) == "12"


SCORING = """| 一级指标 | 二级指标 | 三级指标 | 分值 | 评分标准 | 得分 |
| 履职效能(60分) | 目标完成 | 数量目标完成率 | 60 | 全部完成得满分 | 55 |
| 履职效能(60分) | 小计 | 小计 | 60 | / | 55 |
| 管理效率(40分) | 预算管理 | 预算执行率 | 40 | 按比例得分 | 36.5 |
| 管理效率(40分) | 小计 | 小计 | 40 | / | 36.5 |
| 合计 | 合计 | 合计 | 90 | / | 80.5 |
| 总分 | 总分 | 总分 | 100 | / | 91.5 |
"""


def test_subtotal_rows_are_parts_and_the_largest_maximum_total_wins():
    text = "某县某局部门整体支出绩效评价评分表\n(2022年度)\n" + SCORING
    rows = parse_report(ReportInput("r", "r.txt", text)).rows
    scores = {s["score_item"]: s["score"] for s in rows["score_facts"]}
    assert scores == {"total": Decimal("91.5"), "performance_effectiveness": Decimal(55),
                      "management_efficiency": Decimal("36.5")}
