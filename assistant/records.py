"""Records the assistant returns: the public contract of ``cchc ask --json``."""
from __future__ import annotations

from dataclasses import dataclass, field

from index.records import Hit


@dataclass
class Citation:
    """A verified citation: ``quote`` is cut by code from the report's text[start:end]."""

    n: int
    doc: str
    section: str
    quote: str
    start: int
    end: int
    province: str | None = None
    period: str | None = None

    def to_json(self) -> dict:
        return {"n": self.n, "doc": self.doc, "section": self.section, "quote": self.quote,
                "start": self.start, "end": self.end,
                "province": self.province, "period": self.period}


@dataclass
class Answer:
    """What ``Assistant.ask`` returns. ``to_json`` is the ``cchc ask --jsonl`` line."""

    question: str
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[Hit] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    id: str | None = None
    backend: str = ""
    answered_by: str = "extractive"  # or "model" (verified model answer kept) or "fallback" (model replaced)
    final: bool = True  # False: the quick extractive answer streamed before a model refines it
    confidence: float = 0.0  # the chosen candidate's score (the abstention decision compares it)
    rewritten: str = ""  # the self-contained question actually answered ("Hiểu là: …"), if rewritten

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.to_json() for c in self.citations],
            "retrieved": [h.to_json() for h in self.retrieved],
            "timings": self.timings,
            "backend": self.backend,
            "answered_by": self.answered_by,
            "rewritten": self.rewritten,
            "confidence": round(self.confidence, 4),
        }
