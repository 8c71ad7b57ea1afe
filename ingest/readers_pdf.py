"""PDF reader for :mod:`ingest.readers` (pypdf).

* refuses non-PDF / truncated / corrupt files, encrypted files (after trying the empty
  password), files with more than ``MAX_PDF_PAGES`` pages and scans without a text layer;
* hidden text — drawn invisibly (render mode 3/7), in white on no painted background, or
  below 1 pt — is separated by replaying each page's content stream with a small graphics
  state tracker and extracting the visible and hidden operations separately. An OCR layer
  (invisible text over a page image, with no other text) is kept as content;
* repeated page headers/footers and page numbers ("12", "- 3 -", "Trang 3/10") are removed.

Limitation: text inside form XObjects is extracted but not inspected for hiding.
"""
from __future__ import annotations

import io
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from pypdf import PdfReader
from pypdf._page import PageObject
from pypdf.generic import ContentStream, NameObject

from ingest.readers import RawText, count_letters, err, finish
from ingest.records import IngestError

MAX_PDF_PAGES = 2000
PDF_TIME_BUDGET_S = 120.0
# Decompressed drawing instructions of one page. Text pages hold a few kB; a larger page (a
# decompression bomb, a huge vector drawing) would take minutes and GBs to parse: it is skipped.
MAX_PAGE_CONTENT_BYTES = 4 * 1024 * 1024
_TEXT_SHOW = {b"Tj", b"TJ", b"'", b'"'}
_FILL = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
_PATH_END = _FILL | {b"S", b"s", b"n"}
Op = tuple[list[Any], bytes]


def read_pdf_bytes(data: bytes, name: str) -> RawText:
    """Read a PDF held in memory; see the module docstring."""
    _check_shape(data, name)
    reader = _open(data, name)
    pages, hidden, warnings = _extract_pages(reader, name)
    if not any(count_letters(p) for p in pages):
        if any(count_letters(h) for h in hidden):
            raise err(name, "PDF chỉ có văn bản ẩn (chữ trắng/vô hình/siêu nhỏ), không có nội dung hiển thị",
                      "PDF contains only hidden text (white/invisible/tiny), no visible content")
        raise err(name, "PDF không có lớp văn bản (bản scan), cần OCR; hãy chạy OCR rồi nạp lại",
                  "scanned PDF with no text layer: needs OCR; run OCR and upload it again")
    return finish(strip_page_furniture(pages), "pdf", name, warnings, hidden)


def _corrupt(name: str, detail_vi: str = "", detail_en: str = "") -> IngestError:
    return err(name, f"PDF hỏng{detail_vi}; hãy xuất lại PDF từ tệp gốc",
               f"corrupt PDF{detail_en}; export the PDF again from the original")


def _check_shape(data: bytes, name: str) -> None:
    """Cheap structural checks before pypdf: header near the start, ``%%EOF`` near the end."""
    if b"%PDF-" not in data[:1024]:
        raise _corrupt(name, " (không phải tệp PDF)", " (not a PDF file)")
    if b"%%EOF" not in data[-16384:]:
        raise _corrupt(name, " hoặc bị cắt cụt", " or truncated")


def _open(data: bytes, name: str) -> PdfReader:
    """Open with pypdf, try the empty password, check the page count."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # noqa: BLE001 - unsupported algorithm etc.
                ok = 0
            if not ok:
                raise err(name, "PDF được mã hóa (có mật khẩu); hãy gỡ mật khẩu rồi nạp lại",
                          "encrypted PDF (password protected); remove the password and upload again")
        n_pages = len(reader.pages)
    except IngestError:
        raise
    except Exception:  # noqa: BLE001 - pypdf raises many kinds of errors on broken files
        raise _corrupt(name) from None
    if n_pages == 0:
        raise _corrupt(name, " (không có trang nào)", " (no pages)")
    if n_pages > MAX_PDF_PAGES:
        raise err(name, f"PDF quá dài ({n_pages} trang > {MAX_PDF_PAGES}); hãy tách thành tệp nhỏ hơn",
                  f"PDF too long ({n_pages} pages > {MAX_PDF_PAGES}); split it into smaller files")
    return reader


def _extract_pages(reader: PdfReader, name: str) -> tuple[list[str], list[str], list[str]]:
    """Visible text per page, hidden fragments, warnings. Bounded by ``PDF_TIME_BUDGET_S``."""
    deadline = time.monotonic() + PDF_TIME_BUDGET_S
    pages: list[str] = []
    hidden: list[str] = []
    failed, hidden_pages, ocr_pages, heavy = 0, 0, 0, 0
    for page in reader.pages:
        if time.monotonic() > deadline:
            raise err(name, "PDF quá phức tạp, xử lý quá lâu; hãy xuất lại PDF",
                      "PDF too complex, processing took too long; export it again")
        try:
            visible, hid, ocr = page_text(page, reader)
        except Exception as exc:  # noqa: BLE001 - one broken page must not sink the file
            failed += 1
            heavy += isinstance(exc, _HeavyPage)
            pages.append("")
            continue
        pages.append(visible)
        ocr_pages += ocr
        if count_letters(hid):
            hidden.append(hid.strip())
            hidden_pages += 1
    if failed == len(pages):
        if heavy:
            raise err(name, f"PDF có trang quá nặng (nội dung giải nén > {MAX_PAGE_CONTENT_BYTES >> 20} MB/trang), "
                            "có thể là tệp độc hại; hãy xuất lại PDF",
                      f"PDF pages too heavy (over {MAX_PAGE_CONTENT_BYTES >> 20} MB of decompressed content per "
                      "page), possibly hostile; export the PDF again")
        raise _corrupt(name, " (không đọc được trang nào)", " (no page could be read)")
    return pages, hidden, _page_warnings(pages, failed, hidden_pages, ocr_pages)


def _page_warnings(pages: list[str], failed: int, hidden_pages: int, ocr_pages: int) -> list[str]:
    warnings = []
    if failed:
        warnings.append(f"{failed} trang PDF bị lỗi, đã bỏ qua / {failed} broken PDF pages skipped")
    empty = sum(1 for p in pages if not count_letters(p)) - failed
    if 0 < empty < len(pages) and not hidden_pages:
        warnings.append(f"{empty}/{len(pages)} trang không có lớp văn bản (ảnh scan?) / "
                        f"{empty}/{len(pages)} pages have no text layer (scanned?)")
    if hidden_pages:
        warnings.append(f"phát hiện văn bản ẩn (chữ trắng/vô hình/siêu nhỏ) ở {hidden_pages} trang PDF, "
                        f"đã loại khỏi nội dung / hidden text (white/invisible/tiny) found on "
                        f"{hidden_pages} PDF pages, excluded from the content")
    if ocr_pages:
        warnings.append(f"{ocr_pages} trang dùng lớp chữ OCR ẩn làm nội dung / "
                        f"{ocr_pages} pages use their invisible OCR text layer as content")
    return warnings


# --------------------------------------------------------------------------- hidden text


@dataclass
class _GState:
    """The part of the PDF graphics state that decides whether text is visible."""

    white: bool = False
    invisible: bool = False
    font_size: float = 12.0
    tm_scale: float = 1.0
    ctm_scale: float = 1.0


@dataclass
class _Split:
    visible: list[Op] = field(default_factory=list)
    hidden: list[Op] = field(default_factory=list)
    reasons: set[str] = field(default_factory=set)
    has_image: bool = False


class _HeavyPage(Exception):
    """A page whose content stream is over ``MAX_PAGE_CONTENT_BYTES`` once decompressed."""


def _check_content_size(contents: Any) -> None:
    parts = contents if isinstance(contents, list) else [contents]
    total = 0
    for part in parts:
        total += len(part.get_object().get_data())  # pypdf caps each stream at 75 MB
        if total > MAX_PAGE_CONTENT_BYTES:
            raise _HeavyPage()


def page_text(page: PageObject, reader: PdfReader) -> tuple[str, str, bool]:
    """``(visible_text, hidden_text, used_ocr_layer)`` of one page."""
    if page.get("/Contents") is None:
        return "", "", False
    _check_content_size(page["/Contents"].get_object())
    ops = ContentStream(page["/Contents"].get_object(), reader, "bytes").operations
    split = split_operations(ops)
    if not split.reasons:
        return _extract(page, reader, ops), "", False
    visible = _extract(page, reader, split.visible)
    hidden = _extract(page, reader, split.hidden)
    if split.reasons == {"invisible"} and split.has_image and count_letters(visible) < 0.1 * count_letters(hidden):
        return _extract(page, reader, ops), "", True  # OCR layer over a scanned image
    return visible, hidden, False


def _extract(page: PageObject, reader: PdfReader, ops: list[Op]) -> str:
    """pypdf text extraction of ``page`` with its content stream replaced by ``ops``."""
    stream = ContentStream(None, reader)
    stream.operations = ops
    clone = PageObject(pdf=reader)
    clone.update(page)
    clone[NameObject("/Contents")] = stream
    return clone.extract_text() or ""


def split_operations(ops: list[Op]) -> _Split:
    """Sort text-showing operators into visible / hidden copies of the content stream."""
    split, state, stack = _Split(), _GState(), []
    painted, path_big = False, False
    for operands, op in ops:
        if op in _TEXT_SHOW:
            reason = _hidden_reason(state, painted)
            keep, drop = (split.hidden, split.visible) if reason else (split.visible, split.hidden)
            keep.append((operands, op))
            if op in (b"'", b'"'):
                drop.append(([], b"T*"))
            if reason:
                split.reasons.add(reason)
            continue
        if op == b"q":
            stack.append(replace(state))
        elif op == b"Q":
            state = stack.pop() if stack else state
        elif op == b"re":
            path_big = path_big or _min_side(operands) * state.ctm_scale >= 5
        elif op in (b"m", b"l", b"c", b"v", b"y"):
            path_big = True
        elif op in _PATH_END:
            painted = painted or (op in _FILL and path_big and not state.white)
            path_big = False
        elif op in (b"Do", b"INLINE IMAGE", b"BI", b"sh"):
            painted = split.has_image = True
        else:
            _apply_state_op(state, op, operands)
        split.visible.append((operands, op))
        split.hidden.append((operands, op))
    return split


def _hidden_reason(state: _GState, painted: bool) -> str | None:
    if state.invisible:
        return "invisible"
    if state.white and not painted:
        return "white"
    if abs(state.font_size) * state.tm_scale * state.ctm_scale < 1.0:
        return "tiny"
    return None


def _nums(operands: list[Any]) -> list[float]:
    return [float(x) for x in operands if isinstance(x, (int, float))]


def _scale(operands: list[Any]) -> float:
    """Linear scale factor of a matrix ``a b c d e f``: sqrt(|ad - bc|)."""
    m = _nums(operands)
    return math.sqrt(abs(m[0] * m[3] - m[1] * m[2])) if len(m) == 6 else 1.0


def _min_side(operands: list[Any]) -> float:
    m = _nums(operands)
    return min(abs(m[2]), abs(m[3])) if len(m) == 4 else 0.0


def _is_white(op: bytes, operands: list[Any]) -> bool:
    """Fill colour set by ``op`` is white (RGB 1 1 1, gray 1, CMYK 0 0 0 0)."""
    m = _nums(operands)
    if len(m) != len(operands):
        return False  # pattern name etc.
    if op in (b"rg", b"sc", b"scn") and len(m) == 3:
        return all(v >= 0.95 for v in m)
    if op == b"g" and len(m) == 1:
        return m[0] >= 0.95
    if op in (b"k", b"sc", b"scn") and len(m) == 4:
        return all(v <= 0.05 for v in m)
    return False


def _apply_state_op(state: _GState, op: bytes, operands: list[Any]) -> None:
    """Update ``state`` for colour, render mode, font size and matrix operators."""
    try:
        if op in (b"rg", b"g", b"k", b"sc", b"scn"):
            state.white = _is_white(op, operands)
        elif op == b"cs":
            state.white = False
        elif op == b"Tr" and operands:
            state.invisible = int(operands[0]) in (3, 7)
        elif op == b"Tf" and len(operands) >= 2:
            state.font_size = float(operands[1])
        elif op == b"Tm":
            state.tm_scale = _scale(operands)
        elif op == b"BT":
            state.tm_scale = 1.0
        elif op == b"cm":
            state.ctm_scale *= _scale(operands)
    except (TypeError, ValueError, IndexError):
        pass


# --------------------------------------------------------------------------- headers/footers
_PAGE_NO_RE = re.compile(
    r"[-–—\s]*(?:(?:trang|page|tr\.)\s*)?\d{1,4}(?:\s*(?:/|of|trên)\s*\d{1,4})?[-–—\s]*", re.I)
_EDGE = 2


def _edge_indices(lines: list[str]) -> set[int]:
    """Indices of the first and last ``_EDGE`` non-blank lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return set(filled[:_EDGE] + filled[-_EDGE:])


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def strip_page_furniture(pages: list[str]) -> str:
    """Join pages with a blank line, dropping repeated headers/footers and page numbers."""
    split = [p.split("\n") for p in pages]
    counts: Counter[str] = Counter()
    for lines in split:
        counts.update({_key(lines[i]) for i in _edge_indices(lines)})
    needed = max(3, math.ceil(0.5 * len(pages)))
    repeated = {k for k, c in counts.items() if k and len(pages) >= 3 and c >= needed}
    out = []
    for lines in split:
        drop = {i for i in _edge_indices(lines)
                if _key(lines[i]) in repeated or _PAGE_NO_RE.fullmatch(lines[i])}
        text = "\n".join(line for i, line in enumerate(lines) if i not in drop).strip()
        if text:
            out.append(text)
    return "\n\n".join(out)
