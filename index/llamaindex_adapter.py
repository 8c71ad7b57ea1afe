"""The only module that imports llama-index: a plain in-memory pipeline for the baseline.

What a user would build in an afternoon: the reports as llama-index ``Document``s
(metadata ``file_name``), the default ``SentenceSplitter()``, an in-memory
``VectorStoreIndex`` whose embeddings come from cchc's own embedder (wrapped as a
llama-index ``BaseEmbedding``), and a top-k retriever.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llama_index.core import (Document, StorageContext, VectorStoreIndex,
                              load_index_from_storage)
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.node_parser import SentenceSplitter
from pydantic import PrivateAttr


class CchcEmbedding(BaseEmbedding):
    """A llama-index embedding model backed by a cchc embedder.

    The embedder has ``id``, ``embed_passages(list[str]) -> (n, d)`` (or ``embed``) and
    ``embed_query(str) -> (d,)``; vectors are already L2-normalised.
    """

    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Any, **kwargs: Any) -> None:
        super().__init__(model_name=str(getattr(embedder, "id", "cchc")), **kwargs)
        self._embedder = embedder

    @classmethod
    def class_name(cls) -> str:
        return "CchcEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return [float(x) for x in self._embedder.embed_query(query)]

    def _passages(self, texts: list[str]) -> Any:
        embed = getattr(self._embedder, "embed_passages", None) or self._embedder.embed
        return embed(texts)

    def _get_text_embedding(self, text: str) -> list[float]:
        return [float(x) for x in self._passages([text])[0]]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in self._passages(texts)]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


@dataclass
class RetrievedNode:
    """One retrieved llama-index node in plain Python types."""

    doc: str
    chunk_id: str
    score: float
    text: str
    start: int | None
    end: int | None


class LlamaIndexPipeline:
    """Default ``SentenceSplitter`` + in-memory ``VectorStoreIndex`` over some reports."""

    def __init__(self, files: list[Path], embedder: Any, k: int = 5,
                 cache_dir: Path | None = None) -> None:
        """Split and embed ``files``; with ``cache_dir``, reuse an index persisted there
        for the same files, splitter and embedder (embedding is the slow part)."""
        docs = [Document(text=Path(f).read_text(encoding="utf-8"),
                         metadata={"file_name": Path(f).name}) for f in files]
        self.splitter = SentenceSplitter()
        self.embed_model = CchcEmbedding(embedder)
        persist = Path(cache_dir) / self._key(docs) if cache_dir else None
        if persist is not None and (persist / "docstore.json").is_file():
            ctx = StorageContext.from_defaults(persist_dir=str(persist))
            self.index = load_index_from_storage(ctx, embed_model=self.embed_model)
        else:
            nodes = self.splitter.get_nodes_from_documents(docs)
            self.index = VectorStoreIndex(nodes, embed_model=self.embed_model)
            if persist is not None:
                self.index.storage_context.persist(persist_dir=str(persist))
        self.retriever = self.index.as_retriever(similarity_top_k=k)
        self.n_docs = len(docs)
        self.n_chunks = len(self.index.docstore.docs)

    def _key(self, docs: list[Document]) -> str:
        """Cache key: embedder id, splitter settings, file names and texts."""
        h = hashlib.sha256(f"{self.embed_model.model_name}|{self.splitter.chunk_size}|"
                           f"{self.splitter.chunk_overlap}".encode())
        for d in docs:
            h.update(f"\0{d.metadata['file_name']}\0{d.text}".encode())
        return h.hexdigest()[:16]

    def describe(self) -> dict:
        """Splitter settings and index size."""
        return {"chunker_version": f"llama-index SentenceSplitter(chunk_size="
                                   f"{self.splitter.chunk_size}, chunk_overlap="
                                   f"{self.splitter.chunk_overlap})",
                "n_docs": self.n_docs, "n_chunks": self.n_chunks}

    def retrieve(self, query: str) -> list[RetrievedNode]:
        """Top-k nodes for ``query``, best first."""
        out = []
        for hit in self.retriever.retrieve(query):
            node = hit.node
            out.append(RetrievedNode(doc=str(node.metadata.get("file_name", "")),
                                     chunk_id=node.node_id, score=float(hit.score or 0.0),
                                     text=node.get_content(), start=node.start_char_idx,
                                     end=node.end_char_idx))
        return out
