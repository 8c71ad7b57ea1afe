"""Hybrid retrieval: dense (Chroma) + keyword (BM25) ranks fused, with scope filters and boosts.

A province, department or year named in the question boosts the reports that match (it does not
filter: a question may name one only in passing). Among many look-alike reports a boost alone is
not enough (the right report's chunks may not even be among the candidates), so the reports of the
named province(s) and department(s) (:func:`index.hints.steer_docs`) get their own candidate lists,
dense and keyword, ranked among themselves. Filters come from the user's chosen scope.

    >>> r = Retriever(index)  # doctest: +SKIP
    >>> hits = r.search("Quyết định nào ban hành kế hoạch CCHC năm 2020?", k=5)  # doctest: +SKIP
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import numpy as np

from index.chroma_store import where_clause
from index.glossary import expand_english, looks_english
from index.hints import find_departments, steer_docs
from index.records import Hit, SearchFilter
from index.store import Index
from index.tones import ToneRestorer
from ingest.metadata import PROVINCES
from ingest.records import Chunk, DocMeta
from ingest.textkeys import fold, nfc, tokens
from vocab.provinces import expand

RRF_K = 60
DENSE_WEIGHT = 1.0
KEYWORD_WEIGHT = 1.0
PROVINCE_BOOST = 2.0
YEAR_BOOST = 1.3
BODY_BOOST = 2.0  # the issuing department named in the question (Sở KH&CN, DOST, …)
CODE_BOOST = 1.5  # per decision number / date of the question found verbatim in the chunk
_FOLDED_PROVINCES = sorted(((fold(p), p) for p in PROVINCES), key=lambda x: -len(x[0]))


@dataclass
class QueryHints:
    """Scope named inside the question itself."""

    provinces: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)  # departments, as metadata writes them ("Sở …")
    named: list[str] = field(default_factory=list)  # provinces as the question names them (before expansion)


def parse_hints(query: str) -> QueryHints:
    """Provinces (with or without tone marks) and years named in the question; a province named
    by its post-2025 name also brings every old province merged into it (their reports carry
    the old name).

    >>> parse_hints("so CBCCVC o Khanh Hoa nam 2020").provinces
    ['Khánh Hòa', 'Ninh Thuận']
    """
    folded = " " + re.sub(r"[^\w]+", " ", fold(query)) + " "
    provinces = []
    for key, name in _FOLDED_PROVINCES:
        if f" {key} " in folded and not any(fold(name) in fold(p) for p in provinces):
            provinces.append(name)
    years = sorted({int(y) for y in re.findall(r"(?<![\d/])(19[89]\d|20[0-4]\d)(?![\d/])", query)})
    return QueryHints(expand(provinces), years, find_departments(query), provinces)


class _ChunkTable:
    """chunk id → (chunk, report metadata), rebuilt when the keyword index changes."""

    def __init__(self, index: Index):
        metas = {d.doc_name: d.meta for d in index.docs()}
        kw = index.keyword()
        self.keyword_ids = kw.ids
        self.by_id: dict[str, tuple[Chunk, DocMeta]] = {}
        self.by_place: dict[tuple[str, int], Chunk] = {}
        for c in index.catalog.chunks():
            if c.doc_name in metas:
                self.by_id[c.chunk_id] = (c, metas[c.doc_name])
                self.by_place[(c.doc_name, c.ordinal)] = c
        self.tones = ToneRestorer(c.text for c, _ in self.by_id.values())
        self.source = kw
        self.metas = metas
        self.doc_names = list(metas)
        pos = {d: i for i, d in enumerate(self.doc_names)}
        self.doc_of = np.array([pos[self.by_id[c][0].doc_name] if c in self.by_id else -1 for c in kw.ids], dtype=np.int64)

    def mask(self, docs: set[str] | None) -> np.ndarray:
        """Keyword rows (chunks of complete reports) belonging to ``docs`` (all when ``None``)."""
        if docs is None:
            return self.doc_of >= 0
        wanted = np.array([i for i, d in enumerate(self.doc_names) if d in docs], dtype=np.int64)
        return np.isin(self.doc_of, wanted)

    def scope_docs(self, scope: SearchFilter) -> set[str] | None:
        """Reports the user's scope allows (``None``: no scope)."""
        if scope.is_empty():
            return None
        return {d for d, m in self.metas.items() if (not scope.docs or d in scope.docs)
                and (not scope.provinces or m.province in scope.provinces)
                and (not scope.years or any(y in m.years for y in scope.years))}


class Retriever:
    """Search one :class:`Index`. Thread-safe for concurrent readers."""

    def __init__(self, index: Index, n_candidates: int = 50):
        self.index = index
        self.n_candidates = n_candidates
        self._table: _ChunkTable | None = None
        self._lock = threading.Lock()

    def table(self) -> _ChunkTable:
        with self._lock:
            if self._table is None or self._table.source is not self.index.keyword():
                self._table = _ChunkTable(self.index)
            return self._table

    def _keyword_ranks(self, query: str, table: _ChunkTable, scope: SearchFilter,
                       steer: set[str] | None, n: int) -> dict[str, int]:
        scores = table.source.scores(f"{query} {expand_english(query)}")
        allowed = table.mask(table.scope_docs(scope))
        ranks = _top(scores, allowed, table.keyword_ids, n)
        if steer:
            steered = _top(scores, allowed & table.mask(steer), table.keyword_ids, n)
            ranks = _merge_ranks(ranks, steered)
        return ranks

    def _dense_ranks(self, query: str, scope: SearchFilter, steer: set[str] | None, n: int) -> dict[str, int]:
        vector = self.index.embedder.embed_query(query)
        where = where_clause(scope.docs, scope.provinces, scope.years)
        found = self.index.store.query(vector, n, where)
        ranks = {cid: r for r, (cid, _) in enumerate(found)}
        docs = sorted(steer & set(scope.docs) if scope.docs else steer) if steer else []
        if docs:
            found = self.index.store.query(vector, n, where_clause(docs, scope.provinces, scope.years))
            ranks = _merge_ranks(ranks, {cid: r for r, (cid, _) in enumerate(found)})
        return ranks

    def restore(self, query: str) -> str:
        """``query`` with its tone marks restored when typed without them ("so ho so" → "số hồ sơ")."""
        query = nfc(query).strip()
        return query if looks_english(query) else self.table().tones.restore(query)

    def search(self, query: str, k: int = 5, scope: SearchFilter | None = None,
               hints: QueryHints | None = None, n_candidates: int | None = None) -> list[Hit]:
        """Top ``k`` chunks for ``query`` within ``scope``, best first."""
        n = n_candidates or self.n_candidates
        table = self.table()
        query = nfc(query).strip()
        query = query if looks_english(query) else table.tones.restore(query)  # "so ho so" → "số hồ sơ"
        scope = scope or SearchFilter()
        hints = hints if hints is not None else parse_hints(query)
        codes = exact_codes(query)
        steer = steer_docs(table.metas, hints.provinces, hints.bodies)
        dense = self._dense_ranks(query, scope, steer, n)
        keyword = self._keyword_ranks(query, table, scope, steer, n)
        scored: list[Hit] = []
        for cid in set(dense) | set(keyword):
            entry = table.by_id.get(cid)
            if entry is None:
                continue  # a report being written or removed
            chunk, meta = entry
            score = sum(w / (RRF_K + r[cid]) for w, r in ((DENSE_WEIGHT, dense), (KEYWORD_WEIGHT, keyword)) if cid in r)
            score *= _boost(meta, hints) * _code_boost(chunk, codes)
            scored.append(Hit(chunk, score, meta, dense.get(cid), keyword.get(cid)))
        scored.sort(key=lambda h: (-h.score, h.chunk.doc_name, h.chunk.ordinal))
        return scored[:k]


    def continuation(self, hit: Hit) -> Hit | None:
        """The chunk right after ``hit``'s when it continues the same section (a paragraph cut
        by the chunk size, a footnote after the sentence citing it), with ``hit``'s score."""
        nxt = self.table().by_place.get((hit.chunk.doc_name, hit.chunk.ordinal + 1))
        if nxt is None or nxt.section != hit.chunk.section:
            return None
        return Hit(nxt, hit.score, hit.meta)

    def search_reports(self, query: str, scope: SearchFilter | None = None, max_reports: int = 30,
                       ratio: float = 0.6) -> list[Hit]:
        """The best chunk of every report answering ``query`` nearly as well as the best one (score
        at least ``ratio`` × the top), best first, at most ``max_reports``. For questions that name no
        province or report, where hundreds of look-alike reports may each hold their own answer: the
        caller lists them per report (and says how many) instead of five chunks of one report."""
        hits = self.search(query, k=8 * max_reports, scope=scope, n_candidates=max(self.n_candidates, 8 * max_reports))
        best: dict[str, Hit] = {}
        for h in hits:
            if h.score >= ratio * hits[0].score:
                best.setdefault(h.chunk.doc_name, h)
        return list(best.values())[:max_reports]


def diversify(hits: list[Hit], k: int, ratio: float = 0.6) -> list[Hit]:
    """Top ``k`` with every competitive report represented: the best hit of each report scoring
    at least ``ratio`` × the top score comes first (in score order), then the rest by score."""
    if not hits:
        return []
    firsts: dict[str, Hit] = {}
    for h in hits:
        if h.chunk.doc_name not in firsts and h.score >= ratio * hits[0].score:
            firsts[h.chunk.doc_name] = h
    chosen = list(firsts.values())[:k]
    ids = {h.chunk.chunk_id for h in chosen}
    chosen += [h for h in hits if h.chunk.chunk_id not in ids][: k - len(chosen)]
    return sorted(chosen, key=lambda h: -h.score)


def exact_codes(query: str) -> set[str]:
    """Decision numbers and dates written in the question (canonical token form)."""
    return {t for t in tokens(query) if t[0].isdigit() and ("/" in t or "-" in t) and any(c.isalpha() for c in t)
            or t.count("/") == 2}


def _code_boost(chunk: Chunk, codes: set[str]) -> float:
    if not codes:
        return 1.0
    found = codes & set(tokens(chunk.text))
    return CODE_BOOST ** len(found)


def _top(scores: np.ndarray, mask: np.ndarray, ids: list[str], n: int) -> dict[str, int]:
    """The ``n`` best positive scores among ``mask`` rows: chunk id → rank (ties by position)."""
    cand = np.flatnonzero(mask & (scores > 0))
    if len(cand) > n:
        cand = np.sort(cand[np.argpartition(-scores[cand], n - 1)[:n]])
    cand = cand[np.argsort(-scores[cand], kind="stable")]
    return {ids[i]: r for r, i in enumerate(cand)}


def _merge_ranks(ranks: dict[str, int], steered: dict[str, int]) -> dict[str, int]:
    """Each chunk keeps its better rank: overall, or among the reports the question points at."""
    out = dict(ranks)
    for cid, r in steered.items():
        out[cid] = min(out.get(cid, r), r)
    return out


def _boost(meta: DocMeta, hints: QueryHints) -> float:
    factor = 1.0
    if hints.bodies and meta.body in hints.bodies:
        factor *= BODY_BOOST
    if hints.provinces and meta.province in hints.provinces:
        factor *= PROVINCE_BOOST
    if hints.years and any(y in meta.years for y in hints.years):
        factor *= YEAR_BOOST
    return factor
