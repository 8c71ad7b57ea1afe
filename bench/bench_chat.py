"""Load-test the chat UI: N concurrent sessions through ``gradio_client`` on 127.0.0.1.

Starts the app in-process (extractive back-end) on a free port over a temporary CCHC_HOME
(the bundled samples are ingested on first use), then each session asks ``--rounds`` questions
through the public ``/ask`` endpoint. Prints p50/p95 latency per question and the success count.

    .venv/bin/python bench/bench_chat.py [--sessions 8] [--rounds 3] [--embedder fake] [--home DIR]
"""
from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "Quyết định nào ban hành kế hoạch CCHC năm 2020?",
    "Có bao nhiêu hồ sơ trễ hạn?",
    "Kết quả ứng dụng công nghệ thông tin năm 2020 ra sao?",
    "Những tồn tại, hạn chế trong công tác cải cách hành chính là gì?",
    "Nhiệm vụ trọng tâm cải cách hành chính năm 2021 gồm những gì?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(home: Path, embedder: str | None) -> tuple[str, object]:
    """Open the assistant and serve the UI in this process; returns (url, demo)."""
    if embedder and embedder.startswith("fake"):
        from tests.fakes import register_fakes

        register_fakes()
    from assistant.api import open_assistant
    from cchc.ui import launch

    asst = open_assistant(home, llm="extractive", embedder=embedder)
    port = free_port()
    demo = launch(asst, host="127.0.0.1", port=port, block=False)
    return f"http://127.0.0.1:{port}/", demo


def session(url: str, sid: int, rounds: int, latencies: list[float], errors: list[str]) -> None:
    """One user: its own client, ``rounds`` questions, the chat history carried along."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    chat: list = []
    for r in range(rounds):
        q = QUESTIONS[(sid + r) % len(QUESTIONS)]
        t0 = time.perf_counter()
        try:
            chat, _, _ = client.predict(q, chat, [], [], [], api_name="/ask")
            text = str(chat[-1]["content"])
            if "cchc-answer" not in text:
                raise RuntimeError(f"no answer in reply: {text[:120]}")
            latencies.append(time.perf_counter() - t0)
        except Exception as exc:  # count and report, keep the other sessions going
            errors.append(f"session {sid} round {r}: {type(exc).__name__}: {exc}")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--embedder", default=None, help="embedder name (default: the product default); "
                                                     "'fake' = deterministic test embedder")
    ap.add_argument("--home", type=Path, default=None, help="CCHC_HOME to use (default: a fresh temp dir)")
    args = ap.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    t0 = time.perf_counter()
    url, demo = start_app(home, args.embedder)
    print(f"app up at {url} in {time.perf_counter() - t0:.1f}s (home {home})")
    latencies: list[float] = []
    errors: list[str] = []
    threads = [threading.Thread(target=session, args=(url, i, args.rounds, latencies, errors))
               for i in range(args.sessions)]
    t1 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t1
    total = args.sessions * args.rounds
    print(f"{args.sessions} concurrent sessions × {args.rounds} questions: {len(latencies)}/{total} succeeded "
          f"in {wall:.1f}s wall")
    if latencies:
        print(f"latency p50 {statistics.median(latencies):.2f}s  p95 {pct(latencies, 0.95):.2f}s  "
              f"max {max(latencies):.2f}s")
    for e in errors[:10]:
        print("error:", e)
    demo.close()


if __name__ == "__main__":
    main()
