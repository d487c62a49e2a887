"""Limits and per-warehouse state that the refresh reads from its settings; checked, never guessed.

Pure helpers for the orchestration layer: a bad ``GOVPERF_*`` value is a :class:`SettingError`
(the CLI exits 2 with its message), the build state of a warehouse lives in its own directory,
and only a build database known to be corrupt may be deleted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path

from ingest.runtime.pool import Limits

DEFAULT_MAX_FILE_MB = 20
DEFAULT_MAX_FILE_BYTES = DEFAULT_MAX_FILE_MB * 1024 * 1024
"""Files larger than this are recorded as failed without being read (``GOVPERF_MAX_FILE_MB``)."""
DEFAULT_MAX_SCAN_MB = 200
DEFAULT_MAX_SCAN_BYTES = DEFAULT_MAX_SCAN_MB * 1024 * 1024
"""The same for PDFs and images (``GOVPERF_MAX_SCAN_MB``): a scanned report is often 20–100 MB."""
DEFAULT_PARSE_SECONDS = 120.0
DEFAULT_PARSE_MEMORY_MB = 2048
DEFAULT_READ_SECONDS = 600.0
DEFAULT_PARSE_LIMITS = Limits(DEFAULT_PARSE_SECONDS, DEFAULT_PARSE_MEMORY_MB)
"""Budget of parsing one report when the caller gives none (``GOVPERF_PARSE_*`` unset)."""
DEFAULT_READ_LIMITS = Limits(DEFAULT_READ_SECONDS, DEFAULT_PARSE_MEMORY_MB)
"""Budget of reading one document when the caller gives none (``GOVPERF_READ_*`` unset)."""

# DuckDB messages that mean the file itself is damaged or is no DuckDB database (any other error —
# a lock, a full disk, a permission — leaves the file alone).
_CORRUPT = re.compile(
    r"not a valid DuckDB database file|Corrupt database file|database file is corrupt|checksum"
    r"|file is too small|invalid block|Failed to read database header",
    re.IGNORECASE,
)


class SettingError(ValueError):
    """A setting with a value the refresh cannot use; its message names the setting and the value."""


def positive_number(name: str, value: str | None, default: float) -> float:
    """``value`` as a positive finite number; ``default`` when unset (an empty value is refused)."""
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise SettingError(f"{name} must be a positive number, not {value!r}")
    return number


def max_file_bytes(env: Mapping[str, str]) -> int:
    """``GOVPERF_MAX_FILE_MB`` (default 20) in bytes."""
    mb = positive_number("GOVPERF_MAX_FILE_MB", env.get("GOVPERF_MAX_FILE_MB"), DEFAULT_MAX_FILE_MB)
    return max(1, int(mb * 1024 * 1024))


def max_scan_bytes(env: Mapping[str, str]) -> int:
    """``GOVPERF_MAX_SCAN_MB`` (default 200) in bytes: the size cap of PDFs and images."""
    mb = positive_number("GOVPERF_MAX_SCAN_MB", env.get("GOVPERF_MAX_SCAN_MB"), DEFAULT_MAX_SCAN_MB)
    return max(1, int(mb * 1024 * 1024))


def parse_limits(env: Mapping[str, str]) -> Limits:
    """Time and memory budget of one report: ``GOVPERF_PARSE_SECONDS`` (default 120) and
    ``GOVPERF_PARSE_MEMORY_MB`` (default 2048)."""
    seconds = positive_number("GOVPERF_PARSE_SECONDS", env.get("GOVPERF_PARSE_SECONDS"), DEFAULT_PARSE_SECONDS)
    memory = positive_number("GOVPERF_PARSE_MEMORY_MB", env.get("GOVPERF_PARSE_MEMORY_MB"), DEFAULT_PARSE_MEMORY_MB)
    return Limits(seconds=seconds, memory_mb=max(1, int(memory)))


def read_limits(env: Mapping[str, str]) -> Limits:
    """Time and memory budget of reading one document (PDF, OCR, office file, web page):
    ``GOVPERF_READ_SECONDS`` (default 600: OCR costs seconds per page) and ``GOVPERF_READ_MEMORY_MB``
    (default 2048)."""
    seconds = positive_number("GOVPERF_READ_SECONDS", env.get("GOVPERF_READ_SECONDS"), DEFAULT_READ_SECONDS)
    memory = positive_number("GOVPERF_READ_MEMORY_MB", env.get("GOVPERF_READ_MEMORY_MB"), DEFAULT_PARSE_MEMORY_MB)
    return Limits(seconds=seconds, memory_mb=max(1, int(memory)))


def build_state_dir(warehouse: Path) -> Path:
    """Where one warehouse's build state lives: ``<dir>/.build/<warehouse file name>/`` — two
    warehouses in one directory never share it."""
    return warehouse.parent / ".build" / warehouse.name


def is_corrupt_database_error(message: str) -> bool:
    """Whether a DuckDB error opening the build database says the file is damaged (then, and only
    then, may it be deleted and rebuilt)."""
    return _CORRUPT.search(message) is not None
