"""The assistant's public API, used by the CLI, the UI and the evaluation harness.

    >>> asst = open_assistant(llm="extractive")  # doctest: +SKIP
    >>> ans = asst.ask("Quyết định nào ban hành kế hoạch CCHC năm 2020?")  # doctest: +SKIP
    >>> ans.to_json()["citations"][0]["quote"]  # doctest: +SKIP
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Callable, Iterator

from assistant.answer.engine import answer, candidates_for, signer_answer
from assistant.answer.question import analyse
from assistant.answer.chooser import choose, messages as chooser_messages, worth_asking
from assistant.answering import Draft, wants_per_report
from assistant.records import Answer
from assistant.sentences import content_terms, idf_table, rank_units
from index.embedders import Embedder, get_embedder
from index.ingestion import ensure_consistent, ingest_paths
from index.records import Hit, SearchFilter
from index.retriever import Retriever, parse_hints
from index.store import Index, IndexBusyError, IngestStatus
from ingest.textkeys import nfc

log = logging.getLogger(__name__)
SAMPLES = Path(__file__).resolve().parent.parent / "cchc" / "samples"
MAX_QUESTION_CHARS = 2000


class QuestionError(ValueError):
    """An unusable question (empty or too long); the message is for the user."""


def default_home(home: Path | None = None) -> Path:
    """``home`` if given, else ``CCHC_HOME``, else ``~/.cchc``."""
    return Path(home or os.environ.get("CCHC_HOME") or Path.home() / ".cchc")


class Assistant:
    """Index + retriever + answer back-end. Thread-safe for concurrent questions."""

    def __init__(self, index: Index, llm: str = "extractive", k: int = 5, generator=None):
        self.index = index
        self.retriever = Retriever(index)
        self.llm = llm
        self.k = k
        self.generator = generator
        self._docs_cache = None

    # ---- library -------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        return self.index.embedder

    def describe(self) -> dict:
        info = self.index.describe()
        info["generator"] = getattr(self.generator, "name", None) or self.llm
        return info

    def docs(self):
        return self.index.docs()

    def doc_text(self, doc_name: str) -> str | None:
        return self.index.doc_text(doc_name)

    def facts(self, kind: str | None = None, doc: str | None = None, query: str | None = None):
        """Document references, figures, people and lists found in the reports at ingest: a list of
        :class:`~assistant.facts_api.FactRecord` (each with its report, section and verbatim quote),
        of one ``kind`` (``ref``/``quantity``/``person``/``list``), one report ``doc``, matching ``query``."""
        from assistant.facts_api import list_facts

        return list_facts(self.index, kind, doc, query)

    def ingest(self, paths: list[Path], progress: Callable[[int, int, str], None] | None = None,
               names: list[str] | None = None) -> list[IngestStatus]:
        return ingest_paths(self.index, paths, progress, names)

    def remove(self, doc_name: str) -> bool:
        with self.index.writing():
            return self.index.remove(doc_name)

    # ---- questions -----------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, scope: SearchFilter | None = None) -> list[Hit]:
        return self.retriever.search(check_question(query), k or self.k, scope)

    def _idf(self, question: str) -> dict[str, float]:
        kw = self.index.keyword()
        terms = content_terms(question)
        return idf_table(kw.doc_freq(terms), max(len(kw.ids), 1), terms)

    def _held_docs(self):
        """The catalog's reports, cached until the next ingest or removal (which rebuilds the
        keyword index): read on every question, they must not cost a catalog query each."""
        kw = self.index.keyword()
        cached = self._docs_cache
        if cached is None or cached[0] is not kw:
            cached = self._docs_cache = (kw, self.index.docs())
        return cached[1]

    def _known_provinces(self) -> set[str]:
        return {d.meta.province for d in self._held_docs() if d.meta.province}

    def _plan(self, query: str, scope: SearchFilter | None) -> tuple[list[Hit], list[str], SearchFilter]:
        """Retrieve a pool of candidates (``POOL`` chunks) to rerank: narrowed to the named
        province(s) that we hold; per province for comparisons."""
        scope = scope or SearchFilter()
        named = parse_hints(query).provinces
        held = [p for p in named if p in self._known_provinces()]
        if named and not held:
            return [], named, scope  # a province we hold no report for: nothing to answer from
        if held and not scope.provinces:
            scope = SearchFilter(scope.docs, held, scope.years)
        if len(held) < 2:
            if not held and len(scope.docs) != 1 and wants_per_report(query, held, scope.docs):
                scope = self._year_scope(query, scope)
            return self.retriever.search(query, POOL, scope), held, scope
        hits: list[Hit] = []
        for p in held:  # comparison: retrieve for each side
            hits += self.retriever.search(query, POOL // len(held), SearchFilter(scope.docs, [p], scope.years))
        return hits, held, scope

    def _rerank(self, q, restored: str, pool: list[Hit], idf: dict[str, float], per_report: bool) -> list[Hit]:
        """The ``k`` hits to answer from and to show: the pool reordered by its best candidate
        (a chunk whose own clause answers beats one that only shares the topic), each
        report's best chunk kept first when answering per report."""
        if not pool:
            return pool
        units = rank_units(restored, pool, idf)
        best: dict[int, float] = {}
        for c in candidates_for(q, units, idf, pool):
            best.setdefault(c.hit_index, c.score)
        for u in units:
            best.setdefault(u.hit_index, u.score * RERANK_UNIT_SHARE)
        by_answer = sorted(range(len(pool)), key=lambda i: (-best.get(i, 0.0), i))
        fused = {i: 1.0 / (RERANK_K + r) for r, i in enumerate(by_answer)}  # the answer's order and ...
        for i in range(len(pool)):
            fused[i] += 1.0 / (RERANK_K + i)  # ... the retriever's order, fused like ranks are (RRF)
        order = sorted(range(len(pool)), key=lambda i: (-fused[i], i))
        ranked = [pool[i] for i in order]
        if per_report:
            return with_continuations(per_report_hits(ranked, self.k), self.retriever.continuation)
        return ranked[:self.k]

    def _year_scope(self, query: str, scope: SearchFilter) -> SearchFilter:
        """A question asked of every report that names a year ("kế hoạch CCHC năm 2020") is
        about the reports covering that year, when there are any."""
        years = parse_hints(query).years
        if scope.years or not years or not any(y in d.meta.years for d in self._held_docs() for y in years):
            return scope
        return SearchFilter(scope.docs, scope.provinces, years)

    def ask_stream(self, question: str, *, qid: str | None = None, history: list[dict] | None = None,
                   scope: SearchFilter | None = None) -> Iterator[str | Answer]:
        """Yield answer text pieces as they come, then the final verified :class:`Answer`."""
        t0 = time.perf_counter()
        question = check_question(question)
        query = rewrite_followup(question, history or [])
        pool, held, scope = self._plan(query, scope)
        per_report = len(held) > 1 or wants_per_report(question, held, scope.docs)
        restored = self.retriever.restore(query)
        idf = self._idf(restored)
        q = analyse(restored, typed=query)
        hits = self._rerank(q, restored, pool, idf, per_report)
        t1 = time.perf_counter()
        timings = {"retrieve_ms": round((t1 - t0) * 1000, 1)}
        units = rank_units(restored, hits, idf)
        signed = signer_answer(q, hits, self.doc_text) if q.signer else None
        if signed is not None:
            (draft, sign_hit), ranked = signed, []
            hits = [sign_hit] + hits
        else:
            draft, ranked = answer(q, hits, units, idf, per_report=per_report)
        several = draft.text.startswith("- ")
        ask_model = self.generator is not None and not draft.abstained and not several and worth_asking(ranked)
        if ask_model:  # the quick answer first; the model may then choose another candidate
            timings["first_token_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            yield _answer(question, qid, draft, hits, dict(timings), self.describe()["generator"],
                          final=False, rewritten=query if query != question else "")
            picked = choose(self.generator, restored, ranked)
            if picked is not None and picked is not ranked[0]:
                draft, _ = answer(q, hits, units, idf, ranked=ranked, prefer=picked)
                draft.source = "model"
            else:
                draft.source = "fallback"
        t2 = time.perf_counter()
        timings.setdefault("first_token_ms", round((t2 - t0) * 1000, 1))
        timings.update(generate_ms=round((t2 - t1) * 1000, 1), total_ms=round((t2 - t0) * 1000, 1))
        if not ask_model:
            yield draft.text
        yield _answer(question, qid, draft, hits, timings, self.describe()["generator"],
                      rewritten=query if query != question else "")

    def ask(self, question: str, *, qid: str | None = None, history: list[dict] | None = None,
            scope: SearchFilter | None = None) -> Answer:
        """Answer ``question`` with verified citations, per report when reports differ."""
        final = None
        for event in self.ask_stream(question, qid=qid, history=history, scope=scope):
            final = event
        assert isinstance(final, Answer)
        return final

    # ---- drafting ------------------------------------------------------------------------
    def draft(self, instruction: str, source_docs: list[str] | None = None, llm: str | None = None):
        """Draft a report section (or a whole outline) from past reports, every figure grounded:
        a :class:`~assistant.drafting.ReportDraft` (``to_json()``: markdown, citations, placeholders).
        ``source_docs`` overrides the choice of past report(s); ``llm`` overrides the back-end."""
        from assistant.drafting import draft_report, generator_for

        generator = self.generator if llm in (None, self.llm) else generator_for(llm, self.index.home)
        return draft_report(check_question(instruction), self.docs(), self.doc_text, source_docs, generator)


def _answer(question: str, qid: str | None, draft: Draft, hits: list[Hit], timings: dict, backend: str,
            final: bool = True, rewritten: str = "") -> Answer:
    return Answer(question=question, text=draft.text, abstained=draft.abstained, citations=draft.citations,
                  retrieved=hits, timings=timings, id=qid, backend=backend, answered_by=draft.source,
                  confidence=draft.confidence, final=final, rewritten=rewritten)


POOL = 24  # chunks retrieved for reranking: evidence recall@24 of the hybrid search is ~1.0 on tune.jsonl
RERANK_K = 5  # rank fusion constant: small, so the first places of either order count most
RERANK_UNIT_SHARE = 0.5  # a chunk with no candidate of the asked kind ranks by half its best sentence
PER_REPORT_CHUNKS = 3
PER_REPORT_DOCS = 5


def per_report_hits(hits: list[Hit], k: int) -> list[Hit]:
    """For a question every report may answer differently: each report's best chunks (at
    most ``PER_REPORT_CHUNKS``, ``PER_REPORT_DOCS`` reports), in the reranked order, the first
    ``k`` of them first — so one report's many similar chunks cannot crowd the others out."""
    kept: dict[str, list[Hit]] = {}
    for h in hits:
        mine = kept.setdefault(h.chunk.doc_name, []) if len(kept) < PER_REPORT_DOCS or h.chunk.doc_name in kept else None
        if mine is not None and len(mine) < PER_REPORT_CHUNKS:
            mine.append(h)
    firsts = [hs[0] for hs in kept.values()]
    rest = [h for hs in kept.values() for h in hs[1:]]
    return (firsts + sorted(rest, key=lambda h: hits.index(h)))[:2 * k]


def with_continuations(hits: list[Hit], following: Callable[[Hit], Hit | None]) -> list[Hit]:
    """``hits`` then, for each report's best chunk, the chunk continuing it in the same section
    when it is not already there: a report's answer often straddles the cut ("… bằng các Kế
    hoạch CCHC¹" and, in the next chunk, "¹ … năm 2020: Quyết định số 314/…"). They go last:
    context for the answer, not better-ranked results."""
    have = {h.chunk.chunk_id for h in hits}
    best = {}
    for h in hits:
        best.setdefault(h.chunk.doc_name, h)
    extra = [nxt for h in best.values() if (nxt := following(h)) is not None and nxt.chunk.chunk_id not in have]
    return hits + extra


def check_question(question: str) -> str:
    """NFC, no zero-width characters; empty or over-long questions get a clear error."""
    q = nfc(question or "").strip()
    if not q:
        raise QuestionError("Câu hỏi trống / empty question")
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(f"Câu hỏi quá dài ({len(q)} ký tự, tối đa {MAX_QUESTION_CHARS}) / question too long "
                            f"({len(q)} characters, max {MAX_QUESTION_CHARS}): please shorten it")
    return q


_FOLLOWUP = ("còn ", "thế còn", "vậy ", "còn năm", "nguồn", "what about", "and ", "how about")


def rewrite_followup(question: str, history: list[dict]) -> str:
    """Make a follow-up self-contained with the previous question ("còn năm 2019 thì sao?")."""
    previous = [m["content"] for m in history if m.get("role") == "user" and m.get("content")]
    if not previous:
        return question
    q = question.lower()
    if q.startswith(_FOLLOWUP) or len(q.split()) <= 5:
        return f"{previous[-1]} {question}"
    return question


def open_assistant(home: Path | None = None, llm: str = "extractive", k: int = 5, embedder: str | None = None,
                   chroma_url: str | None = None, load_samples: bool = True, **llm_options) -> Assistant:
    """Open (and on first use, fill with the bundled sample reports) the index under ``home``."""
    home = Path(home) if home else default_home()
    emb = get_embedder(embedder, home=home)
    index = Index(home, emb, chroma_url or os.environ.get("CCHC_CHROMA_URL") or None)
    ensure_consistent(index)
    try:
        rechunk_if_outdated(index)
        if load_samples and index.catalog.get_info("samples_loaded") is None:
            statuses = ingest_paths(index, [SAMPLES])
            index.catalog.set_info("samples_loaded", "1")
            log.info("bundled samples: %s", "; ".join(s.line() for s in statuses))
    except IndexBusyError:  # another process is writing (e.g. loading the same samples): read what is there
        log.info("index busy; opened as it is, the other writer finishes the work")
    generator = None
    if llm != "extractive":
        from assistant.generators import get_generator

        if llm.startswith("local"):
            llm_options.setdefault("home", home)
        generator = get_generator(llm, **llm_options)
        if hasattr(generator, "warm"):  # the rules are the same for every question: read them now
            generator.warm(chooser_messages("", [])[:1])
    return Assistant(index, llm, k, generator)


def rechunk_if_outdated(index: Index) -> None:
    """Re-chunk every report from its stored text when the index was built by an older chunker
    (new normalisation or tokenisation must not meet chunks and keywords cut the old way)."""
    if not index.needs_rechunk():
        return
    log.warning("index built by an older chunker: re-chunking %d reports", len(index.docs()))
    with index.writing():
        index.catalog.set_info("keyword_dirty", "1")
        for d in index.docs():
            text = index.doc_text(d.doc_name)
            if text:
                index.ingest_text(d.doc_name, text, kind=d.kind, warnings=d.warnings, hidden=d.hidden)
        index.rebuild_keyword()
        index.catalog.set_info("keyword_dirty", "0")


def wipe_index(home: Path) -> None:
    """Delete the index files under ``home`` (models and logs are kept)."""
    import shutil

    for name in ("chroma", "keyword"):
        shutil.rmtree(Path(home) / name, ignore_errors=True)
    for name in ("catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm"):
        (Path(home) / name).unlink(missing_ok=True)
