"""Zip-bomb guard for OOXML/ODF packages: inflate every member, counting bytes, before any parser."""

from __future__ import annotations

import io
import zipfile
import zlib

from ingest.documents.limits import DocumentError

_CHUNK = 1024 * 1024


def check_package(data: bytes, max_unzipped_bytes: int, kind: str) -> None:
    """Raise ``DocumentError`` unless ``data`` is a zip whose members inflate to at most the limit.

    Sizes are counted while actually inflating (the sizes a zip declares can lie).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise DocumentError(f"corrupt {kind} (not a zip package: {exc})") from exc
    total = 0
    with archive:
        for info in archive.infolist():
            if info.file_size > max_unzipped_bytes:
                raise _bomb(kind, max_unzipped_bytes)
            try:
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        total += len(chunk)
                        if total > max_unzipped_bytes:
                            raise _bomb(kind, max_unzipped_bytes)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                raise DocumentError(f"corrupt {kind} (member {info.filename}: {exc})") from exc


def _bomb(kind: str, limit: int) -> DocumentError:
    return DocumentError(f"{kind} inflates to more than {limit // (1024 * 1024)} MB (zip bomb?); not read")
