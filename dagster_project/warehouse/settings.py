"""Where a refresh reads and writes, from flags, ``GOVPERF_*`` environment variables or defaults.

The environment is read here and only here: the CLI and the Dagster definitions resolve
:class:`Settings` once and pass it (or the values in it) down; nothing below them reads ``os.environ``.
Kept free of heavy imports: the CLI resolves settings (and rejects bad values with exit 2) before it
loads Dagster, dbt or Great Expectations. The checks of each limit live in :mod:`ingest.runtime.limits`; the
paths a refresh writes are checked by :meth:`Settings.check_paths` and the storage version against
DuckDB itself by :func:`check_storage_version`, both before any work.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from ingest.runtime.limits import (
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MAX_SCAN_BYTES,
    DEFAULT_PARSE_LIMITS,
    DEFAULT_READ_LIMITS,
    SettingError,
    build_state_dir,
    max_file_bytes,
    max_scan_bytes,
    parse_limits,
    positive_number,
    read_limits,
)
from ingest.runtime.pool import Limits

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
DEFAULT_CRON = "0 6 * * *"
DEFAULT_SENSOR_INTERVAL = 60
DEFAULT_LOCK_WAIT_SECONDS = 600.0
"""How long a refresh waits for another process to release the refresh lock or the build database
before it gives up (``GOVPERF_LOCK_WAIT_SECONDS``)."""
SETTING_NAMES = (
    "GOVPERF_RAW_DIR", "GOVPERF_WAREHOUSE", "GOVPERF_BUILD_DB", "GOVPERF_MAX_FILE_MB", "GOVPERF_STORAGE_VERSION",
    "GOVPERF_REFRESH_CRON", "GOVPERF_SENSOR_INTERVAL", "GOVPERF_LOCK_WAIT_SECONDS", "GOVPERF_PARSE_SECONDS",
    "GOVPERF_PARSE_MEMORY_MB", "GOVPERF_READ_SECONDS", "GOVPERF_READ_MEMORY_MB",
)
"""Every setting a refresh reads; one that is set must have a value (an empty one is refused, not
taken for the default)."""

# Cron fields as Dagster takes them: minute, hour, day of month, month, day of week; each a comma
# list of "*", "n", "a-b", with an optional "/step"; months and weekdays also by English name.
_CRON_FIELDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_CRON_ALIASES = frozenset({"@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually", "@midnight"})
_CRON_ITEM = re.compile(r"(?P<range>\*|(?P<lo>\w{1,3})(?:-(?P<hi>\w{1,3}))?)(?:/(?P<step>\d{1,2}))?", re.ASCII)


def _cron_value(word: str, field: int) -> int | None:
    if word.isdigit():
        return int(word)
    names = _MONTHS if field == 3 else _DAYS if field == 4 else ()
    lowered = word.lower()
    return names.index(lowered) + (1 if field == 3 else 0) if lowered in names else None


def _cron_field_ok(text: str, field: int) -> bool:
    low, high = _CRON_FIELDS[field]
    for item in text.split(","):
        match = _CRON_ITEM.fullmatch(item)
        if match is None or match.group("step") == "0":
            return False
        if match.group("range") == "*":
            continue
        lo = _cron_value(match.group("lo"), field)
        hi = lo if match.group("hi") is None else _cron_value(match.group("hi"), field)
        if lo is None or hi is None or not low <= lo <= hi <= high:
            return False
    return True


def is_valid_cron(text: str) -> bool:
    """Whether ``text`` is a five-field cron schedule (or an ``@daily``-style alias) Dagster runs."""
    if text.strip().lower() in _CRON_ALIASES:
        return True
    fields = text.split()
    if len(fields) != 5 or not all(_cron_field_ok(f, i) for i, f in enumerate(fields)):
        return False
    day, month = fields[2], fields[3]
    return not (month in ("2", "feb", "Feb", "FEB") and day in ("30", "31"))


def refresh_cron(env: Mapping[str, str]) -> str:
    """``GOVPERF_REFRESH_CRON`` (default ``0 6 * * *``): the daily schedule's cron string."""
    value = env.get("GOVPERF_REFRESH_CRON")
    if value is None:
        return DEFAULT_CRON
    if not is_valid_cron(value):
        raise SettingError(f"GOVPERF_REFRESH_CRON={value!r} is not a cron schedule such as '0 6 * * *' "
                           "(minute hour day-of-month month day-of-week)")
    return value.strip()


def sensor_interval(env: Mapping[str, str]) -> int:
    """``GOVPERF_SENSOR_INTERVAL`` (default 60): whole seconds between looks of the raw-dir sensor."""
    value = env.get("GOVPERF_SENSOR_INTERVAL")
    if value is None:
        return DEFAULT_SENSOR_INTERVAL
    if not value.strip().isdigit() or int(value) < 1:
        raise SettingError(f"GOVPERF_SENSOR_INTERVAL must be a whole number of seconds of at least 1, not {value!r}")
    return int(value)


def lock_wait_seconds(env: Mapping[str, str]) -> float:
    """``GOVPERF_LOCK_WAIT_SECONDS`` (default 600): how long a refresh waits for the refresh lock or
    the build database held by another process."""
    return positive_number("GOVPERF_LOCK_WAIT_SECONDS", env.get("GOVPERF_LOCK_WAIT_SECONDS"),
                           DEFAULT_LOCK_WAIT_SECONDS)


def _refuse_blank(env: Mapping[str, str]) -> None:
    for name in SETTING_NAMES:
        value = env.get(name)
        if value is not None and not value.strip():
            raise SettingError(f"{name} is set but empty; give it a value or unset it for the default")


def _storage_version(value: str | None) -> str:
    version = value or DEFAULT_STORAGE_VERSION
    if not _STORAGE_VERSION.fullmatch(version):
        raise SettingError(f"GOVPERF_STORAGE_VERSION={version!r} is not a DuckDB storage version such as v1.0.0")
    return version


@cache
def check_storage_version(version: str) -> None:
    """Refuse a storage version this DuckDB cannot write (``v9.9.9``), by asking DuckDB itself.

    Imports DuckDB, so it is called once a refresh is going to work, not on the cheap paths."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"ATTACH ':memory:' AS probe (STORAGE_VERSION '{version}')")
    except duckdb.Error:
        raise SettingError(
            f"GOVPERF_STORAGE_VERSION={version!r} is not a storage version DuckDB {duckdb.__version__} writes "
            "(e.g. v1.0.0, read by every DuckDB 1.x client, or latest)") from None
    finally:
        con.close()


def set_aside(path: Path) -> Path:
    """Move damaged build state (a file, a directory, anything) to ``<name>.corrupt-<time>``, never
    deleting it; return where it went."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, aside)
    return aside


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _writable_dir(directory: Path, what: str) -> None:
    """Prove that ``directory`` takes a new file, or can be created where it does not exist yet: a
    probe file in it (or in its nearest existing ancestor), removed at once; nothing else is made."""
    existing = next((p for p in (directory, *directory.parents) if p.exists() or p.is_symlink()), Path("/"))
    if not existing.is_dir():
        raise SettingError(f"{what} {directory} is not a writable directory ({existing} is not a directory)")
    try:
        fd, probe = tempfile.mkstemp(prefix=".govperf-probe-", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SettingError(f"{what} {directory} is not a writable directory ({reason})") from None


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
    lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS
    engine: str = "local"
    ray_address: str | None = None
    max_scan_bytes: int = DEFAULT_MAX_SCAN_BYTES
    parse_limits: Limits = DEFAULT_PARSE_LIMITS
    read_limits: Limits = DEFAULT_READ_LIMITS
    refresh_cron: str = DEFAULT_CRON
    sensor_interval: int = DEFAULT_SENSOR_INTERVAL

    @classmethod
    def resolve(
        cls,
        raw_dir: str | os.PathLike[str] | None = None,
        warehouse: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        engine: str | None = None,
        ray_address: str | None = None,
    ) -> Settings:
        """Settings from arguments, else ``GOVPERF_*`` environment variables (``env``, default
        ``os.environ``), else defaults; every setting is checked here (a bad one is a
        :class:`SettingError`).

        Build state belongs to one warehouse: ``<warehouse dir>/.build/<warehouse file name>/``, so
        two warehouses in one directory never share it.
        """
        env = os.environ if env is None else env
        _refuse_blank(env)
        raw = Path(raw_dir or env.get("GOVPERF_RAW_DIR") or "data/raw").resolve()
        wh = Path(warehouse or env.get("GOVPERF_WAREHOUSE") or "data/warehouse.duckdb").resolve()
        build_env = env.get("GOVPERF_BUILD_DB") if warehouse is None else None
        build = Path(build_env).resolve() if build_env else build_state_dir(wh) / "build.duckdb"
        return cls(
            raw,
            wh,
            build,
            max_file_bytes(env),
            _storage_version(env.get("GOVPERF_STORAGE_VERSION")),
            lock_wait_seconds(env),
            *engine_setting(engine, ray_address, env),
            max_scan_bytes(env),
            parse_limits(env),
            read_limits(env),
            refresh_cron(env),
            sensor_interval(env),
        )

    def check_paths(self) -> None:
        """Refuse paths a refresh cannot use, before it does any work: a raw dir that is missing or
        holds the warehouse or build state (a refresh would ingest its own output), a warehouse
        path that is a directory, directories that do not take a new file."""
        if not self.raw_dir.is_dir():
            raise SettingError(f"raw dir {self.raw_dir} does not exist or is not a directory")
        outputs = {"the warehouse": self.warehouse, "its Data Docs": self.quality_dir,
                   "its build directory": self.build_dir}
        for what, path in outputs.items():
            if _inside(path, self.raw_dir):
                raise SettingError(f"raw dir {self.raw_dir} contains {what} ({path}): a refresh would read its "
                                   "own output; keep the warehouse outside the raw dir")
        if _inside(self.raw_dir, self.build_dir):
            raise SettingError(f"raw dir {self.raw_dir} is inside the build directory {self.build_dir}")
        if self.warehouse.is_dir():
            raise SettingError(f"warehouse {self.warehouse} is a directory; give the path of the warehouse "
                               f"file, e.g. {self.warehouse / 'warehouse.duckdb'}")
        _writable_dir(self.warehouse.parent, "warehouse directory")
        if self.build_dir.exists() and not self.build_dir.is_dir():
            set_aside(self.build_dir)  # damaged build state: kept for inspection, rebuilt
        _writable_dir(self.build_dir, "build directory")

    @property
    def build_dir(self) -> Path:
        """Directory of the build database (also holds dbt artifacts and the change cursor)."""
        return self.build_db.parent

    @property
    def quality_dir(self) -> Path:
        """Where the Great Expectations Data Docs of the published warehouse are (beside it)."""
        return self.warehouse.with_name(self.warehouse.name + ".quality")


__all__ = ["SettingError", "Settings"]
