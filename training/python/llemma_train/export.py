"""Exports a checkpoint as a model folder's ``model.onnx`` and ``config.json`` (docs/model-format.md).

``python -m llemma_train.export --checkpoint CKPT --out FOLDER --prompt-format proof-prefix --context-length N
[--reference-ids ids.json --reference-out ref.json]``

The graph is one decoder with past key/values (the names of Hugging Face Optimum): inputs ``input_ids``,
``attention_mask``, ``position_ids``, ``past_key_values.{i}.key|value``; outputs ``logits`` and
``present.{i}.key|value``. It runs the prompt with an empty past and each later token with the cache. The
export is checked with onnx.checker; with ``--reference-ids`` it also writes PyTorch's logits for those ids
(the last two positions), which the TypeScript driver compares with ONNX Runtime's through model/src.
"""

import argparse
import inspect
import json
import os
import sys
from typing import List

import torch
from torch import nn

from . import checkpoint
from .config import from_dict
from .model import LlamaForCausalLM

OPSET = 17


class DecoderWithPast(nn.Module):
    """The model behind the folder contract: a causal mask over past + new positions, and pads masked out."""

    def __init__(self, model: LlamaForCausalLM):
        super().__init__()
        self.model = model
        self.layers = model.config.num_hidden_layers

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(self.layers)]
        # Key j is visible to new token i when j <= P + i, i.e. when j - i <= P = total - S.
        keys = torch.cumsum(torch.ones_like(attention_mask[0]), 0) - 1
        queries = torch.cumsum(torch.ones_like(input_ids[0]), 0) - 1
        past_len = attention_mask.shape[1] - input_ids.shape[1]
        causal = (keys.unsqueeze(0) - queries.unsqueeze(1)) <= past_len
        mask = causal.unsqueeze(0).unsqueeze(0) & attention_mask.bool().unsqueeze(1).unsqueeze(2)
        logits, presents = self.model(input_ids, position_ids, mask, past)
        flat: List[torch.Tensor] = []
        for k, v in presents:
            flat.extend((k, v))
        return (logits, *flat)


def load_model(path: str) -> LlamaForCausalLM:
    state = checkpoint.load(path)
    cfg = from_dict(state["config"])
    model = LlamaForCausalLM(cfg.model)
    model.load_state_dict(state["model"])
    model.eval()
    return model


def export_onnx(model: LlamaForCausalLM, path: str) -> None:
    cfg = model.config
    n_kv, d = cfg.num_key_value_heads, cfg.dim_per_head
    # A past of 2 and 3 new tokens: distinct sizes, so no dimension can be mistaken for another while tracing.
    ids = torch.tensor([[cfg.bos_token_id, 5, 6]], dtype=torch.long)
    mask = torch.ones(1, 5, dtype=torch.long)
    pos = torch.tensor([[2, 3, 4]], dtype=torch.long)
    past = []
    inputs = ["input_ids", "attention_mask", "position_ids"]
    outputs = ["logits"]
    axes = {
        "input_ids": {0: "batch", 1: "sequence"},
        "attention_mask": {0: "batch", 1: "total_sequence"},
        "position_ids": {0: "batch", 1: "sequence"},
        "logits": {0: "batch", 1: "sequence"},
    }
    for i in range(cfg.num_hidden_layers):
        for kind in ("key", "value"):
            past.append(torch.zeros(1, n_kv, 2, d))
            inputs.append(f"past_key_values.{i}.{kind}")
            outputs.append(f"present.{i}.{kind}")
            axes[inputs[-1]] = {0: "batch", 2: "past_sequence"}
            axes[outputs[-1]] = {0: "batch", 2: "total_sequence"}
    # Grouped-query attention without repeating K/V: a batch-32 decoding step of the default model's shape runs
    # about a fifth faster on ONNX Runtime's CPU EP than with repeat_kv's Expand (docs/performance.md).
    extra = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        extra["dynamo"] = False  # the TorchScript exporter, the same on torch 1.13 and 2.x
    model.set_grouped_attention(True)
    try:
        with torch.no_grad():
            torch.onnx.export(DecoderWithPast(model), (ids, mask, pos, *past), path, input_names=inputs,
                              output_names=outputs, dynamic_axes=axes, opset_version=OPSET,
                              do_constant_folding=True, **extra)
    finally:
        model.set_grouped_attention(False)


def check_onnx(path: str) -> None:
    import onnx

    onnx.checker.check_model(path)


@torch.no_grad()
def reference_logits(model: LlamaForCausalLM, ids: List[int]) -> torch.Tensor:
    """PyTorch's logits at the last two positions of ``ids`` (one sequence, no cache)."""
    x = torch.tensor([ids], dtype=torch.long)
    n = len(ids)
    pos = torch.arange(n).unsqueeze(0)
    mask = torch.ones(n, n, dtype=torch.bool).tril().view(1, 1, n, n)
    logits, _ = model(x, pos, mask)
    return logits[0, -2:].float()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="llemma_train.export", description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--out", required=True, help="the model folder (config.json and model.onnx are written)")
    p.add_argument("--prompt-format", default="proof-prefix")
    p.add_argument("--context-length", type=int, required=True)
    p.add_argument("--reference-ids", help="JSON list of token ids to compute reference logits for")
    p.add_argument("--reference-out", help="where to write the reference (JSON with the logits)")
    args = p.parse_args(argv)
    model = load_model(args.checkpoint)
    cfg = model.config
    if args.context_length > cfg.max_position_embeddings:
        raise SystemExit(f"context length {args.context_length} exceeds max_position_embeddings")
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "model.onnx")
    export_onnx(model, onnx_path)
    check_onnx(onnx_path)
    llemma = {"format_version": 1, "prompt_format": args.prompt_format, "context_length": args.context_length}
    with open(os.path.join(args.out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg.hf_config(llemma), f, indent=2)
        f.write("\n")
    result = {"onnx": onnx_path, "bytes": os.path.getsize(onnx_path), "opset": OPSET, "checker": "ok",
              "torch": torch.__version__}
    if args.reference_ids and args.reference_out:
        with open(args.reference_ids, encoding="utf-8") as f:
            ids = json.load(f)
        logits = reference_logits(model, ids)
        with open(args.reference_out, "w", encoding="utf-8") as f:
            json.dump({"ids": ids, "logits": logits.tolist()}, f)
        result["reference"] = args.reference_out
    print(json.dumps({"export": result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
