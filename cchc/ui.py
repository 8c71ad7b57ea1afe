"""Gradio 6 chat for officials: ask the CCHC reports, see verified sources, manage the library.

A thin layer over :mod:`assistant.api` (no retrieval or answering logic here); HTML comes from
:mod:`cchc.ui_render`, which escapes all report and model text.

Safety: binds ``127.0.0.1`` by default, never ``share=True``; uploads are copied to
``CCHC_HOME/uploads/<uuid><ext>`` (client names are only used as report names, never as paths).
Bounds (questions in flight, conversation length, files per upload) live in :mod:`cchc.ui_limits`.

Optional login: set ``CCHC_AUTH_FILE`` (or pass ``auth_file``) to a JSON file mapping user names
to password hashes::

    {"an.nguyen": "pbkdf2_sha256$600000$<salt hex>$<hash hex>"}

where ``<hash hex>`` is ``hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt),
iterations).hex()``. Create an entry with :func:`hash_password`, e.g.
``python -c "from cchc.ui import hash_password; print(hash_password('mật khẩu'))"``.
"""
from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import gradio as gr

from assistant.errors import user_message
from cchc import ui_chat as C
from cchc import ui_limits as L
from cchc import ui_render as R
from cchc.ui_auth import hash_password, load_auth, verify_password  # noqa: F401 - part of this module's API
from cchc.ui_chat import make_fulltext, make_respond  # noqa: F401 - part of this module's API
from cchc.ui_draft import doc_choices, draft_tab
from cchc.ui_i18n import i18n

log = logging.getLogger(__name__)
EXAMPLES = ["Quyết định nào ban hành kế hoạch CCHC năm 2020?", "Có bao nhiêu hồ sơ trễ hạn?"]
UPLOAD_TYPES = (".pdf", ".docx", ".txt", ".md")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
LIB_HEADERS = ["Báo cáo", "Cơ quan", "Tỉnh", "Kỳ báo cáo", "Số đoạn", "Tệp", "Cảnh báo"]
SCROLL_JS = "() => { setTimeout(() => { const m = document.getElementById('cchc-hit'); " \
            "if (m) m.scrollIntoView({block: 'center'}); }, 150); }"
PRIVATE = {"api_visibility": "private"}


# ---- helpers --------------------------------------------------------------------------------
def _home(asst) -> Path:
    return Path(asst.index.home)  # CCHC_HOME of the open assistant


def _scope_choices(asst) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    docs = asst.docs()
    doc_choices = [(f"{d.meta.label()} ({d.doc_name})", d.doc_name) for d in docs]
    provinces = sorted({d.meta.province for d in docs if d.meta.province})
    years = sorted({str(y) for d in docs for y in d.meta.years})
    return doc_choices, provinces, years


# ---- feedback and export ------------------------------------------------------------------
def record_feedback(home: Path, turns: list[dict], index: int, vote: str, comment: str = "") -> str:
    """Append one JSON line to ``CCHC_HOME/feedback.jsonl``; returns a status line."""
    if not turns or not -len(turns) <= index < len(turns):
        return "Chưa có câu trả lời để đánh giá."
    t = turns[index]
    row = {"question": t["question"], "answer": t["answer"], "citations": t["citations"], "vote": vote,
           "comment": (comment or "").strip()[:2000], "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "feedback.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return f"Đã ghi nhận phản hồi «{'Hữu ích' if vote == 'up' else 'Chưa đúng'}» — cảm ơn anh/chị."


def export_files(turns: list[dict], kind: str) -> str | None:
    """Write the conversation as ``.md`` or ``.docx`` in a fresh temp folder; returns the path."""
    if not turns:
        gr.Warning("Chưa có hội thoại để xuất.")
        return None
    folder = Path(tempfile.mkdtemp(prefix="cchc-export-"))
    md = R.to_markdown(turns)
    if kind == "md":
        path = folder / "hoi-dap-cchc.md"
        path.write_text(md, encoding="utf-8")
        return str(path)
    from docx import Document

    doc = Document()
    for line in md.splitlines():
        if line.startswith("# "):
            doc.add_heading(line[2:], level=1)
        elif line.startswith("## "):
            doc.add_heading(line[3:], level=2)
        elif line.strip():
            doc.add_paragraph(line.strip().removeprefix("> ").replace("**", ""))
    path = folder / "hoi-dap-cchc.docx"
    doc.save(str(path))
    return str(path)


# ---- library --------------------------------------------------------------------------------
def library_rows(asst) -> list[list]:
    from vocab.provinces import province_label

    return [[R.title_of(d.meta), d.meta.body or "—", province_label(d.meta.province) if d.meta.province else "—",
             d.meta.period or "—", d.n_chunks, d.doc_name, "; ".join(d.warnings) or ""] for d in asst.docs()]


def stage_uploads(home: Path, files: list) -> tuple[list[Path], list[str], list[str]]:
    """Copy accepted uploads to ``home/uploads/<uuid><ext>``; returns paths, names, rejection lines."""
    paths, names, rejected = [], [], []
    (home / "uploads").mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(files or []):
        src = Path(getattr(f, "name", f))
        name = re.sub(r"[\x00-\x1f\x7f]", "", Path(getattr(f, "orig_name", None) or src.name).name)[:200] or "tệp"
        ext = Path(name).suffix.lower()
        if i >= L.MAX_UPLOAD_FILES:
            rejected.append(f"{name}: rejected — {L.too_many_files()}")
        elif ext not in UPLOAD_TYPES:
            rejected.append(f"{name}: rejected — chỉ nhận PDF, DOCX, TXT, MD / unsupported type")
        elif src.stat().st_size > MAX_UPLOAD_BYTES:
            rejected.append(f"{name}: rejected — tệp lớn hơn 20 MB / file larger than 20 MB")
        else:
            dest = home / "uploads" / f"{uuid.uuid4().hex}{ext}"
            shutil.copyfile(src, dest)
            paths.append(dest)
            names.append(name)
    return paths, names, rejected


def make_upload(asst, gate: L.Gate | None = None):
    gate = gate or L.Gate(1, 1 + L.UPLOADS_WAITING)  # one ingest at a time, a few waiting

    def upload(files, progress=gr.Progress()):
        if not gate.admit():
            return L.UPLOAD_BUSY, None
        try:
            with gate.slot():
                return _upload(asst, files, progress)
        finally:
            gate.leave()

    return upload


def _upload(asst, files, progress) -> tuple[str, None]:
    try:
        paths, names, lines = stage_uploads(_home(asst), files)
        if paths:
            def step(i: int, n: int, _name: str) -> None:
                progress((i, n), desc=f"Đang nạp {names[min(i, len(names) - 1)]}")

            statuses = asst.ingest(paths, step, names)
            lines = [s.line() for s in statuses] + lines
    except Exception as exc:
        log.exception("upload failed")
        lines = [user_message(exc)]
    return "\n".join(lines), None


def make_remove(asst):
    def remove(doc: str | None) -> str:
        if not doc:
            return "Chọn một báo cáo để xóa."
        try:
            return f"{doc}: đã xóa / removed" if asst.remove(doc) else f"{doc}: không có báo cáo này"
        except Exception as exc:
            log.exception("remove failed")
            return user_message(exc)

    return remove


def refresh(asst):
    """Updates for the library table, remove list and the three scope pickers."""
    doc_choices, provinces, years = _scope_choices(asst)
    return (library_rows(asst), gr.update(choices=doc_choices, value=None), gr.update(choices=doc_choices),
            gr.update(choices=provinces), gr.update(choices=years))


# ---- layout ---------------------------------------------------------------------------------
def _chat_tab(asst, turns: gr.State) -> dict:
    doc_choices, provinces, years = _scope_choices(asst)
    with gr.Accordion("Phạm vi tìm kiếm", open=False):
        docs = gr.Dropdown(doc_choices, multiselect=True, label="Báo cáo", elem_id="cchc-scope-docs")
        with gr.Row():
            provs = gr.Dropdown(provinces, multiselect=True, label="Tỉnh", elem_id="cchc-scope-provinces")
            yrs = gr.Dropdown(years, multiselect=True, label="Năm", elem_id="cchc-scope-years")
    scope_md = gr.Markdown(R.scope_text(), elem_id="cchc-scope")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            c = _chat_column()
        with gr.Column(scale=2, min_width=300):
            sources = gr.HTML(R.sources_html([]), elem_id="cchc-sources-panel")
            full = gr.HTML("", elem_id="cchc-fulltext")
    open_req = gr.Textbox(label="Nguồn cần mở", visible="hidden", elem_id="cchc-open")
    api_btn = gr.Button("API", visible=False)  # the public "/ask" endpoint (one question, streamed)
    with gr.Accordion("Xuất hội thoại kèm trích dẫn (Markdown, DOCX)", open=False):
        with gr.Row():
            md_btn, docx_btn = gr.Button("Xuất Markdown"), gr.Button("Xuất DOCX")
        out_file = gr.File(label="Tệp xuất", interactive=False, elem_id="cchc-export")
    c.update(docs=docs, provs=provs, yrs=yrs, scope_md=scope_md, sources=sources, full=full, md_btn=md_btn,
             docx_btn=docx_btn, out_file=out_file, open_req=open_req, api_btn=api_btn)
    _wire_chat(asst, turns, c)
    return c


def _chat_column() -> dict:
    chat = gr.Chatbot(label="Hỏi đáp", height=520, elem_id="cchc-chat", sanitize_html=True, latex_delimiters=[],
                      allow_tags=False, feedback_options=None, placeholder="**Hỏi về các báo cáo CCHC đã nạp**",
                      examples=[{"text": q} for q in EXAMPLES], buttons=["copy"])
    with gr.Row():
        q = gr.Textbox(label="Câu hỏi", placeholder="Nhập câu hỏi rồi nhấn Enter (có thể hỏi tiếp khi đang chờ)…",
                       show_label=False, scale=8, elem_id="cchc-q", max_lines=4)
        send = gr.Button("Gửi", variant="primary", scale=1, min_width=60, elem_id="cchc-send")
    waiting = gr.HTML("", elem_id="cchc-waiting")
    with gr.Row():
        comment = gr.Textbox(label="Góp ý", placeholder="Góp ý (không bắt buộc)", show_label=False, scale=4, elem_id="cchc-comment")
        up = gr.Button("Hữu ích", scale=1, min_width=80, elem_id="cchc-up")
        down = gr.Button("Chưa đúng", scale=1, min_width=80, elem_id="cchc-down")
    fb = gr.Markdown("", elem_id="cchc-feedback")
    return dict(chat=chat, q=q, send=send, waiting=waiting, comment=comment, up=up, down=down, fb=fb)


def _example_text(evt: gr.SelectData) -> str:
    return (evt.value or {}).get("text", "")  # an example question clicked on the empty chat


def _wire_chat(asst, turns: gr.State, c: dict) -> None:
    respond, waiting = make_respond(asst), C.Waiting()
    queue = {"concurrency_id": "ask", "concurrency_limit": L.MAX_INFLIGHT + 8}  # over the gate: "busy" at once
    c["api_btn"].click(respond, [c["q"], c["chat"], turns, c["docs"], c["provs"], c["yrs"]],
                       [c["chat"], turns, c["q"], c["sources"]], api_name="ask", **queue)
    enqueue = (C.make_enqueue(waiting), [c["q"], c["docs"], c["provs"], c["yrs"]], [c["q"], c["waiting"]])
    drain = (C.make_drain(respond, waiting), [c["chat"], turns], [c["chat"], turns, c["sources"], c["full"],
                                                                  c["waiting"]])
    many = {"trigger_mode": "multiple", "show_progress": "hidden", **PRIVATE}  # typed while pending: queued
    for trigger in (c["q"].submit, c["send"].click):
        trigger(*enqueue, queue=False, **many).then(*drain, **many, **queue)
    c["chat"].example_select(_example_text, None, c["q"], **PRIVATE) \
        .then(*enqueue, queue=False, **many).then(*drain, **many, **queue)
    scope_ins = [c["docs"], c["provs"], c["yrs"]]
    for comp in scope_ins:
        comp.change(lambda d, p, y: R.scope_text(d or [], p or [], y or []), scope_ins, c["scope_md"], **PRIVATE)
    show = make_fulltext(asst)
    c["open_req"].change(lambda req, t: show((req or "").split("|")[0], t), [c["open_req"], turns], c["full"],
                         **PRIVATE).then(None, js=SCROLL_JS)
    c["chat"].clear(lambda: ([], R.sources_html([]), ""), None, [turns, c["sources"], c["full"]], **PRIVATE)
    home = _home(asst)
    for btn, vote in ((c["up"], "up"), (c["down"], "down")):
        btn.click(lambda t, cm, v=vote: (record_feedback(home, t, -1, v, cm), ""), [turns, c["comment"]],
                  [c["fb"], c["comment"]], **PRIVATE)
    c["md_btn"].click(lambda t: export_files(t, "md"), turns, c["out_file"], **PRIVATE)
    c["docx_btn"].click(lambda t: export_files(t, "docx"), turns, c["out_file"], **PRIVATE)


def _library_tab(asst) -> dict:
    gr.Markdown("Nạp báo cáo PDF, DOCX, TXT, MD (nhiều tệp, tối đa 20 MB mỗi tệp).")
    table = gr.Dataframe(library_rows(asst), headers=LIB_HEADERS, interactive=False, elem_id="cchc-library",
                         wrap=True)
    files = gr.File(file_count="multiple", file_types=list(UPLOAD_TYPES), label="Tải báo cáo lên",
                    elem_id="cchc-upload")
    status = gr.Textbox(label="Kết quả nạp", lines=3, interactive=False, elem_id="cchc-upload-status")
    with gr.Row():
        doc = gr.Dropdown(_scope_choices(asst)[0], label="Báo cáo cần xóa", scale=4, elem_id="cchc-remove-doc")
        rm = gr.Button("Xóa báo cáo", variant="stop", scale=1, elem_id="cchc-remove")
    with gr.Group(visible=False, elem_id="cchc-confirm") as confirm:
        ask = gr.Markdown("", elem_id="cchc-confirm-text")
        with gr.Row():
            yes = gr.Button("Xóa hẳn", variant="stop", elem_id="cchc-confirm-yes")
            no = gr.Button("Hủy", elem_id="cchc-confirm-no")
    return dict(table=table, files=files, status=status, doc=doc, rm=rm, confirm=confirm, ask=ask, yes=yes, no=no)


def confirm_text(doc: str | None):
    """The question asked before a report is removed (hidden again when nothing is chosen)."""
    if not doc:
        return gr.update(visible=False), "", "Chọn một báo cáo để xóa."
    return (gr.update(visible=True), f"**Xóa hẳn báo cáo `{doc}` khỏi thư viện?** Thao tác này không hoàn tác "
            "được; muốn dùng lại phải nạp lại tệp.", gr.update())


def _wire_library(asst, lib: dict, outs: list) -> None:
    lib["files"].upload(make_upload(asst), lib["files"], [lib["status"], lib["files"]], **PRIVATE,
                        concurrency_id="upload", concurrency_limit=L.UPLOADS_WAITING + 2) \
        .then(lambda: refresh(asst), None, outs, **PRIVATE)
    lib["rm"].click(confirm_text, lib["doc"], [lib["confirm"], lib["ask"], lib["status"]], **PRIVATE)
    lib["no"].click(lambda: (gr.update(visible=False), "Đã hủy, không xóa báo cáo nào."), None,
                    [lib["confirm"], lib["status"]], **PRIVATE)
    lib["yes"].click(make_remove(asst), lib["doc"], lib["status"], **PRIVATE) \
        .then(lambda: gr.update(visible=False), None, lib["confirm"], **PRIVATE) \
        .then(lambda: refresh(asst), None, outs, **PRIVATE)


def build_app(asst) -> gr.Blocks:
    """The three-tab app (Hỏi đáp, Thư viện báo cáo, Soạn thảo) over ``asst``."""
    with gr.Blocks(title="Trợ lý báo cáo CCHC", analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        gr.Markdown("## Trợ lý báo cáo cải cách hành chính (CCHC)\nMọi câu trả lời kèm trích dẫn nguyên văn "
                    "từ báo cáo — bấm vào [n] để xem nguồn.")
        turns = gr.State([])
        with gr.Tabs():
            with gr.Tab("Hỏi đáp", id="chat"):
                c = _chat_tab(asst, turns)
            with gr.Tab("Thư viện báo cáo", id="library"):
                lib = _library_tab(asst)
            with gr.Tab("Soạn thảo", id="draft"):
                dr = draft_tab(asst)
            from cchc.ui_eval import eval_tab  # hook: "Đánh giá" tab (cchc/ui_eval.py, branch evalci)
            eval_tab(asst)  # hook: "Đánh giá" tab
        outs = [lib["table"], lib["doc"], c["docs"], c["provs"], c["yrs"]]
        _wire_library(asst, lib, outs)
        demo.load(lambda: refresh(asst), None, outs, **PRIVATE)
        lib["table"].change(lambda: gr.update(choices=doc_choices(asst)), None, dr["docs"], **PRIVATE)
    return demo


def launch(asst, host: str = "127.0.0.1", port: int = 7860, auth_file: str | Path | None = None,
           block: bool = True) -> gr.Blocks:
    """Serve the app on ``host:port`` (never shared publicly); login when an auth file is set."""
    from cchc.config import setup_logging

    setup_logging(_home(asst))  # details of any failure go to CCHC_HOME/cchc.log
    demo = build_app(asst)
    demo.queue(default_concurrency_limit=2, max_size=2 * L.MAX_INFLIGHT)
    auth = load_auth(auth_file)
    demo.launch(server_name=host, server_port=port, share=False, auth=auth, max_file_size=MAX_UPLOAD_BYTES,
                max_threads=2 * L.MAX_INFLIGHT + 16,  # waiting questions each hold a worker thread
                css=R.CSS, head=R.HEAD_JS, ssr_mode=False, mcp_server=False, prevent_thread_lock=not block,
                footer_links=[], i18n=i18n(),  # no "Use via API · Built with Gradio · Settings"; Vietnamese
                quiet=not block,
                auth_message="Đăng nhập để dùng trợ lý báo cáo CCHC" if auth else None)
    return demo


def chat_command(home: Path | None, llm: str = "extractive", host: str = "127.0.0.1", port: int = 7860,
                 embedder: str | None = None) -> None:
    """``cchc chat``: open the assistant under ``home`` and serve the UI until interrupted."""
    from assistant.api import open_assistant
    asst = open_assistant(home, llm=llm, embedder=embedder)
    launch(asst, host=host, port=port)
