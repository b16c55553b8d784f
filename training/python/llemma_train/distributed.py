"""The one place that knows about more than one process.

Without torchrun (no ``RANK`` in the environment) everything here is a no-op around a single device. Under
torchrun the model is wrapped in DDP or FSDP, each process reads its own slice of every batch, and rank 0
alone writes files. Checkpoints always hold full (unsharded) state dicts, so a run can resume on a different
number of processes, or on one.
"""

import inspect
import os
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Dict, Tuple

import torch
import torch.distributed as dist
from torch import nn


@dataclass
class Dist:
    enabled: bool
    rank: int
    world: int
    device: torch.device
    kind: str

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def setup(device_name: str, kind: str) -> Dist:
    if "RANK" not in os.environ:
        return Dist(False, 0, 1, pick_device(device_name), "none")
    if kind not in ("ddp", "fsdp"):
        raise ValueError(f"distributed must be ddp or fsdp, got {kind!r}")
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = pick_device(device_name)
    if device.type == "cuda":
        device = torch.device("cuda", local)
        torch.cuda.set_device(device)
    dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return Dist(True, rank, world, device, kind)


def wrap(model: nn.Module, d: Dist) -> nn.Module:
    if not d.enabled:
        return model
    if d.kind == "ddp":
        from torch.nn.parallel import DistributedDataParallel

        return DistributedDataParallel(model, device_ids=[d.device.index] if d.device.type == "cuda" else None)
    from torch.distributed.fsdp import FullyShardedDataParallel

    kwargs: Dict[str, Any] = {"device_id": d.device if d.device.type == "cuda" else None}
    # With the original parameters visible (torch >= 2.0) the optimizer keeps its decay / no-decay groups.
    if "use_orig_params" in inspect.signature(FullyShardedDataParallel.__init__).parameters:
        kwargs["use_orig_params"] = True
    return FullyShardedDataParallel(model, **kwargs)


def no_sync(model: nn.Module, last_micro_batch: bool):
    """Gradient all-reduce only after the last micro-batch of a step."""
    if last_micro_batch or not hasattr(model, "no_sync"):
        return nullcontext()
    return model.no_sync()


def _fsdp_full_state(model: nn.Module):
    from torch.distributed.fsdp import FullStateDictConfig, FullyShardedDataParallel, StateDictType

    cfg = FullStateDictConfig(offload_to_cpu=True, rank0_only=True)
    return FullyShardedDataParallel.state_dict_type(model, StateDictType.FULL_STATE_DICT, cfg)


def full_state(model: nn.Module, wrapped: nn.Module, optimizer: torch.optim.Optimizer, d: Dist) -> Tuple[Dict, Dict]:
    """Model and optimizer state dicts with the plain model's parameter names (collective under FSDP).

    ``model`` is the plain model, ``wrapped`` what training runs (DDP, FSDP and/or torch.compile around it).
    """
    if d.kind == "fsdp":
        model = getattr(wrapped, "_orig_mod", wrapped)  # under torch.compile, the FSDP module inside
        from torch.distributed.fsdp import FullyShardedDataParallel as FSDP

        with _fsdp_full_state(model):
            model_sd = model.state_dict()
            if hasattr(FSDP, "optim_state_dict"):
                optim_sd = FSDP.optim_state_dict(model, optimizer)
            else:
                optim_sd = FSDP.full_optim_state_dict(model, optimizer)
        return model_sd, optim_sd
    return model.state_dict(), optimizer.state_dict()


def load_optimizer(wrapped: nn.Module, optimizer: torch.optim.Optimizer, optim_sd: Dict[str, Any], d: Dist) -> None:
    if d.kind != "fsdp":
        optimizer.load_state_dict(optim_sd)
        return
    model = getattr(wrapped, "_orig_mod", wrapped)
    from torch.distributed.fsdp import FullyShardedDataParallel as FSDP

    with _fsdp_full_state(model):
        if hasattr(FSDP, "optim_state_dict_to_load"):
            try:
                sd = FSDP.optim_state_dict_to_load(model, optimizer, optim_sd)
            except TypeError:  # torch 2.0-2.1 take (optim_state_dict, model, optim)
                sd = FSDP.optim_state_dict_to_load(optim_sd, model, optimizer)
        else:
            sd = FSDP.shard_full_optim_state_dict(optim_sd, model)
    optimizer.load_state_dict(sd)


def sum_all(values: torch.Tensor, d: Dist) -> torch.Tensor:
    if d.enabled:
        dist.all_reduce(values, op=dist.ReduceOp.SUM)
    return values


def sum_value(value: float, d: Dist) -> float:
    """A number summed over all processes (the number itself on one)."""
    if not d.enabled:
        return value
    return float(sum_all(torch.tensor(value, dtype=torch.float64, device=d.device), d))


def barrier(d: Dist) -> None:
    if d.enabled:
        dist.barrier()


def teardown(d: Dist) -> None:
    if d.enabled:
        dist.destroy_process_group()
