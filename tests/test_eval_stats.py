"""Intervals and paired tests against values computed by hand (incl. 0% and 100%)."""
from __future__ import annotations

import math

import pytest

from evals.stats import (binom_cdf_half, bootstrap_mean, mcnemar_exact, paired_bootstrap,
                         wilson)

Z = 1.959963984540054


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    p, z2 = k / n, Z * Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return centre - half, centre + half


def test_wilson_zero_and_full_rates() -> None:
    # 0/10: centre = half = (z²/20)/(1 + z²/10) -> [0, z²/(10 + z²)] = [0, 0.2775]
    assert wilson(0, 10) == pytest.approx((0.0, Z * Z / (10 + Z * Z)))
    assert wilson(0, 10)[1] == pytest.approx(0.27753, abs=1e-5)
    assert wilson(10, 10) == pytest.approx((10 / (10 + Z * Z), 1.0))
    assert wilson(1, 1) == pytest.approx((1 / (1 + Z * Z), 1.0))  # 0.2065
    assert wilson(0, 0) is None


@pytest.mark.parametrize("k,n,lo,hi", [(5, 10, 0.2366, 0.7634), (1, 2, 0.0945, 0.9055),
                                       (34, 40, 0.7093, 0.9294)])  # 34/40: centre 0.8193 ± 0.1101
def test_wilson_textbook_values(k: int, n: int, lo: float, hi: float) -> None:
    assert wilson(k, n) == pytest.approx((lo, hi), abs=1e-4)
    assert wilson(k, n) == pytest.approx(wilson_by_hand(k, n))


def test_wilson_is_not_the_normal_interval() -> None:
    # the Wald interval for 1/10 would go below 0; Wilson stays inside [0, 1] and is asymmetric
    lo, hi = wilson(1, 10)
    assert 0 < lo < 0.1 < hi and (0.1 - lo) < (hi - 0.1)


def test_bootstrap_constant_sample_and_bounds() -> None:
    assert bootstrap_mean([1, 1, 1, 1]) == (1.0, 1.0)      # 100%: zero width
    assert bootstrap_mean([0.0] * 5) == (0.0, 0.0)         # 0%
    assert bootstrap_mean([]) is None and bootstrap_mean([None, None]) is None
    lo, hi = bootstrap_mean([0, 1] * 20)
    assert 0.3 < lo < 0.5 < hi < 0.7                       # mean 0.5, se ≈ 0.079
    assert bootstrap_mean([0, 1] * 20) == (lo, hi)         # fixed seed: reproducible


def test_bootstrap_ratio_of_sums_over_items() -> None:
    # item A: 2 of 2 quotes verbatim, item B: 0 of 2 -> share 0.5; a resample of only A is 1.0
    lo, hi = bootstrap_mean([2, 0], weights=[2, 2])
    assert lo == 0.0 and hi == 1.0
    assert bootstrap_mean([3, 3], weights=[3, 3]) == (1.0, 1.0)


def test_mcnemar_exact_by_hand() -> None:
    assert mcnemar_exact(0, 0) == 1.0                      # same run twice
    assert mcnemar_exact(0, 5) == pytest.approx(2 / 32)    # 2 · (1/2)^5
    assert mcnemar_exact(5, 0) == mcnemar_exact(0, 5)      # two-sided, symmetric
    assert mcnemar_exact(1, 6) == pytest.approx(2 * (1 + 7) / 128)  # 0.125
    assert mcnemar_exact(3, 3) == 1.0                      # capped at 1
    assert mcnemar_exact(2, 8) == pytest.approx(2 * (1 + 10 + 45) / 1024)
    assert binom_cdf_half(10, 10) == 1.0


def test_paired_bootstrap_differences() -> None:
    same = paired_bootstrap([1, 0, 1], [1, 0, 1])
    assert same == {"n": 3, "mean_diff": 0.0, "ci95": [0.0, 0.0]}
    better = paired_bootstrap([0] * 10, [1] * 10)
    assert better["mean_diff"] == 1.0 and better["ci95"] == [1.0, 1.0]
    mixed = paired_bootstrap([0, 0, 1, None], [1, 1, 1, 0])   # the None pair is dropped
    assert mixed["n"] == 3 and mixed["mean_diff"] == pytest.approx(2 / 3)
    assert mixed["ci95"][0] >= 0.0 and mixed["ci95"][1] == 1.0
