"""The checkpoint's own forward pass in PyTorch (float32), one layer at a time, as the reference a conversion is
checked against.

``python -m llemma_train.reference logits CHECKPOINT --ids ids.json --out ref.json``: for each prompt (a JSON list
of lists of token ids) the logits of its last two positions, as ``{"logits": [[[...], [...]], ...]}``. The layers
are built from ``model.py`` (transformers' Llama, ``repeat_kv`` attention) and loaded one at a time from the
checkpoint (``hf_checkpoint.py``), every prompt going through a layer before the next is read, so a 7B checkpoint
needs about one layer's float32 weights (≈ 0.8 GB) besides the embedding table.

With ``--int4-block-size N`` each prompt is also run through the checkpoint as an int4 folder holds it: the seven
projections of every layer and ``lm_head`` quantized and dequantized exactly as ``int4.py`` packs them for
MatMulNBits (blocks of N along the input), the embedding table rounded to float16; those logits go to
``"int4_logits"``. The conversion's check compares the folder with these (the graph and the packing must reproduce
them) and reports its distance from the original weights' as the quantization's own effect.

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

from . import int4
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


def _int4_weight(w: torch.Tensor, block_size: int) -> torch.Tensor:
    """What MatMulNBits multiplies by for the float32 weight ``w`` [N, K] packed by ``int4.quantize``."""
    packed, scales, zero_points = int4.quantize(w.numpy(), block_size)
    return torch.from_numpy(int4.dequantize(packed, scales, zero_points, w.shape[1]))


class Reference:
    def __init__(self, ckpt: Checkpoint, keep_layers: bool = False, int4_block_size: int = 0):
        self.ckpt = ckpt
        self.int4_block_size = int4_block_size
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

    def _int4_layer(self, i: int) -> DecoderLayer:
        layer = DecoderLayer(self.cfg)
        p = f"model.layers.{i}."
        state = {}
        for k in layer.state_dict():
            w = self._t(p + k)
            state[k] = _int4_weight(w, self.int4_block_size) if k.endswith("_proj.weight") else w
        layer.load_state_dict(state)
        layer.eval()
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
        return self._run(rows, last)[0]

    @torch.no_grad()
    def logits_with_int4(self, rows: List[List[int]], last: int = 1):
        """(the checkpoint's logits, the int4-quantized checkpoint's), each layer read once for both."""
        return self._run(rows, last, with_int4=True)

    def _run(self, rows: List[List[int]], last: int, with_int4: bool = False):
        hidden = self._embed(rows)
        quantized = [x.half().float() for x in hidden] if with_int4 else []
        rope = []
        for ids in rows:
            n = len(ids)
            cos, sin = rope_cos_sin(torch.arange(n).unsqueeze(0), self.inv_freq)
            rope.append((cos, sin, torch.ones(n, n, dtype=torch.bool).tril().view(1, 1, n, n)))
        for i in range(self.ckpt.spec.num_hidden_layers):
            layer = self._layer(i)
            hidden = [layer(x, cos, sin, mask, None)[0] for x, (cos, sin, mask) in zip(hidden, rope)]
            if with_int4:
                layer = self._int4_layer(i)
                quantized = [layer(x, cos, sin, mask, None)[0] for x, (cos, sin, mask) in zip(quantized, rope)]
        norm, head = self._head()
        out = [norm(x[0, -last:]) @ head.T for x in hidden]
        if not with_int4:
            return out, None
        head = _int4_weight(head, self.int4_block_size)
        return out, [norm(x[0, -last:]) @ head.T for x in quantized]


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
    p.add_argument("--int4-block-size", type=int, default=0,
                   help="logits: also the logits of the checkpoint quantized as an int4 folder holds it")
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
    ref = Reference(ckpt, int4_block_size=args.int4_block_size)
    out = {}
    if args.int4_block_size:
        int4.check_block_size(args.int4_block_size)
        logits, quantized = ref.logits_with_int4(rows, last=2)
        out["int4_logits"] = [x.tolist() for x in quantized]
    else:
        logits = ref.logits(rows, last=2)
    out["logits"] = [x.tolist() for x in logits]
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f)
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"reference": {"prompts": len(rows), "out": args.out, "peak_rss_bytes": peak}}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
