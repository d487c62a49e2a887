"""Unit tests of the parser's small pure functions (decode, normalise, segment, header, money, scores)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ingest.documents.decode import decode_bytes
from ingest.facts.header import department_type, parse_title, report_type, split_place
from ingest.facts.money import (
    extract_money,
    extract_rates,
    extract_staff,
    parse_number,
    to_wan_yuan,
)
from ingest.facts.scores import extract_rating, extract_scores
from ingest.parse import ReportInput, parse_report
from ingest.text.normalise import clean_texts, normalise
from ingest.text.segment import classify, enumerator_style, items, lines_of, sections, sentence_span

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


# ---------------------------------------------------------------- decode
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"])
def test_decode_detects_encoding(encoding):
    text = "2023年度部门整体支出绩效自评报告\n支出总额 100 万元。\n"
    assert decode_bytes(text.encode(encoding)).text.lstrip("\ufeff") == text


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty file"), (b"  \n\t", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ("支出".encode() + b"\xff\xfe\xfd\x80\x81", "undecodable bytes at offset"),
])
def test_decode_reports_why_it_cannot(data, reason):
    decoded = decode_bytes(data)
    assert decoded.text is None and reason in decoded.error


# ---------------------------------------------------------------- normalise
def test_halfwidth_forms():
    assert clean_texts(["２０２３年，执行率９９．５％（一）"]) == ["2023年,执行率99.5%(一)"]


def test_normalise_drops_page_footers_and_joins_broken_lines():
    raw = ("一、部门基本情况\n\n负责市政府和市政府办公厅的文电处理工作，草拟、审核、\n\n— 2 —\n\n"
           "印发以市政府名义发布的文件。\n\n第 3 页\n\n二、绩效自评情况\n")
    assert normalise(raw) == (
        "一、部门基本情况\n负责市政府和市政府办公厅的文电处理工作,草拟、审核、印发以市政府名义发布的文件。\n二、绩效自评情况")


def test_normalise_joins_a_number_broken_over_lines():
    raw = "2023年度本部门收入总额2180.24万元,支出总额2180.\n\n24万元,分别为基本支出1900.21万元。"
    assert "支出总额2180.24万元" in normalise(raw)


def test_normalise_strips_markdown_but_keeps_tables():
    raw = "# 标题\n\n### **三、存在的主要问题**\n\n- 1. 第一项\n\n| 指标 | 值 |\n| --- | --- |\n| 率 | 1% |"
    assert normalise(raw) == "标题\n三、存在的主要问题\n1.第一项\n| 指标 | 值 |\n| 率 | 1% |"


@pytest.mark.parametrize(("raw", "cleaned"), [
    ("第 1 页\n正文", "\n正文"),  # a footer on the first line (the line patterns anchor on a "\n")
    ("- 2 -\r\n正文\r第2页 共9页", "\n正文\n"),  # CRLF and CR become LF first
    ("- 第一项\n  * 第二项", "第一项\n第二项"),  # bullets on the first and an indented line
    ("## 标题 \n|---|:--:|\n**正文**", "\x01标题\n\n正文"),  # heading mark, table rule, emphasis
    ("2022 年 12 月  31 日 ,a  b\tc", "2022年12月31日,a b\tc"),  # spaces by Chinese; runs; a tab
])
def test_clean_texts_whole_text_rules(raw, cleaned):
    assert clean_texts([raw]) == [cleaned]


def test_clean_texts_cleans_each_text_of_a_batch_on_its_own():
    texts = ["正文 ", "# 标题", "", "第 3 页", "ａ　ｂ"]
    assert clean_texts(texts) == [clean_texts([t])[0] for t in texts] == ["正文", "\x01标题", "", "", "a b"]


def test_normalise_keeps_title_split_over_two_lines_together():
    raw = "附件 2\n\n2023 年度中国共产党广州市番禺区委员会\n办公室部门整体支出绩效自评报告\n\n一、部门基本情况"
    lines = normalise(raw).split("\n")
    assert lines[:2] == ["附件2", "2023年度中国共产党广州市番禺区委员会办公室部门整体支出绩效自评报告"]


# ---------------------------------------------------------------- segment
def test_sections_are_found_by_meaning_in_any_numbering():
    text = normalise("一、基本情况\n(一)部门职能\n1.职能一。\n2.职能二。\n二、存在的主要问题\n一是甲;二是乙;三是丙。\n"
                     "三、下一步改进措施\n加强管理。")
    kinds = [(s.heading.title, s.kind) for s in sections(text) if s.kind]
    assert kinds == [("基本情况", "basic_info"), ("部门职能", "duties"), ("存在的主要问题", "problems"),
                     ("下一步改进措施", "measures")]


@pytest.mark.parametrize(("line", "style"), [
    ("一、部门基本情况", "cn"), ("(一)部门职能", "paren_cn"), ("1.负责", "arabic"), ("1、预算编制", "arabic"),
    ("(1)收文处理率", "paren_arabic"), ("①项目", "circled"), ("一是加强", "shi"), ("第二部分 评价", "chapter"),
    ("1.5万元", None), ("十一五规划", None),
])
def test_enumerator_style(line, style):
    assert enumerator_style(line) == style


def test_items_split_inline_enumeration():
    text = "一是甲不足;二是乙不够;三是丙有待提高。"
    assert [text[s:e] for s, e in items(text, 0, len(text))] == ["一是甲不足", "二是乙不够", "三是丙有待提高。"]


def test_problems_heading_that_proposes_measures_is_measures():
    assert classify("就部门整体支出绩效管理存在问题提出改进措施") == "measures"


def test_sentence_span():
    text = "甲。全年预算数100万元,执行数90万元。乙"
    start, end = sentence_span(text, text.index("执行数"))
    assert text[start:end] == "全年预算数100万元,执行数90万元。"


def test_lines_of_offsets():
    assert [(ln.start, ln.end) for ln in lines_of("ab\ncde")] == [(0, 2), (3, 6)]


# ---------------------------------------------------------------- header
@pytest.mark.parametrize(("title", "year", "name"), [
    ("2023年度广州市人民政府办公厅部门整体支出绩效自评报告", 2023, "广州市人民政府办公厅"),
    ("附件22023年度广州市财政局部门整体支出绩效自评报告", 2023, "广州市财政局"),
    ("广州市财政局2022年度部门整体支出绩效自评报告", 2022, "广州市财政局"),
    ("关于2021年度部门整体支出绩效自评情况的报告", 2021, None),
    ("长沙市财政局部门整体支出绩效自评报告(2023年度)", 2023, "长沙市财政局"),
])
def test_parse_title(title, year, name):
    assert parse_title(title) == (year, name)


@pytest.mark.parametrize(("name", "province", "city", "county", "level"), [
    ("广州市人民政府办公厅", "广东省", "广州市", None, "prefecture"),
    ("中国共产党广州市番禺区委员会办公室", "广东省", "广州市", "番禺区", "county"),
    ("广东省人民政府办公厅", "广东省", None, None, "province"),
    ("北京市财政局", "北京市", None, None, "province"),
    ("上海市浦东新区教育局", "上海市", "上海市", "浦东新区", "county"),
    ("广州市城市管理和综合执法局", "广东省", "广州市", None, "prefecture"),
    ("佛山市南海区桂城街道办事处", "广东省", "佛山市", "南海区", "township"),
    ("延边朝鲜族自治州财政局", "吉林省", "延边朝鲜族自治州", None, "prefecture"),
])
def test_split_place(name, province, city, county, level):
    place = split_place(name)
    assert (place.province, place.city, place.county, place.admin_level) == (province, city, county, level)


@pytest.mark.parametrize(("name", "kind"), [
    ("广州市海珠区人民政府办公室", "government_office"),
    ("中国共产党广州市番禺区委员会办公室", "party_committee_office"),
    ("广州市人民代表大会常务委员会办公厅", "npc_standing_committee_office"),
    ("中国人民政治协商会议广州市委员会办公厅", "cppcc_office"),
    ("广州市某某研究中心", "other"),
])
def test_department_type(name, kind):
    assert department_type(name) == kind


# ---------------------------------------------------------------- money
@pytest.mark.parametrize(("printed", "value", "misplaced"), [
    ("30,266.62", Decimal("30266.62"), False), ("31,08.53", Decimal("3108.53"), True),
    ("2180.24", Decimal("2180.24"), False), ("1,071", Decimal("1071"), False),
])
def test_parse_number(printed, value, misplaced):
    assert parse_number(printed) == (value, misplaced)


def test_units_convert_exactly_to_wan_yuan():
    assert to_wan_yuan(Decimal("123456789.01"), "元") == Decimal("12345.678901")
    assert to_wan_yuan(Decimal("1.2"), "亿元") == Decimal("12000")


def _money(text: str) -> list[tuple]:
    return [(f.side, f.item, f.fund_scope, f.amount_wan_yuan) for f in extract_money(normalise(text))[0]]


def test_label_nearest_the_amount_wins():
    assert _money("支出总额中财政拨款支出2180.24万元。") == [("spend", "fiscal_appropriation", "all_funds",
                                                         Decimal("2180.24"))]


def test_scope_named_earlier_in_the_sentence_carries():
    got = _money("一般公共预算财政拨款年初结转和结余2,942.82万元,本年支出24,066.38万元。")
    assert got == [("budget", "carryover_begin", "general_public_budget", Decimal("2942.82")),
                   ("spend", "total", "general_public_budget", Decimal("24066.38"))]


@pytest.mark.parametrize("text", [
    "对3项年初预算500万元以上财政资金支出项目开展监控。",
    "校舍维修项目预算数300万元。",
    "全年到位资金200万元。",
    "根据财预〔2023〕15号文件,于2024年3月15日完成自评。",
    "共设奖金50万元。",
])
def test_distractors_are_not_money_facts(text):
    assert _money(text) == []


def test_year_like_amount_is_money():
    assert _money("全年预算数2023.10万元。") == [("budget", "total", "all_funds", Decimal("2023.10"))]


def test_initial_budget_is_total_when_no_adjusted_figure():
    assert _money("年初预算数100万元。") == [("budget", "total", "all_funds", Decimal(100))]
    assert sorted(_money("年初预算数100万元,调整后预算120万元。")) == [
        ("budget", "initial", "all_funds", Decimal(100)), ("budget", "total", "all_funds", Decimal(120))]


def _rates(text: str) -> list[tuple]:
    return [(m.measure, m.value) for m in extract_rates(normalise(text))]


@pytest.mark.parametrize(("text", "expected"), [
    ("完成预算的95.53%。", [("execution_rate_pct", Decimal("95.53"))]),
    ("整体支付率为99.5%,年度平均执行率为99.84%。",
     [("execution_rate_pct", Decimal("99.84")), ("payment_rate_pct", Decimal("99.5"))]),
    ("全年预算执行率未能达到99%以上。", []),
    ("预期执行率达95%。", []),
    ("一季度支出进度20%。", []),
    ("年末结转结余率仅为0.3%。", [("carryover_rate_pct", Decimal("0.3"))]),
])
def test_rates(text, expected):
    assert sorted(_rates(text)) == sorted(expected)


def test_staff_counts():
    got = {(m.measure, m.value) for m in extract_staff("在职人员39人,离退休人员合计13人,独立编制机构数1个。")}
    assert got == {("staff_in_service", Decimal(39)), ("staff_retired", Decimal(13))}


# ---------------------------------------------------------------- scores
def _scores(text: str) -> list[tuple]:
    return [(s.score_item, s.score, s.max_score, s.rating, s.is_derived)
            for s in extract_scores(normalise(text))]


def test_total_score_and_rating():
    assert _scores("绩效评价评分为97.8分,绩效评级为“优”。") == [("total", Decimal("97.8"), None, "优", False)]


def test_total_derived_from_both_stated_parts():
    got = _scores("履职效能部分自评得分为50分。管理效率部分自评得分为47.41分。")
    assert ("total", Decimal("97.41"), None, None, True) in got
    assert ("performance_effectiveness", Decimal(50), None, None, False) in got


def test_part_with_stated_maximum():
    assert _scores("预算管理18分(满分20分)。") == [("budget_management", Decimal(18), Decimal(20), None, False)]


@pytest.mark.parametrize("text", ["该指标分值20分。", "扣2分。", "信息综合得分排全市前列。",
                                  "在考核中获评“优秀”等次。"])
def test_weights_and_deductions_are_not_scores(text):
    assert _scores(text) == []
    assert extract_rating(normalise(text)) is None


def test_money_table_with_unit_line():
    text = normalise("\n".join([
        "2023年度某县林业局部门整体支出绩效自评报告",
        "单位:万元",
        "| 项目 | 年初预算数 | 全年预算数 | 全年执行数 | 执行率 |",
        "| --- | --- | --- | --- | --- |",
        "| 合计 | 1,000.00 | 1,200.50 | 1,100.25 | 91.65% |",
        "| 其中:一般公共预算 | 900 | 1,100.5 | 1,000.25 | 90.89% |",
        "| 基本支出 | | | 800 | |",
        "| 某专项 | 100 | 100 | 100 | 100% |",
    ]))
    rows = parse_report(ReportInput("r", "r.txt", text)).rows
    got = {(f["side"], f["item"], f["fund_scope"], f["amount_wan_yuan"]) for f in rows["money_facts"]}
    assert got == {("budget", "initial", "all_funds", Decimal("1000.00")),
                   ("budget", "total", "all_funds", Decimal("1200.50")),
                   ("spend", "total", "all_funds", Decimal("1100.25")),
                   ("budget", "initial", "general_public_budget", Decimal(900)),
                   ("budget", "total", "general_public_budget", Decimal("1100.5")),
                   ("spend", "total", "general_public_budget", Decimal("1000.25")),
                   ("spend", "basic", "all_funds", Decimal(800))}
    assert [(m["measure"], m["value"]) for m in rows["measure_facts"]] == [("execution_rate_pct", Decimal("91.65"))]


def test_money_table_without_unit_states_nothing():
    text = normalise("2023年度某县林业局部门整体支出绩效自评报告\n"
                     "| 项目 | 全年预算数 |\n| --- | --- |\n| 合计 | 1,200 |")
    rows = parse_report(ReportInput("r", "r.txt", text)).rows
    assert rows["report_headers"][0]["parse_status"] != "failed" and rows["money_facts"] == []


def test_rate_reached_is_a_result():
    assert _rates("全年预算执行率达到98.5%。") == [("execution_rate_pct", Decimal("98.5"))]


def test_number_split_by_a_space_is_left_alone():
    assert _money("支出总额2 180.24万元。") == []


def _indicators(text: str) -> list[tuple]:
    from ingest.facts.indicators import extract_indicators
    from ingest.facts.tables import report_tables
    from ingest.facts.tables import sections as table_sections

    norm = normalise(text)
    lines = lines_of(norm)
    tables = [s for grid in report_tables(norm, lines)[1] for s in table_sections(grid)]
    return [(i.name, i.target_text, i.actual_text, i.target_value, i.actual_value, i.unit)
            for i in extract_indicators(norm, sections(norm, lines), tables)]


def test_prose_indicator_with_comparison_sign_keeps_it_in_target_text():
    text = "二、绩效自评情况\n(一)履职效能分析\n1.政务公开率:年度目标值≥40%,实际完成42.3%。\n2.推动改革工作:全力推动。"
    assert _indicators(text) == [("政务公开率", "≥40%", "42.3%", Decimal(40), Decimal("42.3"), "%")]


def test_indicator_outside_performance_sections_is_not_read():
    text = "一、部门基本情况\n1.信息公开率:实际完成100%。"
    assert _indicators(text) == []


def test_group_heading_is_not_an_indicator():
    text = ("二、绩效自评情况\n(一)履职效能分析\n1、产出指标完成情况\n(1)收文处理率:预期95%,实际100%。\n"
            "(2)发文及时率:预期90%,实际98%。")
    assert [row[0] for row in _indicators(text)] == ["收文处理率", "发文及时率"]


def test_flattened_table_indicators():
    text = "\n".join(["二、绩效自评情况", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                     "办结率", "≥95%", "98%", "10", "9", "投诉件数", "≤5件", "2件", "10", "10"])
    assert _indicators(text) == [("办结率", "≥95%", "98%", Decimal(95), Decimal(98), "%"),
                                 ("投诉件数", "≤5件", "2件", Decimal(5), Decimal(2), "件")]


def test_basic_and_project_under_a_budget_figure_are_not_spend():
    got = _money("部门整体支出预算安排1,234.56万元,其中基本支出980万元,项目支出254.56万元。全年实际支出1,200万元。")
    assert got == [("budget", "total", "all_funds", Decimal("1234.56")),
                   ("spend", "total", "all_funds", Decimal("1200"))]


def test_basic_and_project_under_a_spend_figure_are_spend():
    got = _money("全年累计实际支出18,242.27万元。其中:基本支出13,203.62万元,项目支出5,038.65万元。")
    assert [g[1] for g in got] == ["total", "basic", "project"]


@pytest.mark.parametrize(("name", "county"), [("杭州市上城区财政局", "上城区"), ("佛山市禅城区教育局", "禅城区")])
def test_districts_named_like_generic_words_are_places(name, county):
    assert split_place(name).county == county


def test_parallel_parse_equals_serial_parse():
    from ingest.parse import ReportInput, parse_reports

    texts = [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]
    batch = [ReportInput(f"r{i}", f"r{i}.txt", texts[i % len(texts)]) for i in range(250)]
    serial, parallel = parse_reports(batch, workers=1), parse_reports(batch, workers=2)
    for name, frame in serial.items():
        assert frame.equals(parallel[name]), name


def test_manifest_sets_report_type():
    from ingest.facts.header import read_header

    text = "一、项目基本情况\n项目年度预算数850万元。"
    header = read_header(text, lines_of(text), {"report_type": "project", "department_name": "杭州市财政局"})
    assert (header.report_type, header.header_source, header.city) == ("project", "manifest", "杭州市")


@pytest.mark.parametrize(("title", "kind"), [
    ("2023年度某县某局部门整体支出绩效自评报告", "department_overall"),
    ("某市某中心2022年整体和项目支出绩效自评总结报告", "department_overall"),
    ("部门整体支出及项目支出绩效评价报告", "department_overall"),  # one report on both: the department's
    ("某区某局2021年整体与项目支出绩效评价报告", "department_overall"),
    ("某县某局2023年度项目支出绩效自评报告", "project"),
    ("部门预算项目支出绩效自评表(2023年度)", "project"),
    ("某区某局2023年工作总结", "other"),
])
def test_report_type_from_the_title(title, kind):
    assert report_type(title, "") == kind
