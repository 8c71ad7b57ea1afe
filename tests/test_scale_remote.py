"""Issue #7, beyond one machine: the collection in a `chroma run` server, the embedder and the generator
behind OpenAI-compatible endpoints (a ministry's vLLM server), configured by environment variables only.

A real `chroma run` server and a small OpenAI-compatible fake (``/v1/models``, ``/v1/embeddings``,
streaming ``/v1/chat/completions``) run on loopback; the real ``cchc`` CLI, in its own processes,
gets nothing but environment variables.
"""
from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.fakes import HashEmbedder, free_port

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Quy chế xét tặng Giải thưởng KH&CN tỉnh Khánh Hòa được UBND tỉnh ban hành theo QĐ số mấy, ngày nào?"


class _OpenAIFake(http.server.BaseHTTPRequestHandler):
    """Embeddings from the hash fake (e5 prefixes must arrive and are stripped), a fixed chat reply."""

    calls: dict[str, int] = {"embeddings": 0, "texts": 0, "chat": 0, "prefixed": 0}
    embedder = HashEmbedder()

    def log_message(self, *args) -> None:
        pass

    def _json(self, obj: dict) -> None:
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._json({"data": [{"id": "intfloat/multilingual-e5-small"}]})

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path.endswith("/embeddings"):
            texts = payload["input"]
            self.calls["embeddings"] += 1
            self.calls["texts"] += len(texts)
            self.calls["prefixed"] += sum(t.startswith(("query: ", "passage: ")) for t in texts)
            vecs = [self.embedder._vec(t.split(": ", 1)[-1]).tolist() for t in texts]
            self._json({"data": [{"index": i, "embedding": v} for i, v in enumerate(vecs)]})
            return
        self.calls["chat"] += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in ("Quyết định số 1078/QĐ-UBND ", "ngày 12/5/2020 [1]."):
            self.wfile.write(f"data: {json.dumps({'choices': [{'delta': {'content': piece}}]})}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    api = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _OpenAIFake)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    chroma = subprocess.Popen([exe, "run", "--path", str(tmp_path_factory.mktemp("chroma")), "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.25)
    else:
        chroma.kill()
        pytest.fail("chroma run did not start")
    yield url, f"http://127.0.0.1:{api.server_address[1]}/v1"
    api.shutdown()
    chroma.terminate()
    chroma.wait(timeout=10)


def _cchc(env: dict, *args: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")} | env
    return subprocess.run([sys.executable, "-c", "from cchc.cli import main; main()", *args], cwd=ROOT, env=full,
                          capture_output=True, text=True, timeout=240)


@pytest.mark.slow
def test_server_deployment_by_environment_only(servers, tmp_path, samples):
    chroma_url, api_url = servers
    env = {"CCHC_HOME": str(tmp_path / "home"), "CCHC_CHROMA_URL": chroma_url, "CCHC_EMBEDDER": "openai",
           "CCHC_EMBED_URL": api_url, "CCHC_LLM": "openai", "CCHC_LLM_URL": api_url,
           "CCHC_LLM_MODEL": "qwen2.5-7b-instruct"}
    ing = _cchc(env, "ingest", str(samples / "000_2e45de5cd4b14c3f.txt"), str(samples / "004_174b6c4ae34f5b29.txt"))
    assert ing.returncode == 0, ing.stderr[-2000:]
    assert [x.split(":")[1].split()[0] for x in ing.stdout.splitlines()] == ["ingested", "ingested"]
    texts_after_ingest = _OpenAIFake.calls["texts"]
    assert texts_after_ingest > 50 and _OpenAIFake.calls["prefixed"] == texts_after_ingest
    ask = _cchc(env, "ask", "--json", QUESTION)
    assert ask.returncode == 0, ask.stderr[-2000:]
    answer = json.loads(ask.stdout)
    assert "1078/QĐ-UBND" in answer["answer"] and answer["citations"][0]["doc"] == "000_2e45de5cd4b14c3f.txt"
    assert _OpenAIFake.calls["chat"] >= 1  # the generator was asked (its answer is checked in code)
    docs = _cchc(env, "docs", "--json")
    names = {d["doc"] for d in json.loads(docs.stdout)}
    assert {"000_2e45de5cd4b14c3f.txt", "004_174b6c4ae34f5b29.txt"} <= names
    assert not (tmp_path / "home" / "chroma").exists()  # the vectors live in the server


def test_unreachable_embedding_server_is_a_clear_error(monkeypatch):
    from index.embedders import EmbedderError
    from index.remote_embedder import OpenAIEmbedder

    monkeypatch.setenv("CCHC_EMBED_API_MODEL", "m")
    with pytest.raises(EmbedderError, match="CCHC_EMBED_URL"):
        OpenAIEmbedder(url=f"http://127.0.0.1:{free_port()}/v1", timeout=5)
    monkeypatch.delenv("CCHC_EMBED_URL", raising=False)
    with pytest.raises(EmbedderError, match="CCHC_EMBED_URL"):
        OpenAIEmbedder()
