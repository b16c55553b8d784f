import * as ort from 'onnxruntime-node';
import { tinyModelDir } from '../testing/fixture';
async function main() {
  const s = await ort.InferenceSession.create(`${tinyModelDir}/model.onnx`, { executionProviders: ['cpu'] });
  const B = 2, P = 3;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', new BigInt64Array(B).fill(5n), [B, 1]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(B * (P + 1)).fill(1n), [B, P + 1]),
    position_ids: new ort.Tensor('int64', new BigInt64Array(B).fill(3n), [B, 1]),
  };
  for (let i = 0; i < 2; i++) for (const kv of ['key', 'value']) feeds[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(B * 2 * P * 16).fill(0.1), [B, 2, P, 16]);
  const big = new Float32Array(1000);
  const logitsBuf = new Float32Array(B * 456);
  const fetches: Record<string, ort.Tensor | null> = { logits: new ort.Tensor('float32', logitsBuf, [B, 1, 456]) };
  for (let i = 0; i < 2; i++) for (const kv of ['key', 'value']) fetches[`present.${i}.${kv}`] = new ort.Tensor('float32', big.subarray(0, B * 2 * (P + 1) * 16), [B, 2, P + 1, 16]);
  const out = await s.run(feeds, fetches);
  console.log('logits same buffer', out.logits!.data === logitsBuf, (out.logits!.data as Float32Array).buffer === logitsBuf.buffer, logitsBuf[0], (out.logits!.data as Float32Array)[0]);
  console.log('present same', (out['present.0.key']!.data as Float32Array).buffer === big.buffer, big[0], big[B*2*(P+1)*16-1]);
  // only some outputs prefetched?
  const out2 = await s.run(feeds, { logits: new ort.Tensor('float32', logitsBuf, [B, 1, 456]) });
  console.log(Object.keys(out2));
}
main();
