"""Header facts of a report: title, fiscal year, department, region, admin level, department and report type."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

from ingest import patterns as P
from ingest.gazetteer import MUNICIPALITIES, Place, prefecture_names, province_spellings, resolve
from ingest.segment import Line


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
    place_issue: str | None = None


def split_place(name: str, context: str = "") -> Place:
    """Region parts a department name opens with (成都市武侯区教育局 → 成都市 / 武侯区), from the gazetteer."""
    return resolve(name, context)


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
    if level == "省":
        province = _most_mentioned(text, province_spellings())
        return f"{province}{full_org}" if province and province not in MUNICIPALITIES else None
    if level == "市":
        city = _most_mentioned(text, {c: c for c in prefecture_names()})
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
    return _with_place(header, text)


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


def _with_place(header: Header, text: str = "") -> Header:
    """Fill region, level and department type from the department name where not given."""
    if not header.department_name:
        return header
    place = split_place(header.department_name, text)
    return replace(
        header,
        province=header.province or place.province,
        city=header.city or place.city,
        county=header.county or place.county,
        admin_level=header.admin_level or place.admin_level,
        department_type=header.department_type or department_type(header.department_name),
        place_issue=place.issue,
    )
