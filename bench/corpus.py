"""A scaled, deterministic corpus of report files, varied from the samples and the hand-written corpus.

Each report is one template (a sample in ``data/raw`` or a report in ``fixtures/corpus``) restated for
another department: other real regions (the gazetteer ``ingest/data/divisions.csv.gz`` and a list of
real districts and counties), another department kind, another fiscal year (every year in the text shifted alike), all
money amounts multiplied by one factor (budget, spend and execution rate stay consistent), and a
layout and encoding from :mod:`fixtures.variants` (reflowed OCR/PDF text, markdown, full-width forms,
元/亿元 units, untitled with a ``manifest.csv`` row, GBK/GB18030/UTF-16/UTF-8 with BOM).

Speed: a template is cut once into literal text and *slots* (department, region names, years,
amounts); each layout is applied once to that skeleton, with every slot held by one private-use
character, and a report is the skeleton's literals joined with its own slot values. 10,000
reports take a few seconds. Report ``i`` depends only on ``seed``, ``i`` and the reports before
it (a corpus of n reports is the prefix of a larger one).
"""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from fixtures import variants
from ingest.documents.decode import decode_bytes
from ingest.vocab.gazetteer import gazetteer

REPO = Path(__file__).resolve().parents[1]
RAW_SAMPLES = REPO / "data" / "raw"
HAND_CORPUS = REPO / "fixtures" / "corpus"
MANIFEST_NAME = "manifest.csv"
FIRST_YEAR, LAST_YEAR = 2015, 2024
_PUA = 0xE000

# Real districts and counties (province, prefecture, county); municipalities name themselves as prefecture.
COUNTIES: tuple[tuple[str, str, str], ...] = (
    ("广东省", "广州市", "天河区"), ("广东省", "广州市", "越秀区"), ("广东省", "广州市", "白云区"),
    ("广东省", "广州市", "黄埔区"), ("广东省", "广州市", "花都区"), ("广东省", "广州市", "南沙区"),
    ("广东省", "深圳市", "福田区"), ("广东省", "深圳市", "南山区"), ("广东省", "深圳市", "宝安区"),
    ("广东省", "深圳市", "龙岗区"), ("广东省", "佛山市", "顺德区"),
    ("广东省", "珠海市", "香洲区"), ("广东省", "汕头市", "金平区"), ("广东省", "韶关市", "武江区"),
    ("江苏省", "南京市", "玄武区"), ("江苏省", "南京市", "秦淮区"), ("江苏省", "南京市", "江宁区"),
    ("江苏省", "苏州市", "姑苏区"), ("江苏省", "苏州市", "吴中区"),
    ("江苏省", "无锡市", "梁溪区"), ("江苏省", "无锡市", "锡山区"), ("江苏省", "徐州市", "云龙区"),
    ("浙江省", "杭州市", "拱墅区"), ("浙江省", "杭州市", "滨江区"),
    ("浙江省", "杭州市", "余杭区"), ("浙江省", "宁波市", "海曙区"), ("浙江省", "宁波市", "鄞州区"),
    ("浙江省", "湖州市", "安吉县"), ("浙江省", "湖州市", "长兴县"),
    ("浙江省", "湖州市", "德清县"), ("浙江省", "嘉兴市", "嘉善县"), ("浙江省", "嘉兴市", "海盐县"),
    ("四川省", "成都市", "锦江区"), ("四川省", "成都市", "青羊区"), ("四川省", "成都市", "金牛区"),
    ("四川省", "成都市", "成华区"), ("四川省", "宜宾市", "翠屏区"),
    ("湖北省", "武汉市", "江岸区"), ("湖北省", "武汉市", "江汉区"), ("湖北省", "武汉市", "武昌区"),
    ("湖北省", "武汉市", "洪山区"), ("湖北省", "宜昌市", "西陵区"), ("湖南省", "长沙市", "岳麓区"),
    ("湖南省", "长沙市", "芙蓉区"), ("湖南省", "长沙市", "天心区"), ("湖南省", "长沙市", "开福区"),
    ("湖南省", "株洲市", "荷塘区"), ("湖南省", "株洲市", "天元区"), ("湖南省", "湘潭市", "雨湖区"),
    ("湖南省", "湘潭市", "湘潭县"), ("河南省", "郑州市", "金水区"), ("河南省", "郑州市", "中原区"),
    ("河南省", "洛阳市", "西工区"), ("河南省", "洛阳市", "涧西区"), ("山东省", "济南市", "历下区"),
    ("山东省", "济南市", "槐荫区"), ("山东省", "青岛市", "崂山区"), ("山东省", "青岛市", "黄岛区"),
    ("山东省", "烟台市", "芝罘区"), ("安徽省", "合肥市", "蜀山区"), ("安徽省", "合肥市", "包河区"),
    ("安徽省", "合肥市", "庐阳区"), ("安徽省", "宣城市", "绩溪县"), ("福建省", "福州市", "台江区"),
    ("福建省", "福州市", "仓山区"), ("福建省", "厦门市", "思明区"), ("福建省", "厦门市", "湖里区"),
    ("江西省", "南昌市", "东湖区"), ("江西省", "南昌市", "青山湖区"), ("江西省", "上饶市", "婺源县"),
    ("河北省", "石家庄市", "长安区"), ("河北省", "石家庄市", "桥西区"), ("河北省", "石家庄市", "正定县"),
    ("河北省", "保定市", "莲池区"), ("山西省", "太原市", "小店区"), ("山西省", "太原市", "迎泽区"),
    ("山西省", "晋中市", "平遥县"), ("陕西省", "西安市", "雁塔区"), ("陕西省", "西安市", "碑林区"),
    ("陕西省", "西安市", "未央区"), ("陕西省", "宝鸡市", "渭滨区"), ("辽宁省", "沈阳市", "和平区"),
    ("辽宁省", "沈阳市", "沈河区"), ("辽宁省", "大连市", "中山区"), ("辽宁省", "大连市", "甘井子区"),
    ("吉林省", "长春市", "南关区"), ("吉林省", "长春市", "朝阳区"), ("黑龙江省", "哈尔滨市", "南岗区"),
    ("黑龙江省", "哈尔滨市", "道里区"), ("云南省", "昆明市", "五华区"), ("云南省", "昆明市", "盘龙区"),
    ("贵州省", "贵阳市", "云岩区"), ("贵州省", "贵阳市", "南明区"), ("甘肃省", "兰州市", "城关区"),
    ("广西壮族自治区", "南宁市", "青秀区"), ("广西壮族自治区", "南宁市", "兴宁区"),
    ("广西壮族自治区", "桂林市", "秀峰区"), ("海南省", "海口市", "美兰区"), ("海南省", "海口市", "龙华区"),
    ("新疆维吾尔自治区", "乌鲁木齐市", "天山区"), ("内蒙古自治区", "呼和浩特市", "赛罕区"),
    ("宁夏回族自治区", "银川市", "兴庆区"), ("青海省", "西宁市", "城西区"),
    ("北京市", "北京市", "海淀区"), ("北京市", "北京市", "丰台区"), ("上海市", "上海市", "浦东新区"),
    ("上海市", "上海市", "徐汇区"), ("天津市", "天津市", "南开区"), ("重庆市", "重庆市", "渝中区"),
)

# Department kinds by level: (name after the region, department_type the parser should state).
PROVINCE_ORGS: tuple[tuple[str, str], ...] = (
    ("人民政府办公厅", "government_office"), ("财政厅", "finance_bureau"), ("教育厅", "education_bureau"),
    ("卫生健康委员会", "health_commission"), ("公安厅", "public_security_bureau"),
    ("民政厅", "civil_affairs_bureau"), ("自然资源厅", "natural_resources_bureau"),
    ("人力资源和社会保障厅", "human_resources_bureau"), ("发展和改革委员会", "development_reform_commission"),
    ("司法厅", "justice_bureau"), ("审计厅", "audit_bureau"), ("高级人民法院", "court"),
    ("人民检察院", "procuratorate"),
)
PREFECTURE_ORGS: tuple[tuple[str, str], ...] = (
    ("人民政府办公室", "government_office"), ("财政局", "finance_bureau"), ("教育局", "education_bureau"),
    ("卫生健康委员会", "health_commission"), ("公安局", "public_security_bureau"),
    ("民政局", "civil_affairs_bureau"), ("自然资源局", "natural_resources_bureau"),
    ("人力资源和社会保障局", "human_resources_bureau"), ("发展和改革委员会", "development_reform_commission"),
    ("司法局", "justice_bureau"), ("审计局", "audit_bureau"), ("中级人民法院", "court"),
    ("人民检察院", "procuratorate"),
)
COUNTY_ORGS: tuple[tuple[str, str], ...] = (
    ("人民政府办公室", "government_office"), ("财政局", "finance_bureau"), ("教育局", "education_bureau"),
    ("卫生健康局", "health_commission"), ("公安局", "public_security_bureau"), ("民政局", "civil_affairs_bureau"),
    ("自然资源局", "natural_resources_bureau"), ("人力资源和社会保障局", "human_resources_bureau"),
    ("发展和改革局", "development_reform_commission"), ("司法局", "justice_bureau"), ("审计局", "audit_bureau"),
    ("人民法院", "court"), ("人民检察院", "procuratorate"),
)
TOWNSHIP_ORGS: tuple[tuple[str, str], ...] = (
    ("桂城街道办事处", "street_office"), ("城南街道办事处", "street_office"), ("东湖街道办事处", "street_office"),
    ("新华街道办事处", "street_office"), ("白沙镇人民政府", "township_government"),
    ("石桥镇人民政府", "township_government"), ("永安乡人民政府", "township_government"),
)
ORGS_BY_LEVEL = {"province": PROVINCE_ORGS, "prefecture": PREFECTURE_ORGS, "county": COUNTY_ORGS,
                 "township": TOWNSHIP_ORGS}
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


@dataclass(frozen=True)
class Template:
    """A report the corpus varies, and what it says about its department.

    ``dept`` is the department name as the text writes it (None when only the body implies it);
    ``prefix`` and ``org`` compose the same name around the region (``中国共产党`` + 广州市番禺区 +
    ``委员会办公室``); region names (full and short) are the ones the text uses.
    """

    key: str
    path: Path
    level: str
    fiscal_year: int
    dept: str | None
    org: str
    dept_type: str
    province: str
    city: str | None = None
    county: str | None = None
    prefix: str = ""
    status: str = "ok"
    weight: int = 10
    swap_org: bool = True
    titled: bool = True  # may be written without its title (layout "untitled", with a manifest.csv row)


TEMPLATES: tuple[Template, ...] = (
    Template("gz_gov_office", RAW_SAMPLES / "000_1c33b51c252b0f74.txt", "prefecture", 2023, "广州市人民政府办公厅",
             "人民政府办公厅", "government_office", "广东省", "广州市", weight=12),
    Template("haizhu_gov_office", RAW_SAMPLES / "001_82ea8d76d161cf34.txt", "county", 2023,
             "广州市海珠区人民政府办公室", "人民政府办公室", "government_office", "广东省", "广州市", "海珠区",
             weight=12),
    Template("panyu_party_office", RAW_SAMPLES / "002_8e8a1bf45f283d22.txt", "county", 2023,
             "中国共产党广州市番禺区委员会办公室", "委员会办公室", "party_committee_office", "广东省", "广州市",
             "番禺区", prefix="中国共产党", weight=12),
    Template("gd_gov_office", RAW_SAMPLES / "003_8bf6a511de5de1a6.txt", "province", 2024, None, "人民政府办公厅",
             "government_office", "广东省", "广州市", weight=8, swap_org=False, titled=False),
    Template("gz_npc_office", RAW_SAMPLES / "004_7d5da131da030cc5.txt", "prefecture", 2023,
             "广州市人民代表大会常务委员会办公厅", "人民代表大会常务委员会办公厅", "npc_standing_committee_office",
             "广东省", "广州市", weight=10),
    Template("wuhou_education_yuan", HAND_CORPUS / "county_education_yuan_table.md", "county", 2022,
             "成都市武侯区教育局", "教育局", "education_bureau", "四川省", "成都市", "武侯区", weight=10),
    Template("guicheng_street_gbk", HAND_CORPUS / "township_flat_table_gbk.txt", "township", 2023,
             "佛山市南海区桂城街道办事处", "桂城街道办事处", "street_office", "广东省", "佛山市", "南海区", weight=8),
    Template("zhejiang_finance_form", HAND_CORPUS / "province_form_fields.txt", "province", 2021, "浙江省财政厅",
             "财政厅", "finance_bureau", "浙江省", weight=6, titled=False),
    Template("xihu_project", HAND_CORPUS / "project_report.txt", "county", 2023, "杭州市西湖区城市管理局",
             "城市管理局", "other", "浙江省", "杭州市", "西湖区", weight=10, titled=False),
    Template("gulou_truncated", HAND_CORPUS / "truncated_report.txt", "county", 2023, "南京市鼓楼区民政局",
             "民政局", "civil_affairs_bureau", "江苏省", "南京市", "鼓楼区", status="partial", weight=3,
             titled=False),
    Template("lusong_web_page", HAND_CORPUS / "web_page_pasted.txt", "county", 2023, "株洲市芦淞区卫生健康局",
             "卫生健康局", "health_commission", "湖南省", "株洲市", "芦淞区", weight=9),
)

# Layouts: name → (function on the skeleton, whether the result is normalised text).
LAYOUTS: dict[str, tuple[Callable[[str], str], bool]] = {
    "original": (lambda t: t, False),
    "reflow22": (lambda t: variants.reflow(t, 22), True),
    "reflow31": (lambda t: variants.reflow(t, 31, 25), True),
    "reflow45": (lambda t: variants.reflow(t, 45, 40), True),
    "markdown": (variants.markdownify, True),
    "untitled": (variants.drop_title, True),
}
LAYOUT_WEIGHTS = {"original": 50, "reflow22": 6, "reflow31": 8, "reflow45": 6, "markdown": 15, "untitled": 5}
UNIT_WEIGHTS = {"万元": 80, "元": 10, "亿元": 10}
ENCODING_WEIGHTS = {"utf-8": 55, "utf-8-sig": 8, "gbk": 15, "gb18030": 5, "utf-16": 9, "utf-16-le": 8}
FULLWIDTH_SHARE = 0.1


@dataclass(frozen=True)
class Region:
    """Where a report's department sits (province short form from the gazetteer)."""

    province: str
    province_short: str
    city: str | None
    county: str | None


@dataclass(frozen=True)
class CorpusItem:
    """One written report and the header facts and scaling it was built with (the ground truth)."""

    index: int
    source_file: str
    template: str
    fiscal_year: int
    department_name: str
    department_type: str
    province: str
    city: str | None
    county: str | None
    admin_level: str
    factor: str
    layout: str
    fullwidth: bool
    unit: str
    encoding: str
    status: str

    def as_dict(self) -> dict[str, object]:
        """The item as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class _Slot:
    kind: str
    value: str
    ws: str = ""
    unit: str = ""


@dataclass(frozen=True)
class _Skeleton:
    literals: tuple[str, ...]
    slots: tuple[int, ...]


@dataclass(frozen=True)
class _Cut:
    text: str
    slots: tuple[_Slot, ...]
    skeleton_text: str


# ---------------------------------------------------------------- regions


@cache
def _regions() -> dict[str, object]:
    """Province short forms, prefectures (名 + 市) by province and the province-level pool."""
    gaz = gazetteer()
    short: dict[str, str] = {}
    cities: dict[str, list[str]] = {}
    for division in gaz.by_key.values():
        if division.level == "province" and division.short_name:
            short[division.name] = division.short_name
        province = gaz.ancestors(division.key)[-1].name
        if division.level == "prefecture" and division.name.endswith("市") and province not in MUNICIPALITIES:
            cities.setdefault(province, []).append(division.name)
    provinces = sorted(p for p in cities if p.endswith("省") and p != "台湾省")
    prefectures = sorted((p, c) for p, cs in cities.items() for c in cs)
    for province, city, _ in COUNTIES:
        if province not in MUNICIPALITIES and city not in cities.get(province, []):
            raise ValueError(f"{city} is not a prefecture of {province} in the gazetteer")
    return {"short": short, "cities": cities, "provinces": provinces, "prefectures": prefectures}


def _pick_region(level: str, rng: random.Random) -> Region:
    ref = _regions()
    short: dict[str, str] = ref["short"]  # type: ignore[assignment]
    if level == "province":
        province = rng.choice(ref["provinces"])  # type: ignore[arg-type]
        return Region(province, short[province], rng.choice(ref["cities"][province]), None)  # type: ignore[index]
    if level == "prefecture":
        province, city = rng.choice(ref["prefectures"])  # type: ignore[arg-type]
        return Region(province, short[province], city, None)
    province, city, county = rng.choice(COUNTIES)
    return Region(province, short[province], city, county)


def _short(name: str | None) -> str | None:
    """广州市 → 广州, 海珠区 → 海珠 (None when the short form would be a single character)."""
    if not name:
        return None
    stem = re.sub(r"(?:新区|省|市|区|县)$", "", name)
    return stem if len(stem) >= 2 and stem != name else None


# ---------------------------------------------------------------- templates → slots → skeletons

_YEAR = r"(?<![\d.,])(?:19|20)\d{2}(?![\d.,])(?=[ \t]*(?:年|-\d|〕|\n|$))"
_AMOUNT = r"(?<![\d.,])(\d+(?:,\d+)*(?:\.\d+)?)(\s*)(万\s*元|亿\s*元|元)"


def _cut(template: Template) -> _Cut:
    """The template's text as literal text and slots (department, regions, years, amounts)."""
    text = decode_bytes(template.path.read_bytes()).text or ""
    names: dict[str, str] = {}
    ref_short = _regions()["short"]
    for kind, value in (("province", template.province), ("city", template.city), ("county", template.county)):
        if value:
            names[value] = kind
            short = ref_short.get(value) if kind == "province" else _short(value)  # type: ignore[union-attr]
            if short:
                names[short] = kind + "_short"
    alternatives = []
    if template.dept:
        spaced = r"\s*".join(map(re.escape, template.dept))
        alternatives.append(f"(?P<dept>{spaced})")
    alternatives.append(rf"(?P<year>{_YEAR})")
    alternatives.append(rf"(?P<amount>{_AMOUNT})")
    alternatives.append("(?P<name>" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + ")")
    pattern = re.compile("|".join(alternatives), re.MULTILINE)
    slots: list[_Slot] = []
    pieces: list[str] = []
    pos = 0
    for match in pattern.finditer(text):
        pieces.append(text[pos:match.start()])
        kind = match.lastgroup or ""
        if kind == "amount":
            number, ws, unit = re.fullmatch(_AMOUNT, match.group(0)).groups()  # type: ignore[union-attr]
            slot = _Slot("amount", number, ws, unit)
        elif kind == "name":
            slot = _Slot(names[match.group(0)], match.group(0))
        else:
            slot = _Slot(kind, match.group(0))
        pieces.append(chr(_PUA + len(slots)))
        slots.append(slot)
        pos = match.end()
    pieces.append(text[pos:])
    return _Cut(text, tuple(slots), "".join(pieces))


@cache
def _cuts() -> dict[str, _Cut]:
    return {t.key: _cut(t) for t in TEMPLATES}


_PUA_SPLIT = re.compile(f"([{chr(_PUA)}-{chr(_PUA + 0x17FF)}])")


@cache
def _skeleton(key: str, layout: str, fullwidth: bool) -> _Skeleton:
    """The template's skeleton in a layout, split into literals around its slots."""
    text = LAYOUTS[layout][0](_cuts()[key].skeleton_text)
    if fullwidth:
        text = variants.fullwidth(text)
    parts = _PUA_SPLIT.split(text)
    return _Skeleton(tuple(parts[0::2]), tuple(ord(p) - _PUA for p in parts[1::2]))


# ---------------------------------------------------------------- values


def _format_number(value: Decimal, decimals: int | None, separators: bool) -> str:
    """``value`` with exactly ``decimals`` places (or as few as it needs), grouped by thousands or not."""
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        text = f"{value:f}"
    else:
        text = f"{value.normalize():f}" if value else "0"
    whole, _, frac = text.partition(".")
    if separators:
        whole = f"{int(whole):,}"
    return whole + ("." + frac if frac else "")


def scale_amount(number: str, unit: str, factor: Decimal) -> str:
    """An amount as written (``31,08.53``, ``2180.24``, ``123,456,789.00``) times ``factor``, well-formed.

    Amounts in 万元 and 亿元 are exact; amounts in 元 are rounded to their own places (fen at most).
    Thousands separators are kept when the original had them.
    """
    digits = number.replace(",", "")
    decimals = len(digits.partition(".")[2])
    value = Decimal(digits) * factor
    keep = decimals if re.sub(r"\s", "", unit) == "元" else None
    text = _format_number(value, keep, "," in number)
    if keep is None and decimals and "." not in text:
        text += "." + "0" * decimals
    return text


@dataclass(frozen=True)
class _Choice:
    template: Template
    region: Region
    org: str
    prefix: str
    dept_type: str
    year: int
    factor: Decimal
    layout: str
    fullwidth: bool
    unit: str
    encoding: str
    crlf: bool

    @property
    def key(self) -> tuple[object, ...]:
        return (self.template.key, self.region, self.org, self.year, self.factor, self.layout, self.fullwidth,
                self.unit)

    @property
    def city(self) -> str | None:
        """The prefecture the department belongs to (a municipality is its own); None at province level."""
        if self.template.level == "province":
            return None
        return self.region.province if self.region.province in MUNICIPALITIES else self.region.city

    def department(self) -> str:
        """The department's full name: prefix, region names, kind."""
        r = self.region
        if self.template.level == "province":
            return f"{self.prefix}{r.province}{self.org}"
        return f"{self.prefix}{self.city}{r.county or ''}{self.org}"


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _choose(rng: random.Random) -> _Choice:
    template = rng.choices(TEMPLATES, weights=[t.weight for t in TEMPLATES])[0]
    region = _pick_region("county" if template.level == "township" else template.level, rng)
    org, prefix, dept_type = template.org, template.prefix, template.dept_type
    if template.level == "township":
        org, dept_type = rng.choice(TOWNSHIP_ORGS)
    elif template.swap_org and rng.random() < 0.5:
        org, dept_type = rng.choice(ORGS_BY_LEVEL[template.level])
        prefix = ""
    layout = _weighted(rng, LAYOUT_WEIGHTS)
    if layout == "untitled" and not template.titled:
        layout = "original"
    encoding = _weighted(rng, ENCODING_WEIGHTS)
    fullwidth = rng.random() < FULLWIDTH_SHARE
    if fullwidth and encoding == "utf-16-le":
        encoding = "utf-16"  # BOM-less UTF-16 of all-full-width text has too few NUL bytes to be recognised
    return _Choice(
        template=template, region=region, org=org, prefix=prefix, dept_type=dept_type,
        year=rng.randint(FIRST_YEAR, LAST_YEAR), factor=Decimal(rng.randint(30, 300)) / 100, layout=layout,
        fullwidth=fullwidth, unit=_weighted(rng, UNIT_WEIGHTS), encoding=encoding,
        crlf=encoding in ("gbk", "gb18030") and rng.random() < 0.5,
    )


def _slot_value(slot: _Slot, choice: _Choice, dept: str, normalised: bool) -> str:
    r = choice.region
    kind = slot.kind
    if kind == "amount":
        number = scale_amount(slot.value, slot.unit, choice.factor)
        if choice.unit != "万元" and slot.unit == "万元":
            return variants.rescale_units(f"{number}万元", choice.unit)
        if normalised:
            return number + re.sub(r"\s", "", slot.unit)
        return number + slot.ws + slot.unit
    if kind == "year":
        return str(int(slot.value) + choice.year - choice.template.fiscal_year)
    if kind == "dept":
        return dept
    if kind == "province":
        return r.province
    if kind == "province_short":
        return _regions()["short"][r.province]  # type: ignore[index]
    if kind == "city":
        return r.city or r.province
    if kind == "city_short":
        return _short(r.city) or (r.city or r.province)
    if kind == "county":
        return r.county or slot.value
    if kind == "county_short":
        return _short(r.county) or (r.county or slot.value)
    raise ValueError(f"unknown slot kind {kind}")


def _render(choice: _Choice) -> str:
    key = choice.template.key
    cut = _cuts()[key]
    skeleton = _skeleton(key, choice.layout, choice.fullwidth)
    normalised = LAYOUTS[choice.layout][1]
    dept = choice.department()
    out = [skeleton.literals[0]]
    for slot_id, literal in zip(skeleton.slots, skeleton.literals[1:], strict=True):
        value = _slot_value(cut.slots[slot_id], choice, dept, normalised)
        out.append(variants.fullwidth(value) if choice.fullwidth else value)
        out.append(literal)
    return "".join(out)


def _encode(text: str, choice: _Choice) -> tuple[bytes, str]:
    """The text in the chosen encoding, and the encoding actually used.

    GBK falls back to GB18030 for characters it lacks; BOM-less UTF-16 falls back to UTF-16 with a
    BOM when the decoder would not recognise it (text with few ASCII characters and many code points
    ending in 00, e.g. 怀 U+6000, leaves too few NUL bytes on the right side for its heuristic).
    """
    try:
        data = variants.reencode(text, choice.encoding, crlf=choice.crlf)
    except UnicodeEncodeError:
        return variants.reencode(text, "gb18030", crlf=choice.crlf), "gb18030"
    if choice.encoding == "utf-16-le" and decode_bytes(data).text is None:
        return variants.reencode(text, "utf-16"), "utf-16"
    return data, choice.encoding


class CorpusBuilder:
    """Deterministic reports: ``report(i)`` depends on ``seed``, ``i`` and the reports drawn before it."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._seen: set[tuple[object, ...]] = set()
        self._choices: dict[int, _Choice] = {}

    def _draw(self, index: int, revision: int, base: _Choice | None = None) -> _Choice:
        attempt = 0
        while True:
            rng = random.Random(f"govperf-bench:{self.seed}:{index}:{revision}:{attempt}")
            choice = _choose(rng)
            if base is not None:  # a revised report: same department and layout, other figures and year
                choice = replace(base, factor=choice.factor, year=choice.year)
            if choice.key not in self._seen:
                self._seen.add(choice.key)
                self._choices[index] = choice
                return choice
            attempt += 1

    def report(self, index: int) -> tuple[str, bytes, CorpusItem]:
        """File name, bytes and ground truth of report ``index``."""
        choice = self._draw(index, 0)
        md = choice.layout == "markdown" or (choice.layout == "original" and choice.template.path.suffix == ".md")
        name = f"{index:06d}_{choice.template.key}{'.md' if md else '.txt'}"
        return self._write(index, name, choice)

    def revise(self, item: CorpusItem, revision: int = 1) -> tuple[bytes, CorpusItem]:
        """A changed version of a report drawn before (same file name and department, new figures and year)."""
        choice = self._draw(item.index, revision, self._choices[item.index])
        _, data, revised = self._write(item.index, item.source_file, choice)
        return data, revised

    def _write(self, index: int, name: str, choice: _Choice) -> tuple[str, bytes, CorpusItem]:
        data, encoding = _encode(_render(choice), choice)
        r = choice.region
        item = CorpusItem(
            index=index, source_file=name, template=choice.template.key, fiscal_year=choice.year,
            department_name=choice.department(), department_type=choice.dept_type, province=r.province,
            city=choice.city, county=r.county, admin_level=choice.template.level, factor=str(choice.factor),
            layout=choice.layout, fullwidth=choice.fullwidth, unit=choice.unit, encoding=encoding,
            status=choice.template.status,
        )
        return name, data, item

    def reports(self, n: int, start: int = 0) -> Iterator[tuple[str, bytes, CorpusItem]]:
        """Reports ``start`` … ``start + n - 1``."""
        for index in range(start, start + n):
            yield self.report(index)


def manifest_rows(items: list[CorpusItem]) -> list[dict[str, str]]:
    """``manifest.csv`` rows for the untitled reports (department and year they no longer state)."""
    return [{"file": i.source_file, "department_name": i.department_name, "fiscal_year": str(i.fiscal_year)}
            for i in items if i.layout == "untitled"]


def write_manifest(out_dir: Path, items: list[CorpusItem]) -> None:
    """Write (or remove) ``out_dir/manifest.csv`` for the untitled reports among ``items``."""
    rows = manifest_rows(items)
    path = Path(out_dir) / MANIFEST_NAME
    if not rows:
        path.unlink(missing_ok=True)
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["file", "department_name", "fiscal_year"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def build_corpus(
    out_dir: Path | str, n: int = 10_000, seed: int = 0, clean: bool = True, builder: CorpusBuilder | None = None
) -> list[CorpusItem]:
    """Write ``n`` report files (and a ``manifest.csv`` for the untitled ones) into ``out_dir``.

    Returns the ground truth of every report, in file order. ``clean`` empties ``out_dir`` first;
    pass ``builder`` to draw more (or revised) reports from the same sequence afterwards.
    """
    out = Path(out_dir)
    if clean and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    builder = builder or CorpusBuilder(seed)
    items = []
    for name, data, item in builder.reports(n):
        (out / name).write_bytes(data)
        items.append(item)
    write_manifest(out, items)
    return items
