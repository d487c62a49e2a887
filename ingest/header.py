"""Header facts of a report: title, fiscal year, department, region, admin level, department and report type."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

from ingest import patterns as P
from ingest.forms import form_departments
from ingest.gazetteer import MUNICIPALITIES, Place, prefecture_names, province_spellings, resolve
from ingest.segment import Line
from ingest.tables import Cell, cells_of

# How far into the text a title may stand (the first page), and how long a title may be.
_FIRST_PAGE = 3000
_TITLE_REACH = 80


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


@dataclass(frozen=True)
class TitleSpan:
    """A report or form title found inside a line, with its offsets in the normalised text."""

    text: str
    start: int
    end: int


def _title_start(line: str, keyword_start: int, floor: int) -> int:
    """Where a title ending in the keyword at ``keyword_start`` begins: after the last punctuation,
    file extension or page-metadata field before it (at most ``_TITLE_REACH`` characters back)."""
    lo = max(floor, keyword_start - _TITLE_REACH)
    seg = line[lo:keyword_start]
    ends = [m.end() for m in P.TITLE_START_BOUNDARY.finditer(seg)] + [m.end() for m in P.PAGE_METADATA.finditer(seg)]
    start = lo + max(ends, default=0)
    rest = line[start:]
    prefix = P.TITLE_ATTACHMENT_PREFIX.match(rest) or P.TITLE_ENUMERATOR.match(rest)
    return start + prefix.end() if prefix else start


def title_candidates(lines: list[Line]) -> list[TitleSpan]:
    """Every report or form title on the first page, in order (several when a page repeats one)."""
    out: list[TitleSpan] = []
    for line in lines:
        if line.start > _FIRST_PAGE:
            break
        floor = 0
        for match in P.REPORT_TITLE.finditer(line.text):
            if line.start + match.start() > _FIRST_PAGE:
                break
            start = _title_start(line.text, match.start(), floor)
            floor = match.end()
            text = line.text[start:match.end()].strip()
            if text:
                out.append(_merged_with_line_above(lines, line, TitleSpan(text, line.start + start,
                                                                         line.start + match.end())))
    return out


def _merged_with_line_above(lines: list[Line], line: Line, title: TitleSpan) -> TitleSpan:
    """A title broken over two lines ("岳阳市2018年度部门整体支出" / "绩效评价自评报告") as one, when the
    part found states neither year nor name and the line above is a short unpunctuated fragment."""
    if title.start != line.start or parse_title(title.text) != (None, None):
        return title
    above = next((ln for ln in reversed(lines) if ln.end < line.start and ln.text.strip()), None)
    if above is None or len(above.text) > _TITLE_REACH // 2 or P.CLAUSE_BOUNDARY.search(above.text.strip()):
        return title
    if P.ENUM_STYLES["cn"].match(above.text) or P.REPORT_TITLE.search(above.text):
        return title
    return TitleSpan(above.text.strip() + title.text, above.start, title.end)


def find_title(lines: list[Line]) -> TitleSpan | None:
    """The first title on the first page (see ``title_candidates``)."""
    found = title_candidates(lines)
    return found[0] if found else None


def parse_title(title: str) -> tuple[int | None, str | None]:
    """Fiscal year and department name stated in a title."""
    text = P.TITLE_ATTACHMENT_PREFIX.sub("", title).strip()
    bracket = P.TITLE_BRACKET_YEAR.search(text)
    match = P.TITLE_YEAR_FIRST.search(text)
    if match:
        return int(match.group("year")), _clean_name(match.group("name"))
    match = P.TITLE_NAME_FIRST.search(text)
    if match:
        return int(match.group("year")), _clean_name(match.group("name"))
    name = _clean_name(text)
    return (int(bracket.group("year")) if bracket else None), (name if name and _is_org_name(name) else None)


def _is_org_name(name: str) -> bool:
    """A full organisation name: ends like one and is not a sentence."""
    return bool(P.ORG_NAME_END.search(name)) and not P.CLAUSE_BOUNDARY.search(name) and len(name) <= 40


def _clean_name(name: str) -> str | None:
    name = P.TITLE_KIND_TAIL.sub("", name).strip(" :,()").removesuffix("关于").removesuffix("的")
    return name if len(name) >= 3 else None


def _line_of(lines: list[Line], pos: int) -> int:
    return next((i for i, ln in enumerate(lines) if ln.start <= pos <= ln.end), 0)


def name_beside_title(lines: list[Line], title: TitleSpan) -> str | None:
    """A title split over lines: the official name alone on the line just before or after it."""
    i = _line_of(lines, title.start)
    if lines[i].text.strip() != title.text:
        return None
    for j in (i - 1, i + 1):
        if 0 <= j < len(lines):
            candidate = lines[j].text.strip()
            if _is_org_name(candidate) and not P.REPORT_TITLE.search(candidate):
                return candidate
    return None


def _is_placed(name: str) -> bool:
    """An official name that says whose it is: it opens with a region or an official prefix (a form
    cell such as "财政处室" names an office of the form's reader, not the reporting unit)."""
    return split_place(name).admin_level is not None or bool(P.NAME_PREFIX.match(name))


def _project_department(title: str, name: str | None) -> str | None:
    """A project title names its department before the project: keep the department part."""
    if name and not _is_org_name(name) and P.REPORT_TYPE_PROJECT.search(title):
        return department_of_project(name)
    return name


def title_header(lines: list[Line]) -> tuple[TitleSpan | None, int | None, str | None]:
    """The title to use, and the year and name it states: the first title naming a department
    (by itself or on the line beside it), else the first title; the year from any title."""
    found = title_candidates(lines)
    parsed = [(t, *parse_title(t.text)) for t in found]
    named = [(t, y, _project_department(t.text, n) or name_beside_title(lines, t)) for t, y, n in parsed]
    chosen = next(((t, y, n) for t, y, n in named if n and _is_org_name(n)), None)
    year = next((y for _, y, _ in parsed if y), None)
    if chosen:
        return chosen[0], chosen[1] or year, chosen[2]
    return (found[0] if found else None), year, None


def department_of_project(name: str) -> str:
    """The department part of "department + project name": up to the last organisation suffix."""
    ends = [m.end() for m in P.ORG_SUFFIX.finditer(name)]
    return name[: ends[-1]] if ends else name


def fiscal_year_from_body(text: str) -> int | None:
    """The budget year the body evaluates: the most frequent 'NNNN年度' (ties: the later year), else
    the most frequent 'NNNN年' that is not a date (NNNN年MM月) nor inside a document number."""
    for pattern in (P.BODY_FISCAL_YEAR, P.BODY_YEAR):
        years = Counter(int(m.group("year")) for m in pattern.finditer(text))
        if years:
            return max(years.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return None


def department_from_body(text: str) -> str | None:
    """A full name the body states (form field, "X(以下简称“Y”)"), else one rebuilt from its short
    self-references and the region the body names."""
    form = P.FORM_DEPARTMENT.search(text)
    if form:
        return form.group("name")
    for match in P.DEFINED_SHORT_NAME.finditer(text):
        if _is_org_name(match.group("name")):
            return match.group("name")
    refs = Counter((m.group("level"), m.group("org")) for m in P.SELF_REFERENCE.finditer(text))
    if not refs:
        return placed_short_form(text)
    (level, org), count = refs.most_common(1)[0]
    if count < 2:
        return placed_short_form(text)
    full_org = P.ORG_EXPANSIONS.get(org, org)
    if level == "省":
        province = _most_mentioned(text, province_spellings())
        return f"{province}{full_org}" if province and province not in MUNICIPALITIES else None
    if level == "市":
        city = _most_mentioned(text, {c: c for c in prefecture_names()})
        return f"{city}{full_org}" if city else None
    return None


def placed_short_form(text: str) -> str | None:
    """A unit that opens two or more sentences with its short form (市政协…) and whose short form is
    written with its place (梧州市政协): that placed form, as written. The place must be known to the
    reference table (a county without a known parent is ambiguous: 某某县政协 could be 某县)."""
    subjects = Counter(m.group("ref") for m in P.SENTENCE_SUBJECT_SHORT_FORM.finditer(text))
    for ref, count in subjects.most_common():
        if count < 2:
            return None
        for match in re.finditer(rf"([{P.CJK}]{{1,10}}){re.escape(ref)}", text):
            prefix = match.group(1)
            for k in range(1, len(prefix) + 1):
                candidate = prefix[-k:] + ref
                place = split_place(candidate)
                if place.city or place.province:
                    return candidate
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


def read_header(text: str, lines: list[Line], manifest: Mapping[str, str] | None = None,
                cells: list[Cell] | None = None) -> Header:
    """Header facts in a fixed order: form fields (部门名称, 实施单位, 主管部门 …), then the title on
    the first page, then the body; finally a manifest row overrides whatever it states."""
    cells = cells if cells is not None else cells_of(lines)
    title, year, title_name = title_header(lines)
    form = next((f for f in form_departments(cells) if _is_placed(f[0])), None)
    source = None
    name = None
    if form:
        name, source = form[0], "form"
    elif title_name:
        name, source = title_name, "title"
    kind = report_type(title.text if title else None, text)
    if year is not None:
        source = source or "title"
    else:
        form_year = P.FORM_YEAR.search(text)
        year = int(form_year.group("year")) if form_year else fiscal_year_from_body(text)
    if name is None:
        name = department_from_body(text)
    source = source or ("body" if (name or year) else None)
    header = Header(
        title=title.text if title else None,
        title_start=title.start if title else None,
        fiscal_year=year,
        department_name=name,
        header_source="body" if source == "form" else source,
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
