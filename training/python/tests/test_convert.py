"""Unit tests of the checkpoint reader, the int4 packing, RoPE scaling and the SentencePiece conversion (run by
training/test/train.test.ts). The converted graph itself is run by ONNX Runtime in training/test/convert.test.ts."""

import json
import math
import os
import tempfile
import unittest

import numpy as np
import torch

from llemma_train import int4
from llemma_train.hf_checkpoint import (CheckpointError, llama_spec, open_checkpoint, inv_freq, safetensors_index,
                                        torch_bin_index)
from llemma_train.random_checkpoint import SHAPES, hf_config, write_checkpoint

TINY = dict(SHAPES["tiny"], vocab_size=96, num_hidden_layers=1)


def config(**changes):
    c = hf_config(TINY, "float16")
    c.update(changes)
    return c


class Int4Test(unittest.TestCase):
    def test_packing_follows_the_operator_spec(self):
        # Codes 0..15 in order along K: the first value of each pair in the low nibble.
        w = np.tile(np.arange(16, dtype=np.float32), 2)[None, :]  # one row, K = 32, range 0..15
        packed, scales, zp = int4.quantize(w, block_size=16)
        self.assertEqual(packed.shape, (1, 2, 8))
        self.assertEqual(scales.shape, (1, 2))
        self.assertEqual(zp.shape, (1, 1))
        np.testing.assert_allclose(scales, [[1.0, 1.0]])
        self.assertEqual(list(packed[0, 0]), [0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE])
        self.assertEqual(int(zp[0, 0]), 0)
        np.testing.assert_array_equal(int4.dequantize(packed, scales, zp, 32), w)

    def test_zero_points_pack_two_blocks_per_byte_and_k_is_padded(self):
        rng = np.random.default_rng(1)
        w = rng.standard_normal((5, 70)).astype(np.float32) - 0.3  # 3 blocks of 32, the last padded
        packed, scales, zp = int4.quantize(w, block_size=32, rows_per_chunk=2)
        self.assertEqual(packed.shape, (5, 3, 16))
        self.assertEqual(zp.shape, (5, 2))
        self.assertTrue(np.all(zp[:, 1] >> 4 == 0), "the missing fourth block's nibble is zero")
        back = int4.dequantize(packed, scales, zp, 70)
        # Round to nearest: every weight within half a step of its block.
        steps = np.repeat(scales, 32, axis=1)[:, :70]
        self.assertTrue(np.all(np.abs(back - w) <= steps / 2 + 1e-6))

    def test_block_size_must_be_a_power_of_two_of_at_least_16(self):
        for bad in (8, 48):
            with self.assertRaises(ValueError):
                int4.quantize(np.zeros((1, 64), np.float32), bad)


class ConfigTest(unittest.TestCase):
    def assertRefused(self, cfg, *fields):
        with self.assertRaises(CheckpointError) as e:
            llama_spec(cfg)
        for f in fields:
            self.assertIn(f, str(e.exception))

    def test_what_real_checkpoints_carry_is_understood(self):
        s = llama_spec(config(rope_theta=1e6, num_key_value_heads=1, tie_word_embeddings=True, eos_token_id=[2, 5],
                              rope_scaling={"type": "linear", "factor": 2.0}, pretraining_tp=1))
        self.assertEqual((s.num_key_value_heads, s.head_dim, s.rope_theta, s.tie_word_embeddings), (1, 16, 1e6, True))
        self.assertEqual(s.rope_scaling["rope_type"], "linear")

    def test_everything_else_is_refused_naming_the_field(self):
        self.assertRefused(config(model_type="gpt_neox"), "model_type", "gpt_neox")
        self.assertRefused(config(architectures=["MistralForCausalLM"]), "architectures")
        self.assertRefused(config(rope_scaling={"rope_type": "dynamic", "factor": 2.0}), "rope_scaling.rope_type",
                           "dynamic")
        self.assertRefused(config(attention_bias=True), "attention_bias")
        self.assertRefused(config(hidden_act="gelu"), "hidden_act")
        self.assertRefused(config(num_key_value_heads=3), "num_key_value_heads")
        self.assertRefused(config(quantization_config={"quant_method": "gptq"}), "quantization_config", "gptq")
        self.assertRefused(config(eos_token_id=None), "eos_token_id")
        self.assertRefused(config(bos_token_id=1000), "bos_token_id")

    def test_rope_frequencies_follow_transformers(self):
        s = llama_spec(config(rope_theta=1e6))
        d = s.head_dim
        expected = 1.0 / (1e6 ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
        np.testing.assert_allclose(inv_freq(s), expected.numpy(), rtol=1e-6)
        linear = llama_spec(config(rope_theta=1e6, rope_scaling={"type": "linear", "factor": 4.0}))
        np.testing.assert_allclose(inv_freq(linear), expected.numpy() / 4, rtol=1e-6)
        # Llama 3.1's scaling: wavelengths above 8192 / 1 are divided by 8, below 8192 / 4 kept, blended between.
        l3 = llama_spec(config(head_dim=128, hidden_size=512, rope_theta=500000.0, rope_scaling={
            "rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
            "original_max_position_embeddings": 8192}))
        base = 1.0 / (500000.0 ** (np.arange(0, 128, 2) / 128))
        wavelen = 2 * math.pi / base
        got = inv_freq(l3)
        np.testing.assert_allclose(got[wavelen < 2048], base[wavelen < 2048], rtol=1e-5)
        np.testing.assert_allclose(got[wavelen > 8192], base[wavelen > 8192] / 8, rtol=1e-5)
        mid = (wavelen >= 2048) & (wavelen <= 8192)
        self.assertTrue(np.all((got[mid] < base[mid]) & (got[mid] > base[mid] / 8)))


class CheckpointFilesTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def test_sharded_safetensors_in_bfloat16_read_back_as_written(self):
        cfg = config(torch_dtype="bfloat16")
        write_checkpoint(self.dir, cfg, "bfloat16", shard_bytes=20000)
        ckpt = open_checkpoint(self.dir)
        self.assertGreater(len(ckpt.weight_files), 1)
        self.assertEqual(ckpt.stored_dtypes, ["bfloat16"])
        ref = write_checkpoint(os.path.join(self.dir, "f32"), cfg, "float32")
        self.assertEqual(ref["files"], ["model.safetensors"])
        exact = open_checkpoint(os.path.join(self.dir, "f32"))
        a, b = ckpt.tensor_f32("model.layers.0.mlp.up_proj.weight"), exact.tensor_f32("model.layers.0.mlp.up_proj.weight")
        np.testing.assert_allclose(a, b, rtol=2 ** -8)  # bfloat16 keeps 8 bits of mantissa

    def test_a_truncated_shard_is_named(self):
        files = write_checkpoint(self.dir, config(), "float16", shard_bytes=20000)["files"]
        shard = os.path.join(self.dir, files[1])
        with open(shard, "r+b") as f:
            f.truncate(os.path.getsize(shard) - 100)
        with self.assertRaises(CheckpointError) as e:
            open_checkpoint(self.dir)
        self.assertIn(files[1], str(e.exception))
        self.assertIn("truncated", str(e.exception))
        with open(shard, "wb") as f:
            f.write(b"\xff" * 64)
        with self.assertRaises(CheckpointError) as e:
            safetensors_index(shard)
        self.assertIn("not a safetensors file", str(e.exception))

    def test_missing_and_foreign_tensors_are_named(self):
        write_checkpoint(self.dir, config(), "float16")
        with open(os.path.join(self.dir, "config.json"), "w") as f:
            json.dump(config(num_hidden_layers=2), f)
        with self.assertRaises(CheckpointError) as e:
            open_checkpoint(self.dir)
        self.assertIn("model.layers.1.self_attn.q_proj.weight is missing", str(e.exception))

    def test_pytorch_bin_is_read_lazily_without_torch_load(self):
        state = {"a": torch.randn(3, 5).half(), "b": torch.randn(4, 6).to(torch.bfloat16),
                 "c": torch.randn(6, 4).t(), "d": torch.arange(12, dtype=torch.float32)[2:8]}
        path = os.path.join(self.dir, "pytorch_model.bin")
        torch.save(state, path)
        refs = torch_bin_index(path)
        self.assertEqual(sorted(refs), ["a", "b", "c", "d"])
        for key, t in state.items():
            np.testing.assert_array_equal(np.asarray(refs[key].read(), np.float32), t.float().numpy(), err_msg=key)

    def test_a_bin_checkpoint_converts_like_its_safetensors_twin(self):
        write_checkpoint(self.dir, config(), "float16", layout="bin", seed=3)
        twin = os.path.join(self.dir, "st")
        write_checkpoint(twin, config(), "float16", seed=3)
        a, b = open_checkpoint(self.dir), open_checkpoint(twin)
        self.assertEqual(a.weight_files, ["pytorch_model.bin"])
        for name in a.tensors:
            np.testing.assert_array_equal(a.tensor(name), b.tensor(name), err_msg=name)


class SentencePieceTest(unittest.TestCase):
    def test_a_unigram_model_is_refused_naming_the_field(self):
        from llemma_train.random_checkpoint import train_sentencepiece
        from llemma_train.sp_tokenizer import TokenizerError, tokenizer_json

        d = tempfile.mkdtemp()
        corpus = os.path.join(d, "corpus.txt")
        with open(corpus, "w") as f:
            f.write("theorem foo (n : ℕ) : n + 0 = n := by\n  simp\n" * 50)
        model = train_sentencepiece(corpus, os.path.join(d, "uni"), 300, model_type="unigram")
        with self.assertRaises(TokenizerError) as e:
            tokenizer_json(model)
        self.assertIn("trainer_spec.model_type", str(e.exception))
        bpe = train_sentencepiece(corpus, os.path.join(d, "bpe"), 300)
        tok = tokenizer_json(bpe)
        self.assertTrue(tok["model"]["byte_fallback"])
        self.assertEqual(tok["model"]["vocab"]["<0x0A>"], 3 + 0x0A)
        self.assertEqual(tok["post_processor"]["special_tokens"]["<s>"]["ids"], [1])


if __name__ == "__main__":
    unittest.main()
