"""Drafting a new report section (or a whole outline) from past reports, grounded and cited.

    >>> d = asst.draft("Soạn mục 'Cải cách thủ tục hành chính' cho báo cáo CCHC năm 2021 "  # doctest: +SKIP
    ...                "của Sở KH&CN Khánh Hòa")
    >>> print(d.markdown)          # doctest: +SKIP
    >>> d.to_json()["citations"]   # doctest: +SKIP

``d.markdown`` is the draft with [n] markers and [cập nhật: …] placeholders; its citations are
``{n, doc, section, quote, start, end}``, the quotes cut from the reports by offsets.

Steps, all in code: parse the instruction (:mod:`assistant.draft_request`) → pick the source
report(s): same province (and body), by default the most recent period before the target
(``source_docs`` overrides) → find the matching section by its heading (:mod:`assistant.outline`)
→ rewrite it sentence by sentence for the new period (:mod:`assistant.draft_compose`,
:mod:`assistant.draft_section`) → a model, if any, only suggests an opening sentence → the
grounding check (:mod:`assistant.draft_check`) takes out every figure no cited quote supports.
"""
from __future__ import annotations

import datetime as _dt
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Callable

import prompts
from assistant.draft_check import check_markdown, markers, placeholders
from assistant.draft_compose import Citer, Context, Source, placeholder
from assistant.draft_request import DraftRequest, Period, parse_period, parse_request, year_period
from assistant.draft_section import outline_blocks, section_blocks
from assistant.outline import SectionMatch, find_paragraphs, find_section
from assistant.records import Citation
from index.catalog import DocRecord
from ingest.structure import build_sections
from ingest.textkeys import fold

log = logging.getLogger(__name__)
INTRO_TOKENS = 80
INTRO_CHARS = 420
INTRO_BUDGET_S = 45.0  # stop reading the model after this (the extractive draft never waits on it)
EXCERPT_CHARS = 350


@dataclass
class ReportDraft:
    """What :func:`draft_report` returns; ``to_json`` is the shape ``cchc eval-draft`` scores."""

    instruction: str
    kind: str
    markdown: str
    citations: list[Citation] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    title: str = ""
    target: str | None = None
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    backend: str = "extractive"
    timings: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"instruction": self.instruction, "kind": self.kind, "title": self.title, "target": self.target,
                "markdown": self.markdown, "citations": [c.to_json() for c in self.citations],
                "placeholders": self.placeholders, "sources": self.sources, "notes": self.notes,
                "removed": self.removed, "backend": self.backend, "timings": self.timings}


# ---- sources --------------------------------------------------------------------------------
def doc_period(d: DocRecord) -> Period | None:
    return parse_period(d.meta.period) if d.meta.period else None


def _rank_key(req: DraftRequest, d: DocRecord) -> tuple:
    p = doc_period(d)
    if p is None:
        return (False, False, False, (0, 0), False, False)
    base = req.base
    exact = base is not None and fold(p.label) == fold(base.label)
    overlap = base is not None and p.start <= base.key and base.start <= p.key
    before = req.target is None or (p.key <= req.target.key and p != req.target)
    return (exact, overlap, before, p.key, p.annual, (d.meta.doc_type or "") == "báo cáo")


def pick_sources(req: DraftRequest, docs: list[DocRecord], source_docs: list[str] | None) -> tuple[list[DocRecord], list[str]]:
    """Candidate source reports, best first, and notes for the user."""
    by_name = {d.doc_name: d for d in docs}
    if source_docs:
        unknown = [n for n in source_docs if n not in by_name]
        notes = [f"Không có báo cáo '{n}' trong thư viện." for n in unknown]
        return [by_name[n] for n in source_docs if n in by_name], notes
    cands = list(docs)
    if req.province:
        cands = [d for d in cands if d.meta.province == req.province]
        if not cands:
            return [], [f"Thư viện chưa có báo cáo nào của tỉnh {req.province} (chọn báo cáo nguồn bằng --from)."]
    if req.body:
        cands = [d for d in cands if d.meta.body == req.body] or cands
    return sorted(cands, key=lambda d: _rank_key(req, d), reverse=True), []


def load_source(d: DocRecord, text_of: Callable[[str], str | None]) -> Source | None:
    text = text_of(d.doc_name)
    if not text:
        return None
    return Source(d.doc_name, d.meta, text, doc_period(d), build_sections(text))


# ---- drafting -------------------------------------------------------------------------------
def _allowed(req: DraftRequest, sources: list[Source]) -> list[str]:
    """Texts whose numbers the draft may write plainly: the instruction and the sources' periods."""
    return [req.instruction] + [s.period.label for s in sources if s.period]


def _context(req: DraftRequest, src: Source | None, allowed: list[str], citer: Citer | None = None) -> Context:
    """How to move ``src``'s sentences to the target period; its period statement gets cited."""
    base = (src.period if src else None) or req.base
    target = req.target or (base.following() if base else year_period(_dt.date.today().year))
    span = src.period_span() if src is not None and citer is not None else None
    ref = f" [{citer.cite(src, *span)}]" if span else ""
    return Context(target, base, set(re.findall(r"\d{4}", " ".join(allowed))), ref)


def _matches(req: DraftRequest, sources: list[Source], title: str, explicit: bool) -> list[tuple[Source, SectionMatch]]:
    """The section ``title`` in each given source (explicit), else in the best source that has it."""
    found = [(s, m) for s in sources if (m := find_section(s.paragraphs, title)) is not None]
    if not found:  # no heading matches: paragraphs about the title, in the best source having some
        found = [(s, m) for s in sources[:1] if (m := find_paragraphs(s.paragraphs, title)) is not None]
    return found if explicit else found[:1]


def _section_blocks(req: DraftRequest, sources: list[Source], explicit: bool, citer: Citer,
                    allowed: list[str], notes: list[str]) -> tuple[list[str], list[Source]]:
    blocks: list[str] = []
    used: list[Source] = []
    seen: set[str] = set()
    for title in req.titles:
        found = _matches(req, sources, title, explicit)
        if not found:
            ctx = _context(req, sources[0] if sources else None, allowed)
            notes.append(f"Không tìm thấy mục «{title}» trong báo cáo nguồn.")
            blocks += [f"## {title}", placeholder(f"nội dung mục «{title}» {ctx.target.label}")]
            continue
        for i, (src, match) in enumerate(found):
            ctx = _context(req, src, allowed, citer)
            if i:
                blocks.append(f"### Bổ sung từ {src.label()}")
            blocks += section_blocks(src, match, ctx, citer, seen, level=2 if not i else 4, with_parents=not i)
            used += [src] if src not in used else []
    return blocks, used


def _header(req: DraftRequest, used: list[Source], ctx: Context) -> list[str]:
    what = (f"mục «{'», «'.join(req.titles)}»" if req.kind == "section" else "đề cương")
    title = f"# Dự thảo {what} — báo cáo cải cách hành chính {ctx.target_text()}"
    if not used:
        return [title, "*Không tìm thấy báo cáo nguồn phù hợp trong thư viện.*"]
    note = (f"*Soạn từ {used[0].label()}*{ctx.period_ref}. *Nội dung kế thừa giữ nguyên văn và có trích dẫn; số "
            "liệu, văn bản của kỳ mới để ở chỗ «cập nhật»; dòng «Kỳ trước» là nguyên văn kỳ trước, chỉ để đối chiếu.*")
    return [title, note]


def draft_report(instruction: str, docs: list[DocRecord], text_of: Callable[[str], str | None],
                 source_docs: list[str] | None = None, generator=None) -> ReportDraft:
    """Draft what ``instruction`` asks for from the reports ``docs`` (texts from ``text_of``)."""
    t0 = time.perf_counter()
    req = parse_request(instruction)
    ranked, notes = pick_sources(req, docs, source_docs)
    sources = [s for d in ranked if (s := load_source(d, text_of)) is not None]
    citer = Citer()
    allowed = _allowed(req, sources)
    if req.kind == "section":
        blocks, used = _section_blocks(req, sources, bool(source_docs), citer, allowed, notes)
    else:
        used = sources[:1]
        blocks = outline_blocks(used[0], _context(req, used[0], allowed, citer), citer) if used else []
    allowed = _allowed(req, used)
    ctx = _context(req, used[0] if used else None, allowed, citer)
    head = _header(req, used, ctx)
    timings: dict = {}
    intro = _model_intro(generator, req, used, blocks, ctx, timings) if generator is not None and used else None
    md = "\n\n".join(head + ([intro] if intro else []) + blocks)
    return _finish(req, md, citer, allowed, used, ctx, notes, generator, timings, t0)


def _finish(req, md, citer, allowed, used, ctx, notes, generator, timings, t0) -> ReportDraft:
    """Grounding check, then the record (only the citations the final text refers to)."""
    quotes = {c.n: c.quote for c in citer.citations}
    checked = check_markdown(md, quotes, allowed)
    if checked.removed:
        log.info("draft grounding check removed %s", checked.removed)
    cited = {n for line in checked.markdown.split("\n") for n in markers(line)}
    if used:
        notes.insert(0, "Báo cáo nguồn: " + "; ".join(f"{s.doc} ({s.label()})" for s in used))
    timings["total_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return ReportDraft(req.instruction, req.kind, checked.markdown, [c for c in citer.citations if c.n in cited],
                       placeholders(checked.markdown), ", ".join(req.titles) or "đề cương", ctx.target.label,
                       [s.doc for s in used], notes, checked.removed,
                       getattr(generator, "name", None) or "extractive", timings)


# ---- optional model polish ------------------------------------------------------------------
def _excerpt(blocks: list[str]) -> str:
    body = [b for b in blocks if b and not b.startswith(("#", ">", "*", "[cập nhật"))]
    text = re.sub(r"\[\d+\]|\[cập nhật:[^\]]*\]", "", " ".join(body))
    return " ".join(text.split())[:EXCERPT_CHARS]


def _model_intro(generator, req: DraftRequest, used: list[Source], blocks: list[str], ctx: Context,
                 timings: dict) -> str | None:
    """One opening sentence suggested by the model (never cited; its figures go through the check)."""
    t0 = time.perf_counter()
    section = ", ".join(req.titles) or "đề cương báo cáo"
    msgs = [{"role": "system", "content": prompts.render("draft_system").strip()},
            {"role": "user", "content": prompts.render("draft_intro", section=section, report=used[0].label(),
                                                       period=ctx.target.label, excerpt=_excerpt(blocks)).strip()}]
    pieces: list[str] = []
    stream = None
    try:
        stream = generator.generate(msgs, max_tokens=INTRO_TOKENS, temperature=0.0)
        for piece in stream:
            pieces.append(piece)
            if time.perf_counter() - t0 > INTRO_BUDGET_S:
                log.info("draft intro: model over its time budget, cut")
                break
    except Exception as e:  # the model is optional polish: the extractive draft stands
        log.warning("draft intro generator failed: %s", e)
        return None
    finally:
        getattr(stream, "close", lambda: None)()  # releases the model when the stream was cut
        timings["model_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    text = " ".join(re.sub(r"[\[\]#*>_`<]|https?://\S+", " ", "".join(pieces)).split())
    sentences = [x for x in re.split(r"(?<=[.!?])\s+", text) if x.endswith((".", "!", "?"))]
    text = " ".join(sentences[:2])[:INTRO_CHARS].strip()
    return f"*Gợi ý mở đầu (do mô hình soạn, cần rà soát):* {text}" if len(text) >= 20 else None


def generator_for(llm: str | None, home=None):
    """The generator named ``llm`` (None for ``extractive``)."""
    if not llm or llm == "extractive":
        return None
    from assistant.generators import get_generator

    return get_generator(llm, **({"home": home} if llm.startswith("local") else {}))

