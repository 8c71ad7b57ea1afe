"""Ingest: read reports, normalise Vietnamese text, find sections and metadata, cut chunks.

Nothing here knows about Chroma, embeddings or models: the output is plain records
(:class:`ingest.records.Document`, :class:`ingest.records.Chunk`).
"""
from ingest.records import Chunk, DocMeta, Document, IngestError

__all__ = ["Chunk", "DocMeta", "Document", "IngestError"]
