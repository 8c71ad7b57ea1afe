"""Benchmark the local generation back-ends on a realistic RAG prompt.

For each model: time to assemble/verify the GGUF, time to load it, then N runs of a
~1,200-character prompt of Vietnamese report passages plus a question.  Each run uses
a different window of passages (as real retrieval would), so llama.cpp cannot reuse
the previous run's prompt from its KV cache.  Prints median time-to-first-token,
median total time and decode speed (completion tokens / (total - TTFT)).

    .venv/bin/python bench/bench_generate.py [--models local-0.5b local] [--runs 5]
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.generators import get_generator  # noqa: E402
from assistant.models import ensure_model  # noqa: E402

SAMPLE = ROOT / "cchc" / "samples" / "000_2e45de5cd4b14c3f.txt"
SYSTEM = ("Bạn là trợ lý về cải cách hành chính. Chỉ trả lời dựa trên các đoạn trích được "
          "cung cấp, bằng tiếng Việt, từ 3 đến 5 câu, ghi số đoạn trích [n] sau mỗi ý. "
          "Nếu không có thông tin, hãy nói rõ.")
QUESTIONS = [
    "Sở đã ban hành những kế hoạch cải cách hành chính nào trong năm 2020?",
    "Công tác kiểm soát thủ tục hành chính được thực hiện như thế nào?",
    "Kết quả ứng dụng công nghệ thông tin của Sở năm 2020 ra sao?",
    "Những tồn tại, hạn chế trong công tác cải cách hành chính là gì?",
    "Nhiệm vụ trọng tâm cải cách hành chính năm 2021 gồm những gì?",
]
MODELS = {"local": "qwen2.5-coder-1.5b", "local-0.5b": "qwen2.5-coder-0.5b"}


def passages(text: str, start: int, budget: int = 1200, size: int = 300) -> list[str]:
    """Cut ``budget`` characters of whitespace-normalised text from ``start`` into passages."""
    flat = re.sub(r"\s+", " ", text).strip()
    start = start % max(1, len(flat) - budget)
    window = flat[start:start + budget]
    return [window[i:i + size].strip() for i in range(0, len(window), size)]


def build_messages(text: str, run: int) -> list[dict]:
    """The RAG prompt of run ``run``: numbered passages from a run-specific window + a question."""
    chunks = passages(text, start=run * 6000)
    context = "\n".join(f"[{i}] {chunk}" for i, chunk in enumerate(chunks, 1))
    question = QUESTIONS[run % len(QUESTIONS)]
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Đoạn trích:\n{context}\n\nCâu hỏi: {question}"}]


def one_run(gen, messages: list[dict], max_tokens: int) -> tuple[float, float, int]:
    """Return (time to first token, total time, completion tokens) of one streamed answer."""
    t0 = time.perf_counter()
    ttft, pieces = None, []
    for piece in gen.generate(messages, max_tokens=max_tokens, temperature=0.0):
        if ttft is None:
            ttft = time.perf_counter() - t0
        pieces.append(piece)
    total = time.perf_counter() - t0
    text = "".join(pieces)
    tokens = len(gen._slot.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))
    return (ttft if ttft is not None else total), total, tokens


def bench_model(name: str, home: Path, runs: int, max_tokens: int, text: str,
                threads: int | None = None) -> dict:
    """Load ``name`` and time ``runs`` answers; return the medians."""
    t0 = time.perf_counter()
    ensure_model(MODELS[name], home)
    prepare = time.perf_counter() - t0
    t0 = time.perf_counter()
    gen = get_generator(name, home=home, n_threads=threads)
    load = time.perf_counter() - t0
    prompt_tokens = len(gen._slot.llm.tokenize(
        "".join(m["content"] for m in build_messages(text, 0)).encode("utf-8")))
    ttfts, totals, rates, counts = [], [], [], []
    for run in range(runs):
        ttft, total, tokens = one_run(gen, build_messages(text, run), max_tokens)
        ttfts.append(ttft)
        totals.append(total)
        counts.append(tokens)
        rates.append(tokens / max(total - ttft, 1e-9))
        print(f"  {gen.name} run {run + 1}: ttft {ttft:.2f}s total {total:.2f}s "
              f"{tokens} tok", flush=True)
    return {"name": gen.name, "prepare_s": prepare, "load_s": load, "prompt_tok": prompt_tokens,
            "ttft_s": statistics.median(ttfts), "total_s": statistics.median(totals),
            "tok_s": statistics.median(rates), "out_tok": statistics.median(counts)}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["local", "local-0.5b"], choices=MODELS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=200)
    parser.add_argument("--home", type=Path, default=ROOT / ".cchc")
    parser.add_argument("--threads", type=int, default=None, help="default: all cores")
    args = parser.parse_args(argv)
    text = SAMPLE.read_text(encoding="utf-8")
    rows = [bench_model(m, args.home, args.runs, args.max_tokens, text, args.threads)
            for m in args.models]
    print(f"\n{'back-end':28} {'prepare':>8} {'load':>6} {'prompt':>7} {'TTFT':>6} "
          f"{'total':>6} {'out':>5} {'tok/s':>6}")
    for r in rows:
        print(f"{r['name']:28} {r['prepare_s']:7.2f}s {r['load_s']:5.2f}s {r['prompt_tok']:6}t "
              f"{r['ttft_s']:5.2f}s {r['total_s']:5.2f}s {r['out_tok']:5.0f} {r['tok_s']:6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
