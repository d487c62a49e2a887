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
    DEFAULT_MAX_SCAN_BYTES,
    SettingError,
    build_state_dir,
    max_file_bytes,
    max_scan_bytes,
    parse_limits,
    read_limits,
)

ENGINES = ("local", "ray")
"""Where documents are read and reports parsed: this machine's worker processes, or a Ray cluster."""
_RAY_ADDRESS = re.compile(
    r"""(?:ray://)?                              # Ray Client, else the head's GCS port
        (?:\[[0-9A-Fa-f:.]+\]                   # [IPv6]
          |[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)  # host name or IPv4
        :(?P<port>\d{1,5})""",
    re.VERBOSE,
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


def engine_setting(
    engine: str | None, ray_address: str | None, env: Mapping[str, str]
) -> tuple[str, str | None]:
    """The engine and the Ray cluster's address, from flags, else ``GOVPERF_ENGINE`` /
    ``GOVPERF_RAY_ADDRESS``, else ``local``; ``ray`` needs an address ``HOST:PORT`` (or
    ``ray://HOST:PORT``), and an address given as a flag needs ``ray``."""
    name = engine or env.get("GOVPERF_ENGINE") or "local"
    if name not in ENGINES:
        source = "--engine" if engine else "GOVPERF_ENGINE"
        raise SettingError(f"{source}={name!r} is not an engine: use local or ray")
    address = ray_address or env.get("GOVPERF_RAY_ADDRESS") or None
    if name == "local":
        if ray_address:
            raise SettingError("--ray-address is used only with --engine ray (or GOVPERF_ENGINE=ray)")
        return name, None
    if address is None:
        raise SettingError("the ray engine needs the cluster's address: --ray-address HOST:PORT or GOVPERF_RAY_ADDRESS")
    match = _RAY_ADDRESS.fullmatch(address.strip())
    if match is None or not 0 < int(match["port"]) < 65536:
        source = "--ray-address" if ray_address else "GOVPERF_RAY_ADDRESS"
        raise SettingError(f"{source}={address!r} is not a Ray address such as 10.0.0.5:6379 or ray://head:10001")
    return name, address.strip()


@dataclass(frozen=True)
class Settings:
    """Where a refresh reads and writes; every path absolute."""

    raw_dir: Path
    warehouse: Path
    build_db: Path
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    storage_version: str = DEFAULT_STORAGE_VERSION
    engine: str = "local"
    ray_address: str | None = None
    max_scan_bytes: int = DEFAULT_MAX_SCAN_BYTES

    @classmethod
    def resolve(
        cls,
        raw_dir: str | os.PathLike[str] | None = None,
        warehouse: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        engine: str | None = None,
        ray_address: str | None = None,
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
            *engine_setting(engine, ray_address, env),
            max_scan_bytes(env),
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
