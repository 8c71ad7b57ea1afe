"""Issue #18: a report of thousands of repeated lines does not flood the index with copies."""
from __future__ import annotations

from pathlib import Path

from index.embedders import get_embedder
from index.ingestion import ingest_paths
from index.retriever import Retriever
from index.store import Index
from ingest.chunker import chunk_document

HEAD = ("BÁO CÁO\nKết quả thực hiện công tác cải cách hành chính năm 2022\n\n"
        "I. KẾT QUẢ\n\nTrong năm, Sở đã ban hành kế hoạch cải cách hành chính và triển khai đúng tiến độ.\n\n")
LINE = "Tiếp tục thực hiện có hiệu quả công tác cải cách hành chính, nâng cao chất lượng phục vụ người dân.\n"


def test_repeated_lines_give_each_chunk_once(tmp_path: Path):
    path = tmp_path / "lap-lai.txt"
    path.write_text(HEAD + LINE * 5000 + "\nII. TỒN TẠI\n\nMột số thủ tục còn giải quyết chậm so với quy định.\n",
                    encoding="utf-8")
    index = Index(tmp_path / "home", get_embedder("fake"))
    [status] = ingest_paths(index, [path])
    assert status.status == "ingested" and "repeated chunks kept once" in status.detail, status.line()
    chunks = index.catalog.chunks("lap-lai.txt")
    texts = [" ".join(c.text.split()) for c in chunks]
    assert len(texts) == len(set(texts)) and len(chunks) < 10, len(chunks)
    assert any("giải quyết chậm" in t for t in texts)  # what follows the repetition is still there
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert sorted(index.store.ids_of("lap-lai.txt")) == sorted(c.chunk_id for c in chunks)
    hits = Retriever(index).search("công tác cải cách hành chính", k=5)
    assert len({" ".join(h.chunk.text.split()) for h in hits}) == len(hits)
    [again] = ingest_paths(index, [path])  # unchanged: skipped, same chunks
    assert again.status == "unchanged" and len(index.catalog.chunks("lap-lai.txt")) == len(chunks)


def test_distinct_text_keeps_every_chunk():
    text = "\n\n".join(f"Năm 2022, đơn vị số {i} đã tiếp nhận {i * 7} hồ sơ và giải quyết đúng hạn." for i in range(60))
    chunks = chunk_document("x", "x.txt", text)
    assert sum(c.text.count("đơn vị số") for c in chunks) == 60
