"""A Hugging Face Llama checkpoint folder as users have it, read one tensor at a time.

``open_checkpoint(folder)`` checks ``config.json`` (``llama_spec``: every field that would change the computation
is either understood or refused with a message naming it) and indexes the weights without reading them:
``model.safetensors`` or sharded ``model-0000k-of-0000n.safetensors`` with ``model.safetensors.index.json``, else
``pytorch_model.bin`` or its shards with ``pytorch_model.bin.index.json``. ``Checkpoint.tensor(name)`` then maps one
tensor from its file (numpy memory map; bfloat16 is widened to float32), so converting a 7B model never holds more
than the tensor at hand. PyTorch's zip files are read without torch: their pickle is interpreted with stand-ins for
torch's classes and each storage is mapped where the zip file stores it (uncompressed, as ``torch.save`` writes it).

Every problem is a ``CheckpointError`` whose message names the file and the field or tensor.
"""

import json
import math
import os
import pickle
import re
import struct
import zipfile
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import numpy as np


class CheckpointError(Exception):
    """The checkpoint cannot be converted; the message says which file and which field or tensor."""


# --------------------------------------------------------------------------------------------------------- config


@dataclass
class LlamaSpec:
    """What the conversion needs from config.json, checked."""

    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    head_dim: int
    max_position_embeddings: int
    rms_norm_eps: float
    rope_theta: float
    rope_scaling: Optional[Dict[str, Any]]
    tie_word_embeddings: bool
    bos_token_id: Optional[int]
    eos_token_id: Any  # an id or a list of ids, as the checkpoint says
    torch_dtype: Optional[str]


SUPPORTED_ROPE = ("default", "linear", "llama3")


def llama_spec(config: Dict[str, Any], where: str = "config.json") -> LlamaSpec:
    """The checked Llama fields of a transformers config; CheckpointError listing every problem otherwise."""
    problems: List[str] = []

    def need_int(key: str, minimum: int = 1) -> int:
        v = config.get(key)
        if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
            problems.append(f"{key} must be an integer >= {minimum}, got {json.dumps(v)}")
            return minimum
        return v

    model_type = config.get("model_type")
    if model_type != "llama":
        problems.append(f'model_type is {json.dumps(model_type)}; only "llama" (Llama, Code Llama, Llemma and '
                        "their fine-tunes) can be converted")
    arch = config.get("architectures")
    if arch is not None and arch != ["LlamaForCausalLM"]:
        problems.append(f'architectures is {json.dumps(arch)}; expected ["LlamaForCausalLM"]')
    act = config.get("hidden_act", "silu")
    if act != "silu":
        problems.append(f'hidden_act is {json.dumps(act)}; Llama uses "silu"')
    for key in ("attention_bias", "mlp_bias"):
        if config.get(key, False):
            problems.append(f"{key} is true; Llama's projections have no biases")
    if config.get("quantization_config") is not None:
        method = (config["quantization_config"] or {}).get("quant_method")
        problems.append(f"quantization_config is set ({json.dumps(method)}): convert the unquantized checkpoint")
    if config.get("partial_rotary_factor", 1.0) != 1.0:
        problems.append("partial_rotary_factor is not 1: RoPE over part of each head is not supported")
    vocab = need_int("vocab_size")
    hidden = need_int("hidden_size")
    inter = need_int("intermediate_size")
    layers = need_int("num_hidden_layers")
    heads = need_int("num_attention_heads")
    kv = config.get("num_key_value_heads")
    kv = heads if kv is None else kv
    if not isinstance(kv, int) or kv < 1 or heads % kv != 0:
        problems.append(f"num_key_value_heads must divide num_attention_heads ({heads}), got {json.dumps(kv)}")
        kv = heads
    head_dim = config.get("head_dim")
    if head_dim is None:
        if hidden % heads != 0:
            problems.append(f"hidden_size ({hidden}) is not a multiple of num_attention_heads ({heads}) and "
                            "head_dim is not given")
        head_dim = hidden // heads
    elif not isinstance(head_dim, int) or head_dim < 2:
        problems.append(f"head_dim must be an integer >= 2, got {json.dumps(head_dim)}")
        head_dim = 2
    if head_dim % 2:
        problems.append(f"head_dim ({head_dim}) must be even (RoPE rotates pairs)")
    max_pos = need_int("max_position_embeddings")
    eps = config.get("rms_norm_eps", 1e-6)
    if not isinstance(eps, (int, float)) or not eps > 0:
        problems.append(f"rms_norm_eps must be a positive number, got {json.dumps(eps)}")
    theta = config.get("rope_theta", 10000.0)
    if not isinstance(theta, (int, float)) or not theta > 0:
        problems.append(f"rope_theta must be a positive number, got {json.dumps(theta)}")
        theta = 10000.0
    scaling = config.get("rope_scaling")
    if scaling is not None:
        problems.extend(_rope_scaling_problems(scaling))
    tie = config.get("tie_word_embeddings", False)
    if not isinstance(tie, bool):
        problems.append(f"tie_word_embeddings must be true or false, got {json.dumps(tie)}")
    bos = config.get("bos_token_id")
    if bos is not None and (not isinstance(bos, int) or not 0 <= bos < vocab):
        problems.append(f"bos_token_id must be a token id below vocab_size {vocab}, got {json.dumps(bos)}")
    eos = config.get("eos_token_id")
    eos_list = eos if isinstance(eos, list) else [eos]
    if not eos_list or not all(isinstance(e, int) and not isinstance(e, bool) and 0 <= e < vocab for e in eos_list):
        problems.append(f"eos_token_id must be a token id (or a list of them) below vocab_size {vocab}, got "
                        f"{json.dumps(eos)}")
    if problems:
        raise CheckpointError(f"{where}: " + f"\n{where}: ".join(problems))
    return LlamaSpec(vocab, hidden, inter, layers, heads, kv, head_dim, max_pos, float(eps), float(theta),
                     _rope_scaling(scaling), tie, bos, eos, config.get("torch_dtype"))


def _rope_kind(scaling: Dict[str, Any]) -> Any:
    return scaling.get("rope_type", scaling.get("type"))


def _rope_scaling_problems(scaling: Any) -> List[str]:
    if not isinstance(scaling, dict):
        return [f"rope_scaling must be an object or null, got {json.dumps(scaling)}"]
    kind = _rope_kind(scaling)
    if kind not in SUPPORTED_ROPE:
        return [f"rope_scaling.rope_type is {json.dumps(kind)}; supported: {', '.join(SUPPORTED_ROPE)} "
                "(dynamic, yarn and longrope scaling are not)"]
    if kind == "default":
        return []
    factor = scaling.get("factor")
    problems = []
    if not isinstance(factor, (int, float)) or not factor > 0:
        problems.append(f"rope_scaling.factor must be a positive number, got {json.dumps(factor)}")
    if kind == "llama3":
        for key in ("low_freq_factor", "high_freq_factor", "original_max_position_embeddings"):
            v = scaling.get(key)
            if not isinstance(v, (int, float)) or not v > 0:
                problems.append(f"rope_scaling.{key} must be a positive number, got {json.dumps(v)}")
        if not problems and scaling["high_freq_factor"] <= scaling["low_freq_factor"]:
            problems.append("rope_scaling.high_freq_factor must be above low_freq_factor")
    return problems


def _rope_scaling(scaling: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    if scaling is None or _rope_kind(scaling) == "default":
        return None
    return dict(scaling, rope_type=_rope_kind(scaling))


def inv_freq(spec: LlamaSpec) -> np.ndarray:
    """RoPE's inverse frequencies (float32, head_dim / 2), as transformers computes them for the config's
    ``rope_theta`` and ``rope_scaling`` (``linear``: divided by the factor; ``llama3``: low frequencies divided by
    the factor, high ones kept, a smooth blend between)."""
    d = spec.head_dim
    exponents = np.arange(0, d, 2, dtype=np.int64).astype(np.float32) / np.float32(d)
    freq = (1.0 / np.power(np.float32(spec.rope_theta), exponents, dtype=np.float32)).astype(np.float32)
    s = spec.rope_scaling
    if s is None:
        return freq
    factor = float(s["factor"])
    if s["rope_type"] == "linear":
        return (freq / np.float32(factor)).astype(np.float32)
    low, high = float(s["low_freq_factor"]), float(s["high_freq_factor"])
    old = float(s["original_max_position_embeddings"])
    wavelen = 2 * math.pi / freq
    scaled = np.where(wavelen > old / low, freq / factor, freq)
    smooth = (old / wavelen - low) / (high - low)
    blended = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelen < old / high) & ~(wavelen > old / low)
    return np.where(medium, blended, scaled).astype(np.float32)


# ------------------------------------------------------------------------------------------------- tensor files

_ST_TYPES = {"F32": np.float32, "F16": np.float16, "BF16": np.uint16}


@dataclass
class TensorRef:
    file: str
    dtype: str  # "float32" | "float16" | "bfloat16"
    shape: Tuple[int, ...]
    offset: int  # bytes from the start of the file
    strides: Optional[Tuple[int, ...]] = None  # in elements; None: contiguous

    def read(self) -> np.ndarray:
        """The tensor as float32 or float16 (bfloat16 widened to float32), mapped from its file."""
        base = np.uint16 if self.dtype == "bfloat16" else np.dtype(self.dtype)
        n = int(np.prod(self.shape)) if self.shape else 1
        if self.strides is None:
            raw = np.memmap(self.file, dtype=base, mode="r", offset=self.offset, shape=(n,)).reshape(self.shape)
        else:
            span = 1 + sum((s - 1) * st for s, st in zip(self.shape, self.strides)) if n else 0
            flat = np.memmap(self.file, dtype=base, mode="r", offset=self.offset, shape=(max(span, 1),))
            item = np.dtype(base).itemsize
            raw = np.lib.stride_tricks.as_strided(flat, self.shape, tuple(st * item for st in self.strides))
        if self.dtype == "bfloat16":
            wide = raw.astype(np.uint32)
            wide <<= 16
            return wide.view(np.float32)
        return raw


def safetensors_index(path: str) -> Dict[str, TensorRef]:
    """The tensors of one .safetensors file (header checked against the file's size); nothing is read yet."""
    name = os.path.basename(path)
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise CheckpointError(f"{name}: not a safetensors file (shorter than its 8-byte header length)")
        (n,) = struct.unpack("<Q", head)
        if n > min(size - 8, 100 << 20):
            raise CheckpointError(f"{name}: not a safetensors file (header length {n} does not fit the file's "
                                  f"{size} bytes)")
        try:
            header = json.loads(f.read(n))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise CheckpointError(f"{name}: the safetensors header is not JSON ({e})") from e
    if not isinstance(header, dict):
        raise CheckpointError(f"{name}: the safetensors header is not a JSON object")
    out: Dict[str, TensorRef] = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        try:
            dtype, shape, (begin, end) = info["dtype"], tuple(info["shape"]), info["data_offsets"]
        except (KeyError, TypeError, ValueError) as e:
            raise CheckpointError(f"{name}: tensor {key}: malformed header entry {json.dumps(info)}") from e
        if dtype not in _ST_TYPES:
            raise CheckpointError(f"{name}: tensor {key} has dtype {dtype}; float32, float16 and bfloat16 are "
                                  "supported")
        expected = int(np.prod(shape)) * np.dtype(_ST_TYPES[dtype]).itemsize
        if end - begin != expected or begin < 0:
            raise CheckpointError(f"{name}: tensor {key}: data_offsets {begin}..{end} do not hold a {dtype} "
                                  f"tensor of shape {list(shape)}")
        if 8 + n + end > size:
            raise CheckpointError(f"{name}: tensor {key} ends at byte {8 + n + end} but the file has {size} bytes "
                                  "(a truncated or corrupt shard)")
        out[key] = TensorRef(path, {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[dtype], shape,
                             8 + n + begin)
    return out


class _Stub:
    """Stands in for a class named in a PyTorch pickle."""

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args, **kwargs):
        raise CheckpointError(f"the pickle calls {self.module}.{self.name}, which a state dict does not need")


_STORAGE_TYPES = {"FloatStorage": "float32", "HalfStorage": "float16", "BFloat16Storage": "bfloat16"}


@dataclass
class _Storage:
    dtype: str
    key: str


def _rebuild_tensor(storage, offset, size, stride, *rest):
    return ("tensor", storage, int(offset), tuple(size), tuple(stride))


class _StateDictUnpickler(pickle.Unpickler):
    """Reads a torch.save'd state dict's data.pkl without torch: tensors become (storage, offset, shape, stride)."""

    def find_class(self, module, name):
        if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_tensor"):
            return _rebuild_tensor
        if module == "torch._utils" and name == "_rebuild_parameter":
            return lambda data, requires_grad, backward_hooks, *rest: data
        if module == "collections" and name == "OrderedDict":
            import collections

            return collections.OrderedDict
        if module == "torch" and (name in _STORAGE_TYPES or name.endswith("Storage")):
            return _Stub(module, name)
        if module == "torch" and name in ("float32", "float16", "bfloat16"):
            return name
        raise CheckpointError(f"the pickle refers to {module}.{name}, which is not part of a state dict")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise CheckpointError(f"unexpected persistent id {pid!r}")
        storage_type, key = pid[1], str(pid[2])
        type_name = getattr(storage_type, "name", storage_type)
        if type_name not in _STORAGE_TYPES:
            raise CheckpointError(f"storage type {type_name} is not supported (float32, float16, bfloat16 are)")
        return _Storage(_STORAGE_TYPES[type_name], key)


def _zip_member_offset(zf: zipfile.ZipFile, path: str, member: zipfile.ZipInfo) -> int:
    with open(path, "rb") as f:
        f.seek(member.header_offset)
        local = f.read(30)
    if local[:4] != b"PK\x03\x04":
        raise CheckpointError(f"{os.path.basename(path)}: damaged zip entry {member.filename}")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    return member.header_offset + 30 + name_len + extra_len


def torch_bin_index(path: str) -> Dict[str, TensorRef]:
    """The tensors of one ``pytorch_model*.bin`` (torch.save's zip format), mapped lazily; nothing is loaded."""
    name = os.path.basename(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise CheckpointError(f"{name}: not a PyTorch zip checkpoint ({e}); files saved by torch before 1.6 "
                              "must be re-saved") from e
    with zf:
        members = {m.filename: m for m in zf.infolist()}
        pkl = [m for m in members if m.endswith("/data.pkl") or m == "data.pkl"]
        if len(pkl) != 1:
            raise CheckpointError(f"{name}: no data.pkl in the zip file")
        prefix = pkl[0][: -len("data.pkl")]
        try:
            state = _StateDictUnpickler(zf.open(pkl[0])).load()
        except CheckpointError as e:
            raise CheckpointError(f"{name}: {e}") from e
        except Exception as e:  # noqa: BLE001 - any unpickling failure means the file is not a state dict
            raise CheckpointError(f"{name}: data.pkl cannot be read ({e})") from e
        if not isinstance(state, dict):
            raise CheckpointError(f"{name}: the pickle is not a state dict")
        out: Dict[str, TensorRef] = {}
        for key, value in state.items():
            if not (isinstance(value, tuple) and value and value[0] == "tensor"):
                continue
            _, storage, offset, shape, stride = value
            member = members.get(f"{prefix}data/{storage.key}")
            if member is None:
                raise CheckpointError(f"{name}: tensor {key}: storage {storage.key} is missing from the zip")
            if member.compress_type != zipfile.ZIP_STORED:
                raise CheckpointError(f"{name}: tensor {key}: compressed storages are not supported")
            item = np.dtype(np.uint16 if storage.dtype == "bfloat16" else storage.dtype).itemsize
            n = int(np.prod(shape)) if shape else 1
            span = 1 + sum((s - 1) * st for s, st in zip(shape, stride)) if n else 0
            if (offset + span) * item > member.file_size:
                raise CheckpointError(f"{name}: tensor {key} does not fit its storage (a truncated or corrupt file)")
            contiguous = all(st == int(np.prod(shape[i + 1:])) for i, st in enumerate(stride))
            out[key] = TensorRef(path, storage.dtype, shape, _zip_member_offset(zf, path, member) + offset * item,
                                 None if contiguous else stride)
    return out


# ------------------------------------------------------------------------------------------------- checkpoint


def expected_shapes(spec: LlamaSpec) -> Dict[str, Tuple[int, ...]]:
    h, d = spec.hidden_size, spec.head_dim
    shapes = {"model.embed_tokens.weight": (spec.vocab_size, h), "model.norm.weight": (h,)}
    if not spec.tie_word_embeddings:
        shapes["lm_head.weight"] = (spec.vocab_size, h)
    for i in range(spec.num_hidden_layers):
        p = f"model.layers.{i}."
        shapes[p + "self_attn.q_proj.weight"] = (spec.num_attention_heads * d, h)
        shapes[p + "self_attn.k_proj.weight"] = (spec.num_key_value_heads * d, h)
        shapes[p + "self_attn.v_proj.weight"] = (spec.num_key_value_heads * d, h)
        shapes[p + "self_attn.o_proj.weight"] = (h, spec.num_attention_heads * d)
        shapes[p + "mlp.gate_proj.weight"] = (spec.intermediate_size, h)
        shapes[p + "mlp.up_proj.weight"] = (spec.intermediate_size, h)
        shapes[p + "mlp.down_proj.weight"] = (h, spec.intermediate_size)
        shapes[p + "input_layernorm.weight"] = (h,)
        shapes[p + "post_attention_layernorm.weight"] = (h,)
    return shapes


# Buffers some checkpoints carry that the computation derives from the config.
_IGNORED = re.compile(r"^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$")


class Checkpoint:
    def __init__(self, folder: str, config: Dict[str, Any], spec: LlamaSpec, tensors: Dict[str, TensorRef],
                 weight_files: List[str]):
        self.folder, self.config, self.spec, self.tensors, self.weight_files = folder, config, spec, tensors, weight_files

    def tensor(self, name: str) -> np.ndarray:
        """float32 or float16 (as stored; bfloat16 comes as float32), memory-mapped where it can be."""
        if name == "lm_head.weight" and self.spec.tie_word_embeddings:
            name = "model.embed_tokens.weight"
        return self.tensors[name].read()

    def tensor_f32(self, name: str) -> np.ndarray:
        return np.asarray(self.tensor(name), dtype=np.float32)

    @property
    def stored_dtypes(self) -> List[str]:
        return sorted({t.dtype for t in self.tensors.values()})


def _weight_files(folder: str) -> Tuple[str, List[str]]:
    """("safetensors" | "bin", the files holding the weights), from the index file when there is one."""
    names = sorted(os.listdir(folder))
    for kind, single, index in (("safetensors", "model.safetensors", "model.safetensors.index.json"),
                                ("bin", "pytorch_model.bin", "pytorch_model.bin.index.json")):
        if index in names:
            try:
                with open(os.path.join(folder, index), encoding="utf-8") as f:
                    weight_map = json.load(f)["weight_map"]
                files = sorted(set(weight_map.values()))
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
                raise CheckpointError(f"{index}: not a weight index with a weight_map ({e})") from e
            missing = [f for f in files if f not in names]
            if missing:
                raise CheckpointError(f"{index}: names shards that are not in the folder: {', '.join(missing)}")
            return kind, files
        if single in names:
            return kind, [single]
        suffix = ".safetensors" if kind == "safetensors" else ".bin"
        shards = [n for n in names if n.startswith("model" if kind == "safetensors" else "pytorch_model")
                  and n.endswith(suffix)]
        if shards:
            return kind, shards
    raise CheckpointError(f"{folder}: no Hugging Face weights (model*.safetensors or pytorch_model*.bin); Meta's "
                          "consolidated.*.pth must first be converted with transformers' convert_llama_weights_to_hf")


def open_checkpoint(folder: str) -> Checkpoint:
    """Reads config.json and indexes every weight file; CheckpointError for anything that cannot be converted."""
    if not os.path.isdir(folder):
        raise CheckpointError(f"{folder}: not a folder")
    config_path = os.path.join(folder, "config.json")
    try:
        with open(config_path, encoding="utf-8") as f:
            config = json.load(f)
    except FileNotFoundError as e:
        raise CheckpointError(f"{folder}: config.json is missing (is this a Hugging Face checkpoint folder?)") from e
    except (OSError, ValueError) as e:
        raise CheckpointError(f"config.json: not JSON ({e})") from e
    if not isinstance(config, dict):
        raise CheckpointError("config.json: not a JSON object")
    spec = llama_spec(config)
    kind, files = _weight_files(folder)
    tensors: Dict[str, TensorRef] = {}
    for file in files:
        part = (safetensors_index if kind == "safetensors" else torch_bin_index)(os.path.join(folder, file))
        for key, ref in part.items():
            if key in tensors:
                raise CheckpointError(f"{file}: tensor {key} is also in {os.path.basename(tensors[key].file)}")
            tensors[key] = ref
    expected = expected_shapes(spec)
    problems = []
    for key, shape in expected.items():
        if key not in tensors:
            problems.append(f"tensor {key} is missing")
        elif tensors[key].shape != shape:
            problems.append(f"tensor {key} has shape {list(tensors[key].shape)}, config.json implies {list(shape)}")
    for key in tensors:
        # A tied checkpoint may still store lm_head.weight (a copy of the embedding); it is not read.
        tied_copy = key == "lm_head.weight" and spec.tie_word_embeddings
        if key not in expected and not _IGNORED.match(key) and not tied_copy:
            problems.append(f"tensor {key} is not part of a Llama model (biases or another architecture?)")
    if problems:
        raise CheckpointError("weights: " + "\nweights: ".join(problems[:20]) +
                              (f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""))
    return Checkpoint(folder, config, spec, tensors, files)
