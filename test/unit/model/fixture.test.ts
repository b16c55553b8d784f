// The shipped tiny test model: reproducible from its generator, and its ONNX graph computes what the
// independent reference forward computes. Everything else in the model tests leans on these two facts.

import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { llemmaFewshotTemplate } from '../../../model/src/prompts';
import { TextTokenizer } from '../../../model/src/tokenizer';
import { tinyModelDir, tinyWeights } from '../../../model/testing/fixture';
import { referenceLogits } from '../../../model/testing/referenceForward';
import { buildTinyModel } from '../../../model/testing/tinyModelFolder';

function loadTokenizer(): TextTokenizer {
  return TextTokenizer.fromJson(JSON.parse(readFileSync(join(tinyModelDir, 'tokenizer.json'), 'utf8')));
}

describe('tiny test model fixture', () => {
  it('is what model/testing/makeTinyModel.ts builds (model.onnx byte for byte)', () => {
    const fresh = buildTinyModel();
    const shipped = (f: string) => readFileSync(join(tinyModelDir, f));
    assert.ok(shipped('model.onnx').equals(Buffer.from(fresh.onnx)), 'model.onnx differs: rerun makeTinyModel.ts');
    // The JSON files are compared as data: the repository's formatter may re-indent them.
    assert.deepEqual(JSON.parse(shipped('tokenizer.json').toString('utf8')), JSON.parse(fresh.tokenizerJson));
    assert.deepEqual(JSON.parse(shipped('config.json').toString('utf8')), JSON.parse(fresh.configJson));
  });

  it('is small (under 1 MB in all) and has grouped-query attention', () => {
    const total = ['model.onnx', 'tokenizer.json', 'config.json']
      .map((f) => statSync(join(tinyModelDir, f)).size)
      .reduce((a, b) => a + b, 0);
    assert.ok(total < 1_000_000, `fixture is ${total} bytes`);
    const config = JSON.parse(readFileSync(join(tinyModelDir, 'config.json'), 'utf8'));
    assert.ok(config.num_key_value_heads < config.num_attention_heads);
    assert.equal(config.num_hidden_layers, 2);
  });

  it('tokenizes like a Llama tokenizer: BOS first, byte fallback, exact round trip', () => {
    const tok = loadTokenizer();
    const text = '∀ x : ℕ, x + 0 = x\n⊢ ≃ 𝔽 rw [h]\n---';
    const ids = tok.encode(text);
    assert.equal(ids[0], 1, 'BOS <s> is id 1');
    assert.equal(tok.decode(ids), text);
    assert.ok(ids.includes(tok.tokenId('<0x0A>')!), 'newline goes through byte fallback');
    assert.ok(ids.includes(tok.tokenId('---')!), 'BPE merges produce ---');
    assert.equal(tok.decode(tok.encode(llemmaFewshotTemplate)), llemmaFewshotTemplate);
  });

  it('decodes a completion with the space that follows the prompt', () => {
    const tok = loadTokenizer();
    const rw = tok.tokenId('▁rw')!;
    // Decoded alone, SentencePiece's decoder strips the leading space; after the prompt it must stay.
    assert.equal(tok.decode([rw]), 'rw');
    const promptIds = tok.encode('Next tactic:\n---');
    assert.equal(tok.completionText(promptIds).decode([rw, tok.tokenId('<0x0A>')!]), ' rw\n');
    assert.equal(tok.completionText(promptIds).decode([]), '');
  });

  describe('ONNX graph against the reference forward', () => {
    let session: ort.InferenceSession;
    before(async () => {
      session = await ort.InferenceSession.create(join(tinyModelDir, 'model.onnx'), {
        logSeverityLevel: 3,
        intraOpNumThreads: 1,
      });
    });
    after(async () => {
      await session.release();
    });

    it('gives the same logits at every position of the few-shot prompt (no cache)', async () => {
      const ids = loadTokenizer().encode(llemmaFewshotTemplate.replace('%s', 'n : ℕ\n⊢ n + 0 = n'));
      const n = ids.length;
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
        position_ids: new ort.Tensor(
          'int64',
          BigInt64Array.from(ids, (_, i) => BigInt(i)),
          [1, n],
        ),
      };
      for (let i = 0; i < 2; i++) {
        for (const kind of ['key', 'value']) {
          feeds[`past_key_values.${i}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [1, 2, 0, 16]);
        }
      }
      const out = await session.run(feeds);
      const got = out['logits']!.data as Float32Array;
      const vocab = tinyWeights().spec.vocabSize;
      const ref = referenceLogits(tinyWeights(), ids);
      let maxDiff = 0;
      let maxAbs = 0;
      ref.forEach((row, t) => {
        row.forEach((v, j) => {
          maxDiff = Math.max(maxDiff, Math.abs(v - got[t * vocab + j]!));
          maxAbs = Math.max(maxAbs, Math.abs(v));
        });
      });
      assert.ok(n > 500, 'a long prompt exercises RoPE at large positions');
      assert.ok(maxAbs > 5, 'logits are not trivially small');
      assert.ok(maxDiff < 1e-3, `max |onnx - reference| = ${maxDiff}`);
      assert.deepEqual(out['present.1.key']!.dims, [1, 2, n, 16]);
    });
  });
});
