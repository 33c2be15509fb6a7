#!/usr/bin/env bash
# Create .venv (if missing) and install pretrainlab with its test/HF extras.
# Torch: an already-importable torch is kept (e.g. your CUDA build); otherwise torch==2.13.0 is
# installed first, which on the project's machines is a local CPU wheel (no multi-GB CUDA download).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
VPY=.venv/bin/python
if ! "$VPY" -c "import torch" >/dev/null 2>&1; then
  "$VPY" -m pip install -q --disable-pip-version-check "torch==${PRETRAINLAB_TORCH:-2.13.0}"
fi
"$VPY" -m pip install -q --disable-pip-version-check -e ".[dev]"
