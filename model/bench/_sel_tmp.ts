import { LocalGenerator } from '../src/localGenerator';
import { tinyModelDir } from '../testing/fixture';
async function main() {
  const gen = await LocalGenerator.load(tinyModelDir, { executionProviders: ['cpu'] });
  const d = gen.model.decoder;
  const ids = Array.from({length: 555}, (_, i) => 3 + (i % 400));
  let { cache } = await d.prefill([ids]);
  let t = performance.now();
  cache = d.selectRows(cache, new Array(32).fill(0));
  console.log('broadcast', performance.now() - t);
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    const o = await d.step(cache, new Array(32).fill(5));
    const t1 = performance.now();
    const perm = Array.from({length: 32}, (_, j) => (j * 7) % 32);
    const c2 = d.selectRows(o.cache, perm);
    const t2 = performance.now();
    const T = o.cache.tensors[0]!;
    const src = T.data as Float32Array;
    const dst = new Float32Array(src.length);
    const t3 = performance.now();
    dst.set(src);
    const t4 = performance.now();
    const dst2 = new Float32Array(src.length); dst2.set(dst);
    const t5 = performance.now();
    console.log('step', (t1 - t).toFixed(1), 'select', (t2 - t1).toFixed(1), 'bytes', src.byteLength, 'set-from-ort', (t4 - t3).toFixed(2), 'set-js', (t5-t4).toFixed(2), src.buffer.byteLength, src.byteOffset);
    cache = c2;
  }
}
main();
