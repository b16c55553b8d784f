"""Builds a model folder's ``generation.onnx``: ONNX Runtime's ``com.microsoft.BeamSearch`` around ``model.onnx``.

``python -m llemma_train.generation_graph FOLDER [--out FILE]``

The whole beam search then runs inside one ``InferenceSession.run`` (docs/model-format.md, "generation.onnx").
BeamSearch with ``model_type=0`` (GPT) wants a decoder subgraph with inputs ``input_ids``, ``position_ids``,
``attention_mask`` (int32) and ``past_0..past_{L-1}`` (``[2, batch, kv_heads, past, head_dim]``), and outputs
``logits`` (``[batch, sequence, vocab]``) and ``present_0..present_{L-1}`` (``[2, batch, kv_heads, total,
head_dim]``). The folder's decoder (int64 ids, separate ``past_key_values.{i}.key|value``) is wrapped unchanged:
Cast int32 to int64, Gather key (index 0) and value (index 1) out of each past, Unsqueeze and Concat each layer's
presents. Only the Python ``onnx`` package is needed (no torch, no onnxruntime).

Weights stored as external data (``model.onnx_data`` beside ``model.onnx``) are not read: the subgraph keeps
their references, which are relative to the folder, so ``generation.onnx`` must be written in the same folder.
Integer initializers stored outside are read in (they are shapes and indices, which ONNX Runtime's shape
inference must see inside the file).
"""

import argparse
import json
import os
import sys

import onnx
from onnx import TensorProto, external_data_helper, helper

OPSET = 17
INT32, INT64, FLOAT, FLOAT16 = TensorProto.INT32, TensorProto.INT64, TensorProto.FLOAT, TensorProto.FLOAT16


class GraphError(Exception):
    """The decoder does not follow the folder contract; one problem per line."""


def _by_name(values):
    return {v.name: v for v in values}


def _dims(value):
    return [d.dim_value if d.HasField("dim_value") else None for d in value.type.tensor_type.shape.dim]


def _eos_id(config):
    eos = config.get("eos_token_id")
    if isinstance(eos, list):
        eos = eos[0] if eos else None
    if not isinstance(eos, int) or eos < 0:
        raise GraphError(f"config.json: eos_token_id must be a token id or a non-empty list of them, got {eos!r}")
    return eos


def check_decoder(graph, config):
    """The decoder's layer count, key/value heads, head size, vocabulary and element type; GraphError if unusable."""
    layers = config.get("num_hidden_layers")
    vocab = config.get("vocab_size")
    ins, outs = _by_name(graph.input), _by_name(graph.output)
    problems = []
    if not isinstance(layers, int) or layers <= 0 or not isinstance(vocab, int) or vocab <= 0:
        raise GraphError("config.json: num_hidden_layers and vocab_size must be positive integers")
    needed_in = ["input_ids", "attention_mask"] + [f"past_key_values.{i}.{k}" for i in range(layers)
                                                   for k in ("key", "value")]
    needed_out = ["logits"] + [f"present.{i}.{k}" for i in range(layers) for k in ("key", "value")]
    problems += [f'model.onnx: input "{n}" is missing' for n in needed_in if n not in ins]
    problems += [f'model.onnx: output "{n}" is missing' for n in needed_out if n not in outs]
    allowed = set(needed_in) | {"position_ids"}
    problems += [f'model.onnx: input "{n}" is not part of the contract' for n in ins if n not in allowed]
    if problems:
        raise GraphError("\n".join(problems))
    for n in ("input_ids", "attention_mask", "position_ids"):
        if n in ins and ins[n].type.tensor_type.elem_type != INT64:
            problems.append(f'model.onnx: input "{n}" must be int64')
    kv = ins["past_key_values.0.key"]
    elem = kv.type.tensor_type.elem_type
    if elem not in (FLOAT, FLOAT16):
        problems.append("model.onnx: key/value tensors must be float32 or float16")
    if outs["logits"].type.tensor_type.elem_type != elem:
        problems.append("model.onnx: BeamSearch needs logits of the same element type as the key/value cache")
    logits_dims = _dims(outs["logits"])
    if len(logits_dims) != 3:
        problems.append('model.onnx: output "logits" must be [batch, sequence, vocab]')
    elif logits_dims[2] not in (None, vocab):
        problems.append(f'model.onnx: output "logits" has vocabulary size {logits_dims[2]} but config.json says '
                        f"vocab_size = {vocab}")
    dims = _dims(kv)
    if len(dims) != 4:
        problems.append(f'model.onnx: input "{kv.name}" must have 4 dimensions [batch, kv_heads, sequence, head_dim]')
    heads = config.get("num_key_value_heads", config.get("num_attention_heads"))
    head_dim = config.get("head_dim") or (config.get("hidden_size", 0) // max(config.get("num_attention_heads", 1), 1))
    if len(dims) == 4:
        heads = dims[1] or heads
        head_dim = dims[3] or head_dim
    if not isinstance(heads, int) or heads <= 0 or not isinstance(head_dim, int) or head_dim <= 0:
        problems.append("model.onnx: the number of key/value heads and the head size must be known")
    if problems:
        raise GraphError("\n".join(problems))
    return layers, heads, head_dim, vocab, elem


def decoder_subgraph(model, config):
    """The decoder as BeamSearch's GPT subgraph (the decoder's own nodes and initializers, renamed inputs)."""
    graph = model.graph
    layers, heads, head_dim, vocab, elem = check_decoder(graph, config)
    has_positions = "position_ids" in _by_name(graph.input)
    ours = {"position_ids"} | {f"{kind}_{i}" for i in range(layers) for kind in ("past", "present")}
    taken = {o for node in graph.node for o in node.output} | {t.name for t in graph.initializer}
    clash = sorted(ours & taken)
    if clash:
        raise GraphError(f"model.onnx: names the BeamSearch subgraph needs are used inside the decoder: {clash}")
    # Names inside the decoder that now come from the adapters; a prefix no decoder name uses.
    prefix = "llemma_bs/"
    renamed = {"input_ids": prefix + "input_ids", "attention_mask": prefix + "attention_mask"}
    if has_positions:
        renamed["position_ids"] = prefix + "position_ids"
    for i in range(layers):
        for k in ("key", "value"):
            renamed[f"past_key_values.{i}.{k}"] = prefix + f"past.{i}.{k}"
    adapters = [
        helper.make_node("Cast", [name], [renamed[name]], to=INT64, name=prefix + "cast_" + name)
        for name in ("input_ids", "attention_mask", "position_ids") if name in renamed
    ]
    adapters += [
        helper.make_node("Constant", [], [prefix + "zero"], value=helper.make_tensor("z", INT64, [], [0])),
        helper.make_node("Constant", [], [prefix + "one"], value=helper.make_tensor("o", INT64, [], [1])),
        helper.make_node("Constant", [], [prefix + "axis0"], value=helper.make_tensor("a", INT64, [1], [0])),
    ]
    for i in range(layers):
        for k, index in (("key", "zero"), ("value", "one")):
            target = renamed[f"past_key_values.{i}.{k}"]
            adapters.append(helper.make_node("Gather", [f"past_{i}", prefix + index], [target], axis=0,
                                             name=f"{prefix}past_{i}_{k}"))
    nodes = []
    for node in graph.node:
        copy = onnx.NodeProto()
        copy.CopyFrom(node)
        for j, name in enumerate(copy.input):
            if name in renamed:
                copy.input[j] = renamed[name]
        nodes.append(copy)
    for i in range(layers):
        parts = []
        for k in ("key", "value"):
            out = f"{prefix}present.{i}.{k}.unsqueezed"
            nodes.append(helper.make_node("Unsqueeze", [f"present.{i}.{k}", prefix + "axis0"], [out],
                                          name=f"{prefix}unsqueeze_{i}_{k}"))
            parts.append(out)
        nodes.append(helper.make_node("Concat", parts, [f"present_{i}"], axis=0, name=f"{prefix}present_{i}"))
    kv_past = [2, "batch", heads, "past_sequence", head_dim]
    kv_total = [2, "batch", heads, "total_sequence", head_dim]
    inputs = [
        helper.make_tensor_value_info("input_ids", INT32, ["batch", "sequence"]),
        helper.make_tensor_value_info("position_ids", INT32, ["batch", "sequence"]),
        helper.make_tensor_value_info("attention_mask", INT32, ["batch", "total_sequence"]),
    ] + [helper.make_tensor_value_info(f"past_{i}", elem, kv_past) for i in range(layers)]
    outputs = [helper.make_tensor_value_info("logits", elem, ["batch", "sequence", vocab])] + [
        helper.make_tensor_value_info(f"present_{i}", elem, kv_total) for i in range(layers)
    ]
    sub = helper.make_graph(adapters + nodes, "llemma_decoder", inputs, outputs, initializer=list(graph.initializer))
    sub.sparse_initializer.extend(graph.sparse_initializer)
    return sub


def build(folder, out=None):
    """Writes ``generation.onnx`` (or ``out``) for the model folder; returns a summary."""
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    eos = _eos_id(config)
    try:
        decoder = onnx.load(os.path.join(folder, "model.onnx"), load_external_data=False)
    except Exception as e:  # noqa: BLE001 - protobuf and file errors alike: the file is not a usable model
        raise GraphError(f"model.onnx: cannot be read as an ONNX model: {e}") from e
    target = out or os.path.join(folder, "generation.onnx")
    external = [t for t in decoder.graph.initializer if t.data_location == TensorProto.EXTERNAL]
    if external and os.path.realpath(os.path.dirname(os.path.abspath(target))) != os.path.realpath(folder):
        raise GraphError("model.onnx keeps its weights in external data files, so generation.onnx must be written "
                         "in the model folder (leave out --out)")
    for tensor in external:
        if tensor.data_type in (INT64, INT32):
            external_data_helper.load_external_data_for_tensor(tensor, folder)
            tensor.data_location = TensorProto.DEFAULT
            del tensor.external_data[:]
    sub = decoder_subgraph(decoder, config)
    elem = sub.output[0].type.tensor_type.elem_type
    # The operator masks prompt tokens equal to pad_token_id and restarts their positions, and pads the returned
    # sequences with it: an id outside the vocabulary is never a prompt token and marks the end of each sequence.
    # It is never fed to the decoder for one prompt (batch 1 stops when its search is done).
    pad = config["vocab_size"]
    scalar = lambda name, t: helper.make_tensor_value_info(name, t, [1])  # noqa: E731
    node = helper.make_node(
        "BeamSearch",
        ["input_ids", "max_length", "min_length", "num_beams", "num_return_sequences", "length_penalty",
         "repetition_penalty"],
        ["sequences", "sequences_scores"],
        domain="com.microsoft", name="beam_search",
        eos_token_id=eos, pad_token_id=pad, model_type=0, early_stopping=0, no_repeat_ngram_size=0, decoder=sub,
    )
    graph = helper.make_graph(
        [node], "llemma_generation",
        [helper.make_tensor_value_info("input_ids", INT32, ["batch", "prompt"]), scalar("max_length", INT32),
         scalar("min_length", INT32), scalar("num_beams", INT32), scalar("num_return_sequences", INT32),
         scalar("length_penalty", FLOAT), scalar("repetition_penalty", FLOAT)],
        [helper.make_tensor_value_info("sequences", INT32, ["batch", "returned", "max_length"]),
         helper.make_tensor_value_info("sequences_scores", FLOAT, ["batch", "returned"])],
    )
    opsets = {o.domain: o.version for o in decoder.opset_import}
    opsets[""] = max(opsets.get("", OPSET), 13)  # Unsqueeze with axes as an input
    opsets["com.microsoft"] = 1
    model = helper.make_model(graph, producer_name="llemma_train.generation_graph",
                              opset_imports=[helper.make_opsetid(d, v) for d, v in opsets.items()])
    model.ir_version = max(decoder.ir_version, 7)
    onnx.save(model, target)
    return {"generation": target, "layers": len(sub.input) - 3, "eos_token_id": eos, "pad_token_id": pad,
            "element_type": "float16" if elem == FLOAT16 else "float32", "bytes": os.path.getsize(target)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="llemma_train.generation_graph", description=__doc__.split("\n\n")[0])
    p.add_argument("folder", help="the model folder (config.json and model.onnx)")
    p.add_argument("--out", help="where to write (default: FOLDER/generation.onnx, which external data needs)")
    args = p.parse_args(argv)
    try:
        result = build(args.folder, args.out)
    except GraphError as e:
        print(f"model folder {args.folder} cannot be wrapped for BeamSearch:\n{e}", file=sys.stderr)
        return 2
    print(json.dumps({"generation_graph": result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
