"""Zip-bomb guard for OOXML/ODF packages: inflate every member, counting bytes, before any parser."""

from __future__ import annotations

import io
import zipfile
import zlib

from ingest.documents.limits import DocumentError

_CHUNK = 1024 * 1024


def check_package(data: bytes, max_unzipped_bytes: int, kind: str, max_xml_bytes: int | None = None) -> None:
    """Raise ``DocumentError`` unless ``data`` is a zip whose members inflate to at most the limit,
    and (with ``max_xml_bytes``) whose XML parts, the ones a parser turns into a tree in memory,
    inflate to at most that.

    Sizes are counted while actually inflating (the sizes a zip declares can lie), so a bomb fails
    within the seconds it takes to inflate up to the limit, before any parser reads it.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise DocumentError(f"corrupt {kind} (not a zip package: {exc})") from exc
    total = xml = 0
    with archive:
        for info in archive.infolist():
            is_xml = info.filename.lower().endswith((".xml", ".rels"))
            if info.file_size > max_unzipped_bytes:
                raise _bomb(kind, max_unzipped_bytes)
            if is_xml and max_xml_bytes is not None and info.file_size > max_xml_bytes:
                raise _bomb(kind, max_xml_bytes, "its XML")
            try:
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        total += len(chunk)
                        if total > max_unzipped_bytes:
                            raise _bomb(kind, max_unzipped_bytes)
                        if is_xml and max_xml_bytes is not None:
                            xml += len(chunk)
                            if xml > max_xml_bytes:
                                raise _bomb(kind, max_xml_bytes, "its XML")
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                raise DocumentError(f"corrupt {kind} (member {info.filename}: {exc})") from exc


def _bomb(kind: str, limit: int, what: str = "") -> DocumentError:
    subject = f"{kind} {what}".strip()
    return DocumentError(f"{subject} inflates to more than {limit // (1024 * 1024)} MB (zip bomb?); not read")
