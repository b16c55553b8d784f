/**
 * One 32-beam expansion through the product's runtime (model/src's LocalGenerator, as `llemma candidates` runs it), on
 * a model folder, with the beam search stepping in JavaScript (the KV cache crosses PCIe every step) and inside
 * generation.onnx (one ONNX Runtime run); each against the HBM roofline. Run by scripts/gpu-check.sh, which builds
 * the folder, finds Node and the CUDA provider, samples the PCIe counters and passes what it measured as options.
 *
 *   node gpuCheck.js --folder F [--ep cuda] [--new-tokens 32] [--beams 32] [--hbm-gbps 4800] [--modes off,on] [--json out]
 */
import { statSync, writeFileSync } from 'node:fs';
import { type ExecutionProviderName, getPromptFormat, LocalGenerator, readExecutionProviders } from '@llemma/model';

interface Args {
  folder: string;
  providers: 'auto' | ExecutionProviderName[];
  newTokens: number;
  beams: number;
  hbmGbps: number;
  modes: ('off' | 'on')[];
  json?: string;
}

function parse(argv: string[]): Args {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const folder = get('--folder');
  if (!folder) throw new Error('--folder is required');
  const modes = (get('--modes') ?? 'off,on').split(',').filter((m): m is 'off' | 'on' => m === 'off' || m === 'on');
  const json = get('--json');
  return {
    folder,
    providers: readExecutionProviders(get('--ep') ?? 'cuda').providers,
    newTokens: Number(get('--new-tokens') ?? 32),
    beams: Number(get('--beams') ?? 32),
    hbmGbps: Number(get('--hbm-gbps') ?? 0),
    modes,
    ...(json ? { json } : {}),
  };
}

const goal = 'x y : ℝ\nh₀ : 0 < x\nh₁ : x * y = 1\n⊢ y = 1 / x';

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  const results: Record<string, unknown>[] = [];
  for (const mode of a.modes) {
    const t0 = performance.now();
    const generator = await LocalGenerator.load(a.folder, { executionProviders: a.providers }, mode);
    const loadMs = performance.now() - t0;
    const info = generator.info();
    const { config } = generator.model;
    const prompt = getPromptFormat(info.promptFormat).render({ goals: [goal] });
    const promptTokens = generator.model.tokenizer.encode(prompt).length;
    // Random weights never write the stop string, so every beam runs to the token budget: a fixed amount of work.
    const opts = { n: a.beams, beamWidth: a.beams, maxNewTokens: a.newTokens, stop: ['---'] };
    await generator.generate(prompt, { ...opts, maxNewTokens: 2 }); // warm-up: kernels, allocator
    const startedAtMs = Date.now();
    const t1 = performance.now();
    const candidates = await generator.generate(prompt, opts);
    const ms = performance.now() - t1;
    const endedAtMs = Date.now();
    const weightBytes = generator.model.io.kvType === 'float16' ? 2 : 4;
    // Bytes a step must read from HBM at least: every weight once, and the whole KV cache of every beam.
    let kvBytes = 0;
    for (let t = 0; t < a.newTokens; t++) {
      kvBytes += a.beams * (promptTokens + t) * 2 * config.numLayers * config.numKvHeads * config.headDim * weightBytes;
    }
    const paramBytes = statSync(`${a.folder}/model.onnx_data`).size;
    const rooflineMs = a.hbmGbps > 0 ? ((paramBytes * a.newTokens + kvBytes) / (a.hbmGbps * 1e9)) * 1000 : Number.NaN;
    // With the step-by-step path the Node binding copies present.* to the host and the next step's past back.
    const pcieBytes = mode === 'off' ? 2 * kvBytes : 0;
    const row = {
      mode: mode === 'on' ? 'generation.onnx (one run)' : 'step by step (KV cache via host)',
      provider: info.provider,
      skipped: info.skippedProviders,
      generationGraph: info.generationGraph,
      loadSeconds: +(loadMs / 1000).toFixed(1),
      promptTokens,
      beams: a.beams,
      newTokens: a.newTokens,
      candidates: candidates.length,
      expansionMs: +ms.toFixed(1),
      msPerStep: +(ms / a.newTokens).toFixed(2),
      tokensPerSecond: +((a.beams * a.newTokens) / (ms / 1000)).toFixed(0),
      rooflineMs: Number.isFinite(rooflineMs) ? +rooflineMs.toFixed(1) : null,
      ofRoofline: Number.isFinite(rooflineMs) ? +(rooflineMs / ms).toFixed(3) : null,
      modelledPcieGB: +(pcieBytes / 1e9).toFixed(2),
      // Wall-clock bounds of the expansion, for matching nvidia-smi's samples to it.
      startedAtMs,
      endedAtMs,
    };
    results.push(row);
    console.log(
      `${row.mode.padEnd(34)} ${info.provider}: ${row.expansionMs} ms for ${a.beams} beams × ${a.newTokens} tokens ` +
        `(prompt ${promptTokens}), ${row.msPerStep} ms/step, ${row.tokensPerSecond} tok/s; ` +
        (row.rooflineMs === null || row.ofRoofline === null
          ? 'HBM roofline n/a (no bandwidth given); '
          : `HBM roofline ${row.rooflineMs} ms = ${(row.ofRoofline * 100).toFixed(1)} % of it; `) +
        `KV over PCIe (modelled) ${row.modelledPcieGB} GB; load ${row.loadSeconds} s` +
        (info.skippedProviders.length ? `; skipped: ${info.skippedProviders.join('; ')}` : ''),
    );
    await generator.release();
  }
  if (a.json) writeFileSync(a.json, `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((err) => {
  console.error(`gpuCheck: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
