#!/usr/bin/env bash
# Everything one short GPU lease (one call of <= 10 minutes) should do, in one prepared script:
#   1. the vision recipes at full size, all at once, each pinned to its own CPU cores (the image runner trains
#      on CUDA; its batch augmentation is CPU work, so the cores are the shared resource), each cut off at
#      VISION_S seconds. Runs that finished are kept: `pretrainlab reproduce NAME --size full --out DIR` on
#      the fetched directory skips them and runs only the rest (on any machine);
#   2. benchmarks/gpu.sh with the seconds that are left (GPU_S), alone on the GPU so its timings are clean.
#
#   OUT=/dir bash benchmarks/gpu_lease.sh                     # on the lent GPU machine
#   OUT=/tmp/x SIZE=tiny VISION_S=60 GPU_S=0 RECIPES="look:1" bash benchmarks/gpu_lease.sh   # CPU dry run
#
# Writes to $OUT: vision.tgz.part-NN (`cat` them and untar: each recipe's experiment directory and log, minus
# world caches, optimizer states, and the weights of experiments that finished),
# gpu_bench.json / gpu_bench.log (from gpu.sh), lease.log (this script's timeline), verdicts/<recipe>-<size>.json
# for every experiment that finished (copy into docs/verdicts/).
# Same interpreter rule as gpu.sh: $PYTHON, else .venv/bin/python, else python3 -- the first that imports torch.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2
export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
: "${OUT:?set OUT to the folder that comes back}"
SIZE="${SIZE:-full}"
VISION_S="${VISION_S:-360}"
GPU_S="${GPU_S:-210}"
# recipe:cores -- cores roughly in proportion to each recipe's training steps (16 on the lent machine)
RECIPES="${RECIPES:-medmae-thorax:4 look:3 nmc-cl:3 rs-resize-norm:2 selfdistill-fpt:2 explora:2}"
LEASE_DIR="${LEASE_DIR:-$ROOT/runs/lease}"   # where the experiments run (kept between calls on a warm machine)
mkdir -p "$OUT" "$LEASE_DIR"
LOG="$OUT/lease.log"
say() { echo "[lease $(date +%T) +$((SECONDS))s] $*" | tee -a "$LOG" >&2; }

PY="${PYTHON:-}"
if [[ -z "$PY" ]]; then
    for c in "$ROOT/.venv/bin/python" python3 python; do
        if command -v "$c" >/dev/null 2>&1 && "$c" -c "import torch" >/dev/null 2>&1; then PY="$c"; break; fi
    done
fi
[[ -z "$PY" ]] && { say "no Python that imports torch"; exit 2; }
say "python $PY; $("$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())')"
say "cores $(nproc); recipes $RECIPES; size $SIZE; vision ${VISION_S}s; gpu.sh ${GPU_S}s"

# 1. vision recipes, in parallel, each on its own cores
ncpu=$(nproc); next=0; pids=()
for spec in $RECIPES; do
    name="${spec%%:*}"; n="${spec##*:}"
    cores=$(seq -s, "$next" $((next + n - 1)) | awk -v m="$ncpu" -F, '{for (i = 1; i <= NF; i++) printf "%s%d", (i > 1 ? "," : ""), $i % m}')
    next=$((next + n))
    dir="$LEASE_DIR/$name-$SIZE"
    say "start $name on cores $cores -> $dir"
    taskset -c "$cores" timeout --kill-after=5 "$VISION_S" \
        "$PY" -m pretrainlab.cli reproduce "$name" --size "$SIZE" --out "$dir" > "$LEASE_DIR/$name-$SIZE.log" 2>&1 &
    pids+=("$!:$name")
done
for p in "${pids[@]}"; do
    wait "${p%%:*}"; rc=$?; name="${p##*:}"; dir="$LEASE_DIR/$name-$SIZE"
    say "end $name rc=$rc (124: cut off at ${VISION_S}s; finished runs are kept)"
    # a finished experiment needs no weights to come back; an unfinished one keeps them for its later stages
    if [[ -f "$dir/report.md" ]]; then
        rm -rf "$dir"/runs/*/checkpoints
        # the verdict file for docs/verdicts/ (copy it there after the lease; `pretrainlab verdicts render`)
        "$PY" -m pretrainlab.cli verdicts archive "$dir" --recipe "$name" --size "$SIZE" --dest "$OUT/verdicts" \
            --notes "on the lent GPU, cut off at ${VISION_S}s" >> "$LOG" 2>&1
    fi
done
nvidia-smi --query-gpu=memory.used,utilization.gpu --format=csv,noheader 2>/dev/null | sed 's/^/[gpu] /' >&2
tar -C "$LEASE_DIR" --exclude='*/data/images' --exclude='optimizer.pt' --exclude='rng.pt' -cz . \
    | split -b 15M -d - "$OUT/vision.tgz.part-"   # at most 16 MiB per file comes back: cat the parts to untar
say "vision.tgz: $(ls "$OUT"/vision.tgz.part-* | wc -l) part(s), $(cat "$OUT"/vision.tgz.part-* | wc -c) bytes"

# 2. the GPU training benchmark, alone on the GPU
if (( GPU_S > 30 )); then
    say "gpu.sh with --budget-s $((GPU_S - 20)) --skip-fsdp"
    GPU_BENCH_TIMEOUT="$GPU_S" PYTHON="$PY" bash benchmarks/gpu.sh --budget-s $((GPU_S - 20)) --skip-fsdp > /dev/null
    say "gpu.sh rc=$?"
fi
say "done"
