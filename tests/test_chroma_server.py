"""Server mode: the same index tests against a real `chroma run` server on loopback."""
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from index.embedders import get_embedder
from index.ingestion import ingest_paths
from index.retriever import Retriever
from index.store import Index


from tests.fakes import free_port as _free_port  # noqa: E402


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.25)
    else:
        proc.kill()
        pytest.fail("chroma run did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.slow
def test_ingest_search_remove_on_server(chroma_url, tmp_path, samples):
    index = Index(tmp_path / "home", get_embedder("fake"), chroma_url)
    statuses = ingest_paths(index, [samples / "000_2e45de5cd4b14c3f.txt", samples / "004_174b6c4ae34f5b29.txt"])
    assert [s.status for s in statuses] == ["ingested", "ingested"]
    assert index.store.count() == sum(s.n_chunks for s in statuses)
    hits = Retriever(index).search("Quyết định 1078/QĐ-UBND ngày 12/5/2020", k=3)
    assert "1078/QĐ-UBND" in hits[0].chunk.text
    assert [s.status for s in ingest_paths(index, [samples / "004_174b6c4ae34f5b29.txt"])] == ["unchanged"]
    assert index.remove("004_174b6c4ae34f5b29.txt")
    assert index.store.ids_of("004_174b6c4ae34f5b29.txt") == []


def test_unreachable_server_is_a_clear_error(tmp_path):
    from index.chroma_store import StoreError

    with pytest.raises(StoreError, match="CCHC_CHROMA_URL"):
        Index(tmp_path / "h", get_embedder("fake"), f"http://127.0.0.1:{_free_port()}")
