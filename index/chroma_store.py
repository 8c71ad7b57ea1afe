"""The one module that talks to Chroma: embedded ``PersistentClient`` or ``HttpClient``.

Embeddings are always passed explicitly: Chroma's default embedding function (which would
download a model) is never used, and neither is ``query_texts``.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

COLLECTION = "cchc_chunks"
log = logging.getLogger(__name__)


class StoreError(Exception):
    """Chroma unreachable or built by another embedder; the message says what to do."""


def _client(path: Path, url: str | None):
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    if url:
        u = urlparse(url)
        try:
            client = chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or 8000,
                                         ssl=u.scheme == "https", settings=settings)
            client.heartbeat()
            return client
        except Exception as e:  # chromadb raises several types for a refused connection
            raise StoreError(f"Không kết nối được máy chủ Chroma tại {url} / cannot reach the Chroma "
                             f"server at {url}: start `chroma run` or unset CCHC_CHROMA_URL") from e
    return chromadb.PersistentClient(path=str(path), settings=settings)


class ChromaStore:
    """Vectors of the chunks, with report-level metadata for filtering."""

    def __init__(self, path: Path, url: str | None, embedder_id: str, chunker_version: str, dim: int):
        self.client = _client(path, url)
        self.collection = self.client.get_or_create_collection(
            COLLECTION, embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedder": embedder_id, "chunker": chunker_version, "dim": dim})
        meta = self.collection.metadata or {}
        if meta.get("embedder") != embedder_id or int(meta.get("dim", dim)) != dim:
            raise StoreError(
                f"Chỉ mục được xây bằng bộ nhúng '{meta.get('embedder')}', không phải '{embedder_id}' / "
                f"the index was built with embedder '{meta.get('embedder')}', not '{embedder_id}': "
                "use the same --embedder, or rebuild with `cchc ingest --rebuild`")
        self.chunker_version = meta.get("chunker")

    def upsert(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict], documents: list[str]) -> None:
        for i in range(0, len(ids), 256):
            self.collection.upsert(ids=ids[i:i + 256], embeddings=vectors[i:i + 256].tolist(),
                                   metadatas=metadatas[i:i + 256], documents=documents[i:i + 256])

    def delete_doc(self, doc_name: str) -> None:
        self.collection.delete(where={"doc": doc_name})

    def delete_ids(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[i:i + 1000])

    def ids_of(self, doc_name: str | None = None) -> list[str]:
        got = self.collection.get(where={"doc": doc_name} if doc_name else None, include=[])
        return list(got["ids"])

    def count(self) -> int:
        return int(self.collection.count())

    def query(self, vector: np.ndarray, k: int, where: dict | None) -> list[tuple[str, float]]:
        """``(chunk_id, cosine similarity)`` best first."""
        n = self.count()
        if n == 0:
            return []
        res = self.collection.query(query_embeddings=[np.asarray(vector).tolist()], n_results=min(k, n),
                                    where=where or None, include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0])]

    def drop(self) -> None:
        """Delete the whole collection (used by ``--rebuild``)."""
        self.client.delete_collection(COLLECTION)


def where_clause(docs: list[str], provinces: list[str], years: list[int]) -> dict | None:
    """Chroma ``where`` for the user's scope (reports, provinces, years)."""
    parts: list[dict] = []
    if docs:
        parts.append({"doc": {"$in": list(docs)}})
    if provinces:
        parts.append({"province": {"$in": list(provinces)}})
    if years:
        ors = [{"$and": [{"year_min": {"$lte": y}}, {"year_max": {"$gte": y}}]} for y in years]
        parts.append(ors[0] if len(ors) == 1 else {"$or": ors})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}
