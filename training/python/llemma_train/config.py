"""Run configuration: a model config (Hugging Face Llama keys) and the training settings.

A run is described by one JSON file of overrides of the defaults below, plus optional ``key=value`` overrides
on the command line. Files are data, never code. Unknown keys are errors, so a typo cannot fall back to a
default. Checkpoints carry the resolved config, so a checkpoint alone is enough to export or resume it.
"""

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


@dataclass
class ModelConfig:
    """The keys of transformers' LlamaConfig that this model reads, with the same names and meaning."""

    vocab_size: int = 8000
    hidden_size: int = 256
    intermediate_size: int = 688
    num_hidden_layers: int = 6
    num_attention_heads: int = 8
    num_key_value_heads: int = 2
    head_dim: Optional[int] = None
    max_position_embeddings: int = 512
    rms_norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    tie_word_embeddings: bool = False
    initializer_range: float = 0.02
    bos_token_id: int = 1
    eos_token_id: int = 2

    @property
    def dim_per_head(self) -> int:
        return self.head_dim or self.hidden_size // self.num_attention_heads

    def check(self) -> None:
        if self.num_attention_heads % self.num_key_value_heads != 0:
            raise ValueError("num_attention_heads must be a multiple of num_key_value_heads")
        if self.head_dim is None and self.hidden_size % self.num_attention_heads != 0:
            raise ValueError("hidden_size must be a multiple of num_attention_heads (or set head_dim)")
        if self.dim_per_head % 2 != 0:
            raise ValueError("the head size must be even (RoPE rotates pairs)")

    def hf_config(self, llemma: Dict[str, Any]) -> Dict[str, Any]:
        """config.json as transformers' save_pretrained writes it for LlamaForCausalLM, plus the llemma block."""
        out: Dict[str, Any] = {
            "architectures": ["LlamaForCausalLM"],
            "model_type": "llama",
            "hidden_act": "silu",
            "attention_bias": False,
            "mlp_bias": False,
            "torch_dtype": "float32",
        }
        for f in dataclasses.fields(self):
            out[f.name] = getattr(self, f.name)
        out["head_dim"] = self.dim_per_head
        out["llemma"] = llemma
        return out


@dataclass
class TrainConfig:
    """Everything a training run needs besides the model; paths are absolute or relative to the working folder."""

    model: ModelConfig = field(default_factory=ModelConfig)
    # The pack index (training/src/pack) with "train" and "heldout" splits.
    data: str = ""
    out_dir: str = "out/train"
    seed: int = 1234
    # Rows per micro-batch on each process; a step is grad_accum micro-batches on every process.
    batch_size: int = 8
    grad_accum: int = 1
    max_steps: int = 1000
    # Stop early (after a checkpoint) once this much wall time has passed; 0 means no limit.
    max_minutes: float = 0.0
    lr: float = 1e-3
    # The Llemma recipe: linear warmup, then cosine decay to lr / 30 at max_steps.
    warmup_steps: int = 500
    min_lr_ratio: float = 1.0 / 30.0
    weight_decay: float = 0.1
    betas: List[float] = field(default_factory=lambda: [0.9, 0.95])
    grad_clip: float = 1.0
    log_every: int = 10
    eval_every: int = 100
    # Held-out rows per evaluation (the first ones of the held-out split, the same every time).
    eval_rows: int = 64
    ckpt_every: int = 100
    # Checkpoints kept on disk (the newest ones); the last one is always kept.
    keep_checkpoints: int = 2
    # "auto": CUDA when available, else CPU.
    device: str = "auto"
    # Autocast dtype on GPU ("bfloat16" or "float32"); CPU always trains in float32.
    dtype: str = "bfloat16"
    # CPU threads for torch (0: torch's default).
    threads: int = 0
    # Under torchrun: "ddp" or "fsdp".
    distributed: str = "ddp"
    compile: bool = False


def _merge(obj: Any, override: Dict[str, Any], where: str) -> None:
    names = {f.name: f for f in dataclasses.fields(obj)}
    for key, value in override.items():
        at = f"{where}{key}"
        if key not in names:
            raise ValueError(f"config {at}: unknown key (known: {', '.join(sorted(names))})")
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ValueError(f"config {at}: expected an object")
            _merge(current, value, f"{at}.")
            continue
        setattr(obj, key, _coerce(value, current, at))


def _coerce(value: Any, current: Any, at: str) -> Any:
    if current is None or value is None:
        return value
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise ValueError(f"config {at}: expected true or false")
        return value
    if isinstance(current, float) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if type(value) is not type(current):
        raise ValueError(f"config {at}: expected {type(current).__name__}, got {json.dumps(value)}")
    return value


def parse_assignment(text: str) -> Dict[str, Any]:
    """``a.b=3`` -> {"a": {"b": 3}}; the value is JSON when it parses as JSON, else a string."""
    if "=" not in text:
        raise ValueError(f"override {text!r}: expected key=value")
    key, raw = text.split("=", 1)
    try:
        value: Any = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    for part in reversed(key.split(".")):
        value = {part: value}
    return value


def build_config(overrides: List[Dict[str, Any]]) -> TrainConfig:
    cfg = TrainConfig()
    for o in overrides:
        _merge(cfg, o, "")
    cfg.model.check()
    if cfg.warmup_steps < 0 or cfg.max_steps < 1:
        raise ValueError("config: max_steps must be positive and warmup_steps not negative")
    return cfg


def load_config(path: Optional[str], assignments: List[str]) -> TrainConfig:
    overrides: List[Dict[str, Any]] = []
    if path:
        with open(path, encoding="utf-8") as f:
            overrides.append(json.load(f))
    overrides.extend(parse_assignment(a) for a in assignments)
    return build_config(overrides)


def to_dict(cfg: TrainConfig) -> Dict[str, Any]:
    return dataclasses.asdict(cfg)


def from_dict(d: Dict[str, Any]) -> TrainConfig:
    return build_config([d])
