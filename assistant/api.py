"""The assistant's public API, used by the CLI, the UI and the evaluation harness.

    >>> asst = open_assistant(llm="extractive")
    >>> ans = asst.ask("Quyết định nào ban hành kế hoạch CCHC năm 2020?")
    >>> ans.to_json()["citations"][0]["quote"]
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Callable, Iterator

from assistant.answering import ABSTAIN_THRESHOLD, CONFIDENT, Draft, extractive_from, wants_per_report
from assistant.generation import build_passages, generate_answer, verified_or_fallback
from assistant.records import Answer
from assistant.sentences import content_terms, idf_table, rank_units
from index.embedders import Embedder, get_embedder
from index.ingestion import ensure_consistent, ingest_paths
from index.records import Hit, SearchFilter
from index.retriever import Retriever, diversify, parse_hints
from index.store import Index, IngestStatus
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

    def _known_provinces(self) -> set[str]:
        return {d.meta.province for d in self.index.docs() if d.meta.province}

    def _plan(self, query: str, scope: SearchFilter | None) -> tuple[list[Hit], list[str], SearchFilter]:
        """Retrieve: narrowed to the named province(s) that we hold; per province for comparisons."""
        scope = scope or SearchFilter()
        named = parse_hints(query).provinces
        held = [p for p in named if p in self._known_provinces()]
        if named and not held:
            return [], named, scope  # a province we hold no report for: nothing to answer from
        if held and not scope.provinces:
            scope = SearchFilter(scope.docs, held, scope.years)
        if len(held) < 2:
            if held or len(scope.docs) == 1 or not wants_per_report(query, held, scope.docs):
                return self.retriever.search(query, self.k, scope), held, scope
            return diversify(self.retriever.search(query, self.k * 3, scope), self.k), held, scope
        per = max(2, self.k // len(held) + 1)
        hits: list[Hit] = []
        for p in held:  # comparison: retrieve for each side
            hits += self.retriever.search(query, per, SearchFilter(scope.docs, [p], scope.years))
        return hits, held, scope

    def ask_stream(self, question: str, *, qid: str | None = None, history: list[dict] | None = None,
                   scope: SearchFilter | None = None) -> Iterator[str | Answer]:
        """Yield answer text pieces as they come, then the final verified :class:`Answer`."""
        t0 = time.perf_counter()
        question = check_question(question)
        query = rewrite_followup(question, history or [])
        hits, held, scope = self._plan(query, scope)
        t1 = time.perf_counter()
        timings = {"retrieve_ms": round((t1 - t0) * 1000, 1)}
        per_report = len(held) > 1 or wants_per_report(question, held, scope.docs)
        ranked = rank_units(query, hits, self._idf(query))
        draft = extractive_from(query, hits, ranked, per_report=per_report, comparison=len(held) > 1)
        ask_model = (not draft.abstained and len(draft.citations) == 1) or (
            draft.abstained and draft.confidence >= ABSTAIN_THRESHOLD and not per_report)
        if self.generator is not None and hits and ask_model:
            draft = yield from self._generate(question, hits, ranked, history, draft, timings)
        else:
            yield draft.text
        t2 = time.perf_counter()
        timings.setdefault("first_token_ms", round((t2 - t1) * 1000, 1))
        timings["first_token_ms"] = round(timings["first_token_ms"] + timings["retrieve_ms"], 1)
        timings.update(generate_ms=round((t2 - t1) * 1000, 1), total_ms=round((t2 - t0) * 1000, 1))
        yield _answer(question, qid, draft, hits, timings, self.describe()["generator"])

    def _generate(self, question, hits, ranked, history, fallback: Draft, timings: dict):
        passages = build_passages(hits, ranked)
        pieces: list[str] = []
        try:
            for piece in generate_answer(self.generator, question, passages, history, timings):
                pieces.append(piece)
                yield piece
        except Exception as e:  # the model failed: the extractive answer stands
            log.warning("generator failed: %s", e)
            return fallback
        return verified_or_fallback("".join(pieces), passages, fallback, CONFIDENT, question, ranked)

    def ask(self, question: str, *, qid: str | None = None, history: list[dict] | None = None,
            scope: SearchFilter | None = None) -> Answer:
        """Answer ``question`` with verified citations, per report when reports differ."""
        final = None
        for event in self.ask_stream(question, qid=qid, history=history, scope=scope):
            final = event
        assert isinstance(final, Answer)
        return final


def _answer(question: str, qid: str | None, draft: Draft, hits: list[Hit], timings: dict, backend: str) -> Answer:
    return Answer(question=question, text=draft.text, abstained=draft.abstained, citations=draft.citations,
                  retrieved=hits, timings=timings, id=qid, backend=backend)


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
    if load_samples and index.catalog.get_info("samples_loaded") is None:
        statuses = ingest_paths(index, [SAMPLES])
        index.catalog.set_info("samples_loaded", "1")
        log.info("bundled samples: %s", "; ".join(s.line() for s in statuses))
    generator = None
    if llm != "extractive":
        from assistant.generators import get_generator

        if llm.startswith("local"):
            llm_options.setdefault("home", home)
        generator = get_generator(llm, **llm_options)
    return Assistant(index, llm, k, generator)


def wipe_index(home: Path) -> None:
    """Delete the index files under ``home`` (models and logs are kept)."""
    import shutil

    for name in ("chroma", "keyword"):
        shutil.rmtree(Path(home) / name, ignore_errors=True)
    for name in ("catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm"):
        (Path(home) / name).unlink(missing_ok=True)
