"""Turn a past report's sentences into draft text for a new period, sentence by sentence.

Each source sentence is one of:

* **carry** — durable facts (plans in force, decisions with their codes and dates, recurring
  tasks): copied verbatim, with a citation ``[n]`` whose quote is that sentence cut by offsets;
* **template** — it reports the old period's figures (counts, percentages) or an annual document
  the new period replaces: written again for the new period with every such figure, code and date
  left as a visible placeholder ``[cập nhật: …]``; the old sentence follows as a reference line
  (``> *Kỳ trước (năm 2020)* [1]: … [n]``, the period itself cited to the report's title) so the
  old figures stay visible, cited, and never claimed for the new period;
* **placeholder** — a statement about the old period only (``Năm 2023, không có đơn thư…``):
  a placeholder plus the reference line.

Nothing here writes a number that is not in the cited sentence, in a placeholder, or in the
user's instruction (shifted years are written plainly only when the instruction names them).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.draft_request import Period
from assistant.records import Citation
from assistant.sentences import split_units
from ingest.records import DocMeta
from ingest.structure import Paragraph, strip_markup
from ingest.textkeys import CODE, fold

_DATE = re.compile(r"\b\d{1,2}\s?/\s?\d{1,2}\s?/\s?\d{4}\b|\b\d{1,2}-\d{1,2}-\d{4}\b|"
                   r"\bngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}|\btháng\s+\d{1,2}\s*(?:/|năm)\s*\d{4}", re.I)
_CODE = re.compile(CODE)
_DOCREF = re.compile(r"\b(?:Nghị quyết|Nghị định|Quyết định|Chỉ thị|Kế hoạch|Công văn|Thông tư|Tờ trình|Luật|"
                     r"Thông báo|QĐ|Đề án)\s+(?:số\s+)?(\d+[\w/\-–]*)", re.I)
_RANGE = re.compile(r"\b((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})\b")
_KEEP = re.compile(r"\(\d{1,2}\)|\b(?:ISO|TCVN)(?:\s+ISO)?\s+\d+(?::\d{4})?|\b\d{4,5}:\d{4}\b|\bmức độ\s+\d(?:\s*(?:,|và|-)\s*\d)*|"
                   r"\b(?:hạng|khóa|Điều|vòng|lần thứ)\s+\d+\b|\bkhoản\s+\d+(?=,?\s+Điều)|\bCovid\s*-?\s*19|https?://\S+|www\.\S+|"
                   r"\b[\w.-]+\.(?:gov|com|org|edu|net)(?:\.vn)?\S*", re.I)
_NUM = re.compile(r"(?<![\w/])\d+(?:[.,/]\d+)*(?:\s?%)?")
_YEAR = re.compile(r"(?<![\d/.,])((?:19|20)\d{2})(?![\d/]|[.,]\d)")
_NUMBERING_ONLY = re.compile(r"(?:[IVX]+|\d+(?:\.\d+)*|[a-zđ])[.)]")
_LEAD = re.compile(r"^\s*(?:[IVX]+|\d+(?:\.\d+)*|[a-zđ])[.)]\s")
_PHRASE = re.compile(r"6 tháng (?:đầu|cuối) năm (\d{4})|(?:quý|quí) [IV1-4]+ năm (\d{4})", re.I)
_TAG = re.compile(r"<sup>\s*\d+\s*</sup>|</?[a-zA-Z]{1,6}>")
_AUTOLINK = re.compile(r"<((?:https?://|www\.)[^>\s]+)>")
_TABLE_ROW = re.compile(r"^\s*(?:STT\b|\d{1,3}\s+[A-ZĐÀ-Ỹ])")
_WORD = re.compile(r"[^\W\d_]+")
_FUNCTION = {"trong", "thuộc", "so", "với", "của", "cho", "tại", "được", "và", "đã", "là", "có", "theo", "trên", "đó",
             "này", "các", "những", "về", "ở", "từ", "đến", "gồm", "hoặc", "bằng", "đạt", "còn", "chỉ", "tổng", "số"}
Repl = tuple[int, int, str]


@dataclass
class Source:
    """One past report used as a source: its normalised text and paragraphs."""

    doc: str
    meta: DocMeta
    text: str
    period: Period | None
    paragraphs: list[Paragraph]

    def period_span(self) -> tuple[str, int, int] | None:
        """(section, start, end) of the paragraph stating the report's period: in the title block
        (before the first section heading), else the closing ``Trên đây là báo cáo …``."""
        if self.period is None:
            return None
        words = fold(self.period.label).replace("–", " ").split()
        rx = re.compile(r"[\s\-–]+".join(re.escape(w) for w in words))
        head = self.paragraphs[:next((i for i, p in enumerate(self.paragraphs) if p.section), 0)]
        tail = [p for p in self.paragraphs if fold(p.text.lstrip()).startswith("tren day")]
        for p in head + tail:
            bare = strip_markup(p.text)
            if rx.search(fold(bare)):
                start = p.start + max(0, p.text.find(bare))
                return p.section, start, start + len(bare)
        return None

    def label(self) -> str:
        """``báo cáo năm 2020 của Sở Khoa học và Công nghệ tỉnh Khánh Hòa``."""
        who = " ".join(x for x in (self.meta.body, f"tỉnh {self.meta.province}" if self.meta.province else "") if x)
        what = f"{self.meta.doc_type or 'báo cáo'} {self.period.label if self.period else ''}".strip()
        return f"{what} của {who}" if who else what


@dataclass
class Context:
    """Moving sentences from the ``base`` period to the ``target`` one."""

    target: Period
    base: Period | None
    allowed: set[str] = field(default_factory=set)  # numbers the user named (may be written plainly)
    period_ref: str = ""  # " [n]": the citation of the source's own period statement

    @property
    def moves(self) -> bool:
        """Whether the target is a new period (not one that contains the base, e.g. 6 months → year)."""
        return self.base is not None and not self.target.covers(self.base)

    def shift_year(self, year: int) -> int | None:
        """The new-period year for an old-period one (``None``: leave the year as it is)."""
        b = self.base
        if b is None:
            return None
        low = b.first_year - 1 if b.first_year == b.year else b.year  # a multi-year base: its last year moves
        return year + self.target.year - b.year if low <= year <= b.year + 1 else None

    def target_text(self) -> str:
        """The new period as written in the draft: plain when the user named it, else a placeholder."""
        named = all(y in self.allowed for y in re.findall(r"\d{4}", self.target.label))
        return self.target.label if named else placeholder(self.target.label)

    def ref_label(self) -> str:
        """``*Kỳ trước (năm 2020)* [1]`` — the period cited to the source's own title or closing line."""
        return f"*Kỳ trước ({self.base.label})*{self.period_ref}" if self.base else "*Báo cáo nguồn*"


class Citer:
    """Numbers citations in order of first use; a quote is always ``text[start:end]`` of its report."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._n: dict[tuple[str, int, int], int] = {}

    def cite(self, src: Source, section: str, start: int, end: int) -> int:
        key = (src.doc, start, end)
        if key not in self._n:
            n = len(self.citations) + 1
            self._n[key] = n
            self.citations.append(Citation(n, src.doc, section, src.text[start:end], start, end,
                                           src.meta.province, src.meta.period))
        return self._n[key]


@dataclass
class Unit:
    start: int
    end: int
    text: str


def units(text: str, p: Paragraph) -> list[Unit]:
    """Sentences of paragraph ``p`` (bullets and emphasis marks trimmed off the quote)."""
    out = []
    for s, e in split_units(p.text, p.start):
        while s < e and text[s] in "-+•*_ \t":
            s += 1
        while e > s and text[e - 1] in "*_ \t":
            e -= 1
        if out and _NUMBERING_ONLY.fullmatch(out[-1].text):
            s = out.pop().start  # "5.1." split off its sentence
        if e - s >= 3:
            out.append(Unit(s, e, text[s:e]))
    return out


def _spans(rx: re.Pattern, text: str, group: int = 0) -> list[tuple[int, int]]:
    return [m.span(group) for m in rx.finditer(text) if m.group(group)]


def durable(text: str) -> list[tuple[int, int]]:
    """Spans whose numbers are not figures of a period: codes, dates, year ranges, standards, levels."""
    spans = _spans(_DATE, text) + _spans(_CODE, text) + _spans(_DOCREF, text, 1) + _spans(_RANGE, text)
    spans += _spans(_KEEP, text) + _spans(_TAG, text)
    lead = _LEAD.match(text)
    return spans + ([lead.span()] if lead else [])


def _inside(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= s and e <= b for a, b in spans)


def counts(text: str, keep: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Figures of the period: numbers outside durable spans that are not years."""
    out = []
    for m in _NUM.finditer(text):
        if not _inside(m.start(), m.end(), keep) and not _YEAR.fullmatch(m.group(0)):
            out.append(m.span())
    return out


def years(text: str, keep: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    return [(m.start(), m.end(), int(m.group(1))) for m in _YEAR.finditer(text) if not _inside(*m.span(), keep)]


def _docs(text: str) -> list[tuple[int, int]]:
    return _spans(_CODE, text) + _spans(_DOCREF, text, 1)


def _mentions_base(text: str, keep: list[tuple[int, int]], ctx: Context) -> bool:
    return any(ctx.base.first_year <= y <= ctx.base.year for _, _, y in years(text, keep))


def _ended(text: str, ctx: Context) -> list[tuple[int, int]]:
    """Year ranges (programmes, plans) that end before the new period starts."""
    return [m.span() for m in _RANGE.finditer(text) if int(m.group(2)) < ctx.target.first_year]


def _doc_year(text: str, span: tuple[int, int]) -> int | None:
    """The year of a document: in its code (``19/2014/QĐ-TTg``), else in the date just after it."""
    m = re.search(r"/((?:19|20)\d{2})/", text[span[0]:span[1]])
    if m:
        return int(m.group(1))
    date = _DATE.search(text, span[1], span[1] + 60)
    year = re.search(r"(\d{4})\s*$", date.group(0)) if date else None
    return int(year.group(1)) if year else None


def superseded_spans(text: str, keep: list[tuple[int, int]], ctx: Context) -> list[tuple[int, int, str]]:
    """What a new period replaces in a sentence about an old document: the codes and dates of an
    annual plan of the old period, or of an ended programme (with its range). Older documents stay."""
    docs = _docs(text)
    if not (ctx.moves and docs):
        return []
    ended = _ended(text, ctx)
    if ended:
        return ([(s, e, "số hiệu văn bản") for s, e in docs] + [(s, e, "ngày ban hành") for s, e in _spans(_DATE, text)]
                + [(s, e, "giai đoạn") for s, e in ended])
    if not _mentions_base(text, keep, ctx):
        return []
    out = []
    for s, e in docs:
        year = _doc_year(text, (s, e))
        if year is None or year >= ctx.base.first_year - 1:
            out.append((s, e, "số hiệu văn bản"))
            date = _DATE.search(text, e, e + 60)
            if date:
                out.append((*date.span(), "ngày ban hành"))
    return out


def superseded(text: str, keep: list[tuple[int, int]], ctx: Context) -> bool:
    """A document of the old period (an annual plan, an ended programme) the new period replaces."""
    return bool(superseded_spans(text, keep, ctx))


def classify(text: str, ctx: Context) -> str:
    """``carry``, ``template`` or ``placeholder`` (see the module docstring)."""
    keep = durable(text)
    if counts(text, keep) or superseded(text, keep, ctx):
        return "template"
    if not ctx.moves or _docs(text):
        return "carry"
    if _mentions_base(text, keep, ctx):
        return "placeholder"  # a statement about the old period only
    ahead = any(y == ctx.base.year + 1 for _, _, y in years(text, keep))
    return "template" if ahead else "carry"  # a plan for "next year": the year moves on


def _words_after(text: str) -> list[str]:
    """The noun after a figure (``76 hồ sơ TTHC`` → hồ sơ TTHC), up to punctuation or a function word."""
    out: list[str] = []
    for raw in text.lstrip(" %").split()[:4]:
        w = raw.rstrip(",.;:)")
        if not _WORD.fullmatch(w) or w.lower() in _FUNCTION:
            break
        out.append(w)
        if w != raw:
            break
    return out


def _words_before(text: str) -> list[str]:
    """The verb before a figure (``giải quyết đúng hạn 108``), skipping function words next to it."""
    out: list[str] = []
    for w in reversed(text.split()):
        if not _WORD.fullmatch(w) or (w.lower() in _FUNCTION and out):
            break
        if w.lower() not in _FUNCTION:
            out.insert(0, w)
        if len(out) == 2:
            break
    return out


def _label(text: str, s: int, e: int, period: str) -> str:
    noun = _words_after(text[e:])
    verb = _words_before(re.split(r"[,;:()]", text[:s])[-1])
    head = "tỷ lệ" if "%" in text[s:e + 2] else "số"
    return placeholder(" ".join([head, *noun, *verb, period]))


def placeholder(what: str) -> str:
    """``[cập nhật: what]`` (brackets inside are made parentheses)."""
    return "[cập nhật: " + what.replace("[", "(").replace("]", ")").strip() + "]"


def _year_text(year: int, ctx: Context) -> str:
    return str(year) if str(year) in ctx.allowed else placeholder(f"năm {year}")


def _shifts(text: str, keep: list[tuple[int, int]], ctx: Context) -> list[Repl]:
    out: list[Repl] = []
    for m in _PHRASE.finditer(text):
        y = int(m.group(1) or m.group(2))
        if ctx.base and ctx.base.first_year <= y <= ctx.base.year and ctx.target.label != m.group(0):
            out.append((m.start(), m.end(), ctx.target_text()))
    for s, e, y in years(text, keep):
        new = ctx.shift_year(y) if ctx.moves else None
        if new is not None and new != y:
            out.append((s, e, _year_text(new, ctx)))
    return out


def template_repls(text: str, ctx: Context) -> list[Repl]:
    """Replacements that write ``text`` for the new period (figures, old documents, dates, years)."""
    keep = durable(text)
    reps = [(s, e, _label(text, s, e, ctx.target.label)) for s, e in counts(text, keep)]
    old = superseded_spans(text, keep, ctx)
    reps += [(s, e, placeholder(what)) for s, e, what in old]
    docs = _docs(text)
    # dates of documents stay; "as of" dates (no code just before) belong to the old period
    reps += [(s, e, placeholder("ngày")) for s, e in _spans(_DATE, text)
             if not any(0 <= s - de <= 60 for _, de in docs)]
    return reps + _shifts(text, keep, ctx)


def render(text: str, reps: list[Repl] = ()) -> str:
    """``text`` with replacements applied (earliest, then longest wins), tags and brackets cleaned."""
    reps = list(reps) + [(m.start(), m.end(), "") for m in _TAG.finditer(text)]
    reps += [(m.start(), m.end(), m.group(1)) for m in _AUTOLINK.finditer(text)]
    out, pos = [], 0
    for s, e, new in sorted(reps, key=lambda r: (r[0], -(r[1] - r[0]))):
        if s < pos:
            continue
        out += [_clean(text[pos:s]), new]
        pos = e
    out.append(_clean(text[pos:]))
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _clean(seg: str) -> str:
    return seg.replace("[", "(").replace("]", ")").replace("**", "").replace("\n", " ")


def heading_text(p: Paragraph, ctx: Context) -> str:
    """A heading written for the new period (years moved; placeholders when the year is not given)."""
    bare = strip_markup(p.text)
    return render(bare, _shifts(bare, durable(bare), ctx))


def is_table_row(text: str) -> bool:
    return bool(_TABLE_ROW.match(text)) and not text.rstrip().endswith((".", ";", ":")) or "<b>" in text
