"""Packed training data, memory-mapped: the shards that training/src/pack writes.

Each split is a list of shards; a shard is ``rows x row_len`` uint16 token ids (``*.bin``) and as many uint8
flags (``*.flags.bin``): bit 1 marks a token the loss is taken on (a target), bit 2 the first token of a
segment (an example or a piece of a document). The index (``index.json``) names the files and the shapes.
"""

import json
import os
from typing import Dict, List, Tuple

import numpy as np
import torch

TARGET = 1
SEGMENT_START = 2


class PackedSplit:
    def __init__(self, index_path: str, split: str):
        with open(index_path, encoding="utf-8") as f:
            index = json.load(f)
        if index.get("format") != "llemma-pack-1":
            raise ValueError(f"{index_path}: not a pack index (format {index.get('format')!r})")
        if split not in index["splits"]:
            raise ValueError(f"{index_path}: no split {split!r} (has {', '.join(index['splits'])})")
        base = os.path.dirname(os.path.abspath(index_path))
        self.row_len: int = index["row_len"]
        self.vocab_size: int = index["vocab_size"]
        self.tokens: List[np.ndarray] = []
        self.flags: List[np.ndarray] = []
        for shard in index["splits"][split]["shards"]:
            rows = shard["rows"]
            shape = (rows, self.row_len)
            self.tokens.append(np.memmap(os.path.join(base, shard["tokens"]), np.uint16, "r", shape=shape))
            self.flags.append(np.memmap(os.path.join(base, shard["flags"]), np.uint8, "r", shape=shape))
        sizes = [t.shape[0] for t in self.tokens]
        self.starts = np.cumsum([0] + sizes)
        self.rows = int(self.starts[-1])

    def get(self, rows: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Tokens (int64) and flags of the given global row numbers, in that order."""
        shard = np.searchsorted(self.starts, rows, side="right") - 1
        tokens = np.empty((len(rows), self.row_len), dtype=np.int64)
        flags = np.empty((len(rows), self.row_len), dtype=np.uint8)
        for i, (s, r) in enumerate(zip(shard, rows)):
            local = r - self.starts[s]
            tokens[i] = self.tokens[s][local]
            flags[i] = self.flags[s][local]
        return tokens, flags


class RowOrder:
    """Rows in a fresh seeded permutation each epoch; a position in it is one integer (saved in checkpoints)."""

    def __init__(self, n_rows: int, seed: int):
        if n_rows == 0:
            raise ValueError("the training split has no rows")
        self.n = n_rows
        self.seed = seed
        self._perms: Dict[int, np.ndarray] = {}

    def _perm(self, epoch: int) -> np.ndarray:
        if epoch not in self._perms:
            self._perms = {epoch: np.random.default_rng([self.seed, epoch]).permutation(self.n)}
        return self._perms[epoch]

    def take(self, position: int, count: int) -> np.ndarray:
        out = np.empty(count, dtype=np.int64)
        for i in range(count):
            p = position + i
            out[i] = self._perm(p // self.n)[p % self.n]
        return out

    def epoch(self, position: int) -> float:
        return position / self.n


def to_batch(tokens: np.ndarray, flags: np.ndarray, device: torch.device) -> Dict[str, torch.Tensor]:
    """Inputs, labels and the loss weights of next-token prediction over packed rows."""
    t = torch.from_numpy(tokens).to(device)
    f = torch.from_numpy(flags.astype(np.int64)).to(device)
    label_flags = f[:, 1:]
    # A token that starts a segment cannot be predicted from the segment before it.
    weights = ((label_flags & TARGET) != 0) & ((label_flags & SEGMENT_START) == 0)
    return {"input_ids": t[:, :-1], "labels": t[:, 1:], "flags": f[:, :-1], "weights": weights}


def count_targets(flags: np.ndarray) -> int:
    label_flags = flags[:, 1:]
    return int(np.count_nonzero(((label_flags & TARGET) != 0) & ((label_flags & SEGMENT_START) == 0)))
