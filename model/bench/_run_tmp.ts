import * as ort from 'onnxruntime-node';
import { tinyModelDir } from '../testing/fixture';
async function main() {
  const s = await ort.InferenceSession.create(`${tinyModelDir}/model.onnx`, { executionProviders: ['cpu'], extra: { session: { intra_op: { allow_spinning: '0' } } } });
  const B = 32, P = 560, H = 2, D = 16;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', new BigInt64Array(B).fill(5n), [B, 1]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(B * (P + 1)).fill(1n), [B, P + 1]),
    position_ids: new ort.Tensor('int64', new BigInt64Array(B).fill(BigInt(P)), [B, 1]),
  };
  for (let i = 0; i < 2; i++) for (const kv of ['key', 'value']) feeds[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(B * H * P * D).fill(0.1), [B, H, P, D]);
  const n = B * H * (P + 1) * D;
  const pre: Record<string, ort.Tensor> = { logits: new ort.Tensor('float32', new Float32Array(B * 456), [B, 1, 456]) };
  for (let i = 0; i < 2; i++) for (const kv of ['key', 'value']) pre[`present.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(n), [B, H, P + 1, D]);
  const variants: [string, () => Promise<unknown>][] = [
    ['all outputs', () => s.run(feeds)],
    ['logits only', () => s.run(feeds, ['logits'])],
    ['preallocated all', () => s.run(feeds, pre)],
    ['preallocated logits only', () => s.run(feeds, { logits: pre.logits! })],
  ];
  for (let rep = 0; rep < 2; rep++) for (const [name, f] of variants) {
    await f();
    const t = performance.now();
    for (let k = 0; k < 20; k++) await f();
    console.log(name, ((performance.now() - t) / 20).toFixed(2), 'ms');
  }
}
main();
