"""Metrics of one evaluation run, all computed without an LLM judge.

Per item (:func:`score_item`) then over the run (:func:`aggregate`):

* retrieval — evidence recall@1/@5/@10 (an evidence span counts as found at rank r when
  it is contained, whitespace-insensitively, in the text of the r-th retrieved chunk;
  items with several spans score the share found), MRR (first chunk holding any span),
  context characters given to the generator (sum of ``retrieved[*].text`` lengths);
* answers — accuracy (every ``must_include`` token present, not abstained; an
  ``unanswerable`` item is correct iff it abstained), per category and per language;
* citations — share of quotes found verbatim in the cited report, share of answerable
  items citing a gold report, and for ``ambiguous``/``comparison_cross_doc`` whether
  every needed report is cited;
* abstention — recall on ``unanswerable``, false-abstention rate on answerable items;
* latency — p50/p95 of retrieve, first token and total (ms).
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from evals.ranking import NDCG_AT, ndcg_at, recall_curve
from evals.strict import strict_scores
from evals.textnorm import contains_token, span_in, squash
from evals.turns import conversation_metrics, parse_turns

UNANSWERABLE = "unanswerable"
MULTI_DOC = ("ambiguous", "comparison_cross_doc")
RECALL_AT = (1, 5, 10)


@dataclass
class EvalItem:
    """One question of a set, with single (``doc``/``evidence``) or list (``docs``) gold."""

    id: str
    question: str
    category: str
    lang: str = "vi"
    must_include: list[str] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    answer: str = ""
    line: int = 0
    turn: int = 0  # 0: opening question; n: n-th follow-up (see evals/turns.py)
    turns: list["EvalItem"] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        return self.category != UNANSWERABLE


def _as_list(value: object) -> list[str]:
    """``None`` -> [], a string -> [string], a list -> its non-empty strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v for v in value if v.strip()]
    raise ValueError(f"expected a string or a list of strings, got {type(value).__name__}")


def parse_item(obj: object, line: int = 0) -> EvalItem:
    """Validate one JSON object of a question set; raise ValueError with a clear reason."""
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    missing = [k for k in ("id", "question", "category") if not obj.get(k)]
    if missing:
        raise ValueError(f"missing field(s): {', '.join(missing)}")
    for key in ("id", "question", "category"):
        if not isinstance(obj[key], str):
            raise ValueError(f"field {key!r} must be a string")
    try:
        must = _as_list(obj.get("must_include"))
        docs = _as_list(obj.get("docs", obj.get("doc")))
        evidence = _as_list(obj.get("evidence"))
    except ValueError as err:
        raise ValueError(f"bad must_include/doc(s)/evidence: {err}") from None
    item = EvalItem(id=obj["id"], question=obj["question"], category=obj["category"],
                    lang=str(obj.get("lang") or "vi"), must_include=must, docs=docs,
                    evidence=evidence, answer=str(obj.get("answer") or ""), line=line)
    if item.answerable and not must:
        raise ValueError("answerable item without must_include tokens")
    item.turns = parse_turns(obj, parse_item, line)
    return item


# ---------------------------------------------------------------- per item

def evidence_ranks(evidence: list[str], retrieved: list[dict]) -> list[int | None]:
    """1-based rank of the first retrieved chunk containing each evidence span (or None)."""
    texts = [squash(h.get("text") or "") for h in retrieved]
    ranks: list[int | None] = []
    for span in evidence:
        s = squash(span)
        ranks.append(next((i + 1 for i, t in enumerate(texts) if s and s in t), None))
    return ranks


def recall_at(ranks: list[int | None], k: int) -> float | None:
    """Share of evidence spans found within the top ``k`` (None when there is no evidence)."""
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def reciprocal_rank(ranks: list[int | None]) -> float | None:
    """1 / rank of the first chunk holding any evidence span (0 if none; None: no evidence)."""
    if not ranks:
        return None
    found = [r for r in ranks if r is not None]
    return 1.0 / min(found) if found else 0.0


def answer_correct(item: EvalItem, answer: str, abstained: bool) -> bool:
    """Accuracy rule: unanswerable -> abstained; otherwise not abstained and all tokens in."""
    if not item.answerable:
        return bool(abstained)
    return (not abstained) and all(contains_token(answer, t) for t in item.must_include)


def quotes_verbatim(citations: list[dict], report_text: Callable[[str], str | None]) -> list[bool]:
    """For each citation, whether its quote occurs (whitespace-insensitively) in its report."""
    out = []
    for c in citations:
        text = report_text(str(c.get("doc") or ""))
        out.append(text is not None and span_in(str(c.get("quote") or ""), text))
    return out


def score_item(item: EvalItem, resp: dict, report_text: Callable[[str], str | None]) -> dict:
    """All per-item scores for one response in the ``cchc ask --jsonl`` shape."""
    retrieved = resp.get("retrieved") or []
    citations = resp.get("citations") or []
    ranks = evidence_ranks(item.evidence, retrieved)
    cited = sorted({str(c.get("doc")) for c in citations if c.get("doc")})
    verbatim = quotes_verbatim(citations, report_text)
    abstained = bool(resp.get("abstained"))
    scores = {
        "correct": answer_correct(item, str(resp.get("answer") or ""), abstained),
        "abstained": abstained,
        "missing_tokens": [t for t in item.must_include
                           if not contains_token(str(resp.get("answer") or ""), t)],
        "evidence_ranks": ranks,
        "rr": reciprocal_rank(ranks),
        "context_chars": sum(len(h.get("text") or "") for h in retrieved),
        "n_retrieved": len(retrieved),
        "cited_docs": cited,
        "quotes_total": len(verbatim),
        "quotes_verbatim": sum(verbatim),
        "cites_gold": bool(set(cited) & set(item.docs)) if item.docs else None,
        "cites_all_needed": set(item.docs) <= set(cited) if item.category in MULTI_DOC else None,
    }
    for k in RECALL_AT:
        scores[f"recall@{k}"] = recall_at(ranks, k)
    scores[f"ndcg@{NDCG_AT}"] = ndcg_at(ranks)
    scores.update(strict_scores(item.category, item.must_include, item.docs, item.question,
                                resp, scores["correct"]))
    return scores


# ---------------------------------------------------------------- aggregate

def mean(values: Iterable[float | bool | None]) -> float | None:
    """Mean of the non-None values (None if there are none)."""
    vals = [float(v) for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def percentile(values: Iterable[float | None], q: float) -> float | None:
    """Linear-interpolated percentile ``q`` in [0, 100] of the non-None values."""
    vals = sorted(float(v) for v in values if v is not None)
    if not vals:
        return None
    pos = (len(vals) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


def _by(rows: list[tuple[EvalItem, dict]], key: Callable[[EvalItem], str]) -> dict:
    """Accuracy and count grouped by ``key``."""
    groups: dict[str, list[bool]] = defaultdict(list)
    for item, s in rows:
        groups[key(item)].append(s["correct"])
    return {g: {"n": len(v), "accuracy": mean(v)} for g, v in sorted(groups.items())}


def retrieval_metrics(rows: list[tuple[EvalItem, dict]]) -> dict:
    """Recall@k, MRR and context size; recall@k is None when no item retrieved ``k`` chunks."""
    max_retrieved = max((s["n_retrieved"] for _, s in rows), default=0)
    out: dict = {}
    for k in RECALL_AT:
        ok = max_retrieved >= k or k == 1
        out[f"recall@{k}"] = mean(s[f"recall@{k}"] for _, s in rows) if ok else None
    out["mrr"] = mean(s["rr"] for _, s in rows)
    out[f"ndcg@{NDCG_AT}"] = mean(s.get(f"ndcg@{NDCG_AT}") for _, s in rows)
    out["recall_curve"] = recall_curve([s["evidence_ranks"] for _, s in rows], max_retrieved)
    out["avg_context_chars"] = mean(s["context_chars"] for _, s in rows)
    out["max_retrieved"] = max_retrieved
    return out


def citation_metrics(rows: list[tuple[EvalItem, dict]]) -> dict:
    """Verbatim quote share, gold-report citing share, all-needed-reports share."""
    total = sum(s["quotes_total"] for _, s in rows)
    return {
        "quotes_verbatim": (sum(s["quotes_verbatim"] for _, s in rows) / total) if total else None,
        "n_quotes": total,
        "cites_gold_report": mean(s["cites_gold"] for i, s in rows if i.answerable),
        "cites_all_needed": mean(s["cites_all_needed"] for _, s in rows),
    }


def abstention_metrics(rows: list[tuple[EvalItem, dict]]) -> dict:
    """Recall on unanswerable items and false-abstention rate on answerable ones."""
    return {
        "unanswerable_recall": mean(s["abstained"] for i, s in rows if not i.answerable),
        "false_abstention_rate": mean(s["abstained"] for i, s in rows if i.answerable),
    }


def latency_metrics(responses: list[dict]) -> dict:
    """p50/p95 (ms) of retrieve, first token and total."""
    out = {}
    for name, key in (("retrieve", "retrieve_ms"), ("first_token", "first_token_ms"),
                      ("total", "total_ms")):
        vals = [(r.get("timings") or {}).get(key) for r in responses]
        out[f"{name}_p50_ms"] = percentile(vals, 50)
        out[f"{name}_p95_ms"] = percentile(vals, 95)
    return out


def strict_metrics(rows: list[tuple[EvalItem, dict]]) -> dict:
    """Strict accuracy, answer length (median/p90 chars), short, per-report, declined rates."""
    chars = [s.get("answer_chars") for i, s in rows if i.answerable and not s["abstained"]]
    by_cat: dict[str, list[bool]] = defaultdict(list)
    for i, s in rows:
        by_cat[i.category].append(s["strict_correct"])
    return {
        "accuracy": mean(s["strict_correct"] for _, s in rows),
        "answer_chars_median": percentile(chars, 50),
        "answer_chars_p90": percentile(chars, 90),
        "short_rate": mean(s["short"] for _, s in rows),
        "per_report_rate": mean(s["per_report_all"] for _, s in rows),
        "declined_cleanly_rate": mean(s["declined_cleanly"] for _, s in rows),
        "accuracy_by_category": {c: {"n": len(v), "accuracy": mean(v)}
                                 for c, v in sorted(by_cat.items())},
    }


def aggregate(items: list[EvalItem], scores: list[dict], responses: list[dict]) -> dict:
    """Every run-level metric from aligned lists of items, their scores and responses."""
    from evals.intervals import add_intervals

    rows = list(zip(items, scores))
    return add_intervals({
        "n": len(rows),
        "accuracy": mean(s["correct"] for _, s in rows),
        "accuracy_by_category": _by(rows, lambda i: i.category),
        "accuracy_by_lang": _by(rows, lambda i: i.lang),
        "retrieval": retrieval_metrics(rows),
        "citations": citation_metrics(rows),
        "abstention": abstention_metrics(rows),
        "strict": strict_metrics(rows),
        "conversation": conversation_metrics(rows),
        "latency": latency_metrics(responses),
        "errors": sum(1 for r in responses if r.get("error")),
    }, rows)


class Corpus:
    """Report texts by file name, read lazily from a directory, else from ``fallback``
    (the assistant's indexed text of that report), else None."""

    def __init__(self, directory: Path, fallback: Callable[[str], str | None] | None = None):
        self.directory = Path(directory)
        self.fallback = fallback
        self._cache: dict[str, str | None] = {}

    def __call__(self, name: str) -> str | None:
        if name not in self._cache:
            path = self.directory / Path(name).name
            text = path.read_text(encoding="utf-8") if name and path.is_file() else None
            if text is None and name and self.fallback is not None:
                try:
                    text = self.fallback(name)
                except Exception:  # noqa: BLE001 - a missing report is "not verbatim", not a crash
                    text = None
            self._cache[name] = text
        return self._cache[name]
