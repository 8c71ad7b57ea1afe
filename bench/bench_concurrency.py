"""Concurrency figures for the chat server (issue #6 part 3).

Starts ``cchc chat --llm extractive`` in its own process over a fresh CCHC_HOME holding the bundled
reports, starts ``cchc ingest`` of new reports in a third process, and meanwhile sends ``--users``
questions at once, one ``gradio_client`` session each. Then a burst of ``--burst`` users at once
shows the queue limit (``cchc/ui_limits.py``): each is answered or told the assistant is busy.

    .venv/bin/python bench/bench_concurrency.py [--users 32] [--burst 64] [--embedder e5|fake]

Prints per phase: answered with citations / busy / errors, latency p50 / p95 / max, and the
ingest's own duration and result.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
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
    "Quy chế xét tặng Giải thưởng KH&CN tỉnh Khánh Hòa được ban hành theo quyết định nào?",
    "Kết quả ứng dụng công nghệ thông tin năm 2020 ra sao?",
    "Những tồn tại, hạn chế trong công tác cải cách hành chính là gì?",
    "Sở KH&CN Quảng Ngãi đã tham mưu UBND tỉnh ban hành những văn bản nào để triển khai ISO 9001?",
]


def _cli(embedder: str | None) -> list[str]:
    fake = bool(embedder and embedder.startswith("fake"))
    return [sys.executable, "-m", "tests.helpers.cli_fake" if fake else "cchc.cli"]


def start_app(home: Path, embedder: str | None) -> tuple[str, subprocess.Popen]:
    """``cchc chat --llm extractive`` in its own process (as deployed); returns (url, process)."""
    import urllib.request

    from tests.fakes import free_port

    shared = Path.home() / ".cchc" / "models"  # reuse the exported e5 instead of exporting it again
    home.mkdir(parents=True, exist_ok=True)
    if shared.is_dir() and not (home / "models").exists():
        (home / "models").symlink_to(shared)
    port = free_port()
    cmd = _cli(embedder) + ["chat", "--llm", "extractive", "--home", str(home), "--port", str(port)]
    server = subprocess.Popen(cmd + (["--embedder", embedder] if embedder else []), cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"the chat server stopped: {server.stderr.read()[-2000:]}")
        try:
            urllib.request.urlopen(url + "config", timeout=2)
            return url, server
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the chat server did not come up in 5 minutes")


def start_ingest(home: Path, embedder: str | None, n_reports: int) -> tuple[subprocess.Popen, float]:
    """``cchc ingest`` of ``n_reports`` new reports (samples with other years) in another process."""
    folder = home.parent / "new_reports"
    folder.mkdir(exist_ok=True)
    sources = sorted((ROOT / "cchc" / "samples").glob("*.txt"))
    for i in range(n_reports):
        text = sources[i % len(sources)].read_text(encoding="utf-8")
        (folder / f"bao_cao_moi_{i:02d}.txt").write_text(text.replace("2020", str(2030 + i)), encoding="utf-8")
    cmd = _cli(embedder) + ["ingest", str(folder), "--home", str(home)]
    cmd += ["--embedder", embedder] if embedder else []
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), time.monotonic()


def user(url: str, i: int, results: list, ready: threading.Barrier) -> None:
    """One user: own session, one question; records (kind, seconds)."""
    from gradio_client import Client

    try:
        client = Client(url, verbose=False, analytics_enabled=False, httpx_kwargs={"timeout": 300})
    except Exception as exc:  # noqa: BLE001 - counted, the others go on
        results.append(("error", 0.0, f"connect: {type(exc).__name__}: {exc}"))
        ready.wait()
        return
    ready.wait()
    t0 = time.perf_counter()
    try:
        chat, _, panel = client.predict(QUESTIONS[i % len(QUESTIONS)], [], [], [], [], api_name="/ask")
        html = str(chat[-1]["content"]) + str(panel)  # the answer and its source panel (the cards)
        kind = "cited" if "cchc-card" in html else "busy" if "đang bận" in html else "uncited"
        results.append((kind, time.perf_counter() - t0, html[:160]))
    except Exception as exc:  # noqa: BLE001
        results.append(("error", time.perf_counter() - t0, f"{type(exc).__name__}: {exc}"))


def run_users(url: str, n: int) -> tuple[list, float]:
    results: list = []
    ready = threading.Barrier(n)
    threads = [threading.Thread(target=user, args=(url, i, results, ready)) for i in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - t0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else float("nan")


def summary(name: str, results: list, wall: float) -> None:
    kinds = {k: sum(1 for r in results if r[0] == k) for k in ("cited", "uncited", "busy", "error")}
    answered = [r[1] for r in results if r[0] in ("cited", "uncited")]
    busy = [r[1] for r in results if r[0] == "busy"]
    print(f"{name}: {len(results)} users in {wall:.1f}s wall — answered with citations {kinds['cited']}, "
          f"answered without {kinds['uncited']}, told busy {kinds['busy']}, errors {kinds['error']}")
    if answered:
        print(f"  answer latency p50 {statistics.median(answered):.2f}s  p95 {pct(answered, 0.95):.2f}s  "
              f"max {max(answered):.2f}s")
    if busy:
        print(f"  busy reply latency p50 {statistics.median(busy):.2f}s  max {max(busy):.2f}s")
    for r in [r for r in results if r[0] in ("error", "uncited")][:5]:
        print("  ", r[0], r[2])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=32)
    ap.add_argument("--burst", type=int, default=64)
    ap.add_argument("--reports", type=int, default=6, help="new reports the concurrent ingest adds")
    ap.add_argument("--embedder", default=None, help="default: the product default (e5); 'fake' for a quick run")
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="cchc-conc-")) / "home"
    t0 = time.perf_counter()
    url, server = start_app(home, args.embedder)
    print(f"app up at {url} in {time.perf_counter() - t0:.1f}s (home {home}, embedder {args.embedder or 'e5'})")
    writer, started = start_ingest(home, args.embedder, args.reports)
    time.sleep(2.0)
    results, wall = run_users(url, args.users)
    running = writer.poll() is None
    summary(f"phase 1: {args.users} concurrent questions during an ingest in another process", results, wall)
    out, err = writer.communicate()
    lines = [x for x in out.splitlines() if x.strip()]
    print(f"  ingest: exit {writer.returncode} after {time.monotonic() - started:.1f}s, still running when the last "
          f"answer came: {running}; {sum(': ingested' in x for x in lines)}/{args.reports} ingested"
          + (f"; stderr: {err.strip().splitlines()[-1]}" if writer.returncode else ""))
    results, wall = run_users(url, args.burst)
    from cchc.ui_limits import MAX_INFLIGHT

    summary(f"phase 2: burst of {args.burst} users (queue limit {MAX_INFLIGHT})", results, wall)
    server.terminate()
    server.wait(timeout=30)


if __name__ == "__main__":
    main()
