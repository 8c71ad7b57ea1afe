"""The answering core: question → candidates → selection → abstention → short answer.

    >>> draft = answer(analyse("Có bao nhiêu hồ sơ trễ hạn?"), hits, units, idf)  # doctest: +SKIP
    >>> draft.text  # doctest: +SKIP
    '- Khánh Hòa (năm 2020): …trễ hạn 0 hồ sơ… [1]'

Code decides everything here; a model may only choose among the numbered candidates this
module proposes (:mod:`assistant.answer.chooser`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from assistant.answer.candidates import Candidate, propose
from assistant.answer.compose import (LIST_CHARS, clause_line, cite_unit, list_line, references_line,
                                      value_line, yesno_line)
from assistant.answer.question import Question
from assistant.answer.select import Scorer, counts_other, rank
from assistant.answering import Draft, merged, not_found, report_label
from assistant.records import Citation
from assistant.sentences import Unit
from index.records import Hit
from ingest.records import Chunk
from index.keyword import keyword_tokens
from ingest.textkeys import fold, tokens
from vocab.questions import YEAR

# Answerable when the best candidate's score reaches this (tune.jsonl, extractive: below it
# the chosen sentence shares too few of the question's content words to be its answer).
ANSWERABLE = {"decision": 0.41, "count": 0.41, "percent": 0.41, "date": 0.41}
ANSWERABLE_TEXT = 0.30     # entity / list / yes-no / other: the sentence's (and heading's) coverage
PER_REPORT_RATIO = 0.85    # another report's best candidate this close to the best gets its own line
COMPANION_RATIO = 0.6      # a second value of the same sentence answering another part of the question
COMPANION_GAIN = 0.15      # ... must cover this share of the question's words the first one's context misses
PART_MATCH = 0.6          # share of a part's noun words next to a value for it to answer that part
LIST_BODIES = 4           # bodies named in one sentence listed for a "những … nào" question
PLURAL_RATIO = 0.5        # ... each scoring this share of the best (tune: the second listed one scored 0.6)
LIST_REFS = 4             # documents of one sentence listed for "những quyết định nào" (then the quote)
TOP_UNITS = 40             # sentences read for candidates (best first)


@dataclass
class Choice:
    """The chosen candidate of one report, with what joins it."""

    best: Candidate
    companions: list[Candidate]


def _sentence_candidates(units: list[Unit]) -> list[Candidate]:
    return propose("clause", units)


def period_years(meta) -> tuple[int, ...]:
    """Years a report covers, from its period ("giai đoạn 2016–2020" → 2016…2020); () if unknown.

    >>> from ingest.records import DocMeta
    >>> period_years(DocMeta(period="giai đoạn 2016–2020"))
    (2016, 2017, 2018, 2019, 2020)
    """
    years = sorted({int(y) for y in YEAR.findall(meta.period or "")})
    return tuple(range(years[0], years[-1] + 1)) if years else ()


def candidates_for(q: Question, units: list[Unit], idf: dict[str, float], hits: list[Hit]) -> list[Candidate]:
    """Ranked candidates of the kind asked (sentences for entity/list/yes-no/other)."""
    top = units[:TOP_UNITS]
    kind = q.kind if q.figure else "clause"
    headings = {i: h.chunk.section.split(" › ")[-1] for i, h in enumerate(hits)}
    cands = propose(kind, top, headings)
    if q.figure:  # a value the question itself writes ("tọa đàm ngày 18/5") is what it knows, not what it asks
        known = set(tokens(q.text))
        cands = [c for c in cands if not set(tokens(c.value)) <= known] or cands
    if q.kind == "percent":
        cands = [c for c in cands if unit_fits(q.text, c)]
    if q.kind == "count" and q.counted:  # "bao nhiêu hồ sơ": a count of procedures does not answer
        cands = [c for c in cands if not counts_other(q.counted, c.noun)]
    if q.asks_body and q.kind in ("entity", "list", "other"):
        asked = fold(q.text)
        cands = [c for c in propose("entity", top, headings) if fold(c.value) not in asked] or cands
    periods = {h.chunk.doc_name: period_years(h.meta) for h in hits}
    titles = {h.chunk.doc_name: frozenset(keyword_tokens(h.meta.title)) for h in hits}
    return rank(q, cands, units, idf, periods, titles)


_WANTS_PERCENT = re.compile(r"phần trăm|tỷ lệ|tỉ lệ|%|percent|\bshare\b|\brate\b|mức (?:độ )?tự chủ|self-financing", re.I)
_WANTS_POINTS = re.compile(r"\bđiểm\b|\bscore|\bpoints?\b", re.I)
_WANTS_RANK = re.compile(r"xếp (?:thứ|hạng)|\brank|vị trí", re.I)


def unit_fits(question: str, c: Candidate) -> bool:
    """A percentage question takes a percentage, a score question a score ("21,75/36,00 điểm",
    "80,08 điểm"), a rank question a rank ("thứ 7/25"); a question naming none takes any."""
    wants = [(_WANTS_PERCENT, "%" in c.value), (_WANTS_POINTS, c.noun.lower().startswith("điểm") or "/" in c.value),
             (_WANTS_RANK, "/" in c.value or bool(re.search(r"(?:thứ|vị trí)\s*$", c.unit.text[:c.start - c.unit.start])))]
    asked = [fits for rx, fits in wants if rx.search(question)]
    return not asked or any(asked)


def _threshold(q: Question) -> float:
    return ANSWERABLE.get(q.kind, ANSWERABLE_TEXT)


def _companions(q: Question, best: Candidate, ranked: list[Candidate], scorer: Scorer) -> list[Candidate]:
    if best.kind == "entity" and q.kind == "list":  # "những phòng nào": every body of the chosen sentence
        return [c for c in ranked if c.unit is best.unit and c.value != best.value][:LIST_BODIES]
    if not q.figure:
        return []
    if q.kind == "decision" and q.plural:  # "những quyết định nào": every reference of the sentence
        same = [c for c in ranked if c.unit is best.unit and c.code != best.code and c.score >= PLURAL_RATIO * best.score]
        return list({c.code: c for c in same}.values())[:LIST_REFS]
    if q.more_counted:  # one value per asked part, from the same report
        return [c for part in q.more_counted if (c := _part_value(part, best, ranked, scorer)) is not None]
    covered = scorer.coverage(best.context)
    out = []
    for c in ranked:
        if c.hit_index != best.hit_index or c is best or c.value == best.value or c.score < COMPANION_RATIO * best.score:
            continue
        if scorer.coverage(f"{best.context} {c.context}") - covered >= COMPANION_GAIN:
            out.append(c)
            break
    return out


def _part_value(part: str, best: Candidate, ranked: list[Candidate], scorer: Scorer) -> Candidate | None:
    """The best value of ``best``'s report whose own noun or clause names ``part``."""
    words = [w for w in fold(part).split() if len(w) > 1]
    for c in ranked:
        if c.unit.doc != best.unit.doc or c.value == best.value and c.start == best.start:
            continue
        near = set(fold(f"{c.noun} {c.context}").split())
        if words and sum(w in near for w in words) / len(words) >= PART_MATCH:
            return c
    return None


def best_per_report(ranked: list[Candidate]) -> dict[str, Candidate]:
    best: dict[str, Candidate] = {}
    for c in ranked:
        best.setdefault(c.unit.doc, c)
    return best


def line_for(q: Question, choice: Choice, units: list[Unit], scorer: Scorer, several: bool = False) -> str:
    c = choice.best
    if q.kind == "decision":
        return references_line([c] + choice.companions)
    if q.figure:
        return value_line(c, choice.companions)
    if c.kind == "entity":
        names = list(dict.fromkeys([c.value] + [o.value for o in choice.companions]))
        while len(names) > 1 and len("; ".join(names)) > LIST_CHARS:  # the best-scored names fit
            names.pop()
        return "; ".join(names)
    if q.kind == "yesno":
        return yesno_line(q, c, scorer)
    if q.kind == "list":
        heading = c.context[len(c.unit.text):]  # clause candidates carry their section's heading
        return list_line(c, units, scorer, whole=scorer.phrase(heading) > 0, one_line=several)
    return clause_line(q, c, scorer)


def answer(q: Question, hits: list[Hit], units: list[Unit], idf: dict[str, float], *,
           per_report: bool = False, ranked: list[Candidate] | None = None,
           prefer: Candidate | None = None) -> tuple[Draft, list[Candidate]]:
    """The short answer for ``q`` and the ranked candidates it was chosen from; ``prefer``
    (a candidate of ``ranked`` the model chose) replaces the code's single choice."""
    ranked = ranked if ranked is not None else candidates_for(q, units, idf, hits)
    if not hits or not ranked or ranked[0].score < _threshold(q):
        d = not_found(q.text)
        d.confidence = ranked[0].score if ranked else 0.0
        return d, ranked
    scorer = Scorer(q, idf)
    chosen = [prefer or ranked[0]]
    if per_report or q.comparison:
        ratio = 0.0 if q.comparison else PER_REPORT_RATIO
        floor = max(_threshold(q), ratio * ranked[0].score)
        chosen = [c for c in best_per_report(ranked).values() if c.score >= floor]
    choices = [Choice(c, _companions(q, c, ranked, scorer)) for c in chosen]
    return compose(q, hits, choices, units, scorer, several=len(choices) > 1), ranked


def _renamed(q: Question, hit: Hit) -> bool:
    """The question names a province, but not the one this report names (a merged old one)."""
    prov = hit.meta.province
    return bool(q.provinces and prov and fold(prov) not in fold(q.text))


def compose(q: Question, hits: list[Hit], choices: list[Choice], units: list[Unit], scorer: Scorer,
            several: bool) -> Draft:
    """One line per chosen report (or one line), each with its citation marks."""
    lines, cites = [], []
    for ch in choices:
        used = [ch.best.unit] + [o.unit for o in ch.companions if o.unit is not ch.best.unit]
        marks = []
        for u in used:
            n = u.hit_index + 1
            cites.append(cite_unit(n, hits[u.hit_index], u))
            marks.append(n)
        body = line_for(q, ch, units, scorer, several)
        tail = "".join(f"[{n}]" for n in dict.fromkeys(marks))
        hit = hits[ch.best.hit_index]
        if several:
            lines.append(f"- {report_label(hit)}: {body} {tail}")
        elif _renamed(q, hit):  # asked by the new province's name: say which old report answered
            lines.append(f"Theo báo cáo của {hit.meta.body or 'đơn vị'} {report_label(hit)}: {body} {tail}")
        else:
            lines.append(f"{body} {tail}")
    return Draft("\n".join(lines), merged(cites, hits), confidence=choices[0].best.score)


_TITLE = re.compile(r"(?:KT\.\s*|TM\.\s*|Q\.\s*)?(?:PHÓ\s+)?(?:GIÁM ĐỐC|CHỦ TỊCH|TRƯỞNG BAN|CHÁNH VĂN PHÒNG|"
                    r"TRƯỞNG PHÒNG|THỦ TRƯỞNG|BỘ TRƯỞNG)(?:\s+(?:PHÓ\s+)?(?:GIÁM ĐỐC|CHỦ TỊCH))?")


def signer_answer(q: Question, hits: list[Hit], doc_text: Callable[[str], str | None]) -> tuple[Draft, Hit] | None:
    """"Ai ký …?": the signer the report's metadata found under its signing title, quoted from
    the signature block of the report's text (title and name)."""
    for hit in hits:
        name, text = hit.meta.signer, doc_text(hit.chunk.doc_name)
        if not name or not text or name not in text:
            continue
        pos = text.rindex(name)
        titles = list(_TITLE.finditer(text, max(0, pos - 120), pos))
        start = titles[-1].start() if titles else pos
        title = " ".join(titles[-1].group(0).split()).capitalize() if titles else ""
        block = Chunk(f"{hit.chunk.doc_id}:signature", hit.chunk.doc_id, hit.chunk.doc_name, "Chữ ký",
                      text[start:pos + len(name)], start, pos + len(name))
        sign_hit = Hit(block, hit.score, hit.meta)
        cite = Citation(1, block.doc_name, block.section, block.text, block.start, block.end,
                        hit.meta.province, hit.meta.period)
        label = f"{name} ({title})" if title else name
        return Draft(f"{label} [1]", [cite], confidence=1.0), sign_hit
    return None
