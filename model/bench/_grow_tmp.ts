import * as ort from 'onnxruntime-node';
import { tinyModelDir } from '../testing/fixture';
async function main() {
  const s = await ort.InferenceSession.create(`${tinyModelDir}/model.onnx`, { executionProviders: ['cpu'], extra: { session: { intra_op: { allow_spinning: '0' } } } });
  const B = 32, H = 2, D = 16;
  for (const grow of [false, true, false, true]) {
    let P = 560;
    let past: ort.Tensor[] = [];
    for (let i = 0; i < 4; i++) past.push(new ort.Tensor('float32', new Float32Array(B * H * P * D).fill(0.1), [B, H, P, D]));
    const times: number[] = []; const faults: number[] = [];
    for (let step = 0; step < 60; step++) {
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', new BigInt64Array(B).fill(5n), [B, 1]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(B * (P + 1)).fill(1n), [B, P + 1]),
        position_ids: new ort.Tensor('int64', new BigInt64Array(B).fill(BigInt(P)), [B, 1]),
      };
      let k = 0;
      for (let i = 0; i < 2; i++) for (const kv of ['key', 'value']) feeds[`past_key_values.${i}.${kv}`] = past[k++]!;
      const f0 = process.resourceUsage().minorPageFault; const t = performance.now();
      const out = await s.run(feeds);
      times.push(performance.now() - t); faults.push(process.resourceUsage().minorPageFault - f0);
      if ((globalThis as any).gc && process.env.MINOR) (globalThis as any).gc({ type: 'minor' }); else if ((globalThis as any).gc) (globalThis as any).gc(); if (grow) { past = [0, 1].flatMap((i) => ['key', 'value'].map((kv) => out[`present.${i}.${kv}`] as ort.Tensor)); P++; }
    }
    const avg = (a: number[]) => (a.reduce((x, y) => x + y, 0) / a.length).toFixed(1);
    console.log(grow ? 'growing' : 'constant', avg(times.slice(10)), 'ms/step', avg(faults.slice(10)), 'faults/step');
  }
}
main();
