#!/usr/bin/env bash
# One prepared GPU benchmark run (benchmarks/gpu_bench.py): GPT-2-124M-class model, bf16, torch.compile;
# the pretrainlab Trainer vs a plain loop over the same compiled model, and FSDP2 on one GPU via torchrun.
#
#   bash benchmarks/gpu.sh                      # on the GPU machine, from anywhere; ~4-6 min, hard cap 7.5 min
#   OUT=/some/dir bash benchmarks/gpu.sh        # also writes $OUT/gpu_bench.json and $OUT/gpu_bench.log
#   bash benchmarks/gpu.sh --device cpu --tiny  # dry run of the same path on a CPU machine (seconds)
#
# Assumes: a Python with torch built for CUDA already installed (it installs nothing, and the GPU machine
# may have no network), plus pretrainlab's light dependencies (numpy, pyyaml, safetensors, tokenizers, rich),
# which the lent GPU image has. The interpreter is $PYTHON if set, else the repo's .venv/bin/python, else
# python3, else python: the first one that imports torch. pretrainlab itself is NOT pip-installed: the repo's
# src/ is put first on PYTHONPATH, so the checked-out code is what gets measured. Missing torch, CUDA, or a
# dependency stops the script at once with a message saying which.
#
# Time: gpu_bench.py gets --budget-s 420 (the parts' timeouts derive from it; each part writes its numbers
# as it finishes), and `timeout` kills it at 450 s regardless. Extra arguments go to gpu_bench.py.
# Output: the JSON object on stdout (and in $OUT/gpu_bench.json), progress and logs on stderr.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2
export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1
WANT_CUDA=1
[[ " $* " == *" --device cpu "* ]] && WANT_CUDA=0

main() {
    local py="${PYTHON:-}"
    if [[ -z "$py" ]]; then
        for c in "$ROOT/.venv/bin/python" python3 python; do
            if command -v "$c" >/dev/null 2>&1 && "$c" -c "import torch" >/dev/null 2>&1; then py="$c"; break; fi
        done
    fi
    if [[ -z "$py" ]]; then
        echo "gpu.sh: no Python that can import torch (tried \$PYTHON, .venv/bin/python, python3, python)." >&2
        echo "gpu.sh: install a CUDA build of torch first (this script installs nothing), or set PYTHON=..." >&2
        return 2
    fi

    echo "== nvidia-smi" >&2
    if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi >&2; else echo "(nvidia-smi not found)" >&2; fi
    echo "== python / torch" >&2
    "$py" - >&2 <<'EOF'
import sys, torch
print("python", sys.version.split()[0], sys.executable)
print("torch", torch.__version__, "| built for CUDA", torch.version.cuda, "| cudnn", torch.backends.cudnn.version())
print("cuda available:", torch.cuda.is_available(), "| devices:", torch.cuda.device_count())
if torch.cuda.is_available():
    p = torch.cuda.get_device_properties(0)
    print("device 0:", p.name, f"{p.total_memory / 2**30:.1f} GiB", f"sm_{p.major}{p.minor}", p.multi_processor_count, "SMs")
try:
    import triton
    print("triton", triton.__version__)
except ImportError:
    print("triton: not installed (torch.compile on CUDA needs it)")
EOF
    if ! "$py" -c "import numpy, yaml, safetensors, tokenizers, rich; import pretrainlab.train.loop, pretrainlab.run_config" >&2; then
        echo "gpu.sh: pretrainlab (from $ROOT/src) cannot be imported with $py: see the error above;" >&2
        echo "gpu.sh: it needs numpy, pyyaml, safetensors, tokenizers and rich next to torch." >&2
        return 2
    fi
    if [[ $WANT_CUDA == 1 ]] && ! "$py" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
        echo "gpu.sh: torch.cuda.is_available() is False with $py (a CPU-only torch, or no driver/GPU)." >&2
        return 3
    fi

    local json
    if [[ -n "${OUT:-}" ]]; then json="$OUT/gpu_bench.json"; else json="$(mktemp -t gpu_bench.XXXXXX.json)"; fi
    echo "== gpu_bench.py -> $json" >&2
    timeout --kill-after=10 "${GPU_BENCH_TIMEOUT:-450}" "$py" benchmarks/gpu_bench.py --budget-s 420 --verbose \
        --out "$json" "$@"
    local rc=$?
    if [[ $rc -ne 0 ]]; then
        echo "gpu.sh: gpu_bench.py exited $rc (124/137: killed by the timeout); partial results:" >&2
        [[ -s "$json" ]] && cat "$json"
    fi
    return $rc
}

if [[ -n "${OUT:-}" ]]; then
    mkdir -p "$OUT"
    main "$@" 2> >(tee "$OUT/gpu_bench.log" >&2)
else
    main "$@"
fi
