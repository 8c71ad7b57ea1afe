"""A draft as a Word document (python-docx): the outline as headings, ``[n]`` markers as
superscript, placeholders highlighted, and a source list (report, section, verbatim quote).

Vietnamese renders correctly in Word and LibreOffice: every style uses Times New Roman for the
ASCII, high-ANSI, East-Asian and complex-script slots (theme fonts removed), language ``vi-VN``.

    >>> write_docx(draft, Path("du-thao.docx"))  # doctest: +SKIP
"""
from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

FONT = "Times New Roman"
SOURCES_TITLE = "Nguồn trích dẫn"
_INLINE = re.compile(r"(\[\s*cập nhật\s*:[^\]]*\]|\[\d+(?:\s*[,;]\s*\d+)*\]|\*[^*\n]+\*)", re.I)
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_fonts(rpr, size: float | None = None) -> None:
    """Times New Roman in all four font slots of a run-properties element; language vi-VN."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in _THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for slot in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(slot), "vi-VN")


def vietnamese_fonts(doc) -> None:
    """Apply the font to the document defaults and to every paragraph and character style."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _set_fonts(rpr)
    for style in doc.styles:
        if style.type not in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            continue
        style.font.name = FONT
        _set_fonts(style.element.get_or_add_rPr())
        if style.name.startswith(("Heading", "Title")):
            style.font.color.rgb = RGBColor(0, 0, 0)
    doc.styles["Normal"].font.size = Pt(13)


def _runs(paragraph, text: str) -> None:
    """Inline markup: *italic*, [n] superscript, [cập nhật: …] highlighted."""
    for part in _INLINE.split(text):
        if not part:
            continue
        if re.fullmatch(r"\[\d+(?:\s*[,;]\s*\d+)*\]", part):
            paragraph.add_run(part).font.superscript = True
        elif part.lower().startswith("[cập nhật") or part.lower().startswith("[ cập nhật"):
            run = paragraph.add_run(part)
            run.bold = True
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            paragraph.add_run(part[1:-1]).italic = True
        else:
            paragraph.add_run(part)


def _line(doc, line: str) -> None:
    m = re.match(r"^(#{1,6})\s+(.*)$", line)
    if m:
        doc.add_heading(m.group(2).strip(), level=len(m.group(1)))
    elif line.startswith("> "):
        _runs(doc.add_paragraph(style="Quote"), line[2:])
    elif line.startswith("  - "):
        _runs(doc.add_paragraph(style="List Bullet 2"), line[4:])
    elif line.startswith("- "):
        _runs(doc.add_paragraph(style="List Bullet"), line[2:])
    elif line.strip():
        _runs(doc.add_paragraph(), line.strip())


def source_label(c) -> str:
    """``[n] Khánh Hòa · năm 2020 · 000_….txt — mục: II. … › 2. …``."""
    where = " · ".join(x for x in (c.province or "(không rõ tỉnh)", c.period, c.doc) if x)
    return f"[{c.n}] {where} — mục: {c.section or '(không có mục)'}"


def build_docx(draft):
    """The python-docx ``Document`` of a :class:`~assistant.drafting.ReportDraft`."""
    doc = Document()
    vietnamese_fonts(doc)
    doc.core_properties.title = draft.title or "Dự thảo báo cáo CCHC"
    doc.core_properties.author = "cchc"
    doc.core_properties.language = "vi-VN"
    for line in draft.markdown.split("\n"):
        _line(doc, line)
    if draft.citations:
        doc.add_heading(SOURCES_TITLE, level=1)
        for c in draft.citations:
            p = doc.add_paragraph()
            p.add_run(source_label(c)).bold = True
            p.add_run("\n«" + c.quote + "»").italic = True
    return doc


def write_docx(draft, path: Path | str) -> Path:
    """Save the draft as ``path`` (``.docx``); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_docx(draft).save(str(path))
    return path
