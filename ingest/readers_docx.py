"""DOCX reader for :mod:`ingest.readers` (python-docx, after a defensive look at the zip).

Before python-docx sees the file: not a zip / OLE (password-protected or legacy .doc),
zip bombs (total > 200 MB uncompressed, member ratio > 200), zip-slip member names and any
XML part declaring a ``<!DOCTYPE``/``<!ENTITY`` (XXE, billion laughs), in whatever encoding
(UTF-8/16/32, BOM or not: :mod:`ingest.xml_guard`), are refused.
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
from types import SimpleNamespace
from typing import Any, Iterator

import docx
from lxml import etree

from ingest.readers import RawText, err, finish
from ingest.records import IngestError
from ingest.xml_guard import UnsafeXml, holds_unread_text, scan_xml

MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_MIN_BYTES = 1024 * 1024   # tiny members may compress very well without being bombs
MAX_ZIP_MEMBERS = 10_000
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def read_docx_bytes(data: bytes, name: str) -> RawText:
    """Read a DOCX held in memory; see the module docstring."""
    check_docx_zip(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        walker = _Walker(_Styles(document.styles.element))
        blocks = walker.blocks(document.element.body)
    except IngestError:
        raise
    except Exception:  # noqa: BLE001 - python-docx/lxml raise many kinds of errors
        raise _corrupt(name) from None
    warnings = []
    if walker.dropped:
        warnings.append(f"{walker.dropped} đoạn trong DOCX có nội dung không đọc được (thực thể XML, công thức, "
                        f"hình vẽ…), phần đó bị bỏ qua; hãy kiểm tra bản gốc / {walker.dropped} DOCX paragraphs hold "
                        f"content that could not be read (XML entities, equations, drawings…), left out; check the "
                        f"original")
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
    """Stream one member: refuse DTD declarations (in any encoding, :mod:`ingest.xml_guard`),
    parts in encodings we do not check, and output larger than declared."""
    try:
        with zf.open(info) as fh:
            scan_xml(fh, min(info.file_size, MAX_DOCX_UNCOMPRESSED))
    except OverflowError:
        raise _bomb(name) from None
    except UnsafeXml as e:
        if str(e) == "DTD":
            raise err(name, "tệp DOCX chứa khai báo DOCTYPE/ENTITY (nghi tấn công XXE), đã từ chối",
                      "DOCX contains a DOCTYPE/ENTITY declaration (suspected XXE attack), refused") from None
        raise err(name, "tệp DOCX có phần XML dùng bảng mã không được hỗ trợ, đã từ chối; hãy mở bằng Word và "
                  "lưu lại", "DOCX has an XML part in an unsupported encoding, refused; open it in Word and "
                  "save it again") from None


# --------------------------------------------------------------------------- styles
# Formatting is resolved straight from the XML with a per-document style table:
# python-docx's style objects rescan every style on each lookup (minutes on big files).
_NS_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TAGS = ("b basedOn br color cr customXml default docDefaults docPartGallery docPartObj fill highlight name "
         "noBreakHyphen numPr outlineLvl p pPr pStyle r rPr rPrDefault rStyle sdt sdtContent sdtPr shd style "
         "styleId sz t tab tbl tc tcPr themeColor tr type val vanish")

_W = SimpleNamespace(**{tag: _NS_W + tag for tag in _TAGS.split()})  # _W.rPr == "{ns}rPr"
W_P, W_R, W_TBL, W_TR, W_TC = _W.p, _W.r, _W.tbl, _W.tr, _W.tc
W_VAL = _W.val
_OFF = ("0", "false", "off")


def _toggle(props: Any, tag: str) -> bool | None:
    """Value of a toggle property (``w:b``, ``w:vanish``) in ``props``; None if absent."""
    el = props.find(tag) if props is not None else None
    return None if el is None else (el.get(W_VAL) or "true").lower() not in _OFF


class _Styles:
    """Style table of one document: id -> element, defaults, cached inheritance chains."""

    def __init__(self, styles_el: Any) -> None:
        self.by_id: dict[str, Any] = {}
        self.default: dict[str, str] = {}
        self._chains: dict[str | None, list[Any]] = {}
        for st in styles_el.iterchildren(_W.style):
            sid = st.get(_W.styleId)
            self.by_id[sid] = st
            if (st.get(_W.default) or "").lower() in ("1", "true", "on"):
                self.default.setdefault(st.get(_W.type) or "", sid)
        rpr_default = styles_el.find(f"{_W.docDefaults}/{_W.rPrDefault}/{_W.rPr}")
        self.doc_rpr = rpr_default

    def chain(self, style_id: str | None) -> list[Any]:
        """The style and its ``w:basedOn`` ancestors (at most 10, cycle-safe)."""
        if style_id not in self._chains:
            out, sid = [], style_id
            while sid in self.by_id and len(out) < 10 and self.by_id[sid] not in out:
                out.append(self.by_id[sid])
                based = self.by_id[sid].find(_W.basedOn)
                sid = based.get(W_VAL) if based is not None else None
            self._chains[style_id] = out
        return self._chains[style_id]

    def paragraph_chain(self, p_el: Any) -> list[Any]:
        ppr = p_el.find(_W.pPr)
        pstyle = ppr.find(_W.pStyle) if ppr is not None else None
        return self.chain(pstyle.get(W_VAL) if pstyle is not None else self.default.get("paragraph"))

    def run_props(self, r_el: Any, para_chain: list[Any]) -> list[Any]:
        """``w:rPr`` elements that apply to a run, most specific first."""
        rpr = r_el.find(_W.rPr)
        rstyle = rpr.find(_W.rStyle) if rpr is not None else None
        char_chain = self.chain(rstyle.get(W_VAL) if rstyle is not None else None)
        props = [rpr] + [st.find(_W.rPr) for st in (*char_chain, *para_chain)] + [self.doc_rpr]
        return [pr for pr in props if pr is not None]


def _first(props: list[Any], getter: Any) -> Any:
    for pr in props:
        value = getter(pr)
        if value is not None:
            return value
    return None


def _color_is_white(pr: Any) -> bool | None:
    color = pr.find(_W.color)
    if color is None:
        return None
    val = (color.get(W_VAL) or "").upper()
    theme = color.get(_W.themeColor) or ""
    return val == "FFFFFF" or (val in ("", "AUTO") and theme in ("background1", "light1"))


def _size_pt(pr: Any) -> float | None:
    sz = pr.find(_W.sz)
    try:
        return int(sz.get(W_VAL)) / 2 if sz is not None else None
    except (TypeError, ValueError):
        return None


def _shaded(props: Any) -> bool:
    shd = props.find(_W.shd)
    return shd is not None and (shd.get(_W.fill) or "auto").upper() not in ("AUTO", "FFFFFF")


def _highlighted(props: Any) -> bool:
    hl = props.find(_W.highlight)
    return hl is not None and (hl.get(W_VAL) or "none") not in ("none", "white")


def _has_background(r_el: Any, p_el: Any) -> bool:
    """Run, paragraph or table cell carries a non-white shading/highlight."""
    for props in (r_el.find(_W.rPr), p_el.find(_W.pPr)):
        if props is not None and (_shaded(props) or _highlighted(props)):
            return True
    for tc in r_el.iterancestors(W_TC):
        tcpr = tc.find(_W.tcPr)
        return tcpr is not None and _shaded(tcpr)
    return False


def _run_hidden(props: list[Any], r_el: Any, p_el: Any) -> bool:
    """``w:vanish``, white without background, or smaller than 1.5 pt."""
    if _first(props, lambda pr: _toggle(pr, _W.vanish)):
        return True
    if _first(props, _color_is_white) and not _has_background(r_el, p_el):
        return True
    size = _first(props, _size_pt)
    return size is not None and size < 1.5


_RUN_TEXT = {_W.tab: "\t", _W.br: "\n", _W.cr: "\n", _W.noBreakHyphen: "-"}


def _run_text(r_el: Any) -> str:
    """Text of one ``w:r``: ``w:t`` plus tabs and line breaks (deleted text is ``w:delText``)."""
    parts = []
    for child in r_el.iterchildren():
        if child.tag == _W.t:
            parts.append(child.text or "")
        elif child.tag in _RUN_TEXT:
            parts.append(_RUN_TEXT[child.tag])
    return "".join(parts)


# --------------------------------------------------------------------------- document walk


def _iter_blocks(parent_el: Any) -> Iterator[Any]:
    """``w:p`` and ``w:tbl`` children of ``parent_el``, also inside content controls
    (``w:sdt``) and ``w:customXml``; a table-of-contents control is skipped."""
    for child in parent_el.iterchildren():
        if child.tag in (W_P, W_TBL):
            yield child
        elif child.tag == _W.sdt and not _is_toc(child):
            content = child.find(_W.sdtContent)
            if content is not None:
                yield from _iter_blocks(content)
        elif child.tag == _W.customXml:
            yield from _iter_blocks(child)


def _is_toc(sdt: Any) -> bool:
    gallery = sdt.find(f"{_W.sdtPr}/{_W.docPartObj}/{_W.docPartGallery}")
    return gallery is not None and "contents" in (gallery.get(W_VAL) or "").lower()


def _ppr_has(p_el: Any, chain: list[Any], tag: str) -> Any:
    """First ``tag`` element in the paragraph's ``w:pPr`` or its style chain's."""
    for owner in (p_el, *chain):
        ppr = owner.find(_W.pPr)
        found = ppr.find(tag) if ppr is not None else None
        if found is not None:
            return found
    return None


def _heading_level(p_el: Any, chain: list[Any]) -> int:
    """N for ``Heading N`` (or a style based on it), 1 for ``Title``, else outline level or 0."""
    for st in chain:
        name_el = st.find(_W.name)
        sname = (name_el.get(W_VAL) if name_el is not None else "") or ""
        m = re.fullmatch(r"heading\s*([1-9])", sname.strip().lower())
        if m:
            return int(m.group(1))
        if sname.strip().lower() == "title":
            return 1
    lvl = _ppr_has(p_el, chain, _W.outlineLvl)
    val = lvl.get(W_VAL) if lvl is not None else None
    return int(val) + 1 if val and val.isdigit() and int(val) < 9 else 0


class _Walker:
    """Collects visible blocks and hidden fragments of a document."""

    def __init__(self, styles: _Styles) -> None:
        self.styles = styles
        self.hidden: list[str] = []
        self.dropped = 0  # paragraphs with content the walk cannot read (reported, never silent)

    def blocks(self, parent_el: Any, plain: bool = False) -> list[str]:
        """Text blocks under ``parent_el`` (body or ``w:tc``) in document order."""
        out = []
        for el in _iter_blocks(parent_el):
            text = self.paragraph(el, plain) if el.tag == W_P else self.table(el)
            if text.strip():
                out.append(text)
        return out

    def _runs(self, p_el: Any, chain: list[Any]) -> tuple[str, bool]:
        """Visible text of a paragraph and whether all of it is bold; hidden runs recorded."""
        visible, hidden, bold = [], [], []
        for r_el in p_el.iter(W_R):
            if any(a.tag == _MC_FALLBACK for a in r_el.iterancestors()):
                continue  # the DrawingML choice is read; its VML fallback duplicates it
            text = _run_text(r_el)
            if not text:
                continue
            props = self.styles.run_props(r_el, chain)
            if _run_hidden(props, r_el, p_el):
                hidden.append(text)
                continue
            visible.append(text)
            if text.strip():
                bold.append(bool(_first(props, lambda pr: _toggle(pr, _W.b))))
        if "".join(hidden).strip():
            self.hidden.append("".join(hidden).strip())
        return "".join(visible).strip(), bool(bold) and all(bold)

    def paragraph(self, p_el: Any, plain: bool = False) -> str:
        chain = self.styles.paragraph_chain(p_el)
        text, all_bold = self._runs(p_el, chain)
        if holds_unread_text(p_el, _W.t, _MC_FALLBACK):
            self.dropped += 1
        if not text or plain:
            return text
        level = _heading_level(p_el, chain)
        if level:
            return "#" * level + " " + " ".join(text.split())
        bullet = "- " if _ppr_has(p_el, chain, _W.numPr) is not None else ""
        return f"{bullet}**{text}**" if all_bold else bullet + text

    def table(self, tbl_el: Any) -> str:
        """One line per row, cells joined by `` | `` (merged cells appear once)."""
        rows = []
        for tr in tbl_el.iterchildren(W_TR):
            cells = [" ".join(" ".join(self.blocks(tc, plain=True)).split()) for tc in tr.iterchildren(W_TC)]
            if any(cells):
                rows.append(" | ".join(cells))
        return "\n".join(rows)
