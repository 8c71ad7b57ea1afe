"""Text-generation back-ends behind one small streaming interface, chosen by name.

Built-in names:

* ``local``      – llama.cpp (llama-cpp-python) on the default GGUF (Qwen2.5-Coder-1.5B);
                   options ``home`` (where models are assembled; env ``CCHC_HOME``,
                   default ``.cchc``), ``model`` and ``n_threads`` (``CCHC_LLM_THREADS``,
                   default all cores).
* ``local-0.5b`` – the same with the small Qwen2.5-Coder-0.5B model.
* ``openai``     – any OpenAI-compatible server (llama.cpp server, vLLM, Ollama, …);
                   options ``url`` (env ``CCHC_LLM_URL``), ``model`` (``CCHC_LLM_MODEL``),
                   ``api_key`` (``CCHC_LLM_API_KEY``), ``timeout`` (seconds).

Other back-ends (e.g. fakes in tests) are added with :func:`register_generator`.
The ``extractive`` back-end is not a generator: the assistant handles it itself.
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, runtime_checkable

from assistant.models import DEFAULT_MODEL, ModelError, ensure_model

Message = dict  # {"role": "system"|"user"|"assistant", "content": str}

SEED = 42
N_CTX = 4096
LLAMA_CPP_INSTALL = ".venv/bin/pip install 'llama-cpp-python[server]==0.3.36'"


class GeneratorError(Exception):
    """A back-end cannot generate; the one-line message says what to do next."""


@runtime_checkable
class Generator(Protocol):
    """A text generator: ``generate`` yields pieces of the reply as they are produced."""

    name: str

    def generate(self, messages: list[Message], *, max_tokens: int = 256,
                 temperature: float = 0.0, stop: list[str] | None = None) -> Iterator[str]:
        """Stream the reply to the chat ``messages`` as text pieces."""
        ...


_REGISTRY: dict[str, Callable[..., Generator]] = {}
_REGISTRY_LOCK = threading.Lock()


def register_generator(name: str, factory: Callable[..., Generator]) -> None:
    """Make ``get_generator(name, **options)`` call ``factory(**options)`` (replaces any old one)."""
    if not name or not callable(factory):
        raise GeneratorError(f"register_generator needs a name and a callable, got {name!r}")
    with _REGISTRY_LOCK:
        _REGISTRY[name] = factory


def known_generators() -> list[str]:
    """Names accepted by :func:`get_generator`, sorted."""
    with _REGISTRY_LOCK:
        return sorted(_REGISTRY)


def get_generator(name: str, **options: Any) -> Generator:
    """Build the generator registered as ``name`` with ``options``.

    Raises GeneratorError for an unknown name (listing the known ones) or bad options.
    """
    with _REGISTRY_LOCK:
        factory = _REGISTRY.get(name)
    if factory is None:
        raise GeneratorError(f"unknown generator {name!r}; known: {', '.join(known_generators())}")
    try:
        return factory(**options)
    except TypeError as exc:
        raise GeneratorError(f"bad options for generator {name!r} ({exc}); "
                             f"given: {', '.join(sorted(options)) or 'none'}") from exc


# --------------------------------------------------------------------------- local (llama.cpp)

class _ModelSlot:
    """A loaded llama.cpp model and the lock that serialises its use across threads."""

    def __init__(self, llm: Any) -> None:
        self.llm = llm
        self._lock = threading.Lock()
        self._owner: int | None = None

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Hold the model; a second stream opened by the holding thread fails instead of hanging."""
        if self._owner == threading.get_ident():
            raise GeneratorError("a previous generate() stream of this model is still open in "
                                 "this thread: read it to the end or close() it first")
        with self._lock:
            self._owner = threading.get_ident()
            try:
                yield
            finally:
                self._owner = None


@contextlib.contextmanager
def _amx_workaround() -> Iterator[None]:
    """Turn off llama.cpp's extra weight buffers (AMX repack) if this build uses AMX.

    A llama.cpp built with ``-march=native`` on a Sapphire-Rapids-class CPU repacks
    weights for AMX and then segfaults on the first decode (ggml-org/llama.cpp#20824).
    ``Llama`` has no option for it, so its default model parameters are patched while
    loading (callers hold ``_LLAMAS_LOCK``).  Builds made as in README (GGML_NATIVE=OFF)
    have no AMX and are left alone.
    """
    import llama_cpp.llama_cpp as lib

    if b"AMX_INT8 = 1" not in lib.llama_print_system_info():
        yield
        return
    original = lib.llama_model_default_params

    def params():  # type: ignore[no-untyped-def]
        p = original()
        p.use_extra_bufts = False
        return p

    lib.llama_model_default_params = params
    try:
        yield
    finally:
        lib.llama_model_default_params = original


_LLAMAS: dict[tuple[Path, int], _ModelSlot] = {}
_LLAMAS_LOCK = threading.Lock()


def _load_llama(path: Path, n_threads: int) -> _ModelSlot:
    """Load (once per process and thread count) the llama.cpp model at ``path``."""
    key = (Path(path).resolve(), n_threads)
    with _LLAMAS_LOCK:
        if key in _LLAMAS:
            return _LLAMAS[key]
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise GeneratorError(f"llama-cpp-python is not installed ({exc}); "
                                 f"run: {LLAMA_CPP_INSTALL}") from exc
        try:
            with _amx_workaround():
                llm = Llama(model_path=str(key[0]), n_ctx=N_CTX, n_threads=n_threads,
                            use_mmap=False, seed=SEED, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise GeneratorError(f"llama.cpp could not load {key[0]} ({exc}); delete it so it "
                                 f"is re-assembled, or run scripts/install_models.sh") from exc
        _LLAMAS[key] = _ModelSlot(llm)
        return _LLAMAS[key]


def _thread_count(n_threads: int | None) -> int:
    """Threads for llama.cpp: the option, else CCHC_LLM_THREADS, else all cores."""
    raw = n_threads if n_threads is not None else os.environ.get("CCHC_LLM_THREADS")
    if raw in (None, ""):
        return os.cpu_count() or 1
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise GeneratorError(f"bad thread count {raw!r}: set CCHC_LLM_THREADS to a whole number >= 1")
    return value


class LocalGenerator:
    """llama.cpp chat completion on a local GGUF; one loaded model shared per process."""

    def __init__(self, model: str = DEFAULT_MODEL, home: Path | str | None = None,
                 n_threads: int | None = None) -> None:
        home = Path(home or os.environ.get("CCHC_HOME") or ".cchc")
        try:
            self.model_path = ensure_model(model, home)
        except ModelError as exc:
            raise GeneratorError(str(exc)) from exc
        self.name = f"local:{model}"
        self._slot = _load_llama(self.model_path, _thread_count(n_threads))

    def warm(self, messages: list[Message]) -> None:
        """Read ``messages`` once (e.g. the fixed system rules): llama.cpp keeps the longest
        common prefix of consecutive prompts, so later questions skip that prefill."""
        for _ in self.generate(messages, max_tokens=1):
            pass

    def generate(self, messages: list[Message], *, max_tokens: int = 256,
                 temperature: float = 0.0, stop: list[str] | None = None) -> Iterator[str]:
        """Stream the reply; the model is locked for the whole stream (not re-entrant)."""
        with self._slot.hold():
            stream = self._slot.llm.create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=temperature,
                stop=stop or [], stream=True, seed=SEED)
            try:
                for chunk in stream:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            finally:
                close = getattr(stream, "close", None)
                if close:
                    close()


# --------------------------------------------------------------------------- OpenAI-compatible


def _open(request: urllib.request.Request, url: str, timeout: float) -> Any:
    """urlopen with errors turned into one-line GeneratorErrors that say what to check."""
    try:
        return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (user-given URL)
    except urllib.error.HTTPError as exc:
        body = exc.read(300).decode("utf-8", "replace").replace("\n", " ")
        hint = {401: "check CCHC_LLM_API_KEY", 403: "check CCHC_LLM_API_KEY",
                404: "check CCHC_LLM_URL (it should end in /v1) and CCHC_LLM_MODEL"}
        raise GeneratorError(f"model server at {url} answered HTTP {exc.code}: {body}; "
                             f"{hint.get(exc.code, 'see the server log')}") from exc
    except (urllib.error.URLError, ConnectionError) as exc:
        if isinstance(getattr(exc, "reason", None), (socket.timeout, TimeoutError)):
            raise _timeout_error(url, timeout) from exc
        raise GeneratorError(f"Không kết nối được máy chủ mô hình tại {url} / cannot reach "
                             f"the model server at {url}: check CCHC_LLM_URL") from exc
    except (socket.timeout, TimeoutError) as exc:
        raise _timeout_error(url, timeout) from exc


def _timeout_error(url: str, timeout: float) -> GeneratorError:
    return GeneratorError(f"model server at {url} did not answer within {timeout:g} s; "
                          f"check that it is running, or pass a larger timeout")


class OpenAIGenerator:
    """Streaming ``/chat/completions`` against an OpenAI-compatible server (stdlib only)."""

    def __init__(self, url: str | None = None, model: str | None = None,
                 api_key: str | None = None, timeout: float = 120.0) -> None:
        url = url or os.environ.get("CCHC_LLM_URL")
        if not url:
            raise GeneratorError("no model server URL: set CCHC_LLM_URL "
                                 "(e.g. http://127.0.0.1:8000/v1) or pass url=")
        self.url = url.rstrip("/")
        self.model = model or os.environ.get("CCHC_LLM_MODEL") or None
        self.api_key = api_key or os.environ.get("CCHC_LLM_API_KEY") or None
        self.timeout = float(timeout)
        self.name = f"openai:{self.model or 'auto'}"

    def _request(self, path: str, payload: dict | None = None) -> urllib.request.Request:
        headers = {"Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = None
        if payload is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return urllib.request.Request(self.url + path, data=data, headers=headers)

    def resolve_model(self) -> str:
        """The model to ask for: the configured one, else the server's first listed model."""
        if self.model:
            return self.model
        with _open(self._request("/models"), self.url, self.timeout) as resp:
            listed = json.load(resp).get("data") or []
        if not listed:
            raise GeneratorError(f"model server at {self.url} lists no models; set CCHC_LLM_MODEL")
        self.model = str(listed[0]["id"])
        self.name = f"openai:{self.model}"
        return self.model

    def generate(self, messages: list[Message], *, max_tokens: int = 256,
                 temperature: float = 0.0, stop: list[str] | None = None) -> Iterator[str]:
        """Stream the reply from the server's server-sent events."""
        payload: dict[str, Any] = {"model": self.resolve_model(), "messages": messages,
                                   "max_tokens": max_tokens, "temperature": temperature,
                                   "stream": True, "seed": SEED}
        if stop:
            payload["stop"] = stop
        request = self._request("/chat/completions", payload)
        with _open(request, self.url, self.timeout) as resp:
            try:
                yield from _sse_pieces(resp, self.url)
            except (socket.timeout, TimeoutError) as exc:
                raise _timeout_error(self.url, self.timeout) from exc


def _sse_pieces(lines: Any, url: str) -> Iterator[str]:
    """Yield ``delta.content`` of each ``data:`` event until ``[DONE]``."""
    for raw in lines:
        line = raw.decode("utf-8", "replace").strip()
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            event = json.loads(data)
        except json.JSONDecodeError as exc:
            raise GeneratorError(f"model server at {url} sent a malformed event: "
                                 f"{data[:120]!r}") from exc
        if "error" in event:
            raise GeneratorError(f"model server at {url} reported an error: "
                                 f"{json.dumps(event['error'], ensure_ascii=False)[:300]}")
        for choice in event.get("choices") or []:
            piece = (choice.get("delta") or {}).get("content")
            if piece:
                yield piece


def _local_05b(**options: Any) -> LocalGenerator:
    """``local-0.5b``: the local back-end on the small model."""
    options.setdefault("model", "qwen2.5-coder-0.5b")
    return LocalGenerator(**options)


register_generator("local", LocalGenerator)
register_generator("local-0.5b", _local_05b)
register_generator("openai", OpenAIGenerator)
