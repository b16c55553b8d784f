"""4-bit block-wise weight quantization in the layout of ONNX Runtime's ``com.microsoft.MatMulNBits``.

ONNX Runtime's own quantizer (``onnxruntime.quantization.matmul_nbits_quantizer``) is a Python package that is not
installable on the machines this project is built on, so the packing is written here from the operator's
specification (ONNX Runtime's ContribOperators.md, ``com.microsoft.MatMulNBits``):

- ``MatMulNBits(A, B, scales, zero_points)`` computes ``A @ dequant(B)^T`` for a weight of N output and K input
  features (transformers' ``[N, K]`` ``nn.Linear`` layout, so no transpose is needed);
- the weight is cut into blocks of ``block_size`` consecutive values along K (a power of two, at least 16); K is
  padded with zeros up to a whole number of blocks;
- ``B`` is uint8 ``[N, k_blocks, block_size / 2]``: two 4-bit codes per byte, the first value of a pair in the low
  nibble;
- ``scales`` is ``[N, k_blocks]`` in A's element type; ``zero_points`` uint8 ``[N, ceil(k_blocks / 2)]``, packed
  the same way (the first block's zero point in the low nibble);
- ``dequant(code) = (code - zero_point) * scale``.

The quantization is asymmetric round-to-nearest per block, as ONNX Runtime's default (RTN) quantizer does it: the
block's range is widened to include 0 (so 0 is exact), ``scale = (max - min) / 15``, ``zero_point =
round(-min / scale)``, ``code = clamp(round(w / scale) + zero_point, 0, 15)``. ``dequantize`` inverts the packing;
the tests check ONNX Runtime's product against it.
"""

from typing import Tuple

import numpy as np

BITS = 4
LEVELS = (1 << BITS) - 1


def check_block_size(block_size: int) -> None:
    if block_size < 16 or block_size & (block_size - 1):
        raise ValueError(f"block size must be a power of two >= 16, got {block_size}")


def quantize(weight: np.ndarray, block_size: int = 32, rows_per_chunk: int = 1024) -> Tuple[np.ndarray, ...]:
    """``weight`` [N, K] → (B uint8 [N, kb, bs/2], scales float32 [N, kb], zero_points uint8 [N, ceil(kb/2)]).

    Works through ``rows_per_chunk`` rows at a time, so the float32 temporaries of a large matrix stay small."""
    check_block_size(block_size)
    n, k = weight.shape
    kb = -(-k // block_size)
    packed = np.empty((n, kb, block_size // 2), dtype=np.uint8)
    scales = np.empty((n, kb), dtype=np.float32)
    zero_points = np.zeros((n, (kb + 1) // 2), dtype=np.uint8)
    for r0 in range(0, n, rows_per_chunk):
        r1 = min(n, r0 + rows_per_chunk)
        w = np.zeros((r1 - r0, kb * block_size), dtype=np.float32)
        w[:, :k] = weight[r0:r1]
        blocks = w.reshape(r1 - r0, kb, block_size)
        lo = np.minimum(blocks.min(axis=2), 0.0)
        hi = np.maximum(blocks.max(axis=2), 0.0)
        scale = (hi - lo) / LEVELS
        scale[scale == 0] = 1.0  # an all-zero block: any scale gives zeros
        zp = np.clip(np.rint(-lo / scale), 0, LEVELS)
        codes = np.clip(np.rint(blocks / scale[:, :, None]) + zp[:, :, None], 0, LEVELS).astype(np.uint8)
        packed[r0:r1] = codes[:, :, 0::2] | (codes[:, :, 1::2] << 4)
        scales[r0:r1] = scale
        zp8 = zp.astype(np.uint8)
        zero_points[r0:r1, :] = zp8[:, 0::2]
        zero_points[r0:r1, : kb // 2] |= zp8[:, 1::2] << 4
    return packed, scales, zero_points


def dequantize(packed: np.ndarray, scales: np.ndarray, zero_points: np.ndarray, k: int) -> np.ndarray:
    """The float32 [N, K] weight that MatMulNBits multiplies by, from the three packed tensors."""
    n, kb, half = packed.shape
    codes = np.empty((n, kb, half * 2), dtype=np.float32)
    codes[:, :, 0::2] = packed & 0x0F
    codes[:, :, 1::2] = packed >> 4
    zp = np.empty((n, zero_points.shape[1] * 2), dtype=np.float32)
    zp[:, 0::2] = zero_points & 0x0F
    zp[:, 1::2] = zero_points >> 4
    w = (codes - zp[:, :kb, None]) * scales[:, :, None]
    return w.reshape(n, kb * half * 2)[:, :k]
