"""The organisation-name grammar (``ingest.facts.orgname``) and the header rules built on it, one class of
wrong header value at a time, on variants written for these tests (``tests/header_variants.py``),
distractors included."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from ingest.facts import orgname
from ingest.facts.header import department_type, evaluator_kind
from ingest.parse import ReportInput, parse_reports
from ingest.text.normalise import normalise, simplified
from ingest.vocab.vocabulary import VOCAB_DIR
from tests import header_variants as V


# ---------------------------------------------------------------- the grammar
@pytest.mark.parametrize("name", [
    "湛江市财政局", "政协临澧县委员会办公室", "中共南昌市新建区委统一战线工作部", "共青团柳州市委员会",
    "长沙市雨花区人民政府洞井街道办事处", "重庆市规划和自然资源局渝北区分局", "耒阳市第四中学",
    "中共南县县委机构编制委员会办公室(南县机构编制委员会办公室)", "中共某市委党校", "某县总工会",
    "某市残疾人联合会", "某市图书馆", "湖南省人民检察院", "安徽宣城高新技术产业开发区管理委员会",
    "本溪市财政局", "贵阳市教育局", "日照市财政局", "南县政协", "海南省平山医院", "政务公开办公室",
])
def test_organisation_names_pass(name):
    assert orgname.check(name).name == name


@pytest.mark.parametrize(("candidate", "problem"), [
    ("现将2017年度湛江市财政局", "digits"),
    ("2022年12月31日", "digits"),
    ("二〇二二年三月", "digits"),
    ("年度湛江市财政局", "tail of a year"),
    ("我院", "pronoun"),
    ("本单位", "pronoun"),
    ("该局", "pronoun"),
    ("十堰市城市管理执法委员会评价单位:十堰市", "':'"),
    ("某县民政局|填报日期", "'|'"),
    ("东湖区财政局办公室、投资评审中心", "'、'"),
    ("衡南县财政局填报人王芳", "field label"),
    ("十堰市城市管理执法委员会评价小组二", "organisation suffix"),
    ("农村公路建设项目", "organisation suffix"),
    ("湖南某某会计师事务所有限公司", "firm"),
    ("某某管理咨询有限公司", "firm"),
    ("中共某县委员会办公室(某县档案局", "bracket"),
    ("宁乡市财政局宁乡市教育局", "glued"),
    ("承担了郴州市北湖区民政局", "verb"),
    ("衡南县民政局部门整体支出绩效自评报告", "report wording"),
])
def test_candidates_that_are_not_names_say_why(candidate, problem):
    verdict = orgname.check(candidate)
    assert verdict.name is None
    assert problem in verdict.problem


@pytest.mark.parametrize(("candidate", "name"), [
    ("东湖区财政局(盖章)", "东湖区财政局"),
    ("泸溪县民政局(公章)", "泸溪县民政局"),
    ("大英县司法局本级", "大英县司法局"),
    ("网站首页信息公开衡阳县中医医院", "衡阳县中医医院"),
    ("关于印发临湘市财政局", "临湘市财政局"),
    ("首页新化县人民医院", "新化县人民医院"),
])
def test_qualifiers_and_glued_leading_words_come_off(candidate, name):
    assert orgname.check(candidate).name == name


def test_a_leading_word_comes_off_only_when_a_name_is_left():
    assert orgname.check("信息公开").name is None
    assert orgname.check("关于公开").name is None


@pytest.mark.parametrize(("span", "name"), [
    ("2017年度湛江市财政局整体支出自我绩效评价报告", "湛江市财政局"),
    ("2021年度安化县交通运输局部门整体支出绩效自评情况报告", "安化县交通运输局"),
    ("2020東湖區財政局", "東湖區財政局"),
    ("某市林业局关于2022年度项目绩效自评工作", "某市林业局"),
    ("2022年度中共南县县委机构编制委员会办公室(南县机构编制委员会办公室)部门整体支出",
     "中共南县县委机构编制委员会办公室(南县机构编制委员会办公室)"),
    ("宁乡市财政局宁乡市教育局2022年度部门整体支出绩效自评报告", "宁乡市教育局"),
    ("我局2020年度部门整体支出", None),
    ("2021年度部门整体支出", None),
])
def test_name_at_the_start_of_a_title_or_report_sentence(span, name):
    assert orgname.name_at_start(span).name == name


@pytest.mark.parametrize(("project", "department"), [
    ("海南省平山医院卫生健康发展专项资金项目", "海南省平山医院"),
    ("东湖区财政局财政事务工作经费项目", "东湖区财政局"),
    ("某县人民政府办公室信息化项目", "某县人民政府办公室"),
    ("中共某县委统一战线工作部宣传项目", "中共某县委统一战线工作部"),
    ("无锡市锡山区人力资源和社会保障局智慧城管项目", "无锡市锡山区人力资源和社会保障局"),
    ("2021年农村饮水安全巩固提升工程项目", None),
    ("城乡环卫一体化", None),
])
def test_department_of_a_project_name(project, department):
    assert orgname.department_of_project(project) == department


# ---------------------------------------------------------------- one home for suffixes and types
def _rows(vocabulary: str) -> list[dict[str, str]]:
    with (VOCAB_DIR / f"{vocabulary}.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("row", _rows("department_types"), ids=lambda r: r["key"])
def test_every_department_type_example_is_a_name_of_that_type(row):
    assert orgname.check(row["example"]).name == row["example"]
    assert department_type(row["example"]) == row["key"]


@pytest.mark.parametrize("row", _rows("org_suffixes"), ids=lambda r: r["wording"])
def test_every_suffix_example_is_a_name_and_firms_are_not_departments(row):
    assert row["example"].endswith(row["wording"])
    if row["key"] == "firm":
        assert orgname.check(row["example"]).name is None and orgname.is_firm(row["example"])
    else:
        assert orgname.check(row["example"]).name == row["example"]


# ---------------------------------------------------------------- traditional script, inserted pinyin
def test_inserted_pinyin_is_dropped_and_plain_brackets_stay():
    assert normalise("東湖區(qū)財政局發(fā)布機(jī)構(gòu)") == "東湖區財政局發布機構"
    assert normalise("附表(a)说明") == "附表(a)说明"


def test_simplified_view_keeps_every_offset():
    text = "部門整體支出績效自評報告,預算執行率為95%。乾縣"
    view = simplified(text)
    assert len(view) == len(text)
    assert view == "部门整体支出绩效自评报告,预算执行率为95%。乾县"  # 乾 is also simplified script: kept
    plain = "部门整体支出绩效自评报告"
    assert simplified(plain) is plain


def test_traditional_report_values_are_read_and_sources_stay_as_written():
    raw = ("2021年度邵陽市財政局部門整體支出績效自評報告\n一、部門基本情況\n"
           "本年度全年預算數為1,234.50萬元,預算執行率為96.5%。")
    frames = parse_reports([ReportInput("t", "t.txt", raw)], workers=1)
    header = frames["report_headers"].to_dicts()[0]
    assert (header["department_name"], header["fiscal_year"], header["city"]) == ("邵阳市财政局", 2021, "邵阳市")
    assert header["report_type"] == "department_overall"
    text = frames["report_texts"].to_dicts()[0]["normalised_text"]
    assert "邵陽市財政局" in text
    budget = [m for m in frames["money_facts"].to_dicts() if m["side"] == "budget"]
    assert [str(m["amount_wan_yuan"]) for m in budget] == ["1234.500000"]
    assert "預算" in budget[0]["source_text"]
    assert text[budget[0]["source_start"]:budget[0]["source_end"]] == budget[0]["source_text"]


# ---------------------------------------------------------------- rejected values are issues
def _issues(raw: str) -> list[dict]:
    frames = parse_reports([ReportInput("r", "r.txt", raw)], workers=1)
    return [i for i in frames["parse_issues"].to_dicts() if i["code"] == "header_value_rejected"]


def test_a_rejected_candidate_is_an_issue_quoting_it():
    issues = _issues("部门整体支出绩效自评报告\n评价年度:2021\n评价单位:绩效评价工作小组\n一、基本情况")
    assert [(i["severity"], i["snippet"]) for i in issues] == [("warn", "绩效评价工作小组")]
    assert issues[0]["message"].startswith("department name candidate from the form rejected: ")


def test_a_rejected_candidate_beside_a_chosen_name_is_information():
    issues = _issues("现将我院2021年度部门整体支出绩效自评情况报告如下:\n汝城县人民医院\n2022年3月1日")
    assert [(i["severity"], i["snippet"]) for i in issues] == [("info", "我院")]


# ---------------------------------------------------------------- who evaluated
@pytest.mark.parametrize(("text", "kind"), [
    ("某县某局2021年度部门整体支出绩效评价报告\n受某县财政局委托,湖南某某会计师事务所(以下简称“我所”)对某县某局开展了评价。",
     "third_party"),
    ("部门整体支出绩效评价报告\n我公司承担了某县某局2019年度部门整体支出绩效评价工作。", "third_party"),
    ("项目支出绩效评价报告\n评价机构:某某管理咨询有限公司(盖章)\n评价年度:2020年度", "third_party"),
    # a research institute speaks of itself as 我所: a self-evaluation
    ("某县农业科学研究所2021年度部门整体支出绩效自评报告\n我所认真开展自评工作。", "self"),
    ("某县某局2022年度项目支出部门评价报告\n一、项目概况", "department"),
    ("2017年度某市某局整体支出自我绩效评价报告", "self"),
    ("某县某局2021年度工作总结", None),
])
def test_evaluator_kind(text, kind):
    title = text.split("\n")[0]
    assert evaluator_kind(text, title) == kind


# ---------------------------------------------------------------- the variant sets
def test_tuning_variants_are_all_right():
    total, right, misses, wrongs = V.score(V.TUNING)
    assert (misses, wrongs) == ([], [])
    assert right == total


@pytest.mark.parametrize("cases", [V.HOLDOUT, V.HOLDOUT_2], ids=["holdout", "holdout2"])
def test_held_out_variants_state_no_wrong_value(cases):
    total, right, _, wrongs = V.score(cases)
    assert wrongs == []
    assert right / total >= 0.95


# ---------------------------------------------------------------- the refresh summary
def test_refresh_summary_counts_header_values_rejected(sample_warehouse: Path) -> None:
    from dagster_project.cli.refresh import warehouse_summary
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        stated = con.execute("SELECT count(*) FROM marts.fct_parse_issues "
                             "WHERE issue_code = 'header_value_rejected'").fetchone()[0]
        kinds = {r[0] for r in con.execute("SELECT DISTINCT evaluator_kind FROM marts.fct_report").fetchall()}
    finally:
        con.close()
    assert warehouse_summary(sample_warehouse)["header_values_rejected"] == stated
    assert kinds <= {None, "self", "department", "third_party"}
