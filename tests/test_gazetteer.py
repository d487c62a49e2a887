"""The gazetteer: divisions data file and the region a department name opens with (names not in the corpus)."""

from __future__ import annotations

import pytest

from ingest.vocab.gazetteer import gazetteer, province_spellings, resolve


@pytest.mark.parametrize(("name", "province", "city", "county", "township", "level"), [
    ("南县农业农村局", "湖南省", "益阳市", "南县", None, "county"),
    ("浏阳市卫生健康局", "湖南省", "长沙市", "浏阳市", None, "county"),
    ("长白朝鲜族自治县林业局", "吉林省", "白山市", "长白朝鲜族自治县", None, "county"),
    ("乌拉特前旗水利局", "内蒙古自治区", "巴彦淖尔市", "乌拉特前旗", None, "county"),
    ("红河州民政局", "云南省", "红河哈尼族彝族自治州", None, None, "prefecture"),
    ("黔东南州交通运输局", "贵州省", "黔东南苗族侗族自治州", None, None, "prefecture"),
    ("锡林郭勒盟统计局", "内蒙古自治区", "锡林郭勒盟", None, None, "prefecture"),
    ("天津市和平区审计局", "天津市", "天津市", "和平区", None, "county"),
    ("重庆市财政局", "重庆市", None, None, None, "province"),
    ("成都市人民政府办公厅", "四川省", "成都市", None, None, "prefecture"),
    ("深圳市南山区粤海街道办事处", "广东省", "深圳市", "南山区", "粤海街道", "township"),
    ("江苏省苏州市昆山市周市镇人民政府", "江苏省", "苏州市", "昆山市", "周市镇", "township"),
    ("中山市小榄镇人民政府", "广东省", "中山市", None, "小榄镇", "township"),
    ("潜江市教育局", "湖北省", None, "潜江市", None, "county"),
    ("中共湘潭县委办公室", "湖南省", "湘潭市", "湘潭县", None, "county"),
])
def test_resolves_every_level(name, province, city, county, township, level):
    place = resolve(name)
    assert (place.province, place.city, place.county, place.township, place.admin_level) == (
        province, city, county, township, level)
    assert place.issue is None


def test_a_division_must_lie_inside_the_one_before():
    place = resolve("湖南省浏阳市教育局")
    assert (place.province, place.county) == ("湖南省", "浏阳市")
    place = resolve("广东省浏阳市教育局")  # 浏阳市 is not in 广东省: the region stops at the province
    assert (place.province, place.county, place.rest) == ("广东省", None, "浏阳市教育局")


def test_ambiguous_county_needs_a_parent_named_in_the_text():
    alone = resolve("朝阳区审计局")  # 北京市朝阳区 and 长春市朝阳区: the level is known, the parents are not
    assert (alone.province, alone.city, alone.county, alone.admin_level) == (None, None, "朝阳区", "county")
    assert "parents left unknown" in alone.issue
    in_changchun = resolve("朝阳区审计局", "长春市朝阳区审计局2022年度部门整体支出绩效自评报告")
    assert (in_changchun.province, in_changchun.city, in_changchun.county) == ("吉林省", "长春市", "朝阳区")
    assert in_changchun.issue is None


def test_ambiguous_district_inside_a_province_keeps_the_province():
    place = resolve("江苏省鼓楼区城市管理局")  # 鼓楼区 is in both 南京市 and 徐州市
    assert (place.province, place.city, place.county) == ("江苏省", None, "鼓楼区")
    assert "南京市" in place.issue and "徐州市" in place.issue


def test_township_without_its_county_needs_the_county_in_the_text():
    alone = resolve("周市镇人民政府")
    assert (alone.province, alone.county, alone.township, alone.admin_level) == (None, None, "周市镇", "township")
    assert alone.issue
    place = resolve("周市镇人民政府", "昆山市周市镇2023年度部门整体支出绩效自评报告")
    assert (place.county, place.township) == ("昆山市", "周市镇")


@pytest.mark.parametrize("name", ["城市管理局", "中华全国总工会", "人民政府办公厅", "新区管理委员会"])
def test_names_without_a_region(name):
    place = resolve(name)
    assert place.admin_level is None
    assert place.rest == name


def test_data_file_covers_every_level_with_parents():
    gaz = gazetteer()
    levels = {}
    for division in gaz.by_key.values():
        levels[division.level] = levels.get(division.level, 0) + 1
        if division.level != "province":
            assert division.parent_key in gaz.by_key
    assert levels["province"] == 34
    assert levels["prefecture"] > 330 and levels["county"] > 2800 and levels["township"] > 30000
    assert province_spellings()["广西"] == "广西壮族自治区"


@pytest.mark.parametrize(("name", "county", "township", "level"), [
    ("甲乙县水利局", "甲乙县", None, "county"),
    ("甲乙自治旗林草局", "甲乙自治旗", None, "county"),
    ("甲乙镇人民政府", None, "甲乙镇", "township"),
    ("甲乙镇卫生院", None, None, None),
    ("全县教育系统", None, None, None),
])
def test_divisions_missing_from_the_gazetteer_keep_their_level_by_suffix(name, county, township, level):
    place = resolve(name)
    assert (place.province, place.city, place.county, place.township, place.admin_level) == (
        None, None, county, township, level)
    assert (place.issue is not None) == (level is not None)


def test_an_ambiguous_two_character_name_is_a_common_noun():
    place = resolve("城区管理中心")  # 城区 is a district in three cities, and the word for "urban area"
    assert (place.admin_level, place.issue, place.rest) == (None, None, "城区管理中心")


def test_a_township_newer_than_the_gazetteer_is_read_by_its_own_government() -> None:
    place = resolve("厦门市思明区新设街道办事处")
    assert (place.province, place.city, place.county, place.township) == ("福建省", "厦门市", "思明区", "新设街道")
    assert place.issue and "not in the gazetteer" in place.issue
    assert resolve("厦门市思明区新设街道卫生服务中心").township is None, "only its own government makes a township"
