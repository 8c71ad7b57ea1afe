"""Compose answers from retrieved hits: extractive, per report, or abstaining.

The extractive back-end answers with the best supporting sentence(s), verbatim; it is also the
fallback whenever a model's answer cannot be verified. Every quote is ``report_text[start:end]``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.records import Citation
from assistant.sentences import TYPE_PATTERNS, Unit, Weigher, answer_type
from index.glossary import looks_english
from index.records import Hit
from index.retriever import parse_hints
from vocab.provinces import province_label

ABSTAIN_THRESHOLD = 0.25
CONFIDENT = 0.5  # extractive confidence above which a model's "not found" is overruled
PER_REPORT_RATIO = 0.8
NEIGHBOUR_RATIO = 0.85
TYPED_RATIO = 0.8
NEAR = 150  # characters between a chosen sentence and one that completes it
MIN_GAIN = 0.1  # ... which must cover this share of the question's weighted words the first misses
SECOND_RATIO = 0.9  # a report's second sentence joins its per-report line above this share
NOT_FOUND_VI = "Các báo cáo hiện có không chứa thông tin này."
NOT_FOUND_EN = "The reports do not contain this information."


@dataclass
class Draft:
    """An answer before it is wrapped in :class:`~assistant.records.Answer`."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    confidence: float = 0.0
    source: str = "extractive"  # "model": the generator's verified answer; "fallback": it was replaced


def not_found(question: str) -> Draft:
    return Draft(NOT_FOUND_EN if looks_english(question) else NOT_FOUND_VI, abstained=True)


def cite(n: int, hit: Hit, start: int, end: int) -> Citation:
    """A citation whose quote is cut from the chunk (hence from the report) by offsets."""
    c = hit.chunk
    quote = c.text[start - c.start:end - c.start]
    return Citation(n, c.doc_name, c.section, quote, start, end, hit.meta.province, hit.meta.period)


def report_label(hit: Hit) -> str:
    """``Khánh Hòa, năm 2020`` — how a per-report answer names its report."""
    m = hit.meta
    where = province_label(m.province) if m.province else (m.body or hit.chunk.doc_name)
    return f"{where}, {m.period}" if m.period else where


def best_per_doc(units: list[Unit]) -> dict[str, Unit]:
    best: dict[str, Unit] = {}
    for u in units:
        if u.doc not in best or u.score > best[u.doc].score:
            best[u.doc] = u
    return best


def _is_note(u: Unit) -> bool:
    return u.text.startswith("<sup>")


def widen(unit: Unit, ranked: list[Unit]) -> list[Unit]:
    """The best unit plus what completes it: the footnote it cites (``<sup>7</sup>``), or the
    next sentence when the unit introduces a list (``…:``) or the next scores almost as well.
    Footnotes were moved next to their sentence at ingest, so each is quoted on its own."""
    same = sorted((u for u in ranked if u.hit_index == unit.hit_index), key=lambda u: u.start)
    after = [u for u in same if u.start >= unit.end]
    refs = re.findall(r"<sup>(\d+)</sup>", unit.text)
    note = next((u for u in after if _is_note(u) and any(u.text.startswith(f"<sup>{r}</sup>") for r in refs)), None)
    if note is not None:
        return [unit, note]
    if after and not _is_note(after[0]) and (unit.text.rstrip().endswith(":")
                                            or after[0].score >= NEIGHBOUR_RATIO * unit.score):
        return [Unit(unit.hit_index, unit.doc, unit.start, after[0].end, "", unit.score)]
    return [unit]


_FOOTNOTE_LINE = re.compile(r"\s*\n(?=<sup>\d+</sup>)")


def merged(citations: list[Citation], hits: list[Hit]) -> list[Citation]:
    """One span per number ([n] is one source card): sentences of the same hit become one
    verbatim span covering them, cut again from the chunk — except that a footnote stays a
    span of its own, since ingest moved it next to the sentence citing it and the two are
    not contiguous in the original file."""
    spans: dict[int, tuple[int, int]] = {}
    for c in citations:
        s, e = spans.get(c.n, (c.start, c.end))
        spans[c.n] = (min(s, c.start), max(e, c.end))
    return [cite(n, hits[n - 1], a, b) for n, (s, e) in spans.items() for a, b in _unmoved(hits[n - 1], s, e)]


def _unmoved(hit: Hit, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut before each footnote line inside it."""
    text = hit.chunk.text[start - hit.chunk.start:end - hit.chunk.start]
    cuts = [(m.start(), m.end()) for m in _FOOTNOTE_LINE.finditer(text)]
    bounds = [0] + [x for pair in cuts for x in pair] + [len(text)]
    return [(start + a, start + b) for a, b in zip(bounds[::2], bounds[1::2]) if b > a]


def _single(question: str, hits: list[Hit], unit: Unit, ranked: list[Unit], idf: dict[str, float]) -> Draft:
    n = unit.hit_index + 1
    parts = widen(unit, ranked)
    rest = _completing(question, parts, ranked, idf)
    cites = [cite(n, hits[unit.hit_index], u.start, u.end) for u in sorted(parts + rest, key=lambda u: u.start)]
    return Draft(" ".join(c.quote for c in cites) + f" [{n}]", merged(cites, hits), confidence=unit.score)


def _completing(question: str, parts: list[Unit], ranked: list[Unit], idf: dict[str, float]) -> list[Unit]:
    """The neighbouring sentence that answers what the chosen one leaves out: for "bao nhiêu
    công chức và bao nhiêu viên chức", "… viên chức … là 44 người" after "… công chức … là 39
    người". It must be of the same hit, within ``NEAR`` characters, state the asked-for kind of
    figure, and cover at least ``MIN_GAIN`` of the question's weighted words the chosen ones miss."""
    weigh = Weigher(question, idf)
    if weigh.pattern is None:  # only questions asking for figures, codes or dates
        return []
    covered = set().union(*(weigh.terms_in(u.text) for u in parts))
    first, last = parts[0], parts[-1]
    near = [u for u in ranked if u.hit_index == first.hit_index and not _is_note(u)
            and (0 <= u.start - last.end <= NEAR or 0 <= first.start - u.end <= NEAR)
            and weigh.pattern.search(u.text)]
    best = max(near, key=lambda u: weigh.gain(u.text, covered), default=None)
    if best is None or weigh.gain(best.text, covered) < MIN_GAIN:
        return []
    return [best]


def _typed(question: str, ranked: list[Unit]) -> list[Unit]:
    """Units that can answer: for a question asking for a decision number, date, count or
    percentage, those that state one and score close to the best; otherwise all of them."""
    pattern = TYPE_PATTERNS.get(answer_type(question))
    if pattern is None:
        return ranked
    floor = TYPED_RATIO * ranked[0].score
    return [u for u in ranked if u.score >= floor and any(pattern.search(w.text) for w in _notes_of(u, ranked))]


def _notes_of(unit: Unit, ranked: list[Unit]) -> list[Unit]:
    """The unit and the footnotes it cites (a figure may sit in the footnote)."""
    refs = re.findall(r"<sup>(\d+)</sup>", unit.text)
    return [unit] + [u for u in ranked if u.hit_index == unit.hit_index and refs and _is_note(u)
                     and any(u.text.startswith(f"<sup>{r}</sup>") for r in refs)]


def _per_report(hits: list[Hit], units: list[Unit], typed: list[Unit], ranked: list[Unit]) -> Draft:
    """One line per report: its best sentence (with the footnote that completes it) and a
    second one when it answers about as well (a report may name two plans for the year)."""
    lines, citations = ["Mỗi báo cáo trả lời khác nhau:"], []
    for u in units:
        hit = hits[u.hit_index]
        second = next((w for w in typed if w.doc == u.doc and w is not u and w.score >= SECOND_RATIO * u.score), None)
        parts = widen(u, ranked) + (widen(second, ranked) if second else [])
        cites = [cite(w.hit_index + 1, hits[w.hit_index], w.start, w.end) for w in parts]
        marks = "".join(f"[{m}]" for m in dict.fromkeys(c.n for c in cites))
        lines.append(f"- {report_label(hit)} ({hit.chunk.doc_name}): {' '.join(c.quote for c in cites)} {marks}")
        citations += cites
    return Draft("\n".join(lines), merged(citations, hits), confidence=max(u.score for u in units))


def extractive_from(question: str, hits: list[Hit], ranked: list[Unit], *, per_report: bool,
                    threshold: float = ABSTAIN_THRESHOLD, comparison: bool = False,
                    idf: dict[str, float] | None = None) -> Draft:
    """Best supporting sentence(s) from units ranked by :func:`~assistant.sentences.rank_units`;
    one block per report when ``per_report`` and several reports answer."""
    if not hits or not ranked or ranked[0].score < threshold:
        d = not_found(question)
        d.confidence = ranked[0].score if ranked else 0.0
        return d
    typed = _typed(question, ranked)
    if not typed:  # the question asks for a figure that no well-matching sentence states
        d = not_found(question)
        d.confidence = ranked[0].score
        return d
    top = typed[0]
    if per_report:
        ratio = 0.0 if comparison else PER_REPORT_RATIO
        strong = _answering_reports(question, ranked, top, max(threshold, ratio * top.score), ratio, idf or {})
        if len(strong) > 1:
            strong.sort(key=lambda u: -u.score)
            return _per_report(hits, strong, typed, ranked)
    return _single(question, hits, top, ranked, idf or {})


def _answering_reports(question: str, ranked: list[Unit], top: Unit, floor: float, ratio: float,
                       idf: dict[str, float]) -> list[Unit]:
    """Each report's best sentence that answers nearly as well as the best one: it scores at
    least ``floor``, or it (with the footnotes it cites) covers at least ``ratio`` of the question
    words the best one covers — syllables only, so a report worded differently ("trả quá hạn: 3
    hồ sơ" for "bao nhiêu hồ sơ bị trễ hạn", or a plan number in a footnote) is not lost to
    question bigrams no report contains. It must state the kind of figure asked for. When the
    question names a year, a report's sentence about that year ("năm 2020: …") comes first."""
    weigh = Weigher(question, idf)
    text = {id(u): " ".join(w.text for w in _notes_of(u, ranked)) for u in ranked}  # with its footnotes
    cover = {k: weigh.gain(t, set()) for k, t in text.items()}
    want = ratio * cover[id(top)]
    able = [u for u in ranked if u.score >= ABSTAIN_THRESHOLD and (u.score >= floor or cover[id(u)] >= want > 0)
            and (weigh.pattern is None or weigh.pattern.search(text[id(u)]))]
    years = parse_hints(question).years
    if not years:
        return list(best_per_doc(able).values())
    named = re.compile(r"\bnăm (?:" + "|".join(map(str, years)) + r")\b", re.I)
    best: dict[str, Unit] = {}  # per report, a sentence about the year asked for comes first
    for u in sorted(able, key=lambda u: (not named.search(text[id(u)]), -u.score)):
        best.setdefault(u.doc, u)
    return list(best.values())


def wants_per_report(question: str, named_provinces: list[str], scoped_docs: list[str]) -> bool:
    """Answer per report when the question names no province/report and asks for a fact."""
    if named_provinces or len(scoped_docs) == 1:
        return False
    return answer_type(question) in ("count", "decision", "date", "percent", "other", "yesno")
