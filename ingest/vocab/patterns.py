"""Every Chinese pattern the parser uses, named, each with an example line it matches.

Patterns run on *normalised* text (``ingest.text.normalise``): full-width forms are half-width
(``，`` → ``,``, ``：`` → ``:``, ``（`` → ``(``, ``％`` → ``%``), spaces next to Chinese are gone,
one paragraph per line.
"""

from __future__ import annotations

import re

from ingest.vocab.vocabulary import entries, wordings

CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
CN_NUM = "一二三四五六七八九十"

# ---------------------------------------------------------------- layout (normalise / segment)

# A markdown table row: "| 预算执行率 | 10 | 10 |".
MD_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")

# ------------------------------------------------ whole-text clean-up (Rust regex syntax, for polars)
# ``ingest.text.normalise.clean_texts`` runs these over a batch of texts at once, each text with a "\n" in
# front, so a line start is a "\n" (a literal the regex engine finds fast; "(?m)^" is ten times slower).
# Page footers and page numbers on a line of their own: "— 2 —", "- 3 -", "第 2 页", "第2页 共9页", "2/9".
PAGE_FOOTER_LINE = (
    r"(?im)\n[ \t]*(?:[—–\-~]+[ \t]*\d{1,4}[ \t]*[—–\-~]+|第[ \t]*\d{1,4}[ \t]*页(?:[ \t]*[,/]?[ \t]*共[ \t]*\d{1,4}[ \t]*页)?"
    r"|\d{1,4}[ \t]*/[ \t]*\d{1,4}|page[ \t]*\d{1,4}(?:[ \t]*of[ \t]*\d{1,4})?)[ \t]*$"
)
# Markdown decoration: a table rule "|---|:--:|"; a heading ("#" then a space or text, not "#1" in a
# table), "### 一、基本情况"; a bullet "- " before text, "- 1. 年度总体工作" (the text's first
# character is group 1, kept); emphasis, "**三、存在的主要问题**".
MD_TABLE_RULE_LINE = r"(?m)\n[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$"
MD_HEADING_LINE = r"\n[ \t]{0,3}#{1,6}[ \t]*"
MD_BULLET_LINE = r"\n[ \t]{0,6}[-*+][ \t]+(\S)"
MD_EMPHASIS = r"\*\*|__"
# Spaces and tabs around a line break.
LINE_EDGE_SPACE = r"[ \t]*\n[ \t]*"
# Pinyin that a mirror site inserts after a character, tone-marked, in brackets: "區(qū)", "機(jī)構(gòu)",
# "經(jīng)費" (the character is group 1, kept; a bracket without a tone mark, "(a)", stays).
INSERTED_PINYIN = r"(\p{Han})\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ][a-zü]*\)"

# Section / item numbering at the start of a line, by style:
# "一、部门基本情况"  "(一)部门职能"  "1.负责…" / "1、预算编制"  "(1)收文处理率"  "①…"  "一是…"
ENUM_STYLES: dict[str, re.Pattern[str]] = {
    "cn": re.compile(rf"^[{CN_NUM}]{{1,3}}\s*[、.](?!\d)"),
    "paren_cn": re.compile(rf"^\(\s*[{CN_NUM}]{{1,3}}\s*\)"),
    "arabic": re.compile(r"^\d{1,2}\s*(?:[、]|\.(?!\d))"),
    "paren_arabic": re.compile(r"^\(\s*\d{1,2}\s*\)"),
    "circled": re.compile(r"^[①-⑳]"),
    "shi": re.compile(rf"^(?:第)?[{CN_NUM}]{{1,3}}是"),
    "chapter": re.compile(rf"^第[{CN_NUM}\d]{{1,3}}[部分章节条]"),
}
# Inline enumeration inside one paragraph: "一是…;二是…;三是…".
INLINE_SHI = re.compile(rf"(?:^|(?<=[。;:,]))\s*(?:第)?([{CN_NUM}]{{1,3}})是")

# Attachment label above a title: "附件 2", "附件3:".
ATTACHMENT = re.compile(r"^\s*附件\s*\d{0,2}\s*[:]?\s*$")
# The same label run into a title line: "附件2:2023年度…报告", "附件22023年度…报告".
TITLE_ATTACHMENT_PREFIX = re.compile(r"^\s*附件\s*\d{0,2}\s*[:]?\s*(?=(?:19|20)\d{2}\s*年|[^\d])")

# Sentence end (a fact's source sentence runs between these): "…执行率为 99.26%。"
SENTENCE_END = re.compile(r"[。!?;\n]")
CLAUSE_BOUNDARY = re.compile(r"[。!?;,:\n]|(?<!\d),|,(?!\d)")

# ---------------------------------------------------------------- header

# Report title line: "2023年度某市人民政府办公室部门整体支出绩效自评报告".
TITLE_KEYWORDS = re.compile(r"绩效(?:自评|自我评价|评价|评估)(?:情况)?的?(?:报告|结果)|自评报告")
# A report or form title anywhere in a line, ending in a title wording of ``ingest/vocab/title_kinds.csv``:
# "…2024年度项目支出绩效单位自评报告", "部门预算项目支出绩效自评表(2023年度)", "…关于2023年度项目绩效自评工作的报告".
REPORT_TITLE = re.compile(
    "(?:" + "|".join(re.escape(w) for _, w in wordings("title_kinds")) + r")(?:\((?:19|20)\d{2}年度?\))?"
)
# Where a title inside a line may begin: after punctuation, a file extension, a closing bracket, or
# the words announcing it in a sentence ("现将2017年度某局整体支出自我绩效评价报告如下").
TITLE_START_BOUNDARY = re.compile(r"[。;!?:,|《》【】<>]|\.(?:docx?|pdf|xlsx?|wps|txt)|(?<!\d)\.|\.(?!\d)|现将|特将")
# Page metadata glued before a title: "文号:发布日期:2025-04-29时效性:有效".
PAGE_METADATA = re.compile(
    "(?:" + "|".join(re.escape(w) for k, w in wordings("page_metadata") if k == "label") + r")\s*:\s*"
    r"(?:[\d\-/:. T]*\d|" + "|".join(re.escape(w) for k, w in wordings("page_metadata") if k == "value") + ")?"
)
# A year stated in brackets after a form title: "(2023年度)".
TITLE_BRACKET_YEAR = re.compile(r"\((?P<year>(?:19|20)\d{2})\s*年度?\)")
# A number opening a list item before a title: "1.", "2、".
TITLE_ENUMERATOR = re.compile(r"(?<!\s)\s*\d{1,2}\s*[.、]\s*")
# Year then department then kind: "2022年度中国共产党成都市武侯区委员会办公室部门整体支出绩效自评报告".
TITLE_YEAR_FIRST = re.compile(
    r"^(?:关于)?(?P<year>(?:19|20)\d{2})\s*年(?:度)?(?P<name>.*?)"
    r"(?:关于)?(?:本级)?(?:部门整体支出|部门整体|整体支出|部门支出|项目支出|部门|单位)?"
    r"(?:预算)?绩效(?:自评|自我评价|评价|评估)"
)
# Department then year: "广州市财政局2023年度部门整体支出绩效自评报告", "XX局关于2023年度…的报告".
TITLE_NAME_FIRST = re.compile(r"^(?P<name>[^\d]{3,40}?)(?:关于)?(?P<year>(?:19|20)\d{2})\s*年(?:度)?")
# Report-kind words that end a department name inside a title: "…财政局部门整体支出绩效自评报告(2023年度)".
TITLE_KIND_TAIL = re.compile(
    r"(?:本级)?(?:部门整体支出|部门整体|整体支出|部门支出|项目支出|预算绩效|专项资金|部门预算项目|绩效(?:自评|评价)|整体和项目).*$")
# A form-field line of its own: "评价年度:2021", "联系人:张三".
FORM_FIELD_LINE = re.compile(rf"^[{CJK}()]{{2,12}}:\s*\S[^:]{{0,40}}$")
# A year field: "评价年度:2024", "評價年度: 2020年度" (labels: ``vocab/header_fields.csv``, key ``year``).
FORM_YEAR = re.compile(
    "(?:" + "|".join(re.escape(w) for k, w in wordings("header_fields") if k == "year")
    + r")\s*:\s*(?P<year>(?:19|20)\d{2})(?!\d)"
)
# A labelled field naming a unit, with its value up to the cell's end: "部门名称:某县某局",
# "评价单位(公章): 某县某局", "主管部门:  某县某局  (盖章)" (labels: department, implementing_unit and
# supervising_department of ``vocab/form_fields.csv``, department and evaluator of ``vocab/header_fields.csv``).
_UNIT_FIELD_KEYS = ("department", "implementing_unit", "supervising_department", "evaluator")
UNIT_FIELD_LABELS: dict[str, str] = {
    w: k for vocab in ("form_fields", "header_fields") for k, w in wordings(vocab) if k in _UNIT_FIELD_KEYS}
UNIT_FIELD = re.compile(
    "(?P<label>" + "|".join(re.escape(w) for w in sorted(UNIT_FIELD_LABELS, key=len, reverse=True)) + ")"
    + r"(?:\((?:公章|盖章|签章)\))?\s*:\s*(?P<value>[^|\n]*)"
)
# Any field label: where a field's value ends when the next field is glued to it ("某局评价单位:…",
# "某局(公章)填报人:…"); an unknown label is found by its colon (``header.unit_fields``).
FIELD_LABEL = re.compile(
    "(?:" + "|".join(sorted({re.escape(w) for v in ("form_fields", "header_fields") for _, w in wordings(v)},
                            key=len, reverse=True)) + ")"
)
# A project's name field: "项目名称:某县某局某某经费项目,项目实施地点:…".
PROJECT_NAME_FIELD = re.compile(
    "(?:" + "|".join(re.escape(w) for k, w in wordings("form_fields") if k == "project_name")
    + r")\s*:\s*(?P<value>[^,;。|\n]+)"
)
# The fiscal year alone under a title, bracketed: "(2022年度)", "((2019年度)".
YEAR_LINE = re.compile(r"^\(?\((?P<year>(?:19|20)\d{2})\s*年度?\)")
# A title opening with its year: "2021年度某局…", "关于2021年度…", "2020東湖區…".
TITLE_LEADING_YEAR = re.compile(r"^(?:关于)?(?:19|20)\d{2}(?!\d)")
# Years stated in a title ("2020年棚户区改造项目2021年度绩效自评报告"), not inside a document number.
TITLE_YEAR = re.compile(r"(?<![\d〔\[])(?P<year>(?:19|20)\d{2})(?![\d〕\]])")
# The year a title evaluates: the one right before the report's kind ("…项目2021年度绩效自评报告").
TITLE_EVALUATED_YEAR = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年度?(?=(?:本级)?(?:部门|单位)?(?:整体|项目)?(?:支出)?(?:预算)?(?:绩效|自评|自我))")
# The sentence announcing the report: "现将<年>年度<单位>整体支出自我绩效评价报告如下" (e.g. "现将2019年度某市交通运输局整体支出自我绩效评价报告如下").
REPORT_SENTENCE = re.compile(r"现将(?P<span>[^。;:!?《》\n]{2,80}?)(?:报告|汇报)如下")
# The unit an evaluation is about: "我公司承担了某局2019年度部门整体支出绩效评价工作",
# "对某局2021年度部门整体支出开展了绩效评价", "我单位对2022年度某院项目支出开展了自评".
EVALUATED_UNIT = re.compile(
    r"(?:承担了?|对)(?P<span>[^。;:!?,《》\n]{3,80}?)(?:(?:进行|开展|实施)了?[^。;\n]{0,8}?)?(?:绩效)?(?:评价|自评)")
# The signature at the end of a report: the unit, and the date it was signed: "某县农业农村局 2023年3月1日".
SIGNATURE_LINE = re.compile(rf"^(?P<name>[{CJK}()]{{3,40}}?)\s*(?:(?:19|20)\d{{2}}\s*年\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*日)?)?$")
# An evaluation firm speaking of itself: "我所", "本公司".
EVALUATOR_SPEAKER = re.compile(r"我所|本所|我公司|本公司|我们事务所")
# Words that tie a named firm to the evaluation: "受某局委托", "评价机构:", "第三方".
THIRD_PARTY_CUE = re.compile(r"委托|评价机构|中介机构|第三方")
# A department's evaluation of its own projects (not its units' self-evaluation): "项目支出部门评价报告".
DEPARTMENT_EVALUATION = re.compile(r"部门评价")
SELF_EVALUATION = re.compile(r"自评|自我评价|自我绩效")
# Years stated as the evaluated budget year in the body: "2024年度一般公共预算…".
BODY_FISCAL_YEAR = re.compile(r"(?<![\d〔\[(])(?P<year>(?:19|20)\d{2})\s*年度")
# Years stated plainly in the body: "2021年部门决算…", not a date ("2019年06月") nor a document
# number ("〔2022〕", "[2024]").
BODY_YEAR = re.compile(r"(?<![\d〔\[(])(?P<year>(?:19|20)\d{2})\s*年(?!度|\d{1,2}月|\d)")
# A full name the body defines a short form for: "某州某中心(以下简称“州某中心”)", "…(以下简称区委统战部)".
DEFINED_SHORT_NAME = re.compile(rf"(?P<name>[{CJK}]{{4,40}})\((?:以下简称|下称|简称)")
# Self-references that name the department by its short form: "省政府办公厅", "区委办公室", "市财政局".
SELF_REFERENCE = re.compile(
    rf"(?P<level>省|市|区|县|旗|镇|乡|街道)(?P<org>政府办公厅|政府办公室|委办公厅|委办公室|人大常委会办公厅"
    rf"|人大常委会办公室|政协办公厅|政协办公室|[{CJK}]{{2,6}}?(?:局|委员会|办公室))"
)
# A unit speaking of itself by a short form at the start of a sentence: "县政协坚持…", "县委办认真…".
SENTENCE_SUBJECT_SHORT_FORM = re.compile(
    rf"(?:^|(?<=[。!?;\n]))(?P<ref>(?:县|区|市|旗)(?:政协|人大常委会|委办|政府办|[{CJK}]{{1,6}}?(?:局|委员会|办公室)))",
    re.MULTILINE,
)
# Name prefixes before the region: "中国共产党广州市委员会办公厅", "中国人民政治协商会议广州市委员会办公厅",
# "共青团某市委员会".
NAME_PREFIX = re.compile(r"^(?:中国共产党|中共|中国人民政治协商会议|政协|中国共产主义青年团|共青团)")

# ---- organisation names (``ingest.facts.orgname``; suffixes in ``vocab/org_suffixes.csv``, words no name holds
# in ``vocab/name_noise.csv``)
# What a form writes after a name that is not part of it: "某县某局(盖章)", "某县某局本级", "某局部门".
NAME_QUALIFIER_TAIL = re.compile(r"(?:\((?:盖章|公章|签章|本级)\)|本级|部门)$")
# A pronoun in a name: "我院", "我局", "本单位", "该局" (not a place: 本溪市, 贵阳市).
NAME_PRONOUN = re.compile(r"我|^(?:本|该|贵)(?:单位|部门|机关|局|院|委|办|中心|所|校|公司|镇|乡|县|区|市)")
# The tail of a year or date taken as a name's start: "年度某县财政局", "度某市交通运输局", "号文件…".
NAME_DATE_TAIL = re.compile(r"^(?:年|度|号|月份)")
# A year (and 关于) before a name in a title or report sentence: "2021年度某县财政局…", "2020東湖區…".
NAME_LEADING_YEAR = re.compile(r"^(?:关于)?(?:(?:19|20)\d{2}(?:\s*年度?)?)?")
# Where a name ends in a title or report sentence: a year, or the report's kind and scope words
# ("某县财政局2021年度…", "某市交通运输局整体支出自我绩效评价", "某县某局部门整体支出…", "某局关于…").
NAME_STOP = re.compile(
    r"""(?:19|20)\d{2}
      | (?:本级)?(?:部门|单位)?(?:整体支出|整体绩效|项目支出|部门支出|整体和项目|整体及项目)
      | (?:本级)?部门(?:整体|预算|绩效|评价)
      | (?:预算|财政|专项|项目|整体)?(?:绩效|自评|自我绩效)
      | 专项资金 | 关于 | 的
    """,
    re.VERBOSE,
)
# Gazetteer spellings (``ingest.vocab.gazetteer``). A division's short form is a spelling of its own only when it
# still ends in a division suffix: "乌前旗" (乌拉特前旗); "红河" alone is not.
SUFFIXED_SHORT = re.compile(r"(?:县|旗|市|区|州|盟)$")
# Autonomous divisions are also written as short form + suffix: "红河州" (红河哈尼族彝族自治州), "长白县".
AUTONOMOUS = re.compile(r"自治(?P<suffix>州|县|旗)$")
# A name opening with a division the gazetteer does not know still states its level by suffixes that
# only name county-level divisions (市 and 区 name prefectures or districts too): "某某县农业农村局".
COUNTY_ONLY_SUFFIX = re.compile(rf"^[{CJK}]{{1,8}}?(?:自治县|自治旗|县|旗)")
TOWNSHIP_SUFFIX = re.compile(rf"^[{CJK}]{{1,8}}?(?:街道|镇|乡)")
# What follows a township's name in the name of its own government or party committee.
TOWNSHIP_BODY = re.compile(r"^(?:人民政府|党委|人民代表大会|人大主席团|街道办事处|办事处|街道工作委员会)")
# Words that end in 县/旗/镇/乡 but are not places: "全县", "我县", "各乡".
NOT_A_PLACE = re.compile(r"^(?:全|本|我|各|该|一|两|每|外|邻|省|市|州|区|其|此|原|新)(?:县|旗|镇|乡)$|人民|政府|委员|管理")

# Department kinds, by the end of the full or short official name (first match wins): the vocabulary
# ``ingest/vocab/department_types.csv`` ("中国人民政治协商会议某县委员会办公室", "县委办", "政府办" …).
DEPARTMENT_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rf"(?:{wording})$")) for kind, wording in entries("department_types")
)
# Expanding a short self-reference into a full name: "政府办公厅" → "人民政府办公厅".
ORG_EXPANSIONS: dict[str, str] = {
    "政府办公厅": "人民政府办公厅",
    "政府办公室": "人民政府办公室",
    "人大常委会办公厅": "人民代表大会常务委员会办公厅",
    "人大常委会办公室": "人民代表大会常务委员会办公室",
}

# Report kind, from the title (or the opening lines when there is no title).
# A report on the whole department, also when it covers its projects too: "整体和项目支出绩效自评总结报告",
# "部门整体支出及项目支出绩效评价报告" (its first part is the department's; a project form in it is
# still read as a project, by ``ingest.facts.projects``).
# Guangdong writes 自我绩效评价: "整体支出自我绩效评价报告".
REPORT_TYPE_OVERALL = re.compile(
    r"部门整体(?:支出)?(?:自我)?绩效|整体(?:支出)?(?:[和及与]项目)?支出(?:自我)?绩效|整体(?:自我)?绩效(?:自评|评价)"
    r"|部门(?:自我)?绩效(?:自评|评价)")
REPORT_TYPE_PROJECT = re.compile(
    r"项目(?:支出)?[和及与]?(?:(?:19|20)\d{2}\s*年度?)?(?:自我)?绩效(?:自评|评价)|项目支出[和及与]?绩效|专项资金绩效"
    r"|项目(?:支出)?部门评价")
# Any performance-report vocabulary at all (else: "not a performance report").
PERFORMANCE_VOCABULARY = re.compile(r"绩效|自评|预算执行|执行率|支出率")

# ---------------------------------------------------------------- money

# An amount with its unit: "12,345.67 万元", "1520.36万元", "12,34.56万元", "1.2亿元", "5,000元".
# Not after "digit space" ("2 180.24万元" is ambiguous OCR: left alone). The lookbehinds sit after the
# first digit so that the regex engine can still scan for digits fast.
AMOUNT = re.compile(
    r"(?P<number>\d(?<![\d.,]\d)(?<!\d \d)(?:\d{0,2}(?:,\d{2,3})+(?:\.\d+)?|\d*(?:\.\d+)?))\s*(?P<unit>亿元|万元|元)"
)
# What follows an amount that makes it a threshold, not a figure: "500 万元以上", "2亿元左右".
AMOUNT_QUALIFIER_AFTER = re.compile(r"^\s*(?:以上|以下|以内|左右|上下|余|多|起)")
# Words between a label and its amount that keep the pair: "支出总额达到了 X 万元", "预算数为 X 万元".
LABEL_GAP = re.compile(rf"^[{CJK}\s:()]{{0,10}}$")
# Words in the gap that break the pair: "年初预算 500 万元以上财政资金…" is a threshold; "调整预算增加
# 100 万元", "预算数比上年减少 50 万元" state a change, not the figure.
GAP_BREAKERS = re.compile(
    r"""超过|超|不足|低于|高于|达到?\d|其中|收入|支出|结转|结余|预算|资金|项目|经费
      | 增加|减少|增长|下降|增幅|降幅|追加|调增|调减|节约|压减|较|比
    """,
    re.VERBOSE,
)

# Labels of money figures: (side, item, pattern). Checked nearest-first before an amount;
# the longest label ending closest to the amount wins. The vocabulary ``ingest/vocab/money_labels.csv``
# (key ``side.item``; its wordings are regular expressions, in file order).
MONEY_LABELS: tuple[tuple[str, str, str], ...] = tuple(
    (key.partition(".")[0], key.partition(".")[2], wording) for key, wording in entries("money_labels")
)
# A bare spend word right after a budget or revenue figure of the same sentence names that year's
# spend: "全年预算数 620.35 万元,支出 612.80 万元", "预算资金总额 812.4 万元,全年共计支出资金 798.2 万元",
# "收入 1,200.5 万元、支出 1,180.3 万元", "预算批复数为 318.6 万元,实际使用资金 315.2 万元". The whole
# text between the two amounts must be this (``money.extract_money``).
PAIRED_SPEND = re.compile(
    r"""[,、;]?\s?
        (?:全年|本年度?|当年|年度|实际|累计|共计|共|已|完成|合计){0,4}   # when and how much
        (?:支出|使用|执行|支付)                                        # the spend verb
        (?:资金|金额|数)?(?:为|了|达)?[:\s]{0,3}$
    """,
    re.VERBOSE,
)
# Money tables: the unit line above a table ("单位:万元") or in a header cell ("全年预算数(万元)").
TABLE_UNIT = re.compile(r"(?:单位|金额单位)\s*:\s*(?P<unit>亿元|万元|元)|\((?P<cell_unit>亿元|万元|元)\)")
# Row labels of a money table: the department's total row, a fund-scope row, a spend-kind row.
TABLE_TOTAL_ROW = re.compile(r"^(?:合计|总计|总额|部门整体|部门合计|资金总额|年度资金总额|部门预算|预算资金|本部门)$")
TABLE_RATE_HEADER = re.compile(r"(?:预算|资金|全年)?(?:执行率|支出率)(?:\(%\))?")
TABLE_PLAIN_NUMBER = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^-?\d+(?:\.\d+)?$")

# Fund scopes: "一般公共预算支出 4,321.09 万元" → general_public_budget.
FUND_SCOPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("general_public_budget", re.compile(r"一般公共预算")),
    ("government_fund_budget", re.compile(r"政府性基金")),
    ("state_capital_budget", re.compile(r"国有资本经营")),
)
# Words in the clause before a label that make the figure someone else's: a project's or a special
# fund's ("XX项目预算 300 万元"), a sub-unit's ("下属二级单位区疾控中心预算", "局属学校…"), the whole
# region's ("全区完成一般公共预算收入 15.6 亿元", "辖区…").
FOREIGN_SUBJECT = re.compile(
    r"""项目(?!支出) | 专项(?:资金|经费) | 经费 | 某
      | 二级单位 | 下属 | 所属 | 直属 | 局属 | 委属 | 院属
      | 全(?:国|省|市|州|盟|县|区|旗) | 辖区
    """,
    re.VERBOSE,
)
# A project or a sub-unit named as the subject of a figure earlier in the same sentence stays the subject
# of its later clauses until one names the department again: "…改造项目全年预算数 1,500 万元,执行数
# 1,420 万元,执行率 94.67%" (all three the project's); "…项目预算 800 万元,部门全年支出 2,410.9 万元" (the
# second the department's). ``money.carried_subject``.
FOREIGN_CARRY = re.compile(r"项目(?!支出)|二级单位|下属|所属|直属|局属|委属|院属")
OWN_SUBJECT = re.compile(
    r"部门|整体|本单位|我单位|本级|我(?:局|委|办|院|校|所|中心|会|镇|乡|街道)|全(?:局|委|院|校)")
# A figure of any kind (an amount, a rate, a score), for ``FOREIGN_CARRY``.
FIGURE = re.compile(r"\d\s*(?:亿元|万元|元|%|分)")
# Words before a figure that make it received funds, not spend: "到位资金 200 万元", "下达…"; before a
# budget figure only a change is: "追加预算", "调增" ("财政下达我局年度预算资金 436.8 万元" is the budget).
RECEIVED_FUNDS = re.compile(r"到位|下达|拨付|追加|调减|调增")
BUDGET_CHANGE = re.compile(r"追加|调减|调增")
# Words in the clause before a figure that make it another period's or a plan's: "上年支出 2,700 万元",
# "较上年…", "下一年度…", "计划预算安排 560 万元", "预计…". (A year named in the clause is compared with
# the fiscal year by ``SENTENCE_YEAR``.)
OTHER_PERIOD = re.compile(
    r"""上年|去年|上一年|前一年|以前年度|历年|同期|同比|较|比上年|与上年
      | 下一?年|明年|来年|计划|预计|拟|力争
    """,
    re.VERBOSE,
)
# A year named in a sentence, not a date: "2021年预算数 1,000 万元" (another year's figure in a 2022
# report); not "截至2023年3月底" nor a document number "〔2022〕".
SENTENCE_YEAR = re.compile(r"(?<![\d〔\[])(?P<year>(?:19|20)\d{2})(?!\d)\s*年(?!\s*\d{1,2}\s*月)")

# ---------------------------------------------------------------- rates

# Execution-rate wordings: "年度平均执行率为 99.26%", "支出进度 98.7%", "完成预算的 95.12%".
EXECUTION_RATE = re.compile(
    r"(?P<label>预算执行率|执行率|支出率|支出进度|完成预算的|预算完成率|资金使用率|执行进度|整体支付率|支付率|支付进度)"
    r"(?P<gap>[^\d%。;,]{0,6}?)(?P<value>\d+(?:\.\d+)?)\s*%"
)
# Spend stated as a share of the budget: "全年支出 326.8 万元,占全年预算数 330 万元的 99.03%" (read only
# when the clause before it states the spend total, ``money.extract_rates``).
SHARE_OF_BUDGET = re.compile(
    r"""占(?:全年|年度|本年|当年|调整后?)?的?预算(?:数|总额|资金)?
        (?P<amount>[\d.,]{1,20}(?:亿元|万元|元))?
        的(?P<value>\d{1,3}(?:\.\d+)?)\s*%
    """,
    re.VERBOSE,
)
# A rate that is a goal or a threshold, not a result: "执行率未能达到99%以上", "预期执行率达95%".
RATE_NOT_RESULT = re.compile(r"预期|目标|计划|不低于|不少于|未能|未达|力争|要求|应当|应|≥|>=|≤|确保")
# Words between a rate label and a percentage that make them cells of different columns of a garbled
# table row ("执行率权重执行率得分(分)76%"): the figure is not that rate.
RATE_GAP_BREAKERS = re.compile(r"得分|权重|分值|\(")
RATE_QUALIFIER_AFTER = re.compile(r"^\s*(?:以上|以下|左右)")
# Rates of a period or a part, not of the whole year: "一季度支出进度 20%", "上半年执行率", "项目执行率",
# "基本支出执行率 100%", "上年执行率".
RATE_PARTIAL_PERIOD = re.compile(
    r"""季度|上半年|下半年|半年|年中|(?<![0-9一二三四五六七八九十])[0-9一二三四五六七八九十]+月|序时|项目|同比|结转结余
      | 基本支出|人员经费|公用经费|基本经费|上年|去年|上一年
    """,
    re.VERBOSE,
)
# Carry-over rate: "年末结转结余率仅为 0.3%".
CARRYOVER_RATE = re.compile(r"结转结余率[^\d%。;,]{0,6}?(?P<value>\d+(?:\.\d+)?)\s*%")

# ---------------------------------------------------------------- scores

# A score: "自评得分为 96.73 分", "评分为 97.8 分", "综合得分 90 分", "最终得分为 91.25 分", "得分为 85 分".
# Every label but a bare 得分 names the score as a whole (``STRONG_SCORE_LABEL``).
SCORE = re.compile(
    r"""(?P<label>自评得分|自评分数|评价得分|评价分数|综合得分|综合评分|总得分|总分|最终得分|最后得分
                 |总体得分|整体得分|绩效得分|自评结果|评价结果|评分|得分)
        (?P<gap>[^\d。;,]{0,4}?)(?P<value>\d{1,3}(?:\.\d{1,2})?)\s*分
    """,
    re.VERBOSE,
)
WEAK_SCORE_LABEL = "得分"
# A bare 得分 in a sentence about an indicator, a weight or a part is that item's score: "预算执行率指标
# 分值 20 分,得分 19.5 分".
WEAK_SCORE_CONTEXT = re.compile(r"指标|分值|权重")
# A part with its score: "预算管理 18 分(满分 20 分)", "履职效能 50 分".
PART_SCORE = re.compile(rf"(?P<part>[{CJK}]{{2,10}})\s*(?P<value>\d{{1,3}}(?:\.\d{{1,2}})?)\s*分")
# A stated maximum: "(满分 20 分)", "满分为100分".
MAX_SCORE = re.compile(r"满分(?:为|是)?\s*(?P<value>\d{1,3}(?:\.\d{1,2})?)\s*分")
# Words that make a number of points a weight or a deduction, not a score: "分值 20 分", "扣 2 分".
NOT_A_SCORE = re.compile(r"分值|权重|满分|扣|减|加分|合计分|总分值|标准分")
# Whose score or rating a clause states, in a department report: a project's ("农村公路养护项目自评得分
# 90 分"), an average over projects ("平均得分 92.3 分"), another year's ("较上年度自评得分 90 分"); a project
# named earlier in the sentence carries (``FOREIGN_CARRY``).
FOREIGN_SCORE_CLAUSE = re.compile(r"项目|平均|上年|去年|上一年|以前年度|较|同比")
# What follows a score that makes it a threshold: "得分均在 90 分以上".
SCORE_QUALIFIER_AFTER = re.compile(r"\s{0,4}(?:以上|以下|左右)")  # used with match(text, pos); bounded: linear
# Known score parts (一级/二级指标) and their keys.
SCORE_PARTS: dict[str, str] = {
    "履职效能": "performance_effectiveness",
    "管理效率": "management_efficiency",
    "整体效能": "overall_effectiveness",
    "预算编制": "budget_preparation",
    "预算执行": "budget_execution",
    "预算管理": "budget_management",
    "信息公开": "information_disclosure",
    "绩效管理": "performance_management",
    "采购管理": "procurement_management",
    "资产管理": "asset_management",
    "运行成本": "operating_cost",
    "决策": "decision",
    "过程": "process",
    "产出": "output",
    "效益": "benefit",
    "满意度": "satisfaction",
}
# The first-level parts that make up a total when both are stated (standard framework).
TOTAL_PARTS: frozenset[str] = frozenset({"performance_effectiveness", "management_efficiency"})
# A rating: "绩效评级为“优”", "评价等级:良好", "自评等级为优秀", "绩效自评等次均为优秀", "整体绩效自评为良好".
# The rating words and what they mean are the vocabulary ``ingest/vocab/rating.csv``.
RATING_WORDS = "|".join(re.escape(w) for _, w in wordings("rating"))
RATING = re.compile(
    rf"""(?:(?:绩效评级|评价等级|绩效等级|自评等级|评定等级|评价结果|自评结果|评价等次|自评等次|等次|等级|评级
           |自评结论|评价结论)
            \s*(?:均|总体|整体)?(?:评定|确定)?(?:为|是|:)?  # "等次均为", "结果为", "等级:", "等级评定为"
          | 绩效自评(?:均|总体|整体)?为)                   # "整体绩效自评为优秀": the self-evaluation itself
        \s*[“"'「]?(?P<rating>{RATING_WORDS})
        (?![”"'」]?(?:的|项目|个|等次|秀|好|格))          # "自评为优秀的项目 3 个" counts projects (and no
                                                       # backing off from 优秀 to 优)
    """,
    re.VERBOSE,
)
# A rating stated before its kind word: "评定为优秀等次", "自评结果属于“良好”等级".
RATING_BEFORE_KIND = re.compile(
    rf"""(?:评定为|评为|确定为|认定为|属于|结果为|自评为)
        \s*[“"'「]?(?P<rating>{RATING_WORDS})[”"'」]?
        (?:等次|等级|档次)(?!的)                           # "评为优秀等次的项目" counts projects
    """,
    re.VERBOSE,
)
# Words before a rating that make it someone else's or an award: "年度考核被评为优秀等次", "获评…".
RATING_NOT_OWN = re.compile(r"考核|获评|先进|荣获")
RATING_MAP: dict[str, str] = {w: k for k, w in wordings("rating")}
# Deduction reasons: "扣分原因主要是…", "主要是采购管理中合同备案时效性有待加强".
DEDUCTION = re.compile(r"(?:扣分(?:原因|情况|事项)?(?:主要)?(?:是|为|:)|失分(?:原因)?(?:主要)?(?:是|为))(?P<reason>[^。]+)")

# ---------------------------------------------------------------- indicators

PERCENT = re.compile(
    r"(?:(?P<op>≥|≤|>=|<=|>|<|不低于|不少于|不高于|大于|小于|达到?)\s*)?(?<![\d.])(?P<value>\d+(?:\.\d+)?)\s*%")
# A count with its unit: "14884 份", "12 次".
COUNT = re.compile(
    r"(?:(?P<op>≥|≤|>=|<=|>|<|不低于|不少于)\s*)?(?<![\d.])(?P<value>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>份|次|件|篇|期|个|项|人次|场|条|家|天|日)")
# Where the stated target is: "预期全年收文处理率达 95%", "年度目标值≥40%", "年度指标值:≥95%".
TARGET_CUE = re.compile(r"预期|年度目标值?|目标值|计划|年度指标值|指标值|预计")
# Where the result starts: "实际全年共办理公文…", "实际完成42.3%", "完成值".
ACTUAL_CUE = re.compile(r"实际|完成值|实际完成值?")
# An indicator name: ends like a measurable quantity: "收文处理率", "信息工作完成质量", "…落实情况".
INDICATOR_NAME = re.compile(r"(?:率|度|质量|情况|数|量|次数|覆盖面|满意度|时效|效能|效率|性)$")
# Names that count things (a plain count may be their value): "发文数量", "接待次数".
COUNT_NAME = re.compile(r"(?:数|数量|次数|件数|篇数|人数|批次)$")

# ---------------------------------------------------------------- staff and structure

# Head counts: "编制数 50 人", "机构核定编制 107 人", "实有人数 38 人", "在职教职工 186 人", "核定编制数 35 个",
# "在职职工 1,086 人", "离退休人员合计 13 人". The labels are the vocabulary ``ingest/vocab/staff_labels.csv``
# (key = measure), in one alternation, longest first, so that a label inside a longer one is never read
# on its own ("退休教职工 74 人" is not "教职工 74 人"); "机构编制…" (the staffing office) is not a head count
# unless the label itself says so (机构核定编制: ``STAFF_NOT_AFTER``, tested outside the pattern so that the
# regex engine can skip ahead by the labels' first characters). Between label and count only a few
# linking characters ("为", "共", "合计", ":").
STAFF_MEASURES: dict[str, str] = {w: k for k, w in wordings("staff_labels")}
STAFF = re.compile(
    r"(?P<label>" + "|".join(re.escape(w) for _, w in wordings("staff_labels")) + r")"
    r"(?P<gap>[为是有共计合总达:\s]{0,4})"
    r"(?P<value>\d{1,3}(?:,\d{3})+|\d+)\s*(?:人|名|个)(?!次)"
)
STAFF_NOT_AFTER = "机构"
# Words in the clause before a head count that make it someone else's (a sub-unit's "局属学校…在职教职工
# 4,215 人", the region's "全县…") or not a head count of the unit ("慰问困难职工 30 人", "新招聘教职工 5 名").
FOREIGN_STAFF = re.compile(
    r"""下属|所属|直属|局属|委属|二级单位|各(?:学校|单位|乡镇|街道)|全(?:省|市|州|县|区|旗)|辖区
      | 困难|慰问|培训|招聘|招录|新进|新增|引进|交流|轮岗|表彰|帮扶|走访
    """,
    re.VERBOSE,
)
# Posts of one kind (行政编制, 事业编制 …) are the authorised total only when the sentence names no other
# kind: "学校核定事业编制 210 名" (the total), "核定行政编制 38 名,事业编制 26 名" (no total stated).
STAFF_POST_KIND = re.compile(r"(?:行政|事业|参公|工勤|政法专项)编制")
INTERNAL_UNITS = re.compile(r"内设(?:科室|机构|处室|部门)(?P<gap>[^\d。;,]{0,4}?)(?P<value>\d+)\s*个")

# ---------------------------------------------------------------- sections

# Standard sections, by words in their heading (first match wins).
SECTION_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("measures", re.compile(r"改进措施|整改|下一步|改进意见|意见建议|有关建议|工作建议|改进方向")),
    ("problems", re.compile(r"存在(?:的)?(?:主要)?问题|问题及原因|主要问题|存在不足")),
    ("duties", re.compile(r"部门职能|主要职责|职能职责|部门职责|单位职责|工作职责")),
    ("self_evaluation", re.compile(r"自评结论|自评情况|评价结论|自评结果|绩效自评|评价结果")),
    ("effectiveness", re.compile(r"履职效能|绩效目标(?:完成|实现)|指标完成|产出指标|效益指标|产出|效益")),
    ("efficiency", re.compile(r"管理效率")),
    ("finance", re.compile(r"收支|支出情况|预算完成|预算执行情况|资金情况|收入支出|资金使用")),
    ("basic_info", re.compile(r"基本情况|部门概况|单位概况|部门情况|机构设置|人员情况")),
)


# ---------------------------------------------------------------- digits

def _ascii_digits(value: object) -> object:
    """``value`` with every pattern in it recompiled so that ``\\d`` (and ``\\s``) match ASCII only."""
    if isinstance(value, re.Pattern):
        return re.compile(value.pattern, (value.flags & ~re.UNICODE) | re.ASCII)
    if isinstance(value, dict):
        return {k: _ascii_digits(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_ascii_digits(v) for v in value)
    return value


# A figure is written in ASCII digits (full-width ones are ASCII after normalisation): "٩٠分" in
# Arabic-Indic digits is no score. One rule for every pattern above.
globals().update({name: _ascii_digits(value) for name, value in list(globals().items()) if name.isupper()})
