"""Issue #7: the distractor collection (bench/make_corpus.py) and finding the right report among it.

A 40-report collection (the five samples + 35 look-alike copies) is generated, checked for the
generator's invariants (the originals' facts never appear in a copy; each copy's metadata names its
new province and department), ingested with the fake embedder and searched: a question that names
its province or department still finds the original. Also: department hints, steering, batched
ingest after a failing embedder, the ETA line. The 200/1,000-report figures: bench/scale.py.
"""
from __future__ import annotations

import io
import json
import re
import time
from collections import deque
from pathlib import Path

import pytest

from bench.make_corpus import load_sources, make_copy, make_corpus, original_facts
from evals.textnorm import squash
from index.embedders import get_embedder
from index.hints import find_departments, steer_docs
from index.ingestion import ProgressBar, ingest_paths
from index.retriever import Retriever, diversify, parse_hints
from index.store import Index
from ingest.metadata import extract_metadata
from ingest.normalize import normalize_text
from ingest.records import DocMeta
from ingest.textkeys import fold, tokens

ROOT = Path(__file__).resolve().parent.parent
DEV = [json.loads(x) for x in (ROOT / "evals" / "sets" / "dev.jsonl").read_text(encoding="utf-8").splitlines() if x]
SIZE = 40


@pytest.fixture(scope="module")
def sources():
    return load_sources()


@pytest.fixture(scope="module")
def copies(sources):
    forbidden = original_facts(sources)
    return [make_copy(i, sources, forbidden) for i in range(len(sources), SIZE)]


@pytest.fixture(scope="module")
def scale_home(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    make_corpus(corpus, SIZE)
    home = tmp_path_factory.mktemp("scale_home")
    statuses = ingest_paths(Index(home, get_embedder("fake")), [corpus], batch_chunks=200)
    assert [s.status for s in statuses] == ["ingested"] * SIZE
    return home


def test_generator_is_reproducible_and_sizes_are_nested(tmp_path, sources, copies):
    forbidden = original_facts(sources)
    assert make_copy(7, sources, forbidden) == copies[7 - len(sources)]
    small = make_corpus(tmp_path / "small", 12)
    assert all((tmp_path / "small" / p.name).read_bytes() == p.read_bytes() for p in small[5:])
    assert {p.name for p in small} <= {name for name, _, _ in copies} | {s.path.name for s in sources}


def test_each_copy_is_another_department_province_and_period(sources, copies):
    by_name = {s.path.name: s for s in sources}
    for name, text, plan in copies:
        src = by_name[plan.source]
        meta = extract_metadata(normalize_text(text))
        assert meta.province == plan.province != src.meta.province, name
        assert meta.body == f"Sở {plan.dept}" != src.meta.body, name
        assert meta.years and set(meta.years) <= {y + plan.year_offset for y in src.meta.years}, name
        assert text.startswith(f"UBND TỈNH {plan.province.upper()}\n")
        if src.meta.province:  # replaced everywhere, with or without tone marks
            assert fold(src.meta.province) not in fold(text), name
        assert not re.search(r"Sở\s+(?:Khoa học và Công nghệ|KH&CN)", text), name
    assert len({plan.province for _, _, plan in copies}) > 20 and len({plan.dept for _, _, plan in copies}) > 8


def _remappable(span: str) -> bool:
    """Whether an evidence span holds a number the generator redraws (not an enumeration '(6)')."""
    return bool(re.search(r"\d", re.sub(r"\(\d+\)|ISO \d+(?::\d+)?", "", span)))


def test_facts_of_the_originals_appear_only_in_the_originals(sources, copies):
    facts = original_facts(sources)
    gold_codes = {t for d in DEV for m in d.get("must_include") or [] for t in tokens(m) if "/" in t}
    assert gold_codes and gold_codes <= facts
    spans = [e for d in DEV for e in ([d["evidence"]] if isinstance(d.get("evidence"), str) else d.get("evidence") or [])
             if _remappable(e)]
    assert len(spans) > 25
    for name, text, _ in copies:
        assert not facts & set(tokens(text)), name
        flat = squash(text)
        assert not [s for s in spans if squash(s) in flat], name


def test_named_province_or_department_finds_the_original(scale_home):
    retriever = Retriever(Index(scale_home, get_embedder("fake")))
    asked = found = 0
    for d in DEV:
        hints = parse_hints(d["question"])
        if not d.get("doc") or not (hints.provinces or hints.bodies):
            continue
        asked += 1
        hits = retriever.search(d["question"], k=5)
        found += hits[0].chunk.doc_name == d["doc"]
        assert d["doc"] in {h.chunk.doc_name for h in hits}, d["id"]
    assert asked >= 20 and found >= 0.9 * asked


def test_ambiguous_question_lists_every_matching_report(scale_home):
    retriever = Retriever(Index(scale_home, get_embedder("fake")))
    question = "Quyết định nào đã ban hành kế hoạch cải cách hành chính năm 2020?"
    assert len({h.chunk.doc_name for h in diversify(retriever.search(question, k=15), 5)}) >= 4
    reports = retriever.search_reports(question)
    names = [h.chunk.doc_name for h in reports]
    assert len(names) == len(set(names)) > 5  # one hit per report, more reports than a top 5 holds
    assert {"000_2e45de5cd4b14c3f.txt", "003_3292d6be82962f6a.txt"} <= set(names)  # the 2020 plans


def test_department_hints_vi_toneless_and_english():
    assert find_departments("So KH&CN Quang Ngai to chuc bao nhieu khoa dao tao") == ["Sở Khoa học và Công nghệ"]
    assert parse_hints("What share of the Quang Ngai DOST's procedures").bodies == ["Sở Khoa học và Công nghệ"]
    both = find_departments("did the Khanh Hoa Department of Science and Technology report to the Department of "
                            "Information and Communications")
    assert both == ["Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông"]
    assert find_departments("Sở Văn hóa, Thể thao và Du lịch Hà Nam") == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert find_departments("Quyết định nào ban hành kế hoạch CCHC năm 2020?") == []


def test_steering_uses_only_what_the_index_holds():
    metas = {"a": DocMeta(province="Nghệ An", body="Sở Y tế"), "b": DocMeta(province="Nghệ An", body="Sở Tư pháp"),
             "c": DocMeta(province="Hà Nam", body="Sở Y tế")}
    assert steer_docs(metas, ["Nghệ An"], ["Sở Y tế"]) == {"a"}
    assert steer_docs(metas, ["Nghệ An"], ["Sở Xây dựng"]) == {"a", "b"}  # department not held: province only
    assert steer_docs(metas, [], ["Sở Y tế"]) == {"a", "c"}
    assert steer_docs(metas, ["Lào Cai"], []) is None and steer_docs(metas, [], []) is None


class _FailingOnce:
    """The fake embedder, failing on its first batch (a crash in the middle of a batch)."""

    def __init__(self):
        self.inner, self.calls = get_embedder("fake"), 0
        self.id, self.dim = self.inner.id, self.inner.dim

    def embed(self, texts):
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("boom")
        return self.inner.embed(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_failed_batch_is_retried_report_by_report(tmp_path, samples):
    index = Index(tmp_path / "h", _FailingOnce())
    statuses = ingest_paths(index, [samples], batch_chunks=10_000)
    assert [s.status for s in statuses] == ["ingested"] * 5  # one batch failed, then one by one
    assert not index.catalog.docs(status="pending")
    assert index.store.count() == sum(s.n_chunks for s in statuses) == len(index.keyword().ids)


def test_progress_eta_uses_the_recent_rate_not_the_skipped_burst():
    out = io.StringIO()
    bar = ProgressBar(stream=out, every_s=0.0, tty=False, window_s=300)
    now = time.monotonic()  # a resumed ingest: 200 unchanged files in 10 s, then 3 reports a minute
    bar.marks = deque([(now - 1000, 0), (now - 990, 200), (now - 600, 230), (now - 290, 245)])
    bar(260, 1000, "x.txt")
    assert re.search(r"260/1000 .* 3\.0/phút .* còn ~4h0[67]m", out.getvalue()), out.getvalue()
