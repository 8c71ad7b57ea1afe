"""Scoring of drafting tasks (``cchc eval-draft``), without an LLM judge.

A draft is ``{"markdown": str, "citations": [{"n","doc","section","quote","start","end"}],
"placeholders": [str]}``; citation markers in the markdown are ``[n]`` (also ``[1, 2]``),
placeholders are written ``[cập nhật: …]``.

* **key-fact coverage** — a key fact is carried over when each of its figures and codes
  (whitespace-separated tokens of the fact that contain a digit, e.g. ``48/QĐ-SKHCN``,
  ``26/3/2020``, ``13/28``, ``109``) appears in a line of the markdown that carries a
  marker ``[n]`` whose citation quote also contains that figure.
* **unsupported numbers** — numbers in the markdown (outside placeholders, citation
  markers and list numbering) found neither in a cited quote, nor in the text of a cited
  report (when report texts are given), nor in the task's instruction. Must be 0.
"""
from __future__ import annotations

import re
from typing import Callable

from evals.textnorm import contains_token

PLACEHOLDER = re.compile(r"\[\s*cập nhật\s*:[^\]]*\]", re.IGNORECASE)
MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
LIST_NUMBER = re.compile(r"^(\s*(?:[#>*\-+]\s*)*)(?:[0-9IVXivx]+(?:\.\d+)*[.)])(?=\s)", re.M)
NUMBER = re.compile(r"\d+(?:[.,/]\d+)*(?:[/\-][^\s,;:()\[\]]+)*")
_STRIP = " \t\n,;:()[]\"'“”‘’.!?"


def figures(fact: str) -> list[str]:
    """The figures and codes of a key fact: its tokens that contain a digit."""
    out = []
    for raw in fact.split():
        tok = raw.strip(_STRIP)
        if any(ch.isdigit() for ch in tok) and tok not in out:
            out.append(tok)
    return out


def _markers(line: str) -> list[int]:
    """Citation numbers referenced in one markdown line."""
    nums: list[int] = []
    for m in MARKER.finditer(PLACEHOLDER.sub(" ", line)):
        nums.extend(int(x) for x in re.split(r"\s*[,;]\s*", m.group(1)))
    return nums


def _figure_cited(fig: str, lines: list[str], quotes: dict[int, str]) -> bool:
    """Whether ``fig`` appears in a line whose marker points at a quote holding ``fig``."""
    for line in lines:
        body = MARKER.sub(" ", PLACEHOLDER.sub(" ", line))
        if not contains_token(body, fig):
            continue
        if any(contains_token(quotes.get(n, ""), fig) for n in _markers(line)):
            return True
    return False


def key_fact_hits(task: dict, draft: dict) -> list[dict]:
    """Per key fact: its figures, the ones carried over with a citation, and ``ok``."""
    lines = (draft.get("markdown") or "").splitlines()
    quotes = {int(c["n"]): str(c.get("quote") or "") for c in draft.get("citations") or []
              if str(c.get("n", "")).isdigit()}
    out = []
    for fact in task.get("key_facts") or []:
        figs = figures(fact)
        cited = [f for f in figs if _figure_cited(f, lines, quotes)]
        out.append({"fact": fact, "figures": figs, "cited": cited,
                    "ok": bool(figs) and len(cited) == len(figs)})
    return out


def draft_numbers(markdown: str) -> list[str]:
    """Numbers written in the draft, excluding placeholders, markers and list numbering."""
    text = PLACEHOLDER.sub(" ", markdown or "")
    text = MARKER.sub(" ", text)
    text = LIST_NUMBER.sub(lambda m: m.group(1), text)
    return [m.group(0).rstrip(".,") for m in NUMBER.finditer(text)]


def unsupported_numbers(task: dict, draft: dict,
                        report_text: Callable[[str], str | None] | None = None) -> list[str]:
    """Numbers of the draft that no cited source, placeholder or the instruction supports."""
    sources = [str(c.get("quote") or "") for c in draft.get("citations") or []]
    if report_text is not None:
        for doc in sorted({str(c.get("doc")) for c in draft.get("citations") or []}):
            sources.append(report_text(doc) or "")
    sources.append(str(task.get("instruction") or ""))
    sources.extend(str(p) for p in draft.get("placeholders") or [])
    out = []
    for num in draft_numbers(draft.get("markdown") or ""):
        if not any(contains_token(src, num) for src in sources):
            out.append(num)
    return out


def score_draft(task: dict, draft_json: dict,
                report_text: Callable[[str], str | None] | None = None) -> dict:
    """Score one draft against its task.

    Returns ``key_fact_coverage`` (share of key facts carried over with a citation),
    ``unsupported_numbers`` (count; must be 0), their details, and ``ok``.
    """
    hits = key_fact_hits(task, draft_json)
    bad = unsupported_numbers(task, draft_json, report_text)
    coverage = sum(h["ok"] for h in hits) / len(hits) if hits else None
    return {
        "id": task.get("id"),
        "key_fact_coverage": coverage,
        "key_facts": hits,
        "unsupported_numbers": len(bad),
        "unsupported": bad,
        "n_placeholders": len(PLACEHOLDER.findall(draft_json.get("markdown") or "")),
        "ok": not bad and (coverage is None or coverage == 1.0),
    }
