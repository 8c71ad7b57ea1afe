"""The embedder behind an OpenAI-compatible ``/embeddings`` endpoint (vLLM, TEI, llama.cpp server…).

For a deployment where a GPU server embeds for everyone. Configured by environment only:

* ``CCHC_EMBEDDER=openai``
* ``CCHC_EMBED_URL``  the server's base URL, e.g. ``http://gpu.local:8000/v1`` (required)
* ``CCHC_EMBED_API_MODEL``  the model to ask for (default: the first one the server lists)
* ``CCHC_EMBED_API_KEY``  a bearer token, if the server wants one
* ``CCHC_EMBED_PREFIXES``  ``"query: |passage: "``: prefixes added to questions | passages. Default:
  the e5 prefixes when the model name contains ``e5``, else none (vLLM does not add them itself)
* ``CCHC_EMBED_PARALLEL``  requests in flight while ingesting (default 4); ``CCHC_EMBED_BATCH`` (64)
* ``CCHC_EMBED_ID``  the identity recorded in the index (default ``openai:<model>``). Set it to
  ``multilingual-e5-small`` only when the server runs that very model, so that an index built on one
  side is searched from the other.

Vectors are L2-normalised here whatever the server does. Standard library only.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from index.embedders import EmbedderError

E5_PREFIXES = ("query: ", "passage: ")


def _prefixes(model: str) -> tuple[str, str]:
    raw = os.environ.get("CCHC_EMBED_PREFIXES")
    if raw is not None:
        query, _, passage = raw.partition("|")
        return query, passage
    return E5_PREFIXES if "e5" in model.lower() else ("", "")


class OpenAIEmbedder:
    """``embed``/``embed_query`` through ``POST {url}/embeddings``; batches go out in parallel."""

    def __init__(self, url: str | None = None, model: str | None = None, api_key: str | None = None,
                 timeout: float = 120.0):
        url = url or os.environ.get("CCHC_EMBED_URL")
        if not url:
            raise EmbedderError("Thiếu địa chỉ máy chủ nhúng / no embedding server URL: set CCHC_EMBED_URL "
                                "(e.g. http://127.0.0.1:8000/v1)")
        self.url = url.rstrip("/")
        self.api_key = api_key or os.environ.get("CCHC_EMBED_API_KEY") or None
        self.timeout = timeout
        self.batch = max(1, int(os.environ.get("CCHC_EMBED_BATCH", "64")))
        self.parallel = max(1, int(os.environ.get("CCHC_EMBED_PARALLEL", "4")))
        self.model = model or os.environ.get("CCHC_EMBED_API_MODEL") or self._first_model()
        self.query_prefix, self.passage_prefix = _prefixes(self.model)
        self.id = os.environ.get("CCHC_EMBED_ID") or f"openai:{self.model}"
        self.dim = int(self._post([self.passage_prefix + "dimension probe"]).shape[1])

    def _request(self, path: str, payload: dict | None = None):
        headers = {"Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = None
        if payload is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310 (configured URL)
                return json.load(resp)
        except urllib.error.HTTPError as e:
            body = e.read(300).decode("utf-8", "replace").replace("\n", " ")
            raise EmbedderError(f"máy chủ nhúng trả lỗi / embedding server at {self.url} answered HTTP {e.code}: "
                                f"{body}; check CCHC_EMBED_URL, CCHC_EMBED_API_MODEL, CCHC_EMBED_API_KEY") from e
        except (OSError, ValueError) as e:
            raise EmbedderError(f"Không kết nối được máy chủ nhúng tại {self.url} / cannot reach the embedding "
                                f"server at {self.url} ({type(e).__name__}): check CCHC_EMBED_URL") from e

    def _first_model(self) -> str:
        listed = self._request("/models").get("data") or []
        if not listed:
            raise EmbedderError(f"embedding server at {self.url} lists no models; set CCHC_EMBED_API_MODEL")
        return str(listed[0]["id"])

    def _post(self, texts: list[str]) -> np.ndarray:
        data = self._request("/embeddings", {"model": self.model, "input": texts}).get("data") or []
        rows = sorted(data, key=lambda d: d.get("index", 0))
        if len(rows) != len(texts):
            raise EmbedderError(f"embedding server at {self.url} returned {len(rows)} vectors for {len(texts)} texts")
        x = np.asarray([r["embedding"] for r in rows], dtype=np.float32)
        return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batches = [[self.passage_prefix + t for t in texts[i:i + self.batch]] for i in range(0, len(texts), self.batch)]
        if len(batches) == 1:
            return self._post(batches[0])
        with ThreadPoolExecutor(max_workers=min(self.parallel, len(batches))) as pool:
            return np.concatenate(list(pool.map(self._post, batches)))

    def embed_query(self, text: str) -> np.ndarray:
        return self._post([self.query_prefix + text])[0]
