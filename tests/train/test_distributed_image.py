"""torchrun + gloo on CPU: image runs under DDP (issue 14). A 2-rank MAE run matches a 1-process run with the same
global batch, a checkpoint saved with 2 ranks resumes with 1, and the objectives with batch-global terms
(SimCLR, MoCo queue, DINO centre, LOOK bank) give the 1-process loss, gradients and state when the batch is split
over 2 DDP ranks, and every rank can load a checkpoint.

Tolerances as in test_distributed.py: per-step losses to 1e-4 relative (float summation order in the gradient
all-reduce); fp32 (``train.dtype=fp32``), since bf16 autocast rounding depends on the micro-batch shape.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.distributed

STEPS = 4
RUN = """
import sys
from pretrainlab.config import apply_overrides
from pretrainlab.run_config import build_run_config
from pretrainlab.runner import execute
out, resume, steps, extra = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3]), sys.argv[4:]
cfg = build_run_config(apply_overrides({
    "name": "mae-ddp", "modality": "image", "seed": 0,
    "data": {"world": {"kind": "shapes", "size": 16, "n_train": 64, "n_val": 32, "n_test": 32},
             "augment": {"preset": "mae"}},
    "model": {"family": "vit", "preset": "test", "patch_size": 4},
    "objective": {"name": "mae", "decoder_dim": 16, "decoder_depth": 1, "decoder_heads": 2},
    "train": {"steps": steps, "batch_size": 8, "lr": 1e-3, "warmup_steps": 1, "log_every": 1, "ckpt_every": 2,
              "keep_last": 5, "threads": 1, "progress": False, "dtype": "fp32"},
    "eval": {"protocols": ["knn"], "knn_every": 0, "max_train": 32, "report": False}}, extra))
execute(cfg, out, resume=resume)
"""

UNITS = """
import copy
import sys
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from pretrainlab import checkpoint as ckpt
from pretrainlab.modalities.image import ImageTask
from pretrainlab.models.vit import ViT, ViTConfig
from pretrainlab.objectives import OBJECTIVES
from pathlib import Path

dist.init_process_group("gloo")
torch.set_num_threads(1)
rank, world = dist.get_rank(), dist.get_world_size()
B = 8
mine = slice(rank * B // world, (rank + 1) * B // world)
CASES = {"simclr": ("contrastive", {}), "moco": ("contrastive", {"momentum": 0.9, "queue_size": 12}),
         "dino": ("dino", {"out_dim": 16, "momentum": 0.9}), "look": ("look", {"k": 3, "momentum": 0.9})}
for case, (name, params) in CASES.items():
    torch.manual_seed(0)
    vit = ViT(ViTConfig(preset="test", image_size=16, patch_size=4))
    ref = ImageTask(vit, OBJECTIVES[name](vit, num_classes=4, **params), "vit")
    task = copy.deepcopy(ref)
    task.objective.sharded = True
    ddp = DistributedDataParallel(task)
    for step in range(2):  # the second step sees the first one's queue / centre / bank and an EMA teacher
        g = torch.Generator().manual_seed(step)
        views = [torch.randn(B, 3, 16, 16, generator=g) for _ in range(2)]
        batch = {"views": views, "labels": torch.arange(B) % 3, "index": torch.arange(B) + step * B, "step": step}
        loss_ref, _ = ref(batch)
        loss_ref.backward()
        loss, _ = ddp({"views": [v[mine] for v in views], "labels": batch["labels"][mine],
                       "index": batch["index"][mine], "step": step})
        loss.backward()
        loss = loss.detach().clone()
        dist.all_reduce(loss)
        assert torch.allclose(loss / world, loss_ref, rtol=1e-5), (case, step, loss / world, loss_ref)
        for (n, p), q in zip(task.named_parameters(), ref.parameters()):
            if q.grad is not None:
                assert torch.allclose(p.grad, q.grad, rtol=1e-4, atol=1e-6), (case, step, n)
        for (n, b), c in zip(task.named_buffers(), ref.buffers()):
            assert torch.allclose(b, c, rtol=1e-5, atol=1e-6), (case, step, n)
        for (n, p), q in zip(task.named_parameters(), ref.parameters()):
            assert torch.equal(p, q), (case, step, n)  # teachers / key encoders updated alike

# every rank loads a checkpoint (a full state dict gathered with cpu_offload is empty off rank 0)
path = ckpt.save_checkpoint(Path(sys.argv[1]), ddp, None, ckpt.TrainState(), None, is_main=rank == 0)
dist.barrier()
torch.manual_seed(1)
vit = ViT(ViTConfig(preset="test", image_size=16, patch_size=4))
other = DistributedDataParallel(ImageTask(vit, OBJECTIVES["look"](vit, num_classes=4, k=3, momentum=0.9), "vit"))
ckpt.load_weights(other, path)
mine, theirs = task.state_dict(), other.module.state_dict()
assert mine.keys() == theirs.keys() and all(torch.equal(mine[k], theirs[k]) for k in mine)
print("OK")
"""


def _torchrun(nproc: int, script: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(script)] if nproc == 1 else \
        [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}", str(script)]
    proc = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


def _run(tmp: Path, out: Path, nproc: int, *extra: str, resume: bool = False, steps: int = STEPS) -> dict:
    script = tmp / "run.py"
    script.write_text(RUN)
    _torchrun(nproc, script, str(out), "1" if resume else "0", str(steps), *extra)
    rows = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    train = [r for r in rows if "train/loss" in r]
    assert len(train) == len({r["step"] for r in train})  # one writer (rank 0)
    return {r["step"]: r["train/loss"] for r in train}


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("single")
    return _run(tmp, tmp / "run", 1)


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("two")
    return tmp / "run", _run(tmp, tmp / "run", 2)


def test_two_ranks_match_one_process(single, two):
    out, losses = two
    assert sorted(losses) == sorted(single) == list(range(1, STEPS + 1))
    for step in single:
        assert losses[step] == pytest.approx(single[step], rel=1e-4), step
    summary = json.loads((out / "summary.json").read_text())
    assert summary["world_size"] == 2 and summary["images"] == STEPS * 8
    assert 0.0 <= summary["eval/knn/top1"] <= 1.0


def test_saved_with_two_ranks_resumes_with_one(single, two, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(two[0], out)
    # drop the final checkpoint so the resume starts from the 2-rank checkpoint at step 2
    shutil.rmtree(out / "checkpoints" / f"step_{STEPS:06d}")
    (out / "summary.json").unlink()
    losses = _run(tmp_path, out, 1, resume=True)
    for step in range(3, STEPS + 1):
        assert losses[step] == pytest.approx(single[step], rel=1e-4), step


def test_batch_global_objectives_match_one_process(tmp_path):
    """Loss, gradients, queue / centre / bank and momentum teachers of a batch split over 2 DDP ranks equal
    those of the whole batch in one process (two calls, so state from the first call is used); then every rank
    loads the checkpoint rank 0 saved (``init_from`` and resume with several ranks)."""
    script = tmp_path / "units.py"
    script.write_text(UNITS)
    assert "OK" in _torchrun(2, script, str(tmp_path / "checkpoints")).stdout
