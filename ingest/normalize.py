"""Text normalisation for Vietnamese reports.

* Unicode NFC; tone placement left as written (``hoà``/``hòa``: search keys are canonical, see
  :func:`ingest.textkeys.nfc`), so quotes stay verbatim.
* A paragraph longer than ``MAX_PARAGRAPH_CHARS`` (a whole report on one line) is cut at sentence
  ends, so chunking stays linear in the file size.
* PDF hard line breaks inside sentences are undone; paragraph, heading and list boundaries stay.
* Page artefacts (lone page numbers, ``Trang 3/10``) are dropped.
* Markdown footnotes (``<sup>1</sup> Năm 2017: …``) are moved right after the paragraph that
  references them, so the chunk holding the sentence also holds its footnote.

Example::

    >>> normalize_text("Căn cứ Quyết định số 20/QĐ-SKHCN ngày 30/01/2020 ban hành Kế \\n\\nhoạch CCHC.")
    'Căn cứ Quyết định số 20/QĐ-SKHCN ngày 30/01/2020 ban hành Kế hoạch CCHC.'
"""
from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# A line that opens a new block: headings, list items, markdown structure, footnote definitions.
_BLOCK_START = re.compile(
    r"""^(?:
        \#{1,6}\s                      # markdown heading
      | \*\*                           # bold line (often a heading)
      | [-+•*–]\s                      # list bullet
      | [IVXLC]{1,6}\.\s               # roman numeral heading
      | \d{1,2}(?:\.\d{1,2}){0,3}\.?\s+(?=\S)  # 1. / 2.1. / 2.1.3
      | \(?[a-zđ]\)\s                  # a) b) đ) (a)
      | \(\d{1,2}\)\s                   # (1) (2)
      | <sup>\d+</sup>                 # footnote definition
      | \|                             # table row
      | (?:Nơi\s+nhận|KT\.|TM\.|GIÁM\s+ĐỐC|PHÓ\s+GIÁM\s+ĐỐC)
    )""",
    re.VERBOSE,
)
_NUMBERED_HEAD = re.compile(r"^(?:[IVXLC]{1,6}|\d{1,2}(?:\.\d{1,2}){0,3})\.?\s")
_TERMINAL = re.compile(r"""[.;:!?…]["”’)*]*$|\./\.$""")
_PAGE_ARTEFACT = re.compile(r"^(?:[-–—]?\s*\d{1,4}\s*[-–—]?|Trang\s+\d+(?:\s*/\s*\d+)?|Page\s+\d+(?:\s+of\s+\d+)?)$", re.I)
_RULE = re.compile(r"^[-*_=—–\s]{3,}$")  # markdown horizontal rules, underlines
_FOOTNOTE_DEF = re.compile(r"^<sup>(\d+)</sup>")
_FOOTNOTE_REF = re.compile(r"<sup>(\d+)</sup>")
_CODE_BREAK = re.compile(r"([/\-–])$")  # a code or date cut at a line end: "216/QĐ-" + "SKHCN"
MAX_PARAGRAPH_CHARS = 4000
_NO_SENTENCE_CUT = 1500  # a giant paragraph without sentence ends is cut near a chunk's size
_SENTENCE_END = re.compile(r"[.;!?…][\"”’)]*\s")


def clean_unicode(text: str) -> str:
    """NFC, no zero-width or control characters, ``\\n`` line ends, non-breaking spaces as spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\t", " ")
    text = _CONTROL.sub("", text.translate(_ZERO_WIDTH))
    return unicodedata.normalize("NFC", text)


def _is_heading_like(line: str) -> bool:
    """A short line written as a heading: ALL CAPS, fully bold, or markdown ``#``."""
    bare = line.strip("*# ").strip()
    if line.startswith("#") or (line.startswith("**") and line.rstrip().endswith("**")):
        return True
    letters = [c for c in bare if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters) and len(bare) < 160


def _starts_lower(line: str) -> bool:
    first = next((c for c in line if c.isalnum()), "")
    return bool(first) and (first.islower() or first.isdigit())


def _should_join(prev: str, last_raw: str, nxt: str, width: float | None) -> bool:
    """Decide whether ``nxt`` continues the paragraph ``prev`` (a PDF hard break).

    ``width`` is the typical line width of a hard-wrapped (PDF-extracted) document, or ``None``
    for soft-wrapped text (one paragraph per line), where only lower-case continuations join.
    """
    if _BLOCK_START.match(nxt) and not (_NUMBERED_HEAD.match(nxt) and _CODE_BREAK.search(prev)):
        return False
    if _is_heading_like(prev):
        return False
    short = width is None or len(last_raw) < 0.72 * width
    if _NUMBERED_HEAD.match(prev) and len(prev) < 120 and short and not _starts_lower(nxt):
        return False  # "2. Tuyên truyền cải cách hành chính" + "Năm 2020, Sở ..."
    if width is None:
        return not _TERMINAL.search(prev) and _starts_lower(nxt)
    if short and not _starts_lower(nxt):
        return False  # a short last line ends the paragraph
    return not (short and _TERMINAL.search(prev))


def _join(prev: str, nxt: str) -> str:
    if _CODE_BREAK.search(prev) and re.match(r"[A-ZĐ0-9]", nxt) and re.search(r"\w[/\-–]$", prev):
        return prev + nxt  # "216/QĐ-" + "SKHCN ngày" -> "216/QĐ-SKHCN ngày"
    return prev + " " + nxt


def _wrap_width(lines: list[str]) -> float | None:
    """Median line width if the text is hard-wrapped (PDF extraction), else ``None``."""
    if len(lines) < 8:
        return None
    lengths = sorted(len(x) for x in lines)
    median = lengths[len(lengths) // 2]
    open_ends = sum(1 for x in lines if not _TERMINAL.search(x)) / len(lines)
    return float(median) if median < 110 and open_ends > 0.5 else None


def join_lines(text: str) -> list[str]:
    """Turn raw lines into logical paragraphs (one string each)."""
    lines = [re.sub(r"[ ]{2,}", " ", raw.strip()) for raw in text.split("\n")]
    lines = [x for x in lines if x and not _PAGE_ARTEFACT.match(x) and not _RULE.match(x)]
    width = _wrap_width(lines)
    paragraphs: list[str] = []
    current, last_raw = "", ""
    for line in lines:
        if current and _should_join(current, last_raw, line, width):
            current = _join(current, line)
        else:
            if current:
                paragraphs.append(current)
            current = line
        last_raw = line
    if current:
        paragraphs.append(current)
    return paragraphs


def attach_footnotes(paragraphs: list[str]) -> list[str]:
    """Move each ``<sup>n</sup> …`` definition right after the first paragraph citing ``n``."""
    defs: dict[str, str] = {}
    body: list[str] = []
    for p in paragraphs:
        m = _FOOTNOTE_DEF.match(p)
        if m and m.group(1) not in defs:
            defs[m.group(1)] = p
        else:
            body.append(p)
    if not defs:
        return paragraphs
    out: list[str] = []
    placed: set[str] = set()
    for p in body:
        out.append(p)
        for ref in _FOOTNOTE_REF.findall(p):
            if ref in defs and ref not in placed and not _FOOTNOTE_DEF.match(p):
                out.append(defs[ref])
                placed.add(ref)
    out.extend(defs[k] for k in defs if k not in placed)
    return out


def split_giant(paragraphs: list[str]) -> list[str]:
    """Cut paragraphs over ``MAX_PARAGRAPH_CHARS`` at their last sentence end (else at a space)."""
    out: list[str] = []
    for p in paragraphs:
        while len(p) > MAX_PARAGRAPH_CHARS:
            cut = _cut_point(p)
            head, p = p[:cut].rstrip(), p[cut:].lstrip()
            if head:
                out.append(head)
        if p:
            out.append(p)
    return out


def _cut_point(p: str) -> int:
    ends = [m.end() for m in _SENTENCE_END.finditer(p, MAX_PARAGRAPH_CHARS // 4, MAX_PARAGRAPH_CHARS)]
    if ends:
        return ends[-1]
    space = p.rfind(" ", 0, _NO_SENTENCE_CUT)
    return space + 1 if space > 0 else _NO_SENTENCE_CUT


def normalize_text(text: str) -> str:
    """Full normalisation: Unicode clean-up, line joining, footnotes; paragraphs joined by ``\\n``."""
    paragraphs = split_giant(attach_footnotes(join_lines(clean_unicode(text))))
    return "\n".join(paragraphs)


def is_footnote(paragraph: str) -> bool:
    """True for a footnote definition paragraph (``<sup>1</sup> Năm 2017: …``)."""
    return bool(_FOOTNOTE_DEF.match(paragraph))
