"""Typed candidate answers cut from retrieved sentences, each with its own context.

A report sentence often holds several values of the asked kind: "Căn cứ Quyết định số … ban
hành Kế hoạch CCHC …; Kế hoạch số … về thực hành tiết kiệm …", "tiếp nhận 59 hồ sơ, trễ hạn 0
hồ sơ". Which one answers depends on what stands next to it, not on the sentence as a whole, so
every candidate carries its *own context*: for a document reference the words from the previous
reference to the next one (its subject "ban hành …", "về việc …" and what introduces it); for a
number the comma-delimited clause around it and the noun it counts.

Candidates are spans of the report text (offsets), so the quote and the highlight come from the
source, never from a model.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.sentences import Unit
from ingest.textkeys import CODE, DATE
from vocab.documents import FORMULA
from vocab.letters import LOWER, UPPER

# Document reference as Nghị định 30/2020/NĐ-CP writes it: kind, "số", number/symbol, date.
_KIND = (r"(?:Quyết định|Kế hoạch|Công văn|Nghị quyết|Nghị định|Chỉ thị|Thông tư|Thông báo|Hướng dẫn|"
         r"Báo cáo|Đề án|Chương trình|Tờ trình|Luật|Văn bản|QĐ|KH|CV|NQ|NĐ|CT|TB|HD)")
_VN_DATE = r"\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}"
REF = re.compile(rf"(?:(?P<kind>{_KIND})\s+(?:số\s+)?|\bsố\s+)?(?P<code>{CODE})"
                 rf"(?:\s*,?\s*ngày\s+(?P<date>{DATE}|{_VN_DATE}))?", re.I)
DATE_RX = re.compile(rf"(?:ngày\s+)?(?:{DATE}|{_VN_DATE})|(?:từ\s+)?tháng\s+\d{{1,2}}(?:/|\s+năm\s+)\d{{4}}", re.I)
# A value: 59 | 1.234 | 21,75 | 22,4% | 08/08 | 21,75/36,00 | 7/25 (never inside a code or date).
NUMBER = re.compile(r"(?<![\w/.,:-])\d+(?:[.,]\d+)*(?:/\d+(?:[.,]\d+)*)?(?:\s?%)?(?![\w/:-]|[.,]\d)")
YEAR_ALONE = re.compile(r"^(?:19[89]|20[0-4])\d$")
_CLAUSE_END = re.compile(r"[;.:!?\n]|,\s|\s[-–]\s|\(|\)")
_NOUN_STOP = re.compile(r"[;.,:()\n]|\s[-–]\s|\b(?:và|của|trong|tại|theo|đạt|được|so với)\b", re.I)
NOUN_WORDS = 5  # words after a number read as the noun it counts ("05 hồ sơ trực tuyến mức độ 3")


@dataclass
class Candidate:
    """One possible answer: ``value`` is ``report[start:end]``; ``context`` the words that say
    what it is (its subject, its noun, its clause); ``unit`` the sentence it sits in."""

    kind: str
    value: str
    start: int
    end: int
    context: str
    unit: Unit
    noun: str = ""
    code: str = ""
    date: str = ""
    score: float = 0.0
    alone: bool = True  # the only candidate of its sentence (the sentence's years are then its own)

    @property
    def hit_index(self) -> int:
        return self.unit.hit_index


def _covered(text: str, spans: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(s <= a and b <= e for s, e in spans)


def references(unit: Unit) -> list[Candidate]:
    """Every document reference of the sentence, with its date and its subject as context."""
    text, base = unit.text, unit.start
    found = [m for m in REF.finditer(text) if m.group("kind") or _symbol(m.group("code"))]
    out = []
    for i, m in enumerate(found):
        prev_end = found[i - 1].end() if i else _clause_start(text, m.start())
        next_start = found[i + 1].start() if i + 1 < len(found) else len(text)
        after = text[m.end():min(next_start, m.end() + 160)]
        after = _CUT_SUBJECT.split(after, maxsplit=1)[0]
        before = text[max(prev_end, m.start() - 120):m.start()]
        out.append(Candidate("decision", m.group(0).strip(), base + m.start(), base + m.end(),
                             f"{before} | {after}", unit, code=m.group("code"), date=m.group("date") or "",
                             noun=(m.group("kind") or "")))
    return _shared_subjects(out)


_JOINED = re.compile(r"^\s*(?:,|và|hoặc|cùng)?\s*$")


def _shared_subjects(refs: list[Candidate]) -> list[Candidate]:
    """Documents joined by "và" share the subject written after the last one: "Quyết định số
    201/QĐ-UBND … và Quyết định số 305/QĐ-UBND … về việc công bố danh mục …" are both "về việc
    công bố …"."""
    for i in range(len(refs) - 2, -1, -1):
        before, after = refs[i].context.split(" | ", 1)
        if _JOINED.match(after) and refs[i].unit is refs[i + 1].unit:
            refs[i].context = f"{before} | {after} {refs[i + 1].context.split(' | ', 1)[1]}"
    return refs


_CUT_SUBJECT = re.compile(r";|\.\s|\n|,\s(?=(?:Sở|UBND|Ủy ban|đồng thời|và (?:ban hành|thực hiện))\b)")


def _symbol(code: str) -> bool:
    """A code with a letter part (``20/QĐ-SKHCN``), not a bare ratio (``08/08``)."""
    return any(c.isalpha() for c in code)


def _clause_start(text: str, pos: int) -> int:
    """Where the clause introducing a reference starts; a colon does not cut ("năm 2019: QĐ …")."""
    return max((m.end() for m in re.finditer(r"[;.\n]\s", text[:pos])), default=0)


def _clause(text: str, a: int, b: int) -> tuple[int, int]:
    """The clause of ``text`` around ``[a, b)``: between the nearest clause marks."""
    left = max((m.end() for m in _CLAUSE_END.finditer(text, 0, a)), default=0)
    m = _CLAUSE_END.search(text, b)
    return left, (m.start() if m else len(text))


# Standard numbers are names, not values: "TCVN ISO 9001:2015", "ISO 9001".
_STANDARD = re.compile(r"\b(?:TCVN|ISO|IEC|QCVN)(?:\s*(?:ISO|IEC))?\s*\d+(?:[:\-]\d+)*")


def _protected(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in REF.finditer(text) if _symbol(m.group("code"))]
    spans += [(m.start(), m.end()) for m in _STANDARD.finditer(text)]
    return spans + [(m.start(), m.end()) for m in DATE_RX.finditer(text)]


def numbers(unit: Unit) -> list[Candidate]:
    """Every stand-alone value (count, ratio, score, percentage), with the noun after it and its
    clause as context; numbers inside codes and dates and bare years are not values."""
    text, base = unit.text, unit.start
    guard = _protected(text)
    out = []
    for m in NUMBER.finditer(text):
        a, b = m.start(), m.end()
        if (_covered(text, guard, a, b) or YEAR_ALONE.match(m.group(0)) or _is_heading_number(text, a, b)
                or _LABEL_BEFORE.search(text[max(0, a - 40):a])):
            continue
        rest = text[b:b + 80]
        stop = _NOUN_STOP.search(rest)
        noun = " ".join((rest[:stop.start()] if stop else rest).split()[:NOUN_WORDS])
        ca, cb = _clause(text, a, b)
        if ca > 0 and text[:ca].rstrip().endswith(":"):  # "văn bản cần bãi bỏ: 04 văn bản"
            ca = _clause(text, ca - 2, ca - 1)[0]
        kind = "percent" if "%" in m.group(0) or re.match(r"\s*điểm", rest) or "/" in m.group(0) else "count"
        out.append(Candidate(kind, m.group(0), base + a, base + b, _with_subject(text, ca, cb), unit, noun=noun))
    return out


# A number naming a level, not counting: "dịch vụ công mức độ 3, 4", "Hội nghị lần thứ 6 khóa XIX".
_LABEL_BEFORE = re.compile(r"(?:mức độ|mức|cấp độ|khóa|lần thứ|level)\s+(?:\d+\s*(?:,|và|-|–)\s*)*$", re.I)
SUBJECT_CHARS = 100  # a sentence's opening clause up to this long is read as its subject


def _with_subject(text: str, ca: int, cb: int) -> str:
    """The value's clause, after the sentence's opening clause when that is short: "Chỉ số CCHC
    năm 2019 của Sở đạt 80,08/100 điểm, xếp thứ 7/25" — "xếp thứ 7/25" is the index's rank."""
    head_end = _clause(text, 0, 0)[1]
    if ca == 0 or head_end > SUBJECT_CHARS or head_end >= ca:
        return text[ca:cb]
    return f"{text[:head_end]} … {text[ca:cb]}"


def _is_heading_number(text: str, a: int, b: int) -> bool:
    """"1." / "2.1" at the start of a line, or a footnote mark: numbering, not values."""
    head = text[:a].rstrip(" ")
    return (head == "" or head.endswith("\n")) and text[b:b + 1] in (".", ")") or text[max(0, a - 5):a] == "<sup>"


def dates(unit: Unit) -> list[Candidate]:
    """Every date (``14/3/2023``, ``ngày 15 tháng 5 năm 2023``, ``tháng 02/2022``) with its clause;
    a date written right after a document number ("Công văn số 15/STP-VP ngày 03/3/2023") carries
    that number as its ``code``."""
    text, base = unit.text, unit.start
    owner = {r.end("date"): r.group("code") for r in REF.finditer(text) if r.group("date") and _symbol(r.group("code"))}
    out = []
    for m in DATE_RX.finditer(text):
        ca, cb = _clause(text, m.start(), m.end())
        if len(text[ca:cb].split()) - len(m.group(0).split()) < 2 and cb < len(text):
            cb = _clause(text, cb + 1, cb + 1)[1]  # "Ngày 15/5/2023, Sở đã tổ chức …": the event follows
        before = text[max(0, m.start() - 100):m.start()]
        out.append(Candidate("date", m.group(0), base + m.start(), base + m.end(), f"{before} {text[ca:cb]}", unit,
                             code=owner.get(m.end(), "")))
    return out


def clauses(unit: Unit, heading: str = "") -> list[Candidate]:
    """The sentence as one candidate (entity, list, yes/no and other questions); its section's
    heading is part of its context ("IV. KIẾN NGHỊ, ĐỀ XUẤT" says what the items under it are)."""
    if FORMULA.match(unit.text):  # "Trên đây là báo cáo …" restates the title, answers nothing
        return []
    return [Candidate("clause", unit.text, unit.start, unit.end, f"{unit.text} {heading}", unit)]


# A body or unit as reports name it: its head word, then capitalised words (small words between).
ORG = re.compile(r"\b(?:Ban|Sở|Trung tâm|[Pp]hòng|Chi cục|Văn phòng|Ủy ban|UBND|Bộ|Tỉnh ủy|Hội đồng|Cục|Tổ|"
                 rf"Thanh tra|Đảng ủy|Công đoàn|Viện|Trường|Quỹ)\s+[{UPPER}][^,;.:()\n]{{1,80}}")
_ORG_END = re.compile(r"\s(?:theo|được|đã|để|với|trong|tại|từ|cho|là|nhằm|về việc|thực hiện|ban hành|trình|"
                      r"chịu|phối hợp|tham mưu|giai đoạn|năm|ngày|số|có|không|gồm|-|–)\s|"
                      rf"\svà\s(?=[{LOWER}])")  # "Sở Nội vụ và nâng cao …": a verb follows, the name ended


def entities(unit: Unit, heading: str = "") -> list[Candidate]:
    """Every named body or unit of the sentence ("Sở Nội vụ", "Ban Thường vụ Tỉnh ủy",
    "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng"), the sentence and heading as context."""
    text, base = unit.text, unit.start
    out = []
    for m in ORG.finditer(text):
        name = _ORG_END.split(m.group(0) + " ", maxsplit=1)[0].rstrip(" ,;.")
        if len(name.split()) < 2:
            continue
        ca, cb = max(0, m.start() - 140), min(len(text), m.end() + 60)
        out.append(Candidate("entity", name, base + m.start(), base + m.start() + len(name),
                             f"{text[ca:cb]} {heading}", unit, noun=name))
    return out


def propose(kind: str, units: list[Unit], headings: dict[int, str] | None = None) -> list[Candidate]:
    """Candidates of the kind asked for from every unit (best units first); ``headings`` maps a
    hit index to the last heading of its section."""
    make = {"decision": references, "count": numbers, "percent": numbers, "date": dates}.get(kind)
    out: list[Candidate] = []
    for u in units:
        heading = (headings or {}).get(u.hit_index, "")
        out.extend(make(u) if make else entities(u, heading) if kind == "entity" else clauses(u, heading))
    if kind == "count":  # a count is not a percentage (unless nothing else is stated)
        out = [c for c in out if "%" not in c.value] or out
    return out
