"""Ranking metrics comparable with retrieval benchmarks: nDCG@10 and the recall@k curve.

The relevant units are the item's evidence spans (a chunk is relevant for a span when
it contains it). Each span gains 1/log2(r + 1) at the first rank r ≤ k holding it, and
the ideal places every span in the first chunk (gain 1 each, as one chunk can hold them
all), so nDCG@k = mean over spans of 1/log2(r + 1) (0 when not in the top k). With one
span this is the usual nDCG with one relevant document. Example: spans first found at
ranks 1 and 3 -> (1 + 1/log2 4) / 2 = 0.75.
"""
from __future__ import annotations

import math

NDCG_AT = 10  # the cut-off MTEB reports for Vietnamese legal retrieval (Zalo)
CURVE_KS = tuple(range(1, 21))  # recall@k curve, k = 1..20


def ndcg_at(ranks: list[int | None], k: int = NDCG_AT) -> float | None:
    """nDCG@k from the first rank of each evidence span (None when there is no evidence)."""
    if not ranks:
        return None
    return sum(1.0 / math.log2(r + 1) for r in ranks if r is not None and r <= k) / len(ranks)


def recall_curve(rank_lists: list[list[int | None]], max_retrieved: int) -> dict[str, float | None]:
    """Mean evidence recall@k for k in CURVE_KS (None for k beyond what was retrieved)."""
    from evals.metrics import mean, recall_at

    return {str(k): (mean(recall_at(r, k) for r in rank_lists) if k <= max(max_retrieved, 1)
                     else None) for k in CURVE_KS}
