"""Run an ingest in its own process (killed by tests): python -m tests.helpers.ingest_worker HOME EMBEDDER PATH...

Prints ``ready`` once imports are done and the index is open, then ``file <name>`` as each file
starts, then one status line per file. ``--hold-lock`` instead holds the write lock for 30 s;
``--check`` prints ``consistent N`` when Chroma, the catalog and the keyword index agree.
Embedder ``fake-kill`` is the fake embedder taking 20 ms per chunk (same id as ``fake``).
"""
import sys
from pathlib import Path

from tests.fakes import HashEmbedder, register_fakes

# underthesea's __init__ imports optional pipelines (translation pulls in torch: ~8 s). Sentence
# splitting, all the ingest uses, does not need them; blocking them keeps each killed run short.
_OPTIONAL = ("classification", "sentiment", "lang_detect", "dependency_parse", "translate")


def _light_underthesea() -> None:
    for name in _OPTIONAL:
        sys.modules.setdefault(f"underthesea.pipeline.{name}", None)  # type: ignore[arg-type]
    for name in ("agent", "address"):
        sys.modules.setdefault(f"underthesea.{name}", None)  # type: ignore[arg-type]
    import underthesea  # noqa: F401


def main() -> None:
    register_fakes()
    from index.embedders import get_embedder, register_embedder
    from index.ingestion import ingest_paths
    from index.store import Index

    register_embedder("fake-kill", lambda **_: HashEmbedder(delay=0.02))
    home, embedder, *paths = sys.argv[1:]
    index = Index(Path(home), get_embedder(embedder))
    if paths == ["--check"]:  # a fresh process's view: Chroma, catalog and keyword index agree
        ids, chunks = sorted(index.store.ids_of()), sorted(c.chunk_id for c in index.catalog.chunks())
        print("consistent" if ids == chunks == sorted(index.keyword().ids) else "INCONSISTENT", len(ids), flush=True)
        return
    if paths == ["--hold-lock"]:
        import time
        with index.writing():
            print("locked", flush=True)
            time.sleep(30)
        return
    _light_underthesea()
    print("ready", flush=True)
    for s in ingest_paths(index, [Path(p) for p in paths], lambda i, n, name: print(f"file {name}", flush=True)):
        print(s.line(), flush=True)


if __name__ == "__main__":
    main()
