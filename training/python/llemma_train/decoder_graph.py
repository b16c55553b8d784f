"""Writes a Llama decoder with past key/values as ONNX, weight by weight (docs/model-format.md's graph contract).

Unlike ``export.py``, which traces the project's own PyTorch model (everything in memory), this builds the graph
node by node with ``onnx.helper`` and streams every weight into one external data file (``model.onnx_data``) as it
is converted, so a 7B checkpoint converts in a few GB of memory: the graph file itself is small, and ONNX's 2 GB
protobuf limit never applies. The computation is the one ``model.py`` traces for export (grouped attention that
reads the cache in place; the causal mask with the padding mask; RoPE from ``position_ids``), in one of three
element types:

- ``fp32``: everything float32;
- ``fp16``: weights, activations, key/value cache and logits float16 (for CUDA); the RMSNorm statistics and the
  attention softmax are computed in float32, as transformers does in half precision;
- ``int4``: the seven projections of each layer and ``lm_head`` as ``com.microsoft.MatMulNBits`` with 4-bit
  weights (``int4.py``), activations and cache float32, the embedding table float16 (for CPU users).

The query/key/value projections run as one matrix product (their weights concatenated), and so do the gate and
up projections; the products are the same numbers, in fewer kernel launches.
"""

import os
from typing import Callable, Dict, List, Optional

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from . import int4
from .hf_checkpoint import LlamaSpec, inv_freq

OPSET = 17
DATA_FILE = "model.onnx_data"
DTYPES = ("fp32", "fp16", "int4")
# External data offsets are multiples of this, so ONNX Runtime can map tensors instead of copying them.
ALIGN = 1 << 16

FLOAT, FLOAT16, INT64, BOOL = TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.INT64, TensorProto.BOOL
_TENSOR_TYPES = {np.dtype(np.float32): FLOAT, np.dtype(np.float16): FLOAT16, np.dtype(np.uint8): TensorProto.UINT8}


class ExternalData:
    """Appends tensors to one data file and returns initializers that point into it."""

    def __init__(self, folder: str, file_name: str = DATA_FILE):
        self.file_name = file_name
        self.path = os.path.join(folder, file_name)
        self.f = open(self.path, "wb")
        self.offset = 0
        self.bytes = 0

    def add(self, name: str, array: np.ndarray) -> TensorProto:
        array = np.ascontiguousarray(array)
        pad = -self.offset % ALIGN
        if pad:
            self.f.write(b"\0" * pad)
            self.offset += pad
        self.f.write(memoryview(array).cast("B"))
        t = TensorProto()
        t.name = name
        t.data_type = _TENSOR_TYPES[array.dtype]
        t.dims.extend(array.shape)
        t.data_location = TensorProto.EXTERNAL
        for key, value in (("location", self.file_name), ("offset", str(self.offset)), ("length", str(array.nbytes))):
            entry = t.external_data.add()
            entry.key, entry.value = key, value
        self.offset += array.nbytes
        self.bytes += array.nbytes
        return t

    def close(self) -> None:
        self.f.close()


class _Graph:
    def __init__(self):
        self.nodes: List[onnx.NodeProto] = []
        self.initializers: List[TensorProto] = []
        self.count = 0

    def op(self, kind: str, inputs: List[str], out: Optional[str] = None, domain: str = "", **attrs) -> str:
        self.count += 1
        name = out or f"{kind.lower()}_{self.count}"
        self.nodes.append(helper.make_node(kind, inputs, [name], name=f"n{self.count}_{kind}", domain=domain, **attrs))
        return name

    def const(self, name: str, array: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name


Weights = Callable[[str], np.ndarray]


def build_decoder(spec: LlamaSpec, weights: Weights, folder: str, dtype: str, vocab_rows: Optional[int] = None,
                  block_size: int = 32, accuracy_level: int = 4,
                  progress: Callable[[str], None] = lambda line: None) -> Dict[str, object]:
    """Writes ``folder/model.onnx`` and ``folder/model.onnx_data`` from ``weights(name)`` (transformers' tensor
    names, ``[out, in]`` layout, float32 or float16). ``vocab_rows`` keeps only the first rows of the embedding and
    of ``lm_head`` (a checkpoint's vocabulary padded beyond its tokenizer). Returns a summary."""
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype}")
    if dtype == "int4":
        int4.check_block_size(block_size)
    h, d = spec.hidden_size, spec.head_dim
    nh, nkv, layers = spec.num_attention_heads, spec.num_key_value_heads, spec.num_hidden_layers
    groups = nh // nkv
    vocab = vocab_rows or spec.vocab_size
    act = FLOAT16 if dtype == "fp16" else FLOAT
    np_act = np.float16 if dtype == "fp16" else np.float32
    g = _Graph()
    data = ExternalData(folder)
    quantized = 0

    def linear(x: str, name: str, w: np.ndarray, out: Optional[str] = None) -> str:
        """x @ w.T for w [N, K] (transformers' layout)."""
        nonlocal quantized
        n, k = w.shape
        if dtype == "int4":
            packed, scales, zp = int4.quantize(w, block_size)
            g.initializers += [data.add(f"{name}.qweight", packed), data.add(f"{name}.scales", scales),
                               data.add(f"{name}.zero_points", zp)]
            quantized += n * k
            return g.op("MatMulNBits", [x, f"{name}.qweight", f"{name}.scales", f"{name}.zero_points"], out,
                        domain="com.microsoft", K=k, N=n, bits=4, block_size=block_size,
                        accuracy_level=accuracy_level)
        g.initializers.append(data.add(f"{name}.weight", np.asarray(w, dtype=np_act).T))
        return g.op("MatMul", [x, f"{name}.weight"], out)

    def norm_weight(name: str) -> str:
        g.initializers.append(data.add(name, np.asarray(weights(name), dtype=np_act)))
        return name

    def rms_norm(x: str, weight: str) -> str:
        xf = g.op("Cast", [x], to=FLOAT) if act != FLOAT else x
        var = g.op("ReduceMean", [g.op("Pow", [xf, "c_two"])], axes=[-1], keepdims=1)
        normed = g.op("Div", [xf, g.op("Sqrt", [g.op("Add", [var, "c_eps"])])])
        if act != FLOAT:
            normed = g.op("Cast", [normed], to=act)
        return g.op("Mul", [weight, normed])

    g.const("c_two", np.array(2.0, dtype=np.float32))
    g.const("c_eps", np.array(spec.rms_norm_eps, dtype=np.float32))
    g.const("c_scale", np.array(1.0 / np.sqrt(d), dtype=np_act))
    g.const("c_masked", np.array(np.finfo(np.float32).min, dtype=np.float32))
    g.const("c_inv_freq", inv_freq(spec))
    g.const("c_one", np.array(1, dtype=np.int64))
    g.const("c_zero", np.array(0, dtype=np.int64))
    g.const("c_axis_last", np.array([-1], dtype=np.int64))
    g.const("c_axis1", np.array([1], dtype=np.int64))
    g.const("c_axis2", np.array([2], dtype=np.int64))
    g.const("c_mask_axes", np.array([1, 2, 3], dtype=np.int64))
    g.const("c_q_shape", np.array([0, 0, nh, d], dtype=np.int64))
    g.const("c_kv_shape", np.array([0, 0, nkv, d], dtype=np.int64))
    g.const("c_q_grouped", np.array([0, nkv, groups, -1, d], dtype=np.int64))
    g.const("c_heads", np.array([0, nh, -1, d], dtype=np.int64))
    g.const("c_flat", np.array([0, 0, nh * d], dtype=np.int64))
    g.const("c_half_split", np.array([d // 2, d // 2], dtype=np.int64))
    g.const("c_qkv_split", np.array([nh * d, nkv * d, nkv * d], dtype=np.int64))
    g.const("c_mlp_split", np.array([spec.intermediate_size, spec.intermediate_size], dtype=np.int64))

    # RoPE angles from position_ids, in float32, then cos/sin in the activation type: [B, 1, S, D].
    angles = g.op("Mul", [g.op("Unsqueeze", [g.op("Cast", ["position_ids"], to=FLOAT), "c_axis_last"]), "c_inv_freq"])
    full = g.op("Concat", [angles, angles], axis=-1)
    cos, sin = g.op("Cos", [full]), g.op("Sin", [full])
    if act != FLOAT:
        cos, sin = g.op("Cast", [cos], to=act), g.op("Cast", [sin], to=act)
    cos, sin = g.op("Unsqueeze", [cos, "c_axis1"]), g.op("Unsqueeze", [sin, "c_axis1"])

    # Key j is visible to new token i when j <= P + i and attention_mask[b, j] = 1: [B, 1, 1, S, T] (grouped heads).
    total = g.op("Gather", [g.op("Shape", ["attention_mask"]), "c_one"])
    new = g.op("Gather", [g.op("Shape", ["input_ids"]), "c_one"])
    keys = g.op("Range", ["c_zero", total, "c_one"])
    queries = g.op("Range", [g.op("Sub", [total, new]), total, "c_one"])
    causal = g.op("LessOrEqual", [keys, g.op("Unsqueeze", [queries, "c_axis1"])])
    padding = g.op("Unsqueeze", [g.op("Cast", ["attention_mask"], to=BOOL), "c_mask_axes"])
    allowed = g.op("And", [causal, padding])

    def rope(x: str) -> str:
        lo, hi = f"{x}_lo", f"{x}_hi"
        g.nodes.append(helper.make_node("Split", [x, "c_half_split"], [lo, hi], name=f"split_{x}", axis=-1))
        rotated = g.op("Concat", [g.op("Neg", [hi]), lo], axis=-1)
        return g.op("Add", [g.op("Mul", [x, cos]), g.op("Mul", [rotated, sin])])

    embed = np.asarray(weights("model.embed_tokens.weight")[:vocab], dtype=np.float16 if dtype != "fp32" else np.float32)
    g.initializers.append(data.add("model.embed_tokens.weight", embed))
    del embed
    x = g.op("Gather", ["model.embed_tokens.weight", "input_ids"], axis=0)
    if dtype == "int4":
        x = g.op("Cast", [x], to=FLOAT)

    for i in range(layers):
        p = f"model.layers.{i}."
        progress(f"layer {i + 1}/{layers}")
        xn = rms_norm(x, norm_weight(p + "input_layernorm.weight"))
        qkv_w = np.concatenate([weights(p + f"self_attn.{t}_proj.weight") for t in "qkv"], axis=0)
        qkv = linear(xn, p + "self_attn.qkv_proj", qkv_w)
        del qkv_w
        q_flat, k_flat, v_flat = f"{p}q", f"{p}k", f"{p}v"
        g.nodes.append(helper.make_node("Split", [qkv, "c_qkv_split"], [q_flat, k_flat, v_flat],
                                        name=f"split_{p}qkv", axis=-1))
        heads = lambda t, shape: g.op("Transpose", [g.op("Reshape", [t, shape])], perm=[0, 2, 1, 3])  # noqa: E731
        q = rope(heads(q_flat, "c_q_shape"))
        k = rope(heads(k_flat, "c_kv_shape"))
        v = heads(v_flat, "c_kv_shape")
        key = g.op("Concat", [f"past_key_values.{i}.key", k], f"present.{i}.key", axis=2)
        value = g.op("Concat", [f"past_key_values.{i}.value", v], f"present.{i}.value", axis=2)
        # Query heads grouped by their key/value head, [B, kv, groups, S, D]; MatMul broadcasts each cached head
        # over its group, so the cache is read in place (transformers' repeat_kv maps head h to h // groups).
        qg = g.op("Reshape", [g.op("Mul", [q, "c_scale"]), "c_q_grouped"])
        k_t = g.op("Unsqueeze", [g.op("Transpose", [key], perm=[0, 1, 3, 2]), "c_axis2"])
        scores = g.op("MatMul", [qg, k_t])
        if act != FLOAT:
            scores = g.op("Cast", [scores], to=FLOAT)
        probs = g.op("Softmax", [g.op("Where", [allowed, scores, "c_masked"])], axis=-1)
        if act != FLOAT:
            probs = g.op("Cast", [probs], to=act)
        attn = g.op("MatMul", [probs, g.op("Unsqueeze", [value, "c_axis2"])])
        merged = g.op("Transpose", [g.op("Reshape", [attn, "c_heads"])], perm=[0, 2, 1, 3])
        out = linear(g.op("Reshape", [merged, "c_flat"]), p + "self_attn.o_proj", weights(p + "self_attn.o_proj.weight"))
        x = g.op("Add", [x, out])
        hn = rms_norm(x, norm_weight(p + "post_attention_layernorm.weight"))
        gu_w = np.concatenate([weights(p + "mlp.gate_proj.weight"), weights(p + "mlp.up_proj.weight")], axis=0)
        gu = linear(hn, p + "mlp.gate_up_proj", gu_w)
        del gu_w
        gate, up = f"{p}gate", f"{p}up"
        g.nodes.append(helper.make_node("Split", [gu, "c_mlp_split"], [gate, up], name=f"split_{p}gate_up", axis=-1))
        silu = g.op("Mul", [gate, g.op("Sigmoid", [gate])])
        down = linear(g.op("Mul", [silu, up]), p + "mlp.down_proj", weights(p + "mlp.down_proj.weight"))
        x = g.op("Add", [x, down])

    final = rms_norm(x, norm_weight("model.norm.weight"))
    progress("lm_head")
    head = weights("lm_head.weight")[:vocab]
    linear(final, "lm_head", head, "logits")
    del head
    data.close()

    kv = lambda length: ["batch", nkv, length, d]  # noqa: E731
    inputs = [helper.make_tensor_value_info("input_ids", INT64, ["batch", "sequence"]),
              helper.make_tensor_value_info("attention_mask", INT64, ["batch", "total_sequence"]),
              helper.make_tensor_value_info("position_ids", INT64, ["batch", "sequence"])]
    outputs = [helper.make_tensor_value_info("logits", act, ["batch", "sequence", vocab])]
    for i in range(layers):
        for kind in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kind}", act, kv("past_sequence")))
            outputs.append(helper.make_tensor_value_info(f"present.{i}.{kind}", act, kv("total_sequence")))
    graph = helper.make_graph(g.nodes, "llemma_decoder_with_past", inputs, outputs, initializer=g.initializers)
    opsets = [helper.make_opsetid("", OPSET)]
    if dtype == "int4":
        opsets.append(helper.make_opsetid("com.microsoft", 1))
    model = helper.make_model(graph, producer_name="llemma_train.convert", opset_imports=opsets)
    model.ir_version = 8
    path = os.path.join(folder, "model.onnx")
    onnx.save(model, path)
    onnx.checker.check_model(path)
    return {"onnx": path, "graph_bytes": os.path.getsize(path), "data_bytes": data.bytes, "dtype": dtype,
            "nodes": len(g.nodes), "quantized_weights": quantized,
            **({"block_size": block_size, "accuracy_level": accuracy_level} if dtype == "int4" else {})}
