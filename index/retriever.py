"""Hybrid retrieval: dense (Chroma) + keyword (BM25) ranks fused, with scope filters and boosts.

A province or year named in the question boosts the reports that match (it does not filter:
a question may name a province only in passing). Filters come from the user's chosen scope.

    >>> r = Retriever(index)
    >>> hits = r.search("Quyết định nào ban hành kế hoạch CCHC năm 2020?", k=5)
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import numpy as np

from index.chroma_store import where_clause
from index.glossary import expand_english
from index.records import Hit, SearchFilter
from index.store import Index
from ingest.metadata import PROVINCES
from ingest.records import Chunk, DocMeta
from ingest.textkeys import fold, nfc, tokens

RRF_K = 60
DENSE_WEIGHT = 1.0
KEYWORD_WEIGHT = 1.0
PROVINCE_BOOST = 2.0
YEAR_BOOST = 1.3
CODE_BOOST = 1.5  # per decision number / date of the question found verbatim in the chunk
_FOLDED_PROVINCES = sorted(((fold(p), p) for p in PROVINCES), key=lambda x: -len(x[0]))


@dataclass
class QueryHints:
    """Scope named inside the question itself."""

    provinces: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


def parse_hints(query: str) -> QueryHints:
    """Provinces (with or without tone marks) and years named in the question.

    >>> parse_hints("so CBCCVC o Khanh Hoa nam 2020").provinces
    ['Khánh Hòa']
    """
    folded = " " + re.sub(r"[^\w]+", " ", fold(query)) + " "
    provinces = []
    for key, name in _FOLDED_PROVINCES:
        if f" {key} " in folded and not any(fold(name) in fold(p) for p in provinces):
            provinces.append(name)
    years = sorted({int(y) for y in re.findall(r"(?<![\d/])(19[89]\d|20[0-4]\d)(?![\d/])", query)})
    return QueryHints(provinces, years)


class _ChunkTable:
    """chunk id → (chunk, report metadata), rebuilt when the keyword index changes."""

    def __init__(self, index: Index):
        metas = {d.doc_name: d.meta for d in index.docs()}
        kw = index.keyword()
        self.keyword_ids = kw.ids
        self.by_id: dict[str, tuple[Chunk, DocMeta]] = {}
        for c in index.catalog.chunks():
            if c.doc_name in metas:
                self.by_id[c.chunk_id] = (c, metas[c.doc_name])
        self.source = kw


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

    def _allowed(self, meta: DocMeta, chunk: Chunk, scope: SearchFilter) -> bool:
        if scope.docs and chunk.doc_name not in scope.docs:
            return False
        if scope.provinces and meta.province not in scope.provinces:
            return False
        return not scope.years or any(y in meta.years for y in scope.years)

    def _keyword_ranks(self, query: str, table: _ChunkTable, scope: SearchFilter) -> dict[str, int]:
        scores = table.source.scores(f"{query} {expand_english(query)}")
        order = np.argsort(-scores, kind="stable")
        ranks: dict[str, int] = {}
        for pos in order:
            if scores[pos] <= 0 or len(ranks) >= self.n_candidates:
                break
            cid = table.keyword_ids[pos]
            entry = table.by_id.get(cid)
            if entry and self._allowed(entry[1], entry[0], scope):
                ranks[cid] = len(ranks)
        return ranks

    def _dense_ranks(self, query: str, scope: SearchFilter) -> dict[str, int]:
        vector = self.index.embedder.embed_query(query)
        where = where_clause(scope.docs, scope.provinces, scope.years)
        found = self.index.store.query(vector, self.n_candidates, where)
        return {cid: r for r, (cid, _) in enumerate(found)}

    def search(self, query: str, k: int = 5, scope: SearchFilter | None = None,
               hints: QueryHints | None = None) -> list[Hit]:
        """Top ``k`` chunks for ``query`` within ``scope``, best first."""
        query = nfc(query).strip()
        scope = scope or SearchFilter()
        hints = hints if hints is not None else parse_hints(query)
        codes = exact_codes(query)
        table = self.table()
        dense = self._dense_ranks(query, scope)
        keyword = self._keyword_ranks(query, table, scope)
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


def _boost(meta: DocMeta, hints: QueryHints) -> float:
    factor = 1.0
    if hints.provinces and meta.province in hints.provinces:
        factor *= PROVINCE_BOOST
    if hints.years and any(y in meta.years for y in hints.years):
        factor *= YEAR_BOOST
    return factor
