"""Unit tests of the model, the packed-row inputs, the schedule and the config (run by training/test/train.test.ts)."""

import os
import tempfile
import unittest

import torch

from llemma_train import checkpoint
from llemma_train.config import ModelConfig, build_config, parse_assignment
from llemma_train.export import DecoderWithPast, export_onnx
from llemma_train.model import LlamaForCausalLM, packed_inputs
from llemma_train.train import lr_at

TINY = dict(vocab_size=50, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, max_position_embeddings=64)


def causal(n):
    return torch.ones(n, n, dtype=torch.bool).tril().view(1, 1, n, n)


class ModelTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.model = LlamaForCausalLM(ModelConfig(**TINY)).eval()

    def test_parameter_names_are_transformers_llama(self):
        names = set(self.model.state_dict())
        expected = {"model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"}
        for i in range(2):
            p = f"model.layers.{i}."
            expected |= {p + f"self_attn.{x}_proj.weight" for x in "qkvo"}
            expected |= {p + f"mlp.{x}_proj.weight" for x in ("gate", "up", "down")}
            expected |= {p + "input_layernorm.weight", p + "post_attention_layernorm.weight"}
        self.assertEqual(names, expected)
        self.assertEqual(tuple(self.model.state_dict()["model.layers.0.self_attn.k_proj.weight"].shape), (16, 32))

    def test_cache_gives_the_same_logits(self):
        ids = torch.tensor([[1, 7, 9, 11, 4, 3]])
        full, _ = self.model(ids, torch.arange(6).unsqueeze(0), causal(6))
        first, past = self.model(ids[:, :4], torch.arange(4).unsqueeze(0), causal(4))
        mask = torch.ones(1, 1, 2, 6, dtype=torch.bool).tril(diagonal=4)
        second, _ = self.model(ids[:, 4:], torch.tensor([[4, 5]]), mask, past)
        torch.testing.assert_close(torch.cat([first, second], dim=1), full, rtol=1e-5, atol=1e-5)

    def test_grouped_attention_gives_the_same_logits(self):
        ids = torch.tensor([[1, 7, 9, 11, 4, 3], [0, 0, 5, 6, 8, 2]])
        pos = torch.tensor([[0, 1, 2, 3, 4, 5], [0, 0, 0, 1, 2, 3]])
        mask = causal(6) & torch.tensor([[1] * 6, [0, 0, 1, 1, 1, 1]], dtype=torch.bool).view(2, 1, 1, 6)
        plain, plain_past = self.model(ids[:, :4], pos[:, :4], mask[:, :, :4, :4])
        plain_next, _ = self.model(ids[:, 4:], pos[:, 4:], mask[:, :, 4:, :], plain_past)
        self.model.set_grouped_attention(True)
        try:
            grouped, past = self.model(ids[:, :4], pos[:, :4], mask[:, :, :4, :4])
            grouped_next, _ = self.model(ids[:, 4:], pos[:, 4:], mask[:, :, 4:, :], past)
        finally:
            self.model.set_grouped_attention(False)
        self.assertFalse(self.model.model.layers[0].self_attn.grouped)
        torch.testing.assert_close(grouped, plain, rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(grouped_next, plain_next, rtol=1e-6, atol=1e-6)
        for (k1, v1), (k2, v2) in zip(past, plain_past):
            torch.testing.assert_close(k1, k2)
            torch.testing.assert_close(v1, v2)

    def test_export_reads_key_values_without_repeating_them(self):
        import onnx

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.onnx")
            export_onnx(self.model, path)
            ops = [n.op_type for n in onnx.load(path).graph.node]
        self.assertNotIn("Expand", ops)  # repeat_kv's copy of K/V per query head
        self.assertEqual(ops.count("MatMul"), 2 * (7 + 2) + 1)  # per layer 7 projections + 2 attention; lm_head
        self.assertFalse(self.model.model.layers[0].self_attn.grouped)

    def test_packed_segments_do_not_see_each_other(self):
        a, b = [1, 5, 6, 7], [1, 8, 9]
        flags = torch.tensor([[2, 0, 0, 0, 2, 0, 0]])
        pos, mask = packed_inputs(flags)
        self.assertEqual(pos.tolist(), [[0, 1, 2, 3, 0, 1, 2]])
        packed, _ = self.model(torch.tensor([a + b]), pos, mask)
        alone_a, _ = self.model(torch.tensor([a]), torch.arange(4).unsqueeze(0), causal(4))
        alone_b, _ = self.model(torch.tensor([b]), torch.arange(3).unsqueeze(0), causal(3))
        torch.testing.assert_close(packed, torch.cat([alone_a, alone_b], dim=1), rtol=1e-5, atol=1e-5)

    def test_export_wrapper_masks_left_padding(self):
        wrapper = DecoderWithPast(self.model)
        empty = [torch.zeros(2, 2, 0, 8) for _ in range(4)]
        ids = torch.tensor([[0, 0, 1, 7, 9], [1, 4, 5, 6, 2]])
        attn = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
        pos = torch.tensor([[0, 0, 0, 1, 2], [0, 1, 2, 3, 4]])
        logits = wrapper(ids, attn, pos, *empty)[0]
        alone, _ = self.model(torch.tensor([[1, 7, 9]]), torch.arange(3).unsqueeze(0), causal(3))
        torch.testing.assert_close(logits[0, 2:], alone[0], rtol=1e-5, atol=1e-5)

    def test_loss_is_taken_on_weighted_positions_only(self):
        ids = torch.tensor([[1, 7, 9, 11]])
        labels = torch.tensor([[7, 9, 11, 2]])
        weights = torch.tensor([[False, False, True, True]])
        loss = self.model(ids, torch.arange(4).unsqueeze(0), causal(4), labels=labels, weights=weights)
        logits, _ = self.model(ids, torch.arange(4).unsqueeze(0), causal(4))
        ref = torch.nn.functional.cross_entropy(logits[0, 2:], labels[0, 2:], reduction="sum")
        torch.testing.assert_close(loss, ref)


class ScheduleAndConfigTest(unittest.TestCase):
    def test_warmup_then_cosine_to_a_thirtieth(self):
        cfg = build_config([{"lr": 3e-3, "warmup_steps": 10, "max_steps": 110}])
        self.assertAlmostEqual(lr_at(0, cfg), 3e-4)
        self.assertAlmostEqual(lr_at(9, cfg), 3e-3)
        self.assertAlmostEqual(lr_at(60, cfg), (3e-3 + 1e-4) / 2)
        self.assertAlmostEqual(lr_at(110, cfg), 1e-4)

    def test_unknown_keys_and_wrong_types_are_errors(self):
        with self.assertRaisesRegex(ValueError, "unknown key"):
            build_config([{"learning_rate": 1}])
        with self.assertRaisesRegex(ValueError, "model.hidden_sise: unknown key"):
            build_config([{"model": {"hidden_sise": 1}}])
        with self.assertRaisesRegex(ValueError, "expected int"):
            build_config([{"batch_size": "8"}])
        self.assertEqual(build_config([parse_assignment("model.num_hidden_layers=3")]).model.num_hidden_layers, 3)

    def test_checkpoints_keep_the_newest(self):
        with tempfile.TemporaryDirectory() as d:
            for step in (5, 10, 15):
                checkpoint.save(d, {"step": step}, keep=2)
            self.assertEqual([os.path.basename(p) for p in checkpoint.list_checkpoints(d)],
                             ["step-00000010.pt", "step-00000015.pt"])
            self.assertEqual(checkpoint.load(checkpoint.latest(d))["step"], 15)


if __name__ == "__main__":
    unittest.main()
