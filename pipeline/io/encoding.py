"""Which bytes are text: UTF-16/32 by byte-order mark or NUL-byte pattern, and text too garbled to label.

Checks run once per file (the encoding, on its first 4 KB) or once per record (one precompiled
regular-expression scan), never per token. See docs/bad-input.md for the rules.
"""
from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from typing import BinaryIO

SNIFF_BYTES = 4096
MAX_CONTROL_SHARE = 0.05  # a report with more control characters / undecodable bytes than this is garbled
# Characters that show nothing: whitespace, NUL and other C0 controls, zero-width ones, the BOM.
INVISIBLE = "".join(map(chr, range(0x21))) + "\x7f\x85\xa0\u1680\u180e" + "".join(map(chr, range(0x2000, 0x2010))) + "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u202f\u205f\u2060\u2066\u2067\u2068\u2069\u3000\ufeff\xad"
_GARBLED = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\ufffe\uffff]")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _mostly_zero(data: bytes) -> bool:
    return bool(data) and data.count(0) >= 0.6 * len(data)


def _hardly_zero(data: bytes) -> bool:
    return data.count(0) <= 0.1 * len(data)


def sniff_wide(head: bytes) -> tuple[str, str] | None:
    """(codec, how it was told) for UTF-16/UTF-32 bytes, by byte-order mark or by where the NULs are; else None."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec, "byte-order mark"
    sample = head[:SNIFF_BYTES]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:  # ASCII text in UTF-16 is half NULs
        return None
    sample = sample[: len(sample) // 4 * 4]
    lanes = [sample[i::4] for i in range(4)]
    if all(map(_mostly_zero, lanes[1:])) and _hardly_zero(lanes[0]):
        return "utf-32-le", "NUL-byte pattern"
    if all(map(_mostly_zero, lanes[:3])) and _hardly_zero(lanes[3]):
        return "utf-32-be", "NUL-byte pattern"
    odd, even = sample[1::2], sample[0::2]
    if _mostly_zero(odd) and _hardly_zero(even):
        return "utf-16-le", "NUL-byte pattern"
    if _mostly_zero(even) and _hardly_zero(odd):
        return "utf-16-be", "NUL-byte pattern"
    return None


def decode_wide(raw: bytes, codec: str) -> tuple[str, bool]:
    """Decode UTF-16/32 bytes; the flag says whether some bytes were invalid (replaced by U+FFFD)."""
    try:
        return raw.decode(codec), False
    except UnicodeDecodeError:
        return raw.decode(codec, "replace"), True


def garbled(text: str) -> str | None:
    """Why a text is too garbled to label (binary bytes, control characters), or None.

    Blank text (nothing visible at all) is left to the extractor, which calls it blank.
    """
    found = _GARBLED.findall(text)
    if len(found) <= MAX_CONTROL_SHARE * len(text) or not text.strip(INVISIBLE):
        return None
    return (f"unreadable text: {len(found)} of its {len(text)} characters are control characters or undecodable bytes "
            "(a binary file, or text in an encoding that could not be recognised)")


class WideLines:
    """A UTF-16/32 byte stream seen as UTF-8 lines (what the line readers expect); ``read`` for counting."""

    def __init__(self, handle: BinaryIO, codec: str) -> None:
        self._text = io.TextIOWrapper(handle, encoding=codec, errors="replace", newline="\n")

    def __iter__(self) -> Iterator[bytes]:
        return (line.encode("utf-8", "surrogatepass") for line in self._text)

    def read(self, size: int = -1) -> bytes:
        return self._text.read(size).encode("utf-8", "surrogatepass")

    def detach(self) -> None:
        """Let go of the byte stream without closing it (the reader closes it, or leaves stdin open)."""
        self._text.detach()
