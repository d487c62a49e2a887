"""``manifest.csv``: header facts stated beside the reports, one row per file.

A broken manifest never stops a refresh: each line is read on its own, so a bad line (unbalanced
quote, too many cells, a huge field, a second row for one file) is rejected with its line and
column while every valid row still applies. Values are checked where they are used
(:func:`checked_values`): a rejected value is a parse issue of its report.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

FILE_COLUMN = "file"
# Longest cell kept; a longer one rejects its line (csv's own limit is 128 KB).
MAX_CELL_CHARS = 1000
# Manifest problems listed in the manifest's failure reason before "… and N more".
_LISTED = 10
_FISCAL_YEAR = re.compile(r"[0-9]{4}")
_YEARS = range(1990, 2101)


@dataclass
class Manifest:
    """Rows keyed by report file name (relative POSIX), and the problems found reading the file."""

    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def failure(self) -> str | None:
        """The manifest's failure reason: its problems, one per line or value, or None."""
        if not self.problems:
            return None
        listed = "; ".join(self.problems[:_LISTED])
        more = len(self.problems) - _LISTED
        tail = f"; … and {more} more" if more > 0 else ""
        return f"manifest.csv: {listed}{tail} (valid rows still apply)"


def _cells(line: str, lineno: int) -> tuple[list[str] | None, str | None]:
    """One line's cells, or why the line cannot be read (with its column)."""
    try:
        return next(csv.reader([line], strict=True), []), None
    except csv.Error as exc:
        reason, column = str(exc), ""
        if "end of data" in reason:
            reason, column = "unbalanced quote", f", column {line.find(chr(34)) + 1}"
        return None, f"line {lineno}{column}: {reason}; line ignored"


def _header(cells: list[str]) -> tuple[list[str], list[str]]:
    """Column names, and problems with them (no ``file`` column, a name used twice)."""
    names = [c.strip().lstrip("\ufeff") for c in cells]
    problems = []
    if FILE_COLUMN not in names:
        joined = ",".join(names)
        hint = " (the manifest must be comma-separated)" if any(sep in joined for sep in ";\t|") else ""
        problems.append(f"line 1: no '{FILE_COLUMN}' column naming each report relative to the raw dir{hint}")
    seen: dict[str, int] = {}
    for k, name in enumerate(names, start=1):
        if name and name in seen:
            problems.append(f"line 1, column {k}: column '{name}' repeats column {seen[name]}; ignored")
            names[k - 1] = ""
        seen.setdefault(name, k)
    return names, problems


def read_manifest_text(text: str) -> Manifest:
    """Parse a decoded manifest; never raises."""
    out = Manifest()
    lines = text.splitlines()
    header_cells, problem = _cells(lines[0], 1) if lines else (None, "empty manifest")
    if header_cells is None:
        out.problems.append(problem or "line 1: unreadable header")
        return out
    names, problems = _header(header_cells)
    out.problems.extend(problems)
    if FILE_COLUMN not in names:
        return out
    first_line: dict[str, int] = {}
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells, problem = _cells(line, lineno)
        if cells is None:
            out.problems.append(problem or f"line {lineno}: unreadable")
            continue
        if len(cells) > len(names):
            out.problems.append(f"line {lineno}: {len(cells)} cells for {len(names)} columns; line ignored")
            continue
        long = next((k for k, c in enumerate(cells, start=1) if len(c) > MAX_CELL_CHARS), None)
        if long is not None:
            out.problems.append(f"line {lineno}, column {long}: cell longer than {MAX_CELL_CHARS} characters; "
                                "line ignored")
            continue
        row = {name: cell.strip() for name, cell in zip(names, cells, strict=False) if name and cell.strip()}
        name = row.pop(FILE_COLUMN, None)
        if not name:
            out.problems.append(f"line {lineno}: no file name; line ignored")
            continue
        key = PurePosixPath(name.replace("\\", "/")).as_posix()
        if key in first_line:
            out.problems.append(f"line {lineno}: second row for '{key}' (first on line {first_line[key]}); "
                                f"line {lineno} ignored")
            continue
        first_line[key] = lineno
        out.rows[key] = row
    return out


def checked_values(row: Mapping[str, str] | None) -> tuple[dict[str, str], list[str]]:
    """A report's manifest row with the values that cannot be used removed, and why each was.

    ``fiscal_year`` must be a four-digit year in 1990–2100.
    """
    clean = dict(row or {})
    problems = []
    year = clean.get("fiscal_year")
    if year is not None and not (_FISCAL_YEAR.fullmatch(year) and int(year) in _YEARS):
        shown = year if len(year) <= 20 else year[:20] + "…"
        problems.append(f"manifest fiscal_year '{shown}' is not a year between 1990 and 2100; ignored")
        del clean["fiscal_year"]
    return clean, problems
