"""A plain llama-index pipeline over the same reports and models, for comparison.

``open_baseline(asst, k)`` returns an object with the assistant's ``ask``/``describe``
shape, built the way a user would in an afternoon: the sample reports as llama-index
documents, the default ``SentenceSplitter``, an in-memory vector index using cchc's own
embedder, top-k retrieval, then

* with the ``extractive`` back-end (``asst.generator is None``): the sentence of the
  top-1 chunk sharing the most question keywords (the first such sentence on ties; the
  chunk's first sentence when none shares any), citing that chunk;
* otherwise: a plain ``Context: … / Question: … / Answer:`` prompt streamed from the
  same generator, citing the retrieved chunks (llama-index's source nodes).

It never abstains unless the generator's reply says it has no information.
All llama-index code lives in :mod:`index.llamaindex_adapter`.
"""
from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parent.parent / "cchc" / "samples"
NO_INFO = ("không có thông tin", "không tìm thấy thông tin", "không đủ thông tin",
           "không được đề cập", "không đề cập", "no information", "not mentioned",
           "i don't know", "i do not know", "does not contain", "not provided")
STOPWORDS = frozenset("""
bao nhiêu nào gì là của và các những được có không trong theo về cho với tại ở thì mà này
đó đã đang sẽ một hai ra vào từ như nhưng hay hoặc nên phải cần ai đâu sao mấy khi lúc
the a an of in on at to for and or is are was were what which who how many much did does
do by from with that this when where whether
""".split())
_SENT = re.compile(r"(?<=[.!?;])\s+")
_WORD = re.compile(r"[\w&/\-]+", re.UNICODE)
MAX_CONTEXT_CHARS = 7000  # keeps the prompt inside the local models' 4096-token window


def keywords(question: str) -> set[str]:
    """Case-folded question words minus function words and one-letter tokens."""
    return {w for w in (m.group(0).casefold() for m in _WORD.finditer(question))
            if len(w) > 1 and w not in STOPWORDS}


def sentences(text: str) -> list[str]:
    """Whitespace-collapsed sentences of a chunk."""
    flat = " ".join(text.split())
    return [s for s in _SENT.split(flat) if s]


def pick_sentence(text: str, question: str) -> str:
    """The sentence of ``text`` sharing the most question keywords (first on ties)."""
    keys = keywords(question)
    sents = sentences(text)
    if not sents:
        return ""
    scored = [(len(keys & {m.group(0).casefold() for m in _WORD.finditer(s)}), -i, s)
              for i, s in enumerate(sents)]
    best = max(scored)
    return best[2] if best[0] > 0 else sents[0]


def says_no_info(answer: str) -> bool:
    """Whether a generated reply says the context has no answer."""
    low = answer.casefold()
    return any(p in low for p in NO_INFO)


class Baseline:
    """``ask``/``describe`` over a :class:`index.llamaindex_adapter.LlamaIndexPipeline`."""

    def __init__(self, pipeline: Any, embedder_id: str, generator: Any | None, k: int) -> None:
        self.pipeline = pipeline
        self.embedder_id = embedder_id
        self.generator = generator
        self.k = k

    def describe(self) -> dict:
        gen = getattr(self.generator, "name", None) or "extractive"
        return {"embedder": self.embedder_id, "generator": gen, **self.pipeline.describe(),
                "pipeline": "llama-index baseline"}

    def ask(self, question: str, qid: str | None = None) -> dict:
        """The ``cchc ask --jsonl`` JSON for ``question``."""
        t0 = time.perf_counter()
        nodes = self.pipeline.retrieve(question)
        t1 = time.perf_counter()
        if self.generator is None:
            answer, citations, abstained, first = self._extract(question, nodes)
        else:
            answer, citations, abstained, first = self._generate(question, nodes, t0)
        t2 = time.perf_counter()
        retrieved = [{"doc": n.doc, "section": "", "chunk_id": n.chunk_id,
                      "score": round(n.score, 6), "text": n.text} for n in nodes]
        timings = {"retrieve_ms": (t1 - t0) * 1000, "generate_ms": (t2 - t1) * 1000,
                   "total_ms": (t2 - t0) * 1000,
                   "first_token_ms": first if first is not None else (t2 - t0) * 1000}
        return {"id": qid, "question": question, "answer": answer, "abstained": abstained,
                "citations": citations, "retrieved": retrieved, "timings": timings,
                "backend": "baseline-" + self.describe()["generator"]}

    @staticmethod
    def _cite(n: int, node: Any) -> dict:
        return {"n": n, "doc": node.doc, "section": "", "quote": node.text,
                "start": node.start, "end": node.end}

    def _extract(self, question: str, nodes: list) -> tuple[str, list, bool, None]:
        if not nodes:
            return "", [], False, None
        return pick_sentence(nodes[0].text, question) + " [1]", [self._cite(1, nodes[0])], \
            False, None

    def _generate(self, question: str, nodes: list, t0: float) -> tuple[str, list, bool, float]:
        context = "\n\n".join(n.text for n in nodes)[:MAX_CONTEXT_CHARS]
        prompt = f"Context: {context}\nQuestion: {question}\nAnswer:"
        pieces: list[str] = []
        first = None
        for piece in self.generator.generate([{"role": "user", "content": prompt}],
                                             max_tokens=256, temperature=0.0):
            if first is None and piece:
                first = (time.perf_counter() - t0) * 1000
            pieces.append(piece)
        answer = "".join(pieces).strip()
        citations = [self._cite(i, n) for i, n in enumerate(nodes, 1)]
        return answer, citations, says_no_info(answer), first


def open_baseline(asst: Any, k: int = 5, samples: Path = SAMPLES,
                  cache_dir: Path | None = None) -> Baseline:
    """Build the baseline over ``samples/*.txt`` with ``asst``'s embedder and generator.

    The embedded llama-index index is cached under ``cache_dir`` (default
    ``<cchc home>/baseline-llamaindex`` when the assistant reports its home).
    """
    from index.llamaindex_adapter import LlamaIndexPipeline

    if cache_dir is None and hasattr(asst, "describe"):
        home = (asst.describe() or {}).get("home")
        cache_dir = Path(home) / "baseline-llamaindex" if home else None
    files = sorted(Path(samples).glob("*.txt"))
    pipeline = LlamaIndexPipeline(files, asst.embedder, k=k, cache_dir=cache_dir)
    return Baseline(pipeline, str(getattr(asst.embedder, "id", "")), asst.generator, k)
