"""Sentence and clause units of retrieved chunks, scored against a question.

Everything works on offsets into the report's normalised text, so any quote shown to the
user is cut from the source by code (``text[start:end]``), never written by a model.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from index.glossary import expand_english
from index.keyword import keyword_tokens
from index.records import Hit
from ingest.metadata import PROVINCES
from ingest.textkeys import PROTECTED_RE, fold

_BOUNDARY = re.compile(r"(?<=[.!?…])\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9(+\-])|\n+|(?<=:)\s+(?=[-+]\s)")
_NOTE = re.compile(r"<sup>(\d+)</sup>")
_MARKER_END = re.compile(r"(?:^|(?<=\n)|(?<=[.;:!?] ))\s*(?:\d{1,2}|[a-zđ]|[IVX]{1,4})[.)]$", re.M)
_URL = re.compile(r"https?://\S+|\b[\w-]+\.(?:gov|com|org|edu|net)(?:\.vn)?\b")

# Question patterns -> the kind of answer they want.
ANSWER_TYPES = (
    ("yesno", re.compile(r"(có|không)\b.*\bkhông\s*\??$|\b(is|are|was|were|did|does) there\b", re.I)),
    ("percent", re.compile(r"phần trăm|tỷ lệ|tỉ lệ|\bpercent|\bshare\b|%", re.I)),
    ("date", re.compile(r"ngày nào|ngày bao nhiêu|khi nào|thời gian nào|\bwhen\b|what date|ngày tháng", re.I)),
    ("decision", re.compile(r"(quyết định|qđ|kế hoạch|văn bản|công văn|nghị định|chỉ thị|thông tư)\s*(số\s*)?(nào|mấy|gì)|"
                            r"theo (qđ|quyết định|văn bản) nào|số hiệu|which decision|decision number", re.I)),
    ("count", re.compile(r"bao nhiêu|mấy|how many|how much|số lượng|number of", re.I)),
)
TYPE_PATTERNS = {
    "percent": re.compile(r"\d+(?:[.,]\d+)?\s?%"),
    "date": re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|ngày \d{1,2} tháng \d{1,2}"),
    "decision": re.compile(r"\d+[a-z]?(?:/\d{4})?/[A-ZĐ][\wĐ]*(?:-[\wĐ]+)+|\d+-[A-Z]+/[A-Z]+"),
    # a count stands alone: not a piece of a decision number, a date, a year or "ISO 9001:2015"
    "count": re.compile(r"(?<![\w/.:-])(?!(?:19|20)\d\d\b)\d+(?:[.,]\d+)?(?![\w/:-]|[.,]\d)"),
}


@dataclass
class Unit:
    """A sentence or clause of a retrieved chunk, with offsets into its report's text."""

    hit_index: int
    doc: str
    start: int
    end: int
    text: str
    score: float = 0.0


def answer_type(question: str) -> str:
    """``decision`` / ``date`` / ``count`` / ``percent`` / ``yesno`` / ``other``.

    >>> answer_type("Có bao nhiêu hồ sơ trễ hạn?")
    'count'
    """
    for name, rx in ANSWER_TYPES:
        if rx.search(question):
            return name
    return "other"


def _protected(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in PROTECTED_RE.finditer(text)]
    return spans + [(m.start(), m.end()) for m in _URL.finditer(text)]


def split_units(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Sentence/clause spans of ``text`` (offsets plus ``base``), never inside a code or date."""
    protected = _protected(text)
    cuts = [0]
    for m in _BOUNDARY.finditer(text):
        if _MARKER_END.search(text, max(0, m.start() - 8), m.start()):
            continue  # "… địa phương. 2. Tiếp tục …": "2." numbers the item that follows
        if not any(a < m.start() < b for a, b in protected):
            cuts.append(m.start())
            cuts.append(m.end())
    cuts.append(len(text))
    spans = []
    for a, b in zip(cuts[::2], cuts[1::2]):
        seg = text[a:b]
        lead = len(seg) - len(seg.lstrip())
        seg = seg.strip()
        if len(seg) >= 3:
            spans.append((base + a + lead, base + a + lead + len(seg)))
    return spans


def units_of(hits: list[Hit]) -> list[Unit]:
    """All sentence units of the retrieved chunks, in rank order."""
    out: list[Unit] = []
    for i, h in enumerate(hits):
        for s, e in split_units(h.chunk.text, h.chunk.start):
            out.append(Unit(i, h.chunk.doc_name, s, e, h.chunk.text[s - h.chunk.start:e - h.chunk.start]))
    return out


_SCOPE_PHRASES = re.compile(
    r"\b(?:so|sở) (?:kh&cn|khcn|khoa hoc (?:va|và) cong nghe)\b|\bdepartment of science and technology\b|"
    r"\bdost\b|\b(?:tinh|tỉnh|province)\b|\b(?:19[89]\d|20[0-4]\d)\b")


_PROVINCE_NAMES = re.compile(
    r"\b(?:" + "|".join(re.escape(fold(p)) for p in sorted(PROVINCES, key=lambda p: -len(fold(p)))) + r")\b")


def strip_scope(question: str) -> str:
    """The question without its scope words (province, "Sở KH&CN", years): those select the
    report, they are not what the answering sentence must contain."""
    return _SCOPE_PHRASES.sub(" ", _PROVINCE_NAMES.sub(" ", fold(question)))


_COMPARE_PHRASES = re.compile(
    r"\b(?:mỗi nơi|mỗi sở|mỗi tỉnh|mỗi báo cáo|nơi nào|sở nào|tỉnh nào|báo cáo nào|so sánh|"
    r"(?:nhiều|ít|cao|thấp|lớn|nhỏ) hơn)\b", re.I)


def _strip_type_phrase(question: str) -> str:
    """Drop the words that ask for a decision number ("Quyết định nào", "văn bản số mấy") or
    set up a comparison ("mỗi nơi", "nơi nào nhiều hơn"): they say what kind of answer is
    wanted, not what the answering sentence is about."""
    rx = dict(ANSWER_TYPES)["decision"]
    return _COMPARE_PHRASES.sub(" ", rx.sub(" ", question))


def content_terms(question: str) -> list[str]:
    """Question terms that an answering sentence should contain (folded, bigrams included)."""
    english = expand_english(question)
    toks = keyword_tokens(strip_scope(_strip_type_phrase(english or question)), equivalents=False)
    return sorted({t for t in toks if t == fold(t)})


def score_unit(unit: Unit, terms: list[str], idf: dict[str, float], qtype: str, rank_prior: float,
               notes: str = "") -> float:
    """Weighted coverage of the question's terms, plus answer-type and rank evidence; the
    footnotes a sentence cites count as part of it (``notes``)."""
    text = f"{unit.text} {notes}" if notes else unit.text
    have = set(keyword_tokens(text))
    total = sum(idf.get(t, 1.0) for t in terms) or 1.0
    covered = sum(idf.get(t, 1.0) for t in terms if t in have) / total
    pattern = TYPE_PATTERNS.get(qtype)
    type_ok = 1.0 if pattern is None or pattern.search(text) else 0.0
    length_penalty = 0.05 if len(unit.text) > 600 else 0.0
    return covered * (0.75 + 0.25 * type_ok) + 0.08 * rank_prior - length_penalty + 0.02 * type_ok


def rank_units(question: str, hits: list[Hit], idf: dict[str, float]) -> list[Unit]:
    """Units of ``hits`` best first for ``question``."""
    qtype = answer_type(question)
    terms = content_terms(question)
    units = units_of(hits)
    notes = {(u.hit_index, m.group(1)): u.text for u in units if (m := _NOTE.match(u.text))}
    for u in units:
        prior = 1.0 / (1.0 + u.hit_index)
        refs = [] if _NOTE.match(u.text) else _NOTE.findall(u.text)
        cited = " ".join(notes.get((u.hit_index, r), "") for r in refs)
        u.score = score_unit(u, terms, idf, qtype, prior, cited)
    return sorted(units, key=lambda u: -u.score)


def idf_table(df: dict[str, int], n_docs: int, terms: list[str]) -> dict[str, float]:
    """IDF of the question's terms from keyword-index document frequencies."""
    return {t: math.log(1 + (n_docs - df.get(t, 0) + 0.5) / (df.get(t, 0) + 0.5)) for t in terms}


class Weigher:
    """IDF-weighted question words (syllables; bigrams that occur nowhere would swamp the
    weights): how much of the question a window or sentence covers."""

    def __init__(self, question: str, idf: dict[str, float]):
        self.terms = [t for t in content_terms(question) if "_" not in t]
        self.idf = idf
        self.total = sum(idf.get(t, 1.0) for t in self.terms) or 1.0
        self.pattern = TYPE_PATTERNS.get(answer_type(question))

    def terms_in(self, text: str) -> set[str]:
        have = set(keyword_tokens(text))
        return {t for t in self.terms if t in have}

    def gain(self, text: str, covered: set[str]) -> float:
        return sum(self.idf.get(t, 1.0) for t in self.terms_in(text) - covered) / self.total

    def window(self, text: str) -> float:
        typed = self.pattern is not None and self.pattern.search(text) is not None
        return self.gain(text, set()) + (0.2 if typed else 0.0)
