"""Records returned by retrieval."""
from __future__ import annotations

from dataclasses import dataclass, field

from ingest.records import Chunk, DocMeta


@dataclass
class Hit:
    """One retrieved chunk with its fused score and the report it belongs to."""

    chunk: Chunk
    score: float
    meta: DocMeta
    dense_rank: int | None = None
    keyword_rank: int | None = None

    def to_json(self) -> dict:
        """The shape used by ``cchc search --jsonl`` and ``cchc ask --jsonl``."""
        return {
            "doc": self.chunk.doc_name,
            "section": self.chunk.section,
            "chunk_id": self.chunk.chunk_id,
            "score": round(float(self.score), 6),
            "text": self.chunk.text,
        }


@dataclass
class SearchFilter:
    """Hard filters (the user's chosen scope). Empty means everything."""

    docs: list[str] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.docs or self.provinces or self.years)
