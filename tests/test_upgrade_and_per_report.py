"""Opening an index built by an older chunker re-chunks it; per-report retrieval keeps
every competitive report."""
from assistant.api import open_assistant, per_report_hits, with_continuations
from index.records import Hit
from ingest.records import CHUNKER_VERSION, Chunk, DocMeta


def test_index_of_an_older_chunker_is_rechunked_on_open(home_copy):
    asst = open_assistant(home_copy, embedder="fake")
    before = {d.doc_name: d.n_chunks for d in asst.docs()}
    asst.index.catalog.set_info("chunker", "vi-sent-0")
    asst.index.catalog.set_info("keyword_dirty", "0")
    again = open_assistant(home_copy, embedder="fake")
    assert again.index.catalog.get_info("chunker") == CHUNKER_VERSION
    assert {d.doc_name: d.n_chunks for d in again.docs()} == before
    assert all(d.status == "complete" for d in again.docs())
    assert again.search("Quyết định 20/QĐ-SKHCN", 3)


def _hit(doc: str, i: int, score: float) -> Hit:
    chunk = Chunk(f"{doc}-{i}", doc, doc, "", f"text {doc} {i}", 0, 10, i)
    return Hit(chunk, score, DocMeta())


def test_per_report_hits_keep_each_competitive_report():
    hits = [_hit("a", 0, 1.0), _hit("a", 1, 0.9), _hit("a", 2, 0.8), _hit("a", 3, 0.7),
            _hit("b", 0, 0.6), _hit("c", 0, 0.3), _hit("b", 1, 0.2)]
    kept = per_report_hits(hits, k=5)
    docs = [h.chunk.doc_name for h in kept]
    assert docs[:3] == ["a", "b", "c"]  # each report's best chunk first, in reranked order
    assert docs.count("a") == 3 and docs.count("b") == 2 and len(kept) <= 10
    assert per_report_hits([], k=5) == []


def test_each_reports_best_chunk_brings_its_continuation_last():
    hits = [_hit("a", 3, 1.0), _hit("b", 0, 0.9), _hit("a", 7, 0.8)]
    nxt = {("a", 3): _hit("a", 4, 1.0), ("b", 0): _hit("b", 1, 0.9), ("a", 7): _hit("a", 8, 0.8)}
    out = with_continuations(hits, lambda h: nxt.get((h.chunk.doc_name, h.chunk.ordinal)))
    assert [(h.chunk.doc_name, h.chunk.ordinal) for h in out] == [("a", 3), ("b", 0), ("a", 7), ("a", 4), ("b", 1)]
    again = with_continuations(hits + [_hit("a", 4, 0.1)], lambda h: nxt.get((h.chunk.doc_name, h.chunk.ordinal)))
    assert [h.chunk.ordinal for h in again].count(4) == 1  # already retrieved: not repeated


def test_continuation_is_the_next_chunk_of_the_same_section(home_copy):
    asst = open_assistant(home_copy, embedder="fake")
    chunks = asst.index.catalog.chunks("002_66aa62caed93e12d.txt")
    for c, d in zip(chunks, chunks[1:]):
        got = asst.retriever.continuation(Hit(c, 0.5, DocMeta()))
        if d.section == c.section:
            assert got is not None and got.chunk.chunk_id == d.chunk_id and got.score == 0.5
        else:
            assert got is None
    last = max(chunks, key=lambda c: c.ordinal)
    assert asst.retriever.continuation(Hit(last, 0.5, DocMeta())) is None


def test_opening_a_fresh_home_while_another_process_writes_does_not_fail(tmp_path):
    """The first open loads the bundled samples; if another process holds the write lock (it is
    loading them too), this one opens what is there instead of failing, and loads them later."""
    import fcntl
    import os

    home = tmp_path / "fresh"
    home.mkdir()
    fd = os.open(home / "write.lock", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        asst = open_assistant(home, embedder="fake")
        assert asst.docs() == [] and asst.index.catalog.get_info("samples_loaded") is None
    finally:
        os.close(fd)
    again = open_assistant(home, embedder="fake")
    assert len(again.docs()) == 5 and again.index.catalog.get_info("samples_loaded") == "1"
