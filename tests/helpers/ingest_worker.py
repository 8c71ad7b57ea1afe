"""Run an ingest in its own process (killed by tests): python -m tests.helpers.ingest_worker HOME EMBEDDER PATH..."""
import sys
from pathlib import Path

from tests.fakes import register_fakes


def main() -> None:
    register_fakes()
    from index.embedders import get_embedder
    from index.ingestion import ingest_paths
    from index.store import Index

    home, embedder, *paths = sys.argv[1:]
    index = Index(Path(home), get_embedder(embedder))
    if paths == ["--hold-lock"]:
        import time
        with index.writing():
            print("locked", flush=True)
            time.sleep(30)
        return
    for s in ingest_paths(index, [Path(p) for p in paths]):
        print(s.line(), flush=True)


if __name__ == "__main__":
    main()
