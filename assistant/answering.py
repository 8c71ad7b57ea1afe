"""Compose answers from retrieved hits: extractive, per report, or abstaining.

The extractive back-end answers with the best supporting sentence(s), verbatim; it is also the
fallback whenever a model's answer cannot be verified. Every quote is ``report_text[start:end]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from assistant.records import Citation
from assistant.sentences import Unit, answer_type, rank_units
from index.records import Hit

ABSTAIN_THRESHOLD = 0.25
CONFIDENT = 0.5  # extractive confidence above which a model's "not found" is overruled
PER_REPORT_RATIO = 0.8
NOT_FOUND_VI = "Các báo cáo hiện có không chứa thông tin này."
NOT_FOUND_EN = "The reports do not contain this information."


@dataclass
class Draft:
    """An answer before it is wrapped in :class:`~assistant.records.Answer`."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    confidence: float = 0.0


def is_english(question: str) -> bool:
    """Rough language check: no Vietnamese letters and common English words present."""
    lowered = f" {question.lower()} "
    has_vi = any(c in "ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ" for c in lowered)
    return not has_vi and any(w in lowered for w in (" the ", " what ", " how ", " which ", " did ", " does ", " is "))


def not_found(question: str) -> Draft:
    return Draft(NOT_FOUND_EN if is_english(question) else NOT_FOUND_VI, abstained=True)


def cite(n: int, hit: Hit, start: int, end: int) -> Citation:
    """A citation whose quote is cut from the chunk (hence from the report) by offsets."""
    c = hit.chunk
    quote = c.text[start - c.start:end - c.start]
    return Citation(n, c.doc_name, c.section, quote, start, end, hit.meta.province, hit.meta.period)


def report_label(hit: Hit) -> str:
    """``Khánh Hòa, năm 2020`` — how a per-report answer names its report."""
    m = hit.meta
    where = m.province or (m.body or hit.chunk.doc_name)
    return f"{where}, {m.period}" if m.period else where


def best_per_doc(units: list[Unit]) -> dict[str, Unit]:
    best: dict[str, Unit] = {}
    for u in units:
        if u.doc not in best or u.score > best[u.doc].score:
            best[u.doc] = u
    return best


def _single(question: str, hits: list[Hit], unit: Unit) -> Draft:
    n = unit.hit_index + 1
    text = f"{unit.text} [{n}]"
    return Draft(text, [cite(n, hits[unit.hit_index], unit.start, unit.end)], confidence=unit.score)


def _per_report(hits: list[Hit], units: list[Unit]) -> Draft:
    lines, citations = ["Mỗi báo cáo trả lời khác nhau:"], []
    for u in units:
        hit = hits[u.hit_index]
        n = u.hit_index + 1
        lines.append(f"- {report_label(hit)} ({hit.chunk.doc_name}): {u.text} [{n}]")
        citations.append(cite(n, hit, u.start, u.end))
    return Draft("\n".join(lines), citations, confidence=max(u.score for u in units))


def extractive(question: str, hits: list[Hit], idf: dict[str, float], *, per_report: bool,
               threshold: float = ABSTAIN_THRESHOLD) -> Draft:
    """Best supporting sentence(s); one block per report when ``per_report`` and several agree."""
    return extractive_from(question, hits, rank_units(question, hits, idf), per_report=per_report,
                           threshold=threshold)


def extractive_from(question: str, hits: list[Hit], ranked: list[Unit], *, per_report: bool,
                    threshold: float = ABSTAIN_THRESHOLD, comparison: bool = False) -> Draft:
    """:func:`extractive` on units already ranked by :func:`~assistant.sentences.rank_units`."""
    if not hits or not ranked or ranked[0].score < threshold:
        d = not_found(question)
        d.confidence = ranked[0].score if ranked else 0.0
        return d
    top = ranked[0]
    if per_report:
        best = best_per_doc(ranked)
        ratio = 0.0 if comparison else PER_REPORT_RATIO
        strong = [u for u in best.values() if u.score >= max(threshold, ratio * top.score)]
        if len(strong) > 1:
            strong.sort(key=lambda u: -u.score)
            return _per_report(hits, strong)
    return _single(question, hits, top)


def wants_per_report(question: str, named_provinces: list[str], scoped_docs: list[str]) -> bool:
    """Answer per report when the question names no province/report and asks for a fact."""
    if named_provinces or len(scoped_docs) == 1:
        return False
    return answer_type(question) in ("count", "decision", "date", "percent", "other", "yesno")
