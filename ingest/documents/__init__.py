"""Documents as departments publish them (PDF, scans, DOCX, spreadsheets, HTML) read into one model.

See ``docs/documents.md``. The entry point is :func:`read_document`.
"""

from ingest.documents.limits import DocumentError, Limits
from ingest.documents.model import Block, Document, Page, Provenance, Span, TableRow
from ingest.documents.read import DecodedDocument, file_kind, read_document
from ingest.documents.render import render

__all__ = ["Block", "DecodedDocument", "Document", "DocumentError", "Limits", "Page", "Provenance", "Span",
           "TableRow", "file_kind", "read_document", "render"]
