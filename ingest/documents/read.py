"""One entry point for every format: bytes and a suffix in, normalised text with spans out.

``read_document`` is a pure function of its arguments (the OCR cache aside, which only saves
time), never raises on bad input, and is picklable by reference, so the orchestration can run it
in any worker pool (processes, Dagster executors, Ray tasks).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.documents.decode import decode_bytes
from ingest.documents.docx import read_docx
from ingest.documents.grids import document_grids
from ingest.documents.html import read_html
from ingest.documents.image import IMAGE_SUFFIXES, read_image
from ingest.documents.limits import DocumentError, Limits
from ingest.documents.model import Document, Span
from ingest.documents.pdf import read_pdf
from ingest.documents.render import render_placed
from ingest.documents.sheet import read_sheet
from ingest.documents.text import FlatFormReader, read_text

if TYPE_CHECKING:
    from ingest.documents.grids import Grid

TEXT_SUFFIXES = frozenset({".txt", ".md"})
SHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".shtml"})
LEGACY_WORD_SUFFIXES = frozenset({".doc", ".wps"})

# file_kind recorded in raw.raw_reports for each supported suffix.
FILE_KINDS: dict[str, str] = {
    **dict.fromkeys(TEXT_SUFFIXES, "text"),
    ".pdf": "pdf",
    ".docx": "docx",
    **dict.fromkeys(SHEET_SUFFIXES, "spreadsheet"),
    **dict.fromkeys(HTML_SUFFIXES, "html"),
    **dict.fromkeys(IMAGE_SUFFIXES, "image"),
    **dict.fromkeys(LEGACY_WORD_SUFFIXES, "legacy_word"),
}
LEGACY_WORD_REASON = ("old binary Word/WPS file ({suffix}) is not read: no maintained library reads it "
                      "reliably; open it in Word or WPS and save it as .docx or PDF")


@dataclass(frozen=True)
class DecodedDocument:
    """Text for the parser (``error`` says why there is none), the spans mapping it back to the file
    (None for plain text, whose offsets are their own provenance), what the reader noticed, and the
    document model itself (its tables as cells) when the file was read, and that document's tables
    as the parser's grids placed in the text."""

    text: str | None
    encoding: str | None
    error: str | None
    spans: tuple[Span, ...] | None = None
    notes: tuple[str, ...] = ()
    document: Document | None = None
    tables: tuple[Grid, ...] = ()


def file_kind(suffix: str) -> str:
    """The kind of file a suffix names (``unsupported`` when no reader takes it)."""
    return FILE_KINDS.get(suffix.lower(), "unsupported")


def _document(data: bytes, suffix: str, cache_dir: Path | None, limits: Limits) -> tuple[Document, str | None]:
    if suffix == ".pdf":
        return read_pdf(data, cache_dir=cache_dir, limits=limits), None
    if suffix == ".docx":
        return read_docx(data, limits=limits), None
    if suffix in SHEET_SUFFIXES:
        return read_sheet(data, suffix, limits=limits), None
    if suffix in HTML_SUFFIXES:
        return read_html(data)
    if suffix in IMAGE_SUFFIXES:
        return read_image(data, cache_dir=cache_dir, limits=limits), None
    if suffix in LEGACY_WORD_SUFFIXES:
        raise DocumentError(LEGACY_WORD_REASON.format(suffix=suffix))
    raise DocumentError(f"unsupported file type {suffix or '(no extension)'}")


def read_document(data: bytes, suffix: str, *, cache_dir: Path | None = None, limits: Limits | None = None,
                  flat_forms: FlatFormReader | None = None) -> DecodedDocument:
    """Read a file of any supported kind; failures come back as ``error``, never as an exception.
    ``flat_forms`` rebuilds the forms a text file holds flattened to one cell per line."""
    suffix = suffix.lower()
    if suffix in TEXT_SUFFIXES:
        decoded = decode_bytes(data)
        document = read_text(decoded.text, flat_forms) if decoded.text is not None else None
        if document is not None and document.notes:  # a flattened form was rebuilt into a table
            text, _, placed = render_placed(document)
            return DecodedDocument(text, decoded.encoding, None, None, document.notes, document,
                                   document_grids(document, text, placed))
        return DecodedDocument(decoded.text, decoded.encoding, decoded.error, document=document)
    if not data:
        return DecodedDocument(None, None, "empty file")
    try:
        document, encoding = _document(data, suffix, cache_dir, limits or Limits())
        text, spans, placed = render_placed(document)
        tables = document_grids(document, text, placed)
    except DocumentError as exc:
        return DecodedDocument(None, None, str(exc))
    except Exception as exc:  # a reader bug or an exotic file must not stop a refresh
        return DecodedDocument(None, None, f"reader error: {type(exc).__name__}: {exc}")
    if not text.strip():
        reason = "no text found (a scan OCR could not read?)" if "OCR'd" in " ".join(document.notes) \
            or document.kind == "image" else "no text found in the file"
        return DecodedDocument(None, encoding, reason, notes=document.notes, document=document)
    return DecodedDocument(text, encoding, None, tuple(spans), document.notes, document, tables)
