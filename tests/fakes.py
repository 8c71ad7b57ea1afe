"""Deterministic fakes for unit tests (never used by the product)."""
from __future__ import annotations

import hashlib
import time

import numpy as np

from index.keyword import keyword_tokens


class HashEmbedder:
    """Bag of hashed keyword tokens: similar texts get similar vectors; no model needed."""

    def __init__(self, dim: int = 64, delay: float = 0.0, model_id: str = "fake-hash-64"):
        self.dim = dim
        self.id = model_id
        self.delay = delay

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for t in keyword_tokens(text):
            h = int(hashlib.md5(t.encode()).hexdigest()[:8], 16)
            v[h % self.dim] += 1.0 if (h >> 8) & 1 else -1.0
        n = np.linalg.norm(v)
        return v / n if n else v + 1.0 / np.sqrt(self.dim)

    def embed(self, texts: list[str]) -> np.ndarray:
        if self.delay:
            time.sleep(self.delay * len(texts))
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vec(text)


def register_fakes() -> None:
    from index.embedders import register_embedder

    register_embedder("fake", lambda **_: HashEmbedder())
    register_embedder("fake-other", lambda **_: HashEmbedder(model_id="fake-other-64"))
    register_embedder("fake-slow", lambda **_: HashEmbedder(delay=0.05))
    register_embedder("fake-slowload", _slow_to_load)


def _slow_to_load(**_) -> HashEmbedder:
    """The fake embedder after a 20 s "model load" (what e5 costs on a cold start)."""
    time.sleep(20)
    return HashEmbedder()


def free_port() -> int:
    """A free TCP port on the loopback interface (for servers the tests start)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ScriptedGenerator:
    """A deterministic fake model: streams a fixed reply and records the messages it was given."""

    name = "fake:scripted"

    def __init__(self, reply: str = ""):
        self.reply = reply
        self.seen: list = []

    def generate(self, messages, *, max_tokens=256, temperature=0.0, stop=None):
        self.seen.append(messages)
        for i in range(0, len(self.reply), 7):
            yield self.reply[i:i + 7]
