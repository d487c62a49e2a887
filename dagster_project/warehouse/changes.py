"""Cheap change detection: has anything that decides the warehouse changed since the last publish?

The cursor (``<build dir>/cursor.json``) is written after every successful publish. It holds the
code fingerprint (parser package, dbt project, orchestration code), the settings and, per file under
the raw dir, its ``lstat`` signature, content hash and when that hash was taken. A later look stats
every file and trusts a stored hash only for a file it can prove unchanged (:func:`provably_unchanged`:
same size, mtime, ctime and inode, and timestamps that are neither in the future nor too close to the
hash to tell apart); every other file is hashed again, so deciding "nothing changed" costs a
directory walk and a same-size edit with its mtime put back is still seen (the kernel sets ctime on
every change, and no program can set it back). ``govperf refresh --verify`` hashes every file.
This module imports nothing heavy: the CLI and the sensor use it before loading Dagster, dbt or
Great Expectations.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dagster_project.warehouse.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("ingest", "dbt", "dagster_project")
_SKIPPED_DIRS = frozenset({"__pycache__", "target", "logs", "dbt_packages"})
_CHUNK = 1024 * 1024
CURSOR_NAME = "cursor.json"
RACY_NS = 2_000_000_000
"""A file whose mtime or ctime is this close to the moment its hash was taken (or later) may have
changed again within one timestamp tick (coarse kernel clocks; 2 s on FAT): it is hashed again."""
DUCKDB_MAGIC = b"DUCK"
"""Bytes 8–11 of every DuckDB database file."""


def _code_files(root: Path, dirs: Iterable[str]) -> list[Path]:
    files = []
    for top in dirs:
        for dirpath, dirnames, filenames in os.walk(root / top):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED_DIRS and not d.startswith("."))
            files += [Path(dirpath) / f for f in sorted(filenames) if not f.endswith(".pyc")]
    return files


def tree_fingerprint(root: Path, dirs: Iterable[str]) -> str:
    """sha256 over the relative names and bytes of every source file under ``root/<dir>``."""
    digest = hashlib.sha256()
    for path in _code_files(root, dirs):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def parser_fingerprint() -> str:
    """Fingerprint of the decoding and parsing code (the ``ingest`` package): a change re-parses every report."""
    return tree_fingerprint(REPO_ROOT, ["ingest"])


def code_fingerprint() -> str:
    """Fingerprint of everything that builds the warehouse: parser, dbt project, orchestration."""
    return tree_fingerprint(REPO_ROOT, CODE_DIRS)


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def provably_unchanged(old: list | None, signature: list, now_ns: int) -> bool:
    """Whether a file's stored state (``old``) may be reused for its ``lstat`` ``signature``
    ([kind, size, mtime_ns, inode, ctime_ns]) instead of hashing the file again.

    Only when everything the kernel says about it is the same, its hash was taken well after its
    last change (:data:`RACY_NS`), and its mtime is not in the future (a clock that cannot be
    trusted; a file stamped 2100 is hashed on every look).
    """
    if old is None or len(old) < 7 or old[:4] != signature[:4] or old[5] != signature[4]:
        return False
    _, _, mtime_ns, _, ctime_ns = signature
    hashed_at = old[6]
    return mtime_ns <= now_ns and mtime_ns < hashed_at - RACY_NS and ctime_ns < hashed_at - RACY_NS


def file_states(raw_dir: Path, previous: dict[str, list] | None = None) -> dict[str, list]:
    """Every entry under ``raw_dir``: name → [kind, size, mtime_ns, inode, sha256 or error, ctime_ns,
    hashed_at_ns].

    Regular files are hashed unless :func:`provably_unchanged` from their state in ``previous``
    (``None``: hash everything, ``govperf refresh --verify``); other entries (symlinks, FIFOs, …)
    are recorded by their ``lstat`` alone and never opened. Names that are not valid UTF-8 keep
    their surrogate escapes. Paths stay strings (a ``Path`` per file would cost more than its
    ``lstat``).
    """
    previous = previous or {}
    states: dict[str, list] = {}
    root = os.fspath(raw_dir)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        prefix = "" if dirpath == root else os.path.relpath(dirpath, root).replace(os.sep, "/") + "/"
        for name in [*filenames, *(d for d in dirnames if os.path.islink(os.path.join(dirpath, d)))]:
            path = os.path.join(dirpath, name)
            rel = prefix + name
            try:
                st = os.lstat(path)
            except OSError as exc:
                states[rel] = ["gone", 0, 0, 0, type(exc).__name__, 0, 0]
                continue
            kind = "file" if stat.S_ISREG(st.st_mode) else "link" if stat.S_ISLNK(st.st_mode) else "other"
            signature = [kind, st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
            now_ns = time.time_ns()
            old = previous.get(rel)
            if provably_unchanged(old, signature, now_ns):
                states[rel] = old
                continue
            content = ""
            if kind == "file":
                try:
                    content = _sha256(path)
                except OSError as exc:
                    content = type(exc).__name__
            elif kind == "link":
                content = os.readlink(path)
            states[rel] = [*signature[:4], content, signature[4], now_ns]
    return states


@dataclass(frozen=True)
class Cursor:
    """What the last successful publish was built from."""

    code: str
    settings: dict[str, str]
    files: dict[str, list]

    def digest(self) -> str:
        """A short hash of code, settings and file contents (what a run request is keyed on)."""
        contents = sorted((name, state[0], state[4]) for name, state in self.files.items())
        payload = json.dumps([self.code, self.settings, contents], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def same_input(self, other: Cursor) -> bool:
        """True when code, settings and every file's content are the same (signatures may differ)."""
        if self.code != other.code or self.settings != other.settings or self.files.keys() != other.files.keys():
            return False
        return all(
            self.files[name][0] == other.files[name][0] and self.files[name][4] == other.files[name][4]
            for name in self.files
        )


def _settings_key(settings: Settings) -> dict[str, str]:
    return {
        "raw_dir": str(settings.raw_dir),
        "warehouse": str(settings.warehouse),
        "max_file_bytes": str(settings.max_file_bytes),
        "max_scan_bytes": str(settings.max_scan_bytes),
        "storage_version": settings.storage_version,
    }


def cursor_path(settings: Settings) -> Path:
    """Where the cursor of this warehouse is kept."""
    return settings.build_dir / CURSOR_NAME


def _pending_path(settings: Settings) -> Path:
    return cursor_path(settings).with_name("cursor.pending.json")


def _read(path: Path) -> Cursor | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Cursor(data["code"], data["settings"], data["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_cursor(settings: Settings) -> Cursor | None:
    """The stored cursor, or None when there is none or it cannot be read."""
    return _read(cursor_path(settings))


def _scan_path(settings: Settings) -> Path:
    return cursor_path(settings).with_name("cursor.scan.json")


def keep_scan(settings: Settings, cursor: Cursor) -> None:
    """Keep the file hashes of a change scan that found a change, for the refresh that follows.

    A cache only, never committed as the cursor (a refresh holding the lock may be running), and
    best effort: when it cannot be written the refresh hashes the files itself (and reports why it
    cannot write there)."""
    with contextlib.suppress(OSError):
        _write(_scan_path(settings), cursor)


def latest_hashes(settings: Settings) -> Cursor | None:
    """The freshest file hashes at hand: the last change scan's (:func:`keep_scan`), else the stored
    cursor's. Only for :func:`current_cursor`'s reuse of hashes, which checks every file's ``lstat``
    signature first; never to decide whether anything changed."""
    return _read(_scan_path(settings)) or read_cursor(settings)


def current_cursor(settings: Settings, previous: Cursor | None = None) -> Cursor:
    """The cursor the raw dir and code would give now (hashing every file ``previous`` cannot prove
    unchanged; all of them without ``previous``)."""
    files = file_states(settings.raw_dir, previous.files if previous else None)
    return Cursor(code_fingerprint(), _settings_key(settings), files)


def known_hashes(cursor: Cursor) -> dict[str, tuple[int, str]]:
    """Size and sha256 of every regular file the cursor hashed (for ``ingest.files.raw.scan_raw_dir``)."""
    return {
        name: (state[1], state[4]) for name, state in cursor.files.items() if state[0] == "file" and len(state[4]) == 64
    }


def _write(path: Path, cursor: Cursor) -> None:
    """Store ``cursor`` at ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    payload = {"code": cursor.code, "settings": cursor.settings, "files": cursor.files}
    tmp.write_text(json.dumps(payload, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def looks_like_duckdb(path: Path) -> bool:
    """Whether ``path`` is a regular file that starts like a DuckDB database (a cheap look at its
    header, not a proof that every block is sound)."""
    try:
        with open(path, "rb") as fh:
            return stat.S_ISREG(os.fstat(fh.fileno()).st_mode) and fh.read(12)[8:12] == DUCKDB_MAGIC
    except OSError:
        return False


def published_intact(settings: Settings) -> bool:
    """Whether both published files are there and start like DuckDB databases (else a refresh
    publishes them again, even when no input changed)."""
    internal = settings.warehouse.with_name(settings.warehouse.name + ".internal.duckdb")
    return looks_like_duckdb(settings.warehouse) and looks_like_duckdb(internal)


def nothing_changed(settings: Settings, verify: bool = False) -> tuple[bool, Cursor]:
    """Whether the published warehouse is up to date with the raw dir and code, and the current
    cursor; ``verify`` hashes every file instead of trusting the stored hashes of unchanged ones."""
    previous = read_cursor(settings)
    current = current_cursor(settings, None if verify else previous)
    up_to_date = previous is not None and published_intact(settings) and previous.same_input(current)
    return up_to_date, current


def write_pending_cursor(settings: Settings, cursor: Cursor) -> None:
    """Store the cursor of the input a refresh is reading; it becomes current when that refresh publishes."""
    _write(_pending_path(settings), cursor)


def commit_pending_cursor(settings: Settings) -> None:
    """After a publish: the pending cursor becomes the cursor (atomic rename)."""
    pending = _pending_path(settings)
    if pending.exists():
        os.replace(pending, cursor_path(settings))
