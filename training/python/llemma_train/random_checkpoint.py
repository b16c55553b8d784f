"""A Llama checkpoint with random weights in the Hugging Face layout, for tests and measurements.

``python -m llemma_train.random_checkpoint OUT --shape tiny|7b|34b [--set key=value ...] [--dtype float16]
[--shard-bytes N] [--tokenizer tokenizer.json] [--pad-tokenizer N] [--seed 0]``

Writes ``config.json`` (transformers' LlamaConfig keys), the weights as safetensors (one file, or shards of at most
``--shard-bytes`` with ``model.safetensors.index.json``, as ``save_pretrained`` does) and optionally a tokenizer
(``--pad-tokenizer N`` adds unreachable placeholder pieces until the tokenizer has N ids, so a small tokenizer can
stand in for a 32 000-id one). Tensors are generated and written one at a time, so a 7B-shaped checkpoint needs
about one tensor's memory.

The weights are scaled so that the model is confident (logits with a spread of several units), unlike a freshly
initialised network whose next-token distribution is nearly flat: quantization and half precision then have
distinct top candidates to preserve, as a trained model has.
"""

import argparse
import json
import os
import sys
from typing import Any, Dict, List, Optional

import numpy as np

from .config import parse_assignment
from .hf_checkpoint import expected_shapes, llama_spec

SHAPES: Dict[str, Dict[str, Any]] = {
    "tiny": dict(vocab_size=512, hidden_size=64, intermediate_size=160, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, max_position_embeddings=4096, rope_theta=1000000.0),
    # Llemma 7B's shape (Code Llama 7B's): MHA, vocabulary 32 016; RoPE base 1e6 as Code Llama's (Llemma 7B was
    # trained with 10 000; the base changes no shape and no speed).
    "7b": dict(vocab_size=32016, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
               num_attention_heads=32, num_key_value_heads=32, max_position_embeddings=16384, rope_theta=1000000.0),
    # Llemma 34B (Code Llama 34B): grouped-query attention with 8 key/value heads.
    "34b": dict(vocab_size=32000, hidden_size=8192, intermediate_size=22016, num_hidden_layers=48,
                num_attention_heads=64, num_key_value_heads=8, max_position_embeddings=16384, rope_theta=1000000.0),
}

_NP = {"float32": np.float32, "float16": np.float16, "bfloat16": np.uint16}
_ST = {"float32": "F32", "float16": "F16", "bfloat16": "BF16"}


def hf_config(shape: Dict[str, Any], dtype: str) -> Dict[str, Any]:
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
              "rms_norm_eps": 1e-5, "bos_token_id": 1, "eos_token_id": 2, "tie_word_embeddings": False,
              "torch_dtype": dtype, "initializer_range": 0.02, "attention_bias": False}
    config.update(shape)
    return config


def _to_dtype(x: np.ndarray, dtype: str) -> np.ndarray:
    if dtype == "bfloat16":  # round to nearest even
        bits = x.astype(np.float32).view(np.uint32)
        return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    return x.astype(_NP[dtype])


def _tensor(rng: np.random.Generator, name: str, shape, spec, dtype: str, logit_spread: float) -> np.ndarray:
    if name.endswith("norm.weight"):
        x = 1.0 + 0.1 * rng.standard_normal(shape, dtype=np.float32)
    elif name == "model.embed_tokens.weight":
        x = rng.standard_normal(shape, dtype=np.float32)
    elif name == "lm_head.weight":
        x = rng.standard_normal(shape, dtype=np.float32) * np.float32(logit_spread / np.sqrt(shape[1]))
    else:
        x = rng.standard_normal(shape, dtype=np.float32) * np.float32(1.0 / np.sqrt(shape[1]))
    return _to_dtype(x, dtype)


def write_checkpoint(out: str, config: Dict[str, Any], dtype: str = "float16", shard_bytes: int = 0,
                     seed: int = 0, logit_spread: float = 4.0, layout: str = "safetensors") -> Dict[str, Any]:
    """Writes config.json and the weights; returns a summary. ``layout`` "bin" writes one pytorch_model.bin
    (needs torch; small models only)."""
    spec = llama_spec(config)
    shapes = expected_shapes(spec)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    rng = np.random.default_rng(seed)
    item = np.dtype(_NP[dtype]).itemsize
    if layout == "bin":
        import torch

        state = {}
        for name, shape in shapes.items():
            x = _tensor(rng, name, shape, spec, "float32", logit_spread)
            state[name] = torch.from_numpy(x).to(getattr(torch, dtype))
        torch.save(state, os.path.join(out, "pytorch_model.bin"))
        return {"folder": out, "files": ["pytorch_model.bin"], "tensors": len(shapes)}
    # Shards in the order transformers writes them: a new shard when the next tensor would pass the limit.
    shards: List[List[str]] = [[]]
    size = 0
    for name, shape in shapes.items():
        n = int(np.prod(shape)) * item
        if shard_bytes and shards[-1] and size + n > shard_bytes:
            shards.append([])
            size = 0
        shards[-1].append(name)
        size += n
    files = ["model.safetensors"] if len(shards) == 1 else \
        [f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors" for i in range(len(shards))]
    weight_map = {}
    total = 0
    for file, names in zip(files, shards):
        header: Dict[str, Any] = {"__metadata__": {"format": "pt"}}
        offset = 0
        for name in names:
            n = int(np.prod(shapes[name])) * item
            header[name] = {"dtype": _ST[dtype], "shape": list(shapes[name]), "data_offsets": [offset, offset + n]}
            offset += n
            weight_map[name] = file
        raw = json.dumps(header).encode()
        raw += b" " * (-len(raw) % 8)
        with open(os.path.join(out, file), "wb") as f:
            f.write(len(raw).to_bytes(8, "little"))
            f.write(raw)
            for name in names:
                x = _tensor(rng, name, shapes[name], spec, dtype, logit_spread)
                f.write(memoryview(np.ascontiguousarray(x)).cast("B"))
                total += x.nbytes
                del x
    if len(files) > 1:
        with open(os.path.join(out, "model.safetensors.index.json"), "w", encoding="utf-8") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    return {"folder": out, "files": files, "bytes": total, "tensors": len(shapes)}


def train_sentencepiece(corpus: str, prefix: str, vocab_size: int, model_type: str = "bpe") -> str:
    """A SentencePiece model trained on ``corpus`` with Llama's options (BPE, byte fallback after ``<unk>``,
    ``<s>``, ``</s>``; identity normalization; whitespace kept; digits split); returns ``prefix + ".model"``."""
    import sentencepiece

    sentencepiece.SentencePieceTrainer.train(
        input=corpus, model_prefix=prefix, vocab_size=vocab_size, model_type=model_type, byte_fallback=True,
        normalization_rule_name="identity", remove_extra_whitespaces=False, split_digits=True,
        allow_whitespace_only_pieces=True, add_dummy_prefix=True, character_coverage=0.9995, unk_id=0, bos_id=1,
        eos_id=2, pad_id=-1, hard_vocab_limit=False, max_sentence_length=1 << 20, minloglevel=2)
    return prefix + ".model"


def padded_tokenizer(tokenizer: Dict[str, Any], size: int) -> Dict[str, Any]:
    """A copy of a BPE tokenizer.json with placeholder pieces added to its vocabulary (no merges reach them) until
    it has ``size`` ids."""
    vocab = dict(tokenizer["model"]["vocab"])
    n = max(list(vocab.values()) + [t["id"] for t in tokenizer.get("added_tokens", [])]) + 1
    for i in range(n, size):
        vocab[f"<placeholder_{i}>"] = i
    out = dict(tokenizer)
    out["model"] = dict(tokenizer["model"], vocab=vocab)
    return out


def write_random_folder(out: str, config: Dict[str, Any], dtype: str, tokenizer: Dict[str, Any],
                        prompt_format: str = "llemma-fewshot", context_length: int = 4096) -> Dict[str, Any]:
    """A model folder (docs/model-format.md) with random weights, written directly (no checkpoint in between), for
    speed measurements: the weights are tiles of one random pool, so writing a 7B folder costs little more than the
    disk. Not for accuracy tests (use write_checkpoint and llemma-train convert)."""
    from .decoder_graph import build_decoder

    spec = llama_spec(config)
    pool = np.random.default_rng(0).standard_normal(1 << 24, dtype=np.float32) * np.float32(0.02)

    def weights(name: str) -> np.ndarray:
        shape = expected_shapes(spec)["model.embed_tokens.weight" if name == "lm_head.weight" else name]
        n = int(np.prod(shape))
        if name.endswith("norm.weight"):
            return np.ones(shape, dtype=np.float32)
        return np.resize(pool, n).reshape(shape)

    os.makedirs(out, exist_ok=True)
    graph = build_decoder(spec, weights, out, {"float16": "fp16", "float32": "fp32"}.get(dtype, dtype))
    folder_config = dict(config, torch_dtype="float16" if dtype in ("float16", "fp16") else "float32")
    folder_config["llemma"] = {"format_version": 1, "prompt_format": prompt_format, "context_length": context_length}
    with open(os.path.join(out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(folder_config, f, indent=2)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)
    return {"folder": out, "graph": graph}


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="llemma_train.random_checkpoint", description=__doc__.split("\n\n")[0])
    p.add_argument("out")
    p.add_argument("--shape", choices=sorted(SHAPES), default="tiny")
    p.add_argument("--set", action="append", default=[], help="config key=value (JSON values)")
    p.add_argument("--dtype", choices=sorted(_NP), default="float16")
    p.add_argument("--shard-bytes", type=int, default=0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--logit-spread", type=float, default=4.0)
    p.add_argument("--layout", choices=("safetensors", "bin"), default="safetensors")
    p.add_argument("--tokenizer", help="a tokenizer.json to copy in")
    p.add_argument("--pad-tokenizer", type=int, default=0, help="pad the copied tokenizer to this many ids")
    p.add_argument("--sentencepiece", help="train a Llama-like tokenizer.model on this text file")
    p.add_argument("--sentencepiece-vocab", type=int, default=512)
    p.add_argument("--model-folder", action="store_true",
                   help="write a model folder directly (fp16/fp32 weights tiled from one random pool; needs "
                        "--tokenizer), for speed measurements")
    args = p.parse_args(argv)
    config = hf_config(SHAPES[args.shape], args.dtype)
    for assignment in args.set:
        config.update(parse_assignment(assignment))
    if args.model_folder:
        if not args.tokenizer:
            p.error("--model-folder needs --tokenizer")
        if args.dtype not in ("float16", "float32"):
            p.error("--model-folder writes float16 or float32 weights (--dtype)")
        with open(args.tokenizer, encoding="utf-8") as f:
            tok = json.load(f)
        if args.pad_tokenizer:
            tok = padded_tokenizer(tok, args.pad_tokenizer)
        result = write_random_folder(args.out, config, args.dtype, tok)
        print(json.dumps({"random_folder": result}), flush=True)
        return 0
    result = write_checkpoint(args.out, config, args.dtype, args.shard_bytes, args.seed, args.logit_spread,
                              args.layout)
    if args.tokenizer:
        with open(args.tokenizer, encoding="utf-8") as f:
            tok = json.load(f)
        if args.pad_tokenizer:
            tok = padded_tokenizer(tok, args.pad_tokenizer)
        with open(os.path.join(args.out, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump(tok, f, ensure_ascii=False)
    if args.sentencepiece:
        model = train_sentencepiece(args.sentencepiece, os.path.join(args.out, "tokenizer"), args.sentencepiece_vocab)
        os.remove(os.path.join(args.out, "tokenizer.vocab"))
        import sentencepiece

        result["sentencepiece"] = {"model": model,
                                   "size": sentencepiece.SentencePieceProcessor(model_file=model).get_piece_size()}
    print(json.dumps({"random_checkpoint": result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
