"""Vocabularies as data: ``ingest/vocab/<name>.csv`` maps canonical keys to the wordings reports use.

Each file has the columns ``key, wording, example`` (one wording per line, with an example line of
the layout it appears in). Wordings are literal text, except in ``department_types.csv`` (a regular
expression matched at the end of a full name, first match wins) and ``money_labels.csv`` (regular
expressions, key ``side.item``). ``vocab/dbt/`` holds the vocabularies dbt reads as seeds too
(``dbt_project.yml`` seed-paths): one file for the parser and the SQL. Add a wording by adding a line;
the extractors read the files, never a copy of them.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

VOCAB_DIR = Path(__file__).parent


@cache
def wordings(name: str) -> tuple[tuple[str, str], ...]:
    """(key, wording) pairs of vocabulary ``name``, longest wording first (so it wins a tie)."""
    with (VOCAB_DIR / f"{name}.csv").open(encoding="utf-8") as fh:
        pairs = [(row["key"], row["wording"]) for row in csv.DictReader(fh)]
    return tuple(sorted(pairs, key=lambda kv: -len(kv[1])))


@cache
def entries(name: str) -> tuple[tuple[str, str], ...]:
    """(key, wording) pairs of vocabulary ``name`` in file order (for first-match-wins lists)."""
    with (VOCAB_DIR / f"{name}.csv").open(encoding="utf-8") as fh:
        return tuple((row["key"], row["wording"]) for row in csv.DictReader(fh))


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    """Every row of vocabulary ``name`` with all its columns, in file order."""
    with (VOCAB_DIR / f"{name}.csv").open(encoding="utf-8") as fh:
        return tuple(dict(row) for row in csv.DictReader(fh))


@cache
def _key_by_wording(name: str) -> dict[str, str]:
    return {wording: key for key, wording in reversed(entries(name))}


def key_of(name: str, text: str) -> str | None:
    """The canonical key of ``text`` when it is exactly one wording of vocabulary ``name``."""
    return _key_by_wording(name).get(text)
