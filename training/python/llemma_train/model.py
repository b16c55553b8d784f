"""A Llama decoder (RMSNorm, RoPE, SwiGLU, grouped-query attention) for one device.

Module and parameter names are those of transformers' LlamaForCausalLM (``model.embed_tokens.weight``,
``model.layers.N.self_attn.q_proj.weight``, ..., ``lm_head.weight``) and RoPE follows its "rotate half"
convention, so a Llama / Code Llama / Llemma state dict loads into this model and back. The same forward pass
serves training (packed rows with a block-diagonal mask) and the ONNX export (a key/value cache).
"""

import math
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .config import ModelConfig

KV = Tuple[torch.Tensor, torch.Tensor]


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def rope_cos_sin(position_ids: torch.Tensor, inv_freq: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of each position's angles, [B, 1, S, D], as transformers' LlamaRotaryEmbedding computes them."""
    freqs = position_ids.float().unsqueeze(-1) * inv_freq
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().unsqueeze(1), emb.sin().unsqueeze(1)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def repeat_kv(x: torch.Tensor, rep: int) -> torch.Tensor:
    """[B, H_kv, L, D] -> [B, H_kv * rep, L, D]: query head h reads key/value head h // rep (transformers' order)."""
    if rep == 1:
        return x
    b, h, n, d = x.shape
    return x.unsqueeze(2).expand(b, h, rep, n, d).reshape(b, h * rep, n, d)


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.n_heads = cfg.num_attention_heads
        self.n_kv = cfg.num_key_value_heads
        self.head_dim = cfg.dim_per_head
        d = cfg.hidden_size
        self.q_proj = nn.Linear(d, self.n_heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(d, self.n_kv * self.head_dim, bias=False)
        self.v_proj = nn.Linear(d, self.n_kv * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.n_heads * self.head_dim, d, bias=False)
        # Plain matmul attention is what the ONNX export traces; training on GPU may use the fused kernel.
        self.use_sdpa = False
        # The export's form (set_grouped_attention): the same numbers without copying K/V per query head.
        self.grouped = False

    def forward(self, x, cos, sin, mask, past: Optional[KV]) -> Tuple[torch.Tensor, KV]:
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.n_heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.n_kv, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.n_kv, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past is not None:
            k = torch.cat((past[0], k), dim=2)
            v = torch.cat((past[1], v), dim=2)
        present = (k, v)
        rep = self.n_heads // self.n_kv
        if self.grouped and not self.use_sdpa:
            return self.o_proj(self._grouped(q, k, v, mask, rep)), present
        k, v = repeat_kv(k, rep), repeat_kv(v, rep)
        if self.use_sdpa and hasattr(F, "scaled_dot_product_attention"):
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        else:
            # Scaling q rather than the scores touches S x D numbers instead of S x (P + S).
            scores = torch.matmul(q * (1.0 / math.sqrt(self.head_dim)), k.transpose(2, 3))
            # A finite minimum, not -inf: a fully masked row (a left pad) then gets uniform weights, not NaN.
            scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
            out = torch.matmul(torch.softmax(scores.float(), dim=-1).to(q.dtype), v)
        out = out.transpose(1, 2).reshape(b, s, self.n_heads * self.head_dim)
        return self.o_proj(out), present

    def _grouped(self, q, k, v, mask, rep: int) -> torch.Tensor:
        """Attention with the query heads that share a key/value head stacked as rows of one matmul
        ([B, H_kv, rep * S, D] x [B, H_kv, D, P + S]), so K and V are read where they are instead of being
        repeated rep times (repeat_kv's Expand, a copy of the whole cache per step in ONNX Runtime). Query head
        h = g * rep + r reads key/value head g, as in repeat_kv; the products are the same numbers."""
        b, _, s, d = q.shape
        t = k.shape[2]
        qg = (q * (1.0 / math.sqrt(d))).reshape(b, self.n_kv, rep * s, d)
        scores = torch.matmul(qg, k.transpose(2, 3)).view(b, self.n_kv, rep, s, t)
        scores = scores.masked_fill(~mask.unsqueeze(2), torch.finfo(scores.dtype).min)
        probs = torch.softmax(scores.float(), dim=-1).to(q.dtype).view(b, self.n_kv, rep * s, t)
        out = torch.matmul(probs, v).view(b, self.n_heads, s, d)
        return out.transpose(1, 2).reshape(b, s, self.n_heads * d)


class MLP(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.gate_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.up_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.down_proj = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.self_attn = Attention(cfg)
        self.mlp = MLP(cfg)
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)

    def forward(self, x, cos, sin, mask, past: Optional[KV]) -> Tuple[torch.Tensor, KV]:
        h, present = self.self_attn(self.input_layernorm(x), cos, sin, mask, past)
        x = x + h
        return x + self.mlp(self.post_attention_layernorm(x)), present


class LlamaModel(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.num_hidden_layers))
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        d = cfg.dim_per_head
        inv_freq = 1.0 / (cfg.rope_theta ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
        # Not a parameter and not saved: derived from the config, as in transformers.
        self.register_buffer("inv_freq", inv_freq, persistent=False)


class LlamaForCausalLM(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        cfg.check()
        self.config = cfg
        self.model = LlamaModel(cfg)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        self.apply(self._init_weights)
        # Scaled init of the projections that write into the residual stream (GPT-2), for a stable start.
        for name, p in self.named_parameters():
            if name.endswith(("o_proj.weight", "down_proj.weight")):
                nn.init.normal_(p, mean=0.0, std=cfg.initializer_range / math.sqrt(2 * cfg.num_hidden_layers))
        if cfg.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=self.config.initializer_range)

    def set_fused_attention(self, on: bool) -> None:
        for layer in self.model.layers:
            layer.self_attn.use_sdpa = on

    def set_grouped_attention(self, on: bool) -> None:
        """The export's attention (Attention._grouped). Training keeps repeat_kv, so that a training run
        reproduces the same weights as before this form existed."""
        for layer in self.model.layers:
            layer.self_attn.grouped = on

    def forward(
        self,
        input_ids: torch.Tensor,
        position_ids: torch.Tensor,
        mask: torch.Tensor,
        past: Optional[List[KV]] = None,
        labels: Optional[torch.Tensor] = None,
        weights: Optional[torch.Tensor] = None,
    ):
        """Logits [B, S, V] and the key/value cache [B, H_kv, P + S, D] per layer; with ``labels``, the summed
        cross-entropy of the positions where ``weights`` is True instead (the vocabulary projection then runs on
        those positions only, which on CPU is a good share of a step's time).

        ``mask`` is boolean, broadcastable to [B, 1, S, P + S]: True where a query may attend to a key.
        """
        x = self.model.embed_tokens(input_ids)
        cos, sin = rope_cos_sin(position_ids, self.model.inv_freq)
        cos, sin = cos.to(x.dtype), sin.to(x.dtype)
        presents: List[KV] = []
        for i, layer in enumerate(self.model.layers):
            x, present = layer(x, cos, sin, mask, past[i] if past is not None else None)
            presents.append(present)
        x = self.model.norm(x)
        if labels is None:
            return self.lm_head(x), presents
        logits = self.lm_head(x[weights]).float()
        return F.cross_entropy(logits, labels[weights], reduction="sum")


def packed_inputs(flags: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Position ids and the attention mask of packed rows.

    ``flags`` [B, T] marks with bit 2 the first token of each segment (an example or a document piece). Every
    token attends to the earlier tokens of its own segment only, and positions restart at 0 in each segment, so
    a packed example is computed exactly as the runtime computes that prompt alone.
    """
    starts = (flags & 2) != 0
    starts[:, 0] = True
    segment = torch.cumsum(starts.long(), dim=1)
    t = flags.shape[1]
    idx = torch.arange(t, device=flags.device).expand_as(segment)
    start_idx = torch.cummax(torch.where(starts, idx, torch.zeros_like(idx)), dim=1).values
    positions = idx - start_idx
    same = segment.unsqueeze(2) == segment.unsqueeze(1)
    causal = torch.ones(t, t, dtype=torch.bool, device=flags.device).tril()
    return positions, (same & causal).unsqueeze(1)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())
