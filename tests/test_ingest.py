"""Normalisation, sections, metadata and chunking on the real sample reports."""
import json
import re
from pathlib import Path

import pytest

from ingest.chunker import HARD_MAX_SYLLABLES, chunk_document
from ingest.metadata import extract_metadata
from ingest.normalize import normalize_text
from ingest.textkeys import PROTECTED_RE, fold, syllable_count, tokens

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "evals" / "sets" / "dev.jsonl"


def _ws(s: str) -> str:
    return re.sub(r"\s", "", s)


@pytest.fixture(scope="module")
def docs(samples):
    out = {}
    for f in sorted(samples.glob("*.txt")):
        text = normalize_text(f.read_text(encoding="utf-8"))
        out[f.name] = (text, chunk_document(f.name, f.name, text))
    return out


def test_pdf_hard_breaks_are_joined():
    raw = "Căn cứ Quyết định số 20/QĐ-SKHCN ngày 30/01/2020 ban hành Kế \n\nhoạch cải cách hành chính Sở Khoa học\n\nvà Công nghệ năm 2020 như sau: \n\n- Thành lập Ban Chỉ đạo CCHC của Sở (Quyết định 216/QĐ-\n\nSKHCN ngày 04/11/2020) với 10 thành viên, chỉ đạo thực hiện các nhiệm vụ CCHC của Sở và các đơn vị.\n" * 3
    text = normalize_text(raw)
    assert "ban hành Kế hoạch cải cách" in text
    assert "216/QĐ-SKHCN ngày 04/11/2020" in text
    assert "\n- Thành lập" in text  # list items stay separate paragraphs


def test_nfc_and_zero_width():
    nfd = "Kho\u0061\u0300 h\u006f\u0323c \u200bK\u0068\u00e1nh Ho\u0300a"  # decomposed + zero width
    assert normalize_text(nfd) == "Khoà học Khánh Hòa"


def test_tokens_keep_codes_and_dates_whole():
    toks = tokens("Quyết định số 20/QĐ-SKHCN ngày 30/01/2020; Nghị quyết 05-NQ/TU; QĐ 19/2014/QĐ-TTg; Sở KH&CN")
    assert "20/qđ-skhcn" in toks and "30/1/2020" in toks and "5-nq/tu" in toks
    assert "19/2014/qđ-ttg" in toks and "kh&cn" in toks
    assert fold("Khánh Hoà") == fold("khanh hoa") == "khanh hoa"


def test_every_dev_evidence_lies_inside_one_chunk(docs):
    for line in DEV.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        names = item.get("docs") or ([item["doc"]] if item.get("doc") else [])
        evs = item["evidence"] if isinstance(item.get("evidence"), list) else [item.get("evidence")]
        for name, ev in zip(names, evs):
            assert any(_ws(ev) in _ws(c.text) for c in docs[name][1]), (item["id"], ev)


def test_codes_and_dates_never_split(docs):
    for text, chunks in docs.values():
        bounds = {c.start for c in chunks} | {c.end for c in chunks}
        for m in PROTECTED_RE.finditer(text):
            assert not any(m.start() < b < m.end() for b in bounds), m.group(0)


def test_chunks_are_offsets_sections_and_sized(docs):
    for text, chunks in docs.values():
        assert chunks
        for c in chunks:
            assert text[c.start:c.end] == c.text
            assert "\n" not in c.section
            n = syllable_count(c.text)
            glued = "<sup>" in c.text  # a sentence and its footnote stay together
            assert n <= HARD_MAX_SYLLABLES or glued or len(re.findall(r"[.!?](\s|$)", c.text)) <= 1, c.text[:80]
        sizes = sorted(syllable_count(c.text) for c in chunks)
        assert 60 <= sizes[len(sizes) // 2] <= 200


def test_footnote_travels_with_its_sentence(docs):
    _, chunks = docs["002_66aa62caed93e12d.txt"]
    c = next(c for c in chunks if "314/QĐ-SKHCHN" in c.text)
    assert "Kế hoạch cải cách hành chính<sup>1</sup>" in c.text


def test_section_paths(docs):
    _, chunks = docs["000_2e45de5cd4b14c3f.txt"]
    c = next(c for c in chunks if "1078/QĐ-UBND" in c.text)
    assert c.section == "II. KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH › 1. Cải cách thể chế"
    _, chunks = docs["002_66aa62caed93e12d.txt"]
    assert any(c.section.endswith("2.1. Kết quả thực hiện nhóm nhiệm vụ, giải pháp về cải cách thể chế › "
                                  "a) Kết quả chủ yếu đạt được") for c in chunks)


def test_chunk_ids_are_stable(samples):
    f = samples / "003_3292d6be82962f6a.txt"
    text = normalize_text(f.read_text(encoding="utf-8"))
    a = [c.chunk_id for c in chunk_document("x", f.name, text)]
    b = [c.chunk_id for c in chunk_document("x", f.name, text)]
    assert a == b and len(set(a)) == len(a)


@pytest.mark.parametrize("name,province,period,doc_type", [
    ("000_2e45de5cd4b14c3f.txt", "Khánh Hòa", "năm 2020", "báo cáo"),
    ("001_1378d54d2ddf81bf.txt", None, "năm 2019", "kết luận"),
    ("002_66aa62caed93e12d.txt", "Quảng Ngãi", "giai đoạn 2016–2020", "báo cáo"),
    ("003_3292d6be82962f6a.txt", "Bình Định", "6 tháng đầu năm 2020", "báo cáo"),
    ("004_174b6c4ae34f5b29.txt", "Nghệ An", "năm 2023", "báo cáo"),
])
def test_metadata_from_text(samples, name, province, period, doc_type):
    meta = extract_metadata(normalize_text((samples / name).read_text(encoding="utf-8")))
    assert (meta.province, meta.period, meta.doc_type) == (province, period, doc_type)
    assert meta.body == "Sở Khoa học và Công nghệ"


def test_metadata_does_not_guess_from_file_name():
    meta = extract_metadata(normalize_text("BÁO CÁO\nKết quả công tác năm 2021 của đơn vị.\n"))
    assert meta.province is None and meta.period == "năm 2021"
