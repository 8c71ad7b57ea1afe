"""Tests of the generation back-ends (assistant.generators) and model assembly (assistant.models)."""
from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from assistant import models
from assistant.generators import (Generator, GeneratorError, OpenAIGenerator, get_generator,
                                  known_generators, register_generator)
from assistant.models import ModelError, assemble, ensure_model, find_parts

SMALL = "qwen2.5-coder-0.5b"
QUESTION = "Trả lời ngắn: thủ đô của Việt Nam là gì?"


class FakeGenerator:
    """Echoes the last user message word by word."""

    def __init__(self, prefix: str = "") -> None:
        self.name = "fake"
        self.prefix = prefix

    def generate(self, messages, *, max_tokens=256, temperature=0.0, stop=None) -> Iterator[str]:
        words = (self.prefix + messages[-1]["content"]).split()
        for word in words[:max_tokens]:
            yield word + " "


from tests.fakes import free_port as _free_port  # noqa: E402


# --------------------------------------------------------------------------- registry


def test_registered_fake_is_returned_and_streams() -> None:
    register_generator("fake", FakeGenerator)
    gen = get_generator("fake", prefix="Đáp: ")
    assert isinstance(gen, Generator)
    assert gen.name == "fake"
    pieces = list(gen.generate([{"role": "user", "content": "Hà Nội"}], max_tokens=8))
    assert pieces == ["Đáp: ", "Hà ", "Nội "]
    assert {"fake", "local", "local-0.5b", "openai"} <= set(known_generators())


def test_unknown_name_lists_known_ones() -> None:
    with pytest.raises(GeneratorError) as err:
        get_generator("gpt-17")
    msg = str(err.value)
    assert "gpt-17" in msg and "local" in msg and "openai" in msg and "\n" not in msg


def test_bad_option_is_a_generator_error() -> None:
    register_generator("fake", FakeGenerator)
    with pytest.raises(GeneratorError, match="bad options"):
        get_generator("fake", nonsense=1)


def test_thread_count_option_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.generators import _thread_count
    monkeypatch.delenv("CCHC_LLM_THREADS", raising=False)
    assert _thread_count(None) == (os.cpu_count() or 1)
    assert _thread_count(3) == 3
    monkeypatch.setenv("CCHC_LLM_THREADS", "1")
    assert _thread_count(None) == 1
    monkeypatch.setenv("CCHC_LLM_THREADS", "many")
    with pytest.raises(GeneratorError, match="CCHC_LLM_THREADS"):
        _thread_count(None)


# --------------------------------------------------------------------------- assembly


def _write_parts(tmp_path: Path, chunks: list[bytes]) -> list[Path]:
    parts = []
    for i, chunk in enumerate(chunks, 1):
        part = tmp_path / f"part{i:02d}.bin"
        part.write_bytes(chunk)
        parts.append(part)
    return parts


def test_assemble_good_hash(tmp_path: Path) -> None:
    chunks = [b"GGUF" + bytes(range(256)) * 10, b"second", os.urandom(1000)]
    parts = _write_parts(tmp_path, chunks)
    out = tmp_path / "models" / "m.gguf"
    assert assemble(parts, out, hashlib.sha256(b"".join(chunks)).hexdigest()) == out
    assert out.read_bytes() == b"".join(chunks)
    assert not out.with_name("m.gguf.partial").exists()


def test_assemble_bad_hash_leaves_no_file(tmp_path: Path) -> None:
    parts = _write_parts(tmp_path, [b"abc", b"def"])
    out = tmp_path / "m.gguf"
    with pytest.raises(ModelError, match="install_models.sh"):
        assemble(parts, out, "0" * 64)
    assert not out.exists()
    assert not out.with_name("m.gguf.partial").exists()


def _fake_part_packages(root: Path, chunks: list[bytes]) -> None:
    for i, chunk in enumerate(chunks, 1):
        data = root / f"fakemodel_part{i}" / "data"
        data.mkdir(parents=True)
        (data.parent / "__init__.py").write_text("")
        (data / f"part{i:02d}.bin").write_bytes(chunk)


def test_ensure_model_with_fake_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chunks = [b"GGUF-one", b"-two", b"-three"]
    whole = b"".join(chunks)
    _fake_part_packages(tmp_path / "site", chunks)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setitem(models.MODELS, "fake", models.ModelSpec("fakemodel_part", 3, "fake", "t"))
    monkeypatch.setitem(models.MODEL_SHA256, "fake", hashlib.sha256(whole).hexdigest())
    monkeypatch.setitem(models.MODEL_SIZE, "fake", len(whole))
    home = tmp_path / "home"
    out = ensure_model("fake", home)
    assert out == home / "models" / "fake.gguf" and out.read_bytes() == whole
    assert out.with_name("fake.gguf.sha256").read_text().startswith(models.MODEL_SHA256["fake"])
    # Second call: sidecar matches, so nothing is re-hashed.
    monkeypatch.setattr(models, "file_sha256", lambda p: pytest.fail("re-hashed"))
    assert ensure_model("fake", home) == out


def test_ensure_model_missing_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(models.MODELS, "absent", models.ModelSpec("no_such_pkg_part", 2, "x", "t"))
    monkeypatch.setitem(models.MODEL_SHA256, "absent", "0" * 64)
    monkeypatch.setitem(models.MODEL_SIZE, "absent", 10)
    with pytest.raises(ModelError, match=r"no-such-pkg-part1 is not installed.*install_models\.sh"):
        ensure_model("absent", tmp_path)
    with pytest.raises(ModelError, match="known models"):
        ensure_model("gpt-17", tmp_path)


# --------------------------------------------------------------------------- openai, no server


def test_openai_needs_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCHC_LLM_URL", raising=False)
    with pytest.raises(GeneratorError, match="CCHC_LLM_URL"):
        get_generator("openai")


def test_openai_connection_refused() -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    gen = get_generator("openai", url=url, model="m", timeout=5)
    with pytest.raises(GeneratorError) as err:
        list(gen.generate([{"role": "user", "content": QUESTION}]))
    assert "cannot reach the model server" in str(err.value) and url in str(err.value)


class _SSEHandler(http.server.BaseHTTPRequestHandler):
    """Minimal OpenAI-style server: lists one model and streams two pieces (401 without key)."""

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        body = json.dumps({"data": [{"id": "tiny"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.headers.get("Authorization") != "Bearer k":
            self.send_error(401, "no key")
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in ["Hà", " Nội", f" ({request['model']})"]:
            event = {"choices": [{"delta": {"content": piece}}]}
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


def test_openai_sse_parsing_and_http_errors() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SSEHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        gen = OpenAIGenerator(url=url, api_key="k", timeout=10)
        assert "".join(gen.generate([{"role": "user", "content": QUESTION}])) == "Hà Nội (tiny)"
        assert gen.name == "openai:tiny"
        with pytest.raises(GeneratorError, match="HTTP 401.*CCHC_LLM_API_KEY"):
            list(OpenAIGenerator(url=url, model="m", api_key="bad").generate(
                [{"role": "user", "content": "x"}]))
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- real models (slow)


@pytest.fixture(scope="session")
def small_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the 0.5B GGUF assembled; skips if the model packages are not installed."""
    try:
        find_parts(SMALL)
    except ModelError as exc:
        pytest.skip(f"0.5B model packages not installed ({exc})")
    home = tmp_path_factory.mktemp("cchc_home")
    ensure_model(SMALL, home)
    return home


@pytest.mark.slow
def test_local_small_model_streams(small_home: Path) -> None:
    gen = get_generator("local-0.5b", home=small_home)
    assert gen.name == "local:qwen2.5-coder-0.5b"
    messages = [{"role": "system", "content": "Bạn là trợ lý trả lời bằng tiếng Việt."},
                {"role": "user", "content": QUESTION}]
    pieces = list(gen.generate(messages, max_tokens=24))
    assert len(pieces) > 1 and "".join(pieces).strip()
    again = get_generator("local", home=small_home, model=SMALL)
    assert again._slot is gen._slot  # the loaded model is cached per path
    assert "".join(again.generate(messages, max_tokens=24)) == "".join(pieces)  # temperature 0


def _wait_for_server(proc: subprocess.Popen, url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/models", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail("llama_cpp.server did not answer /v1/models within the time limit")


@pytest.mark.slow
def test_openai_against_llama_cpp_server(small_home: Path, tmp_path: Path) -> None:
    port = _free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model",
           str(models.model_path(SMALL, small_home)), "--host", "127.0.0.1",
           "--port", str(port), "--n_ctx", "2048"]
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_for_server(proc, url, time.monotonic() + 180)
        gen = get_generator("openai", url=url, timeout=120)
        pieces = list(gen.generate([{"role": "user", "content": QUESTION}], max_tokens=32))
        assert "".join(pieces).strip(), (tmp_path / "server.log").read_text(errors="replace")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
