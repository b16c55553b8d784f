"""The Python half of scripts/gpu-check.sh: what the GPU is and what it can do, without the product.

``python3 scripts/gpu_check.py device``    the GPU's name, memory and HBM bandwidth: the nominal figure for known
                                         parts and a measured device-to-device copy (bytes read + written per second)
``python3 scripts/gpu_check.py baseline --prompt-tokens N --new-tokens M --beams B``
                                         the same expansion with transformers' LlamaForCausalLM (7B shape, float16,
                                         random weights) and its beam search, as a reference for the product's time

Each prints one JSON line. Only torch (with CUDA) is needed; the baseline also needs transformers.
"""

import argparse
import json
import sys
import time

# Nominal HBM bandwidth in GB/s, from the vendors' data sheets.
NOMINAL = {"H200": 4800, "H100 SXM": 3350, "H100 80GB HBM3": 3350, "H100 PCIe": 2000, "H100 NVL": 3900,
           "A100-SXM4-80GB": 2039, "A100-SXM4-40GB": 1555, "A100 80GB PCIe": 1935, "A100-PCIE-40GB": 1555,
           "L40S": 864, "RTX 4090": 1008, "A10G": 600, "L4": 300}


def device() -> dict:
    import torch

    if not torch.cuda.is_available():
        return {"cuda": False}
    props = torch.cuda.get_device_properties(0)
    nominal = next((v for k, v in NOMINAL.items() if k in props.name), None)
    n = 1 << 30  # 1 GiB of float16 each way
    src = torch.empty(n // 2, dtype=torch.float16, device="cuda")
    dst = torch.empty_like(src)
    for _ in range(3):
        dst.copy_(src)
    torch.cuda.synchronize()
    t = time.perf_counter()
    reps = 20
    for _ in range(reps):
        dst.copy_(src)
    torch.cuda.synchronize()
    measured = 2 * n * reps / (time.perf_counter() - t) / 1e9
    return {"cuda": True, "name": props.name, "memory_gb": round(props.total_memory / 1e9, 1),
            "nominal_gbps": nominal, "copy_gbps": round(measured), "torch": torch.__version__,
            "cuda_version": torch.version.cuda}


def baseline(prompt_tokens: int, new_tokens: int, beams: int) -> dict:
    import torch

    try:
        from transformers import LlamaConfig, LlamaForCausalLM
    except ImportError as e:
        return {"skipped": f"transformers is not installed ({e})"}
    if not torch.cuda.is_available():
        return {"skipped": "no CUDA device for PyTorch"}
    config = LlamaConfig(vocab_size=32016, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                         num_attention_heads=32, num_key_value_heads=32, max_position_embeddings=16384,
                         rope_theta=1e6, torch_dtype="float16")
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = LlamaForCausalLM(config).half().eval()
    ids = torch.randint(3, 32000, (1, prompt_tokens), device="cuda")
    kwargs = dict(num_beams=beams, num_return_sequences=beams, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                  do_sample=False, early_stopping=False, pad_token_id=0)
    with torch.no_grad():
        model.generate(ids, **dict(kwargs, max_new_tokens=2, min_new_tokens=2))
        torch.cuda.synchronize()
        t = time.perf_counter()
        out = model.generate(ids, **kwargs)
        torch.cuda.synchronize()
    ms = (time.perf_counter() - t) * 1000
    import transformers

    return {"transformers": transformers.__version__, "expansion_ms": round(ms, 1), "ms_per_step": round(ms / new_tokens, 2),
            "sequences": int(out.shape[0]), "peak_gpu_gb": round(torch.cuda.max_memory_allocated() / 1e9, 1)}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=("device", "baseline"))
    p.add_argument("--prompt-tokens", type=int, default=350)
    p.add_argument("--new-tokens", type=int, default=32)
    p.add_argument("--beams", type=int, default=32)
    a = p.parse_args()
    result = device() if a.what == "device" else baseline(a.prompt_tokens, a.new_tokens, a.beams)
    print(json.dumps({a.what: result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
