"""The checkpoint's own forward pass in PyTorch (float32), one layer at a time, as the reference a conversion is
checked against.

``python -m llemma_train.reference logits CHECKPOINT --ids ids.json --out ref.json``: for each prompt (a JSON list
of lists of token ids) the logits of its last two positions, as ``{"logits": [[[...], [...]], ...]}``. The layers
are built from ``model.py`` (transformers' Llama, ``repeat_kv`` attention) and loaded one at a time from the
checkpoint (``hf_checkpoint.py``), every prompt going through a layer before the next is read, so a 7B checkpoint
needs about one layer's float32 weights (≈ 0.8 GB) besides the embedding table.

``python -m llemma_train.reference serve CHECKPOINT``: a line-by-line server for tests: each stdin line
``{"rows": [[ids...], ...]}`` is answered on stdout with ``{"logits": [[...], ...]}``, the next-token logits of each
row (its last position), so a TypeScript decoder can run the product's own beam search on the checkpoint's numbers.
The layers stay loaded (meant for small models).
"""

import argparse
import json
import sys
from typing import List, Optional

import numpy as np
import torch

from .config import ModelConfig
from .hf_checkpoint import Checkpoint, CheckpointError, inv_freq, open_checkpoint
from .model import DecoderLayer, RMSNorm, rope_cos_sin


def _layer_config(ckpt: Checkpoint) -> ModelConfig:
    s = ckpt.spec
    return ModelConfig(vocab_size=s.vocab_size, hidden_size=s.hidden_size, intermediate_size=s.intermediate_size,
                       num_hidden_layers=s.num_hidden_layers, num_attention_heads=s.num_attention_heads,
                       num_key_value_heads=s.num_key_value_heads, head_dim=s.head_dim,
                       max_position_embeddings=s.max_position_embeddings, rms_norm_eps=s.rms_norm_eps,
                       rope_theta=s.rope_theta)


class Reference:
    def __init__(self, ckpt: Checkpoint, keep_layers: bool = False):
        self.ckpt = ckpt
        self.cfg = _layer_config(ckpt)
        self.inv_freq = torch.from_numpy(inv_freq(ckpt.spec))
        self.keep = keep_layers
        self.cache: dict = {}

    def _t(self, name: str) -> torch.Tensor:
        return torch.from_numpy(np.array(self.ckpt.tensor_f32(name)))

    def _layer(self, i: int) -> DecoderLayer:
        if i in self.cache:
            return self.cache[i]
        layer = DecoderLayer(self.cfg)
        p = f"model.layers.{i}."
        state = {k: self._t(p + k) for k in layer.state_dict()}
        layer.load_state_dict(state)
        layer.eval()
        if self.keep:
            self.cache[i] = layer
        return layer

    def _head(self):
        if "head" in self.cache:
            return self.cache["head"]
        norm = RMSNorm(self.cfg.hidden_size, self.cfg.rms_norm_eps)
        norm.load_state_dict({"weight": self._t("model.norm.weight")})
        head = (norm, self._t("lm_head.weight"))
        if self.keep:
            self.cache["head"] = head
        return head

    def _embed(self, rows: List[List[int]]) -> List[torch.Tensor]:
        table = self.ckpt.tensor("model.embed_tokens.weight")
        return [torch.from_numpy(np.asarray(table[np.asarray(ids)], dtype=np.float32)).unsqueeze(0) for ids in rows]

    @torch.no_grad()
    def logits(self, rows: List[List[int]], last: int = 1) -> List[torch.Tensor]:
        """Logits [last, V] of the last ``last`` positions of each row (rows need not have one length)."""
        hidden = self._embed(rows)
        rope = []
        for ids in rows:
            n = len(ids)
            cos, sin = rope_cos_sin(torch.arange(n).unsqueeze(0), self.inv_freq)
            rope.append((cos, sin, torch.ones(n, n, dtype=torch.bool).tril().view(1, 1, n, n)))
        for i in range(self.ckpt.spec.num_hidden_layers):
            layer = self._layer(i)
            hidden = [layer(x, cos, sin, mask, None)[0] for x, (cos, sin, mask) in zip(hidden, rope)]
        norm, head = self._head()
        return [norm(x[0, -last:]) @ head.T for x in hidden]


def _serve(ref: Reference) -> int:
    for line in sys.stdin:
        if not line.strip():
            continue
        rows = json.loads(line)["rows"]
        out = [row[-1].tolist() for row in ref.logits(rows, last=1)]
        sys.stdout.write(json.dumps({"logits": out}) + "\n")
        sys.stdout.flush()
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="llemma_train.reference", description=__doc__.split("\n\n")[0])
    p.add_argument("mode", choices=("logits", "serve"))
    p.add_argument("checkpoint", help="a Hugging Face Llama checkpoint folder")
    p.add_argument("--ids", help="logits: a JSON list of prompts (lists of token ids)")
    p.add_argument("--out", help="logits: where to write the JSON")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        ckpt = open_checkpoint(args.checkpoint)
    except CheckpointError as e:
        print(f"checkpoint {args.checkpoint} cannot be read:\n{e}", file=sys.stderr)
        return 2
    if args.mode == "serve":
        return _serve(Reference(ckpt, keep_layers=True))
    if not args.ids or not args.out:
        p.error("logits needs --ids and --out")
    with open(args.ids, encoding="utf-8") as f:
        rows = json.load(f)
    logits = Reference(ckpt).logits(rows, last=2)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"logits": [x.tolist() for x in logits]}, f)
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"reference": {"prompts": len(rows), "out": args.out, "peak_rss_bytes": peak}}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
