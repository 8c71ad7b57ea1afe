"""Stricter answer checks, applied by default beside the lenient ``must_include`` accuracy.

An answer's *body* is its text with citation markers (``[1]``, ``[1][3]``, ``[1, 2]``)
removed. Rules (see ``shared/evals/README.md`` "Scoring rules beyond must_include"):

* **short** — every line of the answer, up to its first citation marker, is at most
  :data:`SHORT_LINE_CHARS` characters: the fact, not a pasted paragraph.
* **per report** (``ambiguous`` items) — a *report line* starts with ``- ``; it names
  report ``D`` when it contains D's file name, carries a marker ``[n]`` whose citation is
  in D, or names the province of D's citations (when no other gold report shares it).
  Each gold report needs a line naming it that contains its own ``must_include`` token
  (token *i* belongs to ``docs[i]`` when both lists have the same length; otherwise any
  of the item's tokens counts). Example line:
  ``- Gia Lai, năm 2021 (gl.txt): Quyết định số 15/QĐ-SNV ngày 12/01/2021 [2]``.
* **declined cleanly** (``unanswerable``) — abstained, and no figure (a token holding a
  digit: number, code, date) that the question does not already contain, outside lines
  labelled with a :data:`CLOSEST_MARKERS` prefix (``Gần nhất: …`` / ``Closest available: …``),
  which may offer the nearest figure as long as it says so.

``strict`` = lenient correct AND short AND the category's check.
"""
from __future__ import annotations

import re
import unicodedata

from evals.textnorm import contains_token, norm_token_text

SHORT_LINE_CHARS = 200  # the reviewers' rule in shared/evals/README.md (~200 chars per report line)
CLOSEST_MARKERS = ("gần nhất:", "closest available:")  # a labelled nearest figure is allowed
CITATION_MARKER = re.compile(r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")
REPORT_LINE = re.compile(r"^\s*[-–•]\s+")
FIGURE = re.compile(r"[^\s,;:()\[\]]*\d[^\s,;:()\[\]]*")
_TRIM = ".,;:!?\"'“”‘’%"


def _fold(text: str) -> str:
    """NFC, case-folded, tone marks and đ folded (for matching province names)."""
    t = unicodedata.normalize("NFD", (text or "").casefold()).replace("đ", "d")
    return "".join(ch for ch in t if not unicodedata.combining(ch))


def body(answer: str) -> str:
    """The answer without citation markers, whitespace collapsed."""
    return " ".join(CITATION_MARKER.sub(" ", answer or "").split())


def line_heads(answer: str) -> list[str]:
    """Each non-empty line up to its first citation marker (stripped)."""
    out = []
    for line in (answer or "").splitlines():
        head = CITATION_MARKER.split(line, maxsplit=1)[0].strip()
        if head:
            out.append(head)
    return out


def is_short(answer: str) -> bool:
    """Every line's text before its first citation marker is ≤ SHORT_LINE_CHARS."""
    return all(len(h) <= SHORT_LINE_CHARS for h in line_heads(answer))


def _markers(line: str) -> set[int]:
    return {int(x) for m in CITATION_MARKER.finditer(line) for x in re.findall(r"\d+", m.group(0))}


def _names_report(line: str, doc: str, citations: list[dict], gold_docs: list[str]) -> bool:
    """Whether a report line names ``doc`` (file name, citation marker or unique province)."""
    if doc and doc in line:
        return True
    if any(c.get("doc") == doc and c.get("n") in _markers(line) for c in citations):
        return True
    provs = {c.get("province") for c in citations if c.get("doc") == doc and c.get("province")}
    others = {c.get("province") for c in citations if c.get("doc") in gold_docs and c.get("doc") != doc}
    folded = _fold(line)
    return any(_fold(p) in folded for p in provs - others)


def per_report_ok(must: list[str], docs: list[str], answer: str, citations: list[dict]) -> list[bool]:
    """For each gold report: a report line names it and holds its own figure."""
    lines = [ln for ln in (answer or "").splitlines() if REPORT_LINE.match(ln)]
    out = []
    for i, doc in enumerate(docs):
        tokens = [must[i]] if len(must) == len(docs) else list(must)
        out.append(any(_names_report(ln, doc, citations, docs)
                       and any(contains_token(CITATION_MARKER.sub(" ", ln), t) for t in tokens)
                       for ln in lines))
    return out


def offered_figures(answer: str, question: str) -> list[str]:
    """Figures in the answer (outside 'closest available' lines) the question does not hold."""
    q = norm_token_text(question)
    out = []
    for line in (answer or "").splitlines():
        if line.strip().casefold().startswith(CLOSEST_MARKERS):
            continue
        for m in FIGURE.finditer(CITATION_MARKER.sub(" ", line)):
            tok = m.group(0).strip(_TRIM)
            if tok and any(ch.isdigit() for ch in tok) and not contains_token(q, tok):
                out.append(tok)
    return out


def strict_scores(category: str, must: list[str], docs: list[str], question: str,
                  resp: dict, lenient: bool) -> dict:
    """Strict per-item scores: length, short, per-report, declined-cleanly and ``strict``."""
    answer = str(resp.get("answer") or "")
    citations = resp.get("citations") or []
    short = is_short(answer)
    per_report = per_report_ok(must, docs, answer, citations) if category == "ambiguous" else None
    figures = offered_figures(answer, question) if category == "unanswerable" else None
    declined = (bool(resp.get("abstained")) and not figures) if figures is not None else None
    strict = lenient and short and (per_report is None or all(per_report)) and declined is not False
    return {"answer_chars": len(body(answer)), "short": short, "per_report_ok": per_report,
            "per_report_all": all(per_report) if per_report is not None else None,
            "offered_figures": figures, "declined_cleanly": declined, "strict_correct": strict}
