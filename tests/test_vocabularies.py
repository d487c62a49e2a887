"""Python and SQL read the same vocabularies: every code the parser can emit has its label row in dbt."""

from __future__ import annotations

import csv
from pathlib import Path

from ingest.vocabulary import entries

SEEDS = Path(__file__).resolve().parents[1] / "dbt" / "seeds"


def _seed_keys(name: str, column: str) -> set[str]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8") as fh:
        return {row[column] for row in csv.DictReader(fh)}


def test_every_department_type_the_parser_emits_has_a_label() -> None:
    emitted = {key for key, _ in entries("department_types")} | {"other"}
    assert emitted == _seed_keys("dim_department_type", "department_type")


def test_every_rating_the_parser_emits_has_a_label() -> None:
    assert {key for key, _ in entries("rating")} == _seed_keys("dim_rating", "rating")
