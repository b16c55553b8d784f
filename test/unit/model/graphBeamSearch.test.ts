// The generation graph (ONNX Runtime's BeamSearch operator around model.onnx, built by
// training/python/llemma_train/generation_graph.py) on the tiny model with the CPU provider: its beams against
// the JavaScript beam search and the independent reference forward, ONNX Runtime's scoring convention, stop
// strings, and the errors for a decoder or a graph that does not fit.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type * as ort from 'onnxruntime-node';
import { beamSearch } from '../../../model/src/beamSearch';
import { CompletionTracker } from '../../../model/src/completion';
import { createSession } from '../../../model/src/executionProviders';
import { createGenerator } from '../../../model/src/generatorFactory';
import {
  GenerationGraph,
  graphBeamSearch,
  type LoadedGraphBeamSearch,
  loadGraphBeamSearch,
  OnnxSequenceScorer,
} from '../../../model/src/graphBeamSearch';
import { checkDecoderIo } from '../../../model/src/ioSpec';
import { LocalGenerator } from '../../../model/src/localGenerator';
import { type LoadedModel, loadModelFolder } from '../../../model/src/modelFolder';
import { copyOfTinyModel, tempDir, testSessionOptions, tinyWeights } from '../../../model/testing/fixture';
import { logSoftmax, referenceLogits } from '../../../model/testing/referenceForward';
import { writeTinyModelFolder } from '../../../model/testing/tinyModelFolder';

const pythonDir = resolve(__dirname, '..', '..', '..', 'training', 'python');
const python = process.env['LLEMMA_PYTHON'] || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const prompt = 'Tactic state:\n---\nn : ℕ\n⊢ n + 0 = n\n---\nNext tactic:\n---';

/** Runs the builder on a folder; returns its exit status and stderr. */
function buildGraph(folder: string, out?: string): { status: number | null; stderr: string } {
  const r = spawnSync(python, ['-m', 'llemma_train.generation_graph', folder, ...(out ? ['--out', out] : [])], {
    env: { ...process.env, PYTHONPATH: pythonDir },
    encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr ?? String(r.error) };
}

function assertPythonOnnx(): void {
  const r = spawnSync(python, ['-c', 'import onnx'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(
      `${python} cannot import onnx, which builds generation.onnx (install python3-onnx, or set LLEMMA_PYTHON): ` +
        `${r.stderr ?? r.error}`,
    );
  }
}

function referenceSum(promptIds: readonly number[], generated: readonly number[]): number {
  const all = referenceLogits(tinyWeights(), [...promptIds, ...generated]);
  return generated.reduce((sum, t, i) => sum + logSoftmax(all[promptIds.length - 1 + i]!)[t]!, 0);
}

function assertClose(actual: number, expected: number, eps: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= eps, `${what}: ${actual} vs ${expected}`);
}

describe('beam search inside one ONNX Runtime run (generation.onnx)', () => {
  let folder: { dir: string; cleanup: () => void };
  let model: LoadedModel;
  let graph: GenerationGraph;
  let scorer: OnnxSequenceScorer;
  let loaded: LoadedGraphBeamSearch | undefined;
  const sessions: ort.InferenceSession[] = [];
  let promptIds: number[];
  const tracker = (maxNewTokens: number, stop: string[] = [], eos = model.config.eosTokenIds) =>
    new CompletionTracker(model.tokenizer.completionText(promptIds), { eosIds: new Set(eos), stop, maxNewTokens });

  /** A generation graph for a copy of the tiny model whose config.json names `eos` as its EOS. */
  async function graphWithEos(eos: number): Promise<GenerationGraph> {
    const copy = copyOfTinyModel();
    try {
      const file = join(copy.dir, 'config.json');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), eos_token_id: eos }));
      assert.equal(buildGraph(copy.dir).status, 0);
      const session = (await createSession(join(copy.dir, 'generation.onnx'), testSessionOptions)).session;
      sessions.push(session);
      return new GenerationGraph(session, eos, model.config.vocabSize);
    } finally {
      copy.cleanup();
    }
  }

  before(async () => {
    assertPythonOnnx();
    folder = copyOfTinyModel();
    const built = buildGraph(folder.dir);
    assert.equal(built.status, 0, built.stderr);
    model = await loadModelFolder(folder.dir, testSessionOptions);
    promptIds = model.tokenizer.encode(prompt);
    loaded = await loadGraphBeamSearch(folder.dir, testSessionOptions);
    ({ graph, scorer } = loaded);
  });
  after(async () => {
    for (const s of sessions) await s.release();
    await loaded?.release();
    await model?.release();
    folder?.cleanup();
  });

  for (const [width, steps] of [
    [4, 8],
    [8, 12],
  ] as const) {
    it(`width ${width}, ${steps} tokens: the same beams, in the same order, with the same scores as beamSearch.ts`, async () => {
      // Every sequence the JS search finished (n large: the whole pool) ran to the length limit, so no EOS ranked
      // among the kept extensions and both searches rank by the same sum.
      const js = await beamSearch(model.decoder, promptIds, tracker(steps), { width, n: 1000 });
      assert.ok(
        js.every((c) => c.finishReason === 'length'),
        'precondition: no EOS in the JS search',
      );
      const seqs = await graph.run(promptIds, { width, returned: width, maxNewTokens: steps, lengthPenalty: 0 });
      assert.equal(seqs.length, width);
      assert.deepEqual(
        seqs.map((s) => s.tokenIds),
        js.slice(0, width).map((c) => c.tokenIds),
      );
      seqs.forEach((s, i) => {
        assert.equal(s.finishedByEos, false);
        assertClose(s.score, js[i]!.logprob, 1e-4, `score of beam ${i} vs JS`);
        assertClose(s.score, referenceSum(promptIds, s.tokenIds), 1e-4, `score of beam ${i} vs reference`);
      });
      assert.equal(new Set(seqs.map((s) => s.tokenIds.join(','))).size, width, 'returned sequences are distinct');

      const cands = await graphBeamSearch(graph, scorer, promptIds, tracker(steps), { width, n: width });
      assert.deepEqual(
        cands.map((c) => [c.text, c.finishReason, c.tokenIds]),
        js.slice(0, width).map((c) => [c.text, c.finishReason, c.tokenIds]),
      );
      cands.forEach((c, i) => {
        assertClose(c.logprob, js[i]!.logprob, 1e-5, `logprob ${i}`);
        assertClose(c.meanLogprob, js[i]!.meanLogprob, 1e-5, `meanLogprob ${i}`);
        c.tokenLogprobs.forEach((lp, j) => {
          assertClose(lp, js[i]!.tokenLogprobs[j]!, 1e-5, `token ${j} of ${i}`);
        });
      });
    });
  }

  it('a prompt that holds the EOS id is read as written (the operator masks pad ids in prompts)', async () => {
    const withEos = [...promptIds.slice(0, 5), graph.eosId, ...promptIds.slice(5)];
    const steps = 6;
    const tr = new CompletionTracker(model.tokenizer.completionText(withEos), {
      eosIds: new Set(model.config.eosTokenIds),
      stop: [],
      maxNewTokens: steps,
    });
    const js = await beamSearch(model.decoder, withEos, tr, { width: 4, n: 1000 });
    assert.ok(js.every((c) => c.finishReason === 'length'));
    const seqs = await graph.run(withEos, { width: 4, returned: 4, maxNewTokens: steps });
    assert.deepEqual(
      seqs.map((s) => s.tokenIds),
      js.slice(0, 4).map((c) => c.tokenIds),
    );
    seqs.forEach((s, i) => {
      assertClose(s.score, js[i]!.logprob, 1e-4, `score ${i}`);
    });
  });

  it('EOS: sequences end at it, and the score divides the sum (EOS included) by the whole length^length_penalty', async () => {
    // The tiny model never ranks its EOS high; a copy whose config names a token the beams do pick shows how
    // ONNX Runtime finishes and scores sequences.
    const [top] = await graph.run(promptIds, { width: 4, returned: 1, maxNewTokens: 6 });
    const eos = top!.tokenIds[2]!;
    const g = await graphWithEos(eos);
    for (const lengthPenalty of [0, 1]) {
      const seqs = await g.run(promptIds, { width: 4, returned: 4, maxNewTokens: 6, lengthPenalty });
      assert.ok(
        seqs.some((s) => s.finishedByEos),
        'precondition: a sequence ended at the chosen EOS',
      );
      for (const s of seqs) {
        assert.equal(s.tokenIds.at(-1) === eos, s.finishedByEos);
        assert.equal(s.tokenIds.slice(0, -1).includes(eos), false, 'EOS only at the end');
        const length = promptIds.length + s.tokenIds.length - (s.finishedByEos ? 1 : 0);
        const expected = referenceSum(promptIds, s.tokenIds) / length ** lengthPenalty;
        assertClose(s.score, expected, 1e-4, `score with length_penalty ${lengthPenalty}`);
      }
      const scores = seqs.map((s) => s.score);
      assert.deepEqual(
        scores,
        [...scores].sort((a, b) => b - a),
        'best score first',
      );
    }
    // The candidates count the EOS token and its log-probability, as beamSearch.ts does.
    const cands = await graphBeamSearch(g, scorer, promptIds, tracker(6, [], [eos]), { width: 4, n: 4 });
    const ended = cands.filter((c) => c.finishReason === 'eos');
    assert.ok(ended.length > 0);
    for (const c of ended) {
      assert.equal(c.tokenIds.at(-1), eos);
      assertClose(c.logprob, referenceSum(promptIds, c.tokenIds), 1e-4, 'EOS candidate logprob');
    }
  });

  it('a search that is done before the length limit stops there (padding is never fed to the decoder)', async () => {
    // EOS = the most likely first token: with one beam the first step finishes a sequence that nothing can beat.
    const [greedy] = await beamSearch(model.decoder, promptIds, tracker(1), { width: 1, n: 1 });
    const eos = greedy!.tokenIds[0]!;
    const g = await graphWithEos(eos);
    const seqs = await g.run(promptIds, { width: 1, returned: 1, maxNewTokens: 16 });
    assert.deepEqual(
      seqs.map((s) => [s.tokenIds, s.finishedByEos]),
      [[[eos], true]],
    );
    assertClose(seqs[0]!.score, greedy!.logprob, 1e-4, 'score');
    const js = await beamSearch(model.decoder, promptIds, tracker(16, [], [eos]), { width: 1, n: 1 });
    assert.deepEqual(
      js.map((c) => [c.tokenIds, c.finishReason]),
      [[[eos], 'eos']],
    );
  });

  it('stop strings cut a sequence after the token that completes them; only the kept tokens are scored', async () => {
    const steps = 12;
    const [plain] = await graphBeamSearch(graph, scorer, promptIds, tracker(steps), { width: 4, n: 1 });
    assert.ok(plain!.text.length >= 6, `precondition: a long enough text, got ${JSON.stringify(plain!.text)}`);
    const stop = plain!.text.slice(3, 5);
    const cands = await graphBeamSearch(graph, scorer, promptIds, tracker(steps, [stop]), { width: 4, n: 4 });
    assert.ok(cands.some((c) => c.finishReason === 'stop'));
    assert.equal(new Set(cands.map((c) => c.text)).size, cands.length, 'distinct texts');
    const text = model.tokenizer.completionText(promptIds);
    for (const c of cands) {
      assert.ok(!c.text.includes(stop), `${JSON.stringify(c.text)} still holds the stop string`);
      if (c.finishReason === 'stop') {
        assert.ok(text.decode(c.tokenIds).includes(stop));
        assert.ok(!text.decode(c.tokenIds.slice(0, -1)).includes(stop), 'cut at the completing token');
      }
      assert.equal(c.tokenLogprobs.length, c.tokenIds.length);
      assertClose(c.logprob, referenceSum(promptIds, c.tokenIds), 1e-4, `logprob of ${JSON.stringify(c.text)}`);
      assertClose(c.meanLogprob, c.logprob / c.tokenIds.length, 1e-12, 'mean');
    }
    const means = cands.map((c) => c.meanLogprob);
    assert.deepEqual(
      means,
      [...means].sort((a, b) => b - a),
    );
  });

  it('a decoder with external weights: the graph refers to the same data file and gives the same beams', async () => {
    const copy = copyOfTinyModel();
    try {
      // Every initializer outside the .onnx file, shape constants included (the builder reads integer ones in).
      const save = spawnSync(
        python,
        [
          '-c',
          'import onnx, sys; m = onnx.load(sys.argv[1]); onnx.save_model(m, sys.argv[1], save_as_external_data=True, ' +
            'all_tensors_to_one_file=True, location="model.onnx_data", size_threshold=0)',
          join(copy.dir, 'model.onnx'),
        ],
        { encoding: 'utf8' },
      );
      assert.equal(save.status, 0, save.stderr);
      const elsewhere = buildGraph(copy.dir, join(folder.dir, 'elsewhere.onnx'));
      assert.equal(elsewhere.status, 2);
      assert.match(elsewhere.stderr, /must be written in the model folder/);
      assert.equal(buildGraph(copy.dir).status, 0);
      assert.ok(readFileSync(join(copy.dir, 'generation.onnx')).length < 64 * 1024, 'weights are not copied in');
      const session = (await createSession(join(copy.dir, 'generation.onnx'), testSessionOptions)).session;
      sessions.push(session);
      const external = new GenerationGraph(session, graph.eosId, graph.vocabSize);
      const params = { width: 4, returned: 4, maxNewTokens: 8 };
      assert.deepEqual(await external.run(promptIds, params), await graph.run(promptIds, params));
    } finally {
      copy.cleanup();
    }
  });

  it('float16 export: the graph loads, the CPU provider refuses to run it, the scorer reads float16 logits', async () => {
    const half = tempDir();
    let halfModel: LoadedModel | undefined;
    try {
      writeTinyModelFolder(half.dir, { float16Io: true });
      const built = buildGraph(half.dir);
      assert.equal(built.status, 0, built.stderr);
      halfModel = await loadModelFolder(half.dir, testSessionOptions);
      // The subgraph passes ONNX Runtime's checks when the session is created...
      const session = (await createSession(join(half.dir, 'generation.onnx'), testSessionOptions)).session;
      const dec = (await createSession(join(half.dir, 'model.onnx'), testSessionOptions)).session;
      sessions.push(session, dec);
      const g = new GenerationGraph(session, halfModel.config.eosTokenIds[0]!, halfModel.config.vocabSize);
      // ...but ONNX Runtime runs a float16 BeamSearch only on CUDA (not verified here).
      await assert.rejects(g.run(promptIds, { width: 2, returned: 2, maxNewTokens: 4 }), /does not support float16/);
      const io = checkDecoderIo(dec.inputMetadata, dec.outputMetadata, halfModel.config);
      assert.equal(io.kvType, 'float16');
      const scorer16 = new OnnxSequenceScorer(dec, io);
      const js = await beamSearch(halfModel.decoder, promptIds, tracker(8), { width: 4, n: 4 });
      for (const c of js) {
        const lps = await scorer16.score(promptIds, c.tokenIds);
        // The same float16 logits, widened the same way, log-softmax in float64 (one run vs cached steps).
        lps.forEach((lp, k) => {
          assertClose(lp, c.tokenLogprobs[k]!, 2e-2, `float16 token ${k}`);
        });
      }
    } finally {
      await halfModel?.release();
      half.cleanup();
    }
  });

  it('rejects requests the operator cannot serve before running it', async () => {
    await assert.rejects(graph.run(promptIds, { width: 2, returned: 3, maxNewTokens: 4 }), /from 1 to the beam width/);
    await assert.rejects(graph.run(promptIds, { width: 129, returned: 1, maxNewTokens: 4 }), /from 1 to 128/);
    await assert.rejects(graph.run(promptIds, { width: 2, returned: 1, maxNewTokens: 0 }), /no room to generate/);
  });

  it('a folder without generation.onnx, or with a model.onnx in its place, is refused with the reason', async () => {
    const copy = copyOfTinyModel();
    try {
      await assert.rejects(loadGraphBeamSearch(copy.dir, testSessionOptions), /generation\.onnx is missing; build it/);
      writeFileSync(join(copy.dir, 'generation.onnx'), readFileSync(join(copy.dir, 'model.onnx')));
      await assert.rejects(
        loadGraphBeamSearch(copy.dir, testSessionOptions),
        /the generation graph cannot be used: not a BeamSearch generation graph[\s\S]*input "max_length" is missing/,
      );
    } finally {
      copy.cleanup();
    }
  });

  it('LocalGenerator "on": beam search runs in generation.onnx, its sequences rescored by the folder\'s model.onnx', async () => {
    // generation.onnx built from other weights than model.onnx beside it: the candidates show which ran.
    const other = tempDir();
    try {
      writeTinyModelFolder(other.dir, { seed: 7 });
      const built = buildGraph(other.dir);
      assert.equal(built.status, 0, built.stderr);
      for (const f of ['model.onnx', 'config.json', 'tokenizer.json']) {
        writeFileSync(join(other.dir, f), readFileSync(join(folder.dir, f)));
      }
      const opts = { n: 4, beamWidth: 4, maxNewTokens: 8 };
      const viaGraph = await LocalGenerator.load(other.dir, testSessionOptions, 'on');
      const stepwise = await LocalGenerator.load(other.dir, testSessionOptions, 'off');
      const direct = await loadGraphBeamSearch(other.dir, testSessionOptions);
      try {
        assert.equal(viaGraph.info().generationGraph.used, true);
        assert.match(viaGraph.info().generationGraph.reason, /one ONNX Runtime run \(generation\.onnx, on\)/);
        assert.deepEqual(stepwise.info().generationGraph, { used: false, reason: 'generation graph off' });
        const got = await viaGraph.generate(prompt, opts);
        const expected = await graphBeamSearch(direct.graph, direct.scorer, promptIds, tracker(8), { width: 4, n: 4 });
        assert.deepEqual(
          got.map((c) => [c.tokenIds, c.tokenLogprobs]),
          expected.map((c) => [c.tokenIds, c.tokenLogprobs]),
        );
        // Scored by this folder's model.onnx (the reference forward of the tiny weights), not by the graph's.
        for (const c of got) assertClose(c.logprob, referenceSum(promptIds, c.tokenIds), 1e-4, c.text);
        const steps = await stepwise.generate(prompt, opts);
        assert.deepEqual(
          steps.map((c) => c.tokenIds),
          (await beamSearch(model.decoder, promptIds, tracker(8), { width: 4, n: 4 })).map((c) => c.tokenIds),
        );
        assert.notDeepEqual(
          got.map((c) => c.tokenIds),
          steps.map((c) => c.tokenIds),
          'the graph of other weights finds other beams',
        );
        // Sampling never uses the graph.
        const sampled = await viaGraph.generate(prompt, { n: 2, temperature: 1, seed: 3, maxNewTokens: 6 });
        assert.deepEqual(
          sampled.map((c) => c.tokenIds),
          (await stepwise.generate(prompt, { n: 2, temperature: 1, seed: 3, maxNewTokens: 6 })).map((c) => c.tokenIds),
        );
      } finally {
        await viaGraph.release();
        await stepwise.release();
        await direct.release();
      }
    } finally {
      other.cleanup();
    }
  });

  it('LocalGenerator "auto" on the CPU searches step by step and says why; "on" without a usable graph is an error', async () => {
    const auto = await LocalGenerator.load(folder.dir, testSessionOptions, 'auto');
    try {
      assert.deepEqual(auto.info().generationGraph, {
        used: false,
        reason: 'generation.onnx is used on cuda only ("auto"); this model runs on cpu',
      });
    } finally {
      await auto.release();
    }
    const copy = copyOfTinyModel();
    try {
      const none = await LocalGenerator.load(copy.dir, testSessionOptions);
      assert.deepEqual(none.info().generationGraph, { used: false, reason: 'no generation.onnx in the folder' });
      await none.release();
      await assert.rejects(
        LocalGenerator.load(copy.dir, testSessionOptions, 'on'),
        /generation\.onnx is missing; build it/,
      );
      writeFileSync(join(copy.dir, 'generation.onnx'), readFileSync(join(copy.dir, 'model.onnx')));
      await assert.rejects(
        LocalGenerator.load(copy.dir, testSessionOptions, 'on'),
        /the generation graph cannot be used: not a BeamSearch generation graph/,
      );
    } finally {
      copy.cleanup();
    }
  });

  it('the worker takes the mode from createGenerator', async () => {
    const g = createGenerator(folder.dir, { sessionOptions: testSessionOptions, generationGraph: 'on' });
    try {
      const info = await g.info();
      assert.ok('generationGraph' in info && info.generationGraph.used);
      const cands = await g.generate(prompt, { n: 4, maxNewTokens: 8 });
      assert.deepEqual(
        cands.map((c) => c.tokenIds),
        (await graphBeamSearch(graph, scorer, promptIds, tracker(8), { width: 4, n: 4 })).map((c) => c.tokenIds),
      );
    } finally {
      await g.dispose();
    }
  });

  it('the builder refuses a decoder that does not match config.json, naming what is missing', () => {
    const copy = copyOfTinyModel();
    try {
      const file = join(copy.dir, 'config.json');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), num_hidden_layers: 3 }));
      const r = buildGraph(copy.dir);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /cannot be wrapped for BeamSearch/);
      assert.match(r.stderr, /input "past_key_values\.2\.key" is missing/);
      assert.match(r.stderr, /output "present\.2\.value" is missing/);
      assert.equal(existsSync(join(copy.dir, 'generation.onnx')), false);
      writeFileSync(
        file,
        JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), num_hidden_layers: 2, vocab_size: 500 }),
      );
      const vocab = buildGraph(copy.dir);
      assert.equal(vocab.status, 2, vocab.stderr);
      assert.match(vocab.stderr, /output "logits" has vocabulary size 456 but config\.json says vocab_size = 500/);
    } finally {
      copy.cleanup();
    }
  });
});
