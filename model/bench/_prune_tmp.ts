import * as ort from 'onnxruntime-node';
import { defaultShaped, ensureBenchModel } from './benchModels';
async function main() {
  let t = performance.now();
  const m = ensureBenchModel('.cache/bench-model', defaultShaped);
  console.log('built', performance.now() - t, m.params, m.onnxBytes);
  const s = await ort.InferenceSession.create(`${m.dir}/model.onnx`, { executionProviders: ['cpu'], extra: { session: { intra_op: { allow_spinning: '0' } } } });
  const S = 200, H = 1, D = 64, L = 6;
  const mk = (S: number) => {
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', new BigInt64Array(S).fill(5n), [1, S]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(S).fill(1n), [1, S]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from({ length: S }, (_, i) => BigInt(i)), [1, S]),
    };
    for (let i = 0; i < L; i++) for (const kv of ['key', 'value']) feeds[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, H, 0, D]);
    return feeds;
  };
  const presentNames = s.outputNames.filter((n) => n !== 'logits');
  for (const S of [200, 555]) {
    const f = mk(S);
    for (let r = 0; r < 2; r++) {
      t = performance.now(); await s.run(f); const a = performance.now() - t;
      t = performance.now(); await s.run(f, presentNames); const b = performance.now() - t;
      t = performance.now(); await s.run(mk(S - 1), presentNames); const c = performance.now() - t;
      console.log(`S=${S} all ${a.toFixed(1)} present-only ${b.toFixed(1)} S-1 present-only ${c.toFixed(1)}`);
    }
  }
}
main();
