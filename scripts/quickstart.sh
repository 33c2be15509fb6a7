#!/usr/bin/env bash
# Set up, then run the quickstart experiment (synthetic world -> tokenizer -> train -> eval -> report).
# Extra arguments pass through, e.g. `bash scripts/quickstart.sh --size tiny`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/pretrainlab run quickstart --out runs/quickstart "$@"
