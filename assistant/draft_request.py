"""What a drafting instruction asks for: section title(s) or a whole outline, target and base
period, province and body — read by code, no model.

    >>> r = parse_request("Soạn mục 'Cải cách thủ tục hành chính' cho báo cáo CCHC năm 2021 "
    ...                   "của Sở KH&CN Khánh Hòa, dựa trên báo cáo CCHC năm 2020.")
    >>> r.kind, r.titles, r.target.label, r.base.label, r.province
    ('section', ('Cải cách thủ tục hành chính',), 'năm 2021', 'năm 2020', 'Khánh Hòa')
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.retriever import parse_hints
from ingest.metadata import find_body
from ingest.textkeys import fold, nfc

_QUOTED = re.compile(r"[\"'“”‘’«»]([^\"'“”‘’«»]{3,160})[\"'“”‘’«»]")
_STOPS = r"(?:cho|cua|trong|thuoc|dua|theo|nam|ky|for|of)\b"
_TITLE = re.compile(rf"\b(?:muc|phan|noi dung|section)\s+(?:ve\s+)?(?!{_STOPS})(.+?)(?=\s+{_STOPS}|[,.;:]|$)")
_BASE_CUE = re.compile(r"\b(?:dua tren|dua vao|can cu|theo bo cuc|theo mau|tu bao cao|tren co so|"
                       r"theo bao cao|ke thua|based on|from the)\b")
_OUTLINE_CUE = re.compile(r"\b(?:de cuong|bo cuc|outline|toan bo bao cao|ca bao cao)\b")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True)
class Period:
    """A reporting period: ``năm 2021``, ``6 tháng đầu năm 2020``, ``quý I năm 2020``, ``giai đoạn 2016–2020``."""

    label: str
    first_year: int
    year: int
    start_month: int = 1
    end_month: int = 12

    @property
    def key(self) -> tuple[int, int]:
        """When the period ends (year, month): reports are ordered by it."""
        return self.year, self.end_month

    @property
    def start(self) -> tuple[int, int]:
        return self.first_year, self.start_month

    @property
    def annual(self) -> bool:
        return self.first_year == self.year and (self.start_month, self.end_month) == (1, 12)

    def covers(self, other: "Period") -> bool:
        """Whether ``other`` lies inside this period (6 tháng đầu năm 2020 inside năm 2020)."""
        return self.start <= other.start and other.key <= self.key

    def following(self) -> "Period":
        """The period a report after this one would usually cover (a year, or the rest of it)."""
        if self.end_month < 12 and self.first_year == self.year:
            return year_period(self.year)
        return year_period(self.year + 1)


def year_period(year: int) -> Period:
    return Period(f"năm {year}", year, year)


def _half(m: re.Match) -> Period:
    y, first = int(m.group(2)), m.group(1) == "dau"
    return Period(f"6 tháng {'đầu' if first else 'cuối'} năm {y}", y, y, 1 if first else 7, 6 if first else 12)


def _quarter(m: re.Match) -> Period:
    q = _ROMAN.get(m.group(1), None) or int(m.group(1))
    y = int(m.group(2))
    roman = [k for k, v in _ROMAN.items() if v == q][0].upper()
    return Period(f"quý {roman} năm {y}", y, y, 3 * q - 2, 3 * q)


def _range(m: re.Match) -> Period:
    a, b = int(m.group(1)), int(m.group(2))
    return Period(f"giai đoạn {a}–{b}", a, b)


_PERIOD_RES = (
    (re.compile(r"6 thang (dau|cuoi) nam (\d{4})"), _half),
    (re.compile(r"\bquy (iv|iii|ii|i|[1-4]) nam (\d{4})"), _quarter),
    (re.compile(r"giai doan (\d{4})\s*[-–]\s*(\d{4})"), _range),
    (re.compile(r"\bnam (\d{4})\b"), lambda m: year_period(int(m.group(1)))),
    (re.compile(r"(?<![\d/.])((?:19|20)\d{2})(?![\d/])"), lambda m: year_period(int(m.group(1)))),
)


def parse_period(text: str | None) -> Period | None:
    """The first period named in ``text`` (tone marks optional), most specific pattern first."""
    folded = fold(text or "")
    for pattern, build in _PERIOD_RES:
        m = pattern.search(folded)
        if m:
            return build(m)
    return None


@dataclass(frozen=True)
class DraftRequest:
    """A parsed instruction. ``kind`` is ``section`` (``titles`` given) or ``outline``."""

    instruction: str
    kind: str
    titles: tuple[str, ...] = ()
    target: Period | None = None
    base: Period | None = None
    province: str | None = None
    body: str | None = None


def _titles(instruction: str) -> tuple[str, ...]:
    quoted = [t.strip(" .,:;") for t in _QUOTED.findall(instruction)]
    if quoted:
        return tuple(t for t in quoted if t)
    text = nfc(instruction)
    folded = fold(text)
    m = _TITLE.search(folded) if len(folded) == len(text) else None
    title = text[m.start(1):m.end(1)].strip(" .,:;") if m else ""
    return (title,) if len(title) >= 4 else ()


def parse_request(instruction: str) -> DraftRequest:
    """Read the instruction: what to draft, for which period, from which base period, for whom."""
    folded = fold(instruction)
    cue = _BASE_CUE.search(folded)
    target_part, base_part = (folded[:cue.start()], folded[cue.start():]) if cue else (folded, "")
    titles = _titles(instruction)
    kind = "section" if titles else "outline"
    if titles and _OUTLINE_CUE.search(target_part) and not re.search(r"\b(?:muc|phan)\b", target_part):
        kind, titles = "outline", ()
    hints = parse_hints(instruction)
    body = find_body(instruction)
    return DraftRequest(instruction, kind, titles, parse_period(target_part), parse_period(base_part),
                        hints.provinces[0] if hints.provinces else None, body)
