"""Issue #6 parts 3, 6, 7: concurrent users, limits, errors that never leak internals.

* 32 concurrent questions against the chat server (extractive back-end) while an ingest runs in
  another process: all answered with citations; beyond the queue limit a clear "busy" message.
* a 20,000-character question, a 200-turn history, a flood of uploads: bounded, clear messages.
* a forced internal error: one line for the user (UI and CLI), the traceback in CCHC_HOME/cchc.log.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.api import QuestionError, open_assistant
from cchc import ui_limits as L
from tests.fakes import free_port

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ["Quyết định nào ban hành kế hoạch CCHC năm 2020?", "Có bao nhiêu hồ sơ trễ hạn?",
             "Quy chế xét tặng Giải thưởng KH&CN tỉnh Khánh Hòa được ban hành theo quyết định nào?",
             "Kết quả ứng dụng công nghệ thông tin năm 2020 ra sao?"]
LEAKS = ("Traceback", 'File "', "secret-detail", "/etc/", ".py")


def _home(built_home: Path, dest: Path) -> Path:
    shutil.copytree(built_home, dest)
    asst = open_assistant(dest, llm="extractive", embedder="fake", load_samples=False)
    asst.index.catalog.set_info("samples_loaded", "1")
    return dest


def _serve(asst):
    from cchc.ui import launch

    port = free_port()
    return f"http://127.0.0.1:{port}/", launch(asst, host="127.0.0.1", port=port, block=False)


def _client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, httpx_kwargs={"timeout": 120})


def _ask(url: str, question: str, connected: threading.Barrier, go: threading.Event) -> str:
    client = _client(url)  # each user its own session
    connected.wait()
    go.wait(120)  # all questions leave together
    chat, _, panel = client.predict(question, [], [], [], [], api_name="/ask")
    return str(chat[-1]["content"]) + str(panel)  # the answer and its source panel


# ---------------------------------------------------------------- part 3: concurrent users
@pytest.mark.slow
def test_32_concurrent_questions_answered_with_citations_while_an_ingest_runs(built_home, tmp_path, samples):
    home = _home(built_home, tmp_path / "home")
    reports = tmp_path / "new_reports"
    reports.mkdir()
    sources = sorted(samples.glob("*.txt"))
    for i in range(8):  # new reports for the ingest running meanwhile in another process
        text = sources[i % len(sources)].read_text(encoding="utf-8")
        (reports / f"new_{i}.txt").write_text(text.replace("2020", str(2030 + i)), encoding="utf-8")
    url, demo = _serve(open_assistant(home, llm="extractive", embedder="fake"))
    connected, go, writer = threading.Barrier(33), threading.Event(), None
    try:
        with ThreadPoolExecutor(32) as pool:
            replies = pool.map(lambda i: _ask(url, QUESTIONS[i % len(QUESTIONS)], connected, go), range(32))
            connected.wait(120)
            writer = subprocess.Popen([sys.executable, "-m", "tests.helpers.ingest_worker", str(home), "fake-kill",
                                       str(reports)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            assert writer.stdout.readline().strip() == "ready"
            assert writer.stdout.readline().startswith("file ")  # the ingest is under way
            go.set()
            replies = list(replies)
        still_writing = writer.poll() is None
        out, err = writer.communicate(timeout=300)
    finally:
        go.set()
        demo.close()
    assert writer.returncode == 0, err[-2000:]
    assert sum("ingested" in line for line in out.splitlines()) == 8
    check = subprocess.run([sys.executable, "-m", "tests.helpers.ingest_worker", str(home), "fake", "--check"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert check.stdout.startswith("consistent"), check.stdout + check.stderr[-2000:]  # the readers harmed nothing
    assert all("cchc-answer" in r and "cchc-card" in r for r in replies), [r[:200] for r in replies]
    print(f"\n32/32 answered with citations; ingest still running when the last answer came: {still_writing}")


class _Held:
    """The real assistant, whose answers wait until ``release`` is set."""

    def __init__(self, asst):
        self._asst, self.release = asst, threading.Event()

    def ask_stream(self, *args, **kwargs):
        self.release.wait(60)
        return self._asst.ask_stream(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._asst, name)


@pytest.mark.slow
def test_beyond_the_queue_limit_users_are_told_the_assistant_is_busy(built_home, tmp_path, monkeypatch):
    monkeypatch.setattr(L, "MAX_INFLIGHT", 4)
    monkeypatch.setattr(L, "WORKERS", 1)
    held = _Held(open_assistant(_home(built_home, tmp_path / "home"), llm="extractive", embedder="fake"))
    url, demo = _serve(held)
    try:
        clients = [_client(url) for _ in range(10)]
        jobs = [c.submit(QUESTIONS[0], [], [], [], [], api_name="/ask") for c in clients]
        deadline = time.monotonic() + 60
        while sum(j.done() for j in jobs) < 6 and time.monotonic() < deadline:
            time.sleep(0.2)
        early = [str(j.result()[0][-1]["content"]) for j in jobs if j.done()]
        held.release.set()
        replies = [str(j.result(timeout=120)[0][-1]["content"]) for j in jobs]
    finally:
        held.release.set()
        demo.close()
    assert len(early) == 6 and all("đang bận" in r and "busy" in r and "cchc-note" in r for r in early), early
    assert sum("cchc-answer" in r for r in replies) == 4 and sum("busy" in r for r in replies) == 6


# ---------------------------------------------------------------- part 6: limits
@pytest.fixture
def asst(built_home, tmp_path):
    return open_assistant(_home(built_home, tmp_path / "home"), llm="extractive", embedder="fake")


def _respond(asst, question, turns=(), **kw):
    from cchc.ui import make_respond

    *_, last = make_respond(asst, **kw)(question, [], list(turns), [], [], [])
    return last


def test_a_20000_character_question_gets_a_clear_message(asst, monkeypatch):
    question = "Có bao nhiêu hồ sơ trễ hạn? " * 715  # 20,020 characters
    monkeypatch.setattr(asst, "ask_stream", lambda *a, **k: pytest.fail("the assistant must not be asked"))
    t = time.monotonic()
    chat, turns, box, _ = _respond(asst, question)
    assert time.monotonic() - t < 2 and turns == [] and box == question.strip()
    assert "quá dài" in chat[-1]["content"] and "2000" in chat[-1]["content"]
    assert len(chat[0]["content"]) < 3000  # the echo is cut
    monkeypatch.undo()
    with pytest.raises(QuestionError, match="too long"):  # the API (CLI, evaluation) says the same
        asst.ask(question)


def test_a_200_turn_history_is_bounded(asst, monkeypatch):
    turns = [{"question": f"Câu hỏi {i}?", "answer": f"Trả lời {i}.", "citations": []} for i in range(200)]
    chat, kept, _, _ = _respond(asst, QUESTIONS[1], turns)
    assert kept == turns and "100" in chat[-1]["content"] and "xóa hội thoại" in chat[-1]["content"]
    seen = []
    real = asst.ask_stream
    monkeypatch.setattr(asst, "ask_stream", lambda q, **k: seen.append(k["history"]) or real(q, **k))
    chat, kept, _, _ = _respond(asst, QUESTIONS[1], turns[:L.MAX_TURNS - 1])
    assert len(kept) == L.MAX_TURNS and "cchc-answer" in chat[-1]["content"]
    assert len(seen[0]) == 2 * L.HISTORY_TURNS  # the model sees only the last turns
    history = [{"role": r, "content": f"tin nhắn {i}"} for i in range(200) for r in ("user", "assistant")]
    t = time.monotonic()
    ans = asst.ask(QUESTIONS[1], history=history)  # the API with a 200-turn history: bounded work
    assert time.monotonic() - t < 10 and ans.citations


def test_a_flood_of_uploads_is_bounded_with_one_line_per_file(asst, tmp_path, samples):
    from cchc.ui import make_upload

    files = []
    for i in range(30):
        path = tmp_path / f"bao_cao_{i:02d}.txt"
        path.write_text((samples / "001_1378d54d2ddf81bf.txt").read_text(encoding="utf-8") + f"\nPhụ lục {i}.",
                        encoding="utf-8")
        files.append(str(path))
    status, _ = make_upload(asst)(files, progress=lambda *a, **k: None)
    lines = status.splitlines()
    assert len(lines) == 30 and sum(": ingested" in x for x in lines) == L.MAX_UPLOAD_FILES
    assert sum("too many files" in x for x in lines) == 30 - L.MAX_UPLOAD_FILES


def test_concurrent_uploads_beyond_the_waiting_room_are_told_to_retry(asst, samples, monkeypatch):
    from cchc.ui import make_upload

    slow = asst.ingest
    monkeypatch.setattr(asst, "ingest", lambda *a, **k: time.sleep(2.5) or slow(*a, **k))
    upload = make_upload(asst)
    start = threading.Barrier(8)

    def one(_):
        start.wait()
        return upload([str(samples / "004_174b6c4ae34f5b29.txt")], progress=lambda *a, **k: None)[0]

    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(one, range(8)))
    busy = [r for r in replies if r == L.UPLOAD_BUSY]
    assert len(busy) == 8 - (1 + L.UPLOADS_WAITING) and all(": unchanged" in r or ": ingested" in r
                                                             for r in replies if r not in busy), replies


# ---------------------------------------------------------------- part 7: errors never leak
def _log(home: Path) -> str:
    return (home / "cchc.log").read_text(encoding="utf-8")


def test_ui_internal_error_is_one_line_for_the_user_and_detailed_in_the_log(asst, monkeypatch):
    from cchc.config import setup_logging

    home = Path(asst.index.home)
    setup_logging(home)

    def boom(*a, **k):
        raise RuntimeError("secret-detail /etc/cchc/internal.py line 42")

    monkeypatch.setattr(asst, "ask_stream", boom)
    chat, turns, _, _ = _respond(asst, QUESTIONS[0])
    shown = chat[-1]["content"]
    assert "RuntimeError" in shown and "cchc.log" in shown and not any(x in shown for x in LEAKS), shown
    assert turns[-1]["error"] and "\n" not in turns[-1]["answer"]
    monkeypatch.setattr(asst, "ingest", boom)
    from cchc.ui import make_upload

    status, _ = make_upload(asst)([str(ROOT / "cchc" / "samples" / "001_1378d54d2ddf81bf.txt")],
                                  progress=lambda *a, **k: None)
    assert "\n" not in status and not any(x in status for x in LEAKS), status
    log = _log(home)
    assert log.count("secret-detail") >= 2 and "Traceback" in log


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tests.helpers.cli_fake", *args, "--home", str(home),
                           "--embedder", "fake"], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_cli_internal_error_is_one_line_for_the_user_and_detailed_in_the_log(built_home, tmp_path):
    home = _home(built_home, tmp_path / "home")
    (home / "catalog.sqlite").write_bytes(b"this is not a database, but a forced internal error" * 100)
    for name in ("catalog.sqlite-wal", "catalog.sqlite-shm"):
        (home / name).unlink(missing_ok=True)
    res = _cli(home, "docs")
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    # a corrupt catalog is now a storage error the user can act on (issue #18), details still in the log
    assert res.returncode == 1 and len(lines) == 1 and "corrupt" in lines[0] and "--rebuild" in lines[0], res.stderr
    assert not any(x in res.stderr for x in LEAKS)
    assert "Traceback" in _log(home) and "file is not a database" in _log(home)


def test_cli_error_inside_a_command_is_one_line(asst, monkeypatch, capsys):
    from cchc import cli

    def boom(*a, **k):
        raise KeyError("secret-detail")

    home = Path(asst.index.home)
    monkeypatch.setattr("assistant.api.Assistant.search", boom)
    monkeypatch.setattr(sys, "argv", ["cchc", "search", "kế hoạch", "--home", str(home), "--embedder", "fake"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    err = capsys.readouterr().err
    assert exit_info.value.code == 1 and len(err.strip().splitlines()) == 1 and "KeyError" in err, err
    assert not any(x in err for x in LEAKS) and "secret-detail" in _log(home)
