"""The grounding check of a draft: every number, date and decision code written in the draft
must be in a source quote cited on the same line (a marker ``[n]``), or inside a placeholder
``[cập nhật: …]``, or in the user's own instruction; anything else is turned into a placeholder.

    >>> quotes = {1: "Năm 2020, Sở tiếp nhận 109 hồ sơ."}
    >>> check_markdown("Năm 2021 Sở tiếp nhận 125 hồ sơ; năm 2020: 109 [1]", quotes, ["năm 2021"]).markdown
    'Năm 2021 Sở tiếp nhận [cập nhật: số liệu] hồ sơ; năm 2020: 109 [1]'

Numbers are found and compared the way the drafting evaluation does (``evals/drafting.py``):
whitespace, case and leading zeros are ignored, and ``31`` is not found inside ``131``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

PLACEHOLDER = re.compile(r"\[\s*cập nhật\s*:[^\]]*\]", re.IGNORECASE)
MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
LIST_NUMBER = re.compile(r"^(\s*(?:[#>*\-+]\s*)*)(?:[0-9IVXivx]+(?:\.\d+)*[.)])(?=\s)")
NUMBER = re.compile(r"\d+(?:[.,/]\d+)*(?:[/\-][^\s,;:()\[\]]+)*")
_LEADING_ZEROS = re.compile(r"(?<![\d.,])0+(?=\d)")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")


@dataclass
class CheckResult:
    """The checked markdown and the figures that were taken out of it."""

    markdown: str
    removed: list[str] = field(default_factory=list)


def _norm(text: str) -> str:
    t = _DECIMAL_COMMA.sub(".", unicodedata.normalize("NFC", text or "").casefold())
    return _LEADING_ZEROS.sub("", t)


def _squash(text: str) -> tuple[str, set[int]]:
    out: list[str] = []
    breaks: set[int] = set()
    for ch in text:
        if ch.isspace():
            breaks.add(len(out))
        else:
            out.append(ch)
    return "".join(out), breaks


def _continues(s: str, i: int, breaks: set[int]) -> bool:
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


def has_token(text: str, token: str) -> bool:
    """Whether ``token`` (a number, date or code) occurs in ``text`` as a whole number."""
    tok = re.sub(r"\s+", "", _norm(token))
    if not tok:
        return False
    hay, breaks = _squash(_norm(text))
    start = hay.find(tok)
    while start >= 0:
        end = start + len(tok)
        if not (tok[0].isdigit() and _continues(hay, start, breaks)) and \
                not (tok[-1].isdigit() and _continues(hay, end, breaks)):
            return True
        start = hay.find(tok, start + 1)
    return False


def markers(line: str) -> list[int]:
    """The citation numbers a line carries (placeholders are not markers)."""
    return [int(x) for m in MARKER.finditer(PLACEHOLDER.sub(" ", line)) for x in re.split(r"\s*[,;]\s*", m.group(1))]


def _skipped(line: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in PLACEHOLDER.finditer(line)] + [m.span() for m in MARKER.finditer(line)]
    lead = LIST_NUMBER.match(line)
    return spans + ([(lead.end(1), lead.end())] if lead else [])


def _kind(token: str) -> str:
    if re.search(r"[^\W\d_]", token):
        return "số hiệu văn bản"
    return "ngày" if re.fullmatch(r"\d{1,2}[/\-.]\d{1,2}[/\-.]\d{4}", token) else "số liệu"


def check_line(line: str, quotes: dict[int, str], allowed: list[str]) -> tuple[str, list[str]]:
    """One line checked: unsupported figures replaced by ``[cập nhật: …]``; returns it and them."""
    sources = [quotes[n] for n in markers(line) if n in quotes] + allowed
    skip = _skipped(line)
    out, removed, pos = [], [], 0
    for m in NUMBER.finditer(line):
        token = m.group(0).rstrip(".,")
        s, e = m.start(), m.start() + len(token)
        if any(a <= s < b for a, b in skip) or any(has_token(src, token) for src in sources):
            continue
        out += [line[pos:s], f"[cập nhật: {_kind(token)}]"]
        removed.append(token)
        pos = e
    out.append(line[pos:])
    return "".join(out), removed


def check_markdown(markdown: str, quotes: dict[int, str], allowed: list[str] = ()) -> CheckResult:
    """Check every line of ``markdown`` (see the module docstring)."""
    lines, removed = [], []
    for line in markdown.split("\n"):
        fixed, gone = check_line(line, quotes, list(allowed))
        lines.append(fixed)
        removed += gone
    return CheckResult("\n".join(lines), removed)


def unsupported(markdown: str, quotes: dict[int, str], allowed: list[str] = ()) -> list[str]:
    """The figures :func:`check_markdown` would remove (empty for a grounded draft)."""
    return check_markdown(markdown, quotes, allowed).removed


def placeholders(markdown: str) -> list[str]:
    """The distinct placeholders of a draft, in order."""
    return list(dict.fromkeys(m.group(0) for m in PLACEHOLDER.finditer(markdown)))
