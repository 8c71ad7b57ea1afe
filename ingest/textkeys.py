"""Vietnamese text keys: tone-mark folding, syllables, and the spans that must stay whole.

Decision numbers (``20/QĐ-SKHCN``, ``19/2014/QĐ-TTg``, ``05-NQ/TU``), dates (``30/01/2020``),
scores (``10,25/11,00``) and abbreviations (``TP.``, ``KH&CN``) are single tokens: they are
never split by the chunker and are one keyword each.

    >>> tokens("Quyết định số 20/QĐ-SKHCN ngày 30/01/2020")
    ['quyết', 'định', 'số', '20/qđ-skhcn', 'ngày', '30/1/2020']
    >>> fold("Khánh Hòa")
    'khanh hoa'

Search keys are canonical: :func:`nfc` drops zero-width characters and puts the tone mark of
``oa``/``oe``/``uy`` syllables on the first vowel (``hoà``/``hòa`` → ``hòa``, ``thuỷ`` → ``thủy``), so
NFD input, either tone placement and pasted zero-width characters give the same keyword tokens
and the same embedder input. The report text shown to users keeps the writer's spelling.
"""
from __future__ import annotations

import functools
import re
import unicodedata

# A document code: digits then letters/digits joined by / or - (at least one letter part),
# e.g. 20/QĐ-SKHCN, 1078/QĐ-UBND, 19/2014/QĐ-TTg, 05-NQ/TU, 30c/NQ-CP, 59/SKHCN-VP.
CODE = r"\d+[a-zA-Z]?(?:[/\-–](?:\d+|[A-ZĐa-zđ][\wĐđ]*))*[/\-–] ?[A-ZĐ][\wĐđ]*(?:[/\-–] ?[A-ZĐ\d][\wĐđ]*)*"
DATE = r"\d{1,2}/\d{1,2}/\d{4}|\d{1,2}-\d{1,2}-\d{4}|\d{1,2}\.\d{1,2}\.\d{4}"
NUMBER = r"\d+(?:[.,]\d+)*(?:/\d+(?:[.,]\d+)*)?%?"
ABBREV = r"(?:TP|Tp|TX|TT|PGS|TS|ThS|KS|BS|GS|Q|KT|TM)\.(?=\s?[A-ZĐ\d])|[A-ZĐ]+(?:&[A-ZĐ]+)+"
WORD = r"[^\W\d_]+(?:[&'][^\W\d_]+)*"
TOKEN_RE = re.compile(rf"(?:{DATE})|(?:{CODE})|(?:{ABBREV})|(?:{NUMBER})|(?:{WORD})", re.UNICODE)
PROTECTED_RE = re.compile(rf"(?:{DATE})|(?:{CODE})|(?:{ABBREV})|\d+(?:[.,]\d+)+")
_DATE_RE = re.compile(rf"^(?:{DATE})$")
_ZW = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


# o+a, o+e, u+y closing a syllable, tone mark on the second vowel ("new style": hoà, khoẻ, thuỷ).
_NEW_STYLE = re.compile(r"(?<![^\W\d_])([^\W\d_]*?)([oOuU])([àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ])(?![^\W\d_])")
_VOWELS = set("aăâeêioôơuưy")


def _old_style(m: re.Match) -> str:
    head, first, second = m.group(1), m.group(2), m.group(3)
    base = unicodedata.normalize("NFD", second)
    pair = first.lower() + base[0].lower()
    if pair not in ("oa", "oe", "uy") or head[-1:].lower() == "q" or (
            head and fold_char(head[-1]) in _VOWELS):
        return m.group(0)  # "quý", "quỳnh" keep their spelling; not a syllable we know
    return head + unicodedata.normalize("NFC", first + base[1:]) + base[0]


def fold_char(c: str) -> str:
    """A letter without its marks, lower case: ``Ư`` → ``u``."""
    return unicodedata.normalize("NFD", c.lower())[0]


def canonical_tones(text: str) -> str:
    """One tone placement for ``oa``/``oe``/``uy`` syllables: ``hoà`` → ``hòa``, ``uỷ`` → ``ủy`` (NFC input)."""
    return _NEW_STYLE.sub(_old_style, text)


def nfc(text: str) -> str:
    """Canonical search form (queries and documents alike): NFC, no zero-width characters, one
    tone placement (:func:`canonical_tones`). Same length as NFC text without zero-width characters."""
    return canonical_tones(unicodedata.normalize("NFC", text.translate(_ZW)))


def fold(text: str) -> str:
    """Lower case without tone marks or diacritics: ``Hòa``/``Hoà``/``hoa`` all become ``hoa``."""
    return _fold_word(text) if len(text) <= 24 else _fold(text)  # words repeat: cache them


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFD", nfc(text).lower()).replace("đ", "d")
    return "".join(c for c in s if unicodedata.category(c) != "Mn")


_fold_word = functools.lru_cache(maxsize=1 << 16)(_fold)


def canon_number(tok: str) -> str:
    """Leading zeros off every number part: ``30/01/2020`` -> ``30/1/2020``, ``05`` -> ``5``."""
    return re.sub(r"(?<![\d.,])0+(?=\d)", "", tok)


def tokens(text: str) -> list[str]:
    """Lower-cased tokens with codes, dates and abbreviations kept whole (numbers canonical)."""
    out = []
    for m in TOKEN_RE.finditer(nfc(text)):
        tok = re.sub(r"\s", "", m.group(0)).replace("–", "-").lower()
        if tok[0].isdigit():
            tok = canon_number(tok)
        out.append(tok)
    return out


def syllable_count(text: str) -> int:
    """Number of syllables (Vietnamese words are written syllable by syllable)."""
    return len(TOKEN_RE.findall(text))


def is_date(tok: str) -> bool:
    return bool(_DATE_RE.match(tok))


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Character spans that a sentence or chunk boundary must never fall inside."""
    return [(m.start(), m.end()) for m in PROTECTED_RE.finditer(text)]
