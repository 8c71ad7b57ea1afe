"""Strict answer checks and ranking metrics on composed answers (other provinces)."""
from __future__ import annotations

import math

import pytest

from evals.ranking import ndcg_at, recall_curve
from evals.strict import (SHORT_LINE_CHARS, body, is_short, offered_figures, per_report_ok,
                          strict_scores)

DOCS = ["gl_2021.txt", "ct_2022.txt"]
MUST = ["15/KH-SNV", "88/KH-SNV"]
CITES = [{"n": 1, "doc": "gl_2021.txt", "province": "Gia Lai"},
         {"n": 2, "doc": "ct_2022.txt", "province": "Cần Thơ"}]


def test_body_and_short_rule() -> None:
    assert body("Có 12 hồ sơ trễ hạn [1][2].") == "Có 12 hồ sơ trễ hạn ."
    long_line = "x" * (SHORT_LINE_CHARS + 1)
    assert is_short("y" * SHORT_LINE_CHARS + " [1]")
    assert not is_short(long_line + " [1]")
    # the limit is per line, and the quote after a marker is not counted
    assert is_short("- Gia Lai: 15/KH-SNV [1]\n- Cần Thơ: 88/KH-SNV [2] " + long_line)


def test_per_report_lines_by_marker_file_or_province() -> None:
    ok = "Mỗi báo cáo khác nhau:\n- Gia Lai (2021): Kế hoạch 15/KH-SNV [1]\n- Cần Thơ: 88/KH-SNV [2]"
    assert per_report_ok(MUST, DOCS, ok, CITES) == [True, True]
    by_file = "- gl_2021.txt: 15/KH-SNV\n- ct_2022.txt: 88/KH-SNV"
    assert per_report_ok(MUST, DOCS, by_file, []) == [True, True]
    by_province = "- Gia Lai: 15/KH-SNV\n- Can Tho: 88/KH-SNV"     # no tone marks, no marker
    assert per_report_ok(MUST, DOCS, by_province, CITES) == [True, True]


def test_per_report_fails_when_figures_swapped_or_on_one_line() -> None:
    swapped = "- Gia Lai: 88/KH-SNV [1]\n- Cần Thơ: 15/KH-SNV [2]"
    assert per_report_ok(MUST, DOCS, swapped, CITES) == [False, False]
    one_line = "Gia Lai 15/KH-SNV, Cần Thơ 88/KH-SNV [1][2]"   # not a "- " line per report
    assert per_report_ok(MUST, DOCS, one_line, CITES) == [False, False]
    missing = "- Gia Lai: 15/KH-SNV [1]"
    assert per_report_ok(MUST, DOCS, missing, CITES) == [True, False]


def test_unanswerable_declined_without_figures() -> None:
    q = "Sở Nội vụ Gia Lai có bao nhiêu dịch vụ công mức độ 4 năm 2021?"
    assert offered_figures("Các báo cáo không có thông tin này.", q) == []
    assert offered_figures("Không thấy số liệu năm 2021 và mức độ 4.", q) == []  # echoes question
    assert offered_figures("Không có số liệu; năm 2020 có 109 hồ sơ [1].", q) == ["2020", "109"]
    assert offered_figures("Không có số liệu năm 2021.\nGần nhất: năm 2020 có 109 hồ sơ [1].", q) == []
    assert offered_figures("No data.\nClosest available: 109 in 2020 [1]", q) == []


def test_strict_scores_combine_checks() -> None:
    resp = {"answer": "- Gia Lai: 15/KH-SNV [1]\n- Cần Thơ: 88/KH-SNV [2]", "citations": CITES}
    s = strict_scores("ambiguous", MUST, DOCS, "?", resp, True)
    assert s["strict_correct"] and s["per_report_all"] and s["short"]
    assert not strict_scores("ambiguous", MUST, DOCS, "?", resp, False)["strict_correct"]
    guess = {"answer": "Có 12 dịch vụ [1].", "abstained": True, "citations": []}
    s = strict_scores("unanswerable", [], [], "Bao nhiêu dịch vụ?", guess, True)
    assert s["declined_cleanly"] is False and not s["strict_correct"]
    s = strict_scores("count", ["12"], ["a.txt"], "?", {"answer": "12 " + "x" * 300}, True)
    assert not s["short"] and not s["strict_correct"] and s["answer_chars"] == 303


def test_ndcg_by_hand() -> None:
    assert ndcg_at([1]) == 1.0
    assert ndcg_at([3]) == pytest.approx(1 / math.log2(4))        # 0.5
    assert ndcg_at([1, 3]) == pytest.approx((1 + 0.5) / 2)
    assert ndcg_at([None]) == 0.0 and ndcg_at([11]) == 0.0       # beyond the cut-off
    assert ndcg_at([]) is None


def test_recall_curve_stops_where_retrieval_stopped() -> None:
    curve = recall_curve([[1], [3], [None]], max_retrieved=5)
    assert curve["1"] == pytest.approx(1 / 3) and curve["3"] == pytest.approx(2 / 3)
    assert curve["5"] == pytest.approx(2 / 3) and curve["6"] is None and len(curve) == 20
