"""Header facts of a report: title, fiscal year, department, region, admin level, department and report type."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ingest.facts import orgname
from ingest.facts.forms import form_departments
from ingest.facts.money import Issue
from ingest.facts.tables import Cell, cells_of
from ingest.text.segment import Line
from ingest.vocab import patterns as P
from ingest.vocab.gazetteer import MUNICIPALITIES, Place, prefecture_names, province_spellings, resolve

# How far into the text a title may stand (the first page), and how long a title may be.
_FIRST_PAGE = 3000
_TITLE_REACH = 80
# How long the label of a form field may be ("日期", "联系电话(手机)").
_SHORTEST_LABEL, _LONGEST_LABEL = 2, 8
# How many closing lines may hold the report's signature.
_SIGNATURE_LINES = 4


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
    evaluator_kind: str | None = None
    issues: tuple[Issue, ...] = ()


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
    """A title broken over two lines ("某市2019年度部门整体支出" / "绩效评价自评报告") as one, when the
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


def _title_years(text: str) -> int | None:
    """The year a title evaluates: its only year, when the year opens the title, follows the name,
    stands before the report's kind or in brackets after it; of several years, the one before the
    kind ("2020年棚户区改造项目2021年度绩效自评报告" → 2021)."""
    years = {int(m.group("year")) for m in P.TITLE_YEAR.finditer(text)}
    evaluated = {int(m.group("year")) for m in P.TITLE_EVALUATED_YEAR.finditer(text)}
    if len(years) > 1:
        return evaluated.pop() if len(evaluated) == 1 else None
    if not years:
        return None
    anchored = (evaluated or P.TITLE_BRACKET_YEAR.search(text) or P.TITLE_LEADING_YEAR.match(text)
                or _name_before_year(text))
    return years.pop() if anchored else None


def _name_before_year(text: str) -> bool:
    match = P.TITLE_NAME_FIRST.match(text)
    return bool(match and orgname.is_name(P.NAME_STOP.split(match.group("name"))[0]))


def _title_name(text: str) -> orgname.Verdict:
    """The department a title names: the name it opens with (after a year); in a project title,
    the department before the project's name ("某局智慧停车项目支出…" → 某局)."""
    verdict = orgname.name_at_start(text)
    if verdict.name is None and P.REPORT_TYPE_PROJECT.search(text):
        department = orgname.department_of_project(text)
        if department:
            return orgname.Verdict(verdict.candidate, department)
    return verdict


def _title_text(title: str) -> str:
    return P.TITLE_ATTACHMENT_PREFIX.sub("", title).strip()


def parse_title(title: str) -> tuple[int | None, str | None]:
    """Fiscal year and department name stated in a title."""
    text = _title_text(title)
    return _title_years(text), _title_name(text).name


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
            if not P.REPORT_TITLE.search(candidate) and (name := orgname.check(candidate).name):
                return name
    return None


def _is_placed(name: str) -> bool:
    """An official name that says whose it is: it opens with a region or an official prefix (a form
    cell such as "财政处室" names an office of the form's reader, not the reporting unit)."""
    return split_place(name).admin_level is not None or bool(P.NAME_PREFIX.match(name))


@dataclass(frozen=True)
class TitleFinding:
    """The title to use, the year and name it states, and the names it offered that failed."""

    span: TitleSpan | None
    year: int | None
    name: str | None
    rejected: tuple[tuple[orgname.Verdict, int], ...] = ()


def title_header(lines: list[Line]) -> TitleFinding:
    """The first title naming a department (by itself or on the line beside it), else the first
    title; the year from any title, else the bracketed year just after one ("(2021年度)")."""
    found = title_candidates(lines)
    rejected = []
    named = []
    for title in found:
        text = _title_text(title.text)
        verdict = _title_name(text)
        name = verdict.name or name_beside_title(lines, title)
        if verdict.name is None and len(verdict.candidate) >= 2 and not name:
            rejected.append((verdict, title.start))
        named.append((title, _title_years(text), name))
    year = next((y for _, y, _ in named if y), None) or _year_after_title(lines, found)
    chosen = next(((t, y, n) for t, y, n in named if n), None)
    if chosen:
        return TitleFinding(chosen[0], chosen[1] or year, chosen[2], tuple(rejected))
    return TitleFinding(found[0] if found else None, year, None, tuple(rejected))


def _year_after_title(lines: list[Line], titles: list[TitleSpan]) -> int | None:
    """The year bracketed right after a title, on its line or the next: "(2022年度)", "((2019年度)"."""
    for title in titles:
        i = _line_of(lines, title.end)
        rest = lines[i].text[title.end - lines[i].start:].strip()
        following = rest or next((ln.text.strip() for ln in lines[i + 1:i + 3] if ln.text.strip()), "")
        match = P.YEAR_LINE.match(following)
        if match:
            return int(match.group("year"))
    return None


def fiscal_year_from_body(text: str) -> int | None:
    """The budget year the body evaluates: the most frequent 'NNNN年度' (ties: the later year), else
    the most frequent 'NNNN年' that is not a date (NNNN年MM月) nor inside a document number."""
    for pattern in (P.BODY_FISCAL_YEAR, P.BODY_YEAR):
        years = Counter(int(m.group("year")) for m in pattern.finditer(text))
        if years:
            return max(years.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return None


@dataclass
class _Names:
    """Department-name candidates offered in the order of their sources: the first that passes the
    grammar (``ingest.facts.orgname``) is the name; every other one that fails is kept, to be reported."""

    name: str | None = None
    source: str | None = None
    rejected: list[tuple[orgname.Verdict, str, int]] = field(default_factory=list)

    def offer(self, candidate: str | orgname.Verdict | None, source: str, start: int = 0,
              placed: bool = False) -> bool:
        """Offer a candidate (text or an already checked verdict); True once a name is chosen."""
        if self.name is not None or candidate is None:
            return self.name is not None
        verdict = candidate if isinstance(candidate, orgname.Verdict) else orgname.check(candidate)
        if verdict.name is None:
            if len(verdict.candidate.strip()) >= 2:
                self.rejected.append((verdict, source, start))
        elif not placed or _is_placed(verdict.name):
            self.name, self.source = verdict.name, source
        return self.name is not None


def _field_value(value: str) -> str:
    """A field's value ends where the next field's label starts: a known label ("某局评价单位:…",
    "某局(公章)填报人:…"), else the longest name that leaves a short label before the next colon
    ("某局日期:2023年3月8日" → 某局)."""
    cut = P.FIELD_LABEL.search(value)
    value = (value[:cut.start()] if cut else value).strip()
    colon = value.find(":")
    if colon < 0:
        return value
    for end in range(colon - _SHORTEST_LABEL, max(colon - _LONGEST_LABEL, 0) - 1, -1):
        if orgname.is_name(value[:end]):
            return value[:end]
    return value


def unit_fields(text: str) -> list[tuple[str, str, int]]:
    """(key, value, start) of every labelled unit field ("评价单位(公章): 某县某局", "主管部门:某局(盖章)"),
    department fields first, then implementing units, then supervising departments, each in text order."""
    order = {"department": 0, "implementing_unit": 1, "supervising_department": 2, "evaluator": 3}
    found = [(P.UNIT_FIELD_LABELS[m.group("label")], _field_value(m.group("value")), m.start("value"))
             for m in P.UNIT_FIELD.finditer(text[:_FIRST_PAGE])]
    return sorted((f for f in found if f[1]), key=lambda f: (order[f[0]], f[2]))


def report_sentence(text: str) -> tuple[int | None, orgname.Verdict | None, int]:
    """Year and unit of the sentence announcing the report: "现将2019年度某市交通运输局整体支出自我绩效
    评价报告如下" → 2019, 某市交通运输局 ("现将我院…" names no unit)."""
    match = P.REPORT_SENTENCE.search(text)
    if not match:
        return None, None, 0
    span = match.group("span")
    year = P.TITLE_YEAR.search(span)
    return (int(year.group("year")) if year else None), orgname.name_at_start(span), match.start("span")


def evaluated_units(text: str) -> list[tuple[orgname.Verdict, int]]:
    """Units an evaluation sentence is about: "我公司承担了某局2019年度部门整体支出绩效评价工作",
    "对某局2021年度部门整体支出开展了绩效评价" (never a cited document's author: 《…》 is left out)."""
    out = []
    for match in P.EVALUATED_UNIT.finditer(text[:_FIRST_PAGE]):
        verdict = orgname.name_at_start(match.group("span"))
        if verdict.candidate:
            out.append((verdict, match.start("span")))
    return out


def project_department(text: str) -> tuple[str | None, int]:
    """The department a project's name opens with: "项目名称:某县某局某某经费项目" → 某县某局."""
    for match in P.PROJECT_NAME_FIELD.finditer(text[:_FIRST_PAGE]):
        department = orgname.department_of_project(match.group("value"))
        if department:
            return department, match.start("value")
    return None, 0


def signed_by(lines: list[Line]) -> tuple[str | None, int]:
    """The unit that signs the report: a line of the last few that is only a placed organisation
    name, with or without the date ("某县农业农村局" / "2023年3月1日")."""
    for line in reversed(lines[-_SIGNATURE_LINES:]):
        match = P.SIGNATURE_LINE.match(line.text.strip())
        name = orgname.check(match.group("name")).name if match else None
        if name and _is_placed(name):
            return name, line.start
    return None, 0


def department_from_body(text: str) -> str | None:
    """A full name the body defines a short form for ("X(以下简称“Y”)"), else one rebuilt from its
    short self-references and the region the body names."""
    for match in P.DEFINED_SHORT_NAME.finditer(text):
        name = orgname.check(match.group("name")).name
        if name:
            return name
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


def evaluator_kind(text: str, title: str | None) -> str | None:
    """Who evaluated: ``third_party`` (a firm: "我公司", "某某会计师事务所(以下简称“我所”)" commissioned,
    "评价机构:某某咨询有限公司"), ``department`` (a department's evaluation of its projects, 部门评价),
    ``self`` (自评, 自我评价); None when the report does not say."""
    head = text[:_FIRST_PAGE]
    speaker = P.EVALUATOR_SPEAKER.search(head)
    firm = orgname.names_firm(head)
    cue = P.THIRD_PARTY_CUE.search(head)
    if (firm and (cue or speaker)) or (speaker and (cue or speaker.group(0).endswith("公司"))):
        return "third_party"
    probe = title or head[:400]
    if P.DEPARTMENT_EVALUATION.search(probe):
        return "department"
    if P.SELF_EVALUATION.search(probe) or P.SELF_EVALUATION.search(head):
        return "self"
    return None


def _department(text: str, lines: list[Line], cells: list[Cell], title: TitleFinding) -> _Names:
    """The department, from its sources in order: form cells, labelled fields, the title, the
    sentence announcing the report, an evaluation sentence, a project's name, the body, the
    signature. A name read from a field or a sentence must say whose it is (open with a place or
    an official prefix): "县财政局" there is a short form, not the department's name."""
    names = _Names()
    for value, start in form_departments(cells):
        if names.offer(value, "form", start, placed=True):
            return names
    for _, value, start in unit_fields(text):
        if names.offer(value, "form", start, placed=True):
            return names
    if title.name:
        names.offer(title.name, "title", title.span.start if title.span else 0)
        return names
    _, sentence, start = report_sentence(text)
    if names.offer(sentence, "body", start, placed=True):
        return names
    for verdict, start in evaluated_units(text):
        if names.offer(verdict, "body", start, placed=True):
            return names
    department, start = project_department(text)
    if names.offer(department, "body", start, placed=True) or names.offer(department_from_body(text), "body"):
        return names
    signature, start = signed_by(lines)
    names.offer(signature, "body", start, placed=True)
    return names


def _rejections(names: _Names, title: TitleFinding) -> tuple[Issue, ...]:
    """A parse issue for every department-name candidate that failed the grammar, quoting it."""
    severity = "info" if names.name else "warn"
    found = [(v, "title", s) for v, s in title.rejected] + names.rejected
    seen: set[str] = set()
    out = []
    for verdict, source, start in found:
        if verdict.candidate in seen:
            continue
        seen.add(verdict.candidate)
        out.append(Issue("header_value_rejected", severity,
                         f"department name candidate from the {source} rejected: {verdict.problem}",
                         verdict.candidate, start))
    return tuple(out)


def read_header(text: str, lines: list[Line], manifest: Mapping[str, str] | None = None,
                cells: list[Cell] | None = None) -> Header:
    """Header facts in a fixed order: form fields (部门名称, 评价单位, 实施单位, 主管部门 …), then the
    title on the first page, then the body; finally a manifest row overrides whatever it states.
    Every department name passes the grammar of ``ingest.facts.orgname`` or is NULL."""
    cells = cells if cells is not None else cells_of(lines)
    title = title_header(lines)
    names = _department(text, lines, cells, title)
    kind = report_type(title.span.text if title.span else None, text)
    form_year = P.FORM_YEAR.search(text)
    sentence_year, _, _ = report_sentence(text)
    year = (int(form_year.group("year")) if form_year else None) or title.year or sentence_year \
        or fiscal_year_from_body(text)
    year_source = "title" if title.year and year == title.year else ("body" if year else None)
    source = {"title": "title", "form": "body", "body": "body"}.get(names.source or "")
    header = Header(
        title=title.span.text if title.span else None,
        title_start=title.span.start if title.span else None,
        fiscal_year=year,
        department_name=names.name,
        header_source=source or year_source,
        report_type=kind,
        evaluator_kind=evaluator_kind(text, title.span.text if title.span else None),
        issues=_rejections(names, title),
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
