"""Display texts of the dashboard in Chinese and English, read from ``labels.csv`` (key, zh, en)."""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

LABELS_CSV = Path(__file__).with_name("labels.csv")
REASONS_CSV = Path(__file__).with_name("reasons.csv")
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


def has_label(key: str) -> bool:
    """True when ``labels.csv`` has ``key``."""
    return key in labels()


def label(key: str, lang: str, default: str) -> str:
    """The text for ``key`` in ``lang``, or ``default`` when ``labels.csv`` has no such key."""
    return text(key, lang) if has_label(key) else default


@cache
def reasons() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(pattern, Chinese template) pairs from ``reasons.csv``, in file order (specific before general)."""
    with REASONS_CSV.open(encoding="utf-8", newline="") as handle:
        return tuple((re.compile(row["pattern"]), row["zh"]) for row in csv.DictReader(handle))


def reason(value: str | None, lang: str) -> str:
    """A status reason in ``lang``: in Chinese, every known part ("; "-joined) translated with its values
    ({1}, {2}: the pattern's groups); an unknown part is kept as written."""
    if not value:
        return ""
    if lang != "zh":
        return value
    out = value
    for pattern, template in reasons():
        out = pattern.sub(lambda m, t=template: t.format(None, *m.groups()), out)
    return out.replace("; ", "；")
