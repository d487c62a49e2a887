"""Rules for real report layouts: titles anywhere on the first page, header order,
body years and names, places without a parent, ratings, staff and money wordings. Every case is a
variant written for this test, with distractors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.facts.header import fiscal_year_from_body, parse_title, read_header, split_place, title_candidates
from ingest.facts.money import extract_money, extract_staff
from ingest.facts.scores import extract_rating
from ingest.parse import ReportInput, parse_reports
from ingest.text.normalise import normalise
from ingest.text.segment import lines_of
from ingest.vocab import patterns as P


def _titles(raw: str) -> list[str]:
    return [t.text for t in title_candidates(lines_of(normalise(raw)))]


def _header(raw: str):
    text = normalise(raw)
    return read_header(text, lines_of(text))


# ---------------------------------------------------------------- titles
@pytest.mark.parametrize(("raw", "title"), [
    ("文号:\n发布日期:2024-05-06时效性:有效某市档案馆2023年度项目支出绩效单位自评报告\n一、基本情况",
     "某市档案馆2023年度项目支出绩效单位自评报告"),
    ("《某县第二小学专项资金绩效自评价报告.docx》由会员分享", "某县第二小学专项资金绩效自评价报告"),
    ("附件:1.某省水利厅2021年度部门整体支出绩效自评报告\n2.2021年度“某专项”绩效自评报告",
     "某省水利厅2021年度部门整体支出绩效自评报告"),
    ("资料.docx某市某中心2020年整体和项目支出绩效自评总结报告一绩效管理工作开展情况。",
     "某市某中心2020年整体和项目支出绩效自评总结报告"),
    ("某市林业局关于2022年度项目绩效自评工作的报告某市林业局关于…", "某市林业局关于2022年度项目绩效自评工作的报告"),
    ("部门预算项目支出绩效自评表(2021年度) |\n项目名称 |", "部门预算项目支出绩效自评表(2021年度)"),
])
def test_title_found_anywhere_on_first_page(raw, title):
    assert _titles(raw)[0] == title


def test_title_split_over_lines_is_merged():
    assert _titles("报告日期:2021年3月1日\n某县2020年度部门整体支出\n绩效评价自评报告\n一、基本情况")[0] == \
        "某县2020年度部门整体支出绩效评价自评报告"


def test_prose_mentioning_results_states_no_year_or_name():
    assert [parse_title(t) for t in _titles("我局2021年认真分析了绩效评价结果。")] == [(None, None)]


@pytest.mark.parametrize(("title", "year", "name"), [
    ("某县第二小学专项资金绩效自评价报告", None, "某县第二小学"),
    ("部门预算项目支出绩效自评表(2021年度)", 2021, None),
    ("某市某中心2020年整体和项目支出绩效自评总结报告", 2020, "某市某中心"),
    ("某市林业局关于2022年度项目绩效自评工作的报告", 2022, "某市林业局"),
    ("“某专项资金——某某提升”绩效自评报告", None, None),
])
def test_parse_title_variants(title, year, name):
    assert parse_title(title) == (year, name)


# ---------------------------------------------------------------- header order
def test_form_field_comes_before_title():
    raw = "南县财政局2022年度部门整体支出绩效自评报告\n| 部门名称 | 南县国库集中支付中心 |\n一、基本情况"
    header = _header(raw)
    assert (header.department_name, header.fiscal_year) == ("南县国库集中支付中心", 2022)


def test_title_without_name_takes_the_name_on_the_line_beside_it():
    header = _header("2021年部门整体支出绩效评价报告\n某市某区住房和城乡建设局\n信息来源:某局\n一、基本情况")
    assert header.department_name == "某市某区住房和城乡建设局"
    assert _header("2021年部门整体支出绩效评价报告\n根据有关文件精神,现将情况报告如下:").department_name is None


def test_body_full_name_defined_with_short_form():
    header = _header("2023年度项目支出绩效自评报告\n2023年,某州某某服务中心(以下简称“州服务中心”)实施项目5个。")
    assert header.department_name == "某州某某服务中心"


@pytest.mark.parametrize(("body", "year"), [
    ("2021年部门决算收支完成情况。本单位2021年支出稳定。发布时间:2022-04-15", 2021),
    ("报告日期:2019年06月18日。中心2018年较好地完成了任务,2018年支出可控。", 2018),
    ("根据〔2020〕3号文件,本单位2019年完成任务。", 2019),
])
def test_fiscal_year_from_body_without_nian_du(body, year):
    assert fiscal_year_from_body(body) == year


# ---------------------------------------------------------------- places
@pytest.mark.parametrize(("name", "county", "city", "level"), [
    ("南县农业农村局", "南县", "益阳市", "county"),
    ("长白朝鲜族自治县民政局", "长白朝鲜族自治县", "白山市", "county"),
    ("乌拉特前旗财政局", "乌拉特前旗", "巴彦淖尔市", "county"),
    ("楚雄州财政局", None, "楚雄彝族自治州", "prefecture"),
    ("黔东南州教育局", None, "黔东南苗族侗族自治州", "prefecture"),
])
def test_places_without_a_named_parent(name, county, city, level):
    place = split_place(name)
    assert (place.county, place.city, place.admin_level) == (county, city, level)


@pytest.mark.parametrize(("name", "level"), [
    ("城关镇人民政府", "township"),
    ("南县茅草街镇党委", "township"),
    ("县政协", None),
    ("城区管理中心", None),
    ("开发区管委会", None),
])
def test_township_level_and_generic_words(name, level):
    assert split_place(name).admin_level == level


# ---------------------------------------------------------------- ratings, staff, money
@pytest.mark.parametrize(("sentence", "rating"), [
    ("本年度部门整体支出和各专项资金绩效自评等次均为良好。", "良"),
    ("单位整体绩效自评为优秀;", "优"),
    ("经评价,整体绩效自评为合格。", "中"),
    ("其中绩效自评为优秀的项目12个,良好的项目3个。", None),
    ("绩效自评“良”的项目5个财政资金20万元。", None),
])
def test_rating_wordings(sentence, rating):
    found = extract_rating(sentence)
    assert (found[0] if found else None) == rating


@pytest.mark.parametrize(("sentence", "expected"), [
    ("本镇机构核定编制86人,无下属单位。", [("staff_authorized", 86)]),
    ("经机构编制部门批准,编制数40人。", [("staff_authorized", 40)]),
    ("机构编制数3个。", []),
])
def test_staff_wordings(sentence, expected):
    assert [(m.measure, m.value) for m in extract_staff(sentence)] == [(k, Decimal(v)) for k, v in expected]


def test_enumerated_income_and_spend_items():
    text = normalise("2022年部门决算收支情况。\n1、收入:650.5万元。其中:财政拨款收入650.5万元。\n"
                     "2、支出:640.25万元。其中:人员经费支出400万元,项目支出120.25万元。")
    got = sorted((f.side, f.item, f.amount_wan_yuan) for f in extract_money(text)[0])
    assert ("spend", "total", Decimal("640.25")) in got
    assert ("budget", "revenue_total", Decimal("650.5")) in got
    assert ("spend", "total", Decimal("400")) not in got


def test_prose_spend_without_enumerator_is_not_a_total():
    text = normalise("本年度公用经费支出:30万元。")
    assert all(f.item != "total" for f in extract_money(text)[0])


def test_form_title_makes_a_genuine_report():
    """A project form with its title and figures is a performance report, never rejected."""
    raw = ("部门预算项目支出绩效自评表(2022年度) |\n项目名称 |\n某某运维经费 |\n主管部门 |\n南县农业农村局 |\n"
           "年度预算数(万元) |\n年初预算 |\n调整后预算数 |\n预算执行数 |\n预算执行率 |\n"
           "总额 |\n20.00 |\n20.00 |\n19.50 |\n97.50% |")
    row = parse_reports([ReportInput("r", "r.txt", raw)])["report_headers"].to_dicts()[0]
    assert row["parse_status"] != "failed"
    assert (row["department_name"], row["fiscal_year"], row["report_type"]) == ("南县农业农村局", 2022, "project")


def test_report_title_vocabulary_is_anchored_on_performance_words():
    assert P.REPORT_TITLE.search("关于做好自评工作的通知") is None


# ---------------------------------------------------------------- official names and their types
@pytest.mark.parametrize(("name", "kind"), [
    ("政协某某县委员会办公室", "cppcc_office"),
    ("中国人民政治协商会议某某市委员会办公厅", "cppcc_office"),
    ("某某市政协办", "cppcc_office"),
    ("中共某某县委员会办公室", "party_committee_office"),
    ("某某县县委办", "party_committee_office"),
    ("某某区人民政府办公室", "government_office"),
    ("某某县政府办", "government_office"),
    ("某某县人大常委会办公室", "npc_standing_committee_office"),
    ("某某县人大办", "npc_standing_committee_office"),
    # the committees themselves are not their offices
    ("中共某某县委员会", "other"),
    ("中国人民政治协商会议某某县委员会", "other"),
    ("某某县政务服务中心", "other"),
])
def test_full_and_short_official_forms_get_their_type(name, kind):
    from ingest.facts.header import department_type
    assert department_type(name) == kind


def test_garbled_table_row_is_not_an_execution_rate():
    from ingest.facts.money import extract_rates
    assert extract_rates("年初预算数全年预算数全年执行数执行率(%)执行率权重执行率得分(分)O88%105") == []
    assert [m.value for m in extract_rates("本年度预算执行率为96.5%。")] == [Decimal("96.5")]


def test_short_form_subject_takes_its_placed_form_as_written():
    from ingest.facts.header import placed_short_form
    body = ("欢迎访问梧州市政协网站\n市政协坚持团结和民主两大主题。\n市政协牢牢把握履职方向,全市政协委员积极建言。")
    assert placed_short_form(body) == "梧州市政协"
    # a county with no known parent is ambiguous (某县 or 某某县): nothing
    assert placed_short_form(body.replace("梧州市", "某某县").replace("市政协", "县政协")) is None
    # mentioned once as a subject, or with no placed form: nothing
    assert placed_short_form("县政协坚持团结和民主。全县政协委员积极建言。县政协委员会议召开。") is None
    assert placed_short_form("县政协坚持团结。\n县政协牢牢把握方向,全县政协委员积极建言。") is None


@pytest.mark.parametrize("name", ["全县教育局", "我县财政局", "各乡人民政府"])
def test_collective_words_are_not_places(name):
    assert split_place(name).admin_level is None


@pytest.mark.parametrize(("title", "name"), [
    ("某县文化馆讲解团2022年度项目支出绩效自评报告", "某县文化馆讲解团"),
    ("2022年度某市城市管理局智慧停车项目支出绩效自评报告", "某市城市管理局"),
])
def test_project_title_keeps_an_official_name_whole(title, name):
    assert _header(title + "\n一、项目基本情况").department_name == name
