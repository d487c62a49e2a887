"""The rooms of the code and the direction of their imports (read from the source, not by importing it).

``ingest`` (pure parsing, lowest first): vocab → text → documents → schema → facts → files → parse → warm;
``ingest.runtime`` (worker pools, limits, the Ray engine) is beside them and imports none of them.
``dagster_project`` (above ingest): warehouse → quality → defs → cli. A room imports only rooms below it;
only ``defs`` and ``cli`` import Dagster; ``ingest`` imports no DuckDB, Dagster or dbt; no module
imports itself back through others.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

INGEST_ORDER = (
    "ingest.vocab", "ingest.text", "ingest.documents", "ingest.schema", "ingest.facts", "ingest.files",
    "ingest.parse", "ingest.warm",
)
PROJECT_ORDER = ("dagster_project.warehouse", "dagster_project.quality", "dagster_project.defs", "dagster_project.cli")
RUNTIME = "ingest.runtime"
DAGSTER_ROOMS = ("dagster_project.defs", "dagster_project.cli")


def _module(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    """Absolute module names a file imports: ``from a import b`` is ``a.b`` where that is a module of the
    project (``from ingest.documents import ocr``), else ``a``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                names.add(sub if _is_module(sub) else node.module)
    return names


def _is_module(name: str) -> bool:
    path = REPO.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _sources() -> dict[str, set[str]]:
    paths = [p for package in ("ingest", "dagster_project") for p in (REPO / package).rglob("*.py")]
    return {_module(p): _imports(p) for p in paths}


def room(module: str) -> str | None:
    """The room of a module of the project (None for a package's own ``__init__`` or a name outside)."""
    for name in (*INGEST_ORDER, RUNTIME, "dagster_project.quality", "dagster_project.checks", *PROJECT_ORDER):
        if module == name or module.startswith(name + ".") or module.startswith(name + "_"):
            return "dagster_project.defs" if name == "dagster_project.checks" else name
    return None


def _edges() -> list[tuple[str, str, str]]:
    """(importing module, its room, imported room) for every import between two rooms."""
    out = []
    for module, names in _sources().items():
        here = room(module)
        for name in names:
            there = room(name)
            if here and there and there != here:
                out.append((module, here, there))
    return out


def _rank(name: str) -> tuple[int, int] | None:
    for group, order in enumerate((INGEST_ORDER, PROJECT_ORDER)):
        if name in order:
            return group, order.index(name)
    return None


def test_every_module_has_a_room() -> None:
    homeless = [m for m in _sources() if room(m) is None and m not in ("ingest", "dagster_project")]
    assert homeless == []


def test_rooms_import_only_rooms_below_them() -> None:
    upward = []
    for module, here, there in _edges():
        if here == RUNTIME:
            upward.append((module, there))  # the runtime serves every room and knows none
            continue
        if there == RUNTIME:
            assert here not in INGEST_ORDER[:5], f"{module}: the pure layers run in no pool"
            continue
        a, b = _rank(here), _rank(there)
        assert a is not None and b is not None
        if b[0] > a[0] or (b[0] == a[0] and b[1] > a[1]):
            upward.append((module, there))
    assert upward == []


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("ingest", ("dagster_project", "dagster", "dagster_dbt", "dbt", "duckdb", "great_expectations"))],
)
def test_ingest_imports_no_orchestration_or_database(package: str, forbidden: tuple[str, ...]) -> None:
    bad = [(m, n) for m, names in _sources().items() if m.startswith(package) for n in names
           if n.split(".")[0] in forbidden]
    assert bad == []


def test_only_the_definitions_and_the_cli_import_dagster() -> None:
    bad = [(m, n) for m, names in _sources().items() for n in names
           if n.split(".")[0] in ("dagster", "dagster_dbt") and room(m) not in DAGSTER_ROOMS]
    assert bad == []


def test_no_import_cycle_between_modules() -> None:
    sources = _sources()
    graph: dict[str, set[str]] = defaultdict(set)
    for module, names in sources.items():
        graph[module] = {n for n in names if n in sources and n != module and room(n) is not None}
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    assert cycles == [], "\n".join(" → ".join(c) for c in cycles)
