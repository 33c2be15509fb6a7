#!/usr/bin/env bash
# Set up, then run the test suite (CPU; slow/gpu tests are deselected by default, see pyproject.toml).
# Extra arguments pass to pytest, e.g. `bash scripts/test.sh -m slow`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest -q "$@"
