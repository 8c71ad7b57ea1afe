"""The chat's answering side: one question streamed through ``Assistant.ask_stream``, and the
per-session line of questions typed while one is being answered (never dropped).

* :func:`make_respond` answers one question and yields ``(chat, turns, question box, source
  panel, full text)``: the quick answer at once (marked "đang kiểm tra…" while a model refines it),
  the model's text pieces as they come, then the final answer, whose sources fill the panel.
* :class:`Waiting` + :func:`make_enqueue` / :func:`make_drain`: the browser's questions go into a
  server-side line per session; one drain per session answers them in order, so a question typed
  while another is answered waits visibly ("Đang chờ trả lời") and is answered next.
"""
from __future__ import annotations

import logging
import re
import threading
from collections import deque

import gradio as gr

from assistant.errors import user_message
from assistant.records import Answer
from cchc import ui_limits as L
from cchc import ui_render as R
from index.records import SearchFilter

log = logging.getLogger(__name__)
MAX_WAITING = 5  # questions one session may have waiting behind the one being answered


def _history(turns: list[dict]) -> list[dict]:
    return [m for t in turns if not t.get("error") for m in
            ({"role": "user", "content": t["question"]}, {"role": "assistant", "content": t["answer"]})]


def scope_of(docs, provinces, years) -> SearchFilter:
    return SearchFilter(list(docs or []), list(provinces or []), [int(y) for y in years or []])


def metas(asst) -> dict:
    """``doc_name -> DocMeta`` of the library (names the reports on the source cards)."""
    try:
        return {d.doc_name: d.meta for d in asst.docs()}
    except Exception:  # a card without its label is better than no answer
        log.exception("could not list the reports")
        return {}


def spans_of(ans: Answer) -> list[R.Span]:
    return [R.Span(c.n, c.doc, c.section, c.start, c.end, c.province, c.period) for c in ans.citations]


def cards_of(asst, ans: Answer, spans: list[R.Span], turn: int) -> list[str]:
    chunks = [(h.chunk.doc_name, h.chunk.start, h.chunk.end) for h in ans.retrieved]
    texts = {d: asst.doc_text(d) for d in {s.doc for s in spans}}
    meta = metas(asst) if spans else {}
    return [R.source_card(s, texts[s.doc], turn, chunks, meta.get(s.doc)) for s in spans]


# ---- one question ---------------------------------------------------------------------------
def make_respond(asst, gate: L.Gate | None = None):
    """The streaming handler of one question (also the public ``/ask`` endpoint): yields
    (chatbot, turns, question box, source panel). Beyond the limits of
    :mod:`cchc.ui_limits` the user gets a clear message in the chat."""
    gate = gate or L.Gate()

    def respond(question, chat, turns, docs, provinces, years):
        question, chat, turns = (question or "").strip(), list(chat or []), list(turns or [])
        if not question:
            yield chat, turns, "", gr.update()
            return
        refused = L.refusal(question, turns) or (None if gate.admit() else L.BUSY)
        if refused:  # the question stays in the box, to be sent again
            yield (chat + [{"role": "user", "content": R.user_html(L.echo(question))},
                           {"role": "assistant", "content": L.notice_html(refused)}],
                   turns, question, gr.update())
            return
        try:
            yield from _answer(asst, gate, question, chat, turns, scope_of(docs, provinces, years))
        finally:
            gate.leave()

    return respond


def _answer(asst, gate: L.Gate, question: str, chat: list, turns: list, scope: SearchFilter):
    turn = len(turns)
    chat += [{"role": "user", "content": R.user_html(question)},
             {"role": "assistant", "content": R.partial_html("Đang tìm trong các báo cáo…", turn)}]
    yield chat, turns, "", gr.update()
    try:
        with gate.slot():
            for html_msg in _stream(asst, question, turns, scope, turn):
                if isinstance(html_msg, Answer):
                    ans = html_msg
                    break
                chat[-1] = {"role": "assistant", "content": html_msg}
                yield chat, turns, "", gr.update()
        spans = spans_of(ans)
        html_msg = R.answer_html(ans.text, spans, turn, (), ans.abstained, ans.rewritten)
        panel = R.sources_html(cards_of(asst, ans, spans, turn), turn)
        record = {"question": question, "answer": ans.text, "abstained": ans.abstained,
                  "rewritten": ans.rewritten, "citations": [c.to_json() for c in ans.citations]}
    except Exception as exc:  # one line for the user, details in the log
        log.exception("chat failed for %r", question[:200])
        html_msg, panel = R.error_html(user_message(exc)), R.sources_html([], turn)
        record = {"question": question, "answer": user_message(exc), "citations": [], "error": True}
    chat[-1] = {"role": "assistant", "content": html_msg}
    yield chat, turns + [record], "", panel


def _stream(asst, question: str, turns: list, scope: SearchFilter, turn: int):
    """The message HTML of each intermediate state, then the final :class:`Answer`."""
    text, quick = "", None
    for event in asst.ask_stream(question, history=L.recent(_history(turns)), scope=scope):
        if isinstance(event, Answer) and event.final:
            yield event
            return
        if isinstance(event, Answer):  # the quick extractive answer, while a model checks it
            quick = event
            yield R.answer_html(event.text, spans_of(event), turn, (), event.abstained, event.rewritten,
                                checking=True)
        elif event:
            text += event
            yield R.partial_html(text, turn, quick.rewritten if quick else "")
    raise RuntimeError("the answer stream ended without a final answer")


def make_fulltext(asst):
    """Render the whole report of the chosen citation (``"turn:n"``), the cited span marked."""

    def show(choice: str | None, turns: list[dict]) -> str:
        m = re.fullmatch(r"(\d+):(\d+)", choice or "")
        if not m or int(m.group(1)) >= len(turns or []):
            return R.esc("Chọn một nguồn trích dẫn trước.")
        cits = {c["n"]: c for c in turns[int(m.group(1))]["citations"]}
        c = cits.get(int(m.group(2)))
        if c is None:
            return R.esc("Không tìm thấy nguồn này.")
        span = R.Span(c["n"], c["doc"], c["section"], c["start"], c["end"], c.get("province"), c.get("period"))
        return R.fulltext_html(asst.doc_text(c["doc"]), span, c["doc"], metas(asst).get(c["doc"]))

    return show


# ---- the line of waiting questions ----------------------------------------------------------
class Waiting:
    """Per browser session: the questions waiting to be answered and whether one drain answers them."""

    def __init__(self, limit: int = MAX_WAITING):
        self.limit = limit
        self._lock = threading.Lock()
        self._lines: dict[str, deque] = {}
        self._draining: set[str] = set()

    def push(self, sid: str, item: tuple) -> bool:
        with self._lock:
            line = self._lines.setdefault(sid, deque())
            if len(line) >= self.limit:
                return False
            line.append(item)
            return True

    def claim(self, sid: str) -> bool:
        """Become the session's drain; False when one is already answering its questions."""
        with self._lock:
            if sid in self._draining:
                return False
            self._draining.add(sid)
            return True

    def next(self, sid: str) -> tuple | None:
        """The next waiting question, or None (and the drain ends, atomically with the check)."""
        with self._lock:
            line = self._lines.get(sid)
            if line:
                return line.popleft()
            self._lines.pop(sid, None)
            self._draining.discard(sid)
            return None

    def release(self, sid: str) -> None:
        """A drain that failed or was cancelled: the next drain of the session takes over."""
        with self._lock:
            self._draining.discard(sid)

    def questions(self, sid: str) -> list[str]:
        with self._lock:
            return [item[0] for item in self._lines.get(sid, ())]


def _sid(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or "local"


def make_enqueue(waiting: Waiting):
    """Put the typed question (with the scope chosen now) in the session's line; clear the box."""

    def enqueue(question, docs, provinces, years, request: gr.Request = None):
        sid, question = _sid(request), (question or "").strip()
        if not question:
            return gr.update(), R.waiting_html(waiting.questions(sid))
        if not waiting.push(sid, (question, docs, provinces, years)):
            gr.Warning(f"Đã có {waiting.limit} câu hỏi đang chờ; hãy đợi câu trả lời rồi hỏi tiếp.")
            return question, R.waiting_html(waiting.questions(sid))
        return "", R.waiting_html(waiting.questions(sid))

    return enqueue


def make_drain(respond, waiting: Waiting):
    """Answer the session's waiting questions in order; yields (chat, turns, panel, full text,
    waiting list). A second drain of the same session leaves at once (the first one answers)."""
    skip = (gr.skip(),) * 5

    def drain(chat, turns, request: gr.Request = None):
        sid = _sid(request)
        if not waiting.claim(sid):
            yield skip
            return
        chat, turns = list(chat or []), list(turns or [])
        try:
            while (item := waiting.next(sid)) is not None:
                for chat, turns, _box, panel in respond(item[0], chat, turns, *item[1:]):
                    full = "" if isinstance(panel, str) else gr.skip()  # a new panel: the old full text goes
                    yield chat, turns, panel, full, R.waiting_html(waiting.questions(sid))
        except BaseException:  # failed or cancelled (closed tab) before the line was empty
            waiting.release(sid)
            raise

    return drain
