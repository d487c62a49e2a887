"""Header facts of a report: title, fiscal year, department, region, admin level, department and report type."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from ingest import patterns as P
from ingest.segment import Line

_REGIONS_CSV = Path(__file__).with_name("regions.csv")
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


@dataclass(frozen=True)
class Regions:
    """Reference table of provinces and prefecture-level divisions."""

    provinces: frozenset[str]
    province_by_short: Mapping[str, str]
    province_by_prefecture: Mapping[str, str]


@cache
def regions() -> Regions:
    """Load ``regions.csv`` (province, province_short, prefecture) once."""
    provinces, shorts, prefectures = set(), {}, {}
    with _REGIONS_CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            provinces.add(row["province"])
            shorts[row["province_short"]] = row["province"]
            if row["prefecture"]:
                prefectures[row["prefecture"]] = row["province"]
    return Regions(frozenset(provinces), shorts, prefectures)


@dataclass(frozen=True)
class Header:
    """What the report says about itself."""

    title: str | None = None
    title_start: int | None = None
    fiscal_year: int | None = None
    department_name: str | None = None
    department_type: str | None = None
    admin_level: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    header_source: str | None = None
    report_type: str = "other"


@dataclass(frozen=True)
class Place:
    """Region parts of a department name and the level they imply."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    township: str | None = None
    rest: str = ""

    @property
    def admin_level(self) -> str | None:
        if self.township:
            return "township"
        if self.county:
            return "county"
        if self.city:
            return "prefecture"
        if self.province:
            return "province"
        return None


def split_place(name: str) -> Place:
    """Read the region names a department name opens with: 成都市武侯区教育局 → 成都市 / 武侯区."""
    ref = regions()
    rest = P.NAME_PREFIX.sub("", name)
    province = city = county = township = None
    municipality = P.MUNICIPALITY.match(rest)
    if municipality:
        province = municipality.group(0)
        rest = rest[municipality.end():]
    else:
        match = P.PROVINCE_SUFFIX.match(rest)
        if match and match.group(0) in ref.provinces:
            province, rest = match.group(0), rest[match.end():]
        match = P.PREFECTURE_SUFFIX.match(rest)
        if match and match.group(0) in ref.province_by_prefecture:
            city, rest = match.group(0), rest[match.end():]
            province = province or ref.province_by_prefecture[city]
    if province or city:
        match = P.COUNTY_SUFFIX.match(rest)
        if match and not P.NOT_A_PLACE.search(match.group(0)) and len(rest) > match.end():
            county, rest = match.group(0), rest[match.end():]
    if county or province in _MUNICIPALITIES:
        match = P.TOWNSHIP_SUFFIX.match(rest)
        if match and not P.NOT_A_PLACE.search(match.group(0)):
            township, rest = match.group(0), rest[match.end():]
    if province in _MUNICIPALITIES and county:
        city = province
    return Place(province, city, county, township, rest)


def department_type(name: str) -> str:
    """Kind of department from the end of its full name; ``other`` when unknown."""
    for kind, pattern in P.DEPARTMENT_TYPES:
        if pattern.search(name):
            return kind
    return "other"


def find_title(lines: list[Line]) -> Line | None:
    """The title line: among the first non-empty lines, one naming a performance (self-)evaluation report."""
    seen = 0
    for line in lines:
        if not line.text.strip():
            continue
        seen += 1
        if seen > 12:
            break
        if P.TITLE_KEYWORDS.search(line.text) and len(line.text) <= 90 and "。" not in line.text:
            return line
    return None


def parse_title(title: str) -> tuple[int | None, str | None]:
    """Fiscal year and department name stated in a title line."""
    text = P.TITLE_ATTACHMENT_PREFIX.sub("", title).strip()
    match = P.TITLE_YEAR_FIRST.search(text)
    if match:
        name = _clean_name(match.group("name"))
        return int(match.group("year")), name
    match = P.TITLE_NAME_FIRST.search(text)
    if match:
        return int(match.group("year")), _clean_name(match.group("name"))
    return None, None


def _clean_name(name: str) -> str | None:
    name = P.TITLE_KIND_TAIL.sub("", name).strip(" :,()").removesuffix("关于").removesuffix("的")
    return name if len(name) >= 3 else None


def department_of_project(name: str) -> str:
    """The department part of "department + project name": up to the last organisation suffix."""
    ends = [m.end() for m in P.ORG_SUFFIX.finditer(name)]
    return name[: ends[-1]] if ends else name


def fiscal_year_from_body(text: str) -> int | None:
    """The budget year the body evaluates: the most frequent 'NNNN年度' (ties: the later year)."""
    years = Counter(int(m.group("year")) for m in P.BODY_FISCAL_YEAR.finditer(text))
    if not years:
        return None
    return max(years.items(), key=lambda kv: (kv[1], kv[0]))[0]


def department_from_body(text: str) -> str | None:
    """Full department name rebuilt from its short self-references and the region the body names."""
    form = P.FORM_DEPARTMENT.search(text)
    if form:
        return form.group("name")
    refs = Counter((m.group("level"), m.group("org")) for m in P.SELF_REFERENCE.finditer(text))
    if not refs:
        return None
    (level, org), count = refs.most_common(1)[0]
    if count < 2:
        return None
    full_org = P.ORG_EXPANSIONS.get(org, org)
    ref = regions()
    if level == "省":
        province = _most_mentioned(text, {**{p: p for p in ref.provinces}, **ref.province_by_short})
        return f"{province}{full_org}" if province and province not in _MUNICIPALITIES else None
    if level == "市":
        city = _most_mentioned(text, {c: c for c in [*ref.province_by_prefecture, *_MUNICIPALITIES]})
        return f"{city}{full_org}" if city else None
    return None


def _most_mentioned(text: str, names: Mapping[str, str]) -> str | None:
    """The canonical name mentioned most often (by any of its spellings), if mentioned at least twice."""
    counts: Counter[str] = Counter()
    for spelling, canonical in names.items():
        hits = text.count(spelling)
        if hits:
            counts[canonical] += hits
    if not counts:
        return None
    best, hits = counts.most_common(1)[0]
    return best if hits >= 2 else None


def report_type(title: str | None, text: str) -> str:
    """``department_overall``, ``project`` or ``other``, from the title, else the opening lines."""
    probe = title if title else text[:400]
    if P.REPORT_TYPE_OVERALL.search(probe):
        return "department_overall"
    if P.REPORT_TYPE_PROJECT.search(probe):
        return "project"
    return "other"


def read_header(text: str, lines: list[Line], manifest: Mapping[str, str] | None = None) -> Header:
    """Header facts from the title, else the form fields and body, then overridden by a manifest row."""
    title_line = find_title(lines)
    title = title_line.text if title_line else None
    year, name = parse_title(title) if title else (None, None)
    source = "title" if (year or name) else None
    if year is None:
        form_year = P.FORM_YEAR.search(text)
        year = int(form_year.group("year")) if form_year else fiscal_year_from_body(text)
        source = source or ("body" if year else None)
    if name is None:
        name = department_from_body(text)
        if name:
            source = "body"
    kind = report_type(title, text)
    if name and kind == "project":
        name = department_of_project(name)
    header = Header(
        title=title,
        title_start=title_line.start if title_line else None,
        fiscal_year=year,
        department_name=name,
        header_source=source,
        report_type=kind,
    )
    if manifest:
        header = _apply_manifest(header, manifest)
    return _with_place(header)


def _apply_manifest(header: Header, manifest: Mapping[str, str]) -> Header:
    """A manifest row overrides whatever it states."""
    changes: dict[str, object] = {}
    for key in ("department_name", "province", "city", "county", "admin_level", "department_type", "report_type"):
        value = (manifest.get(key) or "").strip()
        if value:
            changes[key] = value
    year = (manifest.get("fiscal_year") or "").strip()
    if year.isdigit():
        changes["fiscal_year"] = int(year)
    if changes:
        changes["header_source"] = "manifest"
    return replace(header, **changes)


def _with_place(header: Header) -> Header:
    """Fill region, level and department type from the department name where not given."""
    if not header.department_name:
        return header
    place = split_place(header.department_name)
    return replace(
        header,
        province=header.province or place.province,
        city=header.city or place.city,
        county=header.county or place.county,
        admin_level=header.admin_level or place.admin_level,
        department_type=header.department_type or department_type(header.department_name),
    )
