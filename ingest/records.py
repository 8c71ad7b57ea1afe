"""Small typed records passed from ``ingest`` to ``index`` and beyond."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


CHUNKER_VERSION = "vi-sent-9"  # 9: title = the kind line and its subject; repeated chunks kept once; 5: canonical tones


class IngestError(Exception):
    """A file that cannot be ingested. ``str(err)`` is a one-line bilingual message."""

    def __init__(self, file_name: str, reason_vi: str, reason_en: str):
        self.file_name = file_name
        self.reason_vi = reason_vi
        self.reason_en = reason_en
        super().__init__(f"{file_name}: {reason_vi} / {reason_en}")


@dataclass(frozen=True)
class DocMeta:
    """Metadata read from the report's own text (never from its file name).

    Example for ``000_2e45de5cd4b14c3f.txt``: province ``Khánh Hòa``, body
    ``Sở Khoa học và Công nghệ``, doc_type ``báo cáo``, period ``năm 2020``, years ``(2020,)``.
    """

    title: str = ""
    province: str | None = None
    body: str | None = None
    doc_type: str | None = None
    period: str | None = None
    years: tuple[int, ...] = ()
    signer: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["years"] = list(self.years)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "DocMeta":
        d = dict(d)
        d["years"] = tuple(d.get("years") or ())
        return cls(**{k: d.get(k) for k in cls.__dataclass_fields__ if k in d})

    @property
    def province_now(self) -> str | None:
        """The province this report's province belongs to since 2025 (Nghị quyết 202/2025/QH15)."""
        from vocab.provinces import new_province

        return new_province(self.province) if self.province else None

    def label(self) -> str:
        """Human label, e.g. ``Khánh Hòa · năm 2020``."""
        from vocab.provinces import province_label

        parts = [province_label(self.province) if self.province else "(không rõ tỉnh)"]
        if self.period:
            parts.append(self.period)
        return " · ".join(parts)


@dataclass(frozen=True)
class Section:
    """A heading-delimited span of the normalised text."""

    path: str
    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    """A retrievable piece of one report: whole sentences inside one section."""

    chunk_id: str
    doc_id: str
    doc_name: str
    section: str
    text: str
    start: int
    end: int
    ordinal: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Document:
    """A parsed, normalised report ready for chunking."""

    doc_id: str
    doc_name: str
    sha256: str
    text: str
    meta: DocMeta
    sections: list[Section] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
