"""Data parallel (DDP) and fully sharded (FSDP2) training on torch.distributed, launched by torchrun.

    torchrun --nproc_per_node 2 -m pretrainlab.cli run quickstart train.distributed=fsdp

Each rank reads rows ``rank::world_size`` of the same deterministic global batch (data/mixture.py),
so a 2-rank run sees exactly the data of a 1-process run with the same global batch. Checkpoints are
gathered full state dicts (safetensors weights + FQN-keyed optimizer state), so a run saved with N ranks
resumes with M. Backend: NCCL on CUDA, gloo on CPU (tests use 2 gloo processes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn

from pretrainlab.runtime import pick_device, usable_cores  # noqa: F401  usable_cores: re-export, moved to runtime.py


@dataclass
class DistInfo:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def barrier(self) -> None:
        if self.enabled:
            dist.barrier()

    def mean(self, value: torch.Tensor) -> torch.Tensor:
        """Average a scalar tensor over ranks (SUM then divide: gloo has no AVG)."""
        if not self.enabled:
            return value
        value = value.clone()
        dist.all_reduce(value, op=dist.ReduceOp.SUM)
        return value / self.world_size

    def any(self, flag: bool, device: torch.device) -> bool:
        """Whether ``flag`` is true on any rank (every rank gets the same answer)."""
        t = torch.tensor([1.0 if flag else 0.0], device=device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item())


def init_distributed(device_name: str) -> tuple[DistInfo, torch.device]:
    """Join the process group torchrun set up (WORLD_SIZE > 1); pick this rank's device."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo(), pick_device(device_name)
    info = DistInfo(int(os.environ["RANK"]), world, int(os.environ.get("LOCAL_RANK", "0")))
    use_cuda = torch.cuda.is_available() and device_name in ("auto", "cuda")
    if not dist.is_initialized():
        dist.init_process_group("nccl" if use_cuda else "gloo")
    if use_cuda:
        torch.cuda.set_device(info.local_rank)
        return info, torch.device("cuda", info.local_rank)
    return info, torch.device("cpu")


def wrap_model(model: nn.Module, strategy: str, info: DistInfo, device: torch.device, bf16: bool) -> nn.Module:
    """DDP, or FSDP2 (``fully_shard`` per block, then the root); a no-op for one process. A model whose
    ``ddp_find_unused_parameters`` is true (some trainable parameters get no gradient) gets DDP's
    ``find_unused_parameters``."""
    if not info.enabled:
        return model
    if strategy == "fsdp":
        from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard

        mp = MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32) if bf16 else None
        kw = {"mp_policy": mp} if mp else {}
        for block in model.layers:
            fully_shard(block, **kw)
        return fully_shard(model, **kw)
    from torch.nn.parallel import DistributedDataParallel

    return DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None,
                                   find_unused_parameters=getattr(model, "ddp_find_unused_parameters", False))


def shutdown(info: DistInfo) -> None:
    if info.enabled and dist.is_initialized():
        dist.destroy_process_group()
