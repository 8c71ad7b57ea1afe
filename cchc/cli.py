"""``cchc`` command line: ingest, docs, facts, remove, search, ask, draft, chat, eval.

Every option has an environment fallback shown in ``--help`` (``CCHC_HOME``, ``CCHC_EMBEDDER``,
``CCHC_CHROMA_URL``, ``CCHC_LLM``, ``CCHC_LLM_URL``, ``CCHC_LLM_MODEL``).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from vocab.provinces import province_label

from cchc.config import HomeOpt, EmbedderOpt, ChromaOpt, LlmOpt, setup_logging

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="cchc — hỏi đáp, so sánh, soạn thảo báo cáo cải cách hành chính (CCHC).")


def _fail(msg: str, code: int = 1) -> None:
    typer.echo(f"Lỗi / Error: {msg}", err=True)
    raise typer.Exit(code)


def _open(home: Path | None, embedder: str | None, chroma: str | None, llm: str = "extractive", k: int = 5,
          load_samples: bool = True):
    from assistant.api import open_assistant
    from assistant.errors import report

    setup_logging(home)  # the log goes under --home too
    try:
        return open_assistant(home, llm=llm, k=k, embedder=embedder, chroma_url=chroma, load_samples=load_samples)
    except Exception as e:  # one line for the user, the details in the log
        _fail(report(e))


@app.command()
def ingest(paths: list[Path] = typer.Argument(..., help="Tệp hoặc thư mục báo cáo (.pdf .docx .txt .md)"),
           home: HomeOpt = None, embedder: EmbedderOpt = None, chroma_url: ChromaOpt = None,
           rebuild: bool = typer.Option(False, "--rebuild", help="Xóa chỉ mục và xây lại từ đầu / rebuild")):
    """Nạp báo cáo vào chỉ mục / ingest reports (unchanged files are skipped)."""
    from assistant.errors import report
    from cchc.config import resolve_home
    from index.lock import write_lock
    from index.storage import storage_guard

    setup_logging(home)
    folder = resolve_home(home)
    try:  # the write lock first: a busy index is said at once, not after the model has loaded
        with storage_guard(folder), write_lock(folder):
            statuses = _ingest_locked(paths, home, embedder, chroma_url, rebuild)
    except typer.Exit:
        raise
    except Exception as e:
        _fail(report(e))
    for s in statuses:
        typer.echo(s.line())
    if statuses and all(s.status == "rejected" for s in statuses):
        raise typer.Exit(2)


def _ingest_locked(paths: list[Path], home: Path | None, embedder: str | None, chroma_url: str | None,
                   rebuild: bool) -> list:
    """The ingest command's work, under the write lock."""
    from cchc.config import resolve_home
    from index.ingestion import ProgressBar

    if rebuild:
        from assistant.api import wipe_index

        wipe_index(resolve_home(home))
    asst = _open(home, embedder, chroma_url, load_samples=False)
    bar = ProgressBar()  # a bar with the ETA on a terminal; a line every 30 s in a log
    try:
        return asst.ingest(paths, bar)
    finally:
        bar.close()


@app.command()
def docs(home: HomeOpt = None, embedder: EmbedderOpt = None, chroma_url: ChromaOpt = None,
         as_json: bool = typer.Option(False, "--json", help="JSON output")):
    """Liệt kê báo cáo đã nạp / list ingested reports with metadata and chunk counts."""
    asst = _open(home, embedder, chroma_url)
    rows = [{"doc": d.doc_name, "chunks": d.n_chunks, **d.meta.to_dict(), "warnings": d.warnings}
            for d in asst.docs()]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        typer.echo(f"{r['doc']}\t{r['chunks']} đoạn\t{province_label(r['province']) if r['province'] else '—'}\t{r['period'] or '—'}\t"
                   f"{r['doc_type'] or '—'}\t{r['body'] or '—'}\t{r['signer'] or '—'}")


_FACT_COLUMNS = (("Loại", 12), ("Số hiệu / giá trị", 20), ("Ngày", 10), ("Trích yếu / nội dung", 44),
                 ("Báo cáo", 22), ("Trích dẫn", 60))


def _cell(text, width: int) -> str:
    """One table cell: on one line, clipped to ``width`` with an ellipsis, padded."""
    flat = " ".join(str(text or "—").split())
    return (flat if len(flat) <= width else flat[:width - 1] + "…").ljust(width)


def _fact_table(records) -> list[str]:
    """A readable fixed-width table: kind, number/value, date, subject, report, quote."""
    head = "  ".join(_cell(name, w) for name, w in _FACT_COLUMNS).rstrip()
    lines = [head, "-" * len(head)]
    for r in records:
        cells = (r.kind_label, r.value, r.date, r.subject, r.report, r.quote)
        lines.append("  ".join(_cell(c, w) for c, (_, w) in zip(cells, _FACT_COLUMNS)).rstrip())
    return lines


@app.command()
def facts(kind: Optional[str] = typer.Option(None, "--kind", envvar="CCHC_FACTS_KIND",
                                             help="ref (văn bản, = decision) | quantity (số liệu, = figure) | "
                                                  "person | list"),
          doc: Optional[str] = typer.Option(None, "--doc", "--report", help="Chỉ một báo cáo (tên tệp)"),
          search_text: Optional[str] = typer.Option(None, "--search", "--query",
                                                    help="Tìm trong số hiệu, trích yếu, trích dẫn (có/không dấu)"),
          csv_file: Optional[Path] = typer.Option(None, "--csv", help="Ghi ra tệp CSV (UTF-8 có BOM, mở được bằng Excel)"),
          jsonl: bool = typer.Option(False, "--jsonl", help="Mỗi dòng một đối tượng JSON / JSON lines"),
          home: HomeOpt = None, embedder: EmbedderOpt = None, chroma_url: ChromaOpt = None):
    """Văn bản, số liệu, người và danh sách trong các báo cáo / facts found at ingest, with their quotes."""
    from assistant.facts_api import FactKindError, write_csv

    asst = _open(home, embedder, chroma_url)
    if doc and not any(d.doc_name == doc for d in asst.docs()):
        _fail(f"không có báo cáo '{doc}' / no report named '{doc}' (see `cchc docs`)")
    try:
        records = asst.facts(kind=kind, doc=doc, query=search_text)
    except FactKindError as e:
        _fail(str(e), code=2)
    if csv_file:
        typer.echo(f"CSV: {write_csv(records, csv_file)} ({len(records)} dòng / rows)", err=True)
    if jsonl:
        for r in records:
            typer.echo(json.dumps(r.to_json(), ensure_ascii=False))
    elif not csv_file:
        for line in _fact_table(records):
            typer.echo(line)
        typer.echo(f"{len(records)} mục / facts", err=True)


@app.command()
def remove(doc: str = typer.Argument(..., help="Tên tệp báo cáo, ví dụ 000_2e45de5cd4b14c3f.txt"),
           home: HomeOpt = None, embedder: EmbedderOpt = None, chroma_url: ChromaOpt = None):
    """Xóa một báo cáo khỏi chỉ mục / remove one report."""
    asst = _open(home, embedder, chroma_url)
    if not asst.remove(doc):
        _fail(f"không có báo cáo '{doc}' / no report named '{doc}' (see `cchc docs`)")
    typer.echo(f"{doc}: removed")


def _read_jsonl(path: Path):
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            yield n, str(obj["id"]), str(obj["question"])
        except (ValueError, KeyError, TypeError) as e:
            typer.echo(f"{path.name}:{n}: dòng không hợp lệ / bad line ({type(e).__name__}: {e})", err=True)


@app.command()
def search(question: Optional[str] = typer.Argument(None, help="Câu hỏi / question"),
           k: int = typer.Option(5, "--k", help="Số kết quả / number of hits"),
           jsonl: Optional[Path] = typer.Option(None, "--jsonl", help="Tệp câu hỏi JSONL (id, question)"),
           as_json: bool = typer.Option(False, "--json"), home: HomeOpt = None,
           embedder: EmbedderOpt = None, chroma_url: ChromaOpt = None):
    """Tìm đoạn liên quan / hybrid search over the reports."""
    asst = _open(home, embedder, chroma_url, k=k)
    if jsonl:
        for _, qid, q in _read_jsonl(jsonl):
            hits = asst.search(q, k)
            typer.echo(json.dumps({"id": qid, "hits": [h.to_json() for h in hits]}, ensure_ascii=False))
        return
    if not question:
        _fail("cần câu hỏi hoặc --jsonl / give a question or --jsonl")
    hits = asst.search(question, k)
    if as_json:
        typer.echo(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=1))
        return
    for i, h in enumerate(hits, 1):
        typer.echo(f"[{i}] {h.chunk.doc_name} · {h.meta.label()} · {h.chunk.section}\n    "
                   f"{h.chunk.text[:300]}{'…' if len(h.chunk.text) > 300 else ''}\n")


@app.command()
def ask(question: Optional[str] = typer.Argument(None, help="Câu hỏi / question"),
        llm: LlmOpt = "local", k: int = typer.Option(5, "--k"),
        jsonl: Optional[Path] = typer.Option(None, "--jsonl", help="Tệp câu hỏi JSONL (id, question)"),
        as_json: bool = typer.Option(False, "--json"), home: HomeOpt = None,
        embedder: EmbedderOpt = None, chroma_url: ChromaOpt = None):
    """Hỏi và nhận câu trả lời có trích dẫn / answer with verified citations."""
    from assistant.errors import report

    asst = _open(home, embedder, chroma_url, llm=llm, k=k)
    if jsonl:
        for _, qid, q in _read_jsonl(jsonl):
            try:
                line = asst.ask(q, qid=qid).to_json()
            except Exception as e:
                line = {"id": qid, "question": q, "error": report(e)}
            typer.echo(json.dumps(line, ensure_ascii=False))
        return
    if not question:
        _fail("cần câu hỏi hoặc --jsonl / give a question or --jsonl")
    try:
        ans = asst.ask(question)
    except Exception as e:
        _fail(report(e))
    if as_json:
        typer.echo(json.dumps(ans.to_json(), ensure_ascii=False, indent=1))
        return
    typer.echo(ans.text + "\n")
    for c in ans.citations:
        typer.echo(f"[{c.n}] {c.doc} · {c.section}\n    «{c.quote}»")


@app.command()
def draft(instruction: str = typer.Argument(..., help="Yêu cầu soạn thảo, ví dụ \"Soạn mục 'Cải cách thủ tục hành "
                                             "chính' cho báo cáo CCHC năm 2021 của Sở KH&CN Khánh Hòa\""),
          source: Optional[list[str]] = typer.Option(None, "--from", help="Báo cáo nguồn (tên tệp, lặp lại được); "
                                                     "mặc định: báo cáo gần nhất cùng tỉnh"),
          docx: Optional[Path] = typer.Option(None, "--docx", help="Ghi thêm bản DOCX vào tệp này"),
          llm: LlmOpt = "local", as_json: bool = typer.Option(False, "--json"), home: HomeOpt = None,
          embedder: EmbedderOpt = None, chroma_url: ChromaOpt = None):
    """Soạn dự thảo mục báo cáo / đề cương từ báo cáo kỳ trước, có trích dẫn / draft a section or an outline."""
    from assistant.draft_docx import source_label, write_docx
    from assistant.errors import user_message

    asst = _open(home, embedder, chroma_url, llm=llm)
    try:
        result = asst.draft(instruction, source_docs=source or None)
        if docx:
            typer.echo(f"DOCX: {write_docx(result, docx)}", err=True)
    except Exception as e:
        _fail(user_message(e))
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return
    for note in result.notes:
        typer.echo(f"Ghi chú: {note}", err=True)
    typer.echo(result.markdown + "\n")
    for c in result.citations:
        typer.echo(f"{source_label(c)}\n    «{c.quote}»")


@app.command()
def chat(llm: LlmOpt = "local", host: str = typer.Option("127.0.0.1", "--host", envvar="CCHC_HOST",
                                                      help="Địa chỉ lắng nghe (mặc định chỉ máy này)"),
         port: int = typer.Option(7860, "--port", envvar="CCHC_PORT"), home: HomeOpt = None,
         embedder: EmbedderOpt = None, chroma_url: ChromaOpt = None):
    """Mở giao diện hỏi đáp (Gradio) / start the chat UI. Login: set CCHC_AUTH_FILE when not on 127.0.0.1."""
    from cchc.ui import launch

    asst = _open(home, embedder, chroma_url, llm=llm)
    typer.echo(f"cchc chat: http://{host}:{port}  ({asst.describe()['n_docs']} báo cáo, --llm {llm})")
    launch(asst, host=host, port=port)


def main() -> None:
    setup_logging()
    try:
        from evals.cli import register

        register(app)
    except ImportError:  # pragma: no cover - evals is part of the package
        pass
    try:
        app()
    except Exception as e:  # never a traceback for the user: one line, the details in the log
        from assistant.errors import report

        typer.echo(f"Lỗi / Error: {report(e)}", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
