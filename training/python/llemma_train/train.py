"""Trains the Llama model on packed rows: ``python -m llemma_train.train --config run.json [--set key=value]``.

One device by default; under torchrun (``RANK`` set) the same loop runs on every process through
distributed.py. AdamW, linear warmup then cosine decay to ``lr * min_lr_ratio``, gradient clipping, bf16
autocast on GPU, a checkpoint every ``ckpt_every`` steps and at the end. ``--resume`` continues from the newest
checkpoint in ``out_dir/checkpoints`` exactly: the same batches, the same learning rates, the same losses.
Losses go to ``out_dir/loss.jsonl`` (one JSON object per line: train and held-out); ``out_dir/summary.json``
describes the finished run.
"""

import argparse
import ctypes
import inspect
import json
import math
import os
import platform
import random
import sys
import time
from contextlib import nullcontext
from typing import Dict, List, Optional

import numpy as np
import torch

from . import checkpoint, distributed
from .config import TrainConfig, from_dict, load_config, to_dict
from .data import PackedSplit, RowOrder, count_targets, to_batch
from .model import LlamaForCausalLM, count_parameters, packed_inputs


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Linear warmup to ``lr`` over ``warmup_steps``, then cosine to ``lr * min_lr_ratio`` at ``max_steps``."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    span = max(cfg.max_steps - cfg.warmup_steps, 1)
    progress = min((step - cfg.warmup_steps) / span, 1.0)
    low = cfg.lr * cfg.min_lr_ratio
    return low + 0.5 * (cfg.lr - low) * (1.0 + math.cos(math.pi * progress))


def keep_freed_memory() -> None:
    """Ask glibc to keep freed memory instead of returning it to the kernel.

    Every step allocates and frees the same large tensors; when each of them is a fresh mmap, the page faults
    cost more than the arithmetic on some virtual machines (measured: 30x on a 32 MB tensor).
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, ctypes.c_int(1 << 30))  # M_MMAP_THRESHOLD
        libc.mallopt(-1, ctypes.c_int((1 << 31) - 1))  # M_TRIM_THRESHOLD
    except OSError:
        pass


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return platform.processor() or platform.machine() or "CPU"


def make_optimizer(model: torch.nn.Module, cfg: TrainConfig, fused: bool) -> torch.optim.Optimizer:
    # Matrices decay; norms (and anything else one-dimensional) do not, as in nanoGPT.
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": cfg.weight_decay},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    # The fused CUDA kernel exists for AdamW from torch 2.0 on.
    extra = {"fused": True} if fused and "fused" in inspect.signature(torch.optim.AdamW).parameters else {}
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=tuple(cfg.betas), **extra)


class LossLog:
    """loss.jsonl, cut back to the resumed step so that a resumed run continues one curve."""

    def __init__(self, path: str, resume_step: Optional[int], enabled: bool):
        self.path = path
        self.enabled = enabled
        if not enabled:
            return
        lines: List[str] = []
        if resume_step is not None and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                lines = [line for line in f if line.strip() and json.loads(line)["step"] <= resume_step]
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(lines)

    def write(self, record: Dict) -> None:
        if self.enabled:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")


@torch.no_grad()
def heldout_loss(model, split: Optional[PackedSplit], cfg: TrainConfig, d: distributed.Dist, ctx) -> Optional[float]:
    if split is None or split.rows == 0:
        return None
    model.eval()
    rows = np.arange(min(cfg.eval_rows, split.rows))[d.rank :: d.world]
    total = torch.zeros(2, dtype=torch.float64, device=d.device)
    for i in range(0, len(rows), cfg.batch_size):
        b = to_batch(*split.get(rows[i : i + cfg.batch_size]), d.device)
        pos, mask = packed_inputs(b["flags"])
        with ctx:
            total[0] += model(b["input_ids"], pos, mask, labels=b["labels"], weights=b["weights"]).double()
        total[1] += b["weights"].sum()
    total = distributed.sum_all(total, d)
    model.train()
    return float(total[0] / total[1]) if total[1] > 0 else None


def train(cfg: TrainConfig, resume: bool, stop_at: int = 0) -> Dict:
    keep_freed_memory()
    if cfg.threads > 0:
        torch.set_num_threads(cfg.threads)
    d = distributed.setup(cfg.device, cfg.distributed)
    ckpt_dir = os.path.join(cfg.out_dir, "checkpoints")
    resume_from = checkpoint.latest(ckpt_dir) if resume else None
    state = checkpoint.load(resume_from) if resume_from else None
    if state is not None:
        saved = from_dict(state["config"])
        if to_dict(saved.model) != to_dict(cfg.model):
            raise ValueError(f"{resume_from}: the checkpoint's model config differs from this run's")
    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)

    model = LlamaForCausalLM(cfg.model).to(d.device)
    on_gpu = d.device.type == "cuda"
    model.set_fused_attention(on_gpu)
    if state is not None:
        model.load_state_dict(state["model"])
    wrapped = distributed.wrap(model, d)
    if cfg.compile and hasattr(torch, "compile"):
        wrapped = torch.compile(wrapped)
    optimizer = make_optimizer(wrapped, cfg, fused=on_gpu and d.kind != "fsdp")
    step, position, elapsed, tokens_seen, targets_seen = 0, 0, 0.0, 0, 0
    if state is not None:
        distributed.load_optimizer(wrapped, optimizer, state["optimizer"], d)
        step, position = state["step"], state["position"]
        elapsed, tokens_seen, targets_seen = state["elapsed_s"], state["tokens"], state["target_tokens"]
        checkpoint.set_rng_state(state["rng"])

    train_split = PackedSplit(cfg.data, "train")
    try:
        heldout = PackedSplit(cfg.data, "heldout")
    except ValueError:
        heldout = None
    if train_split.vocab_size > cfg.model.vocab_size:
        raise ValueError(f"the data's vocabulary ({train_split.vocab_size}) exceeds model.vocab_size")
    order = RowOrder(train_split.rows, cfg.seed)
    use_bf16 = on_gpu and cfg.dtype == "bfloat16"
    ctx = torch.autocast(device_type="cuda", dtype=torch.bfloat16) if use_bf16 else nullcontext()
    if d.is_main:
        os.makedirs(cfg.out_dir, exist_ok=True)
        with open(os.path.join(cfg.out_dir, "config.json"), "w", encoding="utf-8") as f:
            json.dump(to_dict(cfg), f, indent=2)
    log = LossLog(os.path.join(cfg.out_dir, "loss.jsonl"), step if state else None, d.is_main)
    n_params = count_parameters(model)
    if d.is_main:
        where = f"resumed from {resume_from}" if resume_from else "from scratch"
        print(f"model: {n_params:,} parameters; {train_split.rows} train rows of {train_split.row_len}; "
              f"device {d.device} x {d.world}; {where} at step {step}", flush=True)

    rows_per_step = cfg.batch_size * d.world * cfg.grad_accum
    started = time.time() - elapsed
    window: List[float] = []
    last_saved = step if state else -1
    stopped_early = False

    def save() -> None:
        model_sd, optim_sd = distributed.full_state(model, wrapped, optimizer, d)
        if d.is_main:
            checkpoint.save(ckpt_dir, {
                "config": to_dict(cfg), "model": model_sd, "optimizer": optim_sd, "step": step,
                "position": position, "rng": checkpoint.rng_state(), "elapsed_s": time.time() - started,
                "tokens": tokens_seen, "target_tokens": targets_seen,
            }, cfg.keep_checkpoints)
        distributed.barrier(d)

    while step < cfg.max_steps:
        lr = lr_at(step, cfg)
        for group in optimizer.param_groups:
            group["lr"] = lr
        rows = order.take(position, rows_per_step)
        tokens, flags = train_split.get(rows)
        mine = [slice((m * d.world + d.rank) * cfg.batch_size, (m * d.world + d.rank + 1) * cfg.batch_size)
                for m in range(cfg.grad_accum)]
        # Every process reads the whole step's rows, so each knows the global count of target tokens: scaling by
        # world / global makes DDP's gradient average the mean over all of the step's targets, as on one device.
        step_targets = max(count_targets(flags), 1)
        step_loss = 0.0
        for m, s in enumerate(mine):
            b = to_batch(tokens[s], flags[s], d.device)
            pos, mask = packed_inputs(b["flags"])
            with distributed.no_sync(wrapped, m == len(mine) - 1):
                with ctx:
                    loss_sum = wrapped(b["input_ids"], pos, mask, labels=b["labels"], weights=b["weights"])
                scaled = loss_sum / (step_targets / d.world)
                scaled.backward()
            step_loss += float(scaled.detach()) / d.world
        if cfg.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(wrapped.parameters(), cfg.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        position += rows_per_step
        tokens_seen += int(tokens.shape[0] * (tokens.shape[1] - 1))
        targets_seen += count_targets(flags)
        window.append(distributed.sum_value(step_loss, d))
        if step % cfg.log_every == 0 or step == cfg.max_steps:
            record = {"step": step, "split": "train", "loss": sum(window) / len(window), "lr": lr,
                      "tokens": tokens_seen, "target_tokens": targets_seen,
                      "elapsed_s": round(time.time() - started, 2), "epoch": round(order.epoch(position), 4)}
            log.write(record)
            window = []
            if d.is_main:
                print(json.dumps(record), flush=True)
        if step % cfg.eval_every == 0 or step == cfg.max_steps:
            loss_h = heldout_loss(wrapped, heldout, cfg, d, ctx)
            if loss_h is not None:
                log.write({"step": step, "split": "heldout", "loss": loss_h, "tokens": tokens_seen})
                if d.is_main:
                    print(json.dumps({"step": step, "heldout_loss": loss_h}), flush=True)
        out_of_time = cfg.max_minutes > 0 and time.time() - started > cfg.max_minutes * 60
        if step % cfg.ckpt_every == 0 or step == cfg.max_steps or out_of_time:
            save()
            last_saved = step
        if out_of_time or step == stop_at:
            if step != last_saved:
                save()
                last_saved = step
            stopped_early = True
            break
    if last_saved != step:
        save()
    summary = {"steps": step, "max_steps": cfg.max_steps, "stopped_early": stopped_early, "parameters": n_params,
               "tokens": tokens_seen, "target_tokens": targets_seen, "wall_s": round(time.time() - started, 1),
               "device": str(d.device), "device_name": device_name(d.device), "cpu_count": os.cpu_count(),
               "processes": d.world, "threads": torch.get_num_threads(),
               "torch": torch.__version__, "rows_per_step": rows_per_step, "row_len": train_split.row_len,
               "checkpoint": checkpoint.latest(ckpt_dir)}
    if d.is_main:
        with open(os.path.join(cfg.out_dir, "summary.json"), "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=2)
    distributed.teardown(d)
    return summary


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="llemma_train.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--config", help="JSON file of overrides of the defaults (config.py)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="one more override, e.g. lr=3e-4")
    p.add_argument("--resume", action="store_true", help="continue from the newest checkpoint in out_dir")
    p.add_argument("--stop-at", type=int, default=0, metavar="STEP",
                   help="stop (with a checkpoint) after this step, as if interrupted; the schedule is unchanged")
    args = p.parse_args(argv)
    cfg = load_config(args.config, args.set)
    summary = train(cfg, args.resume, args.stop_at)
    print(json.dumps({"done": summary}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
