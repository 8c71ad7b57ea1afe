"""DOCX reader for :mod:`ingest.readers` (python-docx, after a defensive look at the zip).

Before python-docx sees the file: not a zip / OLE (password-protected or legacy .doc),
zip bombs (total > 200 MB uncompressed, member ratio > 200), zip-slip member names and any
XML part declaring a ``<!DOCTYPE``/``<!ENTITY`` (XXE, billion laughs) are refused.
python-docx's own lxml parser has ``resolve_entities=False``; the scan is a second wall.

Output: paragraphs and tables in document order, blocks separated by a blank line;
``Heading N`` → ``N × '#'``, all-bold paragraph → ``**text**``, list item → ``- text``,
table row → cells joined by `` | ``. Hidden runs (``w:vanish``, white text without a
coloured background, < 1.5 pt) go to ``hidden_text``. Headers, footers, footnotes and
comments are not read.
"""
from __future__ import annotations

import io
import re
import zipfile
from typing import Any, Iterator

import docx
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from ingest.readers import RawText, err, finish
from ingest.records import IngestError

MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_MIN_BYTES = 1024 * 1024   # tiny members may compress very well without being bombs
MAX_ZIP_MEMBERS = 10_000
_DTD_MARKERS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY")
                     for enc in ("ascii", "utf-16-le", "utf-16-be"))
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def read_docx_bytes(data: bytes, name: str) -> RawText:
    """Read a DOCX held in memory; see the module docstring."""
    check_docx_zip(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        walker = _Walker()
        blocks = walker.blocks(document)
    except IngestError:
        raise
    except Exception:  # noqa: BLE001 - python-docx/lxml raise many kinds of errors
        raise _corrupt(name) from None
    warnings = []
    if walker.hidden:
        warnings.append(f"phát hiện {len(walker.hidden)} đoạn chữ ẩn (ẩn/trắng/siêu nhỏ) trong DOCX, đã loại "
                        f"khỏi nội dung / {len(walker.hidden)} hidden text runs (vanish/white/tiny) found in "
                        f"the DOCX, excluded from the content")
    return finish("\n\n".join(blocks), "docx", name, warnings, walker.hidden)


def _corrupt(name: str) -> IngestError:
    return err(name, "tệp DOCX hỏng; hãy mở bằng Word và lưu lại thành .docx",
               "corrupt DOCX; open it in Word and save it again as .docx")


# --------------------------------------------------------------------------- zip checks


def check_docx_zip(data: bytes, name: str) -> None:
    """Refuse non-zip, encrypted, zip-bomb, zip-slip and DTD-bearing DOCX files."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise err(name, "DOCX được bảo vệ bằng mật khẩu hoặc là tệp .doc cũ; hãy bỏ mật khẩu và lưu thành .docx",
                  "password-protected DOCX or legacy .doc file; remove the password and save it as .docx")
    if not data.startswith(b"PK"):
        raise _corrupt(name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            _check_members(infos, name)
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
                raise _corrupt(name)
            for info in _xml_members(zf, infos, name):
                _scan_member(zf, info, name)
    except IngestError:
        raise
    except Exception:  # noqa: BLE001 - BadZipFile, CRC errors, bad headers…
        raise _corrupt(name) from None


def _bomb(name: str) -> IngestError:
    return err(name, "tệp DOCX bất thường (nén quá mức, nghi zip bomb), đã từ chối",
               "abnormal DOCX (excessive compression, suspected zip bomb), refused")


def _unsafe_member_name(member: str) -> bool:
    parts = re.split(r"[/\\]", member)
    return (member.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", member) is not None
            or ".." in parts or "\x00" in member)


def _check_members(infos: list[zipfile.ZipInfo], name: str) -> None:
    if len(infos) > MAX_ZIP_MEMBERS:
        raise _bomb(name)
    total = 0
    for info in infos:
        if _unsafe_member_name(info.filename):
            raise err(name, "tệp DOCX chứa đường dẫn nguy hiểm (zip-slip), đã từ chối",
                      "DOCX contains an unsafe member path (zip-slip), refused")
        if info.flag_bits & 0x1:
            raise err(name, "tệp DOCX có thành phần bị mã hóa; hãy bỏ mật khẩu",
                      "DOCX has encrypted members; remove the password")
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if total > MAX_DOCX_UNCOMPRESSED or (
                info.file_size >= RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO):
            raise _bomb(name)


def _xml_members(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str) -> Iterator[zipfile.ZipInfo]:
    """Members an XML parser may read: *.xml, *.rels and parts whose content type is XML."""
    ct_info = zf.getinfo("[Content_Types].xml")
    _scan_member(zf, ct_info, name)
    root = etree.fromstring(zf.read(ct_info), _SAFE_PARSER)
    defaults, overrides = {}, {}
    for el in root:
        tag = etree.QName(el).localname
        if tag == "Default":
            defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
        elif tag == "Override":
            overrides[el.get("PartName", "").lstrip("/")] = el.get("ContentType", "")
    for info in infos:
        fname = info.filename
        ext = fname.rsplit(".", 1)[-1].lower() if "." in fname else ""
        ctype = overrides.get(fname) or defaults.get(ext, "")
        if info is not ct_info and (ext in ("xml", "rels") or ("xml" in ctype and not ctype.startswith("image/"))):
            yield info


def _scan_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Stream one member: refuse DTD declarations and output larger than declared."""
    tail, total = b"", 0
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            total += len(chunk)
            if total > info.file_size or total > MAX_DOCX_UNCOMPRESSED:
                raise _bomb(name)
            buf = tail + chunk
            if any(marker in buf for marker in _DTD_MARKERS):
                raise err(name, "tệp DOCX chứa khai báo DOCTYPE/ENTITY (nghi tấn công XXE), đã từ chối",
                          "DOCX contains a DOCTYPE/ENTITY declaration (suspected XXE attack), refused")
            tail = buf[-32:]


# --------------------------------------------------------------------------- document walk


def _style_chain(style: Any) -> Iterator[Any]:
    """``style`` and its ``base_style`` ancestors (bounded, cycle-safe)."""
    seen = 0
    while style is not None and seen < 10:
        yield style
        style = getattr(style, "base_style", None)
        seen += 1


def _inherited(run: Run, paragraph: Paragraph, getter: Any) -> Any:
    """First non-None value of ``getter(font)`` on the run, its character style chain, then paragraph style chain."""
    value = getter(run.font)
    if value is not None:
        return value
    for style in (*_style_chain(run.style), *_style_chain(paragraph.style)):
        value = getter(style.font)
        if value is not None:
            return value
    return None


def _is_white(run: Run, paragraph: Paragraph) -> bool:
    rpr = run._r.rPr
    color = rpr.find(qn("w:color")) if rpr is not None else None
    if color is not None:
        val = (color.get(qn("w:val")) or "").upper()
        theme = color.get(qn("w:themeColor")) or ""
        return val == "FFFFFF" or (val in ("", "AUTO") and theme in ("background1", "light1"))
    rgb = _inherited(run, paragraph, lambda f: f.color.rgb if f.color.type is not None else None)
    return str(rgb).upper() == "FFFFFF"


def _has_background(r_el: Any) -> bool:
    """Run, paragraph or table cell carries a non-white shading/highlight."""
    for el, prop in ((r_el, "w:rPr"), (next(r_el.iterancestors(qn("w:p")), None), "w:pPr")):
        props = el.find(qn(prop)) if el is not None else None
        if props is not None and (_shaded(props) or _highlighted(props)):
            return True
    for anc in r_el.iterancestors(qn("w:tc")):
        tcpr = anc.find(qn("w:tcPr"))
        return tcpr is not None and _shaded(tcpr)
    return False


def _shaded(props: Any) -> bool:
    shd = props.find(qn("w:shd"))
    return shd is not None and (shd.get(qn("w:fill")) or "auto").upper() not in ("AUTO", "FFFFFF")


def _highlighted(props: Any) -> bool:
    hl = props.find(qn("w:highlight"))
    return hl is not None and (hl.get(qn("w:val")) or "none") not in ("none", "white")


def _run_hidden(run: Run, paragraph: Paragraph) -> bool:
    if _inherited(run, paragraph, lambda f: f.hidden):
        return True
    if _is_white(run, paragraph) and not _has_background(run._r):
        return True
    size = _inherited(run, paragraph, lambda f: f.size)
    return size is not None and size.pt < 1.5


def _heading_level(paragraph: Paragraph) -> int:
    """N for ``Heading N`` (or a style based on it), 1 for ``Title``, else outline level or 0."""
    for style in _style_chain(paragraph.style):
        sname = (style.name or "").strip().lower()
        m = re.fullmatch(r"heading\s*([1-9])", sname)
        if m:
            return int(m.group(1))
        if sname == "title":
            return 1
    ppr = paragraph._p.pPr
    lvl = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    val = lvl.get(qn("w:val")) if lvl is not None else None
    return int(val) + 1 if val and val.isdigit() and int(val) < 9 else 0


def _iter_blocks(parent_el: Any, parent: Any) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables under ``parent_el``, also inside content controls (``w:sdt``)
    and ``w:customXml``; a table-of-contents control is skipped (it repeats the headings)."""
    for child in parent_el.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)
        elif child.tag == qn("w:sdt") and not _is_toc(child):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _iter_blocks(content, parent)
        elif child.tag == qn("w:customXml"):
            yield from _iter_blocks(child, parent)


def _is_toc(sdt: Any) -> bool:
    gallery = sdt.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
    return gallery is not None and "contents" in (gallery.get(qn("w:val")) or "").lower()


def _is_list_item(paragraph: Paragraph) -> bool:
    """Numbered/bulleted paragraph: ``w:numPr`` on the paragraph or its style chain."""
    elements = [paragraph._p, *(s.element for s in _style_chain(paragraph.style))]
    for el in elements:
        ppr = el.find(qn("w:pPr"))
        if ppr is not None and ppr.find(qn("w:numPr")) is not None:
            return True
    return False


class _Walker:
    """Collects visible blocks and hidden fragments of a document."""

    def __init__(self) -> None:
        self.hidden: list[str] = []

    def blocks(self, container: Any, plain: bool = False) -> list[str]:
        """Text blocks of ``container`` (document or cell) in document order."""
        parent_el = container._tc if isinstance(container, _Cell) else container.element.body
        out = []
        for item in _iter_blocks(parent_el, container):
            text = self.paragraph(item, plain) if isinstance(item, Paragraph) else self.table(item)
            if text.strip():
                out.append(text)
        return out

    def _runs(self, paragraph: Paragraph) -> tuple[str, bool]:
        """Visible text of ``paragraph`` and whether all of it is bold; hidden runs recorded."""
        visible, hidden, bold = [], [], []
        for r_el in paragraph._p.iter(qn("w:r")):
            if any(a.tag == _MC_FALLBACK for a in r_el.iterancestors()):
                continue  # the DrawingML choice is read; its VML fallback duplicates it
            run = Run(r_el, paragraph)
            text = run.text
            if not text:
                continue
            if _run_hidden(run, paragraph):
                hidden.append(text)
                continue
            visible.append(text)
            if text.strip():
                bold.append(bool(_inherited(run, paragraph, lambda f: f.bold)))
        if "".join(hidden).strip():
            self.hidden.append("".join(hidden).strip())
        return "".join(visible).strip(), bool(bold) and all(bold)

    def paragraph(self, paragraph: Paragraph, plain: bool = False) -> str:
        text, all_bold = self._runs(paragraph)
        if not text or plain:
            return text
        level = _heading_level(paragraph)
        if level:
            return "#" * level + " " + " ".join(text.split())
        bullet = "- " if _is_list_item(paragraph) else ""
        return f"{bullet}**{text}**" if all_bold else bullet + text

    def table(self, table: Table) -> str:
        """One line per row, cells joined by `` | `` (merged cells appear once)."""
        rows = []
        for tr in table._tbl.tr_lst:
            cells = [" ".join(" ".join(self.blocks(_Cell(tc, table), plain=True)).split()) for tc in tr.tc_lst]
            if any(cells):
                rows.append(" | ".join(cells))
        return "\n".join(rows)
