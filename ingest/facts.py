"""Facts stated in the regulated form of Vietnamese administrative text (deterministic, no model).

    >>> r = extract_references("Quyết định số 12/QĐ-SNV ngày 05 tháng 3 năm 2021 của UBND tỉnh Gia Lai về việc ban hành Kế hoạch CCHC;")[0]
    >>> (r.kind, r.number, r.date, r.issuer, r.subject)
    ('Quyết định', '12/QĐ-SNV', '05/03/2021', 'UBND tỉnh Gia Lai', 'ban hành Kế hoạch CCHC')

Every record carries ``start``/``end`` offsets (+ ``base``) so ``text[start-base:end-base]`` is a
verbatim quote.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.textkeys import CODE
from vocab.documents import (KIND_ABBREVIATIONS, KIND_OF_SYMBOL, KINDS, QUALIFIERS, ROLES,
                             SURNAMES, issuer_of_symbol)


@dataclass(frozen=True)
class DocRef:
    kind: str            # "Quyết định"
    number: str          # "12/QĐ-SNV" (line breaks inside the code removed) or "314" alone
    date: str | None     # "05/03/2021"
    issuer: str | None   # as written after "của", else from the symbol ("Sở Nội vụ")
    subject: str | None  # after "về việc" / "về" / "ban hành", up to the clause end
    start: int
    end: int
    own: bool            # issued by the report's own body (same issuer part as the report's code)


@dataclass(frozen=True)
class Quantity:
    value: str           # as written: "21,75", "1.234", "9/20", "22,4%"
    number: float        # 21.75, 1234.0, 0.45, 22.4
    noun: str | None     # "hồ sơ"
    qualifier: str | None  # "trễ hạn"
    period: str | None   # "năm 2020", "6 tháng đầu năm"
    start: int
    end: int


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    unit: str | None
    start: int
    end: int


@dataclass(frozen=True)
class ListFact:
    heading: str
    items: tuple[str, ...]
    start: int
    end: int


Fact = DocRef | Quantity | Person | ListFact

# How far after a reference its date / issuer / subject may start (chars): the regulated form puts
# them right after the number; 12 covers "ban hành" / ")" / a line break between them.
_ATTACH_GAP = 12
_SUBJECT_MAX = 240  # a subject longer than this runs into the next sentence (longest seen ≈ 200)
_ISSUER_MAX = 80    # "của Ủy ban nhân dân tỉnh Bà Rịa - Vũng Tàu" is 45 chars

_KIND_WORDS = sorted([*KINDS, *KIND_ABBREVIATIONS], key=len, reverse=True)
_CODE_WRAPPED = CODE.replace("[/\\-–] ?", "[/\\-–]\\s?")  # a code broken after its dash by a line break
_REF_RE = re.compile(
    rf"(?P<kind>{'|'.join(map(re.escape, _KIND_WORDS))})(?:\s+số)?:?\s*(?P<code>{_CODE_WRAPPED})"
    rf"|(?P<kind2>{'|'.join(map(re.escape, _KIND_WORDS))})(?:\s+số)?\s+(?P<bare>(?!(?:19|20)\d\d(?!/))\d+[a-z]?(?:/\d{4}/?)?)"
    r"(?![\d,.%]|/\w|\s*(?:tháng|năm|lần|điểm|hồ sơ|người))"
    rf"|(?<![\w/])(?P<code3>{_CODE_WRAPPED})")
_DATE_RE = re.compile(
    r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})|ngày\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"
    r"|(?<![\d/])(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?!\d)")
_ISSUER_RE = re.compile(r"\s*của\s+([^,;.()\n]{2,%d}?)(?=\s+(?:về|ban hành|quy định|phê duyệt|sửa đổi|hướng dẫn|triển khai)\b|[,;.()\n]|$)" % _ISSUER_MAX)
_SUBJECT_RE = re.compile(r"[\s,)]*(?:về việc|V/v|về|ban hành|phê duyệt|quy định|sửa đổi|hướng dẫn)\s+")
_CLAUSE_END = re.compile(r"[;\n)]|\.\s|\.$|\s\(")


_GLUED = re.compile(r"(?<=[A-ZĐ])(?:và|ngày|về|của|được|năm)$")  # "58/UBND-NCvà": a word glued on


def _parts(code: str) -> list[str]:
    return [p for p in re.split(r"[/\-–]", re.sub(r"\s", "", code)) if p]


def _kind_of_code(code: str) -> str | None:
    return next((KIND_OF_SYMBOL[p] for p in _parts(code) if p in KIND_OF_SYMBOL), None)


def _issuer_part(code: str) -> str | None:
    """``45/QĐ-STP`` → STP, ``12-NQ/TU`` → TU, ``15/STP-VP`` → STP, ``21/2018/QĐ-TTg`` → TTg."""
    letters = [p for p in _parts(code) if not p[0].isdigit()]
    if not letters:
        return None
    if letters[0] in KIND_OF_SYMBOL and len(letters) > 1:
        return letters[1]
    return letters[0] if letters[0] not in KIND_OF_SYMBOL else None


def normalise_date(day: str, month: str, year: str) -> str | None:
    d, m = int(day), int(month)
    return f"{d:02d}/{m:02d}/{year}" if 1 <= d <= 31 and 1 <= m <= 12 else None


def _date_after(text: str, pos: int, limit: int) -> tuple[str | None, int]:
    m = _DATE_RE.search(text, pos, min(limit, pos + _ATTACH_GAP + 40))
    if not m or text[pos:m.start()].strip(" ,\n") not in ("", "ban hành", "(", "ngày"):
        if not m or m.start() - pos > _ATTACH_GAP:
            return None, pos
    g = [x for x in m.groups() if x]
    return normalise_date(*g[:3]), m.end()


def _subject_after(text: str, pos: int, limit: int) -> tuple[str | None, int]:
    m = _SUBJECT_RE.match(text, pos)
    if not m:
        return None, pos
    head = text[pos:m.end()].strip(" ,)\n")
    start = m.end() if head.startswith("về") or head == "V/v" else pos + len(text[pos:m.end()]) - len(text[pos:m.end()].lstrip(" ,)\n"))
    stop = min(limit, start + _SUBJECT_MAX)
    e = _CLAUSE_END.search(text, start, stop)
    end = e.start() if e else stop
    subject = re.sub(r"\s+", " ", text[start:end]).strip(" ,:\"“”")
    return (subject or None), end


def extract_references(text: str, base: int = 0, own_issuer: str | None = None) -> list[DocRef]:
    """Every document reference with its date, issuer and subject when the text states them."""
    matches = list(_REF_RE.finditer(text))
    own_issuer = own_issuer or _own_issuer(matches)
    out: list[DocRef] = []
    for i, m in enumerate(matches):
        code = m.group("code") or m.group("code3")
        kind = m.group("kind") or m.group("kind2")
        kind = KIND_ABBREVIATIONS.get(kind, kind) if kind else None
        if m.group("code3"):
            kind = _kind_of_code(code)
            if kind is None and (_issuer_part(code) is None or issuer_of_symbol(_issuer_part(code)) == _issuer_part(code)):
                continue  # a code-shaped token naming no known kind or body (a bare "year/NĐ" is caught above)
        number = _GLUED.sub("", re.sub(r"\s", "", code)) if code else m.group("bare").rstrip("/")
        if code and kind in (None, "Văn bản", "Công văn") and _kind_of_code(code):
            kind = _kind_of_code(code) if kind is None else kind
        limit = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        date, pos = _date_after(text, m.end(), limit)
        im = _ISSUER_RE.match(text, pos, limit)
        issuer = im.group(1).strip() if im else None
        pos = im.end() if im else pos
        subject, _ = _subject_after(text, pos, limit)
        part = _issuer_part(number) if code else None
        if issuer is None and part:
            issuer = issuer_of_symbol(part)
        out.append(DocRef(kind or "Văn bản", number, date, issuer, subject, base + m.start(),
                          base + m.end(), bool(part and part == own_issuer)))
    return out


def _own_issuer(matches: list[re.Match]) -> str | None:
    """The report's own body: the issuer part of the report's own code ("Số: 59/BC-SNV") or, failing
    that, the department (S…) most often cited."""
    counts: dict[str, int] = {}
    for m in matches:
        code = m.group("code") or m.group("code3")
        part = _issuer_part(code) if code else None
        if part and part.startswith("S"):
            counts[part] = counts.get(part, 0) + 1
    return max(counts, key=counts.get) if counts else None


_NUM_RE = re.compile(r"(?<![\w/.,])(\d+(?:[.,]\d+)*)(?:\s*/\s*(\d+(?:[.,]\d+)*))?(\s?%)?(?![\w/])")
_NOT_COUNT_BEFORE = re.compile(r"(?:ngày|tháng|năm|quý|Điều|khoản|số|Khoản|giai đoạn|đến|từ|Số|ISO|TCVN|mức độ|khóa|"
                               r"[Cc]ovid\s?-\s*|Phụ lục|Mục|[Cc]hương|[Pp]hần)\s*$")
_PERIOD_RE = re.compile(r"6 tháng (?:đầu|cuối) năm(?: \d{4})?|9 tháng đầu năm(?: \d{4})?|quý [IV]+(?:/\d{4}| năm \d{4})?"
                        r"|năm \d{4}|giai đoạn \d{4}\s*[-–]\s*\d{4}")
_NOUN_STOP = r"(?:trong|của|được|đã|và|với|là|tại|trên|so|theo|đạt|chiếm)\b"
_NOUN_RE = re.compile(rf"[ \t]+((?!{_NOUN_STOP})[^\W\d_]+(?:[ \t]+(?!{_NOUN_STOP})[^\W\d_]+)?)")
_QUAL_RE = re.compile("|".join(map(re.escape, sorted(QUALIFIERS, key=len, reverse=True))), re.I)
_SENT_END = re.compile(r"\.(?!\d)|;|\n[ \t]*\n")  # a single line break is a wrapped line


def _to_float(s: str) -> float:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", s):
        return float(s.replace(".", ""))
    return float(s.replace(".", "").replace(",", "."))


def extract_quantities(text: str, base: int = 0, refs: list[DocRef] | None = None) -> list[Quantity]:
    """Counts, scores, ratios and percentages; never a decision number, a date or a year."""
    refs = extract_references(text, base) if refs is None else refs
    blocked = [(r.start - base, r.end - base) for r in refs] + [m.span() for m in _DATE_RE.finditer(text)]
    blocked.sort()
    out, bi = [], 0
    for m in _NUM_RE.finditer(text):
        while bi < len(blocked) and blocked[bi][1] <= m.start():
            bi += 1
        if bi < len(blocked) and blocked[bi][0] <= m.start() < blocked[bi][1]:
            continue
        a, b, pct = m.group(1), m.group(2), m.group(3)
        if not b and not pct and re.fullmatch(r"(19|20)\d\d", a):
            continue  # a year
        if re.match(r":\d{4}", text[m.end():m.end() + 5]):
            continue  # a standard and its year: 9001:2015
        if _NOT_COUNT_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue
        line_head = text[text.rfind("\n", 0, m.start()) + 1:m.start()].strip() in ("", "(")
        if text[m.end():m.end() + 1] in (".", ")") and line_head and not b:
            continue  # a list marker "1." / "(2)"
        try:
            number = _to_float(a)  # a score 21,75/36 or rank 9/20: the numerator; value keeps the rest
        except ValueError:
            continue
        s0 = max([e.end() for e in _SENT_END.finditer(text, max(0, m.start() - 200), m.start())] or [max(0, m.start() - 200)])
        se = _SENT_END.search(text, m.end())
        s1 = se.start() if se else len(text)
        nm = _NOUN_RE.match(text, m.end())
        noun = nm.group(1) if nm and not pct else None
        w0 = max(s0, m.start() - 60)
        quals = list(_QUAL_RE.finditer(text, w0, min(s1, m.end() + 60)))
        q = min(quals, key=lambda x: abs(x.start() - m.start())) if quals else None
        p = _PERIOD_RE.search(text, s0, s1)
        out.append(Quantity(m.group(0).strip(), number, noun, q.group(0).lower() if q else None,
                            p.group(0) if p else None, base + m.start(), base + m.end()))
    return out


_ROLE_RE = re.compile(rf"(?P<role>{'|'.join(map(re.escape, ROLES))})(?P<unit>(?:\s+[^\W\d_][\w&]*){{0,9}}?)"
                      rf"\s*[:,-]?\s*(?P<name>(?:{'|'.join(SURNAMES)})(?:\s+[A-ZĐÂĂÊÔƠƯ][^\W\d_]*){{1,3}})")


def extract_people(text: str, base: int = 0) -> list[Person]:
    """``Giám đốc Sở Nội vụ Trần Thị B`` → Person("Trần Thị B", "Giám đốc", "Sở Nội vụ")."""
    out = []
    for m in _ROLE_RE.finditer(text):
        unit = re.sub(r"\s+", " ", m.group("unit")).strip() or None
        out.append(Person(m.group("name"), m.group("role"), unit, base + m.start(), base + m.end()))
    return out


_ITEM_RE = re.compile(r"^[ \t]*(?:[-+•*–]|[a-zđ]\)|\d+[.)])\s+(.+)$", re.M)


def extract_lists(text: str, base: int = 0) -> list[ListFact]:
    """A line ending with ':' followed by item lines ("- …", "a) …", "1. …") kept together."""
    out = []
    for h in re.finditer(r"^([^\n]{3,200}):[ \t]*$", text, re.M):
        items, pos = [], h.end() + 1
        while (im := _ITEM_RE.match(text, pos)) and im.start() == pos:
            items.append(im.group(1).strip())
            pos = im.end() + 1
        if items:
            out.append(ListFact(h.group(1).strip(), tuple(items), base + h.start(), base + pos - 1))
    return out


def extract_facts(text: str, base: int = 0) -> list[Fact]:
    """All facts of a text, in order of their start offset."""
    refs = extract_references(text, base)
    facts: list[Fact] = [*refs, *extract_quantities(text, base, refs), *extract_people(text, base),
                         *extract_lists(text, base)]
    return sorted(facts, key=lambda f: f.start)
