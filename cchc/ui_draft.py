"""The drafting tab of the UI: instruction, source reports, the draft (escaped HTML), downloads.

A thin layer over :meth:`assistant.api.Assistant.draft`. The draft's Markdown is rendered here
line by line with :func:`cchc.ui_render.esc` (report text is never passed through as HTML);
placeholders ``[cập nhật: …]`` are highlighted, ``[n]`` markers point at the source list.
"""
from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path

import gradio as gr

from assistant.errors import user_message
from cchc import ui_render as R

log = logging.getLogger(__name__)
EXAMPLES = ["Soạn mục 'Cải cách thủ tục hành chính' cho báo cáo CCHC năm 2021 của Sở KH&CN Khánh Hòa",
            "Soạn đề cương báo cáo CCHC năm 2021 theo bố cục báo cáo năm 2020"]
_TODO = re.compile(r"\[\s*cập nhật\s*:[^\]]*\]", re.I)
_MARK = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
_EM = re.compile(r"\*([^*]+)\*")


def inline_html(text: str) -> str:
    """One line of draft text: escaped, then placeholders, markers and *italics* styled."""
    out = R.esc(text)
    out = _TODO.sub(lambda m: f'<mark class="cchc-todo" style="background:#fde68a">{m.group(0)}</mark>', out)
    out = _MARK.sub(lambda m: f'<sup class="cchc-n">[{m.group(1)}]</sup>', out)
    return _EM.sub(r"<em>\1</em>", out)


def _block(line: str) -> tuple[str, str]:
    """(kind, html) of one markdown line: heading, quote, item or paragraph."""
    m = re.match(r"^(#{1,6})\s+(.*)$", line)
    if m:
        level = min(6, len(m.group(1)) + 2)
        return "h", f"<h{level}>{inline_html(m.group(2))}</h{level}>"
    if line.startswith("> "):
        return "q", ('<blockquote class="cchc-ref" style="color:#4b5563;border-left:3px solid #d1d5db;'
                     f'margin:.3em 0;padding-left:.6em">{inline_html(line[2:])}</blockquote>')
    if line.lstrip().startswith("- "):
        return "li", f"<li>{inline_html(line.lstrip()[2:])}</li>"
    return "p", f"<p>{inline_html(line)}</p>"


def draft_html(draft) -> str:
    """The whole draft and its source list as one HTML string without newlines."""
    parts, in_list = [], False
    for line in (draft.markdown or "").split("\n"):
        if not line.strip():
            continue
        kind, html = _block(line)
        if kind == "li" and not in_list:
            parts.append("<ul>")
        if kind != "li" and in_list:
            parts.append("</ul>")
        in_list = kind == "li"
        parts.append(html)
    parts.append("</ul>" if in_list else "")
    cards = [f'<div class="cchc-card"><div class="cchc-card-head">[{c.n}] '
             f'{R.report_label(c.province, c.period, c.doc)}</div><div class="cchc-sec">{R.esc(c.section)}</div>'
             f'<div class="cchc-quote">{R.esc(c.quote)}</div></div>' for c in draft.citations]
    if cards:
        parts.append(f'<div class="cchc-sources"><div class="cchc-sources-title">Nguồn trích dẫn</div>{"".join(cards)}</div>')
    notes = "".join(f'<div class="cchc-note">{R.esc(n)}</div>' for n in draft.notes)
    return f'<div class="cchc-draft">{notes}{"".join(parts)}</div>'


def save_files(draft) -> list[str]:
    """The draft as ``.md`` and ``.docx`` in a fresh temp folder."""
    from assistant.draft_docx import source_label, write_docx

    folder = Path(tempfile.mkdtemp(prefix="cchc-draft-"))
    sources = "\n\n".join(f"{source_label(c)}\n\n> {R.safe_text(c.quote)}" for c in draft.citations)
    md = folder / "du-thao-cchc.md"
    md.write_text(draft.markdown + ("\n\n## Nguồn trích dẫn\n\n" + sources if sources else "") + "\n",
                  encoding="utf-8")
    return [str(md), str(write_docx(draft, folder / "du-thao-cchc.docx"))]


def make_draft(asst):
    """The button handler: (instruction, source docs) → (HTML, files)."""

    def run(instruction: str, docs: list[str] | None):
        instruction = (instruction or "").strip()
        if not instruction:
            return R.esc("Nhập yêu cầu soạn thảo. / Type what to draft."), None
        try:
            draft = asst.draft(instruction, source_docs=list(docs or []) or None)
            return draft_html(draft), save_files(draft)
        except Exception as exc:  # one line for the user, details in the log
            log.exception("draft failed for %r", instruction[:200])
            return R.error_html(user_message(exc)), None

    return run


def doc_choices(asst) -> list[tuple[str, str]]:
    return [(f"{d.meta.label()} ({d.doc_name})", d.doc_name) for d in asst.docs()]


def draft_tab(asst) -> dict:
    """Build and wire the tab's components (call inside ``gr.Tab``)."""
    gr.Markdown("### Soạn thảo báo cáo\nSoạn một mục (hoặc đề cương) cho báo cáo kỳ mới từ báo cáo kỳ trước: nội dung "
                "kế thừa có trích dẫn nguyên văn, số liệu kỳ mới để ở dạng **[cập nhật: …]**.")
    instruction = gr.Textbox(label="Yêu cầu soạn thảo", lines=2, elem_id="cchc-draft-q",
                             placeholder=EXAMPLES[0])
    docs = gr.Dropdown(doc_choices(asst), multiselect=True, elem_id="cchc-draft-docs",
                       label="Báo cáo nguồn (để trống: tự chọn báo cáo gần nhất cùng tỉnh)")
    gr.Examples([[e] for e in EXAMPLES], [instruction], label="Ví dụ")
    run_btn = gr.Button("Soạn dự thảo", variant="primary", elem_id="cchc-draft-run")
    result = gr.HTML("", elem_id="cchc-draft-result")
    files = gr.File(label="Tải dự thảo (Markdown, DOCX)", file_count="multiple", interactive=False,
                    elem_id="cchc-draft-files")
    handler = make_draft(asst)
    instruction.submit(handler, [instruction, docs], [result, files], api_name="draft")
    run_btn.click(handler, [instruction, docs], [result, files], api_visibility="private")
    return dict(instruction=instruction, docs=docs, run=run_btn, result=result, files=files)
