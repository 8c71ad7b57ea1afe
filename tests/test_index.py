"""Index: incremental ingest, removal, locking, embedder mismatch, hybrid search (killed ingests: test_killed_ingest.py)."""
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.chroma_store import StoreError
from index.embedders import get_embedder
from index.ingestion import ingest_paths
from index.keyword import KeywordIndex, keyword_tokens
from index.retriever import Retriever, parse_hints
from index.store import Index, IndexBusyError

ROOT = Path(__file__).resolve().parent.parent


def _open(home: Path, name: str = "fake") -> Index:
    return Index(home, get_embedder(name))


def _snapshot(index: Index) -> dict:
    return {d.doc_name: sorted(c.chunk_id for c in index.catalog.chunks(d.doc_name)) for d in index.docs()}


def test_samples_ingested_with_counts(built_home):
    index = _open(built_home)
    docs = index.docs()
    assert [d.doc_name for d in docs] == sorted(p.name for p in (ROOT / "cchc" / "samples").glob("*.txt"))
    assert index.store.count() == sum(d.n_chunks for d in docs) == len(index.keyword().ids)


def test_reingest_unchanged_does_nothing(home_copy, samples):
    index = _open(home_copy)
    before = _snapshot(index)
    statuses = ingest_paths(index, [samples])
    assert {s.status for s in statuses} == {"unchanged"}
    assert _snapshot(index) == before


def test_changed_report_replaces_its_chunks(samples, tmp_path):
    index = _open(tmp_path / "home")
    name = "003_3292d6be82962f6a.txt"
    changed = tmp_path / name  # the same file, edited: a file of the same name elsewhere would be kept apart
    changed.write_text((samples / name).read_text(encoding="utf-8"), encoding="utf-8")
    assert [s.status for s in ingest_paths(index, [changed])] == ["ingested"]
    old = set(index.store.ids_of(name))
    changed.write_text((samples / name).read_text(encoding="utf-8").replace("930/KH-SKHCN", "931/KH-SKHCN"),
                       encoding="utf-8")
    [status] = ingest_paths(index, [changed])
    assert status.status == "ingested"
    new = set(index.store.ids_of(name))
    assert new and new != old and len(new) == status.n_chunks
    assert any("931/KH-SKHCN" in c.text for c in index.catalog.chunks(name))
    assert index.store.count() == len(index.keyword().ids)


def test_remove_deletes_everywhere(home_copy):
    index = _open(home_copy)
    name = "001_1378d54d2ddf81bf.txt"
    assert index.remove(name)
    assert not index.store.ids_of(name) and not index.catalog.chunks(name)
    assert not any(h.chunk.doc_name == name for h in Retriever(index).search("tọa đàm kỷ niệm 18/5", k=10))
    assert not index.remove(name)


def test_bad_files_are_rejected_and_the_rest_go_in(tmp_path, samples):
    (tmp_path / "in").mkdir()
    shutil.copy(samples / "004_174b6c4ae34f5b29.txt", tmp_path / "in")
    (tmp_path / "in" / "empty.txt").write_text("")
    (tmp_path / "in" / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    index = _open(tmp_path / "home")
    statuses = {s.file: s for s in ingest_paths(index, [tmp_path / "in"])}
    assert statuses["004_174b6c4ae34f5b29.txt"].status == "ingested"
    assert statuses["empty.txt"].status == "rejected" and "empty" in statuses["empty.txt"].detail
    assert statuses["broken.pdf"].status == "rejected"
    assert [d.doc_name for d in index.docs()] == ["004_174b6c4ae34f5b29.txt"]


def test_embedder_mismatch_is_refused(built_home, tmp_path):
    home = tmp_path / "h"
    shutil.copytree(built_home, home)
    with pytest.raises(StoreError, match="fake-hash-64"):
        _open(home, "fake-other")


def _worker(home: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.helpers.ingest_worker", str(home), *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_second_writer_fails_fast(tmp_path):
    home = tmp_path / "locked"
    p = _worker(home, "fake", "--hold-lock")
    try:
        assert p.stdout.readline().strip() == "locked"
        index = _open(home)
        t = time.monotonic()
        with pytest.raises(IndexBusyError, match="another process"):
            with index.writing():
                pass
        assert time.monotonic() - t < 2
    finally:
        p.kill()
        p.wait()


def test_keyword_tokens_without_tone_marks_match():
    kw = KeywordIndex.build(["a", "b"], ["Kế hoạch CCHC năm 2020 của Sở", "Báo cáo tài chính công"])
    assert kw.scores("ke hoach cchc").argmax() == 0
    assert "20/qđ-skhcn" in keyword_tokens("Quyết định 20/QĐ-SKHCN")


def test_equivalent_wordings_share_their_keyword_tokens():
    folded = lambda text: {t for t in keyword_tokens(text) if t.isascii()}  # noqa: E731
    assert folded("quá hạn") == folded("trễ hạn") == folded("trễ hẹn")
    assert folded("tỉ lệ") == folded("tỷ lệ")
    assert {"thu_tuc", "hanh_chinh"} <= folded("Công bố 28 TTHC") and "tthc" in folded("thủ tục hành chính")
    assert "khcn" in folded("Sở KH&CN") and "kh&cn" in folded("Sở Khoa học và Công nghệ")
    kw = KeywordIndex.build(["a", "b"], ["Trả trước hạn: 137 hồ sơ; trả quá hạn: 3 hồ sơ", "Báo cáo tài chính công"])
    assert kw.scores("hồ sơ bị trễ hạn").argmax() == 0
    assert "quá" not in keyword_tokens("tràn qua")  # a phrase matches whole words only


def test_an_index_of_an_older_keyword_tokenizer_is_rebuilt_on_open(home_copy):
    from index.ingestion import ensure_consistent
    from index.keyword import KEYWORD_VERSION

    index = _open(home_copy)
    index.catalog.set_info("keyword_version", "kw-0")
    assert index.keyword_outdated()
    again = _open(home_copy)
    ensure_consistent(again)
    assert again.catalog.get_info("keyword_version") == KEYWORD_VERSION and not again.keyword_outdated()
    assert KeywordIndex.load(home_copy / "keyword") is not None
    assert Retriever(again).search("hồ sơ trễ hạn", 3)


def test_hints_from_question():
    h = parse_hints("so CBCCVC o Khanh Hoa duoc dao tao nam 2020")
    assert h.provinces[0] == "Khánh Hòa" and h.years == [2020]
    assert "Ninh Thuận" in h.provinces  # merged into Khánh Hòa in 2025: its old reports are in scope
    assert parse_hints("Quyết định 20/QĐ-SKHCN ngày 30/01/2020").years == []


def test_hybrid_search_finds_codes_and_respects_scope(built_home):
    r = Retriever(_open(built_home))
    hits = r.search("Quyết định 1078/QĐ-UBND", k=5)
    assert "1078/QĐ-UBND" in hits[0].chunk.text
    from index.records import SearchFilter

    scoped = r.search("kế hoạch cải cách hành chính năm 2020", k=5, scope=SearchFilter(provinces=["Bình Định"]))
    assert scoped and {h.meta.province for h in scoped} == {"Bình Định"}
    boosted = r.search("kế hoạch cải cách hành chính Quảng Ngãi", k=3)
    assert boosted[0].meta.province == "Quảng Ngãi"


def test_diversify_keeps_every_competitive_report(built_home):
    from index.retriever import diversify

    hits = Retriever(_open(built_home)).search("kế hoạch cải cách hành chính năm 2020", k=15)
    top = diversify(hits, 5, ratio=0.0)
    assert len(top) == 5
    assert len({h.chunk.doc_name for h in top}) == min(5, len({h.chunk.doc_name for h in hits}))
    assert [h.score for h in top] == sorted((h.score for h in top), reverse=True)
    assert diversify(hits, 5, ratio=1.01) == hits[:5]  # nobody competitive: plain top-k
