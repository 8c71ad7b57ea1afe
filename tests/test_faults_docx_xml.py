"""Issue #18: the DOCX XML guard reads every encoding an XML parser reads, and says what it drops.

Real DOCX files (python-docx, then ``word/document.xml`` rewritten) ingested into a real catalog
and Chroma on disk with the fake embedder.
"""
from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import Path

import pytest
from docx.oxml import parse_xml

from index.embedders import get_embedder
from index.ingestion import ingest_paths
from index.store import Index
from ingest.xml_guard import detect_encoding
from tests.test_readers import basic_docx, docx_bytes, rezip

DTD = '<!DOCTYPE w:document [<!ENTITY so "số 77/QĐ-UBND">]>'
BOMS = {"utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE, "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE, "utf-8": codecs.BOM_UTF8}
VARIANTS = [(enc, bom) for enc in BOMS for bom in (True, False)]


def _document_xml() -> str:
    with zipfile.ZipFile(io.BytesIO(docx_bytes(basic_docx))) as zf:
        return zf.read("word/document.xml").decode("utf-8")


def _recoded(xml: str, enc: str, bom: bool, declared: str | None = None) -> bytes:
    label = declared or enc.split("-l")[0].split("-b")[0].upper()
    xml = re.sub(r"encoding=['\"][^'\"]+['\"]", f"encoding='{label}'", xml, count=1)
    return (BOMS[enc] if bom else b"") + xml.encode(enc)


def _ingest(tmp_path: Path, name: str, document_xml: bytes):
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(rezip(docx_bytes(basic_docx), replace={"word/document.xml": document_xml}))
    index = Index(tmp_path / "home", get_embedder("fake"))
    [status] = ingest_paths(index, [path])
    return status, index


@pytest.mark.parametrize("enc,bom", VARIANTS, ids=[f"{e}{'-bom' if b else ''}" for e, b in VARIANTS])
def test_dtd_is_refused_in_every_encoding(tmp_path, enc, bom):
    head, body = _document_xml().split("?>", 1)
    evil = head + "?>" + DTD + body.replace("Đoạn văn sau bảng", "Quyết định &so; Đoạn văn sau bảng", 1)
    data = _recoded(evil, enc, bom)
    assert detect_encoding(data[:64]) == enc
    status, index = _ingest(tmp_path, f"xxe_{enc}.docx", data)
    assert status.status == "rejected", status.line()
    assert "DOCTYPE/ENTITY" in status.detail and "XXE" in status.detail and " / " in status.detail
    assert "\n" not in status.line() and index.docs() == []


@pytest.mark.parametrize("enc", ["utf-32-le", "utf-16-be"])
def test_clean_document_in_another_encoding_is_read(tmp_path, enc):
    status, index = _ingest(tmp_path, "clean.docx", _recoded(_document_xml(), enc, bom=True))
    assert status.status == "ingested", status.line()
    assert "Đoạn văn sau bảng" in index.doc_text("clean.docx")


def test_unchecked_encoding_is_refused(tmp_path):
    status, _ = _ingest(tmp_path, "utf7.docx", _recoded(_document_xml(), "utf-8", False, declared="UTF-7"))
    assert status.status == "rejected" and "unsupported encoding" in status.detail, status.line()


def test_declared_utf32_in_ascii_layout_is_refused(tmp_path):
    head, body = _document_xml().split("?>", 1)
    data = _recoded(head + "?>" + DTD + body, "utf-8", False, declared="UTF-32")
    status, _ = _ingest(tmp_path, "liar.docx", data)
    assert status.status == "rejected", status.line()


def test_a_paragraph_that_cannot_be_read_is_reported(tmp_path):
    def build(document) -> None:
        basic_docx(document)
        p = document.add_paragraph()
        p._p.append(parse_xml('<m:oMath xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
                              '<m:r><m:t>x = 1078</m:t></m:r></m:oMath>'))

    path = tmp_path / "in" / "cong-thuc.docx"
    path.parent.mkdir()
    path.write_bytes(docx_bytes(build))
    [status] = ingest_paths(Index(tmp_path / "home", get_embedder("fake")), [path])
    assert status.status == "ingested" and "1 DOCX paragraphs hold content that could not be read" in status.detail
    plain = tmp_path / "in" / "plain.docx"
    plain.write_bytes(docx_bytes(basic_docx))
    [ok] = ingest_paths(Index(tmp_path / "home", get_embedder("fake")), [plain])
    assert "could not be read" not in ok.detail
