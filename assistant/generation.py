"""Answer with a generator (local model or OpenAI-compatible server), verified by code.

Passages are kept tight (the best sentences around each hit, not whole chunks): the default
model reads ~30 tokens/s on 2 cores, so context length is latency.
"""
from __future__ import annotations

import logging
import time
from typing import Iterator

import prompts
from assistant.answering import Draft, report_label
from assistant.sentences import TYPE_PATTERNS, Unit, answer_type, content_terms
from assistant.verify import Passage, facts, verify_answer
from index.records import Hit

log = logging.getLogger(__name__)
PASSAGE_CHARS = 420
CONTEXT_CHARS = 1800
MAX_TOKENS = 200
AGREEMENT = 0.8  # a model's cited sentence must score at least this share of the extractive best


def build_passages(hits: list[Hit], ranked: list[Unit]) -> list[Passage]:
    """One passage per hit: its best unit widened with neighbours up to ~PASSAGE_CHARS."""
    best: dict[int, Unit] = {}
    for u in ranked:
        best.setdefault(u.hit_index, u)
    passages, total = [], 0
    for i, hit in enumerate(hits):
        c = hit.chunk
        if len(c.text) <= PASSAGE_CHARS or i not in best:
            s, e = c.start, c.end if len(c.text) <= PASSAGE_CHARS else c.start + PASSAGE_CHARS
        else:
            u = best[i]
            pad = max(0, (PASSAGE_CHARS - (u.end - u.start)) // 2)
            s, e = max(c.start, u.start - pad), min(c.end, u.end + pad)
        s, e = _snap(c.text, c.start, s, e)
        if total + (e - s) > CONTEXT_CHARS and passages:
            break
        passages.append(Passage(i + 1, hit, s, e, c.text[s - c.start:e - c.start]))
        total += e - s
    return passages


def _snap(text: str, base: int, s: int, e: int) -> tuple[int, int]:
    """Move a window's edges to word boundaries."""
    while s > base and not text[s - base - 1].isspace():
        s -= 1
    while e < base + len(text) and not text[e - base].isspace():
        e += 1
    return s, e


def messages_for(question: str, passages: list[Passage], history: list[dict] | None = None) -> list[dict]:
    """System rules + numbered passages + the question (prompt files in ``prompts/``)."""
    blocks = [prompts.render("passage", n=str(p.n), report=f"{report_label(p.hit)} ({p.hit.chunk.doc_name})",
                             section=p.hit.chunk.section or "—", text=p.text).strip() for p in passages]
    msgs = [{"role": "system", "content": prompts.render("answer_system").strip()}]
    for m in (history or [])[-4:]:
        if m.get("role") in ("user", "assistant") and m.get("content"):
            msgs.append({"role": m["role"], "content": str(m["content"])[:500]})
    msgs.append({"role": "user", "content": prompts.render("answer_user", passages="\n\n".join(blocks),
                                                           question=question).strip()})
    return msgs


def generate_answer(generator, question: str, passages: list[Passage], history: list[dict] | None,
                    timings: dict) -> Iterator[str]:
    """Stream the model's raw answer; fills ``timings['first_token_ms']`` relative to the call."""
    t0 = time.perf_counter()
    first = True
    for piece in generator.generate(messages_for(question, passages, history), max_tokens=MAX_TOKENS,
                                    temperature=0.0):
        if first:
            timings["first_token_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            first = False
        yield piece


def _unit_score(draft: Draft, ranked: list[Unit]) -> float:
    """Best code-computed relevance among the sentences the model's citations quote."""
    spans = [(c.doc, c.start, c.end) for c in draft.citations]
    return max((u.score for u in ranked for d, s, e in spans if u.doc == d and u.start < e and s < u.end),
               default=0.0)


def rejection(question: str, draft: Draft, ranked: list[Unit], fallback: Draft, confident: float) -> str | None:
    """Why a grounded model answer is still not acceptable, or None.

    * it lacks what the question asks for (a decision number, a date, a count, a percentage);
    * it only restates the question (no fact or word beyond it);
    * the code's own scoring finds a clearly better-supported sentence than the ones it cites.
    """
    pattern = TYPE_PATTERNS.get(answer_type(question))
    if pattern is not None and not pattern.search(draft.text):
        return "missing answer type"
    if facts(draft.text) <= facts(question) and set(content_terms(draft.text)) <= set(content_terms(question)):
        return "restates the question"
    if fallback.confidence >= confident and _unit_score(draft, ranked) < AGREEMENT * fallback.confidence:
        return "weaker evidence than the extractive answer"
    return None


def verified_or_fallback(raw: str, passages: list[Passage], fallback: Draft, confident: float,
                         question: str = "", ranked: list[Unit] | None = None) -> Draft:
    """The verified model answer; the extractive one when verification fails, when the model
    abstains although the passages clearly answer (``fallback.confidence >= confident``), or
    when :func:`rejection` finds the answer unacceptable."""
    draft = verify_answer(raw, passages)
    if draft is None:
        log.info("model answer not grounded; extractive fallback")
        return fallback
    if draft.abstained:
        if not fallback.abstained and fallback.confidence >= confident:
            return fallback
        draft.citations = []
        return draft
    reason = rejection(question, draft, ranked or [], fallback, confident) if question else None
    if reason:
        log.info("model answer rejected (%s); extractive fallback", reason)
        return fallback
    return draft
