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
_SUP = re.compile(r"&lt;sup&gt;(\d{1,3})&lt;/sup&gt;")  # a report's footnote mark, once escaped
CHECKING = "đang kiểm tra…"
CONTEXT_CHARS = 300
# Our own page script (never report text): a chip scrolls the source panel to its card (or, for an
# older answer whose cards have left the panel, opens that source's full text); a card's "Xem toàn
# văn" button does the same. Both write "turn:n|time" into a hidden textbox whose change event
# renders the full text with the quote marked.
HEAD_JS = """<script>
function cchcOpen(turn, n) {
  const box = document.querySelector('#cchc-open textarea, #cchc-open input');
  if (box) { box.value = turn + ':' + n + '|' + Date.now(); box.dispatchEvent(new Event('input', {bubbles: true})); }
}
document.addEventListener('click', (e) => {
  const chip = e.target.closest && e.target.closest('a.cchc-chip');
  if (chip) { e.preventDefault(); const id = (chip.getAttribute('href') || '').slice(1);
    const card = id && document.querySelector('#cchc-sources-panel [id="' + id + '"]');
    const m = id.match(/^cchc-src-(\\d+)-(\\d+)$/);
    if (card) { card.scrollIntoView({block: 'center'}); card.classList.add('cchc-flash');
      setTimeout(() => card.classList.remove('cchc-flash'), 1200); }
    else if (m) { cchcOpen(m[1], m[2]); } return; }
  const btn = e.target.closest && e.target.closest('button.cchc-open');
  if (btn) { e.preventDefault(); const card = btn.closest('.cchc-card');
    const m = card && card.id.match(/^cchc-src-(\\d+)-(\\d+)$/); if (m) cchcOpen(m[1], m[2]); }
}, true);
</script>"""
FONTS = '"Noto Sans", "Be Vietnam Pro", "DejaVu Sans", "Liberation Sans", Arial, sans-serif'
CSS = """
:root, .gradio-container {--font: %s; --font-mono: "DejaVu Sans Mono", "Noto Sans Mono", monospace}
.gradio-container, #cchc-library, #cchc-library * {font-family: var(--font) !important}
.cchc-chip{display:inline-block;padding:0 .4em;margin:0 .1em;border-radius:.8em;background:#dbeafe;
 color:#1e3a8a !important;font-size:.85em;text-decoration:none !important;font-weight:600;cursor:pointer}
.cchc-card{border:1px solid #d1d5db;border-left:4px solid #2563eb;border-radius:6px;padding:.5em .7em;margin:.5em 0}
.cchc-card-head{font-weight:600}.cchc-sec{color:#4b5563;font-size:.85em;margin:.2em 0}
.cchc-doc-meta{font-weight:400;color:#374151}.cchc-doc-name{font-weight:400;color:#6b7280;font-size:.8em}
.cchc-quote{font-size:.9em;line-height:1.45}.cchc-sources-title{font-weight:700;margin-bottom:.3em}
.cchc-quote mark,.cchc-full mark{background:#fde68a;color:inherit}
.cchc-full-text{white-space:pre-wrap;max-height:480px;overflow-y:auto;border:1px solid #e5e7eb;padding:.6em}
.cchc-flash{outline:3px solid #f59e0b}.cchc-open{float:right;font-size:.8em;padding:0 .5em;border:1px solid #9ca3af;
 border-radius:4px;background:#f9fafb;cursor:pointer}
.cchc-full-title{font-weight:700;margin-bottom:.3em}.cchc-error{color:#b91c1c}.cchc-note{color:#6b7280}
.cchc-rewritten{color:#6b7280;font-size:.8em;font-style:italic;margin-bottom:.2em}
.cchc-checking{color:#92400e;font-size:.8em;margin-top:.2em}.cchc-waiting{color:#4b5563;font-size:.85em}
.cchc-waiting ol{margin:.2em 0 0 1.2em}
.cchc-msg,.cchc-card,.cchc-full,.cchc-q{overflow-wrap:anywhere;word-break:break-word}
#cchc-sources-panel{max-height:640px;overflow-y:auto}
#cchc-waiting [data-testid=status-tracker],#cchc-sources-panel [data-testid=status-tracker],
#cchc-fulltext [data-testid=status-tracker]{display:none !important}
@media (max-width: 640px){#cchc-sources-panel{max-height:none}}
""" % FONTS


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
    out = html.escape(safe_text(text), quote=True).replace("\r", "").replace("\n", "<br>")
    return _SUP.sub(r"<sup>\1</sup>", out)  # footnote marks (digits only) shown as superscripts


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
    """``Khánh Hòa · năm 2020 · 000_….txt`` (escaped): a report known only by its citation."""
    parts = [province or "(không rõ tỉnh)"] + ([period] if period else []) + [doc]
    return " · ".join(esc(p) for p in parts)


def title_of(meta) -> str:
    """The report's own title when it reads as one (``BÁO CÁO Công tác …``), else its type."""
    kind = (getattr(meta, "doc_type", None) or "báo cáo").strip()
    title = " ".join((getattr(meta, "title", "") or "").split())
    if not title.upper().startswith(kind.upper()) or len(title) > 140:
        title = kind
    return kind[:1].upper() + kind[1:].lower() + title[len(kind):]


def doc_label(meta, doc: str) -> str:
    """How a source card names its report: title, body, province (``nay thuộc tỉnh …``) and period
    from :meth:`DocMeta.label`, the file name secondary; ``meta`` None: province/period unknown."""
    if meta is None:
        return f'<span class="cchc-doc-name">{esc(doc)}</span>'
    where = " · ".join(p for p in (getattr(meta, "body", None), meta.label()) if p)
    return (f'<span class="cchc-doc-title">{esc(title_of(meta))}</span> '
            f'<span class="cchc-doc-meta">{esc(where)}</span> <span class="cchc-doc-name">{esc(doc)}</span>')


def source_card(span: Span, doc_text: str | None, turn: int, chunks: Sequence[tuple[str, int, int]] = (),
                meta=None) -> str:
    """One source card: report, section path and the verbatim quote highlighted in its paragraph."""
    label = doc_label(meta, span.doc) if meta is not None else report_label(span.province, span.period, span.doc)
    head = (f'<div class="cchc-card-head"><span class="cchc-n">[{span.n}]</span> {label} '
            f'<button class="cchc-open">Xem toàn văn</button></div>')
    section = f'<div class="cchc-sec">{esc(span.section) or "(không có mục)"}</div>'
    if doc_text is None:
        body = '<div class="cchc-quote">(không còn toàn văn báo cáo này)</div>'
    else:
        s, e = paragraph_bounds(len(doc_text), span, chunks)
        body = f'<div class="cchc-quote">{highlight(doc_text[s:e], span.start - s, span.end - s)}</div>'
    return f'<div class="cchc-card" id="{anchor_id(turn, span.n)}">{head}{section}{body}</div>'


def rewritten_html(rewritten: str = "") -> str:
    """Small print under an answer: the follow-up question as the assistant understood it."""
    return f'<div class="cchc-rewritten">Hiểu là: {esc(rewritten)}</div>' if rewritten else ""


def answer_html(text: str, spans: Sequence[Span], turn: int, cards: Sequence[str] = (),
                abstained: bool = False, rewritten: str = "", checking: bool = False) -> str:
    """The assistant message: answer with citation chips (the cards go to the source panel, see
    :func:`sources_html`; given here they follow the answer). ``checking``: a quick answer that a
    model is still refining, marked "đang kiểm tra…"."""
    body = rewritten_html(rewritten) + f'<div class="cchc-answer">{chips(text, turn, [s.n for s in spans])}</div>'
    if checking:
        body += f'<div class="cchc-checking">{CHECKING}</div>'
    if abstained:
        body += '<div class="cchc-note">Không tìm thấy thông tin trong các báo cáo đã chọn.</div>'
    if cards:
        body += sources_html(cards)
    final = "" if checking else " cchc-final"
    return f'<div class="cchc-msg{final}" data-turn="{int(turn)}">{body}</div>'


def sources_html(cards: Sequence[str], turn: int | None = None) -> str:
    """The source panel of the latest answer (its cards), or a hint before the first answer."""
    if not cards:
        hint = "Câu trả lời này không có nguồn trích dẫn." if turn is not None else \
            "Nguồn trích dẫn của câu trả lời mới nhất sẽ hiện ở đây."
        return f'<div class="cchc-sources"><div class="cchc-note">{hint}</div></div>'
    title = f"Nguồn của câu trả lời {int(turn) + 1}" if turn is not None else "Nguồn trích dẫn"
    return f'<div class="cchc-sources"><div class="cchc-sources-title">{title}</div>{"".join(cards)}</div>'


def partial_html(text: str, turn: int, rewritten: str = "") -> str:
    """A message while the answer streams in (chips without cards yet)."""
    return (f'<div class="cchc-msg">{rewritten_html(rewritten)}'
            f'<div class="cchc-answer">{chips(text, turn)}▍</div></div>')


def waiting_html(questions: Sequence[str]) -> str:
    """The questions typed while one is answered, waiting their turn (shown under the input)."""
    if not questions:
        return ""
    items = "".join(f"<li>{esc(q)}</li>" for q in questions)
    return f'<div class="cchc-waiting">Đang chờ trả lời ({len(questions)}):<ol>{items}</ol></div>'


def user_html(question: str) -> str:
    return f'<div class="cchc-q">{esc(question)}</div>'


def error_html(message: str) -> str:
    return f'<div class="cchc-error">Lỗi: {esc(" ".join(message.split()))}</div>'


def fulltext_html(text: str | None, span: Span | None, doc: str, meta=None) -> str:
    """The whole report, with the cited span marked (``id="cchc-hit"``) so it can be scrolled to."""
    if text is None:
        return f'<div class="cchc-error">Không tìm thấy báo cáo {esc(doc)}.</div>'
    title = doc_label(meta, doc) if meta is not None else \
        report_label(span.province, span.period, doc) if span else esc(doc)
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
