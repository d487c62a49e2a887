"""Scan the raw dir: one report per file, recorded with name, size, hash and why it cannot be read.

Scanning hashes every file (streamed, never read whole) but decodes nothing; decoding is a separate
step (:func:`decode_raw_file`) so that an incremental refresh only decodes new or changed files.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ingest.documents import Limits, Span, file_kind, read_document
from ingest.documents.decode import decode_bytes
from ingest.documents.grids import Grid
from ingest.documents.read import LEGACY_WORD_REASON
from ingest.facts.tables import flat_tables
from ingest.files.manifest import Manifest, read_manifest_text
from ingest.runtime.limits import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_SCAN_BYTES
from ingest.runtime.pool import Limits as PoolLimits
from ingest.runtime.pool import Remote, run_limited
from ingest.schema import ReportInput

MANIFEST_NAME = "manifest.csv"
_CHUNK = 1024 * 1024
_EMPTY_SHA = hashlib.sha256(b"").hexdigest()
_UNREADABLE = frozenset({"unsupported", "legacy_word"})
"""File kinds no reader takes: never read, never a duplicate's original."""
_OCR_KINDS = frozenset({"pdf", "image"})
"""File kinds that may be scans: their own size cap, and OCR (a GPU helps)."""


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
    """Decoded text of a raw file, or the reason it could not be decoded; ``spans`` map the text
    back to pages and positions of a document (None for plain text); ``tables`` are the document's
    tables as grids placed in the text."""

    text: str | None
    encoding: str | None
    decode_error: str | None
    spans: tuple[Span, ...] | None = None
    tables: tuple[Grid, ...] = ()


def report_id_for(content_sha256: str, source_file: str) -> str:
    """The report id of a file: first 16 hex of sha256(content_sha256 + ':' + source_file)."""
    return hashlib.sha256(f"{content_sha256}:{source_file}".encode()).hexdigest()[:16]


def format_size(n_bytes: int) -> str:
    """A size limit in words: ``20 MB``, ``64 KB`` or ``1000 bytes``."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n_bytes >= factor and n_bytes % factor == 0:
            return f"{n_bytes // factor} {unit}"
    return f"{n_bytes} bytes"


def display_name(name: str) -> str:
    """A file name as text that can be stored and shown: bytes that are not UTF-8 (held by Python
    as surrogate escapes) become ``\\xNN``."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _entry_failure(raw_dir: Path, name: str) -> tuple[Path, str | None]:
    """The path to read for ``name`` and, when it cannot be read as a report, why.

    Symlinks are followed only to a regular file inside the raw dir; named pipes, sockets and
    devices are never opened."""
    path = raw_dir / name
    if name != display_name(name):
        return path, "file name is not valid UTF-8 (shown with \\x escapes); rename the file"
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            try:
                info = os.stat(path)
            except FileNotFoundError:
                return path, f"broken symlink (its target {display_name(os.readlink(path))} does not exist)"
            target = os.path.realpath(path)
            outside = not _inside(target, os.path.realpath(raw_dir))
            if stat.S_ISDIR(info.st_mode):
                where = " outside the raw dir" if outside else ""
                return path, f"symlink to a directory{where}; not followed (symlinks are followed only to files)"
            if outside:
                return path, "symlink to a file outside the raw dir; not followed (copy the file in instead)"
            path = Path(target)
        if not stat.S_ISREG(info.st_mode):
            return path, f"not a regular file ({_kind_of(info.st_mode)}); only files are read"
    except OSError as exc:
        return path, _os_reason(exc)
    return path, None


def _kind_of(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "named pipe"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "device"),
                       (stat.S_ISBLK, "device"), (stat.S_ISDIR, "directory")):
        if test(mode):
            return kind
    return "special file"


def _os_reason(exc: OSError) -> str:
    """An OS error as an actionable reason."""
    if isinstance(exc, FileNotFoundError):
        return "file disappeared while the raw dir was read; it is read again on the next refresh"
    if isinstance(exc, PermissionError):
        return "file cannot be read: permission denied (make it readable by the refresh)"
    if exc.errno == errno.ELOOP:
        return "symlink loop; not followed"
    return f"file cannot be read: {exc.strerror or type(exc).__name__}"


def _read_regular(path: Path, keep: bool) -> tuple[int, str, bytes | None]:
    """Size, sha256 and (when ``keep``) the bytes of a regular file, from one read (streamed for
    the hash). A file swapped for a pipe or device after the scan looked is refused, not read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, f"not a regular file ({_kind_of(info.st_mode)})")
        digest, chunks, size = hashlib.sha256(), [], 0
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if keep:
                chunks.append(chunk)
    return size, digest.hexdigest(), b"".join(chunks) if keep else None


def _walk(raw_dir: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """Relative POSIX names of every entry under ``raw_dir`` that is not a directory (symlinks to
    directories included, not followed), sorted; and directories that could not be listed."""
    names: list[str] = []
    unlisted: list[tuple[str, str]] = []

    def listed_error(exc: OSError) -> None:
        rel = Path(exc.filename or raw_dir).relative_to(raw_dir).as_posix()
        unlisted.append((rel, f"directory cannot be listed: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(raw_dir, onerror=listed_error):
        dirnames.sort()
        rel_dir = PurePosixPath(Path(dirpath).relative_to(raw_dir).as_posix())
        linked_dirs = [d for d in dirnames if (Path(dirpath) / d).is_symlink()]
        for filename in [*filenames, *linked_dirs]:
            names.append(str(rel_dir / filename) if str(rel_dir) != "." else filename)
    return sorted(names), unlisted


def read_manifest(raw_dir: Path) -> Manifest:
    """``<raw_dir>/manifest.csv``: its rows keyed by the ``file`` column, and its problems."""
    path = raw_dir / MANIFEST_NAME
    if not path.is_file():
        return Manifest()
    try:
        decoded = decode_bytes(path.read_bytes())
    except OSError as exc:
        return Manifest(problems=[_os_reason(exc)])
    if decoded.text is None:
        return Manifest(problems=[decoded.error or "cannot be decoded"])
    return read_manifest_text(decoded.text)


def _canonical(names: list[str], sha: str, known: Collection[str], links: Collection[str]) -> str:
    """Which of several files with the same content is the report: a real file before a symlink to
    it, then the one the warehouse already holds (by report id), then the first by name."""
    return min(names, key=lambda n: (n in links, report_id_for(sha, n) not in known, n))


def scan_raw_dir(
    raw_dir: Path,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    known_report_ids: Collection[str] = frozenset(),
    known_hashes: Mapping[str, tuple[int, str]] | None = None,
    max_scan_bytes: int = DEFAULT_MAX_SCAN_BYTES,
) -> list[RawFile]:
    """Every entry under ``raw_dir``, sorted by name; never raises for one entry.

    Each file becomes a :class:`RawFile`; one that cannot be read as a report (unreadable, a pipe,
    a symlink leading outside the raw dir, a name that is not UTF-8 …) carries its reason. A root
    ``manifest.csv`` is no report, unless it has problems: then it is listed, failed, with them.
    Among files with the same content the one in ``known_report_ids`` (the warehouse's present,
    non-duplicate reports) stays the report and the others are its duplicates; with none known
    the first by name is. Files over ``max_file_bytes`` (PDFs and images: ``max_scan_bytes``) are
    failed unread. ``known_hashes`` (name → size and sha256, from a change scan that has just
    found the file's ``lstat`` signature unchanged) spares reading those files again.
    """
    known_hashes = known_hashes or {}
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw dir {raw_dir} does not exist or is not a directory")
    manifest = read_manifest(raw_dir)
    names, unlisted = _walk(raw_dir)
    scanned: list[tuple[str, Path, int, str, str | None]] = []
    for name, reason in unlisted:
        scanned.append((name, raw_dir / name, 0, _EMPTY_SHA, reason))
    for name in names:
        if name == MANIFEST_NAME:
            continue
        path, failure = _entry_failure(raw_dir, name)
        size, sha = 0, _EMPTY_SHA
        if failure is None and name in known_hashes:
            size, sha = known_hashes[name]
        elif failure is None:
            try:
                size, sha, _ = _read_regular(path, keep=False)
            except OSError as exc:
                failure = _os_reason(exc)
        scanned.append((name, path, size, sha, failure))
    by_hash: dict[str, list[str]] = {}
    for name, _, size, sha, failure in sorted(scanned):
        if size and failure is None and file_kind(PurePosixPath(name).suffix.lower()) not in _UNREADABLE:
            by_hash.setdefault(sha, []).append(name)
    links = {name for name, path, *_ in scanned if path != raw_dir / name}
    canonical = {sha: _canonical(group, sha, known_report_ids, links) for sha, group in by_hash.items()}
    files = []
    for name, path, size, sha, failure in sorted(scanned):
        suffix = PurePosixPath(name).suffix.lower()
        kind = file_kind(suffix)
        first = canonical.get(sha) if failure is None and kind not in _UNREADABLE and size else None
        cap = max_scan_bytes if kind in _OCR_KINDS else max_file_bytes
        if failure is not None:
            pass
        elif size > cap:
            failure = f"file exceeds {format_size(cap)} limit"
        elif kind == "unsupported":
            failure = f"unsupported file type {suffix or '(no extension)'}"
        elif kind == "legacy_word":
            failure = LEGACY_WORD_REASON.format(suffix=suffix)
        elif first is not None and first != name:
            failure = f"duplicate of {display_name(first)}"
        duplicate_of = report_id_for(sha, display_name(first)) if first is not None and first != name else None
        files.append(RawFile(display_name(name), path, size, sha, kind, failure, duplicate_of,
                             manifest.rows.get(display_name(name))))
    reason = manifest.failure()
    if reason is not None:
        path = raw_dir / MANIFEST_NAME
        files.append(RawFile(MANIFEST_NAME, path, _size(path), _EMPTY_SHA, "manifest", reason, None, None))
        files.sort(key=lambda f: f.source_file)
    return files


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _verified_bytes(raw: RawFile) -> tuple[bytes | None, str | None]:
    """The file's bytes when they still hash to what the scan saw, else None and why."""
    try:
        _, sha, data = _read_regular(raw.path, keep=True)
    except OSError as exc:
        return None, _os_reason(exc)
    if sha != raw.content_sha256 or data is None:
        return None, "file changed while the refresh read it; it is read again on the next refresh"
    return data, None


def decode_raw_file(raw: RawFile, *, cache_dir: Path | None = None, limits: Limits | None = None) -> DecodedFile:
    """Read a scanned file with the reader its suffix names (``ingest.documents.read_document``);
    files with a known failure are not read. ``cache_dir`` keeps OCR results between refreshes.

    The bytes are read once, hashed and decoded: when they no longer hash to what the scan saw
    (rewritten meanwhile) or cannot be read, the text is refused with the reason, so a stored
    text always belongs to its stored hash."""
    if raw.failure is not None:
        return DecodedFile(None, None, None)
    data, error = _verified_bytes(raw)
    return _read(raw, data, error, cache_dir=cache_dir, limits=limits)


def _read(raw: RawFile, data: bytes | None, error: str | None, *, cache_dir: Path | None = None,
          limits: Limits | None = None) -> DecodedFile:
    """The file's bytes read by the reader its suffix names (or ``error`` when there are none)."""
    if data is None:
        return DecodedFile(None, None, error)
    decoded = read_document(data, PurePosixPath(raw.source_file).suffix.lower(), cache_dir=cache_dir, limits=limits,
                            flat_forms=flat_tables)
    return DecodedFile(decoded.text, decoded.encoding, decoded.error, decoded.spans, decoded.tables)


_WORKER_KINDS = frozenset({"pdf", "image", "docx", "spreadsheet", "html"})
"""File kinds whose reading is expensive (layout, OCR, unzipping): read in worker processes."""


def _decode_in_worker(item: tuple[RawFile, Path | None]) -> DecodedFile:
    raw, cache_dir = item
    return decode_raw_file(raw, cache_dir=cache_dir)


def _decode_shipped(item: tuple[RawFile, bytes | None, str | None]) -> DecodedFile:
    """Read a document from the bytes the refresh sent (a node of a cluster has no raw dir)."""
    return _read(*item)


def _with_bytes(item: tuple[RawFile, Path | None]) -> tuple[RawFile, bytes | None, str | None]:
    """A document as a node of a cluster reads it: its bytes, read and checked here, no OCR cache."""
    raw, _ = item
    return (raw, *_verified_bytes(raw))


def _may_ocr(item: tuple[RawFile, Path | None]) -> bool:
    return item[0].file_kind in _OCR_KINDS


_REMOTE = Remote(ship=_with_bytes, run=_decode_shipped, per_task=1, gpu=_may_ocr)


def decode_raw_files(
    raws: Sequence[RawFile],
    *,
    cache_dir: Path | None = None,
    limits: PoolLimits | None = None,
    workers: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[DecodedFile]:
    """Decode scanned files, in order: text here, documents in worker processes each under ``limits``.

    A document whose reading runs out of time or memory is not read (``reading exceeded 600 s``) and
    the others go on; ``limits=None`` reads everything in this process (tests).
    """
    out: list[DecodedFile | None] = [None] * len(raws)
    heavy = [i for i, raw in enumerate(raws) if raw.failure is None and raw.file_kind in _WORKER_KINDS]
    if limits is not None and heavy:
        items = [(raws[i], cache_dir) for i in heavy]
        for outcome in run_limited(_decode_in_worker, items, limits, workers, on_progress, what="reading",
                                   remote=_REMOTE):
            index = heavy[outcome.index]
            out[index] = outcome.value if outcome.value is not None else DecodedFile(None, None, outcome.failure)
    return [decoded or decode_raw_file(raws[i], cache_dir=cache_dir) for i, decoded in enumerate(out)]


def report_input(
    report_id: str,
    source_file: str,
    text: str | None,
    failure: str | None,
    manifest: Mapping[str, str] | None,
    spans: tuple[Span, ...] | None = None,
    tables: tuple[Grid, ...] = (),
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
        spans=spans if failure is None else None,
        tables=tables if failure is None else (),
    )
