"""Question analysis: what is asked, about what, within which scope — a small typed record.

    >>> q = analyse("Quyết định nào ban hành Kế hoạch CCHC năm 2020 của Sở KH&CN Khánh Hòa?")
    >>> q.kind, q.years, q.provinces
    ('decision', (2020,), ('Khánh Hòa', 'Ninh Thuận'))
    >>> analyse("Có bao nhiêu hồ sơ trễ hạn?").counted
    'hồ sơ trễ hạn'
    >>> analyse("Ai ký báo cáo CCHC 6 tháng đầu năm 2020?").kind
    'person'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.sentences import content_terms
from index.glossary import looks_english
from index.retriever import exact_codes, parse_hints
from index.tones import is_toneless
from ingest.textkeys import fold
from vocab.questions import KIND_PATTERNS, OWN_LEVEL, PROVINCE_LEVEL

# "bao nhiêu <noun phrase>" / "mấy <noun phrase>": the noun phrase is what is counted.
_COUNTED = re.compile(r"(?:bao nhiêu|mấy|how many|number of)\s+(.{2,60}?)(?=\s*(?:\?|,|;|$|\b(?:và|được|đã|"
                      r"bị|tại|trên|của|trong|theo|đi|cho|thuộc|không|là|and|were|was|did|in|at|for)\b))", re.I)
_SIGNER = re.compile(r"\b(?:ai|người nào|who)\b.{0,20}\b(?:ký|kí|signed?)\b|\bngười ký\b|\bký (?:báo cáo|văn bản)\b", re.I)
_COMPARE = re.compile(r"\bso sánh\b|\b(?:nhiều|ít|cao|thấp|lớn|nhỏ|sớm|muộn) hơn\b|\btrước hay sau\b|"
                      r"\bnơi nào\b|\bsở nào\b|\btỉnh nào\b|\bmỗi (?:nơi|sở|tỉnh|báo cáo)\b|\bcompare|\bmore than\b|"
                      r"\b(?:earlier|later|before) or\b", re.I)
# A body noun heading the asked phrase; not the same syllable inside another word: "cơ sở" (a
# base, "cơ sở dữ liệu"), "ban hành" (to issue), "cán bộ"/"toàn bộ", "phòng, chống" (to prevent).
_BODY_Q = re.compile(r"\b(?:cơ quan|đơn vị|tổ chức|trung tâm|phòng(?!,? chống)|ban(?! hành)|(?<!cơ )sở|"
                     r"(?<!cán )(?<!toàn )bộ|chi cục)(?:\s+\w+){0,4}\s+(?:nào|gì)\b|"
                     r"\bwhich (?:\w+\s+){0,4}(?:unit|agency|body|cent(?:er|re)|department|division|office|organi[sz]ation)s?\b|"
                     r"\bdo (?:cơ quan|ai) nào\b", re.I)
_BEFORE_AFTER = re.compile(r"\btrước hay sau\b|\bsớm hơn\b|\bmuộn hơn\b|\b(?:earlier|later|before) or\b", re.I)


@dataclass(frozen=True)
class Question:
    """What a question asks. ``kind``: decision | count | percent | date | person | entity |
    list | yesno | other. ``terms``: the folded content words an answering clause should hold.
    ``level``: ``own`` (the department's own document), ``province`` (the province's /
    UBND's) or ``""`` (not said)."""

    text: str
    kind: str
    terms: tuple[str, ...]
    provinces: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    bodies: tuple[str, ...] = ()
    counted: str = ""
    more_counted: tuple[str, ...] = ()  # "bao nhiêu công chức và bao nhiêu viên chức": the other parts
    signer: bool = False
    comparison: bool = False
    level: str = ""
    english: bool = False
    asks_body: bool = False  # "cơ quan nào", "đơn vị nào", "which unit": the answer is a named body
    codes: tuple[str, ...] = ()  # document numbers / dates written in the question (token form)
    wants: tuple[str, ...] = field(default=())  # document kinds named as the answer ("quyết định nào")
    plural: bool = False  # "những quyết định nào", "các văn bản nào", "which decisions": every one
    head_code: str = ""  # the number of the document the question is about, when written first

    @property
    def figure(self) -> bool:
        """The answer is a value (a number, code or date), not a phrase."""
        return self.kind in ("decision", "count", "percent", "date")


_FOLDED_PATTERNS = tuple((name, re.compile(fold(rx.pattern), re.I)) for name, rx in KIND_PATTERNS)


def kind_of(text: str, typed: str | None = None) -> str:
    """The first matching kind of :data:`vocab.questions.KIND_PATTERNS`, else ``other``; a
    question typed without tone marks is matched against the tone-free patterns.

    >>> kind_of("So KH&CN co tham quyen tu tuyen dung cong chuc khong?")
    'yesno'
    >>> kind_of("Sở trình phương án sắp xếp bộ máy lên cơ quan nào?")
    'entity'
    """
    toneless = is_toneless(typed or text)  # tone-free patterns only for questions typed so ("bộ máy" ≠ "mấy")
    for (name, rx), (_, folded) in zip(KIND_PATTERNS, _FOLDED_PATTERNS):
        if rx.search(text) or toneless and folded.search(fold(text)):
            return name
    return "other"


def analyse(text: str, typed: str | None = None) -> Question:
    """Analyse one (already rewritten, self-contained) question; ``typed`` is the question as
    the user typed it, when ``text`` has its tone marks restored."""
    english = looks_english(text)
    kind = kind_of(text, typed)
    if _BEFORE_AFTER.search(text):  # "ban hành trước hay sau …": compare the documents' dates
        kind = "decision" if re.search(r"kế hoạch|quyết định|văn bản|plan|decision", text, re.I) else "date"
    hints = parse_hints(text)
    counted, more = "", ()
    if kind == "count":
        found = [m.group(1).strip() for m in _COUNTED.finditer(text)]
        counted, more = (found[0], tuple(found[1:])) if found else ("", ())
    compare = bool(_COMPARE.search(text)) and (len(hints.named) > 1 or not hints.named)
    return Question(
        text=text, kind=kind, terms=tuple(content_terms(_ASKING.sub(" ", text))), codes=tuple(sorted(exact_codes(text))),
        provinces=tuple(hints.provinces), years=_period_years(text, hints.years), bodies=tuple(hints.bodies),
        counted=counted, more_counted=more, signer=bool(_SIGNER.search(text)), comparison=compare or len(hints.named) > 1,
        level=_level(text), english=english, asks_body=bool(_BODY_Q.search(text)), wants=_wanted_kinds(text),
        plural=bool(_PLURAL.search(text)), head_code=head_code(text),
    )


_DOC = (r"quyết định|qđ|kế hoạch|công văn|nghị quyết|nq|chỉ thị|thông tư|nghị định|thông báo|hướng dẫn|"
        r"văn bản|đề án|chương trình|decision|plan|document|directive|resolution|dispatch")
_PLURAL = re.compile(rf"\b(?:những|các)\s+(?:{_DOC})\b.*\b(?:nào|gì)\b|\bwhich\s+(?:decisions|plans|documents)\b", re.I)
_HEAD = re.compile(rf"\b(?:{_DOC})\b", re.I)


def head_code(text: str) -> str:
    """The number written with the first document the question names, in token form: the
    document asked about ("Công văn 15/STP-VP … ban hành ngày nào" → ``15/stp-vp``); '' when
    that document has no number ("Công văn của Sở Nội vụ về … Nghị quyết 05-NQ/TU …": the
    resolution only describes the letter asked about).

    >>> head_code("Công văn 15/STP-VP về việc rà soát ban hành ngày nào?")
    '15/stp-vp'
    >>> head_code("Công văn của Sở Nội vụ đề nghị tổng kết Nghị quyết 05-NQ/TU ban hành ngày nào?")
    ''
    """
    m = _HEAD.search(text)
    if not m:
        return ""
    near = text[m.end():m.end() + 30]
    found = [t for t in exact_codes(re.split(r"\b(?:của|về|do|ngày)\b", near, maxsplit=1)[0])]
    return found[0] if found else ""


# Phrases that say what kind of answer is wanted, not what the answer is about.
_ASKING = re.compile(r"\b(?:là\s+)?(?:văn bản|quyết định|qđ|kế hoạch|công văn)\s+(?:số\s+)?(?:mấy|nào|gì)\b|"
                     r"\b(?:được\s+)?(?:ban hành|ký|thành lập|tổ chức)?\s*(?:vào\s+)?(?:ngày|thời gian|thời điểm)\s+(?:nào|mấy)\b|"
                     r"\bsố (?:hiệu|mấy)\b|\bkhi nào\b|\bbao giờ\b", re.I)
_EVENT_DATE = re.compile(r"\d{1,2}/\d{1,2}\s+(?:năm\s+)?$|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+$", re.I)


def _period_years(text: str, years: list[int]) -> tuple[int, ...]:
    """Years the question asks about; a year that completes an event's date ("tọa đàm ngày 18/5
    năm 2020") dates the event named, it is not the period asked.

    >>> _period_years("tọa đàm kỷ niệm 18/5 năm 2020, chỉ số CCHC năm 2019", [2019, 2020])
    (2019,)
    """
    event = {int(m.group(1)) for m in re.finditer(r"((?:19|20)\d\d)", text) if _EVENT_DATE.search(text[:m.start()])}
    plain = {int(m.group(1)) for m in re.finditer(r"((?:19|20)\d\d)", text) if not _EVENT_DATE.search(text[:m.start()])}
    return tuple(y for y in years if y in plain or y not in event)


def _level(text: str) -> str:
    low = text.lower()
    if PROVINCE_LEVEL.search(low):
        return "province"
    if OWN_LEVEL.search(low):
        return "own"
    return ""


_WANTED = re.compile(r"\b(quyết định|qđ|kế hoạch|công văn|nghị quyết|chỉ thị|thông báo|hướng dẫn|decision|plan)"
                     r"\s*(?:số\s*)?(?:nào|mấy|gì)\b|(?:theo|bằng|là)\s+(quyết định|qđ|kế hoạch|công văn|văn bản)"
                     r"\s*(?:số\s*)?(?:nào|mấy)", re.I)
_KIND_NAME = {"qđ": "quyết định", "decision": "quyết định", "plan": "kế hoạch"}


def _wanted_kinds(text: str) -> tuple[str, ...]:
    """Document kinds the question asks for by name ("theo quyết định nào" → quyết định)."""
    out = []
    for m in _WANTED.finditer(text):
        word = (m.group(1) or m.group(2)).lower()
        word = _KIND_NAME.get(word, word)
        if word != "văn bản" and word not in out:
            out.append(word)
    return tuple(out)


def folded_words(text: str) -> list[str]:
    return re.findall(r"[\w&/.-]+", fold(text))
