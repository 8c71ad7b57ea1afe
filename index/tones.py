"""Put tone marks back on a question typed without them, using the reports' own words.

The dense embedder reads ``so ho so tre han`` far worse than ``số hồ sơ trễ hạn`` (on the dev
set a toneless question ranked its answer 26th by vectors and 1st by keywords). The keyword
side already matches tone-free forms; this module gives the embedder the toned question back.
Each toneless syllable gets the toned forms seen in the indexed reports, and a Viterbi pass
over syllable bigram counts picks the most likely sequence.

    >>> r = ToneRestorer(["Số hồ sơ trễ hạn là 05 hồ sơ."])
    >>> r.restore("ho so tre han")
    'hồ sơ trễ hạn'
"""
from __future__ import annotations

import functools
import importlib.util
import math
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable

from ingest.textkeys import canonical_tones, fold, nfc

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_TOKEN = re.compile(r"[^\W\d_]+|[^\w]+|[\d_]+|\w+", re.UNICODE)
MAX_CANDIDATES = 6
BIGRAM_WEIGHT = 2.0
# How officials phrase questions: words that are rare in reports but common in questions.
QUESTION_SEED = (
    "Có bao nhiêu? Bao nhiêu lượt, bao nhiêu hồ sơ, bao nhiêu ngày, bao nhiêu phần trăm. "
    "Sở nào? Quyết định nào? Văn bản nào? Kế hoạch nào? Cơ quan nào? Đơn vị nào? Khi nào? "
    "Ngày nào? Ở đâu? Là gì? Những gì? Như thế nào? Có không? Có phải không? Đã chưa? "
    "Sở Khoa học và Công nghệ, Sở KH&CN tỉnh. Còn năm trước thì sao? Tại sao? Vì sao? Ai ký?")
SEED_WEIGHT = 20
# Compound words of the Vietnamese dictionary that ships with underthesea (Viet74K): "số hoá",
# "tinh giản", "ra sao" are words even when the reports never write them. Each counts as this
# many occurrences of its syllable pairs: more than a pair seen a few times across a word
# boundary ("và Sở"), less than a pair the reports use often.
LEXICON_WEIGHT = 10


def is_toneless(text: str) -> bool:
    """True when the text has letters but not a single Vietnamese diacritic (``đ`` included)."""
    letters = "".join(_WORD.findall(text))
    return bool(letters) and fold(letters) == letters.lower() and letters.isascii()


class ToneRestorer:
    """Unigram and bigram counts of syllables (lower case) in the indexed text."""

    def __init__(self, texts: Iterable[str]):
        self.unigrams: dict[str, Counter] = defaultdict(Counter)
        self.bigrams: Counter = Counter()
        for _ in range(SEED_WEIGHT):
            self._count(QUESTION_SEED)
        for pair in lexicon_pairs():
            self.bigrams[pair] += LEXICON_WEIGHT
        for text in texts:
            self._count(text)

    def _count(self, text: str) -> None:
        words = [w.lower() for w in _WORD.findall(text)]
        for w in words:
            self.unigrams[fold(w)][w] += 1
        self.bigrams.update(zip(words, words[1:]))

    def _candidates(self, word: str) -> list[tuple[str, float]]:
        seen = self.unigrams.get(word.lower())
        if not seen:
            return [(word.lower(), 0.0)]
        total = sum(seen.values())
        return [(w, math.log(c / total)) for w, c in seen.most_common(MAX_CANDIDATES)]

    def _viterbi(self, words: list[str]) -> list[str]:
        """Most likely toned sequence of a run of adjacent words."""
        best = {w: (s, [w]) for w, s in self._candidates(words[0])}
        for word in words[1:]:
            step = {}
            for w, s in self._candidates(word):
                prev, (ps, path) = max(best.items(), key=lambda kv: kv[1][0] + self._link(kv[0], w))
                step[w] = (ps + self._link(prev, w) + s, path + [w])
            best = step
        return max(best.values(), key=lambda v: v[0])[1]

    def _link(self, a: str, b: str) -> float:
        return BIGRAM_WEIGHT * math.log1p(self.bigrams.get((a, b), 0))

    def restore(self, text: str) -> str:
        """``text`` with tone marks restored when it has none; otherwise unchanged."""
        if not is_toneless(text):
            return text
        parts = _TOKEN.findall(text)
        runs: list[list[int]] = []  # indexes of words separated only by spaces
        for i, p in enumerate(parts):
            if _WORD.fullmatch(p):
                if runs and runs[-1][-1] == i - 2 and parts[i - 1].isspace():
                    runs[-1].append(i)
                else:
                    runs.append([i])
        for run in runs:
            for i, toned in zip(run, self._viterbi([parts[i] for i in run])):
                parts[i] = _case_like(parts[i], toned)
        return "".join(parts)


@functools.lru_cache(maxsize=1)
def lexicon_pairs() -> frozenset[tuple[str, str]]:
    """Adjacent syllable pairs of the dictionary's multi-syllable words (canonical tone marks);
    empty when underthesea's word list is not there. The file is found without importing
    underthesea (which would load torch)."""
    spec = importlib.util.find_spec("underthesea")
    roots = list(spec.submodule_search_locations or []) if spec else []
    for root in roots:
        path = Path(root) / "corpus" / "data" / "Viet74K.txt"
        if path.is_file():
            break
    else:
        return frozenset()
    pairs = set()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        words = [w.lower() for w in _WORD.findall(canonical_tones(nfc(line)))]
        pairs.update(zip(words, words[1:]))
    return frozenset(pairs)


def _case_like(original: str, toned: str) -> str:
    if original.isupper() and len(original) > 1:
        return toned.upper()
    if original[:1].isupper():
        return toned[:1].upper() + toned[1:]
    return toned
