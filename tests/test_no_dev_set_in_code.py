"""Product code keeps no trace of the development set: no department name and no figure that the
gold files of ``../shared`` expect appears in the parser, the warehouse, dbt or the dashboard (their
examples are invented), so every rule is a rule of the genre. Skips where ``../shared`` is absent."""

from __future__ import annotations

import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from tests.real_gold import AVAILABLE, GOLD_PATH

REPO = Path(__file__).resolve().parents[1]
SEEDS_GOLD = GOLD_PATH.parents[1] / "gold" / "seeds.json"
PRODUCT = ("ingest", "dagster_project", "dbt", "dashboard")
_FIGURE = re.compile(r"(?<![\d.,])\d[\d,]*\.\d+(?!\d)")


def _values(node: object) -> list[object]:
    """Every scalar under ``node`` (the ``any_of`` alternatives included)."""
    if isinstance(node, dict):
        return [v for key, value in node.items() if key not in ("notes", "_about") for v in _values(value)]
    if isinstance(node, list):
        return [v for item in node for v in _values(item)]
    return [node]


def _distinctive(figure: str) -> bool:
    """A figure someone copied, not a round one anyone writes (100.00, 90.5): four or more digits that
    do not end in zeros."""
    digits = figure.replace(",", "").replace(".", "").rstrip("0")
    return len(digits) >= 4


def dev_traces() -> tuple[set[str], set[str]]:
    """The department names (four characters or more) and distinctive figures the gold files expect."""
    names: set[str] = set()
    figures: set[str] = set()
    for path in (GOLD_PATH, SEEDS_GOLD):
        for report in json.loads(path.read_text(encoding="utf-8"))["reports"].values():
            for value in _values(report.get("department_name")):
                if isinstance(value, str) and len(value) >= 4:
                    names.add(value)
            for value in _values(report):
                if (isinstance(value, int | float) and not isinstance(value, bool)) or (isinstance(value, str) \
                        and _FIGURE.fullmatch(value)):
                    text = format(Decimal(str(value)).normalize(), "f") if not isinstance(value, str) else value
                    if _distinctive(text):
                        figures.add(text.replace(",", ""))
    return names, figures


def _product_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", *PRODUCT], cwd=REPO, capture_output=True, text=True, check=True)
    return [REPO / name for name in listed.stdout.split() if not name.endswith((".gz", ".png"))]


def traces_in(text: str, names: set[str], figures: set[str]) -> list[str]:
    """The dev-set names and figures ``text`` holds (a figure matched as a whole number, commas ignored)."""
    found = [name for name in names if name in text]
    found += [m.group() for m in _FIGURE.finditer(text) if m.group().replace(",", "") in figures]
    return found


def test_the_check_finds_a_name_and_a_figure() -> None:
    assert traces_in("例:某县财政局 1,234.56 万元; 12345.6", {"某县财政局"}, {"1234.56"}) == ["某县财政局", "1,234.56"]
    assert traces_in("11234.56", set(), {"1234.56"}) == []


@pytest.mark.skipif(not AVAILABLE, reason="../shared/corpus is not here")
def test_product_code_names_no_dev_department_and_no_dev_figure() -> None:
    names, figures = dev_traces()
    assert names and figures
    found = {}
    for path in _product_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        if hits := traces_in(text, names, figures):
            found[str(path.relative_to(REPO))] = hits
    assert found == {}
