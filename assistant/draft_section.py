"""Markdown blocks of a drafted section (one report section rewritten for the new period) and of
a whole-report outline. Every block is one markdown line; lines that state facts carry ``[n]``.
"""
from __future__ import annotations

import re

from assistant.draft_check import unsupported
from assistant.draft_compose import (Citer, Context, Source, classify, heading_text, is_table_row,
                                     placeholder, render, superseded, durable, template_repls, units)
from assistant.outline import BY_KEY, STANDARD, Area, SectionMatch, area_of, headings, is_closing
from ingest.structure import SEP, Paragraph, strip_markup
from ingest.textkeys import fold

MAX_PER_KIND = 3  # outline: previous-period sentences shown per item and kind


def _hashes(level: int) -> str:
    return "#" * max(1, min(6, level))


def heading_line(src: Source, p: Paragraph, level: int, ctx: Context, citer: Citer) -> str:
    """``## II. KẾT QUẢ …`` — cited when the heading itself states a figure or code."""
    text = heading_text(p, ctx)
    if unsupported(text, {}, sorted(ctx.allowed)):
        bare = strip_markup(p.text)
        start = p.start + max(0, p.text.find(bare))
        text += f" [{citer.cite(src, p.section, start, start + len(bare))}]"
    return f"{_hashes(level)} {text}"


def _prefix(p: Paragraph) -> str:
    head = p.text.lstrip()[:1]
    return "  - " if head == "+" else "- " if head in "-•" else ""


def ref_part(src: Source, p: Paragraph, start: int, end: int, citer: Citer) -> str:
    """An old sentence, verbatim and cited: shown for comparison, never claimed for the new period."""
    return f"{render(src.text[start:end])} [{citer.cite(src, p.section, start, end)}]"


def ref_line(parts: list[str], ctx: Context) -> str:
    """``> *Kỳ trước (năm 2020)* [1]: <old sentences> [n] …`` (one line per source paragraph)."""
    return f"> {ctx.ref_label()}: {' '.join(parts)}"


def paragraph_blocks(src: Source, p: Paragraph, ctx: Context, citer: Citer, seen: set[str]) -> list[str]:
    """One paragraph of the source written for the new period, then its old sentences for reference."""
    main: list[str] = []
    refs: list[str] = []
    todo = placeholder(f"nội dung tương ứng {ctx.target.label}")
    for u in units(src.text, p):
        key = fold(u.text)
        if key in seen:
            continue
        seen.add(key)
        mode = classify(u.text, ctx)
        n = citer.cite(src, p.section, u.start, u.end)
        if mode == "carry":
            main.append(f"{render(u.text)} [{n}]")
            continue
        if mode == "template":
            main.append(f"{render(u.text, template_repls(u.text, ctx))} [{n}]")
        elif not main or main[-1] != todo:
            main.append(todo)
        refs.append(ref_part(src, p, u.start, u.end, citer))
    return ([_prefix(p) + " ".join(main)] if main else []) + ([ref_line(refs, ctx)] if refs else [])


def _row_span(p: Paragraph) -> tuple[int, int]:
    lead = len(p.text) - len(p.text.lstrip(" -+*"))
    return p.start + lead, p.start + len(p.text.rstrip())


def _table_blocks(src: Source, rows: list[Paragraph], ctx: Context, citer: Citer) -> list[str]:
    """A table of the old report: one placeholder for the new figures and one cited reference line
    with all its rows (``|`` between rows), the whole table as the quote."""
    start, end = _row_span(rows[0])[0], _row_span(rows[-1])[1]
    n = citer.cite(src, rows[0].section, start, end)
    shown = " | ".join(render(src.text[slice(*_row_span(r))]) for r in rows)
    return [placeholder(f"bảng số liệu {ctx.target.label}"), f"> {ctx.ref_label()}: bảng «{shown}» [{n}]"]


def body_blocks(src: Source, paragraphs: list[Paragraph], root: Paragraph, level: int, ctx: Context,
                citer: Citer, seen: set[str]) -> list[str]:
    """The paragraphs of a section: sub-headings as deeper headings, tables as one placeholder,
    footnotes as cited references only."""
    blocks: list[str] = []
    rows: list[Paragraph] = []
    for p in paragraphs:
        table = is_table_row(p.text) and not p.is_heading
        if rows and not table:
            blocks += _table_blocks(src, rows, ctx, citer)
            rows = []
        if table:
            rows.append(p)
        elif p.is_heading:
            depth = p.section.count(SEP) - root.section.count(SEP)
            blocks.append(heading_line(src, p, level + depth, ctx, citer))
        elif p.is_footnote:
            blocks.append(ref_line([ref_part(src, p, u.start, u.end, citer) for u in units(src.text, p)], ctx))
        else:
            blocks += paragraph_blocks(src, p, ctx, citer, seen)
    return blocks + (_table_blocks(src, rows, ctx, citer) if rows else [])


def update_line(area: Area | None, ctx: Context) -> str:
    """``*Cần cập nhật:* [cập nhật: …]`` from the standard outline's ``area``."""
    what = area.update.format(period=ctx.target.label) if area else f"nội dung {ctx.target.label}"
    return f"*Cần cập nhật:* {placeholder(what)}"


def section_blocks(src: Source, match: SectionMatch, ctx: Context, citer: Citer, seen: set[str],
                   level: int = 2, with_parents: bool = True) -> list[str]:
    """A drafted section: the headings above it, its heading, what to update, then its body."""
    blocks = []
    parents = match.parents if with_parents else []
    for i, par in enumerate(parents):
        blocks.append(heading_line(src, par, level + i, ctx, citer))
    own = level + len(parents)
    blocks.append(heading_line(src, match.heading, own, ctx, citer))
    blocks.append(update_line(area_of(match.heading.text), ctx))
    blocks += body_blocks(src, match.paragraphs, match.heading, own, ctx, citer, seen)
    blocks.append(placeholder(f"nhiệm vụ, kết quả mới phát sinh trong {ctx.target.label}"))
    return blocks


# ---- whole-report outline ----------------------------------------------------------------------
def _direct(src: Source, h: Paragraph) -> list[Paragraph]:
    i = src.paragraphs.index(h)
    out = []
    for p in src.paragraphs[i + 1:]:
        if p.is_heading or p.section != h.section or is_closing(p):
            break
        out.append(p)
    return out


def _kind(text: str, ctx: Context) -> str:
    if superseded(text, durable(text), ctx):
        return "old"
    if classify(text, ctx) == "template":
        return "fig"
    return "keep" if re.search(r"\d+\S*/[A-ZĐ]", text) else "text"


def _samples(src: Source, h: Paragraph, ctx: Context, citer: Citer) -> list[str]:
    """A few old sentences per kind: figures to update, documents to replace, documents to keep
    (plain sentences only when there is nothing else)."""
    picked: dict[str, list[str]] = {"fig": [], "old": [], "keep": [], "text": []}
    labels = {"fig": "Số liệu kỳ trước", "old": "Văn bản kỳ trước cần thay", "keep": "Có thể kế thừa",
              "text": "Nội dung kỳ trước"}
    for p in _direct(src, h):
        if is_table_row(p.text):
            continue
        for u in units(src.text, p):
            kind = _kind(u.text, ctx)
            if len(picked[kind]) < MAX_PER_KIND:
                n = citer.cite(src, p.section, u.start, u.end)
                picked[kind].append(f"- *{labels[kind]}:* {render(u.text)} [{n}]")
    out = picked["fig"] + picked["old"] + picked["keep"]
    return out or picked["text"]


def outline_blocks(src: Source, ctx: Context, citer: Citer) -> list[str]:
    """Each heading of the last report, retitled for the new period, with what must be updated."""
    blocks: list[str] = []
    hs = headings(src.paragraphs)
    areas = {h.section: area_of(h.text) for h in hs}
    for h in hs:
        depth = h.section.count(SEP)
        blocks.append(heading_line(src, h, 2 + depth, ctx, citer))
        parent = areas.get(h.section.rsplit(SEP, 1)[0]) if depth else None
        has_body = bool(_direct(src, h)) or not any(x.section.startswith(h.section + SEP) for x in hs)
        if areas[h.section] is not None and areas[h.section] != parent:
            blocks.append("- " + update_line(areas[h.section], ctx))
        elif has_body:
            blocks.append(f"- *Cần cập nhật:* {placeholder(f'kết quả {ctx.target.label}')}")
        blocks += _samples(src, h, ctx, citer) if has_body else []
    missing = [a for a in STANDARD if a not in areas.values() and a.key != "ket_qua"]
    if missing:
        blocks.append("## Mục cần bổ sung theo bố cục chuẩn của báo cáo CCHC")
        for a in missing:
            parent = f" (thuộc phần «{BY_KEY[a.parent].title}»)" if a.parent else ""
            blocks += [f"### {a.title}{parent}", "- " + update_line(a, ctx)]
    return blocks
