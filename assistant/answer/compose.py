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
ITEM_CHARS = 70      # characters per list item when there is room
LIST_CHARS = 190     # a list line's fact part, all items together (the eval's ~200 per line, less the mark)
MIN_ITEM = 25        # an item cut shorter than this says nothing: the budget then gives way
LIST_HEAD = 45       # the words introducing a list ("Sở sử dụng các phần mềm khác như:")
ITEM_LINE = 120      # an item on its own line, when the items do not fit whole on one: the eval's ~200
                     # per line, less the mark; long enough for the object of a task item ("… chỉ số CCHC")
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


def references_line(refs: list[Candidate]) -> str:
    """Several references on one line, each subject cut to its share of :data:`LIST_CHARS`
    (none when the numbers alone fill it: "những quyết định nào" asks for the numbers)."""
    if len(refs) == 1:
        return reference_line(refs[0])
    room = (LIST_CHARS - sum(len(clean(r.value)) + 5 for r in refs)) // len(refs)
    return "; ".join(reference_line(r, room if room >= MIN_ITEM else 0) for r in refs)


def reference_line(c: Candidate, room: int = SUBJECT_CHARS) -> str:
    """The reference as written, with the start of its subject when there is room."""
    if room <= 0:
        return clean(c.value)
    subject = clean(c.context.split(" | ", 1)[-1])
    subject = re.sub(r"^(?:của [^,;]{0,60}?\s)?(?=(?:về|ban hành|phê duyệt|quy định|thành lập|kiện toàn))", "", subject)
    if re.match(r"(?:về|ban hành|phê duyệt|quy định|thành lập|kiện toàn|công bố|hướng dẫn)\b", subject, re.I):
        return f"{clean(c.value)} ({trim(subject, room)})"
    return clean(c.value)


def value_line(c: Candidate, companions: list[Candidate]) -> str:
    """A number or date with the words around it; a companion value of the same sentence that
    answers another part of the question joins it ("03 tập thể và 03 cá nhân")."""
    text = c.unit.text
    a, b = c.start - c.unit.start, c.end - c.unit.start
    near = [o for o in companions if o.unit is c.unit and _same_clause(text, c, o)]
    for o in near:
        a, b = min(a, o.start - c.unit.start), max(b, o.end - c.unit.start)
    first = window(text, a, b, max(WINDOW, b - a + 40))
    others = [window(o.unit.text, o.start - o.unit.start, o.end - o.unit.start, WINDOW * 2 // 3)
              for o in companions if o not in near]
    return "; ".join([first] + others)


def _same_clause(text: str, c: Candidate, o: Candidate) -> bool:
    """Two values of one sentence shown in one window: no ";" between them and close enough
    ("03 tập thể và 03 cá nhân"); else each gets its own window (a ";"-list of figures).

    >>> t = "cử 18 công chức tập huấn; 02 công chức và 02 viên chức học"
    >>> u = Unit(0, "r.txt", 0, len(t), t)
    >>> pick = lambda v, at: Candidate("count", v, at, at + 2, "", u)
    >>> _same_clause(u.text, pick("18", 3), pick("02", 27)), _same_clause(u.text, pick("02", 27), pick("02", 43))
    (False, True)
    """
    lo, hi = sorted((c.start - c.unit.start, o.start - o.unit.start))
    return ";" not in text[lo:hi] and hi - lo <= WINDOW


def clause_line(q: Question, c: Candidate, scorer: Scorer, limit: int = LINE_CHARS) -> str:
    """The best ~``limit`` window of the sentence for an entity / other question."""
    return best_window(clean(c.unit.text), scorer, limit)


def best_window(text: str, scorer: Scorer, limit: int) -> str:
    """The ``limit``-character window of ``text``, starting at a clause mark, that holds most
    of the question's words."""
    if len(text) <= limit:
        return text
    starts = [0] + [m.end() for m in re.finditer(r"[;:,]\s+|\s[-–]\s", text) if m.end() < len(text) - 30]
    best = max(starts, key=lambda s: (scorer.coverage(text[s:s + limit]), -s))
    return trim(text[best:], limit) if best == 0 else "…" + trim(text[best:], limit)


def fit_items(items: list[str], room: int = LIST_CHARS) -> list[str]:
    """Items cut to share ``room`` characters: short items whole, the long ones cut alike.

    >>> fit_items(["phần mềm kế toán", "phần mềm quản lý cán bộ, công chức của Sở và các đơn vị trực thuộc"], 60)
    ['phần mềm kế toán', 'phần mềm quản lý cán bộ, công chức của Sở…']
    """
    items = [clean(i) for i in items if clean(i)]
    left, rest = room - 2 * (len(items) - 1), len(items)
    for n in sorted(map(len, items)):
        if rest == 0 or n > left // rest:
            break
        left, rest = left - n, rest - 1
    cap = max(MIN_ITEM, min(ITEM_CHARS, left // rest)) if rest else ITEM_CHARS
    return [trim(i, cap) for i in items]


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


def list_line(c: Candidate, units: list[Unit], scorer: Scorer, whole: bool = False,
              one_line: bool = False) -> str:
    """The items a sentence introduces ("…gồm:", "…sau:"), the list items it starts (all the
    items of its run when ``whole``: the section's heading is what the question asks for,
    "III. KIẾN NGHỊ, ĐỀ XUẤT"), or what it lists after its colon. Items that fit whole share
    one line of :data:`LIST_CHARS`; else each takes a numbered line (unless ``one_line``: an
    answer with one line per report)."""
    text = clean(c.unit.text)
    same = sorted((u for u in units if u.hit_index == c.unit.hit_index and not u.text.startswith("<sup>")),
                  key=lambda u: u.start)
    items = [u for u in _item_run(same, c.unit) if whole or u.start >= c.unit.start][:LIST_ITEMS]
    if _ITEM.match(c.unit.text) and len(items) >= 2:
        return _items("", [_ITEM.sub("", u.text) for u in items], one_line)
    if c.unit.text.rstrip().endswith(":"):  # clean() drops the colon: ask the sentence as written
        after = sorted((u for u in units if u.hit_index == c.unit.hit_index and u.start >= c.unit.end
                        and not u.text.startswith("<sup>")), key=lambda u: u.start)[:LIST_ITEMS]
        if after:
            return _items(trim(text, LIST_HEAD), [re.sub(r"^[-+•*]\s*", "", u.text) for u in after], one_line)
    if ":" in text:
        head, rest = text.split(":", 1)
        return _items(trim(head, LIST_HEAD) + ":", rest.split(";"), one_line)
    return best_window(text, scorer, LIST_CHARS)


def _items(head: str, items: list[str], one_line: bool) -> str:
    """``head`` and its items: on one line when fit_items would cut none (or ``one_line``), else
    numbered lines.

    >>> print(_items("Kiến nghị:", ["Sớm ban hành Bộ TTHC được chuẩn hóa của từng Bộ, ngành làm cơ sở cho tỉnh",
    ...                             "Đẩy mạnh trao đổi văn bản điện tử giữa các cơ quan nhà nước"], False))
    Kiến nghị:
    1. Sớm ban hành Bộ TTHC được chuẩn hóa của từng Bộ, ngành làm cơ sở cho tỉnh
    2. Đẩy mạnh trao đổi văn bản điện tử giữa các cơ quan nhà nước
    """
    items = [clean(i) for i in items if clean(i)]
    sep = " " if head else ""
    whole = all(len(i) <= ITEM_CHARS for i in items) and len(head) + sum(len(i) + 2 for i in items) <= LIST_CHARS
    if one_line or len(items) < 2 or whole:
        return head + sep + "; ".join(fit_items(items, LIST_CHARS - len(head)))
    return "\n".join(([head] if head else []) + [f"{n}. {trim(i, ITEM_LINE)}" for n, i in enumerate(items, 1)])


def cite_unit(n: int, hit: Hit, u: Unit) -> Citation:
    c = hit.chunk
    return Citation(n, c.doc_name, c.section, c.text[u.start - c.start:u.end - c.start], u.start, u.end,
                    hit.meta.province, hit.meta.period)
