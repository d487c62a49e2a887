"""Limits that keep a hostile or broken file from stopping a refresh, and the error readers raise."""

from __future__ import annotations

from dataclasses import dataclass


class DocumentError(Exception):
    """A file that cannot be read; the message is the user-facing ``failed`` reason."""


@dataclass(frozen=True)
class Limits:
    """Caps applied by every reader (defaults fit the largest real reports seen, with a wide margin).

    * ``max_pages``: pages read per PDF; a longer file fails (a page-count bomb).
    * ``max_page_side_pt``: a PDF page wider or taller than this (points) fails (a page-size bomb);
      5000 pt is about 1.76 m, the largest sheet a report could plausibly print.
    * ``max_unzipped_bytes``: total uncompressed size of a DOCX/XLSX/ODS package, measured by
      actually inflating it before any parser opens it (a zip bomb).
    * ``max_unzipped_xml_bytes``: total uncompressed size of the XML parts of a DOCX (the parser
      holds them as trees in memory: a report's text is a few MB of XML, a hundred times that costs
      gigabytes before the parser fails), also measured by inflating.
    * ``max_sheet_cells``: cells (rows × columns of a sheet's used range) per sheet; a real 自评表 has
      a few thousand, a sheet with a value in A1 and A1000000 has a million (refused before opening).
    * ``max_image_pixels``: pixels of an image handed to OCR.
    * ``ocr``: whether scanned pages are OCR'd at all; ``ocr_dpi`` the resolution they are rendered at;
      ``low_confidence`` the recogniser score under which a block is flagged.
    """

    max_pages: int = 300
    max_page_side_pt: float = 5000.0
    max_unzipped_bytes: int = 200 * 1024 * 1024
    max_unzipped_xml_bytes: int = 64 * 1024 * 1024
    max_sheet_cells: int = 200_000
    max_image_pixels: int = 60_000_000
    ocr: bool = True
    ocr_dpi: int = 150
    low_confidence: float = 0.85
