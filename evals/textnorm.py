"""Text normalisation shared by every metric (no LLM, no index).

Two comparisons, both following ``shared/evals/README.md``:

* **answer tokens** (:func:`contains_token`): Unicode NFC, case-folding, whitespace
  removed, leading zeros of numbers ignored (``05`` = ``5``, ``30/01/2020`` =
  ``30/1/2020``), decimal comma = decimal point. A token that starts (ends) with a
  digit must not continue a number in the text: ``31`` is not found in ``131``.
* **spans** (:func:`squash` / :func:`span_in`): NFC and all whitespace removed, case kept;
  used for evidence-in-chunk and quote-in-report checks.
"""
from __future__ import annotations

import re
import unicodedata

_LEADING_ZEROS = re.compile(r"(?<![\d.,])0+(?=\d)")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """NFC with every whitespace character removed (case kept)."""
    return _WS.sub("", unicodedata.normalize("NFC", text or ""))


def span_in(span: str, text: str) -> bool:
    """Whether ``span`` occurs in ``text`` ignoring whitespace (empty span: False)."""
    s = squash(span)
    return bool(s) and s in squash(text)


def norm_token_text(text: str) -> str:
    """NFC, case-fold, drop leading zeros of numbers, decimal comma -> point (spaces kept)."""
    t = unicodedata.normalize("NFC", text or "").casefold()
    t = _DECIMAL_COMMA.sub(".", t)
    return _LEADING_ZEROS.sub("", t)


def _squash_with_breaks(text: str) -> tuple[str, set[int]]:
    """Remove whitespace; return the string and the indices where whitespace was removed."""
    out: list[str] = []
    breaks: set[int] = set()
    for ch in text:
        if ch.isspace():
            breaks.add(len(out))
        else:
            out.append(ch)
    return "".join(out), breaks


def _continues_number(s: str, i: int, breaks: set[int]) -> bool:
    """Whether position ``i`` (a boundary between s[i-1] and s[i]) is inside a number."""
    if i <= 0 or i >= len(s) or i in breaks:
        return False
    left, right = s[i - 1], s[i]
    if left.isdigit() and right.isdigit():
        return True
    if left in ".," and right.isdigit():
        return i >= 2 and s[i - 2].isdigit() and (i - 1) not in breaks
    if left.isdigit() and right in ".,":
        return i + 1 < len(s) and s[i + 1].isdigit() and (i + 1) not in breaks
    return False


def contains_token(text: str, token: str) -> bool:
    """Whether the normalised ``token`` occurs in the normalised ``text``.

    >>> contains_token("Quyết định 20/QĐ-SKHCN ngày 30/01/2020", "30/1/2020")
    True
    >>> contains_token("tổng cộng 131 tài khoản", "31")
    False
    """
    tok = squash(norm_token_text(token))
    if not tok:
        return False
    hay, breaks = _squash_with_breaks(norm_token_text(text))
    start = hay.find(tok)
    while start >= 0:
        end = start + len(tok)
        left_ok = not (tok[0].isdigit() and _continues_number(hay, start, breaks))
        right_ok = not (tok[-1].isdigit() and _continues_number(hay, end, breaks))
        if left_ok and right_ok:
            return True
        start = hay.find(tok, start + 1)
    return False
