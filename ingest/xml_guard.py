"""Refuse DTDs and entity declarations in the XML parts of an Office file, whatever their encoding.

An XML parser reads UTF-8, UTF-16 and UTF-32, with or without a byte-order mark (XML 1.0,
appendix F): a byte scan for ``<!DOCTYPE`` in ASCII and UTF-16 alone lets a UTF-32
``document.xml`` with an internal DTD through. Each part is therefore decoded the way the parser
will decode it — BOM first, then the layout of its first ``<``, then the declared ``encoding=``
— and the decoded text is searched; a part in any other encoding is refused (Office writes UTF-8,
sometimes UTF-16).

    >>> detect_encoding('<?xml version="1.0"?><a/>'.encode("utf-32-le"))
    'utf-32-le'
"""
from __future__ import annotations

import codecs
import re
from typing import IO, Any, Callable

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))  # UTF-32 LE before UTF-16 LE
_FIRST_LT = ((b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"), (b"\x00<\x00", "utf-16-be"),
             (b"<\x00", "utf-16-le"))
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
# Encodings that keep ASCII as ASCII: the markup of the part reads the same in them
_ASCII_SAFE = re.compile(r"^(?:utf[-_]?8|(?:us[-_]?)?ascii|iso[-_]?8859[-_]?\d{1,2}|latin[-_]?1|"
                         r"(?:windows|cp)[-_]?125\d)$", re.I)
_MARKERS = ("<!DOCTYPE", "<!ENTITY")
_RAW_MARKERS = tuple(m.encode(enc) for m in _MARKERS for enc in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le",
                                                                  "utf-32-be"))  # a second wall, undecoded
MAX_HEAD = 1024


class UnsafeXml(ValueError):
    """An XML part that declares a DTD or entities, or is in an encoding we do not check."""


def detect_encoding(head: bytes) -> str:
    """The encoding an XML parser will read a part in, from its first bytes."""
    for bom, enc in _BOMS:
        if head.startswith(bom):
            return enc
    for layout, enc in _FIRST_LT:
        if head.startswith(layout):
            return enc
    m = _DECLARED.match(head[:MAX_HEAD])
    declared = m.group(1).decode("ascii").lower() if m else "utf-8"
    return f"{declared} in ASCII layout" if declared.startswith(("utf-16", "utf-32", "ucs")) else declared


def _decoder(enc: str) -> Callable[..., str]:
    if not (enc.startswith(("utf-16", "utf-32")) or _ASCII_SAFE.match(enc)):
        raise UnsafeXml(f"encoding {enc!r}")
    try:
        return codecs.getincrementaldecoder(enc)(errors="replace").decode
    except LookupError:
        raise UnsafeXml(f"encoding {enc!r}") from None


def scan_xml(stream: IO[bytes], limit: int, block: int = 1 << 20) -> None:
    """Read ``stream`` to its end (at most ``limit`` bytes, else :class:`OverflowError`) and raise
    :class:`UnsafeXml` if it declares a DTD or an entity, in its decoded text or in its raw bytes."""
    first = stream.read(block)
    decode, chunk = _decoder(detect_encoding(first)), first
    tail, raw_tail, total = "", b"", 0
    while True:
        total += len(chunk)
        if total > limit:
            raise OverflowError(total)
        text, raw = tail + decode(chunk, not chunk), raw_tail + chunk
        if any(m in text.upper() for m in _MARKERS) or any(m in raw for m in _RAW_MARKERS):
            raise UnsafeXml("DTD")
        if not chunk:
            return
        tail, raw_tail = text[-16:], raw[-64:]
        chunk = stream.read(block)


def holds_unread_text(p_el: Any, read_tag: str, skip_under: str) -> bool:
    """A paragraph element holds text a reader of ``read_tag`` elements' own text misses: something
    inside one (an entity reference, an element), or a ``t`` of another vocabulary (``m:t`` of an
    equation, ``a:t`` of a drawing) outside ``skip_under`` (a duplicate fallback)."""
    for t in p_el.iter("{*}t"):
        if t.tag == read_tag:
            if len(t):
                return True
        elif (t.text or "").strip() and not any(a.tag == skip_under for a in t.iterancestors()):
            return True
    return False
