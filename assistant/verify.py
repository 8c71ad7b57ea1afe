"""Check a model's answer against the passages it was given — never trust the model.

* every ``[n]`` must name a passage that was given (others are dropped);
* every number, decision code and date in a sentence must appear in a passage that sentence
  cites; if it appears in another given passage, that citation is added; if it appears in none,
  the sentence is dropped (an invented figure never reaches the user);
* links and images are removed (a document cannot make the answer show an outside URL);
* each citation gets a verbatim quote cut from the report by offsets.

    >>> v = verify_answer("Quyết định số 20/QĐ-SKHCN [1].", passages)
    >>> v.citations[0].quote   # the source sentence that holds 20/QĐ-SKHCN
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answering import Draft, cite
from assistant.sentences import split_units
from index.keyword import keyword_tokens
from index.records import Hit
from ingest.textkeys import tokens

_MARK = re.compile(r"\[(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\]")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:https?:|www\.|//)[^)]*\)")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_HTML = re.compile(r"<[^>]{1,200}>")
_SENT = re.compile(r"(?<=[.!?])\s+|\n+")
_ABSTAIN = re.compile(r"không có thông tin|không chứa thông tin|không đề cập|không nêu|chưa có thông tin|"
                      r"do(es)? not (contain|mention|say)|no information|not (found|mentioned)", re.I)


@dataclass
class Passage:
    """A numbered passage given to the model: ``text`` is ``report[start:end]``."""

    n: int
    hit: Hit
    start: int
    end: int
    text: str


def facts(text: str) -> set[str]:
    """Numbers, codes and dates (canonical token form) — the claims that must be grounded."""
    return {t for t in tokens(_MARK.sub(" ", text)) if t[0].isdigit()}


def sanitize(text: str, passages: list[Passage]) -> str:
    """Remove images, links, raw URLs and HTML tags (kept only as plain text when harmless)."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub("", text)
    return _HTML.sub("", text).strip()


def says_not_found(text: str) -> bool:
    return bool(_ABSTAIN.search(text))


def _best_quote(claim: str, p: Passage) -> tuple[int, int]:
    """The unit of passage ``p`` that best supports ``claim`` (most shared facts, then terms)."""
    want_f, want_t = facts(claim), set(keyword_tokens(claim))
    best, best_key = (p.start, p.end), (-1, -1)
    for s, e in split_units(p.text, p.start):
        unit = p.text[s - p.start:e - p.start]
        key = (len(want_f & facts(unit)), len(want_t & set(keyword_tokens(unit))))
        if key > best_key:
            best, best_key = (s, e), key
    return best


def _ground(claim: str, cited: list[int], passages: dict[int, Passage]) -> list[int] | None:
    """Citations that cover every fact of ``claim`` (adding passages as needed), or None."""
    cited = [n for n in cited if n in passages]
    need = facts(claim)
    have = set().union(*(facts(passages[n].text) for n in cited)) if cited else set()
    for f in sorted(need - have):
        extra = next((n for n, p in passages.items() if f in facts(p.text)), None)
        if extra is None:
            return None
        cited.append(extra)
        have |= facts(passages[extra].text)
    if not cited:  # no figures and no marker: cite the passage sharing most words
        terms = set(keyword_tokens(claim))
        n, overlap = max(((n, len(terms & set(keyword_tokens(p.text)))) for n, p in passages.items()),
                         key=lambda x: x[1], default=(None, 0))
        if n is None or overlap < 2:
            return None
        cited.append(n)
    return sorted(set(cited)) if _worded(claim, cited, passages) else None


WORD_SUPPORT = 0.5


def _words(text: str, equivalents: bool = True) -> set[str]:
    """Tone-folded syllables and codes of ``text`` (no bigrams, no citation marks)."""
    return {t for t in keyword_tokens(_MARK.sub(" ", text), equivalents) if "_" not in t and t.isascii()}


def _worded(claim: str, cited: list[int], passages: dict[int, Passage]) -> bool:
    """At least ``WORD_SUPPORT`` of the claim's syllables appear in the passages it cites: a
    name the model made up ("Ban Chỉ đạo Trung ương [2]") is not grounded by a figure or a mark."""
    words = _words(claim, equivalents=False)
    have = set().union(*(_words(passages[n].text) for n in cited))
    return len(words & have) >= WORD_SUPPORT * len(words)


def verify_answer(raw: str, passages: list[Passage]) -> Draft | None:
    """A verified :class:`Draft`, or None when nothing grounded is left (caller falls back)."""
    text = re.sub(r"([.!?])\s*((?:\[\d{1,2}(?:\s*[,;]\s*\d{1,2})*\]\s*)+)", r" \2\1 ", sanitize(raw, passages))
    by_n = {p.n: p for p in passages}
    if not text or says_not_found(text) and not facts(text):
        return Draft(text, abstained=True) if text else None
    kept, citations, seen = [], [], set()
    for claim in filter(None, (c.strip() for c in _SENT.split(text))):
        marks = [int(x) for m in _MARK.finditer(claim) for x in re.split(r"[,;]", m.group(1))]
        grounded = _ground(claim, marks, by_n)
        if grounded is None:
            continue
        body = _MARK.sub("", claim).strip()
        kept.append(body + " " + "".join(f"[{n}]" for n in grounded))
        for n in grounded:
            if n not in seen:
                seen.add(n)
                s, e = _best_quote(body, by_n[n])
                citations.append(cite(n, by_n[n].hit, s, e))
    if not kept:
        return None
    return Draft(" ".join(kept), citations)
