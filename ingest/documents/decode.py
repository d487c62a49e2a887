"""Bytes to text: detect the encoding of a report (UTF-8 with/without BOM, UTF-16, GB18030/GBK, Big5)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# Share of Chinese characters above which BOM-less, NUL-less bytes are taken as UTF-16.
_CJK_SHARE = 0.9
# Traditional-script reports (Taiwan, Hong Kong, Macau) come in Big5; HKSCS is its superset.
_BIG5 = "big5hkscs"


@dataclass(frozen=True)
class Decoded:
    """Result of decoding: ``text`` and ``encoding`` on success, else ``error`` (a readable reason)."""

    text: str | None
    encoding: str | None
    error: str | None


def _utf16_without_bom(data: bytes) -> str | None:
    """Guess UTF-16 without BOM from where the NUL bytes fall (ASCII and CJK both leave many)."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if odd >= 2 and even * 10 <= odd:
        return "utf-16-le"
    if even >= 2 and odd * 10 <= even:
        return "utf-16-be"
    return None


def _cjk_share(text: str) -> float:
    """Share of characters that are Chinese, CJK/full-width punctuation or whitespace."""
    if not text:
        return 0.0
    hits = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f"
               or "\uff00" <= ch <= "\uffef" or ch.isspace())
    return hits / len(text)


def _utf16_all_cjk(data: bytes) -> str | None:
    """UTF-16 without BOM and without ASCII (so without NUL bytes): the byte order under which
    nearly every character is Chinese text. GB18030 read as UTF-16 lands well under half."""
    if len(data) < 4 or len(data) % 2:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _cjk_share(text) >= _CJK_SHARE:
            return encoding
    return None


def _looks_binary(text: str) -> bool:
    """Control characters other than whitespace mean a binary file decoded by accident."""
    bad = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return bad > 0


def decode_bytes(data: bytes) -> Decoded:
    """Decode report bytes, trying BOMs, UTF-16 by its NUL bytes, UTF-8, all-Chinese UTF-16, then
    GB18030 or Big5 (:func:`_chinese_double_byte`) in that order."""
    if not data.strip():
        return Decoded(None, None, "empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                return Decoded(None, None, f"undecodable bytes at offset {exc.start} ({encoding} with BOM)")
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return _checked(data.decode(utf16), utf16)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        return Decoded(None, None, "binary file (contains NUL bytes), not a text report")
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as utf8_exc:
        cjk16 = _utf16_all_cjk(data)
        if cjk16:
            return _checked(data.decode(cjk16), cjk16)
        return _chinese_double_byte(data, utf8_exc.start)


def _chinese_double_byte(data: bytes, utf8_error_at: int) -> Decoded:
    """GB18030 (simplified script) or Big5 (traditional). Most GB texts are no valid Big5 and
    Big5 texts are nearly always valid GB18030 (as nonsense); when both decode, charset-normalizer's
    language coherence picks the one that reads as Chinese."""
    candidates: dict[str, str] = {}
    errors: list[int] = [utf8_error_at]
    for encoding in ("gb18030", _BIG5):
        try:
            candidates[encoding] = data.decode(encoding)
        except UnicodeDecodeError as exc:
            errors.append(exc.start)
    if not candidates:
        return Decoded(None, None, f"undecodable bytes at offset {max(errors)} "
                                   "(neither UTF-8, UTF-16, GB18030 nor Big5)")
    if len(candidates) == 2:
        from charset_normalizer import from_bytes

        best = from_bytes(data, cp_isolation=["gb18030", "big5"]).best()
        chosen = _BIG5 if best is not None and best.encoding.startswith("big5") else "gb18030"
    else:
        (chosen,) = candidates
    return _checked(candidates[chosen], chosen)


def _checked(text: str, encoding: str) -> Decoded:
    if _looks_binary(text):
        return Decoded(None, encoding, "binary file (control bytes), not a text report")
    if not text.strip():
        return Decoded(None, encoding, "empty file")
    return Decoded(text, encoding, None)
