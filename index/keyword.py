"""Vietnamese keyword index: BM25 over syllables, folded (tone-free) syllables and bigrams.

``kế hoạch CCHC`` and ``ke hoach cchc`` both match; ``20/QĐ-SKHCN`` and ``30/01/2020`` are
single tokens (see :mod:`ingest.textkeys`). The index is a sparse matrix persisted with numpy.

    >>> keyword_tokens("Kế hoạch CCHC")
    ['kế', 'ke', 'hoạch', 'hoach', 'cchc', 'ke_hoach', 'hoach_cchc', 'cai', 'cach', 'hanh', 'chinh', 'cai_cach', 'cach_hanh', 'hanh_chinh']
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from scipy import sparse

from index.glossary import EQUIVALENTS
from ingest.textkeys import fold, tokens

K1 = 1.2
B = 0.75
_STOP = frozenset(fold(w) for w in (
    "và của các có được là cho trong với những này đã theo về từ tại để một các như thì không nào "
    "gì bao nhiêu hay hoặc ở đến năm nay sao what which how many the of in and to a is for".split()))


# Bump when keyword_tokens changes: the catalog records the version that built the stored index,
# and opening an index of another version rebuilds it (index.ingestion.ensure_consistent).
KEYWORD_VERSION = "kw-2"


def keyword_tokens(text: str, equivalents: bool = True) -> list[str]:
    """Syllables (as written, lower case), their tone-free form, and tone-free bigrams; with
    ``equivalents`` (report text), a term of :data:`~index.glossary.EQUIVALENTS` also yields the
    tone-free tokens of the other terms of its group ("quá hạn" → ``tre``, ``han``, ``tre_han``;
    "TTHC" → ``thu``, …, ``hanh_chinh``). Questions are not expanded: the reports already are,
    and a question's own words then weigh as much as they did."""
    toks = tokens(text)
    folded = [fold(t) for t in toks]
    out = _tokens(toks, folded)
    for i, f in enumerate(folded if equivalents else ()):
        for phrase, other in _EQUIV.get(f, ()):
            if tuple(folded[i:i + len(phrase)]) == phrase:
                out.extend(other)
    return out


def _tokens(toks: list[str], folded: list[str]) -> list[str]:
    out: list[str] = []
    for t, f in zip(toks, folded):
        if f in _STOP and not t[0].isdigit():
            continue
        out.append(t)
        if f != t:
            out.append(f)
    for a, b in zip(folded, folded[1:]):
        if not (a in _STOP and b in _STOP):
            out.append(f"{a}_{b}")
    return out


def _equivalents() -> dict[str, list[tuple[tuple[str, ...], list[str]]]]:
    """First folded word → (folded phrase, tone-free tokens of the other terms of its group)."""
    table: dict[str, list[tuple[tuple[str, ...], list[str]]]] = {}
    for group in EQUIVALENTS:
        for this in group:
            phrase = tuple(fold(t) for t in tokens(this))
            extra: list[str] = []
            for other in group:
                if other != this:
                    words = [fold(t) for t in tokens(other)]
                    extra += _tokens(words, words)
            table.setdefault(phrase[0], []).append((phrase, extra))
    return table


_EQUIV = _equivalents()


class KeywordIndex:
    """BM25 weights as a (chunks × terms) CSC matrix; scores = column sums over query terms."""

    def __init__(self, ids: list[str], vocab: dict[str, int], weights: sparse.csc_matrix):
        self.ids = ids
        self.vocab = vocab
        self.weights = weights
        self._pos = {cid: i for i, cid in enumerate(ids)}

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> "KeywordIndex":
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        lengths = np.zeros(len(texts), dtype=np.float32)
        for i, text in enumerate(texts):
            counts: dict[int, int] = {}
            toks = keyword_tokens(text)
            lengths[i] = len(toks)
            for t in toks:
                j = vocab.setdefault(t, len(vocab))
                counts[j] = counts.get(j, 0) + 1
            rows.extend([i] * len(counts))
            cols.extend(counts.keys())
            vals.extend(counts.values())
        tf = sparse.csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)), shape=(len(texts), len(vocab)))
        return cls(list(ids), vocab, _bm25(tf, lengths))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for ``query`` (zeros when nothing matches)."""
        cols = sorted({self.vocab[t] for t in keyword_tokens(query, equivalents=False) if t in self.vocab})
        if not cols or not self.ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.weights[:, cols].sum(axis=1)).ravel()

    def doc_freq(self, terms: list[str]) -> dict[str, int]:
        """Number of chunks containing each term (0 for unknown terms)."""
        indptr = self.weights.indptr
        return {t: int(indptr[self.vocab[t] + 1] - indptr[self.vocab[t]]) if t in self.vocab else 0
                for t in terms}

    def position(self, chunk_id: str) -> int | None:
        return self._pos.get(chunk_id)

    def save(self, folder: Path) -> None:
        """Write atomically: a reader never sees half an index."""
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / "keyword.tmp.npz"
        sparse.save_npz(tmp, self.weights.tocsc())
        meta_tmp = folder / "keyword.tmp.json"
        meta_tmp.write_text(json.dumps({"ids": self.ids, "vocab": self.vocab}, ensure_ascii=False))
        os.replace(tmp, folder / "keyword.npz")
        os.replace(meta_tmp, folder / "keyword.json")

    @classmethod
    def load(cls, folder: Path) -> "KeywordIndex | None":
        try:
            meta = json.loads((folder / "keyword.json").read_text())
            weights = sparse.load_npz(folder / "keyword.npz").tocsc()
        except (OSError, ValueError):
            return None
        if weights.shape[0] != len(meta["ids"]):
            return None
        return cls(meta["ids"], meta["vocab"], weights)


def _bm25(tf: sparse.csr_matrix, lengths: np.ndarray) -> sparse.csc_matrix:
    n = tf.shape[0]
    df = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float32)
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
    avgdl = float(lengths.mean()) if n else 1.0
    tf = tf.tocoo()
    norm = K1 * (1 - B + B * lengths[tf.row] / max(avgdl, 1e-6))
    w = tf.data * (K1 + 1) / (tf.data + norm) * idf[tf.col]
    return sparse.csc_matrix((w.astype(np.float32), (tf.row, tf.col)), shape=tf.shape)
