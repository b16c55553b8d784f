import { logSumExp, logSumExpMathExp, rowMax, topK } from '../src/logits';
const V = 32000, R = 32;
const rows = Array.from({ length: R }, (_, r) => Float32Array.from({ length: V }, (_, i) => Math.sin(i * 0.37 + r) * 6 + Math.cos(i * 1.3) * 3));
function bench(name: string, f: () => void) { for (let i = 0; i < 20; i++) f(); const t = performance.now(); for (let i = 0; i < 50; i++) f(); console.log(name, ((performance.now() - t) / 50).toFixed(2), 'ms per 32 rows'); }
bench('topK 64', () => { for (const r of rows) topK(r, 64); });
bench('rowMax', () => { for (const r of rows) rowMax(r); });
bench('logSumExp table', () => { for (const r of rows) logSumExp(r, rowMax(r)); });
bench('logSumExp Math.exp', () => { for (const r of rows) logSumExpMathExp(r); });
let maxd = 0; for (const r of rows) maxd = Math.max(maxd, Math.abs(logSumExp(r, rowMax(r)) - logSumExpMathExp(r)));
console.log('max |diff|', maxd);
