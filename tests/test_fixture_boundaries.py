"""The bench and the tests share fixtures through one package: the bench imports no test and no
private name of the project, fixtures import neither, and only ``tests/test_bench.py`` imports the
bench (it tests it)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROJECT = ("ingest", "dagster_project", "dashboard", "fixtures", "bench", "tests")


def _top(module: str) -> str:
    return module.split(".")[0]


def _imports(path: Path) -> Iterator[tuple[str, str | None, int]]:
    """(module, imported name or None, line) of every import in ``path``."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                yield node.module, alias.name, node.lineno


def _private_uses(path: Path) -> Iterator[str]:
    """Private names reached in ``path``: imported from a project module, or read as an attribute of
    a project module imported under a name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.asname or alias.name for alias in node.names if _top(alias.name) in PROJECT}
        elif isinstance(node, ast.ImportFrom) and node.module and _top(node.module) in PROJECT:
            for alias in node.names:
                if alias.name.startswith("_"):
                    yield f"{path.name}:{node.lineno}: from {node.module} import {alias.name}"
                else:
                    modules.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            yield f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}"


def _sources(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", ["bench", "fixtures"])
def test_bench_and_fixtures_import_no_test(folder: str) -> None:
    bad = [f"{path.relative_to(REPO)}:{line}: {module}" for path in _sources(folder)
           for module, _, line in _imports(path) if _top(module) == "tests"]
    assert not bad


def test_fixtures_import_no_bench() -> None:
    bad = [f"{path.relative_to(REPO)}:{line}: {module}" for path in _sources("fixtures")
           for module, _, line in _imports(path) if _top(module) == "bench"]
    assert not bad


@pytest.mark.parametrize("folder", ["bench", "fixtures"])
def test_bench_and_fixtures_use_no_private_name(folder: str) -> None:
    bad = [use for path in _sources(folder) for use in _private_uses(path)]
    assert not bad


def test_only_the_bench_test_imports_the_bench() -> None:
    bad = [f"{path.relative_to(REPO)}:{line}: {module}" for path in _sources("tests")
           for module, _, line in _imports(path) if _top(module) == "bench" and path.name != "test_bench.py"]
    assert not bad


def test_the_checks_see_what_they_forbid(tmp_path: Path) -> None:
    source = tmp_path / "probe.py"
    source.write_text("import ingest.parse as p\nfrom ingest.parse import _jobs\nfrom tests import conftest\n"
                      "p._frames([])\n", encoding="utf-8")
    assert [m for m, _, _ in _imports(source)] == ["ingest.parse", "ingest.parse", "tests"]
    assert len(list(_private_uses(source))) == 2
