"""Variants of a report that must parse to the same facts: other encodings, layouts, widths and units.

Used by the metamorphic parser tests (``tests/test_parser_variants.py``) and by the benchmark's corpus builder.
"""

from __future__ import annotations

import re
import textwrap
from decimal import Decimal

from ingest.text.normalise import normalise

_HALF = "0123456789%.,:;()ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FULL = "".join(chr(ord(c) + 0xFEE0) for c in _HALF)
_AMOUNT_WAN = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*万元")


def reencode(text: str, encoding: str, crlf: bool = False) -> bytes:
    """The text as bytes in another encoding (``utf-16`` writes a BOM, ``utf-16-le`` does not)."""
    if crlf:
        text = text.replace("\n", "\r\n")
    return text.encode(encoding)


def reflow(text: str, width: int, footer_every: int = 0) -> str:
    """OCR/PDF layout: every paragraph wrapped at ``width`` characters, blank lines between lines,
    a page footer ("— N —") after every ``footer_every`` lines."""
    out: list[str] = []
    page = 1
    for paragraph in normalise(text).split("\n"):
        if paragraph.startswith("|"):
            out.append(paragraph)
            continue
        for line in textwrap.wrap(paragraph, width, break_long_words=True, break_on_hyphens=False) or [""]:
            out.append(line)
            if footer_every and len(out) % footer_every == 0:
                page += 1
                out.append(f"— {page} —")
    return "\n\n".join(out)


def fullwidth(text: str) -> str:
    """Digits, Latin capitals and ASCII punctuation as their full-width forms (２０２３，９９．５％)."""
    return text.translate(str.maketrans(_HALF, _FULL))


def _format_amount(value: Decimal, separators: bool) -> str:
    text = format(value.normalize(), "f")
    if "." in text:
        whole, frac = text.split(".")
    else:
        whole, frac = text, ""
    if separators:
        whole = f"{int(whole):,}"
    return whole + ("." + frac if frac else "")


def rescale_units(text: str, unit: str) -> str:
    """Every 'N 万元' restated in 元 or 亿元 (same value, exact)."""
    factor = {"元": Decimal(10000), "亿元": Decimal("0.0001")}[unit]

    def swap(match: re.Match[str]) -> str:
        value = Decimal(match.group(1).replace(",", "")) * factor
        return _format_amount(value, separators=unit == "元") + unit

    return _AMOUNT_WAN.sub(swap, text)


def markdownify(text: str) -> str:
    """Markdown layout: 一、 headings as '##', (一) as '###', numbered items as bullets, bold problems."""
    out = []
    for line in normalise(text).split("\n"):
        if re.match(r"^[一二三四五六七八九十]+、", line):
            out.append(f"## **{line}**")
        elif re.match(r"^\([一二三四五六七八九十]+\)", line) and len(line) < 30:
            out.append(f"### {line}")
        elif re.match(r"^\d+\.", line):
            out.append(f"- {line}")
        else:
            out.append(line)
    return "\n\n".join(out)


def drop_title(text: str) -> str:
    """The report without its title line (and the attachment label above it)."""
    lines = normalise(text).split("\n")
    keep = [ln for ln in lines[:6] if not re.search(r"绩效.*报告|^附件", ln)] + lines[6:]
    return "\n".join(keep)
