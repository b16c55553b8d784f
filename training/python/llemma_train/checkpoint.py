"""Checkpoints: everything needed to continue a run exactly, and to export it without anything else.

A checkpoint holds the resolved config, the model and optimizer state, the step (the learning-rate schedule
is a pure function of it), the position in the data order, the random generators of torch, numpy and Python,
the wall time spent so far and the tokens seen. Files are written to a temporary name and renamed, so a run
killed mid-write leaves the previous checkpoint intact.
"""

import glob
import os
import random
import re
from typing import Any, Dict, Optional

import numpy as np
import torch

PATTERN = re.compile(r"step-(\d+)\.pt$")


def rng_state() -> Dict[str, Any]:
    state = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: Dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def path_for(ckpt_dir: str, step: int) -> str:
    return os.path.join(ckpt_dir, f"step-{step:08d}.pt")


def list_checkpoints(ckpt_dir: str):
    found = []
    for p in glob.glob(os.path.join(ckpt_dir, "step-*.pt")):
        m = PATTERN.search(p)
        if m:
            found.append((int(m.group(1)), p))
    return [p for _, p in sorted(found)]


def latest(ckpt_dir: str) -> Optional[str]:
    found = list_checkpoints(ckpt_dir)
    return found[-1] if found else None


def save(ckpt_dir: str, state: Dict[str, Any], keep: int) -> str:
    os.makedirs(ckpt_dir, exist_ok=True)
    path = path_for(ckpt_dir, state["step"])
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)
    for old in list_checkpoints(ckpt_dir)[: -max(keep, 1)]:
        os.remove(old)
    return path


def load(path: str) -> Dict[str, Any]:
    # Checkpoints hold numpy and Python RNG state, which torch >= 2.6 refuses to unpickle by default.
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except TypeError:  # torch < 1.13 has no weights_only
        return torch.load(path, map_location="cpu")
