"""Every pattern of the parser is linear in its input: its worst repeated input, grown tenfold, costs
about ten times as much (a backtracking pattern costs a hundred times, as digits with no unit through
a figure pattern that backtracks). Growth is compared between sizes in CPU time, never a wall-clock bound."""

from __future__ import annotations

import importlib
import inspect
import re
import time

import pytest

from fixtures.hostile import REPEATED, TITLE, repeated_text
from ingest.parse import ReportInput, parse_report
from tests.linearity import ladder, worst_pieces

# Every module of the parser and the document readers that defines patterns.
MODULES = (
    "ingest.vocab.patterns",
    "ingest.parse",
    "ingest.facts.money",
    "ingest.facts.scores",
    "ingest.facts.indicators",
    "ingest.facts.tables",
    "ingest.facts.header",
    "ingest.text.segment",
    "ingest.text.normalise",
    "ingest.facts.forms",
    "ingest.facts.projects",
    "ingest.facts.findings",
    "ingest.files.manifest",
    "ingest.runtime.limits",
    "dagster_project.warehouse.escape",
    "ingest.vocab.gazetteer",
    "ingest.documents.grids",
    "ingest.facts.orgname",
    "ingest.documents.html",
    "ingest.documents.provenance",
    "ingest.documents.sheet",
    "ingest.documents.text",
)
LIMIT = 30.0
"""Growth over a tenfold step above which a pattern is not linear (linear ≈ 10, quadratic ≈ 100)."""


def _collect(name: str, value: object, out: dict[str, re.Pattern]) -> None:
    if isinstance(value, re.Pattern):
        out.setdefault(name, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _collect(f"{name}[{key}]", item, out)
    elif isinstance(value, tuple | list):
        for i, item in enumerate(value):
            _collect(f"{name}[{i}]", item, out)


def _built_once(value: object) -> object:
    """What a cached function without arguments returns (a pattern built from a vocabulary on first
    use), else None."""
    wrapped = getattr(value, "__wrapped__", None)
    if not hasattr(value, "cache_info") or wrapped is None or inspect.signature(wrapped).parameters:
        return None
    return value()


def all_patterns() -> dict[str, re.Pattern]:
    """Every compiled pattern a parser module holds (module level, in dicts, tuples and lists, and
    those its cached functions build from vocabularies)."""
    out: dict[str, re.Pattern] = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        short = module_name.rsplit(".", 1)[-1]
        for attr, value in vars(module).items():
            if not attr.startswith("__"):
                _collect(f"{short}.{attr}", value, out)
                if getattr(value, "__module__", None) == module_name:
                    _collect(f"{short}.{attr}()", _built_once(value), out)
    from ingest.facts.tables import _inline_field
    from ingest.vocab.vocabulary import wordings

    for key in sorted({k for k, _ in wordings("form_fields")}):
        out[f"tables._inline_field({key})"] = _inline_field(key)
    return out


PATTERNS = all_patterns()

# The patterns that backtracked, each with the input that showed it (found by ``worst_pieces``).
BACKTRACKED = [
    ("parse._FIGURE", "1"),
    ("parse._FIGURE", "11,"),
    ("patterns.PERCENT", "11"),
    ("patterns.PERCENT", "\t"),
    ("patterns.COUNT", "\t"),
    ("patterns.TITLE_ENUMERATOR", " \n"),
    ("patterns.RATE_PARTIAL_PERIOD", "二七"),
    ("patterns.DEPARTMENT_TYPES[2][1]", "协政"),
    ("patterns.DEPARTMENT_TYPES[4][1]", "中共"),
    ("patterns.DEPARTMENT_TYPES[25][1]", "共青团"),
    ("tables._VALUE_RUN", ",1"),
    ("grids._PERCENT", "11"),
    ("grids._RULE_ROW", "\n "),
    ("text._SEPARATOR", "\n "),
    ("normalise._CELL_EDGE", "\t\t"),
    ("html._DECLARED", b"<meta"),
    ("provenance._CELL_RANGE", "AA"),
    ("sheet._CELL_REF", b"<c "),
]


def _assert_linear(name: str, piece, sizes: tuple[int, ...]) -> None:
    steps = ladder(PATTERNS[name], piece, sizes, LIMIT)
    shown = ", ".join(f"{n:,}: {seconds:.3f} s (x{ratio:.0f})" for n, seconds, ratio in steps)
    assert all(ratio <= LIMIT for _, _, ratio in steps), f"{name} on {piece!r} repeated {shown}"


@pytest.mark.parametrize(("name", "piece"), BACKTRACKED, ids=[f"{n}-{p!r}" for n, p in BACKTRACKED])
def test_the_patterns_that_backtracked_are_linear(name: str, piece) -> None:
    _assert_linear(name, piece, (10**3, 10**4, 10**5))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_every_pattern_is_linear_in_a_million_repetitions_of_its_worst_input(name: str) -> None:
    for piece in worst_pieces(PATTERNS[name], chars=10_000, keep=1):
        _assert_linear(name, piece, (10**3, 10**4, 10**5, 10**6))


def _parse_cpu(text: str) -> float:
    started = time.process_time()
    parse_report(ReportInput("r", "r.txt", text))
    return time.process_time() - started


@pytest.mark.parametrize("name", list(REPEATED))
def test_the_parser_is_linear_in_any_repeated_piece(name: str) -> None:
    """A tenfold longer body costs at most about tenfold (or fails sooner, on a cap)."""
    piece = REPEATED[name]
    _parse_cpu(TITLE + "预算数为1万元。")  # the gazetteer is loaded once per process, outside the timings
    small = min(_parse_cpu(repeated_text(piece, 20_000)) for _ in range(2))
    large = _parse_cpu(repeated_text(piece, 200_000))
    assert large / max(small, 0.01) <= LIMIT, f"{piece!r}: {small:.3f} s → {large:.3f} s"
