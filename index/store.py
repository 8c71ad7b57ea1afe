"""The index as one object: catalog (SQLite) + vectors (Chroma) + keyword index (BM25).

Writes are incremental and crash-safe: a report is ``pending`` until every chunk is in Chroma;
an unchanged report is skipped; a changed one replaces its chunks; a pending one left by a
killed ingest is redone. One writer at a time: a second process gets a clear error at once
instead of hanging on Chroma's own locks.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from index.catalog import Catalog, DocRecord
from index.chroma_store import ChromaStore, StoreError
from index.embedders import Embedder
from index.keyword import KeywordIndex
from ingest.chunker import chunk_document
from ingest.metadata import extract_metadata
from ingest.normalize import normalize_text
from ingest.records import CHUNKER_VERSION, Chunk, DocMeta, IngestError

log = logging.getLogger(__name__)


class IndexBusyError(Exception):
    """Another process is writing this index."""


@dataclass
class IngestStatus:
    """One line per file: ``ingested`` / ``unchanged`` / ``rejected`` (with the reason)."""

    file: str
    status: str
    detail: str = ""
    n_chunks: int = 0

    def line(self) -> str:
        extra = f" ({self.n_chunks} đoạn / chunks)" if self.status == "ingested" else ""
        return f"{self.file}: {self.status}{extra}" + (f" — {self.detail}" if self.detail else "")


def context_prefix(meta: DocMeta, section: str) -> str:
    """Report-level context prepended to each chunk's indexed text."""
    parts = [meta.body or "", f"tỉnh {meta.province}" if meta.province else "", meta.doc_type or "",
             meta.period or ""]
    head = " ".join(p for p in parts if p)
    return f"{head} | {section}\n" if section else f"{head}\n"


def chunk_metadata(meta: DocMeta, chunk: Chunk) -> dict:
    years = meta.years or (0,)
    return {"doc": chunk.doc_name, "province": meta.province or "", "year_min": min(years),
            "year_max": max(years), "section": chunk.section[:500], "start": chunk.start, "end": chunk.end}


class Index:
    """Open with :meth:`open`; ``home`` holds ``catalog.sqlite``, ``chroma/`` and ``keyword/``."""

    def __init__(self, home: Path, embedder: Embedder, chroma_url: str | None = None):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self.catalog = Catalog(self.home / "catalog.sqlite")
        self._check_embedder()
        self.store = ChromaStore(self.home / "chroma", chroma_url, embedder.id, CHUNKER_VERSION, embedder.dim)
        self._keyword: KeywordIndex | None = None
        self._kw_lock = threading.Lock()

    def _check_embedder(self) -> None:
        built_with = self.catalog.get_info("embedder")
        if built_with and built_with != self.embedder.id:
            raise StoreError(
                f"Chỉ mục được xây bằng bộ nhúng '{built_with}', không phải '{self.embedder.id}' / the index "
                f"was built with embedder '{built_with}', not '{self.embedder.id}': use the same "
                "--embedder, or rebuild with `cchc ingest --rebuild`")
        if not built_with:
            self.catalog.set_info("embedder", self.embedder.id)
            self.catalog.set_info("chunker", CHUNKER_VERSION)

    # ---- writing -------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Exclusive write lock (a file lock); fails fast if another process holds it."""
        fd = os.open(self.home / "write.lock", os.O_CREAT | os.O_RDWR, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexBusyError(
                    f"Chỉ mục {self.home} đang được tiến trình khác cập nhật / the index at {self.home} is being "
                    "written by another process: wait for it to finish and try again") from None
            yield
        finally:
            os.close(fd)

    def needs_rechunk(self) -> bool:
        return self.catalog.get_info("chunker") not in (None, CHUNKER_VERSION)

    def ingest_text(self, doc_name: str, raw_text: str, *, kind: str = "txt", warnings: list[str] | None = None,
                    hidden: list[str] | None = None) -> IngestStatus:
        """Index one report's text (call inside :meth:`writing`). Idempotent."""
        text = normalize_text(raw_text)
        sha = hashlib.sha256(text.encode()).hexdigest()
        known = self.catalog.doc(doc_name)
        if known and known.sha256 == sha and known.status == "complete" and not self.needs_rechunk():
            return IngestStatus(doc_name, "unchanged", n_chunks=known.n_chunks)
        meta = extract_metadata(text)
        chunks = chunk_document(sha[:16], doc_name, text)
        if not chunks:
            raise IngestError(doc_name, "không tìm thấy đoạn văn bản nào để lập chỉ mục",
                              "no indexable paragraphs found")
        self.catalog.begin_doc(doc_name, sha[:16], sha, meta, text, chunks, warnings or [], hidden or [], kind)
        self.store.delete_doc(doc_name)
        indexed = [context_prefix(meta, c.section) + c.text for c in chunks]
        vectors = self.embedder.embed(indexed)
        self.store.upsert([c.chunk_id for c in chunks], vectors, [chunk_metadata(meta, c) for c in chunks],
                          [c.text for c in chunks])
        self.catalog.complete_doc(doc_name)
        return IngestStatus(doc_name, "ingested", "; ".join(warnings or []), len(chunks))

    def remove(self, doc_name: str) -> bool:
        """Delete one report (its chunks, vectors and keyword entries)."""
        if not self.catalog.doc(doc_name):
            return False
        self.store.delete_doc(doc_name)
        self.catalog.remove_doc(doc_name)
        self.rebuild_keyword()
        return True

    def recover(self) -> list[str]:
        """Drop reports left ``pending`` by a killed ingest (their source is re-read by the caller)."""
        dropped = []
        for d in self.catalog.docs(status="pending"):
            self.store.delete_doc(d.doc_name)
            self.catalog.remove_doc(d.doc_name)
            dropped.append(d.doc_name)
        return dropped

    def rebuild_keyword(self) -> None:
        """Rebuild the BM25 index from the complete reports (atomic file replace)."""
        metas = {d.doc_name: d.meta for d in self.catalog.docs(status="complete")}
        chunks = self.catalog.chunks()
        texts = [context_prefix(metas[c.doc_name], c.section) + c.text for c in chunks]
        kw = KeywordIndex.build([c.chunk_id for c in chunks], texts)
        kw.save(self.home / "keyword")
        with self._kw_lock:
            self._keyword = kw
        self.catalog.set_info("chunker", CHUNKER_VERSION)

    # ---- reading -------------------------------------------------------------------------
    def keyword(self) -> KeywordIndex:
        with self._kw_lock:
            if self._keyword is None:
                self._keyword = KeywordIndex.load(self.home / "keyword") or KeywordIndex.build([], [])
            return self._keyword

    def docs(self) -> list[DocRecord]:
        return self.catalog.docs(status="complete")

    def doc_text(self, doc_name: str) -> str | None:
        return self.catalog.doc_text(doc_name)

    def describe(self) -> dict:
        docs = self.docs()
        return {"embedder": self.embedder.id, "chunker_version": CHUNKER_VERSION, "n_docs": len(docs),
                "n_chunks": sum(d.n_chunks for d in docs), "home": str(self.home)}

