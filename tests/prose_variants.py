"""Prose variants written for the headline-figure rules (money, rates, scores, ratings, staff), scored
like ``tests/real_gold.py`` at parser level (right / missed / wrong)::

    uv run --frozen python -m tests.prose_variants [tuning|holdout|all]

Each case is a short department report in the genre's wordings (other provinces, levels and kinds of
unit than the development reports): ``text`` as decoded, and ``expect``, the headline figures it states.
A held-out case is never edited after its first scoring; where review disputes its expectation the
case carries a ``disputed`` note instead.

Every headline field a case does not name must stay NULL (a figure read where the report states none
is *wrong*); the execution rate, when not named, may be NULL or spend/budget computed by the marts.

``TUNING`` is what the rules were written and tuned on. ``HOLDOUT`` was written together with it,
before any rule work, scored once for a first-look figure, and is never edited to fit the parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

Case = dict[str, Any]

# Short names of the expected fields → the mart's columns (``budget_initial``: the ``initial`` budget fact).
FIELDS = {
    "budget": "budget_total_wan_yuan", "initial": "budget_initial", "spend": "spend_total_wan_yuan",
    "basic": "basic_spend_wan_yuan", "project": "project_spend_wan_yuan", "revenue": "revenue_total_wan_yuan",
    "rate": "execution_rate_pct", "score": "score_total", "pe": "score_performance_effectiveness",
    "me": "score_management_efficiency", "rating": "rating", "authorized": "staff_authorized",
    "in_service": "staff_in_service", "retired": "staff_retired",
}


def _r(title: str, *paragraphs: str) -> str:
    return "\n".join((title, *paragraphs)) + "\n"


TUNING: list[Case] = [
    # ---------------------------------------------------------------- budget wordings
    {"id": "t_budget_adjusted_exec", "text": _r(
        "成都市青羊区文化广电旅游局2022年度部门整体支出绩效自评报告",
        "一、部门基本情况", "(一)预算执行情况",
        "2022年度全年预算数为2,035.18万元,全年执行数为1,998.62万元,预算执行率为98.20%。"),
     "expect": {"budget": "2035.18", "spend": "1998.62", "rate": "98.20"}},
    {"id": "t_budget_initial_adjusted", "text": _r(
        "洛阳市西工区卫生健康委员会2021年度部门整体支出绩效自评报告",
        "二、部门预算执行情况",
        "年初预算数为860万元,年中追加预算120.5万元,调整后预算数为980.5万元,全年实际支出965.3万元。"),
     "expect": {"initial": "860", "budget": "980.5", "spend": "965.3"}},
    {"id": "t_budget_arranged", "text": _r(
        "淄博市张店区司法局2023年度部门整体支出绩效自评报告",
        "一、基本情况",
        "本年预算安排资金356.78万元,当年实际支出349.20万元,资金支出率为97.88%。"),
     "expect": {"budget": "356.78", "spend": "349.20", "rate": "97.88"}},
    {"id": "t_budget_parts_not_spend", "text": _r(
        "嘉兴市南湖区民政局2021年度部门整体支出绩效自评报告",
        "(二)部门预算情况",
        "2021年度部门整体预算总额为4,562.09万元,其中:基本支出预算2,103.45万元,项目支出预算2,458.64万元。",
        "(三)预算执行情况", "全年支出4,311.27万元,预算执行率94.50%。"),
     "expect": {"budget": "4562.09", "spend": "4311.27", "rate": "94.50"}},
    {"id": "t_budget_in_yuan", "text": _r(
        "天水市秦州区档案馆2022年度部门整体支出绩效自评报告",
        "一、预算收支情况",
        "年度预算总额12,345,678.90元,实际支出11,987,654.32元。"),
     "expect": {"budget": "1234.567890", "spend": "1198.765432"}},
    {"id": "t_budget_approved", "text": _r(
        "遵义市汇川区水务局2022年度部门整体支出绩效自评报告",
        "一、部门概况",
        "区财政批复我局2022年度部门预算1,580.00万元,全年共支出1,562.35万元,执行率98.88%。"),
     "expect": {"budget": "1580.00", "spend": "1562.35", "rate": "98.88"}},
    {"id": "t_budget_then_bare_spend", "text": _r(
        "齐齐哈尔市龙沙区审计局2022年度部门整体支出绩效自评报告",
        "二、预算执行",
        "2022年全年预算数620.35万元,支出612.80万元,执行率98.78%。"),
     "expect": {"budget": "620.35", "spend": "612.80", "rate": "98.78"}},
    {"id": "t_budget_yi_yuan_province", "text": _r(
        "山东省交通运输厅2022年度部门整体支出绩效自评报告",
        "一、部门预算执行情况",
        "2022年度部门预算总额12.36亿元,全年支出11.98亿元,支出进度96.93%。"),
     "expect": {"budget": "123600", "spend": "119800", "rate": "96.93"}},
    {"id": "t_budget_colon_fields", "text": _r(
        "鄂尔多斯市东胜区统计局2023年度部门整体支出绩效自评报告",
        "一、预算执行",
        "年度预算数:756.2万元;执行数:749.8万元;执行率:99.15%。"),
     "expect": {"budget": "756.2", "spend": "749.8", "rate": "99.15"}},
    {"id": "t_budget_only_initial", "text": _r(
        "南平市建阳区林业局2020年度部门整体支出绩效自评报告",
        "一、部门基本情况",
        "2020年年初预算数1,234万元,全年实际支出1,201.6万元。"),
     "expect": {"budget": "1234", "spend": "1201.6"}},
    {"id": "t_budget_full_year_arranged", "text": _r(
        "玉溪市红塔区科学技术局2021年度部门整体支出绩效自评报告",
        "一、基本情况",
        "2021年度全年预算1,050万元,全年累计支出1,023.5万元,预算执行率97.48%。"),
     "expect": {"budget": "1050", "spend": "1023.5", "rate": "97.48"}},
    # ---------------------------------------------------------------- spend wordings
    {"id": "t_final_accounts_parts", "text": _r(
        "邯郸市丛台区教育体育局2023年度部门整体支出绩效自评报告",
        "(二)支出情况",
        "2023年度决算支出合计2,345.67万元,其中基本支出1,456.78万元,项目支出888.89万元。"),
     "expect": {"spend": "2345.67", "basic": "1456.78", "project": "888.89"}},
    {"id": "t_spend_parts_with_shares", "text": _r(
        "晋中市榆次区农业农村局2022年度部门整体支出绩效自评报告",
        "二、部门支出情况",
        "本年支出合计3,210.04万元,其中:基本支出2,100.00万元,占65.42%;项目支出1,110.04万元,占34.58%。"),
     "expect": {"spend": "3210.04", "basic": "2100.00", "project": "1110.04"}},
    {"id": "t_actual_execution", "text": _r(
        "咸阳市秦都区住房和城乡建设局2022年度部门整体支出绩效自评报告",
        "一、预算执行",
        "全年预算数460万元,全年实际执行数为455.6万元,预算执行率99.04%。"),
     "expect": {"budget": "460", "spend": "455.6", "rate": "99.04"}},
    {"id": "t_spend_gongji", "text": _r(
        "锦州市古塔区市场监督管理局2021年度部门整体支出绩效自评报告",
        "二、资金使用情况",
        "2021年度预算资金总额812.4万元,全年共计支出资金798.2万元。"),
     "expect": {"budget": "812.4", "spend": "798.2"}},
    {"id": "t_spend_final_accounts_number", "text": _r(
        "吉林市船营区人力资源和社会保障局2021年度部门整体支出绩效自评报告",
        "二、支出情况",
        "2021年度支出决算数为1,634.29万元,其中基本支出1,102.11万元,项目支出532.18万元。"),
     "expect": {"spend": "1634.29", "basic": "1102.11", "project": "532.18"}},
    # ---------------------------------------------------------------- revenue
    {"id": "t_revenue_and_spend", "text": _r(
        "上饶市信州区应急管理局2022年度部门整体支出绩效自评报告",
        "(三)收支情况",
        "2022年度本年收入合计1,845.32万元,其中财政拨款收入1,801.20万元,其他收入44.12万元;"
        "本年支出合计1,830.15万元。"),
     "expect": {"revenue": "1845.32", "spend": "1830.15"}},
    {"id": "t_county_revenue_not_department", "text": _r(
        "安顺市西秀区财政局2022年度部门整体支出绩效自评报告",
        "一、部门职能",
        "全年全区完成一般公共预算收入15.6亿元,同比增长6.2%;一般公共预算支出42.3亿元。",
        "二、预算执行", "我局全年预算数1,320.5万元,全年执行数1,301.7万元,执行率98.58%。"),
     "expect": {"budget": "1320.5", "spend": "1301.7", "rate": "98.58"}},
    # ---------------------------------------------------------------- rates
    {"id": "t_rate_parts_and_whole", "text": _r(
        "宝鸡市渭滨区生态环境分局2022年度部门整体支出绩效自评报告",
        "二、预算执行情况",
        "基本支出执行率100%,项目支出执行率92.3%,整体预算执行率96.1%。"),
     "expect": {"rate": "96.1"}},
    {"id": "t_rate_goal_and_result", "text": _r(
        "绵阳市涪城区退役军人事务局2023年度部门整体支出绩效自评报告",
        "三、绩效目标", "年初设定预算执行率不低于95%。",
        "四、自评情况", "全年预算执行率为99.21%,完成年度目标。"),
     "expect": {"rate": "99.21"}},
    {"id": "t_rate_half_year_and_last_year", "text": _r(
        "廊坊市广阳区发展和改革局2022年度部门整体支出绩效自评报告",
        "二、预算执行",
        "截至6月底支出进度为48.2%;全年完成预算的97.3%,较上年的95.12%有所提高。"),
     "expect": {"rate": "97.3"}},
    {"id": "t_rate_scoring_rule", "text": _r(
        "张家口市桥东区商务局2021年度部门整体支出绩效自评报告",
        "三、评分说明", "预算执行率达到95%以上的得满分,每低1个百分点扣0.5分。",
        "四、结果", "本年度预算执行率为93.6%,扣0.7分。"),
     "expect": {"rate": "93.6"}},
    # ---------------------------------------------------------------- scores and ratings
    {"id": "t_score_rating_quoted", "text": _r(
        "九江市浔阳区城市管理局2022年度部门整体支出绩效自评报告",
        "四、自评结论",
        "经自评,我局2022年度部门整体支出绩效自评得分为96.5分,自评等级为“优秀”。"),
     "expect": {"score": "96.5", "rating": "优"}},
    {"id": "t_score_composite", "text": _r(
        "平凉市崆峒区自然资源局2021年度部门整体支出绩效自评报告",
        "四、自评结果", "综合评分95.2分,评价等次为优。"),
     "expect": {"score": "95.2", "rating": "优"}},
    {"id": "t_score_parts_and_total", "text": _r(
        "柳州市城中区民族宗教事务局2022年度部门整体支出绩效自评报告",
        "四、评价结论", "其中履职效能得分58.5分,管理效率得分37.2分,总得分95.7分。"),
     "expect": {"score": "95.7", "pe": "58.5", "me": "37.2"}},
    {"id": "t_score_parts_with_weights", "text": _r(
        "海口市美兰区人民政府办公室2023年度部门整体支出绩效自评报告",
        "四、自评结论", "履职效能(60分)自评得分56分,管理效率(40分)自评得分38分。"),
     "expect": {"score": "94", "pe": "56", "me": "38"}},
    {"id": "t_score_projects_average", "text": _r(
        "黄冈市黄州区交通运输局2022年度部门整体支出绩效自评报告",
        "三、项目支出自评", "对本单位12个项目开展了自评,平均得分92.3分,其中农村公路养护项目自评得分90分。",
        "四、整体自评结论", "部门整体支出绩效自评得分94分,等级为优。"),
     "expect": {"score": "94", "rating": "优"}},
    {"id": "t_score_good", "text": _r(
        "铜仁市碧江区农业农村局2020年度部门整体支出绩效自评报告",
        "五、自评结论", "评价得分为88分,评价等级为良。"),
     "expect": {"score": "88", "rating": "良"}},
    {"id": "t_rating_pass", "text": _r(
        "固原市原州区残疾人联合会2021年度部门整体支出绩效自评报告",
        "五、评价结论", "绩效评价结果为合格。"),
     "expect": {"rating": "中"}},
    {"id": "t_score_total_with_max", "text": _r(
        "拉萨市城关区水利局2022年度部门整体支出绩效自评报告",
        "五、自评结论", "绩效自评总分为97分(满分100分)。"),
     "expect": {"score": "97"}},
    {"id": "t_score_last_year", "text": _r(
        "西宁市城东区科技工业信息化和商务局2022年度部门整体支出绩效自评报告",
        "五、自评结论", "2022年度自评得分为93.5分,较上年度自评得分90分提高3.5分。"),
     "expect": {"score": "93.5"}},
    {"id": "t_rating_projects_count", "text": _r(
        "株洲市芦淞区财政局2021年度部门整体支出绩效自评报告",
        "三、项目自评", "全年开展项目自评25个,其中自评为优秀的20个,良好的5个。",
        "四、结论", "部门整体自评得分95.3分。"),
     "expect": {"score": "95.3"}},
    # ---------------------------------------------------------------- staff
    {"id": "t_staff_three", "text": _r(
        "六盘水市钟山区统计局2022年度部门整体支出绩效自评报告",
        "一、基本情况", "我局核定编制25名,实有在职人员23名,离退休人员9名。"),
     "expect": {"authorized": 25, "in_service": 23, "retired": 9}},
    {"id": "t_staff_school", "text": _r(
        "开封市第二十五中学2021年度部门整体支出绩效自评报告",
        "一、学校概况", "学校现有教学班36个,在校学生1,650人,在职教职工186人,退休教职工74人。"),
     "expect": {"in_service": 186, "retired": 74}},
    {"id": "t_staff_hospital", "text": _r(
        "宜宾市翠屏区人民医院2022年度部门整体支出绩效自评报告",
        "一、单位概况", "医院编制床位300张,在职职工412人,其中卫生技术人员356人。"),
     "expect": {"in_service": 412}},
    {"id": "t_staff_split_authorised", "text": _r(
        "大同市平城区民政局2021年度部门整体支出绩效自评报告",
        "一、基本情况", "我局行政编制8名,事业编制12名,实有人数19人。"),
     "expect": {"in_service": 19}},
    {"id": "t_staff_ge", "text": _r(
        "朔州市朔城区退役军人事务局2023年度部门整体支出绩效自评报告",
        "一、部门概况", "核定编制数35个,实有人数33个。"),
     "expect": {"authorized": 35, "in_service": 33}},
    {"id": "t_staff_retired_breakdown", "text": _r(
        "抚顺市新抚区审计局2022年度部门整体支出绩效自评报告",
        "一、人员情况", "编制数20人,在职人员18人,离退休人员合计13人,其中离休1人、退休12人。"),
     "expect": {"authorized": 20, "in_service": 18, "retired": 13}},
    {"id": "t_staff_distractors", "text": _r(
        "银川市兴庆区人力资源和社会保障局2022年度部门整体支出绩效自评报告",
        "二、履职成效", "全年服务对象1200人,培训干部300人次,新录用公务员3名,城镇新增就业5,600人。",
        "一、基本情况", "年末实有人数48人。"),
     "expect": {"in_service": 48}},
    # ---------------------------------------------------------------- not the department's figure
    {"id": "t_output_target_yi", "text": _r(
        "芜湖市经济技术开发区管理委员会2022年度部门整体支出绩效自评报告",
        "二、履职成效", "全年完成固定资产投资312.5亿元,规上工业产值580亿元,拉动社会投资5.6亿元。",
        "三、预算执行", "全年预算数3,456.7万元,执行数3,401.2万元。"),
     "expect": {"budget": "3456.7", "spend": "3401.2"}},
    {"id": "t_next_year_plan", "text": _r(
        "常德市武陵区教育局2022年度部门整体支出绩效自评报告",
        "二、预算执行", "2022年度全年预算数5,210万元,全年支出5,102.6万元。",
        "六、下一步工作", "2023年预算安排6,000万元,将进一步加强预算管理。"),
     "expect": {"budget": "5210", "spend": "5102.6"}},
    {"id": "t_last_year_comparison", "text": _r(
        "泉州市丰泽区卫生健康局2021年度部门整体支出绩效自评报告",
        "二、预算情况", "2021年度预算总额2,880万元,比上年预算增加150万元;上年支出2,700万元。"),
     "expect": {"budget": "2880"}},
    {"id": "t_sub_unit_budget", "text": _r(
        "襄阳市樊城区卫生健康局2022年度部门整体支出绩效自评报告",
        "一、基本情况", "下属二级单位区疾控中心预算312万元。",
        "二、预算执行", "部门全年预算数1,950.8万元,全年支出1,930.4万元,执行率98.95%。"),
     "expect": {"budget": "1950.8", "spend": "1930.4", "rate": "98.95"}},
    {"id": "t_project_figures_inside", "text": _r(
        "岳阳市岳阳楼区农业农村局2022年度部门整体支出绩效自评报告",
        "二、预算执行", "部门全年预算数2,468.3万元,全年支出2,410.9万元。",
        "三、重点项目", "高标准农田建设项目预算800万元,实际支出760万元,项目执行率95%。"),
     "expect": {"budget": "2468.3", "spend": "2410.9"}},
    {"id": "t_superior_funds", "text": _r(
        "赣州市章贡区发展和改革委员会2021年度部门整体支出绩效自评报告",
        "二、履职成效", "全年争取上级资金2,300万元,招商引资到位资金18亿元。",
        "三、预算执行", "本年度预算资金总额980万元,全年支出970万元。"),
     "expect": {"budget": "980", "spend": "970"}},
    # ---------------------------------------------------------------- conflicts
    {"id": "t_conflicting_budget", "text": _r(
        "湛江市赤坎区城市管理和综合执法局2022年度部门整体支出绩效自评报告",
        "一、基本情况", "2022年全年预算数1,000万元。",
        "二、预算执行", "全年预算数为1,200万元,全年执行数1,180万元。"),
     "expect": {"spend": "1180"}},
    # ---------------------------------------------------------------- more budget and spend wordings
    {"id": "t_budget_this_year_revenue_bare", "text": _r(
        "泸州市江阳区商务局2022年度部门整体支出绩效自评报告",
        "二、收支情况", "2022年度收入1,200.5万元,支出1,180.3万元。"),
     "expect": {"revenue": "1200.5", "spend": "1180.3"}},
    {"id": "t_budget_total_budget_word", "text": _r(
        "眉山市东坡区人民政府办公室2021年度部门整体支出绩效自评报告",
        "二、预算执行", "2021年本单位总预算为765.4万元,当年完成支出752.1万元,预算执行率为98.26%。"),
     "expect": {"budget": "765.4", "spend": "752.1", "rate": "98.26"}},
    {"id": "t_budget_general_public_only", "text": _r(
        "达州市通川区残疾人联合会2022年度部门整体支出绩效自评报告",
        "二、预算情况", "2022年一般公共预算财政拨款412.3万元,一般公共预算财政拨款支出405.6万元。"),
     "expect": {"budget": "412.3", "spend": "405.6"}},
    {"id": "t_budget_prev_year_sentence", "text": _r(
        "曲靖市麒麟区教育体育局2022年度部门整体支出绩效自评报告",
        "二、预算情况", "2021年预算数1,000万元,2022年预算数1,100万元,增长10%。",
        "三、执行", "2022年全年支出1,085万元。"),
     "expect": {"budget": "1100", "spend": "1085"}},
    {"id": "t_budget_sub_units_split", "text": _r(
        "资阳市雁江区水利局2022年度部门整体支出绩效自评报告",
        "二、预算执行", "全年预算数2,310万元,其中局机关860万元,所属单位1,450万元;全年支出2,290万元。"),
     "expect": {"budget": "2310", "spend": "2290"}},
    {"id": "t_spend_paid_used", "text": _r(
        "巴中市巴州区医疗保障局2023年度部门整体支出绩效自评报告",
        "二、预算执行", "2023年度预算批复数为318.6万元,实际使用资金315.2万元。"),
     "expect": {"budget": "318.6", "spend": "315.2"}},
    {"id": "t_spend_already", "text": _r(
        "雅安市雨城区农业农村局2021年度部门整体支出绩效自评报告",
        "二、预算执行", "2021年全年预算资金1,560.4万元,已支出1,523.9万元,支出率97.66%。"),
     "expect": {"budget": "1560.4", "spend": "1523.9", "rate": "97.66"}},
    {"id": "t_revenue_grand_total_kept_apart", "text": _r(
        "内江市市中区文化广播电视和旅游局2022年度部门整体支出绩效自评报告",
        "二、收支", "收入总计1,980万元,其中本年收入1,720万元,年初结转和结余260万元。"),
     "expect": {"revenue": "1720"}},
    {"id": "t_money_with_wei", "text": _r(
        "广安市广安区统计局2020年度部门整体支出绩效自评报告",
        "二、部门收支", "本年度部门支出总额为286.91万元,其中人员经费支出201.3万元,公用经费支出85.61万元。"),
     "expect": {"spend": "286.91"}},
    # ---------------------------------------------------------------- parts under 其中, more wordings
    {"id": "t_total_part_under_qizhong", "text": _r(
        "龙岩市新罗区自然资源局2022年度部门整体支出绩效自评报告",
        "二、预算情况",
        "全年预算数1,860.4万元,其中财政预算资金1,702.1万元,单位自有资金158.3万元;全年支出1,835.2万元。"),
     "expect": {"budget": "1860.4", "spend": "1835.2"}},
    {"id": "t_arranged_budget_funds", "text": _r(
        "漳州市芗城区司法局2021年度部门整体支出绩效自评报告",
        "二、预算执行", "区财政共安排我局预算资金612.7万元,全年实际支出605.9万元,预算执行率98.89%。"),
     "expect": {"budget": "612.7", "spend": "605.9", "rate": "98.89"}},
    {"id": "t_score_result_number", "text": _r(
        "宁德市蕉城区档案馆2022年度部门整体支出绩效自评报告",
        "四、自评结论", "自评结果为94.5分,等级评定为优。"),
     "expect": {"score": "94.5", "rating": "优"}},
    {"id": "t_staff_shiyou_bare", "text": _r(
        "三门峡市湖滨区商务局2022年度部门整体支出绩效自评报告",
        "一、基本情况", "我局核定编制20名,实有19名,其中在编在岗人员17名。"),
     "expect": {"authorized": 20, "in_service": 19}},
    {"id": "t_staff_in_post_listed", "text": _r(
        "鹤壁市淇滨区民政局2022年度部门整体支出绩效自评报告",
        "一、基本情况", "现有在编在岗人员25人,退休人员11人。"),
     "expect": {"in_service": 25, "retired": 11}},
    {"id": "t_spend_gpb_part_kept_scope", "text": _r(
        "漯河市源汇区水利局2022年度部门整体支出绩效自评报告",
        "二、支出", "全年支出1,120.6万元,其中一般公共预算支出1,020.6万元,政府性基金预算支出100万元。"),
     "expect": {"spend": "1120.6"}},
    # ---------------------------------------------------------------- more scores and ratings
    {"id": "t_score_rate_not_score", "text": _r(
        "荆门市东宝区科学技术局2022年度部门整体支出绩效自评报告",
        "四、自评结论", "指标得分率95.5%,自评得分:95.5分,评定为优秀等次。"),
     "expect": {"score": "95.5", "rating": "优"}},
    {"id": "t_score_final", "text": _r(
        "孝感市孝南区司法局2021年度部门整体支出绩效自评报告",
        "四、评价结果", "按照评分标准,最终得分为91.25分,自评结果为“优秀”。"),
     "expect": {"score": "91.25", "rating": "优"}},
    {"id": "t_score_result_colon", "text": _r(
        "随州市曾都区民政局2022年度部门整体支出绩效自评报告",
        "四、自评结论", "评分结果:89.5分;评价等次:良。"),
     "expect": {"score": "89.5", "rating": "良"}},
    {"id": "t_rating_award_distractor", "text": _r(
        "咸宁市咸安区审计局2022年度部门整体支出绩效自评报告",
        "二、履职成效", "我局连续三年年度考核被评为优秀等次。",
        "四、自评结论", "部门整体支出绩效自评得分92.6分,自评等级为优。"),
     "expect": {"score": "92.6", "rating": "优"}},
    {"id": "t_score_indicator_points", "text": _r(
        "十堰市茅箭区交通运输局2021年度部门整体支出绩效自评报告",
        "三、指标完成情况", "预算执行率指标分值20分,得分19.5分;群众满意度指标得分9分。",
        "四、自评结论", "自评总分94.5分。"),
     "expect": {"score": "94.5"}},
    # ---------------------------------------------------------------- more staff wordings
    {"id": "t_staff_cadres", "text": _r(
        "鹰潭市月湖区发展和改革委员会2022年度部门整体支出绩效自评报告",
        "一、基本情况", "我委核定编制18名,现有在职在编人员17名,退休人员5名。"),
     "expect": {"authorized": 18, "in_service": 17, "retired": 5}},
    {"id": "t_staff_total_posts", "text": _r(
        "萍乡市安源区城市管理局2021年度部门整体支出绩效自评报告",
        "一、人员情况", "编制总数56名,实有在编人员52名,离退休干部31名。"),
     "expect": {"authorized": 56, "in_service": 52, "retired": 31}},
    {"id": "t_staff_funds_not_count", "text": _r(
        "新余市渝水区卫生健康委员会2022年度部门整体支出绩效自评报告",
        "二、支出", "其中退休人员经费120万元,在职人员经费860万元。"),
     "expect": {}},
]

HOLDOUT: list[Case] = [
    {"id": "h_zhejiang_education", "text": _r(
        "温州市鹿城区教育局2022年度部门整体支出绩效自评报告",
        "一、部门基本情况",
        "我局机关核定编制28名,实有人数27名。",
        "二、部门预算及执行情况",
        "2022年度部门预算收入合计86,543.21万元,全年预算数为86,543.21万元,实际支出85,102.77万元,预算执行率98.34%。",
        "四、自评结论", "经综合评定,我局2022年度部门整体支出绩效自评得分为95.6分,评价等级为“优”。"),
     "expect": {"budget": "86543.21", "spend": "85102.77", "rate": "98.34", "score": "95.6", "rating": "优",
                "authorized": 28, "in_service": 27}},
    {"id": "h_henan_township", "text": _r(
        "新乡县朗公庙镇人民政府2023年度部门整体支出绩效自评报告",
        "一、基本情况",
        "朗公庙镇党政机关核定行政编制38名,事业编制26名。",
        "二、预算收支",
        "2023年全镇财政预算安排3,215.6万元,全年实际支出3,190.2万元,其中基本支出1,980.4万元,项目支出1,209.8万元。",
        "三、自评结论", "自评得分92分,等级良好。"),
     "expect": {"budget": "3215.6", "spend": "3190.2", "basic": "1980.4", "project": "1209.8",
                "score": "92", "rating": "良"}},
    {"id": "h_guizhou_cppcc", "text": _r(
        "政协毕节市七星关区委员会办公室2021年度部门整体支出绩效自评报告",
        "一、部门概况", "区政协办公室编制人数15人,在职人员14人,退休人员6人。",
        "二、预算执行",
        "2021年初预算412.5万元,年中调整后预算438.9万元,全年支出436.1万元,预算执行率99.36%。",
        "三、评价结论", "综合得分93.8分。"),
     "expect": {"initial": "412.5", "budget": "438.9", "spend": "436.1", "rate": "99.36", "score": "93.8",
                "authorized": 15, "in_service": 14, "retired": 6}},
    {"id": "h_party_office_yuan", "text": _r(
        "中共黔东南州委办公室2022年度部门整体支出绩效自评报告",
        "二、预算执行情况",
        "2022年度预算总额为28,765,432.10元,实际支出28,102,345.67元,预算执行率97.69%。"),
     "expect": {"budget": "2876.543210", "spend": "2810.234567", "rate": "97.69"}},
    {"id": "h_hospital_revenue", "text": _r(
        "南充市顺庆区中医医院2023年度部门整体支出绩效自评报告",
        "一、医院概况", "医院核定编制320人,在职职工486人,离退休人员95人。",
        "二、收支情况",
        "2023年医院收入总额28,650.3万元,其中财政拨款收入3,210.5万元;支出总额27,980.6万元。"),
     "expect": {"revenue": "28650.3", "spend": "27980.6", "authorized": 320, "in_service": 486, "retired": 95}},
    {"id": "h_fixed_asset_outputs", "text": _r(
        "江门市蓬江区发展和改革局2022年度部门整体支出绩效自评报告",
        "二、履职情况",
        "全区完成固定资产投资256.8亿元,同比增长8.1%;社会消费品零售总额达到410.2亿元。",
        "三、预算执行情况", "2022年部门预算数为1,102.45万元,决算支出1,086.3万元,执行率98.54%。"),
     "expect": {"budget": "1102.45", "spend": "1086.3", "rate": "98.54"}},
    {"id": "h_project_inside_dept", "text": _r(
        "昆明市五华区住房和城乡建设局2021年度部门整体支出绩效自评报告",
        "二、部门预算执行",
        "全年预算数4,320.6万元,全年执行数4,215.3万元,执行率97.56%。",
        "三、项目支出情况",
        "老旧小区改造项目全年预算数1,500万元,执行数1,420万元,执行率94.67%,项目自评得分91分。",
        "四、自评结论", "部门整体支出自评得分96.2分,自评等级为优秀。"),
     "expect": {"budget": "4320.6", "spend": "4215.3", "rate": "97.56", "score": "96.2", "rating": "优"}},
    {"id": "h_next_year_budget", "text": _r(
        "沈阳市和平区体育局2020年度部门整体支出绩效自评报告",
        "二、预算执行", "2020年全年预算数675.2万元,全年支出661.9万元。",
        "五、改进措施", "2021年部门预算安排720万元,将压减一般性支出。"),
     "expect": {"budget": "675.2", "spend": "661.9"}},
    {"id": "h_staff_preschool", "text": _r(
        "合肥市包河区第一幼儿园2022年度部门整体支出绩效自评报告",
        "一、基本情况", "幼儿园现有在职教职工62人,其中在编教师38人,退休教职工11人;在园幼儿480人。"),
     "expect": {"in_service": 62, "retired": 11}},
    {"id": "h_rating_general", "text": _r(
        "通辽市科尔沁区档案局2019年度部门整体支出绩效自评报告",
        "四、自评结论", "自评得分78分,评价等次为一般。"),
     "expect": {"score": "78", "rating": "中"}},
    {"id": "h_rating_fail", "text": _r(
        "乌海市海勃湾区地震局2019年度部门整体支出绩效自评报告",
        "四、自评结论", "自评得分58分,评价结果为“不合格”。"),
     "expect": {"score": "58", "rating": "差"}},
    {"id": "h_half_year_rate", "text": _r(
        "宜春市袁州区商务局2022年度部门整体支出绩效自评报告",
        "二、预算执行", "上半年预算执行率为45.6%,全年预算执行率为98.9%。"),
     "expect": {"rate": "98.9"}},
    {"id": "h_goal_rate_only", "text": _r(
        "吉安市吉州区市场监督管理局2022年度部门整体支出绩效自评报告",
        "三、绩效目标", "部门整体绩效目标:预算执行率达到95%以上,群众满意度不低于90%。"),
     "expect": {}},
    {"id": "h_plan_budget_next_year", "text": _r(
        "长治市潞州区司法局2023年度部门整体支出绩效自评报告",
        "一、基本情况", "编制数22人,实有人数21人。",
        "五、下一步打算", "2024年计划预算安排560万元。"),
     "expect": {"authorized": 22, "in_service": 21}},
    {"id": "h_thousand_separator_yuan", "text": _r(
        "黄石市下陆区文化和旅游局2021年度部门整体支出绩效自评报告",
        "二、预算执行情况",
        "年初预算数为3,456,000.00元,调整后预算数为3,612,500.00元,全年执行数为3,598,120.45元,执行率99.60%。"),
     "expect": {"initial": "345.6", "budget": "361.25", "spend": "359.812045", "rate": "99.60"}},
    {"id": "h_revenue_spend_parts", "text": _r(
        "梧州市万秀区自然资源局2022年度部门整体支出绩效自评报告",
        "二、部门收支情况",
        "2022年度收入合计1,625.8万元,支出合计1,598.3万元,其中基本支出912.4万元,项目支出685.9万元。"),
     "expect": {"revenue": "1625.8", "spend": "1598.3", "basic": "912.4", "project": "685.9"}},
    {"id": "h_sub_unit_schools", "text": _r(
        "德阳市旌阳区教育局2022年度部门整体支出绩效自评报告",
        "一、基本情况", "局属学校38所,在职教职工4,215人。",
        "二、预算执行", "局机关本级全年预算数860万元。"),
     "expect": {},
     # Scored once as written. On review the expectation is disputed, not the parser's reading: a
     # department report of an education bureau covers its schools, so their head count is the
     # department's; 局机关本级 is the bureau's own level (a township's 镇本级 budget is the township's).
     "disputed": "sub-unit or own level: the department's figure?"},
    {"id": "h_parts_total_stated", "text": _r(
        "常州市天宁区政府办公室2022年度部门整体支出绩效自评报告",
        "四、自评结论",
        "本次自评总分96.4分,其中履职效能部分得分57.9分,管理效率部分得分38.5分,自评等级为优。"),
     "expect": {"score": "96.4", "pe": "57.9", "me": "38.5", "rating": "优"}},
    {"id": "h_conflicting_spend", "text": _r(
        "三明市三元区农业农村局2021年度部门整体支出绩效自评报告",
        "二、预算执行", "全年预算数2,000万元,全年支出1,950万元。",
        "四、结论", "全年预算数2,000万元,全年支出1,980万元,执行率99%。"),
     "expect": {"budget": "2000", "rate": "99"}},
    {"id": "h_score_last_year_mention", "text": _r(
        "大连市中山区审计局2022年度部门整体支出绩效自评报告",
        "四、自评结论", "2021年度自评得分91分。2022年度自评得分为94.5分,自评等级为优秀。"),
     "expect": {"score": "94.5", "rating": "优"}},
    {"id": "h_spend_progress", "text": _r(
        "哈尔滨市道里区农业农村局2023年度部门整体支出绩效自评报告",
        "二、预算执行", "全年调整后预算1,845.7万元,累计支出1,820.2万元,支出进度98.62%。"),
     "expect": {"budget": "1845.7", "spend": "1820.2", "rate": "98.62"}},
    {"id": "h_funds_allocated_received", "text": _r(
        "防城港市港口区林业局2021年度部门整体支出绩效自评报告",
        "二、资金情况", "上级下达专项资金530万元,到位资金530万元。",
        "三、预算执行", "年度预算总额1,210.6万元,全年支出1,198.3万元。"),
     "expect": {"budget": "1210.6", "spend": "1198.3"}},
    {"id": "h_staff_township_mixed", "text": _r(
        "桐梓县娄山关街道办事处2022年度部门整体支出绩效自评报告",
        "一、基本情况", "街道办事处核定编制45名,在编人员41名,离退休人员23名;辖区常住人口5.6万人。"),
     "expect": {"authorized": 45, "in_service": 41, "retired": 23}},
    {"id": "h_rating_score_bracket", "text": _r(
        "湘潭市雨湖区民政局2020年度部门整体支出绩效自评报告",
        "四、自评结论", "经自评,2020年度部门整体支出绩效等级为良好,得分86.5分。"),
     "expect": {"score": "86.5", "rating": "良"}},
    {"id": "h_rate_completion_budget", "text": _r(
        "渭南市临渭区财政局2021年度部门整体支出绩效自评报告",
        "二、预算执行", "全年支出完成预算的99.12%。"),
     "expect": {"rate": "99.12"}},
    {"id": "h2_fujian_budget_total", "text": _r(
        "莆田市城厢区教育局2021年度部门整体支出绩效自评报告",
        "二、部门预算执行情况",
        "2021年度部门收支预算总额为25,632.18万元,全年实际支出25,101.76万元,预算执行率97.93%。"),
     "expect": {"budget": "25632.18", "spend": "25101.76", "rate": "97.93"}},
    {"id": "h2_shanxi_township_staff", "text": _r(
        "太谷区胡村镇人民政府2022年度部门整体支出绩效自评报告",
        "一、基本情况", "全镇辖28个行政村,户籍人口3.6万人,镇机关在职人员46人,退休人员19人。"),
     "expect": {"in_service": 46, "retired": 19}},
    {"id": "h2_spend_first_then_budget", "text": _r(
        "益阳市赫山区统计局2019年度部门整体支出绩效自评报告",
        "二、预算执行", "全年支出326.8万元,占全年预算数330万元的99.03%。"),
     "expect": {"budget": "330", "spend": "326.8", "rate": "99.03"}},
    {"id": "h2_rate_to_2dp_100", "text": _r(
        "娄底市娄星区妇女联合会2022年度部门整体支出绩效自评报告",
        "二、预算执行", "全年预算数86.5万元,执行数86.5万元,执行率100.00%。"),
     "expect": {"budget": "86.5", "spend": "86.5", "rate": "100.00"}},
    {"id": "h2_score_deductions", "text": _r(
        "永州市零陵区林业局2021年度部门整体支出绩效自评报告",
        "四、自评结论", "经自评,共扣4.5分,自评得分95.5分,评价等级为优。"),
     "expect": {"score": "95.5", "rating": "优"}},
    {"id": "h2_rating_excellent_count_projects", "text": _r(
        "怀化市鹤城区农业农村局2022年度部门整体支出绩效自评报告",
        "三、项目自评", "全年共对18个项目开展绩效自评,自评结果为优秀的15个。"),
     "expect": {}},
    {"id": "h2_plan_investment", "text": _r(
        "邵阳市双清区住房和城乡建设局2022年度部门整体支出绩效自评报告",
        "二、履职", "计划总投资4.2亿元的棚户区改造项目已完工。",
        "三、预算", "全年预算数1,268万元,全年支出1,240.5万元。"),
     "expect": {"budget": "1268", "spend": "1240.5"}},
    {"id": "h2_revenue_actual", "text": _r(
        "郴州市北湖区退役军人事务局2022年度部门整体支出绩效自评报告",
        "二、收支", "本年收入总额612.3万元,本年支出总额608.7万元。"),
     "expect": {"revenue": "612.3", "spend": "608.7"}},
    {"id": "h2_staff_people_count_total", "text": _r(
        "衡阳市雁峰区市场监督管理局2022年度部门整体支出绩效自评报告",
        "一、基本情况", "我局内设股室12个,核定编制86名,实有人员82名,离退休人数40人。"),
     "expect": {"authorized": 86, "in_service": 82, "retired": 40}},
    {"id": "h2_hospital_beds_outpatients", "text": _r(
        "绵竹市人民医院2021年度部门整体支出绩效自评报告",
        "二、履职成效", "全年门诊量52.3万人次,出院病人2.1万人,开放床位620张。",
        "一、基本情况", "在职职工1,086人。"),
     "expect": {"in_service": 1086}},
    {"id": "h2_score_with_full_mark_first", "text": _r(
        "来宾市兴宾区水利局2022年度部门整体支出绩效自评报告",
        "四、自评结论", "按百分制评分,满分100分,我局自评得分93.6分,等级为优。"),
     "expect": {"score": "93.6", "rating": "优"}},
    {"id": "h2_execution_two_decimals_yuan", "text": _r(
        "崇左市江州区司法局2023年度部门整体支出绩效自评报告",
        "二、预算执行", "2023年度全年预算数为5,823,400元,全年执行数5,790,265.5元,执行率99.43%。"),
     "expect": {"budget": "582.34", "spend": "579.02655", "rate": "99.43"}},
    {"id": "h2_project_report_in_dept_scores", "text": _r(
        "北海市海城区教育局2022年度部门整体支出绩效自评报告",
        "三、项目绩效", "学生营养改善计划项目绩效自评得分98分,等级为优。",
        "四、整体结论", "部门整体绩效自评得分为92.4分。"),
     "expect": {"score": "92.4"}},
    {"id": "h2_other_year_spend", "text": _r(
        "钦州市钦南区农业农村局2022年度部门整体支出绩效自评报告",
        "二、预算执行", "2022年全年预算数3,118.2万元,全年支出3,090.6万元,较2021年支出2,850万元增长8.44%。"),
     "expect": {"budget": "3118.2", "spend": "3090.6"}},
]


# Written after the first rule work, before looking at its output; scored once for a first look.
HOLDOUT_2: list[Case] = [
    {"id": "h3_tibet_budget_grand", "text": _r(
        "拉萨市堆龙德庆区农业农村局2022年度部门整体支出绩效自评报告",
        "二、预算执行情况",
        "2022年度，我局部门预算总收入为1,286.35万元，总支出为1,286.35万元。全年实际支出1,250.12万元，预算执行率为97.18%。"),
     "expect": {"budget": "1286.35", "spend": "1250.12", "rate": "97.18"}},
    {"id": "h3_xinjiang_school_staff", "text": _r(
        "克拉玛依市第一中学2022年度部门整体支出绩效自评报告",
        "一、学校基本情况",
        "学校核定事业编制210名，现有在职教职工198名，其中专任教师176名；离退休教职工64名。"),
     "expect": {"authorized": 210, "in_service": 198, "retired": 64}},
    {"id": "h3_ningxia_town_own_level", "text": _r(
        "永宁县望洪镇人民政府2021年度部门整体支出绩效自评报告",
        "二、预算执行",
        "2021年镇本级全年预算安排资金2,045.7万元，实际支出2,001.3万元，支出率97.83%。"),
     "expect": {"budget": "2045.7", "spend": "2001.3", "rate": "97.83"}},
    {"id": "h3_gansu_cppcc_final_accounts", "text": _r(
        "政协天水市麦积区委员会办公室2022年度部门整体支出绩效自评报告",
        "二、部门整体支出情况",
        "2022年度部门决算支出536.28万元，其中基本支出421.06万元，项目支出115.22万元。"),
     "expect": {"spend": "536.28", "basic": "421.06", "project": "115.22"}},
    {"id": "h3_hebei_initial_adjusted_exec", "text": _r(
        "石家庄市裕华区住房和城乡建设局2023年度部门整体支出绩效自评报告",
        "二、预算执行情况",
        "年初预算数为1,120.00万元，年中追加258.60万元，全年预算数为1,378.60万元；截至12月31日，全年执行数为1,352.44万元，执行率为98.10%。"),
     "expect": {"initial": "1120.00", "budget": "1378.60", "spend": "1352.44", "rate": "98.10"}},
    {"id": "h3_yunnan_gdp_distractor", "text": _r(
        "楚雄彝族自治州统计局2022年度部门整体支出绩效自评报告",
        "二、履职与预算",
        "全州完成地区生产总值1,268.5亿元；我局全年预算数865.4万元，执行数858.9万元，执行率99.25%。"),
     "expect": {"budget": "865.4", "spend": "858.9", "rate": "99.25"}},
    {"id": "h3_sichuan_school_bare_staff", "text": _r(
        "南部县第二中学2022年度部门整体支出绩效自评报告",
        "一、基本情况",
        "学校共有教学班42个，学生2,356人，教职工168人。"),
     "expect": {"in_service": 168}},
    {"id": "h3_guangxi_conclusion_rating", "text": _r(
        "贺州市八步区文化广电体育和旅游局2021年度部门整体支出绩效自评报告",
        "四、自评结论",
        "自评得分：９２.５分，自评结论为“优”。"),
     "expect": {"score": "92.5", "rating": "优"}},
    {"id": "h3_jiangsu_numbered_lines", "text": _r(
        "淮安市清江浦区审计局2022年度部门整体支出绩效自评报告",
        "二、预算执行情况",
        "1.预算数：856.2万元", "2.执行数：845.1万元", "3.执行率：98.70%"),
     "expect": {"budget": "856.2", "spend": "845.1", "rate": "98.70"}},
    {"id": "h3_project_funds_then_dept", "text": _r(
        "宿迁市宿城区城市管理局2022年度部门整体支出绩效自评报告",
        "二、资金使用",
        "区级财政安排城市绿化养护经费320万元，已全部支付。",
        "三、整体预算执行", "全年预算数1,502.6万元，全年支出1,489.1万元。"),
     "expect": {"budget": "1502.6", "spend": "1489.1"}},
    {"id": "h3_rate_previous_year_named", "text": _r(
        "连云港市海州区民政局2021年度部门整体支出绩效自评报告",
        "二、预算执行",
        "2020年度预算执行率为96.5%，2021年度预算执行率为98.2%。"),
     "expect": {"rate": "98.2"}},
    {"id": "h3_full_mark_then_bare_score", "text": _r(
        "盐城市亭湖区科学技术局2022年度部门整体支出绩效自评报告",
        "四、自评结论",
        "本次评价满分100分，我单位得分95分。"),
     "expect": {"score": "95"}},
    {"id": "h3_banner_allocated_budget", "text": _r(
        "阿荣旗林业和草原局2022年度部门整体支出绩效自评报告",
        "二、预算执行",
        "旗财政下达我局年度预算资金436.8万元，全年实际支出431.2万元。"),
     "expect": {"budget": "436.8", "spend": "431.2"}},
    {"id": "h3_yuan_spaces", "text": _r(
        "白山市浑江区档案馆2022年度部门整体支出绩效自评报告",
        "二、预算执行",
        "全年预算数为 1,234,567.89 元，全年执行数为 1,198,765.43 元。"),
     "expect": {"budget": "123.456789", "spend": "119.876543"}},
    {"id": "h3_conflicting_rates", "text": _r(
        "通化市东昌区司法局2022年度部门整体支出绩效自评报告",
        "二、预算执行", "预算执行率为98.5%。",
        "四、结论", "全年执行率99.1%。"),
     "expect": {}},
    {"id": "h3_shanghai_street_scopes", "text": _r(
        "上海市静安区江宁路街道办事处2022年度部门整体支出绩效自评报告",
        "二、预算执行",
        "街道全年预算总额12,345.6万元，其中一般公共预算11,234.5万元，政府性基金预算1,111.1万元；全年支出12,001.2万元。"),
     "expect": {"budget": "12345.6", "spend": "12001.2"}},
    {"id": "h3_chongqing_hospital_staff", "text": _r(
        "重庆市綦江区人民医院2022年度部门整体支出绩效自评报告",
        "一、医院概况",
        "医院现有职工856人，其中在编职工512人，退休职工203人。"),
     "expect": {"in_service": 856, "retired": 203}},
    {"id": "h3_hubei_final_then_budget", "text": _r(
        "荆州市沙市区商务局2021年度部门整体支出绩效自评报告",
        "二、预算执行",
        "2021年度决算数为2,306.5万元，预算数为2,350万元，执行率98.15%。"),
     "expect": {"budget": "2350", "spend": "2306.5", "rate": "98.15"}},
    {"id": "h3_sub_unit_then_dept", "text": _r(
        "宜昌市西陵区卫生健康局2022年度部门整体支出绩效自评报告",
        "二、预算执行",
        "所属区疾控中心全年预算数512万元，支出508万元。部门全年预算数2,100万元，支出2,080万元。"),
     "expect": {"budget": "2100", "spend": "2080"}},
    {"id": "h3_same_year_named", "text": _r(
        "鄂州市华容区财政局2021年度部门整体支出绩效自评报告",
        "四、自评结论",
        "2021年度部门整体支出绩效评价得分91.5分，等级为优。"),
     "expect": {"score": "91.5", "rating": "优"}},
    {"id": "h3_pass_rating_then_score", "text": _r(
        "黄南藏族自治州气象局2020年度部门整体支出绩效自评报告",
        "四、自评结论",
        "自评等级为“合格”，得分72分。"),
     "expect": {"score": "72", "rating": "中"}},
    {"id": "h3_composite_score", "text": _r(
        "果洛州玛沁县民政局2022年度部门整体支出绩效自评报告",
        "四、自评结论", "绩效自评综合得分为96.32分。"),
     "expect": {"score": "96.32"}},
    {"id": "h3_result_colon_bare_score", "text": _r(
        "海东市乐都区交通运输局2022年度部门整体支出绩效自评报告",
        "四、结论", "部门整体支出绩效评价结果：得分93分，评价等级为优秀。"),
     "expect": {"score": "93", "rating": "优"}},
    {"id": "h3_in_post", "text": _r(
        "安康市汉滨区机关事务服务中心2022年度部门整体支出绩效自评报告",
        "一、基本情况", "本单位为参公单位，核定编制15人，实际在岗14人。"),
     "expect": {"authorized": 15, "in_service": 14}},
    {"id": "h3_revenue_total_with_carryover", "text": _r(
        "汉中市汉台区教育局2022年度部门整体支出绩效自评报告",
        "二、收支情况",
        "2022年度收入总计2,105.3万元（含上年结转156.2万元），本年收入1,949.1万元。"),
     "expect": {"revenue": "1949.1"}},
    {"id": "h3_gpb_spend_share", "text": _r(
        "榆林市榆阳区统计局2022年度部门整体支出绩效自评报告",
        "二、预算执行", "一般公共预算财政拨款支出1,234.5万元，占调整预算的99.2%。"),
     "expect": {"spend": "1234.5", "rate": "99.2"}},
    {"id": "h3_province_yi", "text": _r(
        "甘肃省农业农村厅2021年度部门整体支出绩效自评报告",
        "二、预算执行", "2021年度部门预算总额为3.56亿元,实际支出3.42亿元,预算执行率96.07%。"),
     "expect": {"budget": "35600", "spend": "34200", "rate": "96.07"}},
    {"id": "h3_completion_rate", "text": _r(
        "延安市宝塔区水务局2022年度部门整体支出绩效自评报告",
        "二、预算执行", "全年预算完成率99.6%。"),
     "expect": {"rate": "99.6"}},
    {"id": "h3_party_school", "text": _r(
        "中共遵义市播州区委党校2022年度部门整体支出绩效自评报告",
        "一、基本情况",
        "校委核定编制28名，在职教职工26名，离退休人员18名；全年预算数612.8万元，执行数605.4万元。"),
     "expect": {"authorized": 28, "in_service": 26, "retired": 18, "budget": "612.8", "spend": "605.4"}},
    {"id": "h3_npc_revenue_budget", "text": _r(
        "六安市金安区人大常委会办公室2023年度部门整体支出绩效自评报告",
        "二、预算执行",
        "2023年本部门收入预算732.5万元，支出预算732.5万元，全年实际支出720.1万元。"),
     "expect": {"budget": "732.5", "spend": "720.1"}},
]


def _money_fields(money: list[dict]) -> dict[str, Any]:
    initial = {m["amount_wan_yuan"] for m in money
               if (m["side"], m["item"], m["fund_scope"]) == ("budget", "initial", "all_funds")}
    return {"budget_initial": next(iter(initial)) if len(initial) == 1 else None}


def rows(cases: Iterable[Case]) -> dict[str, dict[str, Any]]:
    """The headline figures of every case, chosen like the marts (``tests.real_gold._mart_like``)."""
    from ingest.parse import ReportInput, parse_reports
    from tests.real_gold import _mart_like

    cases = list(cases)
    frames = parse_reports([ReportInput(c["id"], c["id"] + ".txt", c["text"]) for c in cases], limits=None)
    out = {}
    for header in frames["report_headers"].to_dicts():
        rid = header["report_id"]
        money = frames["money_facts"].filter(report_id=rid).to_dicts()
        row = _mart_like(header, money, frames["measure_facts"].filter(report_id=rid).to_dicts(),
                         frames["score_facts"].filter(report_id=rid).to_dicts())
        out[rid] = {**row, **_money_fields(money)}
    return out


def _equal(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, str) and expected in "优良中差":
        return expected == actual
    return Decimal(str(expected)) == Decimal(str(actual))


def score(cases: Iterable[Case]) -> tuple[int, int, list[str], list[str]]:
    """(stated fields, right, misses, wrongs): every field checked, an unnamed one must be NULL."""
    cases = list(cases)
    got = rows(cases)
    stated, right, misses, wrongs = 0, 0, [], []
    for case in cases:
        row, expect = got[case["id"]], case["expect"]
        for short, column in FIELDS.items():
            expected, actual = expect.get(short), row.get(column)
            if short == "rate" and expected is None and actual is not None:
                budget, spend = expect.get("budget"), expect.get("spend")
                if budget and spend and _equal(round(Decimal(spend) * 100 / Decimal(budget), 4), actual):
                    continue  # computed by the marts from stated figures
            if expected is not None:
                stated += 1
            if _equal(expected, actual):
                right += expected is not None
            elif actual is None:
                misses.append(f"{case['id']}.{short}: expected {expected}, got NULL")
            else:
                wrongs.append(f"{case['id']}.{short}: expected {expected}, got {actual}")
    return stated, right, misses, wrongs


if __name__ == "__main__":
    import sys

    which = sys.argv[1] if sys.argv[1:] else "tuning"
    chosen = {"tuning": TUNING, "holdout": HOLDOUT, "holdout2": HOLDOUT_2,
              "all": TUNING + HOLDOUT + HOLDOUT_2}[which]
    n, ok, missed, wrong = score(chosen)
    for line in wrong:
        print("WRONG", line)
    for line in missed:
        print("miss ", line)
    print(f"{which}: {ok}/{n} stated fields right, {len(missed)} missed, {len(wrong)} wrong")
