"""Read one report file (.txt, .md, .pdf, .docx) into clean Unicode text, robustly.

Every failure is an :class:`~ingest.records.IngestError` whose message is one line,
Vietnamese first, then English, saying what to do. Nothing else escapes.

Text files: UTF-8 (with/without BOM), UTF-16/32 with BOM, UTF-16 without BOM, then the
legacy Vietnamese encodings Windows-1258, TCVN3 (ABC) and VNI (see :mod:`ingest.legacy_vn`);
the one whose decoding looks like Vietnamese wins, otherwise the file is refused.
PDF and DOCX readers live in :mod:`ingest.readers_pdf` and :mod:`ingest.readers_docx`.
"""
from __future__ import annotations

import codecs
import itertools
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ingest.legacy_vn import (
    decode_cp1258, decode_tcvn3, decode_vni, repair_mojibake, score_vietnamese,
)
from ingest.records import IngestError

__all__ = ["RawText", "SUPPORTED_EXTENSIONS", "MAX_FILE_BYTES", "read_file", "read_bytes",
           "IngestError"]

SUPPORTED_EXTENSIONS = (".txt", ".md", ".pdf", ".docx")
MAX_FILE_BYTES = 50 * 1024 * 1024
MIN_LETTERS = 20
_MAX_NAME_CHARS = 120


@dataclass
class RawText:
    """Text read from one file, before metadata extraction and chunking."""

    text: str                     # NFC, no NUL/control chars except \n and \t, \r\n -> \n
    kind: str                     # "txt" | "md" | "pdf" | "docx"
    warnings: list[str] = field(default_factory=list)     # one-line bilingual notes
    hidden_text: list[str] = field(default_factory=list)  # hidden in the source, excluded from text


def err(name: str, vi: str, en: str) -> IngestError:
    """Build an :class:`IngestError` (single-line Vietnamese / English reason)."""
    return IngestError(name, _one_line(vi), _one_line(en))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def safe_name(name: str) -> str:
    """File name fit for a one-line message: no control/bidi characters, at most 120 chars."""
    cleaned = "".join("?" if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
                      for c in str(name)).strip() or "(không tên)"
    if len(cleaned) > _MAX_NAME_CHARS:
        cleaned = cleaned[:80] + "…" + cleaned[-(_MAX_NAME_CHARS - 81):]
    return cleaned


# --------------------------------------------------------------------------- entry points


def read_file(path: Path, *, display_name: str | None = None) -> RawText:
    """Read the report at ``path``; ``display_name`` (e.g. the uploaded name) is used in messages.

    Raises :class:`IngestError` and nothing else.
    """
    try:
        name = safe_name(display_name or Path(path).name)
    except Exception:  # noqa: BLE001 - e.g. path is not path-like
        name = safe_name(str(display_name or path))
    try:
        path = Path(path)
        ext = _pick_extension(path.name, display_name)
        data = _read_path(path, name, ext)
        return _dispatch(data, name, ext)
    except IngestError:
        raise
    except MemoryError:
        raise err(name, "tệp quá lớn để xử lý", "file too large to process") from None
    except Exception as exc:  # noqa: BLE001 - the contract is "IngestError only"
        raise err(name, f"lỗi không mong đợi khi đọc tệp ({type(exc).__name__})",
                  f"unexpected error while reading the file ({type(exc).__name__})") from exc


def read_bytes(data: bytes, file_name: str) -> RawText:
    """Same as :func:`read_file` for in-memory content (uploads); dispatch on ``file_name``'s extension."""
    name = safe_name(file_name)
    try:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise err(name, "dữ liệu không phải dạng bytes", "data is not bytes")
        ext = _extension(file_name)
        _check_extension(ext, name)
        if len(data) > MAX_FILE_BYTES:
            raise _too_big(name, len(data))
        return _dispatch(bytes(data), name, ext)
    except IngestError:
        raise
    except MemoryError:
        raise err(name, "tệp quá lớn để xử lý", "file too large to process") from None
    except Exception as exc:  # noqa: BLE001
        raise err(name, f"lỗi không mong đợi khi đọc tệp ({type(exc).__name__})",
                  f"unexpected error while reading the file ({type(exc).__name__})") from exc


def _dispatch(data: bytes, name: str, ext: str) -> RawText:
    if ext == ".pdf":
        from ingest.readers_pdf import read_pdf_bytes
        return read_pdf_bytes(data, name)
    if ext == ".docx":
        from ingest.readers_docx import read_docx_bytes
        return read_docx_bytes(data, name)
    text, warnings = decode_text_bytes(data, name)
    return finish(text, ext.lstrip("."), name, warnings)


# --------------------------------------------------------------------------- paths


def _extension(file_name: str | None) -> str:
    return os.path.splitext(str(file_name or ""))[1].lower()


def _pick_extension(path_name: str, display_name: str | None) -> str:
    """Extension of the file on disk, or of ``display_name`` when the disk name has none we know."""
    ext = _extension(path_name)
    if ext not in SUPPORTED_EXTENSIONS and _extension(display_name) in SUPPORTED_EXTENSIONS:
        return _extension(display_name)
    return ext


def _check_extension(ext: str, name: str) -> None:
    if ext in SUPPORTED_EXTENSIONS:
        return
    supported = ", ".join(SUPPORTED_EXTENSIONS)
    if ext == ".doc":
        raise err(name, f"định dạng Word .doc cũ chưa hỗ trợ; hãy lưu lại thành .docx (hỗ trợ: {supported})",
                  f"legacy Word .doc is not supported; save it as .docx (supported: {supported})")
    shown = ext or "(không có phần mở rộng)"
    raise err(name, f"định dạng {shown} không được hỗ trợ; chỉ nhận {supported}",
              f"unsupported file type {ext or '(no extension)'}; supported: {supported}")


def _too_big(name: str, size: int) -> IngestError:
    mb = MAX_FILE_BYTES // (1024 * 1024)
    return err(name, f"tệp quá lớn ({size / 1048576:.1f} MB > {mb} MB); hãy tách thành các tệp nhỏ hơn",
               f"file too large ({size / 1048576:.1f} MB > {mb} MB); split it into smaller files")


def _read_path(path: Path, name: str, ext: str) -> bytes:
    """Checks (symlink, directory, special file, size) then read at most ``MAX_FILE_BYTES``."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise err(name, "không tìm thấy tệp", "file not found") from None
    except OSError as exc:
        raise err(name, f"không truy cập được tệp ({exc.strerror})", f"cannot access file ({exc.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        raise err(name, "liên kết tượng trưng không được phép; hãy chọn tệp gốc",
                  "symlinks are not allowed; select the real file")
    if stat.S_ISDIR(st.st_mode):
        raise err(name, "đây là thư mục, không phải tệp", "this is a directory, not a file")
    _check_extension(ext, name)
    if not stat.S_ISREG(st.st_mode):
        raise err(name, "không phải tệp thông thường", "not a regular file")
    if st.st_size > MAX_FILE_BYTES:
        raise _too_big(name, st.st_size)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise err(name, f"không mở được tệp ({exc.strerror})", f"cannot open file ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise err(name, "không phải tệp thông thường", "not a regular file")
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(name, len(data))
    return data


# --------------------------------------------------------------------------- text decoding
_BOMS = [(codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
_MAGIC = [(b"%PDF-", "PDF"), (b"PK\x03\x04", "ZIP/DOCX"), (b"\xd0\xcf\x11\xe0", "Word .doc/OLE"),
          (b"MZ", "EXE"), (b"\x7fELF", "ELF"), (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"),
          (b"GIF8", "GIF"), (b"\x1f\x8b", "GZIP"), (b"Rar!", "RAR"), (b"7z\xbc\xaf", "7Z")]
_BINARY_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_SNIFF = 64 * 1024


def decode_text_bytes(data: bytes, name: str) -> tuple[str, list[str]]:
    """Decode a text file's bytes; return ``(text, warnings)`` or raise :class:`IngestError`."""
    if not data.strip():
        raise err(name, "tệp rỗng", "empty file")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(enc)
            except UnicodeDecodeError:
                raise err(name, f"tệp có BOM {enc.upper()} nhưng nội dung không hợp lệ; hãy lưu lại dưới dạng UTF-8",
                          f"file has a {enc.upper()} BOM but invalid content; re-save it as UTF-8") from None
            return text, [] if enc == "utf-8" else [f"đã chuyển từ {enc.upper()} / converted from {enc.upper()}"]
    sniffed = _sniff_utf16(data)
    if sniffed is not None:
        return sniffed
    _reject_binary(data, name)
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            return data[:exc.start].decode("utf-8"), [
                "ký tự cuối tệp bị cắt cụt đã được bỏ / truncated last character dropped"]
    return _decode_legacy(data, name)


def _sniff_utf16(data: bytes) -> tuple[str, list[str]] | None:
    """UTF-16 without BOM: many NULs, nearly all on odd (LE) or even (BE) positions."""
    sample = data[:_SNIFF - (_SNIFF % 2)]
    if len(sample) < 8 or len(data) % 2 or sample.count(0) < len(sample) // 5:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    enc = "utf-16-le" if odd > 9 * even else "utf-16-be" if even > 9 * odd else None
    if enc is None:
        return None
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        return None
    if _control_share(text[:_SNIFF]) > 0.01 or score_vietnamese(text).looks_garbled:
        return None
    return text, [f"đã chuyển từ {enc.upper()} (không có BOM) / converted from {enc.upper()} (no BOM)"]


def _control_share(text: str) -> float:
    bad = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    return bad / max(1, len(text))


def _reject_binary(data: bytes, name: str) -> None:
    """Refuse executables, images, archives, PDFs… renamed to .txt/.md."""
    head = data[:_SNIFF]
    for magic, label in _MAGIC:
        if head.startswith(magic):
            raise err(name, f"tệp nhị phân ({label}), không phải văn bản; hãy dùng đúng phần mở rộng",
                      f"binary file ({label}), not text; use the right file extension")
    bad = len(head) - len(head.translate(None, _BINARY_BYTES))
    if bad > max(2, len(head) * 3 // 100):
        raise err(name, "tệp nhị phân, không phải văn bản", "binary file, not text")


_LEGACY_DECODERS = [("Windows-1258", decode_cp1258), ("TCVN3 (ABC)", decode_tcvn3), ("VNI-Windows", decode_vni)]


def _decode_legacy(data: bytes, name: str) -> tuple[str, list[str]]:
    """Not UTF-8: try Windows-1258, TCVN3, VNI on a sample; decode all with the one that reads as Vietnamese."""
    sample = data[:_SNIFF * 4]
    if len(data) > len(sample):
        sample = sample[:max(sample.rfind(b"\n"), sample.rfind(b" "), 1)]
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, (label, decoder) in enumerate(_LEGACY_DECODERS):
        text = decoder(sample)
        score = score_vietnamese(text) if text is not None else None
        if score is not None and score.looks_vietnamese:
            key = (score.ratio, score.valid, -order)
            if best is None or key > best:
                best, chosen = key, (label, decoder)
    text = chosen[1](data) if chosen else None
    if text is None:
        raise err(name, "không nhận dạng được bảng mã (không phải UTF-8, Windows-1258, TCVN3 hay VNI); "
                        "hãy lưu lại dưới dạng Unicode UTF-8",
                  "unknown text encoding (not UTF-8, Windows-1258, TCVN3 or VNI); re-save the file as UTF-8")
    label = chosen[0]
    return text, [f"đã chuyển từ bảng mã {label} sang Unicode / converted from {label} to Unicode"]


# --------------------------------------------------------------------------- cleaning
_NEWLINES_RE = re.compile(r"\r\n?|[\f\v\x85\u2028\u2029]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_C1_RE = re.compile(r"[\x80-\x9f]")
_ZERO_WIDTH_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


def clean_text(text: str, *, keep_c1: bool = False) -> tuple[str, int]:
    """Normalise newlines, drop control characters (NUL…) and zero-width characters, NFC.

    Returns ``(text, number_of_control_characters_removed)``. ``keep_c1`` keeps U+0080-U+009F
    for :func:`finish`, which needs them (and soft hyphens, the TCVN3 letter ``ư``) to
    repair legacy-font mojibake before removing them.
    """
    text = _NEWLINES_RE.sub("\n", text)
    text, removed = _CONTROL_RE.subn("", text)
    if not keep_c1:
        text, removed_c1 = _C1_RE.subn("", text)
        removed += removed_c1
    text = _ZERO_WIDTH_RE.sub("", text)
    return unicodedata.normalize("NFC", text), removed


def finish(text: str, kind: str, name: str, warnings: list[str],
           hidden: list[str] | None = None) -> RawText:
    """Clean, repair legacy-font mojibake, refuse garbage or near-empty text, build :class:`RawText`."""
    text, removed = clean_text(text, keep_c1=True)
    text, label = repair_mojibake(text)
    if label:
        warnings.append(f"đã chuyển văn bản phông cũ {label} sang Unicode / "
                        f"converted legacy-font text ({label}) to Unicode")
    text, removed_c1 = _C1_RE.subn("", text.replace("\u00ad", ""))
    if removed + removed_c1:
        n = removed + removed_c1
        warnings.append(f"đã loại bỏ {n} ký tự điều khiển (NUL…) / removed {n} control characters (NUL…)")
    text = unicodedata.normalize("NFC", text)
    text = _drop_instructions(text, warnings)
    score = score_vietnamese(text)
    if score.looks_garbled:
        raise err(name, "văn bản bị lỗi phông/bảng mã (không đọc được tiếng Việt); hãy lưu lại dưới dạng Unicode",
                  "text is garbled (wrong font encoding, not readable Vietnamese); re-save it as Unicode")
    if score.invalid >= 3 and score.ratio < 0.85:
        warnings.append("một số từ có thể bị lỗi phông chữ / some words may be garbled (font encoding)")
    check_enough_text(text, name)
    hidden_clean = [h for h in (clean_text(h)[0].strip() for h in hidden or []) if h]
    return RawText(text=text, kind=kind, warnings=warnings, hidden_text=hidden_clean)


def _drop_instructions(text: str, warnings: list[str]) -> str:
    """Remove sentences addressed to an AI assistant (see :mod:`ingest.readers_guard`); say so."""
    from ingest.readers_guard import remove_instructions

    text, planted = remove_instructions(text)
    if planted:
        n, first = len(planted), planted[0][:60] + ("…" if len(planted[0]) > 60 else "")
        warnings.append(f"phát hiện {n} đoạn giống lệnh cho trợ lý AI (prompt injection), đã loại khỏi nội dung: "
                        f"«{first}» / {n} instruction-like passages (prompt injection) excluded from the content")
    return text


_LETTER_RE = re.compile(r"[^\W\d_]")


def count_letters(text: str, limit: int | None = None) -> int:
    """Number of letters in ``text`` (stops counting at ``limit``)."""
    if limit is None:
        return len(_LETTER_RE.findall(text))
    return sum(1 for _ in itertools.islice(_LETTER_RE.finditer(text), limit))


def check_enough_text(text: str, name: str) -> None:
    """Raise "empty file" / "no text content" when ``text`` has fewer than ``MIN_LETTERS`` letters."""
    if not text.strip():
        raise err(name, "tệp rỗng", "empty file")
    if count_letters(text, MIN_LETTERS) < MIN_LETTERS:
        raise err(name, f"không có nội dung văn bản (dưới {MIN_LETTERS} chữ cái)",
                  f"no text content (fewer than {MIN_LETTERS} letters)")
