"""Facts of generated 自评表 (``fixtures.forms``) read back through the path a refresh takes, scored
against the generator's ground truth; shared by ``tests/test_form_facts.py`` and a harness to iterate
with::

    uv run --frozen python -m tests.form_facts 500 519                 # seeds 500..519, fast renderings
    uv run --frozen python -m tests.form_facts 500 501 --renderings scan

Each rendering's bytes are written to a raw dir, scanned and read as a refresh reads them
(``ingest.files.raw.scan_raw_dir`` → ``decode_raw_file``; the document's grids through the JSON they are
stored as), parsed (``ingest.parse.parse_reports``) and the headline figures chosen as the marts choose
them (``tests.real_gold._mart_like``; projects and indicators like ``int_project_facts`` and
``int_indicator_facts``). A fact is *right* when it equals the ground truth, a *miss* when it is NULL,
and *wrong* otherwise; a miss is *explained* when the report carries a parse issue.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from fixtures import formats
from fixtures.forms import FAMILIES, Facts, Form, make_form
from ingest.facts.forms import row_key
from tests.real_gold import _mart_like

FAST_RENDERINGS = ("txt", "txt_flat", "pdf", "docx", "xlsx", "xls", "html")
PROJECT_FAMILIES = frozenset({"project", "sichuan"})
_COMPARATORS = {"≥": ">=", "≤": "<=", "=": "="}


@dataclass
class Read:
    """What the warehouse would hold for one rendered form: the mart row (``mart_report``), its
    projects (``mart_project_year``), its indicators (``fct_indicators``) and its parse issues."""

    row: dict[str, Any]
    projects: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    issues: list[dict[str, Any]]
    scores: list[dict[str, Any]] = field(default_factory=list)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def read_forms(files: Sequence[tuple[str, bytes]], ocr_cache: Path | None = None) -> dict[str, Read]:
    """Read rendered forms (file name, bytes) as a refresh does and choose what the marts would show."""
    from ingest.documents.grids import grids_from_json, grids_to_json
    from ingest.files.raw import decode_raw_file, report_input, scan_raw_dir
    from ingest.parse import parse_reports

    with tempfile.TemporaryDirectory() as tmp:
        raw_dir = Path(tmp)
        for name, data in files:
            (raw_dir / name).write_bytes(data)
        inputs = []
        for raw in scan_raw_dir(raw_dir):
            decoded = decode_raw_file(raw, cache_dir=ocr_cache)
            failure = raw.failure or decoded.decode_error
            inputs.append(report_input(raw.report_id, raw.source_file, decoded.text, failure, raw.manifest,
                                       decoded.spans, grids_from_json(grids_to_json(decoded.tables))))
    names = {item.report_id: item.source_file for item in inputs}
    frames = parse_reports(inputs, limits=None)
    out: dict[str, Read] = {}
    for header in frames["report_headers"].to_dicts():
        rid = header["report_id"]
        if header["parse_status"] == "failed":
            out[names[rid]] = Read({"parse_status": "failed", "status_reason": header["status_reason"]}, [], [],
                                   [])
            continue

        def of(table: str, rid: str = rid) -> list[dict[str, Any]]:
            return frames[table].filter(report_id=rid).to_dicts()

        row = _mart_like(header, of("money_facts"), of("measure_facts"), of("score_facts"))
        row["report_type"] = header["report_type"]
        out[names[rid]] = Read(row, [_project_row(p) for p in of("project_facts")],
                               [_indicator_row(i) for i in of("indicator_facts")], of("parse_issues"),
                               of("score_facts"))
    return out


def _project_row(project: dict[str, Any]) -> dict[str, Any]:
    """A project as ``int_project_facts`` shows it: the execution rate stated, else spend / budget."""
    rate = project["execution_rate_pct"]
    budget, spend = project["budget_adjusted_wan_yuan"], project["spend_wan_yuan"]
    if rate is None and budget and spend is not None:
        rate = round(spend * 100 / budget, 4)
    return {**project, "execution_rate_pct": rate}


def _indicator_row(indicator: dict[str, Any]) -> dict[str, Any]:
    """An indicator as ``int_indicator_facts`` judges it: ``is_met`` by the stated comparator, else the
    assumed one, when target and actual are numeric in one unit."""
    target, actual = indicator["target_value"], indicator["actual_value"]
    t_unit, a_unit = indicator["target_unit"], indicator["actual_unit"]
    comparable = target is not None and actual is not None and (t_unit or a_unit or "") == (a_unit or t_unit or "")
    used = indicator["comparator"] or indicator["assumed_comparator"]
    is_met = None
    if comparable:
        is_met = {">=": actual >= target, "<=": actual <= target, "=": actual == target}.get(used)
    return {**indicator, "is_met": is_met}


def warehouse_reads(warehouse: Path) -> dict[str, Read]:
    """What a published warehouse holds for each report: its ``mart_report`` row, its ``fct_project``
    rows (``department_name`` is the 主管部门), ``fct_indicators``, ``fct_scores`` and parse issues."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        def rows(sql: str) -> list[dict[str, Any]]:
            cur = con.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

        files = {r["report_id"]: r["source_file"] for r in rows("select report_id, source_file from marts.fct_report")}
        by_report: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        for table in ("fct_project", "fct_indicators", "fct_scores", "fct_parse_issues"):
            for row in rows(f"select * from marts.{table}"):
                by_report[row["report_id"]][table].append(row)
        out = {}
        for row in rows("select * from marts.mart_report"):
            facts = by_report[row["report_id"]]
            projects = [{**p, "supervising_department": p["department_name"]} for p in facts["fct_project"]]
            out[files[row["report_id"]]] = Read(row, projects, facts["fct_indicators"], facts["fct_parse_issues"],
                                                facts["fct_scores"])
        return out
    finally:
        con.close()


# ---------------------------------------------------------------- ground truth


def reporting_unit(facts: Facts) -> str:
    """The report's department as the header states it: the 实施单位 where the form names one (the unit
    that fills in a project form), else the department."""
    return facts.implementer or facts.department


def stated_comparator(facts: Facts, target: str, comparator: str | None) -> str | None:
    """The comparator a form states for a target: in its own text (``≥90%``) or, in the Sichuan form,
    in the 指标性质 column."""
    if comparator is None:
        return None
    if facts.family == "sichuan" or target.startswith(comparator):
        return _COMPARATORS[comparator]
    return None


def states_department(form: Form, rendering: str) -> bool:
    """Whether a rendering states the department: in the report around the form, or in the form."""
    return rendering in formats.WITH_REPORT or any(form.facts.department in c.text for c in form.grid.cells)


def expected(form: Form, rendering: str) -> dict[str, Any]:
    """The facts a reader must find in ``form`` rendered as ``rendering``, keyed like ``observed``."""
    f = form.facts
    want: dict[str, Any] = {"department_name": reporting_unit(f) if states_department(form, rendering) else None,
                            "fiscal_year": f.fiscal_year}
    if f.family in PROJECT_FAMILIES:
        want |= {"report_type": "project", "project.name": f.project, "project.supervising": f.department,
                 "project.implementing": f.implementer, "project.budget_initial": f.wan_yuan(f.initial),
                 "project.budget": f.wan_yuan(f.budget), "project.spend": f.wan_yuan(f.spend),
                 "project.execution_rate": f.execution_rate, "project.score": f.total_score,
                 "project.rating": f.rating}
    else:
        want |= {"report_type": "department_overall", "budget_total_wan_yuan": f.wan_yuan(f.budget),
                 "spend_total_wan_yuan": f.wan_yuan(f.spend), "execution_rate_pct": f.execution_rate,
                 "score_total": f.total_score, "rating": f.rating}
        want |= {f"score.{name}": score for name, score in f.parts}
        if f.staff_authorized is not None:
            want |= {"staff_authorized": f.staff_authorized, "staff_in_service": f.staff_in_service}
    for item in f.indicators:
        key = f"indicator.{item.name}"
        want[f"{key}.target"] = item.target_value
        want[f"{key}.actual"] = item.actual_value
        want[f"{key}.comparator"] = stated_comparator(f, item.target, item.comparator)
        want[f"{key}.is_met"] = (item.points == item.max_points) if item.target_value is not None else None
    return want


def observed(form: Form, read: Read) -> dict[str, Any]:
    """The fields of ``expected`` as the warehouse holds them (missing keys are NULL)."""
    row = read.row
    got: dict[str, Any] = {k: row.get(k) for k in ("department_name", "fiscal_year", "report_type",
                                                    "budget_total_wan_yuan", "spend_total_wan_yuan",
                                                    "execution_rate_pct", "score_total", "rating",
                                                    "staff_authorized", "staff_in_service")}
    if form.facts.family in PROJECT_FAMILIES:
        project = read.projects[0] if len(read.projects) == 1 else {}
        got |= {"project.name": project.get("project_name"), "project.supervising":
                project.get("supervising_department"), "project.implementing": project.get("implementing_unit"),
                "project.budget_initial": project.get("budget_initial_wan_yuan"),
                "project.budget": project.get("budget_adjusted_wan_yuan"),
                "project.spend": project.get("spend_wan_yuan"),
                "project.execution_rate": project.get("execution_rate_pct"),
                "project.score": project.get("score_total"), "project.rating": project.get("rating")}
    items = {name: row_key("score", name) for name, _ in form.facts.parts}
    for name, item in items.items():
        values = {s["score"] for s in read.scores if item and s["score_item"] == item}
        got[f"score.{name}"] = values.pop() if len(values) == 1 else None
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for indicator in read.indicators:
        by_name[indicator["indicator_name"]].append(indicator)
    for name, found in by_name.items():
        one = found[0] if len(found) == 1 else {}
        key = f"indicator.{name}"
        got |= {f"{key}.target": one.get("target_value"), f"{key}.actual": one.get("actual_value"),
                f"{key}.comparator": one.get("comparator"), f"{key}.is_met": one.get("is_met"),
                f"{key}.count": len(found)}
    return got


def _same(want: Any, got: Any) -> bool:
    if want is None or got is None:
        return want is None and got is None
    if isinstance(want, (Decimal, int, float)) and not isinstance(want, bool):
        return _decimal(want) == _decimal(got)
    return want == got


@dataclass
class Score:
    """Facts right, missed (NULL, with or without a parse issue) and wrong, over many rendered forms."""

    total: int = 0
    right: int = 0
    misses: list[str] = field(default_factory=list)
    wrongs: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    def add(self, label: str, form: Form, rendering: str, read: Read, ignore: frozenset[str] = frozenset()) -> None:
        want, got = expected(form, rendering), observed(form, read)
        for key, value in want.items():
            if key in ignore:
                continue
            self.total += 1
            if _same(value, got.get(key)):
                self.right += 1
            elif got.get(key) is None:
                self.misses.append(f"{label} {key}: expected {value!r}, got NULL")
                if not read.issues and read.row.get("parse_status") == "ok":
                    self.unexplained.append(f"{label} {key}")
            else:
                self.wrongs.append(f"{label} {key}: expected {value!r}, got {got.get(key)!r}")
        for key, value in got.items():
            if key.startswith("indicator.") and key.endswith(".count") and (
                    value != 1 or key.removesuffix(".count") + ".target" not in want):
                self.extra.append(f"{label} {key.removesuffix('.count')}: read {value} times")

    def summary(self) -> str:
        rate = self.right / self.total if self.total else 1.0
        return (f"form facts: {self.right}/{self.total} = {rate:.4f}; {len(self.misses)} missed "
                f"({len(self.unexplained)} without a parse issue), {len(self.wrongs)} wrong, "
                f"{len(self.extra)} spurious indicators")


def rendered(forms: Iterable[Form], renderings: Sequence[str]) -> list[tuple[str, Form, bytes]]:
    """Every form in every rendering, as (file name, form, bytes)."""
    out = []
    for form in forms:
        for rendering in renderings:
            data, suffix = formats.render(form, rendering)
            out.append((f"{form.family}-{form.seed}-{rendering}{suffix}", form, data))
    return out


def score_forms(forms: Iterable[Form], renderings: Sequence[str] = FAST_RENDERINGS,
                ocr_cache: Path | None = None) -> tuple[Score, dict[str, Score]]:
    """The score over every form in every rendering, and per rendering."""
    files = rendered(forms, renderings)
    reads = read_forms([(name, data) for name, _, data in files], ocr_cache)
    overall, per = Score(), {r: Score() for r in renderings}
    for name, form, _ in files:
        rendering = name.rsplit(".", 1)[0].rsplit("-", 1)[1]
        for score in (overall, per[rendering]):
            score.add(name, form, rendering, reads[name])
    return overall, per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("first", type=int)
    parser.add_argument("last", type=int)
    parser.add_argument("--renderings", nargs="+", default=list(FAST_RENDERINGS))
    parser.add_argument("--families", nargs="+", default=list(FAMILIES))
    parser.add_argument("--ocr-cache", type=Path, default=None)
    args = parser.parse_args()
    forms = [make_form(f, s) for f in args.families for s in range(args.first, args.last + 1)]
    overall, per = score_forms(forms, args.renderings, args.ocr_cache)
    for line in overall.wrongs:
        print("WRONG", line)
    for line in overall.misses:
        print("miss ", line)
    for line in overall.extra:
        print("extra", line)
    for rendering, score in per.items():
        print(f"{rendering:9s}", score.summary())
    print(overall.summary())


if __name__ == "__main__":
    main()
