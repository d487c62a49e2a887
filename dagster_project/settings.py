"""Where a refresh reads and writes, from flags, ``GOVPERF_*`` environment variables or defaults.

Kept free of heavy imports: the CLI resolves settings (and rejects bad values with exit 2) before it
loads Dagster, dbt or Great Expectations. The checks of each value live in :mod:`ingest.limits`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ingest.limits import (
    DEFAULT_MAX_FILE_BYTES,
    SettingError,
    build_state_dir,
    max_file_bytes,
    parse_limits,
    read_limits,
)

DEFAULT_STORAGE_VERSION = "v1.0.0"
"""DuckDB storage format of the published file: the oldest that keeps our types, so DuckDB 1.x
clients (the CLI from pip, the Node client, the JDBC driver BI tools embed) open it."""
_STORAGE_VERSION = re.compile(r"v\d+\.\d+\.\d+|latest")


def _storage_version(value: str | None) -> str:
    version = value or DEFAULT_STORAGE_VERSION
    if not _STORAGE_VERSION.fullmatch(version):
        raise SettingError(f"GOVPERF_STORAGE_VERSION={version!r} is not a DuckDB storage version such as v1.0.0")
    return version


@dataclass(frozen=True)
class Settings:
    """Where a refresh reads and writes; every path absolute."""

    raw_dir: Path
    warehouse: Path
    build_db: Path
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    storage_version: str = DEFAULT_STORAGE_VERSION

    @classmethod
    def resolve(
        cls,
        raw_dir: str | os.PathLike[str] | None = None,
        warehouse: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        """Settings from arguments, else ``GOVPERF_*`` environment variables, else defaults.

        Build state belongs to one warehouse: ``<warehouse dir>/.build/<warehouse file name>/``, so
        two warehouses in one directory never share it.
        """
        env = os.environ if env is None else env
        raw = Path(raw_dir or env.get("GOVPERF_RAW_DIR") or "data/raw").resolve()
        wh = Path(warehouse or env.get("GOVPERF_WAREHOUSE") or "data/warehouse.duckdb").resolve()
        build_env = env.get("GOVPERF_BUILD_DB") if warehouse is None else None
        build = Path(build_env).resolve() if build_env else build_state_dir(wh) / "build.duckdb"
        parse_limits(env)  # a bad per-report budget is refused here, before any work
        read_limits(env)
        return cls(
            raw,
            wh,
            build,
            max_file_bytes(env),
            _storage_version(env.get("GOVPERF_STORAGE_VERSION")),
        )

    @property
    def build_dir(self) -> Path:
        """Directory of the build database (also holds dbt artifacts and the change cursor)."""
        return self.build_db.parent

    @property
    def quality_dir(self) -> Path:
        """Where the Great Expectations Data Docs of the published warehouse are (beside it)."""
        return self.warehouse.with_name(self.warehouse.name + ".quality")


__all__ = ["SettingError", "Settings"]
