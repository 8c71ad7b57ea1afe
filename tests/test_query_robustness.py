"""Issue #6 part 4: one question, typed in any of the ways Vietnamese is typed, finds the same sections.

NFC, NFD (macOS, some IMEs), the other tone placement (``hoà``/``hòa``, ``thuỷ``/``thủy``), zero-width
characters (pasted from the web or Word) and no tone marks at all (``ke hoach cchc``) must return the
same top-5 report sections. The first four are equal by construction (one canonical search form,
:func:`ingest.textkeys.nfc`, for documents and questions); tone-less questions get their marks back
from the reports' own spelling (``index.tones``), which is statistical: see the thresholds below.
"""
from __future__ import annotations

import re
import unicodedata

import pytest

from index.embedders import get_embedder
from index.ingestion import ingest_paths
from index.keyword import keyword_tokens
from index.retriever import Retriever
from index.store import Index
from ingest.normalize import normalize_text
from ingest.textkeys import canonical_tones, nfc

QUESTIONS = [
    "Quyết định nào ban hành kế hoạch cải cách hành chính năm 2020 của Sở Khoa học và Công nghệ Khánh Hòa?",
    "Có bao nhiêu hồ sơ thủ tục hành chính bị trễ hạn?",
    "Ủy ban nhân dân tỉnh phê duyệt danh mục thủ tục hành chính rút ngắn thời gian giải quyết tại quyết định nào?",
    "Kết quả ứng dụng công nghệ thông tin và số hóa hồ sơ năm 2020 ra sao?",
    "Sở đã tổ chức bao nhiêu khóa đào tạo về hệ thống quản lý chất lượng ISO 9001?",
    "Những tồn tại, hạn chế trong công tác cải cách hành chính là gì?",
    "Tỷ lệ hồ sơ giải quyết đúng hạn là bao nhiêu phần trăm?",
    "Đề án vị trí việc làm và tinh giản biên chế được phê duyệt theo quyết định nào?",
]
TONELESS_EXACT = 8  # of 8: identical top-5 although typed without any tone mark
_TONE = "[\u0300\u0301\u0303\u0309\u0323]"
_OLD = re.compile(rf"(?<![qQ])((?:[oO](?={_TONE}[aeAE]))|(?:[uU](?={_TONE}[yY])))({_TONE})(\w)(?![^\W\d_])")


def other_placement(text: str) -> str:
    """``hòa`` → ``hoà``, ``thủy`` → ``thuỷ``, ``khỏe`` → ``khoẻ`` (tone mark on the second vowel)."""
    nfd = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _OLD.sub(lambda m: m.group(1) + m.group(3) + m.group(2), nfd))


def zero_width(text: str) -> str:
    """Zero-width spaces/joiners and a BOM sprinkled through the text, as pasted from the web."""
    marks = "\u200b\u200c\u200d\u2060\ufeff"
    return "".join(c + (marks[i % 5] if i % 4 == 3 else "") for i, c in enumerate(text))


def without_marks(text: str) -> str:
    """Typed without any Vietnamese mark, capitals kept: ``Khánh Hòa`` → ``Khanh Hoa``."""
    nfd = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in nfd if unicodedata.category(c) != "Mn")


VARIANTS = {"nfd": lambda q: unicodedata.normalize("NFD", q), "tone_placement": other_placement,
            "zero_width": zero_width}


def test_variants_really_differ_from_the_question():
    q = QUESTIONS[0]
    assert other_placement(q) != q and "Hoà" in other_placement(q) and other_placement("thủy, khỏe, quý") == \
        "thuỷ, khoẻ, quý"
    assert all(v(q) != q for v in VARIANTS.values()) and without_marks(q) == "Quyet dinh nao ban hanh ke hoach " \
        "cai cach hanh chinh nam 2020 cua So Khoa hoc va Cong nghe Khanh Hoa?"


@pytest.mark.parametrize("word, same", [("hòa", "hoà"), ("Khánh Hòa", "Khánh Hoà"), ("ủy ban", "uỷ ban"),
                                        ("thủy lợi", "thuỷ lợi"), ("khỏe", "khoẻ"), ("HÒA", "HOÀ"),
                                        ("số hóa", "số hoá"), ("tùy", "tuỳ")])
def test_one_tone_placement_in_search_keys(word, same):
    assert nfc(same) == nfc(word) == canonical_tones(word)
    assert keyword_tokens(same) == keyword_tokens(word)


@pytest.mark.parametrize("word", ["quý", "quỳnh", "hoàng", "thuyền", "khuya", "ngoài", "hoạch", "quả"])
def test_syllables_that_have_one_spelling_are_left_alone(word):
    assert nfc(word) == word


def test_shown_text_keeps_the_writers_spelling():
    raw = "Uỷ ban nhân dân tỉnh Khánh Hoà đã số hoá toàn bộ hồ sơ thủ tục hành chính trong năm 2020."
    assert normalize_text(raw) == raw  # quotes stay verbatim; only the search keys are canonical


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_question_variants_have_one_search_form(variant):
    for q in QUESTIONS:
        assert nfc(VARIANTS[variant](q)) == nfc(q)


def _top5(retriever: Retriever, question: str) -> list[tuple[str, str]]:
    return [(h.chunk.doc_name, h.chunk.section) for h in retriever.search(question, k=5)]


@pytest.fixture(scope="module")
def retriever(built_home):
    return Retriever(Index(built_home, get_embedder("fake")))


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_same_top5_sections_for_every_variant(retriever, variant):
    for q in QUESTIONS:
        assert _top5(retriever, VARIANTS[variant](q)) == _top5(retriever, q), (variant, q)


def test_same_top5_sections_without_tone_marks(retriever):
    exact = 0
    for q in QUESTIONS:
        want, got = _top5(retriever, q), _top5(retriever, without_marks(q))
        exact += got == want
        # 4 of the top-5 sections shared (of fewer when several top chunks share a section)
        assert got[:2] == want[:2] and len(set(got) & set(want)) >= min(4, len(set(want))), (q, got, want)
    assert exact >= TONELESS_EXACT, f"only {exact}/{len(QUESTIONS)} tone-less questions found the same top-5"


def test_report_written_in_the_other_placement_is_found_either_way(tmp_path):
    text = ("BÁO CÁO công tác cải cách hành chính năm 2022 của Sở Nông nghiệp tỉnh Thanh Hoá.\n"
            "Uỷ ban nhân dân tỉnh đã phê duyệt đề án thuỷ lợi hoá đồng ruộng; 45 công trình được tu sửa, "
            "sức khoẻ người dân vùng lũ được bảo đảm và toàn bộ hồ sơ đã được số hoá trên hệ thống.\n")
    (tmp_path / "thanh_hoa.txt").write_text(text * 3, encoding="utf-8")
    index = Index(tmp_path / "home", get_embedder("fake"))
    ingest_paths(index, [tmp_path / "thanh_hoa.txt"])
    r = Retriever(index)
    for q in ("Ủy ban tỉnh Thanh Hóa phê duyệt đề án thủy lợi hóa nào?", "Uỷ ban tỉnh Thanh Hoá phê duyệt đề án "
              "thuỷ lợi hoá nào?", "uy ban tinh thanh hoa phe duyet de an thuy loi hoa nao"):
        [hit] = r.search(q, k=1)
        assert hit.chunk.doc_name == "thanh_hoa.txt" and hit.keyword_rank == 0, q
