"""Vietnamese-aware chunks: whole sentences, one section each, sized in syllables.

Sentence boundaries come from underthesea; before it runs, dots inside URLs, abbreviations
(``TP.``), decimals and dates are masked, so ``Quyết định số 20/QĐ-SKHCN ngày 30/01/2020`` or
``http://dostkhanhhoa.gov.vn`` never end a sentence. A footnote paragraph is glued to the
sentence that references it. A chunk whose text (spacing aside) repeats an earlier chunk of the
same report is kept once: a report of thousands of copied lines must not flood the results.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ingest.records import Chunk
from ingest.structure import Paragraph, build_sections
from ingest.textkeys import PROTECTED_RE, syllable_count

MIN_SYLLABLES = 80
MAX_SYLLABLES = 130
HARD_MAX_SYLLABLES = 220
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+|\b[\w-]+\.(?:gov|com|org|edu|net)(?:\.vn)?\b")
_MASK = "\u2024"
_SKIP_SECTION = re.compile(r"^(?:Nơi nhận|KT\.|TM\.|(?:PHÓ )?GIÁM ĐỐC|CHỦ TỊCH|[A-ZĐ][a-zà-ỹđ]+(?: [A-ZĐ][a-zà-ỹđ]+){1,4}$)")
_FOOTREF = re.compile(r"<sup>\d+</sup>")


@dataclass
class _Unit:
    start: int
    end: int
    syllables: int
    glue_next: bool = False  # never put a chunk boundary after this unit


def _mask(text: str) -> str:
    """Replace dots inside protected spans (URLs, codes, dates, abbreviations) by a look-alike."""
    chars = list(text)
    for rx in (_URL_RE, PROTECTED_RE):
        for m in rx.finditer(text):
            for i in range(m.start(), m.end()):
                if chars[i] == ".":
                    chars[i] = _MASK
    return "".join(chars)


def _sent_tokenize(text: str) -> list[str]:
    from underthesea import sent_tokenize  # heavy import: only when ingesting

    return sent_tokenize(text)


def sentence_spans(text: str, base: int = 0) -> list[tuple[int, int]]:
    """``(start, end)`` offsets (plus ``base``) of the sentences of one paragraph."""
    masked = _mask(text)
    spans: list[tuple[int, int]] = []
    pos = 0
    for sent in _sent_tokenize(masked):
        sent = sent.strip()
        if not sent:
            continue
        i = masked.find(sent, pos)
        if i < 0:  # tokenizer changed whitespace: match loosely
            m = re.compile(r"\s+".join(map(re.escape, sent.split()))).search(masked, pos)
            if not m:
                continue
            i, j = m.start(), m.end()
        else:
            j = i + len(sent)
        spans.append((base + i, base + j))
        pos = j
    if not spans:
        spans.append((base, base + len(text)))
    return _merge_unsafe(spans, text, base)


def _merge_unsafe(spans: list[tuple[int, int]], text: str, base: int) -> list[tuple[int, int]]:
    """Join neighbours when a boundary falls inside a protected span (belt and braces)."""
    protected = [(m.start() + base, m.end() + base) for m in PROTECTED_RE.finditer(text)]
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and any(a < s < b or a < out[-1][1] < b for a, b in protected):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _units(text: str, paragraphs: list[Paragraph]) -> list[_Unit]:
    """Sentence units of one section's body paragraphs; footnotes glued to their reference."""
    units: list[_Unit] = []
    for p in paragraphs:
        if p.is_footnote and units:
            for u in reversed(units):  # glue from the referencing sentence up to the footnote
                u.glue_next = True
                if _FOOTREF.search(text[u.start:u.end]):
                    break
            units.append(_Unit(p.start, p.end, syllable_count(p.text)))
            continue
        for s, e in sentence_spans(p.text, p.start):
            units.append(_Unit(s, e, syllable_count(p.text[s - p.start:e - p.start])))
    return units


def _group(units: list[_Unit]) -> list[tuple[int, int]]:
    """Greedy grouping of units into chunks of MIN..MAX syllables (glued units stay together)."""
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    size = 0
    for u in units:
        glued = bool(current) and current[-1].glue_next
        if current and not glued and size + u.syllables > MAX_SYLLABLES:
            groups.append(current)
            current, size = [], 0
        current.append(u)
        size += u.syllables
    if current:
        if groups and size < MIN_SYLLABLES // 2 and sum(x.syllables for x in groups[-1]) + size <= HARD_MAX_SYLLABLES:
            groups[-1].extend(current)
        else:
            groups.append(current)
    return [(g[0].start, g[-1].end) for g in groups]


def _by_section(paragraphs: list[Paragraph]) -> list[tuple[str, list[Paragraph]]]:
    out: list[tuple[str, list[Paragraph]]] = []
    for p in paragraphs:
        if p.is_heading:
            continue
        last = p.section.split(" › ")[-1]
        if _SKIP_SECTION.match(last) or _SKIP_SECTION.match(p.text.strip("*# ")):
            continue
        if out and out[-1][0] == p.section:
            out[-1][1].append(p)
        else:
            out.append((p.section, [p]))
    return out


def chunk_id(doc_name: str, start: int, end: int, text: str) -> str:
    """Stable id: the same report text always gives the same ids."""
    h = hashlib.sha1(f"{doc_name}\0{start}\0{end}\0{text}".encode()).hexdigest()
    return h[:20]


def chunk_document(doc_id: str, doc_name: str, text: str) -> list[Chunk]:
    """Cut a normalised report into chunks; offsets index into ``text``."""
    return chunk_document_counted(doc_id, doc_name, text)[0]


def chunk_document_counted(doc_id: str, doc_name: str, text: str) -> tuple[list[Chunk], int]:
    """:func:`chunk_document`, and how many repeated chunks were left out (kept once)."""
    chunks: list[Chunk] = []
    seen: set[str] = set()
    repeated = 0
    for section, paras in _by_section(build_sections(text)):
        for start, end in _group(_units(text, paras)):
            body = text[start:end]
            key = " ".join(body.split())
            if key in seen:
                repeated += 1
                continue
            seen.add(key)
            chunks.append(Chunk(chunk_id(doc_name, start, end, body), doc_id, doc_name,
                                section, body, start, end, len(chunks)))
    return chunks, repeated
