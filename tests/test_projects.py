"""Project facts: project forms (one per 项目名称 block), narrative project reports, and the
``partial`` status of a report whose headline figure is stated with different values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.facts.header import report_type
from ingest.facts.projects import split_code
from ingest.parse import ReportInput, parse_report
from ingest.text.normalise import normalise

# Two project forms of one department report, flattened one cell per line with " |" separators.
TWO_FORMS = """2024年度某省某市某局部门整体支出绩效自评报告
一、部门概况
我局2024年度部门预算支出总额1200万元。
项目支出绩效自评表(2024年度) |
项目名称 |
33010024X000000012345-城市道路养护 |
主管部门 |
杭州市余杭区交通运输局本级 |
实施单位 |
杭州市余杭区公路与运输管理中心 |
项目资金(万元) |
年初预算数 |
全年预算数 |
全年执行数 |
执行率 |
分值 |
得分 |
年度资金总额 |
520.5 |
498.2 |
480.1 |
96.37% |
10 |
9.6 |
其中:财政拨款 |
520.5 |
498.2 |
480.1 |
96.37% |
/ |
/ |
项目支出绩效自评表(2024年度) |
项目名称 |
路灯电费 |
主管部门 |
杭州市余杭区交通运输局 |
项目资金(万元) |
年初预算数 |
全年预算数 |
全年执行数 |
执行率 |
年度资金总额 |
80 |
80 |
79.5 |
99.38% |
"""


def _parse(text: str) -> dict:
    return parse_report(ReportInput("r1", "r1.txt", text)).rows


def test_every_project_form_is_a_project_with_its_own_figures():
    projects = _parse(TWO_FORMS)["project_facts"]
    got = [(p["project_seq"], p["project_code"], p["project_name"], p["supervising_department"],
            p["implementing_unit"], p["budget_initial_wan_yuan"], p["budget_adjusted_wan_yuan"],
            p["spend_wan_yuan"], p["execution_rate_pct"]) for p in projects]
    assert got == [
        (1, "33010024X000000012345", "城市道路养护", "杭州市余杭区交通运输局", "杭州市余杭区公路与运输管理中心",
         Decimal("520.5"), Decimal("498.2"), Decimal("480.1"), Decimal("96.37")),
        (2, None, "路灯电费", "杭州市余杭区交通运输局", None, Decimal("80"), Decimal("80"), Decimal("79.5"),
         Decimal("99.38")),
    ]
    text = normalise(TWO_FORMS)
    for p in projects:
        assert text[p["source_start"]:p["source_end"]] == p["source_text"]
        assert p["block_start"] <= p["source_start"] < p["source_end"] <= p["block_end"]
    assert projects[0]["block_end"] <= projects[1]["block_start"]


def test_project_forms_never_become_department_money():
    rows = _parse(TWO_FORMS)
    amounts = {f["amount_wan_yuan"] for f in rows["money_facts"]}
    assert amounts == {Decimal("1200")}


def test_a_form_with_an_all_zero_total_row_states_no_project_figures():
    text = """项目支出绩效自评表(2023年度)
项目名称 | 档案数字化 |
主管部门 | 某县档案馆 |
项目资金(万元) | 年初预算数 | 全年预算数 | 全年执行数 | 执行率 |
年度资金总额 | 0 | 0 | 0 | 0 |
其中:财政拨款 | 30 | 30 | 28 | 93.33% |
"""
    rows = _parse(text)
    (project,) = rows["project_facts"]
    assert (project["budget_adjusted_wan_yuan"], project["spend_wan_yuan"]) == (None, None)
    assert "project_total_row_zero" in {i["code"] for i in rows["parse_issues"]}


def test_narrative_project_report_states_one_project():
    text = ("2022年度成都市金牛区水务局河道保洁项目支出绩效自评报告\n一、项目概况\n"
            "项目年度预算数 120 万元,实际支出 115 万元,预算执行率 95.83%。\n"
            "二、自评结论\n项目自评得分 92 分,评价等级为优。\n")
    (project,) = _parse(text)["project_facts"]
    assert (project["project_name"], project["supervising_department"], project["budget_adjusted_wan_yuan"],
            project["spend_wan_yuan"], project["execution_rate_pct"], project["score_total"],
            project["rating"]) == ("河道保洁项目", "成都市金牛区水务局", Decimal("120"), Decimal("115"),
                                   Decimal("95.83"), Decimal("92"), "优")


def test_department_report_without_project_form_has_no_project():
    text = "2023年度某市某局部门整体支出绩效自评报告\n全年预算数 300 万元,全年支出 290 万元。\n"
    assert _parse(text)["project_facts"] == []


@pytest.mark.parametrize(("value", "code", "name"), [
    ("51000021R000000019951-工资性支出", "51000021R000000019951", "工资性支出"),
    ("44010023Y00000001 - 信息化运维", "44010023Y00000001", "信息化运维"),
    ("2023年全县农村道路建设项目", None, "2023年全县农村道路建设项目"),
    ("ABCDEFGHIJ-无数字编码", None, "ABCDEFGHIJ-无数字编码"),
])
def test_split_code(value, code, name):
    assert split_code(value) == (code, name)


def test_conflicting_headline_figure_makes_the_report_partial():
    text = ("2023年度某市某局部门整体支出绩效自评报告\n一、部门概况\n全年预算数 300 万元,支出总额 290 万元。\n"
            "二、自评情况\n全年预算数 310 万元。自评得分 95 分。\n")
    (header,) = _parse(text)["report_headers"]
    assert header["parse_status"] == "partial"
    assert "conflicting budget total" in header["status_reason"]
    assert "300" in header["status_reason"] and "310" in header["status_reason"]


@pytest.mark.parametrize(("title", "kind"), [
    ("某市某中心2022年整体和项目支出绩效自评总结报告", "department_overall"),
    ("某县某局2021年度整体绩效自评报告", "department_overall"),
    ("某县某局2021年度道路养护项目支出绩效自评报告", "project"),
])
def test_a_report_on_the_whole_department_and_its_projects_is_department_overall(title, kind):
    assert report_type(title, "") == kind


@pytest.mark.parametrize("title", [
    "某市农业农村局关于2023年度项目绩效自评工作的报告",
    "某州数据发展中心2024年度项目支出绩效单位自评报告",
    "某县财政局2022年度部门预算项目支出绩效自评报告",
])
def test_a_report_on_all_projects_names_no_project(title):
    text = f"{title}\n一、基本情况\n项目年度预算数 120 万元,实际支出 115 万元。\n"
    assert _parse(text)["project_facts"] == []
