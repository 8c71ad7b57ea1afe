"""Answer with a generator (local model or OpenAI-compatible server), verified by code.

Passages are kept tight (the best sentences around each hit, not whole chunks): the default
model reads ~30 tokens/s on 2 cores, so context length is latency.
"""
from __future__ import annotations

import logging
import re
import time
from typing import Iterator

import prompts
from assistant.answering import MIN_GAIN, Draft, report_label, widen
from assistant.sentences import TYPE_PATTERNS, Unit, Weigher, answer_type, content_terms
from assistant.verify import Passage, facts, verify_answer
from index.records import Hit
from ingest.textkeys import fold, tokens

log = logging.getLogger(__name__)
# The default model reads ~36 tokens/s on 2 cores and Vietnamese costs ~2.7 characters per
# token: ~450 characters of report text keep the first token near 5 s (the rules are cached).
CONTEXT_CHARS = 450
MIN_EXTRA = 60           # a further passage must fit at least this many characters
PASSAGE_CAP = 300        # one long sentence may not take the whole budget
MERGE_GAP = 150          # sentences of one hit this close together form one passage
SUPPORT_RATIO = 0.6      # ... and its best sentence score this share of the best one,
# ... or cover MIN_GAIN of the question's (IDF-weighted) words the chosen ones miss;
FLOOR_RATIO = 0.3        # ... and in any case score this share
MAX_TOKENS = 90          # one or two sentences
AGREEMENT = 0.8  # a model's cited sentence must score at least this share of the extractive best


def build_passages(question: str, hits: list[Hit], ranked: list[Unit], idf: dict[str, float] | None = None,
                   budget: int = CONTEXT_CHARS) -> list[Passage]:
    """The best sentences of the best hits (with the footnote or sentence that completes
    them), best first, within ``budget`` characters. A further sentence is taken when it
    scores close to the best one or covers question words the chosen ones miss ("bao nhiêu
    công chức và bao nhiêu viên chức"); a long sentence is cut to its best window; a nearby
    sentence of the same hit joins its passage. Passage ``n`` is the hit's rank, so ``[n]``
    also points into ``Answer.retrieved``."""
    spans: dict[int, tuple[int, int]] = {}
    top = ranked[0].score if ranked else 0.0
    weigh = Weigher(question, idf or {})
    covered: set[str] = set()
    for unit in ranked:
        used = sum(e - s for s, e in spans.values())
        if unit.score < FLOOR_RATIO * top or budget - used < MIN_EXTRA:
            break
        if spans and unit.score < SUPPORT_RATIO * top and weigh.gain(unit.text, covered) < MIN_GAIN:
            continue
        span = widen(unit, ranked)
        s, e = span[0].start, span[-1].end
        if e - s > min(PASSAGE_CAP, budget - used):
            s, e = best_window(hits[unit.hit_index], s, e, min(PASSAGE_CAP, budget - used), weigh.window)
        if _place(spans, unit.hit_index, s, e, budget - used):
            covered |= weigh.terms_in(unit.text)
    return [_passage(i, hits[i], s, e) for i, (s, e) in spans.items()]


def _place(spans: dict[int, tuple[int, int]], i: int, s: int, e: int, room: int) -> bool:
    """Add ``[s, e)`` as hit ``i``'s passage, or join it to the passage it is close to."""
    old = spans.get(i)
    if old is None:
        spans[i] = (s, e)
        return True
    joined = (min(s, old[0]), max(e, old[1]))
    if min(abs(s - old[1]), abs(old[0] - e)) > MERGE_GAP or joined[1] - joined[0] - (old[1] - old[0]) > room:
        return False
    spans[i] = joined
    return True


def _passage(i: int, hit: Hit, s: int, e: int) -> Passage:
    c = hit.chunk
    return Passage(i + 1, hit, s, e, c.text[s - c.start:e - c.start])


def best_window(hit: Hit, s: int, e: int, size: int, score) -> tuple[int, int]:
    """The ``size``-character window of ``[s, e)``, starting at a clause and cut at word
    boundaries, that ``score`` likes best."""
    c = hit.chunk
    text = c.text[s - c.start:e - c.start]
    starts = [0] + [m.end() for m in _CLAUSE.finditer(text) if m.end() < len(text) - MIN_EXTRA]
    best = max(starts, key=lambda a: score(text[a:a + size]))
    return _snap(c.text, c.start, s + best, min(e, s + best + size))


_CLAUSE = re.compile(r"[;:,]\s+|\s+-\s+")


def _snap(text: str, base: int, s: int, e: int) -> tuple[int, int]:
    """Shrink a window's edges to word boundaries."""
    while s < e and s > base and not text[s - base - 1].isspace():
        s += 1
    while e > s and e < base + len(text) and not text[e - base].isspace():
        e -= 1
    return s, e


def messages_for(question: str, passages: list[Passage]) -> list[dict]:
    """System rules (identical every time, so llama.cpp reuses their cache) + numbered
    passages + the question (prompt files in ``prompts/``)."""
    blocks = [prompts.render("passage", n=str(p.n), report=report_label(p.hit), text=p.text).strip()
              for p in passages]
    user = prompts.render("answer_user", passages="\n".join(blocks), question=question).strip()
    return rules_only() + [{"role": "user", "content": user}]


def rules_only() -> list[dict]:
    """The system message every question starts with (to warm a model's prompt cache)."""
    return [{"role": "system", "content": prompts.render("answer_system").strip()}]


def generate_answer(generator, question: str, passages: list[Passage], timings: dict) -> Iterator[str]:
    """Stream the model's raw answer; fills ``timings['first_token_ms']`` relative to the call."""
    t0 = time.perf_counter()
    first = True
    for piece in generator.generate(messages_for(question, passages), max_tokens=MAX_TOKENS,
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


def rejection(question: str, draft: Draft, ranked: list[Unit], fallback: Draft, confident: float,
              passages: list[Passage] | None = None) -> str | None:
    """Why a grounded model answer is still not acceptable, or None.

    * it lacks what the question asks for (a decision number, a date, a count, a percentage);
    * it only restates the question (no fact or word beyond it);
    * the code's own scoring finds a clearly better-supported sentence than the ones it cites;
    * a count in it is attached to other words than in the source (:func:`detached_counts`).
    """
    pattern = TYPE_PATTERNS.get(answer_type(question))
    if pattern is not None and not pattern.search(_MARKS.sub(" ", draft.text)):  # "[1]" is not a count
        return "missing answer type"
    if facts(draft.text) <= facts(question) and set(content_terms(draft.text)) <= set(content_terms(question)):
        return "restates the question"
    if fallback.confidence >= confident and _unit_score(draft, ranked) < AGREEMENT * fallback.confidence:
        return "weaker evidence than the extractive answer"
    if passages is not None and (loose := detached_counts(draft.text, passages)):
        return f"count(s) {', '.join(loose)} not next to the same words as in the source"
    return None


def detached_counts(text: str, passages: list[Passage]) -> list[str]:
    """Plain numbers of ``text`` that stand next to other words than anywhere in the passages.

    A small model copies the right number to the wrong noun ("44 công chức" where the report
    says "viên chức … là 44 người") or a table's row number as a count ("còn 3 ngày"); a count
    is trusted only when its left or right neighbour word is the same as in some passage.
    """
    pairs = set()
    for p in passages:
        toks = [fold(t) for t in tokens(p.text)]
        pairs.update(zip(toks, toks[1:]))
    toks = [fold(t) for t in tokens(_MARKS.sub(" ", text))]
    loose = []
    for i, t in enumerate(toks):
        if not _PLAIN_NUMBER.fullmatch(t):
            continue
        left = (toks[i - 1], t) if i > 0 else None
        right = (t, toks[i + 1]) if i + 1 < len(toks) else None
        if left not in pairs and right not in pairs:
            loose.append(t)
    return loose


_PLAIN_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_MARKS = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")


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
        draft.source = "model"
        return draft
    reason = rejection(question, draft, ranked or [], fallback, confident, passages) if question else None
    if reason:
        log.info("model answer rejected (%s); extractive fallback", reason)
        return fallback
    draft.source = "model"
    return draft
