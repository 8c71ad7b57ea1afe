"""Pure HTML/Markdown rendering for the chat UI (no Gradio, no I/O): easy to test.

Every piece of report or model text goes through :func:`safe_text` (markdown images and links
reduced to their text) and :func:`html.escape`; nothing here emits scripts, event handlers,
images or external links. Output HTML has no newlines so the chat's Markdown renderer passes it
through as one raw HTML block instead of interpreting report text as Markdown.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?[^)\s>]*>?(?:\s+\"[^\"]*\")?\s*\)")
_CITE = re.compile(r"\[(\d{1,3})\]")
CONTEXT_CHARS = 300
# Our own page script (never report text): chips scroll to their card; a card's "Xem toàn văn"
# button writes "turn:n" (read from its card's id) into a hidden textbox whose change event renders the full text.
HEAD_JS = """<script>
document.addEventListener('click', (e) => {
  const chip = e.target.closest && e.target.closest('a.cchc-chip');
  if (chip) { e.preventDefault(); const id = (chip.getAttribute('href') || '').slice(1);
    const card = id && document.getElementById(id);
    if (card) { card.scrollIntoView({block: 'center'}); card.classList.add('cchc-flash');
      setTimeout(() => card.classList.remove('cchc-flash'), 1200); } return; }
  const btn = e.target.closest && e.target.closest('button.cchc-open');
  if (btn) { e.preventDefault(); const box = document.querySelector('#cchc-open textarea, #cchc-open input');
    const card = btn.closest('.cchc-card'); const m = card && card.id.match(/^cchc-src-(\\d+)-(\\d+)$/);
    if (box && m) { box.value = m[1] + ':' + m[2] + '|' + Date.now();
      box.dispatchEvent(new Event('input', {bubbles: true})); } }
}, true);
</script>"""
CSS = """
.cchc-chip{display:inline-block;padding:0 .4em;margin:0 .1em;border-radius:.8em;background:#dbeafe;
 color:#1e3a8a !important;font-size:.85em;text-decoration:none !important;font-weight:600}
.cchc-card{border:1px solid #d1d5db;border-left:4px solid #2563eb;border-radius:6px;padding:.5em .7em;margin:.5em 0}
.cchc-card-head{font-weight:600}.cchc-sec{color:#4b5563;font-size:.85em;margin:.2em 0}
.cchc-quote{font-size:.9em;line-height:1.45}.cchc-sources-title{font-weight:700;margin-top:.8em}
.cchc-quote mark,.cchc-full mark{background:#fde68a;color:inherit}
.cchc-full-text{white-space:pre-wrap;max-height:480px;overflow-y:auto;border:1px solid #e5e7eb;padding:.6em}
.cchc-flash{outline:3px solid #f59e0b}.cchc-open{float:right;font-size:.8em;padding:0 .5em;border:1px solid #9ca3af;
 border-radius:4px;background:#f9fafb;cursor:pointer}
.cchc-full-title{font-weight:700;margin-bottom:.3em}.cchc-error{color:#b91c1c}.cchc-note{color:#6b7280}
"""


@dataclass(frozen=True)
class Span:
    """A cited span of one report: ``text[start:end]`` of ``doc``'s normalised text."""

    n: int
    doc: str
    section: str
    start: int
    end: int
    province: str | None = None
    period: str | None = None


def safe_text(text: str | None) -> str:
    """Drop markdown image syntax (keep the alt text) and turn markdown links into their text."""
    text = _MD_IMAGE.sub(lambda m: m.group(1), text or "")
    return _MD_LINK.sub(lambda m: m.group(1), text)


def esc(text: str | None) -> str:
    """Escape for HTML (quotes too) after :func:`safe_text`; newlines become ``<br>``."""
    return html.escape(safe_text(text), quote=True).replace("\r", "").replace("\n", "<br>")


def anchor_id(turn: int, n: int) -> str:
    """The element id of source card ``n`` of answer ``turn``."""
    return f"cchc-src-{int(turn)}-{int(n)}"


def chips(text: str, turn: int, known: Iterable[int] | None = None) -> str:
    """Escape ``text`` and render each ``[n]`` (for a known citation) as a chip linking to its card."""
    allowed = set(known) if known is not None else None

    def chip(m: re.Match) -> str:
        n = int(m.group(1))
        if allowed is not None and n not in allowed:
            return m.group(0)
        return f'<a class="cchc-chip" href="#{anchor_id(turn, n)}" title="Nguồn [{n}]">[{n}]</a>'

    return _CITE.sub(chip, esc(text))


def highlight(text: str, start: int, end: int, mark_id: str | None = None) -> str:
    """Escape ``text`` with ``text[start:end]`` wrapped in ``<mark>``."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    attr = f' id="{html.escape(mark_id, quote=True)}"' if mark_id else ""
    return f"{esc(text[:start])}<mark{attr}>{esc(text[start:end])}</mark>{esc(text[end:])}"


def paragraph_bounds(doc_len: int, span: Span, chunks: Sequence[tuple[str, int, int]] = ()) -> tuple[int, int]:
    """The chunk (doc, start, end) that contains the span, else a window of context around it."""
    for doc, s, e in chunks:
        if doc == span.doc and s <= span.start and span.end <= e:
            return s, e
    return max(0, span.start - CONTEXT_CHARS), min(doc_len, span.end + CONTEXT_CHARS)


def report_label(province: str | None, period: str | None, doc: str) -> str:
    """``Khánh Hòa · năm 2020 · 000_….txt`` (escaped)."""
    parts = [province or "(không rõ tỉnh)"] + ([period] if period else []) + [doc]
    return " · ".join(esc(p) for p in parts)


def source_card(span: Span, doc_text: str | None, turn: int, chunks: Sequence[tuple[str, int, int]] = ()) -> str:
    """One source card: report, section path and the verbatim quote highlighted in its paragraph."""
    head = (f'<div class="cchc-card-head"><span class="cchc-n">[{span.n}]</span> '
            f"{report_label(span.province, span.period, span.doc)} "
            f'<button class="cchc-open">Xem toàn văn</button></div>')
    section = f'<div class="cchc-sec">{esc(span.section) or "(không có mục)"}</div>'
    if doc_text is None:
        body = '<div class="cchc-quote">(không còn toàn văn báo cáo này)</div>'
    else:
        s, e = paragraph_bounds(len(doc_text), span, chunks)
        body = f'<div class="cchc-quote">{highlight(doc_text[s:e], span.start - s, span.end - s)}</div>'
    return f'<div class="cchc-card" id="{anchor_id(turn, span.n)}">{head}{section}{body}</div>'


def answer_html(text: str, spans: Sequence[Span], turn: int, cards: Sequence[str] = (),
                abstained: bool = False) -> str:
    """The assistant message: answer with citation chips, then the source cards."""
    body = f'<div class="cchc-answer">{chips(text, turn, [s.n for s in spans])}</div>'
    if abstained:
        body += '<div class="cchc-note">Không tìm thấy thông tin trong các báo cáo đã chọn.</div>'
    if cards:
        body += f'<div class="cchc-sources"><div class="cchc-sources-title">Nguồn trích dẫn</div>{"".join(cards)}</div>'
    return f'<div class="cchc-msg">{body}</div>'


def partial_html(text: str, turn: int) -> str:
    """A message while the answer streams in (chips without cards yet)."""
    return f'<div class="cchc-msg"><div class="cchc-answer">{chips(text, turn)}▍</div></div>'


def user_html(question: str) -> str:
    return f'<div class="cchc-q">{esc(question)}</div>'


def error_html(message: str) -> str:
    return f'<div class="cchc-error">⚠️ {esc(" ".join(message.split()))}</div>'


def fulltext_html(text: str | None, span: Span | None, doc: str) -> str:
    """The whole report, with the cited span marked (``id="cchc-hit"``) so it can be scrolled to."""
    if text is None:
        return f'<div class="cchc-error">Không tìm thấy báo cáo {esc(doc)}.</div>'
    title = report_label(span.province, span.period, doc) if span else esc(doc)
    inner = highlight(text, span.start, span.end, "cchc-hit") if span else esc(text)
    return (f'<div class="cchc-full"><div class="cchc-full-title">Toàn văn: {title}</div>'
            f'<div class="cchc-full-text">{inner}</div></div>')


def scope_text(docs: Sequence[str] = (), provinces: Sequence[str] = (), years: Sequence[int | str] = ()) -> str:
    """One line describing the active scope, e.g. ``Phạm vi: tỉnh Khánh Hòa · năm 2020``."""
    parts = []
    if docs:
        parts.append(f"{len(docs)} báo cáo ({', '.join(docs)})")
    if provinces:
        parts.append("tỉnh " + ", ".join(provinces))
    if years:
        parts.append("năm " + ", ".join(str(y) for y in years))
    return "Phạm vi: " + (" · ".join(parts) if parts else "tất cả báo cáo")


def cite_choice(span: Span) -> str:
    """Dropdown label for one citation of the latest answer."""
    return f"[{span.n}] {span.province or '(không rõ tỉnh)'}, {span.period or '—'} ({span.doc})"


def to_markdown(turns: Sequence[dict]) -> str:
    """The conversation with its citations as Markdown (quotes as block quotes, no links/images)."""
    out = ["# Hội thoại — trợ lý báo cáo CCHC", ""]
    for i, t in enumerate(turns, 1):
        out += [f"## Câu hỏi {i}", "", safe_text(t["question"]), "", "**Trả lời:**", "",
                safe_text(t["answer"]), ""]
        for c in t.get("citations", []):
            label = f"{c.get('province') or '(không rõ tỉnh)'}, {c.get('period') or '—'} ({c['doc']})"
            out += [f"- [{c['n']}] {label} — {c.get('section') or ''}", "",
                    "  > " + safe_text(c["quote"]).replace("\n", "\n  > "), ""]
    return "\n".join(out).rstrip() + "\n"
