"""Scan the raw dir: one report per file, recorded with name, size, hash and why it cannot be read.

Scanning hashes every file (streamed, never read whole) but decodes nothing; decoding is a separate
step (:func:`decode_raw_file`) so that an incremental refresh only decodes new or changed files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ingest.decode import decode_bytes
from ingest.limits import DEFAULT_MAX_FILE_BYTES
from ingest.parse import ReportInput

MANIFEST_NAME = "manifest.csv"
TEXT_SUFFIXES = frozenset({".txt", ".md"})

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class RawFile:
    """One file under the raw dir, as scanned (hashed, classified, not decoded).

    ``failure`` is the reason the file cannot be parsed when it is known without decoding
    (unsupported type, over the size limit, duplicate content); ``duplicate_of`` is the report id
    of the first file (by name) with the same content; ``fingerprint`` changes whenever
    anything that decides how the file is parsed changes (content, name, manifest row, failure).
    """

    source_file: str
    path: Path
    size_bytes: int
    content_sha256: str
    file_kind: str
    failure: str | None
    duplicate_of: str | None
    manifest: Mapping[str, str] | None

    @property
    def report_id(self) -> str:
        """Stable id from content and name: first 16 hex of sha256(content_sha256 + ':' + name)."""
        return report_id_for(self.content_sha256, self.source_file)

    @property
    def manifest_json(self) -> str | None:
        """The manifest row as canonical JSON, or None."""
        return json.dumps(dict(self.manifest), ensure_ascii=False, sort_keys=True) if self.manifest else None

    @property
    def fingerprint(self) -> str:
        """Hash of everything that decides how this file is parsed."""
        parts = [self.content_sha256, self.source_file, self.manifest_json or "", self.failure or ""]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class DecodedFile:
    """Decoded text of a raw file, or the reason it could not be decoded."""

    text: str | None
    encoding: str | None
    decode_error: str | None


def report_id_for(content_sha256: str, source_file: str) -> str:
    """The report id of a file: first 16 hex of sha256(content_sha256 + ':' + source_file)."""
    return hashlib.sha256(f"{content_sha256}:{source_file}".encode()).hexdigest()[:16]


def format_size(n_bytes: int) -> str:
    """A size limit in words: ``20 MB``, ``64 KB`` or ``1000 bytes``."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n_bytes >= factor and n_bytes % factor == 0:
            return f"{n_bytes // factor} {unit}"
    return f"{n_bytes} bytes"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _walk(raw_dir: Path) -> list[str]:
    """Relative POSIX names of every regular file under ``raw_dir``, sorted."""
    names = []
    for dirpath, dirnames, filenames in os.walk(raw_dir):
        dirnames.sort()
        rel_dir = PurePosixPath(Path(dirpath).relative_to(raw_dir).as_posix())
        for filename in filenames:
            if (Path(dirpath) / filename).is_file():
                names.append(str(rel_dir / filename) if str(rel_dir) != "." else filename)
    return sorted(names)


def read_manifest(raw_dir: Path) -> dict[str, dict[str, str]]:
    """Rows of ``<raw_dir>/manifest.csv`` keyed by its ``file`` column (empty cells dropped)."""
    path = raw_dir / MANIFEST_NAME
    if not path.is_file():
        return {}
    decoded = decode_bytes(path.read_bytes())
    if decoded.text is None:
        raise ValueError(f"{path}: {decoded.error}")
    reader = csv.DictReader(io.StringIO(decoded.text))
    if not reader.fieldnames or "file" not in [f.strip() for f in reader.fieldnames]:
        raise ValueError(f"{path}: needs a 'file' column naming each report relative to the raw dir")
    rows: dict[str, dict[str, str]] = {}
    for row in reader:
        clean = {k.strip(): v.strip() for k, v in row.items() if k and v is not None and v.strip()}
        name = clean.pop("file", None)
        if name:
            rows[PurePosixPath(name.replace("\\", "/")).as_posix()] = clean
    return rows


def scan_raw_dir(raw_dir: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[RawFile]:
    """Every file under ``raw_dir`` (except a root ``manifest.csv``), sorted by name."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw dir {raw_dir} does not exist or is not a directory")
    manifest = read_manifest(raw_dir)
    first_by_hash: dict[str, str] = {}
    files = []
    for name in _walk(raw_dir):
        if name == MANIFEST_NAME:
            continue
        path = raw_dir / name
        size = path.stat().st_size
        sha = _sha256_file(path)
        suffix = PurePosixPath(name).suffix.lower()
        kind = "text" if suffix in TEXT_SUFFIXES else "unsupported"
        first = first_by_hash.get(sha) if size else None
        if size and first is None:
            first_by_hash[sha] = name
        if size > max_file_bytes:
            failure = f"file exceeds {format_size(max_file_bytes)} limit"
        elif kind == "unsupported":
            failure = f"unsupported file type {suffix or '(no extension)'}"
        elif first is not None:
            failure = f"duplicate of {first}"
        else:
            failure = None
        duplicate_of = report_id_for(sha, first) if first is not None else None
        files.append(RawFile(name, path, size, sha, kind, failure, duplicate_of, manifest.get(name)))
    return files


def decode_raw_file(raw: RawFile) -> DecodedFile:
    """Decode a scanned text file; files with a known failure are not read."""
    if raw.failure is not None:
        return DecodedFile(None, None, None)
    decoded = decode_bytes(raw.path.read_bytes())
    return DecodedFile(decoded.text, decoded.encoding, decoded.error)


def report_input(
    report_id: str,
    source_file: str,
    text: str | None,
    failure: str | None,
    manifest: Mapping[str, str] | None,
) -> ReportInput:
    """The parser's input for one report; ``failure`` is set whenever there is no text."""
    if text is None and failure is None:
        failure = "no text could be read from the file"
    return ReportInput(
        report_id=report_id,
        source_file=source_file,
        text=text if failure is None else None,
        failure=failure,
        manifest=manifest,
    )
