"""Facts of the library as small typed records, for the CLI (``cchc facts``), the UI and exports.

    >>> rows = list_facts(index, kind="ref", query="kế hoạch")  # doctest: +SKIP
    >>> rows[0].value, rows[0].date, rows[0].quote  # doctest: +SKIP
    ('45/QĐ-STP', '12/02/2023', 'Quyết định số 45/QĐ-STP')

``quote`` is always ``doc_text(doc)[start:end]``.
"""
from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.facts_store import FACT_KINDS, StoredFact
from index.store import Index
from ingest.textkeys import fold, nfc

# What a user may type for a kind: the short names, the names, and Vietnamese.
KIND_ALIASES = {"ref": "ref", "reference": "ref", "decision": "ref", "vanban": "ref", "văn bản": "ref",
                "quantity": "quantity", "figure": "quantity", "number": "quantity", "số liệu": "quantity",
                "person": "person", "people": "person", "người": "person",
                "list": "list", "danh sách": "list"}
KIND_LABELS = {"ref": "Văn bản", "quantity": "Số liệu", "person": "Người/đơn vị", "list": "Danh sách"}
CSV_HEADER = ["Loại", "Số hiệu / giá trị", "Ngày", "Trích yếu / nội dung", "Cơ quan ban hành / đơn vị",
              "Báo cáo", "Tệp", "Mục", "Trang", "Vị trí đầu", "Vị trí cuối", "Trích dẫn"]


class FactKindError(ValueError):
    """An unknown ``kind``; the message lists the accepted ones (for the user)."""


@dataclass(frozen=True)
class FactRecord:
    """One fact with its source: ``doc`` (file name), ``report`` (its label, e.g. ``Lào Cai ·
    năm 2022``), ``section`` path, ``start``/``end`` offsets into the report's text, ``page``
    when the file kept pages, and the verbatim ``quote``.

    ``kind`` is ``ref`` / ``quantity`` / ``person`` / ``list``; ``kind_label`` is what a reader
    sees ("Quyết định", "Số liệu"…); ``value`` the number/symbol, value, name or heading."""

    kind: str
    kind_label: str
    value: str
    date: str | None
    subject: str | None
    issuer: str | None
    doc: str
    report: str
    section: str
    start: int
    end: int
    page: int | None
    quote: str
    detail: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """The shape of ``cchc facts --jsonl`` (one object per line)."""
        return asdict(self)

    def csv_row(self) -> list:
        """One row under :data:`CSV_HEADER`."""
        return [self.kind_label, self.value, self.date or "", self.subject or "", self.issuer or "", self.report,
                self.doc, self.section, "" if self.page is None else self.page, self.start, self.end, self.quote]


def normalise_kind(kind: str | None) -> str | None:
    """``decision`` → ``ref``, ``figure`` → ``quantity``…; ``None`` stays ``None``."""
    if kind is None or not kind.strip():
        return None
    found = KIND_ALIASES.get(nfc(kind).strip().lower())
    if found is None:
        raise FactKindError(f"loại không hợp lệ '{kind}', chọn một trong {', '.join(FACT_KINDS)} / unknown kind "
                            f"'{kind}', use one of {', '.join(FACT_KINDS)}")
    return found


def _subject(f: StoredFact) -> str | None:
    """What the fact is about, in words: a reference's subject, a figure's qualifier, noun and
    period ("trễ hạn · hồ sơ · năm 2023"), a person's role and unit, a list's items."""
    d = f.detail
    if f.kind == "quantity":
        parts = [d.get("qualifier"), f.subject, d.get("period")]
    elif f.kind == "person":
        parts = [d.get("role"), d.get("unit")]
    elif f.kind == "list":
        items = d.get("items") or []
        parts = [f"{len(items)} mục: " + "; ".join(items)] if items else []
    else:
        return f.subject
    return " · ".join(p for p in parts if p) or None


def to_record(f: StoredFact, report: str) -> FactRecord:
    """The public record of a stored fact of the report labelled ``report``."""
    kind_label = f.detail.get("doc_kind") if f.kind == "ref" else None
    issuer = f.detail.get("issuer") if f.kind == "ref" else f.detail.get("unit") if f.kind == "person" else None
    return FactRecord(f.kind, kind_label or KIND_LABELS[f.kind], f.label, f.date, _subject(f), issuer, f.doc_name,
                      report, f.section, f.start, f.end, f.page, f.quote, dict(f.detail))


def matches(record: FactRecord, query: str) -> bool:
    """Case-insensitive search of the kind, value, subject, issuer and quote; a query typed
    without diacritics ("quyet dinh") also finds them written with ("Quyết định")."""
    hay = " ".join(x for x in (record.kind_label, record.value, record.subject, record.issuer, record.quote) if x)
    q = nfc(query).strip().lower()
    if q in nfc(hay).lower():
        return True
    return fold(q) == q and q in fold(hay)


def list_facts(index: Index, kind: str | None = None, doc: str | None = None,
               query: str | None = None) -> list[FactRecord]:
    """The library's facts, by report then position: of one ``kind`` (aliases accepted, see
    :data:`KIND_ALIASES`), of one report ``doc`` (file name), matching a text ``query``."""
    labels = {d.doc_name: d.meta.label() for d in index.docs()}
    stored = index.catalog.facts(normalise_kind(kind), doc)
    records = [to_record(f, labels.get(f.doc_name, f.doc_name)) for f in stored]
    if query and query.strip():
        records = [r for r in records if matches(r, query)]
    return records


def write_csv(records: list[FactRecord], path: Path) -> Path:
    """A CSV file of the records, UTF-8 with a BOM so that Excel reads Vietnamese correctly."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        writer.writerows(r.csv_row() for r in records)
    return path
