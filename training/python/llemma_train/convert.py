"""A Hugging Face Llama checkpoint → a model folder (docs/model-format.md), without torch.

``python -m llemma_train.convert CHECKPOINT FOLDER --dtype fp32|fp16|int4 [--prompt-format llemma-fewshot]
[--context-length N] [--block-size 32] [--accuracy-level 4] [--sample texts.json --sample-out ids.json]``

Writes ``model.onnx`` + ``model.onnx_data`` (``decoder_graph.py``), ``config.json`` (the checkpoint's config with
the ``llemma`` block) and ``tokenizer.json`` (copied, or converted from SentencePiece's ``tokenizer.model``,
``sp_tokenizer.py``) into FOLDER, which should be empty: ``llemma-train convert`` gives it a fresh folder and moves
it into place only when everything, its checks included, has succeeded. With ``--sample`` and a converted
SentencePiece tokenizer, SentencePiece's own ids of each sample text are written to ``--sample-out`` for the
caller to compare with the new tokenizer.json.

A vocabulary padded beyond the tokenizer (``vocab_size`` above the tokenizer's largest id + 1) is cut to the
tokenizer's ids: padded rows were never trained and must not be generated. Exit status 2 with one line per problem
when the checkpoint cannot be converted.
"""

import argparse
import json
import os
import resource
import shutil
import sys
import time
from typing import Any, Dict, List, Optional

from .decoder_graph import DTYPES, build_decoder
from .hf_checkpoint import CheckpointError, open_checkpoint
from .sp_tokenizer import TokenizerError, encode_sample, tokenizer_json

FORMAT_VERSION = 1


def tokenizer_size(tok: Dict[str, Any]) -> int:
    """One more than the largest id the tokenizer.json can produce."""
    model = tok.get("model") or {}
    vocab = model.get("vocab")
    ids = list(vocab.values()) if isinstance(vocab, dict) else list(range(len(vocab or [])))
    ids += [t.get("id", -1) for t in tok.get("added_tokens") or []]
    return max(ids) + 1 if ids else 0


def write_tokenizer(src: str, out: str, sample: Optional[str], sample_out: Optional[str]) -> Dict[str, Any]:
    """tokenizer.json into ``out``: copied from the checkpoint, else converted from tokenizer.model."""
    given = os.path.join(src, "tokenizer.json")
    model_file = os.path.join(src, "tokenizer.model")
    target = os.path.join(out, "tokenizer.json")
    if os.path.isfile(given):
        try:
            with open(given, encoding="utf-8") as f:
                tok = json.load(f)
        except (OSError, ValueError) as e:
            raise CheckpointError(f"tokenizer.json: not JSON ({e})") from e
        if not isinstance(tok, dict) or not isinstance(tok.get("model"), dict):
            raise CheckpointError("tokenizer.json: not a Hugging Face tokenizer file (no model)")
        shutil.copyfile(given, target)
        return {"source": "tokenizer.json", "size": tokenizer_size(tok)}
    if not os.path.isfile(model_file):
        raise CheckpointError(f"{src}: no tokenizer: neither tokenizer.json nor tokenizer.model is in the folder")
    try:
        tok = tokenizer_json(model_file)
    except TokenizerError as e:
        raise CheckpointError(str(e)) from e
    with open(target, "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False)
    info: Dict[str, Any] = {"source": "tokenizer.model (converted)", "size": tokenizer_size(tok)}
    if sample and sample_out:
        with open(sample, encoding="utf-8") as f:
            texts = json.load(f)
        with open(sample_out, "w", encoding="utf-8") as f:
            json.dump(encode_sample(model_file, texts), f)
        info["sample"] = {"texts": len(texts), "ids": sample_out}
    return info


def convert(src: str, out: str, dtype: str, prompt_format: str, context_length: Optional[int], block_size: int,
            accuracy_level: int, sample: Optional[str] = None, sample_out: Optional[str] = None) -> Dict[str, Any]:
    started = time.time()
    ckpt = open_checkpoint(src)
    spec = ckpt.spec
    os.makedirs(out, exist_ok=True)
    tok = write_tokenizer(src, out, sample, sample_out)
    if tok["size"] > spec.vocab_size:
        raise CheckpointError(f"tokenizer: has ids up to {tok['size'] - 1} but config.json vocab_size is "
                              f"{spec.vocab_size}")
    rows = tok["size"]
    eos = spec.eos_token_id if isinstance(spec.eos_token_id, list) else [spec.eos_token_id]
    special = [i for i in [spec.bos_token_id, *eos] if i is not None and i >= rows]
    if special:
        raise CheckpointError(f"config.json: special token ids {special} are not ids of the tokenizer ({rows} ids)")
    ctx = context_length or min(spec.max_position_embeddings, 4096)
    if ctx > spec.max_position_embeddings:
        raise CheckpointError(f"--context-length {ctx} exceeds max_position_embeddings "
                              f"({spec.max_position_embeddings})")
    graph = build_decoder(spec, ckpt.tensor, out, dtype, vocab_rows=rows, block_size=block_size,
                          accuracy_level=accuracy_level,
                          progress=lambda line: print(f"convert: {line}", file=sys.stderr, flush=True))
    config = dict(ckpt.config)
    config["vocab_size"] = rows
    config["torch_dtype"] = "float16" if dtype == "fp16" else "float32"
    config.pop("quantization_config", None)
    conversion: Dict[str, Any] = {"dtype": dtype, "checkpoint_dtypes": ckpt.stored_dtypes}
    if rows != spec.vocab_size:
        conversion["checkpoint_vocab_size"] = spec.vocab_size
    if dtype == "int4":
        conversion.update(block_size=block_size, accuracy_level=accuracy_level)
    config["llemma"] = {"format_version": FORMAT_VERSION, "prompt_format": prompt_format, "context_length": ctx,
                        "conversion": conversion}
    with open(os.path.join(out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    return {
        "folder": out,
        "dtype": dtype,
        "layers": spec.num_hidden_layers,
        "parameters": _parameters(spec, rows),
        "vocab_rows": rows,
        "checkpoint_vocab_size": spec.vocab_size,
        "tokenizer": tok,
        "weight_files": ckpt.weight_files,
        "checkpoint_dtypes": ckpt.stored_dtypes,
        "graph": graph,
        "context_length": ctx,
        "seconds": round(time.time() - started, 2),
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def _parameters(spec, rows: int) -> int:
    h, d, i = spec.hidden_size, spec.head_dim, spec.intermediate_size
    attn = h * d * (2 * spec.num_attention_heads + 2 * spec.num_key_value_heads)
    per_layer = attn + 3 * h * i + 2 * h
    head = 0 if spec.tie_word_embeddings else rows * h
    return spec.num_hidden_layers * per_layer + rows * h + head + h


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="llemma_train.convert", description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint")
    p.add_argument("out")
    p.add_argument("--dtype", choices=DTYPES, default="fp16")
    p.add_argument("--prompt-format", default="llemma-fewshot")
    p.add_argument("--context-length", type=int)
    p.add_argument("--block-size", type=int, default=32)
    p.add_argument("--accuracy-level", type=int, default=4, choices=(0, 1, 2, 3, 4))
    p.add_argument("--sample", help="JSON list of texts to encode with a converted SentencePiece tokenizer")
    p.add_argument("--sample-out", help="where SentencePiece's ids of --sample go")
    args = p.parse_args(argv)
    try:
        result = convert(args.checkpoint, args.out, args.dtype, args.prompt_format, args.context_length,
                         args.block_size, args.accuracy_level, args.sample, args.sample_out)
    except CheckpointError as e:
        print(f"checkpoint {args.checkpoint} cannot be converted:\n{e}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"checkpoint {args.checkpoint} cannot be converted:\n{e}", file=sys.stderr)
        return 2
    print(json.dumps({"convert": result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
