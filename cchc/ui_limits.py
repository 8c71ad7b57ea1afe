"""Bounds of the chat UI, each answered with a clear one-line message (never an error page).

* questions: ``WORKERS`` answered at once, up to ``MAX_INFLIGHT`` admitted (answered or waiting
  their turn); the next one is told at once that the assistant is busy;
* a conversation holds at most ``MAX_TURNS`` turns; the model sees the last ``HISTORY_TURNS``;
* a question is at most ``MAX_QUESTION_CHARS`` characters (the API's own limit);
* an upload takes at most ``MAX_UPLOAD_FILES`` files; one upload is ingested at a time and at most
  ``UPLOADS_WAITING`` more may wait.

Read at app build time, so a test may lower them. Nothing here imports Gradio.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from cchc import ui_render as R

MAX_INFLIGHT = 32
WORKERS = 2
MAX_TURNS = 100
HISTORY_TURNS = 6
MAX_UPLOAD_FILES = 20
UPLOADS_WAITING = 4
ECHO_CHARS = 600  # a question is echoed in the chat up to this length

BUSY = ("Hệ thống đang bận (quá nhiều câu hỏi cùng lúc), vui lòng gửi lại sau ít phút. / The assistant is busy "
        "(too many questions at once): please send your question again in a minute.")
UPLOAD_BUSY = ("Đang có nhiều lượt nạp báo cáo chờ xử lý, vui lòng tải lên lại sau ít phút. / Too many uploads are "
               "waiting: please upload again in a few minutes.")


def too_many_files() -> str:
    return (f"quá nhiều tệp trong một lần tải (tối đa {MAX_UPLOAD_FILES}); hãy tải phần còn lại sau / too many "
            f"files in one upload (max {MAX_UPLOAD_FILES}): upload the rest afterwards")


def _max_question_chars() -> int:
    from assistant.api import MAX_QUESTION_CHARS

    return MAX_QUESTION_CHARS


def refusal(question: str, turns: list) -> str | None:
    """Why ``question`` is not answered (too long, conversation full), or None."""
    limit = _max_question_chars()
    if len(question) > limit:
        return (f"Câu hỏi quá dài ({len(question)} ký tự, tối đa {limit}); hãy rút gọn. / Question too long "
                f"({len(question)} characters, max {limit}): please shorten it.")
    if len(turns) >= MAX_TURNS:
        return (f"Hội thoại đã đủ {MAX_TURNS} lượt; hãy xóa hội thoại (biểu tượng thùng rác) để hỏi tiếp. / This "
                f"conversation reached {MAX_TURNS} turns: clear it (bin icon) to ask more.")
    return None


def recent(history: list[dict]) -> list[dict]:
    """The last ``HISTORY_TURNS`` turns of a conversation history (user + assistant messages)."""
    return history[-2 * HISTORY_TURNS:]


def echo(question: str) -> str:
    """The question as shown back in the chat (long ones cut)."""
    return question if len(question) <= ECHO_CHARS else question[:ECHO_CHARS] + "…"


def notice_html(message: str) -> str:
    """A chat message for a refused question: plain, not an error."""
    return f'<div class="cchc-note">ℹ️ {R.esc(" ".join(message.split()))}</div>'


class Gate:
    """At most ``workers`` callers inside :meth:`slot`; at most ``capacity`` admitted at once."""

    def __init__(self, workers: int | None = None, capacity: int | None = None):
        self.workers = workers or WORKERS
        self.capacity = capacity or MAX_INFLIGHT
        self._slots = threading.BoundedSemaphore(self.workers)
        self._lock = threading.Lock()
        self.admitted = 0

    def admit(self) -> bool:
        """Take a place (answered or waiting); False when all ``capacity`` places are taken."""
        with self._lock:
            if self.admitted >= self.capacity:
                return False
            self.admitted += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self.admitted -= 1

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Wait for one of the ``workers`` places, then hold it."""
        with self._slots:
            yield
