"""Heading hierarchy of a report: every paragraph gets its section path.

Headings are recognised by their numbering (``I.``, ``1.``, ``2.1.``, ``a)``), markdown ``#``,
whole-line bold or ALL CAPS. Example path: ``II. KẾT QUẢ THỰC HIỆN … › 2. Cải cách thủ tục hành chính``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.normalize import is_footnote

SEP = " › "
_ROMAN = re.compile(r"^([IVXLC]{1,6})\.\s+\S")
_ARABIC = re.compile(r"^(\d{1,2}\.(?:\d{1,2}\.?){0,3})\s+\S")
_LETTER = re.compile(r"^([a-zđ])\)\s+\S")
_ENDS_SENTENCE = re.compile(r"[.;]\s*$")


@dataclass(frozen=True)
class Paragraph:
    """One logical paragraph of the normalised text, with its offsets and section path."""

    text: str
    start: int
    end: int
    section: str
    is_heading: bool = False
    is_footnote: bool = False


def strip_markup(line: str) -> str:
    """``#### **I. Kết quả**`` -> ``I. Kết quả``."""
    s = re.sub(r"^#{1,6}\s*", "", line.strip())
    s = re.sub(r"^\*{1,3}|\*{1,3}$", "", s).strip()
    return re.sub(r"\*{2,3}", "", s).strip()


def _decorated(line: str) -> bool:
    return line.startswith("#") or (line.startswith("**") and line.rstrip().endswith("**"))


def _all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def heading_level(line: str) -> int | None:
    """Level of a heading line (1 = ``I.``, 2 = ``1.``, 3 = ``2.1.``, 5 = ``a)``), 9 = unnumbered
    heading, ``None`` for body text."""
    bare = strip_markup(line)
    if not bare or len(bare) > 180:
        return None
    decorated = _decorated(line)
    if not decorated and (_ENDS_SENTENCE.search(bare) or len(bare) > 150):
        return None
    if _ROMAN.match(bare):
        return 1
    m = _ARABIC.match(bare)
    if m:
        return 1 + len(re.findall(r"\d+", m.group(1)))
    if _LETTER.match(bare):
        return 6
    if decorated or (_all_caps(bare) and len(bare) < 120):
        return 9
    return None


def _clip(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def split_paragraphs(text: str) -> list[tuple[str, int, int]]:
    """Paragraphs of normalised text (separated by ``\\n``) with their character offsets."""
    out, pos = [], 0
    for para in text.split("\n"):
        if para.strip():
            out.append((para, pos, pos + len(para)))
        pos += len(para) + 1
    return out


def build_sections(text: str) -> list[Paragraph]:
    """Assign a section path to every paragraph of ``text`` (already normalised)."""
    stack: list[tuple[int, str]] = []
    seen_numbered = False
    paragraphs: list[Paragraph] = []
    for para, start, end in split_paragraphs(text):
        level = heading_level(para)
        if level == 9 and not seen_numbered:
            level = None  # title block ("BÁO CÁO", "Công tác CCHC năm 2020") is not a section
            is_head = True
        else:
            is_head = level is not None
        if level is not None:
            seen_numbered = seen_numbered or level < 9
            level = 1 if level == 9 else level
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, _clip(strip_markup(para))))
        section = SEP.join(title for _, title in stack)
        paragraphs.append(Paragraph(para, start, end, section, is_head, is_footnote(para)))
    return paragraphs
