"""The index as one object: catalog (SQLite) + vectors (Chroma) + keyword index (BM25).

Writes are incremental and crash-safe: a report is ``pending`` until every chunk is in Chroma;
an unchanged report is skipped; a changed one replaces its chunks; a pending one left by a
killed ingest is redone. One writer at a time: a second process gets a clear error at once
instead of hanging on Chroma's own locks.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from index.catalog import Catalog, DocRecord
from index.chroma_store import ChromaStore, StoreError
from index.embedders import Embedder
from index.facts_store import StoredFact, extract_stored
from index.keyword import KEYWORD_VERSION, KeywordIndex
from index.lock import IndexBusyError, write_lock
from index.storage import NullStore, StorageError, read_only_catalog, storage_error, storage_guard
from ingest.chunker import chunk_document_counted
from ingest.metadata import extract_metadata
from ingest.normalize import normalize_text
from ingest.records import CHUNKER_VERSION, Chunk, DocMeta, IngestError
from ingest.textkeys import nfc

log = logging.getLogger(__name__)
_REPEATED = "verbatim repeated chunks kept once"


@dataclass
class IngestStatus:
    """One line per file: ``ingested`` / ``unchanged`` / ``rejected`` (with the reason)."""

    file: str
    status: str
    detail: str = ""
    n_chunks: int = 0

    def line(self) -> str:
        """Always one line, whatever the file name or reason holds."""
        extra = f" ({self.n_chunks} đoạn / chunks)" if self.status == "ingested" else ""
        detail = " ".join(str(self.detail).split())
        return f"{_printable(self.file)}: {self.status}{extra}" + (f" — {detail}" if detail else "")


def _printable(name: str) -> str:
    return "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in str(name))


def context_prefix(meta: DocMeta, section: str) -> str:
    """Report-level context prepended to each chunk's indexed text."""
    parts = [meta.body or "", f"tỉnh {meta.province}" if meta.province else "", meta.doc_type or "",
             meta.period or ""]
    head = " ".join(p for p in parts if p)
    return f"{head} | {section}\n" if section else f"{head}\n"


def indexed_text(meta: DocMeta, chunk: Chunk) -> str:
    """What the embedder reads for a chunk: report context + text, in canonical search form."""
    return nfc(context_prefix(meta, chunk.section) + chunk.text)


def chunk_metadata(meta: DocMeta, chunk: Chunk) -> dict:
    years = meta.years or (0,)
    return {"doc": chunk.doc_name, "province": _no_nul(meta.province or ""), "year_min": min(years),
            "year_max": max(years), "section": _no_nul(chunk.section[:500]), "start": chunk.start, "end": chunk.end}


def _no_nul(text: str) -> str:
    """A NUL byte corrupts Chroma's full-text index: none ever reaches it (readers drop them too)."""
    return text.replace("\x00", "")


def check_doc_name(doc_name: str) -> None:
    """Report names are identifiers shown on one line: no control characters, not empty."""
    if not doc_name.strip() or any(ord(c) < 32 or ord(c) == 127 for c in doc_name):
        raise IngestError(_printable(doc_name)[:120] or "(không tên)",
                          "tên tệp rỗng hoặc chứa ký tự điều khiển; hãy đổi tên tệp",
                          "empty file name or control characters in it; rename the file")


@dataclass
class Prepared:
    """One report read, normalised and chunked, ready for :meth:`Index.write_batch`."""

    doc_name: str
    sha: str
    meta: DocMeta
    text: str
    chunks: list[Chunk]
    warnings: list[str]
    hidden: list[str]
    kind: str
    facts: list[StoredFact] | None = None  # None: left to the catalog's back-fill


class _ReadTolerantStore(ChromaStore):
    """A failed vector search leaves the keyword search to answer alone (logged, not shown).

    Seen when another process writes the same embedded Chroma (``cchc ingest`` while the chat
    runs): this process's view is stale and Chroma raises "Error finding id" for new chunks.
    """

    def query(self, vector, k: int, where: dict | None) -> list[tuple[str, float]]:
        try:
            return super().query(vector, k, where)
        except Exception:  # noqa: BLE001 - any Chroma failure: keyword results still answer
            log.exception("vector search failed; answering from the keyword index only")
            return []


class Index:
    """Open with :meth:`open`; ``home`` holds ``catalog.sqlite``, ``chroma/`` and ``keyword/``."""

    def __init__(self, home: Path, embedder: Embedder, chroma_url: str | None = None):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self.read_only: StorageError | None = None  # why this index cannot be written, if it cannot
        self.catalog = self._open_catalog()
        self._check_embedder()
        self.store = self._open_store(chroma_url)
        self._keyword: KeywordIndex | None = None
        self._kw_lock = threading.Lock()

    def _open_catalog(self) -> Catalog:
        """The catalog, read-only when the home cannot be written (see :mod:`index.storage`)."""
        path = self.home / "catalog.sqlite"
        try:
            return Catalog(path)
        except Exception as e:
            err = storage_error(e, self.home)
            if err is None:
                raise
            if err.kind == "corrupt":
                log.error("catalog cannot be read: %s", err, exc_info=e)
                raise err from None
            try:
                catalog = read_only_catalog(path)
            except Exception:
                raise err from None
            log.warning("catalog opened read-only: %s (%r)", err, e)
            self.read_only = err
            return catalog

    def _open_store(self, chroma_url: str | None):
        try:
            return _ReadTolerantStore(self.home / "chroma", chroma_url, self.embedder.id, CHUNKER_VERSION,
                                      self.embedder.dim)
        except Exception as e:
            err = storage_error(e, self.home)
            if err is None or chroma_url:
                raise
            log.warning("Chroma cannot be opened, keyword search only: %s (%r)", err, e)
            self.read_only = self.read_only or err
            return NullStore(err)

    def _check_embedder(self) -> None:
        built_with = self.catalog.get_info("embedder")
        if built_with and built_with != self.embedder.id:
            raise StoreError(
                f"Chỉ mục được xây bằng bộ nhúng '{built_with}', không phải '{self.embedder.id}' / the index "
                f"was built with embedder '{built_with}', not '{self.embedder.id}': use the same "
                "--embedder, or rebuild with `cchc ingest --rebuild`")
        if not built_with and not self.read_only:
            self.catalog.set_info("embedder", self.embedder.id)
            self.catalog.set_info("chunker", CHUNKER_VERSION)

    # ---- writing -------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Exclusive write lock (see :mod:`index.lock`); fails fast if another process holds it or
        the home cannot be written. A storage failure inside becomes a :class:`StorageError`."""
        if self.read_only:
            raise self.read_only
        with storage_guard(self.home), write_lock(self.home):
            yield

    def needs_rechunk(self) -> bool:
        return not self.read_only and self.catalog.get_info("chunker") not in (None, CHUNKER_VERSION)

    def ingest_text(self, doc_name: str, raw_text: str, *, kind: str = "txt", warnings: list[str] | None = None,
                    hidden: list[str] | None = None) -> IngestStatus:
        """Index one report's text (call inside :meth:`writing`). Idempotent."""
        prepared = self.prepare(doc_name, raw_text, kind=kind, warnings=warnings, hidden=hidden)
        return prepared if isinstance(prepared, IngestStatus) else self.write_batch([prepared])[0]

    def prepare(self, doc_name: str, raw_text: str, *, kind: str = "txt", warnings: list[str] | None = None,
                hidden: list[str] | None = None) -> "Prepared | IngestStatus":
        """Normalise, read metadata and chunk one report (no write); ``unchanged`` if already indexed."""
        check_doc_name(doc_name)
        text = normalize_text(raw_text)
        sha = hashlib.sha256(text.encode()).hexdigest()
        known = self.catalog.doc(doc_name)
        if known and known.sha256 == sha and known.status == "complete" and not self.needs_rechunk():
            return IngestStatus(doc_name, "unchanged", n_chunks=known.n_chunks)
        meta = extract_metadata(text)
        chunks, repeated = chunk_document_counted(sha[:16], doc_name, text)
        if not chunks:
            raise IngestError(doc_name, "không tìm thấy đoạn văn bản nào để lập chỉ mục",
                              "no indexable paragraphs found")
        warnings = [w for w in warnings or [] if not w.endswith(_REPEATED)]  # re-chunking: said anew
        if repeated:
            warnings.append(f"{repeated} đoạn lặp lại nguyên văn, chỉ giữ một lần / {repeated} {_REPEATED}")
        return Prepared(doc_name, sha, meta, text, chunks, warnings, hidden or [], kind,
                        extract_stored(doc_name, text))

    def write_batch(self, batch: list["Prepared"]) -> list[IngestStatus]:
        """Index several prepared reports with one embedder call (long batches keep both cores busy).
        Each report is ``pending`` until its vectors are in Chroma, so a kill mid-batch is redone."""
        for p in batch:
            self.catalog.begin_doc(p.doc_name, p.sha[:16], p.sha, p.meta, p.text, p.chunks, p.warnings,
                                   p.hidden, p.kind, p.facts)
            self.store.delete_doc(p.doc_name)
        vectors = self.embedder.embed([indexed_text(p.meta, c) for p in batch for c in p.chunks])
        pos = 0
        for p in batch:
            n = len(p.chunks)
            self.store.upsert([c.chunk_id for c in p.chunks], vectors[pos:pos + n],
                              [chunk_metadata(p.meta, c) for c in p.chunks], [_no_nul(c.text) for c in p.chunks])
            self.catalog.complete_doc(p.doc_name)
            pos += n
        return [IngestStatus(p.doc_name, "ingested", "; ".join(p.warnings), len(p.chunks)) for p in batch]

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

    def sweep_orphans(self) -> int:
        """Delete vectors no catalog chunk owns (left when a write failed half-way); how many."""
        known = {c.chunk_id for c in self.catalog.chunks(complete_only=False)}
        orphans = [i for i in self.store.ids_of() if i not in known]
        if orphans:
            self.store.delete_ids(orphans)
            log.warning("removed %d orphan vectors", len(orphans))
        return len(orphans)

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
        self.catalog.set_info("keyword_version", KEYWORD_VERSION)

    def keyword_outdated(self) -> bool:
        """The stored keyword index was built by another tokenizer (see ``KEYWORD_VERSION``)."""
        return self.catalog.get_info("keyword_version") != KEYWORD_VERSION and bool(self.docs())

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

