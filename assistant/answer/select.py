"""Choose among candidates by how well *their own context* matches what is asked.

Score of a candidate (all parts in [0, 1], weights below):

* ``local`` — IDF-weighted share of the question's content syllables found in the candidate's
  own context (a reference's subject, a number's clause), report equivalents included
  ("cải cách hành chính" counts for "CCHC");
* ``sentence`` — the sentence's score from :func:`assistant.sentences.rank_units` (coverage of
  the whole sentence, its footnotes, and the retrieval rank);
* ``noun`` — for counts, the share of the counted noun ("bao nhiêu *hồ sơ trễ hạn*") next to
  the number;
* year — a candidate whose sentence names the year asked gains, one that names only other
  years loses (a 2019 figure is not the 2020 answer);
* level — "của tỉnh"/"UBND" questions prefer references issued by the province (symbol
  ``-UBND``, ``-TTg``…), "của Sở" ones the department's own symbol;
* kind — a reference of the kind the question names ("quyết định nào") gains;
* phrase — the share of the question's word pairs found as pairs in the context, abbreviations
  read as their expansions: "Kế hoạch CCHC" is the subject of "ban hành Kế hoạch cải cách hành
  chính …" and not of "Kế hoạch rà soát … thủ tục hành chính", although both hold the words;
* code — a date written right after a document's number is that document's date: it gains when
  the question is about that document (its number written with the first document it names),
  and loses when it is another one's date (a number in the question's subject only describes).
"""
from __future__ import annotations

import re

from assistant.answer.candidates import Candidate
from assistant.answer.question import _ASKING, Question
from assistant.sentences import Unit
from index.glossary import EQUIVALENTS
from index.keyword import keyword_tokens
from ingest.textkeys import fold, tokens
from vocab.questions import COUNT_NOUN_GROUPS, QUESTION_WORDS, YEAR

# Weights: set on tune.jsonl (extractive back-end) — the context of the value decides first,
# the sentence breaks ties between values of equally matching clauses.
LOCAL_W = 0.55
SENTENCE_W = 0.45
NOUN_W = 0.25       # a count whose noun is the one asked for beats a count of something else
YEAR_BONUS = 0.12   # the sentence names the year asked
YEAR_PENALTY = 0.6  # another year's figure is not the answer: enough to fall below ANSWERABLE alone
LEVEL_W = 0.3       # "của tỉnh" vs "của Sở" decides between two plans: the issuer level the question names
OWN_DEFAULT_W = 0.15  # level unsaid: the report's own body's document gains half of LEVEL_W (tune.jsonl)
KIND_W = 0.1        # "quyết định nào" and the candidate is a Quyết định
CODE_W = 0.35       # the question names a document ("Công văn 2364/UBND-KSTT … ngày nào?") and the
#                     candidate's context holds that very number: it is about that document
SUBJECT_W = 0.08    # the document named with the question's own modifier ("Kế hoạch *cải cách hành
#                     chính*" for "kế hoạch CCHC") gains, one named with another ("Kế hoạch *kiểm
#                     soát TTHC*") loses: tune.jsonl, footnotes listing several plans of one year
LIST_SHAPE_W = 0.1  # "những phần mềm nào": a sentence that enumerates them after a colon ("… các phần
#                     mềm khác như: A; B; C") beats one that only names the topic (tune.jsonl lists)
ENUM_HEADS = 3      # a noun heading this many items of one sentence (all but the first after "," or
#                     ";"): an enumeration without a colon; two could be a contrast ("A, B")
PHRASE_W = 0.2      # word pairs in order: enough to part two subjects sharing every word (tune.jsonl)
_QWORDS = frozenset(fold(w) for p in QUESTION_WORDS for w in p.split())
# Each report equivalent (abbreviation, spelling variant) folded to one token: "cải cách hành chính"
# and "CCHC" both read "cchc", so word pairs match across the two spellings.
_CANON = sorted(((fold(v), re.sub(r"\W", "", fold(g[-1]))) for g in EQUIVALENTS for v in g), key=lambda x: -len(x[0]))
_CANON_RX = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v, _ in _CANON) + r")(?!\w)")
_CANON_OF = dict(_CANON)
_HIGHER = re.compile(r"UBND|TTg|CP\b|HĐND|TU\b|BKHCN|BNV|QH|BCĐ", re.I)


class Scorer:
    """Scores candidates for one question with the index's IDF of its terms."""

    def __init__(self, q: Question, idf: dict[str, float]):
        self.q = q
        self.idf = idf
        self.terms = [t for t in q.terms if "_" not in t and t not in _QWORDS and not t.isdigit()]
        self.total = sum(idf.get(t, 1.0) for t in self.terms) or 1.0
        noun = [fold(w) for w in re.findall(r"[^\W\d_]+", q.counted)]
        self.noun = [w for w in noun if w not in _QWORDS]
        self.pairs = {p: idf.get(raw, idf.get(p, 1.0)) for p, raw in _pairs(_ASKING.sub(" ", q.text))
                      if not set(p.split("_")) & _QWORDS}
        self.pair_total = sum(self.pairs.values()) or 1.0
        self.subject = asked_subject(q.text)
        m = _LIST_NOUN.search(q.text) if q.kind == "list" else None
        self.listed = fold(m.group(1)) if m else ""

    def phrase(self, text: str) -> float:
        """IDF-weighted share of the question's word pairs that the text holds as pairs (a pair
        weighs what the question's own spelling of it weighs: "kế hoạch cải cách" is rare, "ban
        hành" is everywhere)."""
        have = word_pairs(text)
        return sum(w for p, w in self.pairs.items() if p in have) / self.pair_total if self.pairs else 0.0

    def coverage(self, text: str, scope: frozenset[str] = frozenset()) -> float:
        """IDF-weighted share of the question's content syllables in ``text``; ``scope`` terms
        (words of the report's own title, which name the report rather than the answer:
        "theo kết luận tọa đàm …", "báo cáo 6 tháng đầu năm …") do not count, unless they are
        all the question has."""
        terms = [t for t in self.terms if t not in scope] or self.terms
        total = sum(self.idf.get(t, 1.0) for t in terms) or 1.0
        have = set(keyword_tokens(text))
        return sum(self.idf.get(t, 1.0) for t in terms if t in have) / total

    def noun_match(self, c: Candidate) -> float:
        if not self.noun:
            return 0.0
        near = set(keyword_tokens(f"{c.noun} {c.context}"[:160]))
        head = set(keyword_tokens(c.noun))
        return sum(1.0 if w in head else 0.5 if w in near else 0.0 for w in self.noun) / len(self.noun)

    def year_term(self, c: Candidate, sentence: str, period: tuple[int, ...]) -> float:
        """Bonus when the candidate's own words name the year asked; penalty when they name only
        other years, or name none and the report's period does not cover the year asked."""
        if not self.q.years:
            return 0.0
        own = f"{c.context} {c.value}"
        named = {int(y) for y in YEAR.findall(_SPAN.sub(" ", own))}  # years named for themselves
        if any(y in named for y in self.q.years):
            return YEAR_BONUS
        named |= {int(y) for y in YEAR.findall(own)}
        if named:
            return 0.0 if _within(named, self.q.years) else -YEAR_PENALTY
        if c.alone and any(str(y) in sentence for y in self.q.years):
            return YEAR_BONUS  # the only value of a sentence about the year asked
        return -YEAR_PENALTY if period and not any(y in period for y in self.q.years) else 0.0

    def code_term(self, c: Candidate) -> float:
        if not self.q.codes:
            return 0.0
        if c.kind == "date" and c.code:  # the date of the document numbered right before it
            own = set(tokens(c.code))
            if self.q.head_code:
                return 2 * CODE_W if self.q.head_code in own else -CODE_W
            if own & set(self.q.codes):
                return -CODE_W  # a number in the question's subject is not the document dated
        have = set(tokens(f"{c.context} {c.value}"))
        return CODE_W if any(code in have for code in self.q.codes) else 0.0

    def level_term(self, c: Candidate) -> float:
        """The issuer level asked; unsaid, the reporting body's own document is meant (a
        department's report calls its own plan "kế hoạch CCHC năm 2020")."""
        if c.kind != "decision":
            return 0.0
        higher = bool(_HIGHER.search(c.code))
        if not self.q.level:
            return 0.0 if higher else OWN_DEFAULT_W
        return LEVEL_W if higher == (self.q.level == "province") else -LEVEL_W

    def kind_term(self, c: Candidate) -> float:
        if c.kind != "decision" or not self.q.wants or not c.noun:
            return 0.0
        return KIND_W if _kind_name(c.noun) in self.q.wants else 0.0

    def score(self, c: Candidate, sentence_score: float, sentence: str, period: tuple[int, ...] = (),
              scope: frozenset[str] = frozenset()) -> float:
        s = LOCAL_W * self.coverage(c.context, scope) + SENTENCE_W * min(sentence_score, 1.0)
        s += PHRASE_W * self.phrase(c.context)
        if self.q.kind == "count":
            s += NOUN_W * self.noun_match(c)
        s += self.year_term(c, sentence, period) + self.code_term(c) + self.subject_term(c)
        if self.listed and c.kind == "clause" and enumerates(c.unit.text, self.listed):
            s += LIST_SHAPE_W
        return s + self.level_term(c) + self.kind_term(c)

    def subject_term(self, c: Candidate) -> float:
        """A reference or date about the document the question names, by its modifier."""
        if not self.subject or c.kind not in ("decision", "date"):
            return 0.0
        said = named_modifiers(c.context, self.subject[0])
        if not said:
            return 0.0
        return SUBJECT_W if any(self.subject[1] in m for m in said) else -SUBJECT_W


_LIST_NOUN = re.compile(r"\b(?:những|các)\s+((?:\w+\s+){0,3}?\w+)\s+(?:nào|gì)\b", re.I)


def enumerates(sentence: str, noun: str) -> bool:
    """The sentence names ``noun`` (folded) and lists items after a colon (two or more, split
    by ";" or ","), or ends with a colon before its items, or repeats the noun as the head of
    each of its items ("phần mềm A; phần mềm B, phần mềm C").

    >>> enumerates("Sở sử dụng các phần mềm khác như: kế toán; thi đua, khen thưởng; thanh tra.", "phan mem")
    True
    >>> enumerates("Đẩy mạnh sử dụng phần mềm văn phòng điện tử.", "phan mem")
    False
    >>> enumerates("Duy trì phần mềm một cửa; phần mềm kế toán, phần mềm quản lý tài sản.", "phan mem")
    True
    """
    if len(re.findall(rf"[;,]\s*{re.escape(noun)}\b", fold(sentence))) >= ENUM_HEADS - 1:
        return True
    head, colon, items = sentence.partition(":")
    if not colon or noun not in fold(head):
        return False
    return not items.strip() or items.count(";") >= 1 or items.count(",") >= 2


# Document kinds, as words of :func:`_words` ("kế hoạch" → "ke", "hoach"), whose next word
# says which document it is: Vietnamese puts the modifier after the head noun.
_DOC_HEADS = (("ke", "hoach"), ("quyet", "dinh"), ("cong", "van"), ("nghi", "quyet"), ("chi", "thi"),
              ("de", "an"), ("chuong", "trinh"), ("thong", "bao"), ("huong", "dan"), ("qd",), ("kh",))
_NOT_MODIFIER = _QWORDS | {"so", "cua", "nam", "do", "ve", "viec", "ban", "hanh", "nay", "tren", "theo", "kem",
                           "sau", "tren", "duoi", "moi", "cac", "nhung", "may", "nao", "gi", "sua", "doi"}
MODIFIER_WORDS = 5  # words after a document's kind read as what it is about


def asked_subject(question: str) -> tuple[tuple[str, ...], str] | None:
    """The first document the question names with a modifier: (kind words, modifier word).

    >>> asked_subject("Quyết định nào ban hành Kế hoạch CCHC năm 2020 của Sở?")
    (('ke', 'hoach'), 'cchc')
    >>> asked_subject("QĐ số mấy?") is None
    True
    """
    words = _words(_ASKING.sub(" ", question))
    for i in range(len(words)):
        for head in _DOC_HEADS:
            j = i + len(head)
            if tuple(words[i:j]) == head and j < len(words) and words[j] not in _NOT_MODIFIER \
                    and not words[j].isdigit():
                return head, words[j]
    return None


def named_modifiers(text: str, head: tuple[str, ...]) -> list[list[str]]:
    """For each time ``text`` names a document of kind ``head`` with a modifier, the words after
    it: "đều ban hành Kế hoạch kiểm soát thủ tục hành chính" → [["kiem", "soat", "tthc"]]."""
    words = _words(text)
    out = []
    for i in range(len(words) - len(head)):
        j = i + len(head)
        if tuple(words[i:j]) == head and words[j] not in _NOT_MODIFIER and not words[j].isdigit():
            out.append(words[j:j + MODIFIER_WORDS])
    return out


def _words(text: str) -> list[str]:
    """Folded words of ``text``, each report equivalent one word ("cải cách hành chính" → "cchc")."""
    words, folded, at = [], fold(text), 0
    for m in list(_CANON_RX.finditer(folded)) + [None]:
        words += re.findall(r"\w+", folded[at:m.start() if m else len(folded)])
        if m:
            words.append(_CANON_OF[m.group(0)])
            at = m.end()
    return words


def word_pairs(text: str) -> set[str]:
    """Adjacent word pairs of ``text``, tone-free, each report equivalent read as one word.

    >>> sorted(word_pairs("Kế hoạch cải cách hành chính năm 2020"))
    ['cchc_nam', 'hoach_cchc', 'ke_hoach', 'nam_2020']
    """
    return {p for p, _ in _pairs(text)}


def _pairs(text: str) -> list[tuple[str, str]]:
    """(pair, the same pair as written) for each adjacent pair: "kế hoạch cải cách hành chính"
    gives ("hoach_cchc", "hoach_cai")."""
    words: list[tuple[str, str, str]] = []  # (word, first written syllable, last written syllable)
    folded, at = fold(text), 0
    for m in list(_CANON_RX.finditer(folded)) + [None]:
        gap = folded[at:m.start() if m else len(folded)]
        words += [(w, w, w) for w in re.findall(r"\w+", gap)]
        if m:
            written = re.findall(r"\w+", m.group(0))
            words.append((_CANON_OF[m.group(0)], written[0], written[-1]))
            at = m.end()
    return [(f"{a[0]}_{b[0]}", f"{a[2]}_{b[1]}") for a, b in zip(words, words[1:])]


_GROUP_OF = sorted(((fold(n), i) for i, g in enumerate(COUNT_NOUN_GROUPS) for n in g), key=lambda x: -len(x[0]))


def noun_group(phrase: str) -> int | None:
    """The :data:`vocab.questions.COUNT_NOUN_GROUPS` group of the noun ``phrase`` starts with.

    >>> noun_group("hồ sơ TTHC"), noun_group("thủ tục hành chính mới"), noun_group("lượt truy cập")
    (0, 1, None)
    """
    words = fold(phrase).split()
    for noun, group in _GROUP_OF:
        if words[:len(noun.split())] == noun.split():
            return group
    return None


def counts_other(counted: str, noun: str) -> bool:
    """The number counts another thing than the question: both nouns are known count nouns of
    different groups ("bao nhiêu hồ sơ TTHC" and "02 thủ tục hành chính").

    >>> counts_other("hồ sơ TTHC", "thủ tục hành chính"), counts_other("CCVC", "công chức")
    (True, False)
    """
    asked, got = noun_group(counted), noun_group(noun)
    return asked is not None and got is not None and asked != got


# A span of years ("giai đoạn 2016 - 2020", "2017–2020"): it covers the year asked, it does not name it.
_SPAN = re.compile(r"\b(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d\b")


def _within(named: set[int], asked: tuple[int, ...]) -> bool:
    """A named span of years ("2016-2020") that contains the one asked."""
    return len(named) >= 2 and min(named) <= min(asked) and max(asked) <= max(named)


_KIND_SHORT = {"qđ": "quyết định", "kh": "kế hoạch", "cv": "công văn", "nq": "nghị quyết", "ct": "chỉ thị"}


def _kind_name(word: str) -> str:
    w = word.lower()
    return _KIND_SHORT.get(w, w)


def rank(q: Question, candidates: list[Candidate], units: list[Unit], idf: dict[str, float],
         periods: dict[str, tuple[int, ...]] | None = None,
         titles: dict[str, frozenset[str]] | None = None) -> list[Candidate]:
    """``candidates`` scored and sorted best first. A footnote's candidates also read the
    clause citing the footnote (the subject of "¹ năm 2020: Quyết định số …" is there)."""
    scorer = Scorer(q, idf)
    citing = _citing_sentences(units)
    per_unit: dict[int, int] = {}
    for c in candidates:
        per_unit[id(c.unit)] = per_unit.get(id(c.unit), 0) + 1
    for c in candidates:
        c.alone = per_unit[id(c.unit)] == 1
        host = citing.get((c.unit.hit_index, _note_number(c.unit.text)))
        sentence_score = max(c.unit.score, host.score if host else 0.0)
        if host is not None:
            c.context = f"{c.context} {_cited_clause(host.text, _note_number(c.unit.text))}"
        c.score = scorer.score(c, sentence_score, c.unit.text, (periods or {}).get(c.unit.doc, ()),
                               (titles or {}).get(c.unit.doc, frozenset()))
    return sorted(candidates, key=lambda c: -c.score)


_NOTE = re.compile(r"^<sup>(\d+)</sup>")


def _note_number(text: str) -> str | None:
    m = _NOTE.match(text)
    return m.group(1) if m else None


def _cited_clause(text: str, note: str | None) -> str:
    """The clause a footnote mark ends: what the footnote lists ("Hằng năm, Sở đều ban hành các
    Kế hoạch tuyên truyền¹ …" → "Sở đều ban hành các Kế hoạch tuyên truyền").

    >>> _cited_clause("Hàng năm, đều ban hành Kế hoạch đào tạo<sup>5</sup> và cử đi học.", "5")
    'đều ban hành Kế hoạch đào tạo'
    """
    end = text.find(f"<sup>{note}</sup>")
    head = text[:end] if end >= 0 else text
    cut = max((m.end() for m in re.finditer(r"[;:.]\s|,\s|</sup>", head)), default=0)
    return head[cut:].strip()


def _citing_sentences(units: list[Unit]) -> dict[tuple[int, str], Unit]:
    out: dict[tuple[int, str], Unit] = {}
    for u in units:
        if _NOTE.match(u.text):
            continue
        for n in re.findall(r"<sup>(\d+)</sup>", u.text):
            out.setdefault((u.hit_index, n), u)
    return out
