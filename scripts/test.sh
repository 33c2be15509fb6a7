#!/usr/bin/env bash
# Set up, then run the test suite on CPU, slow tests included (a plain `pytest` skips them; see pyproject.toml).
# Extra arguments pass to pytest, e.g. `bash scripts/test.sh -m slow`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest -q -m "not gpu and not recipe_tiny" "$@"
