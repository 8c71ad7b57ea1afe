"""Short answers from chosen candidates: the fact with its citation marker, one line per report.

    "Quyết định số 20/QĐ-SKHCN ngày 30/01/2020 (ban hành Kế hoạch cải cách hành chính …) [1]"
    "- Bình Định (6 tháng đầu năm 2020): … 62 TTHC … [2]"

The quote and its highlight belong to the citation (the whole source sentence, cut by offsets);
the answer line carries only the fact and a few words that say what it is.
"""
from __future__ import annotations

import re

from assistant.answer.candidates import Candidate
from assistant.answer.question import Question
from assistant.answer.select import Scorer
from assistant.records import Citation
from assistant.sentences import Unit
from index.records import Hit

LINE_CHARS = 150     # a report line's fact part: the eval's "short" rule allows ~200 per line
SUBJECT_CHARS = 70   # words of a reference's subject shown after it ("ban hành Kế hoạch …")
WINDOW = 110         # characters of a clause shown around a number or date
LIST_ITEMS = 8       # items of a list answer
ITEM_CHARS = 70      # characters per list item
_WS = re.compile(r"\s+")
_SUP = re.compile(r"<sup>\d+</sup>")


def clean(text: str) -> str:
    """One line, footnote marks removed."""
    return _WS.sub(" ", _SUP.sub("", text)).strip(" ,;:-–")


def trim(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters (with "…")."""
    text = clean(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–") + "…"


def window(text: str, a: int, b: int, size: int = WINDOW) -> str:
    """About ``size`` characters of ``text`` around ``[a, b)``, cut at word boundaries, the
    value placed a third of the way in (what introduces a value is shorter than what follows)."""
    lead = max(0, a - size // 3)
    end = min(len(text), max(b, lead + size))
    while lead > 0 and not text[lead - 1].isspace():
        lead += 1
    while end < len(text) and not text[end].isspace() and end > b:
        end -= 1
    body = clean(text[lead:end])
    return ("…" if lead > 0 else "") + body + ("…" if end < len(text) else "")


def reference_line(c: Candidate) -> str:
    """The reference as written, with the start of its subject when there is room."""
    subject = clean(c.context.split(" | ", 1)[-1])
    subject = re.sub(r"^(?:của [^,;]{0,60}?\s)?(?=(?:về|ban hành|phê duyệt|quy định|thành lập|kiện toàn))", "", subject)
    if re.match(r"(?:về|ban hành|phê duyệt|quy định|thành lập|kiện toàn|công bố|hướng dẫn)\b", subject, re.I):
        return f"{clean(c.value)} ({trim(subject, SUBJECT_CHARS)})"
    return clean(c.value)


def value_line(c: Candidate, companions: list[Candidate]) -> str:
    """A number or date with the words around it; a companion value of the same sentence that
    answers another part of the question joins it ("03 tập thể và 03 cá nhân")."""
    text = c.unit.text
    a, b = c.start - c.unit.start, c.end - c.unit.start
    for o in companions:
        if o.unit is c.unit:
            a, b = min(a, o.start - c.unit.start), max(b, o.end - c.unit.start)
    first = window(text, a, b, max(WINDOW, b - a + 40))
    others = [window(o.unit.text, o.start - o.unit.start, o.end - o.unit.start, WINDOW * 2 // 3)
              for o in companions if o.unit is not c.unit]
    return "; ".join([first] + others)


def clause_line(q: Question, c: Candidate, scorer: Scorer) -> str:
    """The best ~``LINE_CHARS`` window of the sentence for an entity / other question."""
    text = clean(c.unit.text)
    if len(text) <= LINE_CHARS:
        return text
    starts = [0] + [m.end() for m in re.finditer(r"[;:,]\s+|\s[-–]\s", text) if m.end() < len(text) - 30]
    best = max(starts, key=lambda s: (scorer.coverage(text[s:s + LINE_CHARS]), -s))
    return trim(text[best:], LINE_CHARS) if best == 0 else "…" + trim(text[best:], LINE_CHARS)


_NEG = re.compile(r"\b(chưa|không)\b", re.I)


def yesno_line(q: Question, c: Candidate, scorer: Scorer) -> str:
    """"Có/Không/Chưa: …" read from the clause that answers (its own negation words)."""
    body = clause_line(q, c, scorer)
    m = _NEG.search(body)
    word = m.group(1).capitalize() if m else "Có"
    if q.english:
        word = "No" if m else "Yes"
    return f"{word}: {body}"


_ITEM = re.compile(r"^\s*(?:[-+•*]|\d{1,2}[.)]|[a-zđ][.)])\s+")


def _item_run(units: list[Unit], unit: Unit) -> list[Unit]:
    """The run of list items ("1. …", "- …") that ``unit`` belongs to, in order (the answer
    takes the best-matching item and the ones after it, not the next section's lines)."""
    pos = next((i for i, u in enumerate(units) if u is unit), None)
    if pos is None or not _ITEM.match(unit.text):
        return []
    a = pos
    while a > 0 and _ITEM.match(units[a - 1].text):
        a -= 1
    b = pos
    while b + 1 < len(units) and _ITEM.match(units[b + 1].text):
        b += 1
    return units[a:b + 1]


def list_line(c: Candidate, units: list[Unit], whole: bool = False) -> str:
    """The items a sentence introduces ("…gồm:", "…sau:"), the list items it starts (all the
    items of its run when ``whole``: the section's heading is what the question asks for,
    "III. KIẾN NGHỊ, ĐỀ XUẤT"), or what it lists after its colon."""
    text = clean(c.unit.text)
    same = sorted((u for u in units if u.hit_index == c.unit.hit_index and not u.text.startswith("<sup>")),
                  key=lambda u: u.start)
    items = [u for u in _item_run(same, c.unit) if whole or u.start >= c.unit.start][:LIST_ITEMS]
    if _ITEM.match(c.unit.text) and len(items) >= 2:
        return "; ".join(trim(_ITEM.sub("", u.text), ITEM_CHARS) for u in items)
    if text.endswith(":"):
        after = sorted((u for u in units if u.hit_index == c.unit.hit_index and u.start >= c.unit.end
                        and not u.text.startswith("<sup>")), key=lambda u: u.start)[:LIST_ITEMS]
        if after:
            return trim(text, 60) + " " + "; ".join(trim(re.sub(r"^[-+•*]\s*", "", u.text), ITEM_CHARS) for u in after)
    if ":" in text:
        head, items = text.split(":", 1)
        return trim(head, 50) + ": " + trim(items, 2 * LINE_CHARS)
    return trim(text, 2 * LINE_CHARS)


def cite_unit(n: int, hit: Hit, u: Unit) -> Citation:
    c = hit.chunk
    return Citation(n, c.doc_name, c.section, c.text[u.start - c.start:u.end - c.start], u.start, u.end,
                    hit.meta.province, hit.meta.period)
