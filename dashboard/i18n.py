"""Display texts of the dashboard in Chinese and English, read from ``labels.csv`` (key, zh, en)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

LABELS_CSV = Path(__file__).with_name("labels.csv")
LANGUAGES = ("zh", "en")


@cache
def labels() -> dict[str, dict[str, str]]:
    """{key: {"zh": text, "en": text}} from ``labels.csv``."""
    with LABELS_CSV.open(encoding="utf-8", newline="") as handle:
        return {row["key"]: {lang: row[lang] for lang in LANGUAGES} for row in csv.DictReader(handle)}


def text(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang`` with ``{name}`` placeholders filled; the key itself if unknown."""
    entry = labels().get(key)
    if entry is None:
        return key
    return entry[lang if lang in LANGUAGES else "zh"].format(**values)
