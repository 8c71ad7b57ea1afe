"""Legacy Vietnamese 8-bit encodings and a "does this look like Vietnamese" check.

Before Unicode, Vietnamese documents were typed with 8-bit font encodings:

* **TCVN3 (ABC)** — fonts ``.VnTime``/``.VnArial``: one byte per precomposed lowercase
  letter (0xB5 = ``à``, 0xB8 = ``á`` …); toned capitals only exist in the ``…H`` fonts,
  which reuse the lowercase codes.
* **VNI-Windows** — fonts ``VNI-Times``: a base letter followed by a modifier byte
  (``a`` + 0xF9 ``ù`` = ``á``, ``e`` + 0xE4 ``ä`` = ``ệ``), a few single bytes
  (0xF4 ``ô`` = ``ơ``, 0xF6 ``ö`` = ``ư``, 0xF1 ``ñ`` = ``đ``).
* **Windows-1258** — handled by Python's ``cp1258`` codec (combining tone marks).

Read as Windows-1252 such text becomes mojibake (``ViÖt Nam``, ``Vieät Nam``). This module
converts it back and scores text by the share of words that are valid Vietnamese syllables,
so callers can refuse to index garbage.
"""
from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

__all__ = [
    "VnScore", "score_vietnamese", "decode_tcvn3", "decode_vni", "decode_cp1258",
    "repair_tcvn3", "repair_vni", "repair_double_utf8", "repair_mojibake",
]

# --------------------------------------------------------------------------- tables
# TCVN3 (ABC) bytes 0xA1-0xFE; other bytes keep their Windows-1252 meaning.
_TCVN3_HIGH = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}


def _cp1252_char(byte: int) -> str:
    """Windows-1252 meaning of ``byte``; the 5 undefined bytes map to Latin-1."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_CP1252_TABLE = "".join(_cp1252_char(b) for b in range(256))
_TCVN3_TABLE = "".join(_TCVN3_HIGH.get(b, _CP1252_TABLE[b]) for b in range(256))
# Unicode-level repair: the cp1252 character a TCVN3 byte shows as -> the real letter.
_TCVN3_REPAIR = {ord(_CP1252_TABLE[b]): ch for b, ch in _TCVN3_HIGH.items()}

_TONES = {"acute": "\u0301", "grave": "\u0300", "hook": "\u0309", "tilde": "\u0303", "dot": "\u0323"}
_VNI_TONE = dict(zip("ùøûõï", ["acute", "grave", "hook", "tilde", "dot"]))
_VNI_CIRC = dict(zip("âáàåãä", [None, "acute", "grave", "hook", "tilde", "dot"]))
_VNI_BREVE = dict(zip("êéèúüë", [None, "acute", "grave", "hook", "tilde", "dot"]))
_VNI_SINGLE = {"ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "ñ": "đ", "Ñ": "Đ",
               "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ", "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ"}


def _compose(base: str, *marks: str | None) -> str:
    """NFC of ``base`` followed by combining ``marks`` (``None`` entries skipped)."""
    return unicodedata.normalize("NFC", base + "".join(m for m in marks if m))


def _build_vni_pairs() -> dict[str, str]:
    """All VNI two-character sequences (base letter + modifier) -> precomposed letter."""
    pairs: dict[str, str] = {}
    groups = [("aeouyAEOUY", None, _VNI_TONE), ("aeoAEO", "\u0302", _VNI_CIRC),
              ("aA", "\u0306", _VNI_BREVE), ("ôÔ", "horn-o", _VNI_TONE), ("öÖ", "horn-u", _VNI_TONE)]
    for bases, quality, mods in groups:
        for base in bases:
            real = {"horn-o": ("o", "\u031b"), "horn-u": ("u", "\u031b")}.get(quality or "", (base, quality))
            letter, mark = real
            if base.isupper():
                letter = letter.upper()
            for mod, tone in mods.items():
                composed = _compose(letter, mark, _TONES.get(tone or ""))
                pairs[base + mod] = composed
                pairs[base + mod.upper()] = composed
    return pairs


_VNI_PAIRS = _build_vni_pairs()
_VNI_MODS = "".join(dict.fromkeys(k[1] for k in _VNI_PAIRS))
_VNI_RE = re.compile(f"([aeouyAEOUYôÔöÖ])([{_VNI_MODS}])|[{''.join(_VNI_SINGLE)}]")


def _vni_sub(m: re.Match[str]) -> str:
    seq = m.group(0)
    if m.group(1) is None:
        return _VNI_SINGLE[seq]
    return _VNI_PAIRS.get(seq) or _VNI_SINGLE.get(m.group(1), m.group(1)) + m.group(2)

# --------------------------------------------------------------------------- decoders


def decode_tcvn3(data: bytes) -> str:
    """Decode TCVN3 (ABC) bytes; capitals typed in ``…H`` fonts are restored per word."""
    text = codecs.charmap_decode(data, "strict", _TCVN3_TABLE)[0]
    return _fix_tcvn3_caps(text)


def decode_vni(data: bytes) -> str:
    """Decode VNI-Windows bytes (base letter + modifier byte) to NFC Unicode."""
    return repair_vni(codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0])


def decode_cp1258(data: bytes) -> str | None:
    """Windows-1258 (decomposed tone marks) -> NFC, or ``None`` if the bytes are invalid."""
    try:
        return unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return None


def repair_tcvn3(text: str) -> str:
    """Fix TCVN3 text that was read as Windows-1252 (``ViÖt`` -> ``Việt``)."""
    return _fix_tcvn3_caps(text.translate(_TCVN3_REPAIR))


def repair_vni(text: str) -> str:
    """Fix VNI text that was read as Windows-1252 (``Vieät`` -> ``Việt``)."""
    return _VNI_RE.sub(_vni_sub, text)


def repair_double_utf8(text: str) -> str | None:
    """Fix UTF-8 that was decoded as Windows-1252 (``Viá»‡t`` -> ``Việt``), else ``None``."""
    raw = bytearray()
    for ch in text:
        code = ord(ch)
        if code < 0x80:
            raw.append(code)
            continue
        enc = _CP1252_REVERSE.get(ch)
        if enc is None:
            return None
        raw.append(enc)
    try:
        return bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None


_CP1252_REVERSE = {ch: b for b, ch in enumerate(_CP1252_TABLE) if b >= 0x80}
_CAPS_WORD_RE = re.compile(r"\S*?[A-Z]\S*?[A-Z]\S*")  # words with ≥ 2 ASCII capitals


def _fix_tcvn3_caps(text: str) -> str:
    """Upper-case words whose ASCII letters are all capitals (``BáO`` -> ``BÁO``)."""
    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        ascii_letters = [c for c in word if c.isascii() and c.isalpha()]
        if len(ascii_letters) >= 2 and all(c.isupper() for c in ascii_letters) and not word.isupper():
            return word.upper()
        return word
    return _CAPS_WORD_RE.sub(fix, text)


# --------------------------------------------------------------------------- scoring
_INITIALS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
_NUCLEI = ("iêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu yêu uêu "
           "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi oo ôô ôi ơi ua uâ uă uê ui uo uô uơ uy "
           "ưa ưi ưu ươ yê a ă â e ê i o ô ơ u ư y").split()
_FINALS = "ch|ng|nh|c|k|m|n|p|t"
_SYLLABLE_RE = re.compile(rf"(?:{_INITIALS})?(?:{'|'.join(_NUCLEI)})(?:{_FINALS})?")
# Tokens: split on whitespace, ASCII punctuation/digits, general punctuation and a few
# symbols that legitimately touch words (m², 30°C, 5‰). Latin-1 symbols such as ¸ ¶ µ
# stay inside tokens: they are exactly what TCVN3 mojibake is made of.
_TOKEN_RE = re.compile(r"[^\s!-@\[-`{-~\u2010-\u206f\u00a0\u00b0-\u00b3\u00d7\u00f7\u00a7\u2116\u20ab\u20ac]+")
_TONE_MARKS = set(_TONES.values())
_ACRONYM_LETTERS = set("bcdfghjklmnpqrstvwxzđ")  # HĐND, QĐ, đ (đồng)
MAX_SCORE_CHARS = 100_000
MAX_LINE_REPAIR_CHARS = 2_000_000


@dataclass(frozen=True)
class VnScore:
    """Counts of non-ASCII words that are / are not valid Vietnamese syllables."""

    valid: int
    invalid: int

    @property
    def ratio(self) -> float:
        """Share of valid words among the words that carry non-ASCII letters (1.0 if none)."""
        total = self.valid + self.invalid
        return self.valid / total if total else 1.0

    @property
    def looks_vietnamese(self) -> bool:
        """True when there is positive evidence of Vietnamese and little garbage."""
        return self.valid >= 1 and self.ratio >= 0.85

    @property
    def looks_garbled(self) -> bool:
        """True when most accented words are not Vietnamese (mojibake or wrong codec)."""
        return self.invalid >= 3 and self.ratio < 0.6


def is_vietnamese_syllable(word: str) -> bool:
    """True if lower-case NFC ``word`` is a well-formed Vietnamese syllable (≤ 1 tone mark)."""
    decomposed = unicodedata.normalize("NFD", word.replace("ð", "đ"))
    if sum(ch in _TONE_MARKS for ch in decomposed) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    return _SYLLABLE_RE.fullmatch(base) is not None


@functools.lru_cache(maxsize=65536)
def _classify(token: str) -> int:
    """+1 valid Vietnamese, -1 garbage, 0 neutral (ASCII, symbols, ``HĐND``-like acronyms)."""
    if token.isascii() or not any(ch.isalpha() for ch in token):
        return 0
    low = token.lower()
    if not low.isalpha():
        return -1
    if set(low) <= _ACRONYM_LETTERS:
        return 0
    return 1 if is_vietnamese_syllable(low) else -1


def score_vietnamese(text: str) -> VnScore:
    """Score (up to ``MAX_SCORE_CHARS`` of) ``text``; see :class:`VnScore`."""
    sample = unicodedata.normalize("NFC", text[:MAX_SCORE_CHARS])
    valid = invalid = 0
    for token in _TOKEN_RE.findall(sample):
        verdict = _classify(token)
        valid += verdict > 0
        invalid += verdict < 0
    return VnScore(valid, invalid)


# --------------------------------------------------------------------------- repair
_REPAIRS: list[tuple[str, Callable[[str], str | None]]] = [
    ("TCVN3", repair_tcvn3), ("VNI", repair_vni), ("UTF-8→CP1252", repair_double_utf8),
]


def _sample(text: str) -> str:
    """At most ``MAX_SCORE_CHARS`` of ``text``, cut at a line break or space."""
    if len(text) <= MAX_SCORE_CHARS:
        return text
    cut = max(text.rfind("\n", 0, MAX_SCORE_CHARS), text.rfind(" ", 0, MAX_SCORE_CHARS))
    return text[:cut if cut > 0 else MAX_SCORE_CHARS]


def repair_mojibake(text: str) -> tuple[str, str | None]:
    """Convert legacy-encoded mojibake inside Unicode ``text``.

    Returns ``(text, label)`` where ``label`` names the conversion applied (``None`` if
    nothing was changed). Conversions are chosen on a sample and applied to the whole
    text; failing that, texts up to ``MAX_LINE_REPAIR_CHARS`` are repaired line by line
    (documents mixing Unicode and ``.VnTime`` paragraphs).
    """
    sample = _sample(text)
    before = score_vietnamese(sample)
    if before.invalid == 0 or before.ratio >= 0.97:
        return text, None
    ranked: list[tuple[float, int, str, Callable[[str], str | None]]] = []
    for label, fn in _REPAIRS:
        fixed = fn(sample)
        after = score_vietnamese(fixed) if fixed is not None else None
        if after is not None and after.looks_vietnamese and after.ratio > before.ratio + 0.1:
            ranked.append((after.ratio, after.valid, label, fn))
    for _ratio, _valid, label, fn in sorted(ranked, key=lambda c: c[:2], reverse=True):
        fixed = fn(text)
        if fixed is not None:
            return fixed, label
    if len(text) > MAX_LINE_REPAIR_CHARS:
        return text, None
    return _repair_lines(text)


def _repair_lines(text: str) -> tuple[str, str | None]:
    """Line-by-line repair: keep a conversion only if it makes the line fully Vietnamese."""
    lines = text.split("\n")
    labels: set[str] = set()
    for i, line in enumerate(lines):
        before = score_vietnamese(line)
        if before.invalid == 0:
            continue
        for label, fn in _REPAIRS:
            fixed = fn(line)
            if fixed is None:
                continue
            after = score_vietnamese(fixed)
            if after.invalid == 0 and after.valid >= max(1, before.valid):
                lines[i] = fixed
                labels.add(label)
                break
    if not labels:
        return text, None
    return "\n".join(lines), "+".join(sorted(labels)) + " (một số dòng / some lines)"
