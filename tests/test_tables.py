"""The table reader (``ingest.facts.tables``) and the form readers on it (``ingest.facts.forms``), on layouts
written for these tests: pipe rows, one cell per line, cells glued on one line; distractors included."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.facts.forms import budget_lines, department_form_money, form_department, form_score, form_staff
from ingest.facts.tables import field_value, read_tables, report_tables, sections
from ingest.text.normalise import normalise
from ingest.text.segment import lines_of


def _read(raw: str):
    """Normalised text, its cell stream and the sections of every table in it."""
    text = normalise(raw)
    cells, grids = report_tables(text, lines_of(text))
    return text, cells, [s for grid in grids for s in sections(grid)]


def _row(section, label):
    return next(r for r in section.body if section.label(r) == label)


PIPE_FORM = """部门整体支出绩效自评表(2022年度)
| 部门名称 | 某县林业局 |
| 项目资金(万元) | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |
| 年度资金总额 | 1,200.5 | 1,310 | 1,296.9 | 10 | 99.0% | 9.9 |
| 其中:当年财政拨款 | 1,100 | 1,200 | 1,190 | — | 99.17% | — |
"""

# The same form as a web page flattens it: one cell per line, each closed by " |".
ONE_CELL_PER_LINE = "\n".join(f"{c} |" for c in [
    "部门名称", "某县林业局", "项目资金(万元)", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分",
    "年度资金总额", "1,200.5", "1,310", "1,296.9", "10", "99.0%", "9.9",
    "其中:当年财政拨款", "1,100", "1,200", "1,190", "", "99.17%", ""])

# The same form as a DOCX export glues it: header words run together, numbers left space-separated.
GLUED = ("部门名称某县林业局项目资金(万元)年初预算数 全年预算数 全年执行数 分值 执行率 得分 "
         "年度资金总额:1,200.5 1,310 1,296.9 10 99.0% 9.9 其中:当年财政拨款1,100 1,200 1,190")


@pytest.mark.parametrize("raw", [PIPE_FORM, ONE_CELL_PER_LINE, GLUED], ids=["pipe", "cell_per_line", "glued"])
def test_budget_block_read_by_header_vocabulary(raw):
    _, cells, tables = _read(raw)
    budget = next(t for t in tables if "spend" in t.keys)
    assert budget.unit == "万元"
    assert budget.value(_row(budget, "年度资金总额"), "budget_adjusted").number == Decimal("1310")
    assert budget.value(_row(budget, "年度资金总额"), "execution_rate").percent == Decimal("99.0")
    assert budget.value(_row(budget, "当年财政拨款"), "spend").number == Decimal("1190")
    assert field_value(cells, "department").text == "某县林业局"
    total = next(line for line in budget_lines(tables) if line.is_total)
    assert (total.budget_initial, total.budget_adjusted, total.spend) == (
        Decimal("1200.5"), Decimal("1310"), Decimal("1296.9"))


def test_columns_are_found_by_name_not_position():
    """Columns in another order (执行数 before 预算数) are still paired by their header words."""
    _, _, tables = _read("| 单位:万元 | 全年执行数 | 年初预算数 | 全年预算数 |\n| 合计 | 90 | 100 | 95 |\n")
    table = tables[0]
    assert table.value(_row(table, "合计"), "spend").number == Decimal("90")
    assert table.value(_row(table, "合计"), "budget_initial").number == Decimal("100")


def test_block_without_a_unit_states_no_money():
    text, _, tables = _read("| 项目 | 年初预算数 | 全年预算数 | 全年执行数 |\n| 合计 | 100 | 95 | 90 |\n")
    assert tables and tables[0].unit is None
    assert department_form_money(text, budget_lines(tables)) == ([], [], [])


def test_zero_filled_total_row_is_not_read():
    raw = ("项目资金(万元)\n年初预算数 全年预算数 全年执行数 分值 执行率 得分\n"
           "年度资金总额:0 0 0 10 0 0\n其中:本年财政拨款60 58.5 58.5\n")
    text, _, tables = _read(raw)
    facts, rates, issues = department_form_money(text, budget_lines(tables))
    assert facts == [] and rates == []
    assert [i.code for i in issues] == ["form_total_row_zero"]


def test_department_form_money_from_total_row():
    text, _, tables = _read(PIPE_FORM)
    facts, rates, _ = department_form_money(text, budget_lines(tables))
    assert sorted((f.side, f.item, f.amount_wan_yuan) for f in facts) == [
        ("budget", "fiscal_appropriation", Decimal("1200")), ("budget", "initial", Decimal("1200.5")),
        ("budget", "total", Decimal("1310")), ("spend", "fiscal_appropriation", Decimal("1190")),
        ("spend", "total", Decimal("1296.9"))]
    assert [r.value for r in rates] == [Decimal("99.0")]


def test_prose_is_not_a_table():
    _, _, tables = _read("全年预算数为本年重点,全年执行数较上年增加,执行率仍需提高。\n得分情况见附表。\n")
    assert tables == []


@pytest.mark.parametrize(("raw", "authorized", "in_service"), [
    ("人员编制\n35\n实有人数\n33\n职能职责概述\n负责全县林业工作。", 35, 33),
    ("| 编制数 | 实际在职人数 | 控制率 |\n| 48 | 45 | 93.75% |", 48, 45),
    ("| 2023年编制数 | 2023年实际在职人数 |\n| 12 | 11 |", 12, 11),
])
def test_staff_in_forms(raw, authorized, in_service):
    _, cells, tables = _read(raw)
    got = {m.measure: m.value for m in form_staff(cells, tables)}
    assert got == {"staff_authorized": authorized, "staff_in_service": in_service}


def test_staff_field_followed_by_prose_is_not_a_count():
    _, cells, tables = _read("人员编制\n按核定数执行,年内调出3人。\n实有人数\n见附表")
    assert form_staff(cells, tables) == []


@pytest.mark.parametrize(("raw", "score"), [
    ("主管部门某区文旅局自评总分(分)96.5部门联系人李四", Decimal("96.5")),
    ("| 自评得分 | 88 |", Decimal("88")),
    ("自评得分:91分", Decimal("91")),
])
def test_score_field(raw, score):
    _, cells, _ = _read(raw)
    assert form_score(cells).score == score


@pytest.mark.parametrize("raw", ["总分\n3.部门整体支出绩效自评开展情况", "自评得分\n3.按要求开展"])
def test_score_field_does_not_take_a_section_number(raw):
    _, cells, _ = _read(raw)
    assert form_score(cells) is None


@pytest.mark.parametrize(("raw", "name"), [
    ("| 项目名称 | 某某运维经费 |\n| 主管部门 | 某县水利局本级 |\n| 实施单位(盖章) | 某县水利局 |", "某县水利局"),
    ("| 主管部门 | 某县水利局部门 | 实施单位 | |", "某县水利局"),
    ("项目名称档案数字化主管部门318-某市档案馆实施单位318001-某市档案馆项目资金(万元)年初预算数 全年预算数",
     "某市档案馆"),
    ("部门(单位)名称: 某市城市管理监督指挥中心\n预算编码: 906017", "某市城市管理监督指挥中心"),
])
def test_form_department(raw, name):
    _, cells, _ = _read(raw)
    assert form_department(cells)[0] == name


def test_form_department_rejects_a_sentence():
    _, cells, _ = _read("主管部门\n要求各单位加强预算管理。")
    assert form_department(cells) is None


INDICATOR_FORM = ("绩效指标(90分)|一级指标|二级指标|三级指标|指标性质|指标值|度量单位|完成值|权重|得分|未完成原因分析|"
                  "产出指标|质量指标|验收合格率|≥|95|%|98|40|40||"
                  "效益指标|社会效益指标|群众知晓率|≥|80|%|85|30|28|宣传覆盖不足| ||"
                  "满意度指标|服务对象满意度指标|服务对象满意度|≥|90|%|93|20|20||合计|90|88||评价结论|良好|")


def test_positional_indicator_table_with_stray_empty_cells():
    text = normalise(INDICATOR_FORM)
    tables = read_tables(text, lines_of(text))
    table = next(t for t in tables if "level3" in t.columns)
    assert [table.value(r, "level3").text for r in table.rows] == ["验收合格率", "群众知晓率", "服务对象满意度"]
    assert table.cell("效益指标", "score").number == Decimal("28")
    assert table.cell("效益指标", "reason").text == "宣传覆盖不足"


def test_indicator_rows_become_indicators():
    from ingest.facts.indicators import table_indicators

    _, _, tables = _read(INDICATOR_FORM)
    got = [(i.level2, i.name, i.target_text, i.actual_value, i.weight, i.score)
           for i in table_indicators(tables)]
    assert got[0] == ("质量指标", "验收合格率", "≥95%", Decimal("98"), Decimal("40"), Decimal("40"))
    assert len(got) == 3


def test_score_column_header_is_not_a_score_field():
    _, cells, _ = _read("| 指标 | 分值 | 自评得分 |\n| 10 | 9 |\n| 预算编制 | 10 | 9 |")
    assert form_score(cells) is None


def test_titles_are_looked_for_on_the_first_page_only():
    from ingest.facts.header import title_candidates

    text = normalise("某县某局2021年度部门整体支出绩效自评报告" + "正文。" * 1200 + "附:2019年度绩效评价报告")
    assert [t.text for t in title_candidates(lines_of(text))] == ["某县某局2021年度部门整体支出绩效自评报告"]
