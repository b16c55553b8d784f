// Regenerates the shipped test model folder. Usage (from the repository root):
//   node --import tsx model/testing/makeTinyModel.ts [outDir]   (default: model/testing/tiny-llama)
// The output is deterministic; test/unit/model/fixture.test.ts checks the shipped files equal a fresh build.

import { join } from 'node:path';
import { writeTinyModelFolder } from './tinyModelFolder';

const outDir = process.argv[2] ?? join(__dirname, 'tiny-llama');
const model = writeTinyModelFolder(outDir);
const params =
  model.weights.embed.length +
  model.weights.lmHead.length +
  model.weights.finalNorm.length +
  model.weights.layers.reduce((n, l) => n + Object.values(l).reduce((m, a: Float32Array) => m + a.length, 0), 0);
console.log(`wrote ${outDir}: ${params} parameters, model.onnx ${model.onnx.length} bytes`);
