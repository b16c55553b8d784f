// `llemma-train convert` on tiny random Llama checkpoints in the Hugging Face layout: sharded safetensors with a
// tokenizer.json (bfloat16, grouped-query attention, RoPE base 1e6, a vocabulary padded beyond the tokenizer), and a
// single safetensors file with only SentencePiece's tokenizer.model (float16, tied embeddings, linear RoPE scaling).
// Each dtype's folder answers `llemma candidates` (the product's CLI, a real process) with the top candidates that the
// runtime's own beam search finds on the checkpoint's PyTorch logits. And what must fail does, leaving nothing.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { llemmaFewshotTemplate, type ProposedTactic } from '@llemma/model';
import { parseConvertArgs } from '../src/convert/options';
import { type ConvertReport, runConvertStage } from '../src/convert/stage';
import { repoDir, workspaceDir } from '../src/run/layout';
import { pythonCommand, pythonDir } from '../src/train/python';
import { mathlibLike } from './helpers';
import { PyTorchReference } from './pytorchReference';
import { assertPythonReady } from './smokeFixture';

const run = promisify(execFile);
const goal = 'n : ℕ\nh : 0 < n\n⊢ n + 0 = n';
const budget = { candidates: 6, beamWidth: 6, maxNewTokens: 5 };

function randomCheckpoint(out: string, args: string[]): void {
  const r = spawnSync(pythonCommand(), ['-m', 'llemma_train.random_checkpoint', out, '--shape', 'tiny', ...args], {
    cwd: pythonDir,
    env: { ...process.env, PYTHONPATH: pythonDir },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
}

/** `llemma candidates` as a user runs it, on a model folder. */
async function candidates(folder: string): Promise<ProposedTactic[]> {
  const args = ['--goal', goal, '--model', folder, '--n', String(budget.candidates), '--max-tokens'];
  // The model alone: its ranking is what is compared with PyTorch's (the default adds the decision procedures).
  args.push(String(budget.maxNewTokens), '--ep', 'cpu', '--sources', 'model', '--json');
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', path.join(repoDir, 'server/cli/main.ts'), 'candidates', ...args],
    {
      cwd: repoDir,
      env: { ...process.env, LLEMMA_MODEL: '' },
    },
  );
  return JSON.parse(stdout).candidates;
}

const convertBin = (args: string[]) =>
  spawnSync(process.execPath, [path.join(workspaceDir, 'bin', 'llemma-train.mjs'), 'convert', ...args], {
    encoding: 'utf8',
  });

describe('llemma-train convert', () => {
  let dir: string;
  let a: string;
  let b: string;
  const reports: Record<string, ConvertReport> = {};
  const refs: PyTorchReference[] = [];
  before(async () => {
    assertPythonReady();
    dir = mkdtempSync(path.join(tmpdir(), 'llemma-convert-'));
    a = path.join(dir, 'hf-a');
    randomCheckpoint(a, ['--dtype', 'bfloat16', '--set', 'vocab_size=8064', '--shard-bytes', '200000']);
    copyFileSync(path.join(repoDir, 'model/default/tokenizer.json'), path.join(a, 'tokenizer.json'));
    const corpus = path.join(dir, 'lean.txt');
    writeFileSync(corpus, [llemmaFewshotTemplate, mathlibLike('Foo', 30, 1), mathlibLike('Bar', 30, 2)].join('\n'));
    b = path.join(dir, 'hf-b');
    randomCheckpoint(b, [
      ...['--dtype', 'float16', '--set', 'num_key_value_heads=4', '--set', 'tie_word_embeddings=true'],
      ...['--set', 'rope_scaling={"type": "linear", "factor": 2.0}', '--sentencepiece', corpus],
      ...['--sentencepiece-vocab', '400'],
    ]);
    const sample = path.join(dir, 'sample.lean');
    writeFileSync(sample, mathlibLike('Baz', 40, 3));
    const convert = async (name: string, src: string, args: string[]) => {
      reports[name] = await runConvertStage(parseConvertArgs([src, path.join(dir, name), ...args]));
    };
    await Promise.all([
      convert('a-fp32', a, ['--dtype', 'fp32', '--generation-graph']),
      convert('a-fp16', a, ['--dtype', 'fp16', '--check-tokens', '48']),
      convert('a-int4', a, ['--dtype', 'int4', '--check-tokens', '48']),
      convert('b-fp32', b, ['--dtype', 'fp32', '--sample', sample]),
    ]);
  });
  after(() => {
    for (const r of refs) r.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the folders follow the contract; a padded vocabulary is cut to the tokenizer; nothing partial is left', () => {
    const ra = reports['a-fp32']!;
    assert.equal(ra.vocabRows, 8000);
    assert.equal(ra.checkpointVocabSize, 8064);
    assert.deepEqual(ra.checkpointDtypes, ['bfloat16']);
    assert.ok(existsSync(path.join(dir, 'a-fp32', 'conversion.json')));
    assert.deepEqual(Object.keys(ra.files).sort(), [
      'config.json',
      'generation.onnx',
      'model.onnx',
      'model.onnx_data',
      'tokenizer.json',
    ]);
    const config = JSON.parse(readFileSync(path.join(dir, 'a-int4', 'config.json'), 'utf8'));
    assert.equal(config.vocab_size, 8000);
    assert.equal(config.rope_theta, 1e6);
    assert.equal(config.num_key_value_heads, 2);
    assert.deepEqual(config.llemma, {
      format_version: 1,
      prompt_format: 'llemma-fewshot',
      context_length: 4096,
      conversion: {
        dtype: 'int4',
        checkpoint_dtypes: ['bfloat16'],
        checkpoint_vocab_size: 8064,
        block_size: 32,
        accuracy_level: 4,
      },
    });
    assert.deepEqual(reports['a-int4']!.int4, { blockSize: 32, accuracyLevel: 4 });
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('partial')),
      [],
    );
  });

  test('each dtype is checked against PyTorch within its bound (fp32 to rounding)', () => {
    for (const [name, r] of Object.entries(reports)) {
      assert.ok(typeof r.check !== 'string', `${name}: ${r.check}`);
      assert.ok(r.check.passed, `${name}: ${JSON.stringify(r.check.worst)}`);
    }
    const fp32 = reports['a-fp32']!.check as Exclude<ConvertReport['check'], string>;
    assert.ok(fp32.worst.relative < 1e-5, JSON.stringify(fp32.worst));
    assert.ok(fp32.prompts.every((p) => p.prompt.sameTop && p.cachedStep.sameTop));
    // int4 is held to PyTorch on the same quantized weights, and is much closer to them than to the original ones.
    const int4 = reports['a-int4']!.check as Exclude<ConvertReport['check'], string>;
    assert.ok(int4.quantization, 'the int4 check reports the distance from the original weights');
    assert.ok(int4.quantization.kl > 10 * int4.worst.kl, JSON.stringify([int4.worst, int4.quantization]));
    assert.equal(fp32.quantization, undefined);
  });

  test('a tokenizer.model is converted and tokenizes the Lean sample as SentencePiece does', () => {
    const r = reports['b-fp32']!;
    assert.equal(r.tokenizer.source, 'tokenizer.model (converted)');
    assert.equal(r.tokenizer.proof?.mismatchCount, 0);
    assert.ok((r.tokenizer.proof?.texts ?? 0) > 10 && (r.tokenizer.proof?.tokens ?? 0) > 5000);
    assert.ok(r.vocabRows <= 400 && r.checkpointVocabSize === 512);
  });

  test('llemma candidates on each folder returns the PyTorch reference’s top candidates', async () => {
    const refA = new PyTorchReference(a);
    const refB = new PyTorchReference(b);
    refs.push(refA, refB);
    const expected = await (await refA.tacticModel(path.join(dir, 'a-fp32'))).proposeTactics({ goals: [goal] }, budget);
    const expectedB = await (await refB.tacticModel(path.join(dir, 'b-fp32'))).proposeTactics(
      { goals: [goal] },
      budget,
    );
    const [fp32, fp16, int4, bFp32] = await Promise.all(
      ['a-fp32', 'a-fp16', 'a-int4', 'b-fp32'].map((f) => candidates(path.join(dir, f))),
    );
    const tactics = (list: readonly { tactic: string }[]) => list.map((c) => c.tactic);
    assert.equal(expected.length, budget.candidates);
    // fp32: the same tactics in the same order, the same scores to rounding.
    assert.deepEqual(tactics(fp32!), tactics(expected));
    assert.deepEqual(tactics(bFp32!), tactics(expectedB));
    const mean = (c: ProposedTactic | undefined) => c?.meanLogprob ?? Number.NaN;
    for (const [i, c] of fp32!.entries()) assert.ok(Math.abs(mean(c) - mean(expected[i])) < 1e-4);
    // fp16: the same best candidate, at least 5 of 6 shared, scores within 0.01.
    const shared = (list: readonly { tactic: string }[]) => tactics(list).filter((t) => tactics(expected).includes(t));
    assert.equal(fp16![0]!.tactic, expected[0]!.tactic);
    assert.ok(shared(fp16!).length >= 5, JSON.stringify([tactics(fp16!), tactics(expected)]));
    for (const c of fp16!) {
      const e = expected.find((x) => x.tactic === c.tactic);
      if (e) assert.ok(Math.abs(mean(c) - mean(e)) < 0.01, `${mean(c)} vs ${mean(e)}`);
    }
    // int4 changes the weights (4-bit blocks; on random weights the next-token KL is about 0.1 nats): its best
    // candidate is among the reference's best three, and at least two of the six are the reference's.
    const int4Why = JSON.stringify([tactics(int4!), tactics(expected)]);
    assert.ok(tactics(expected).slice(0, 3).includes(int4![0]!.tactic), int4Why);
    assert.ok(shared(int4!).length >= 2, int4Why);
  });

  test('a corrupt shard, a missing tokenizer, another architecture: a message naming it, no folder', () => {
    const broken = (name: string, edit: (folder: string) => void) => {
      const src = path.join(dir, `src-${name}`);
      cpSync(a, src, { recursive: true });
      edit(src);
      const out = path.join(dir, `out-${name}`);
      const r = convertBin([src, out, '--dtype', 'int4']);
      assert.equal(r.status, 1, r.stderr);
      assert.ok(!existsSync(out), `${out} must not exist`);
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.includes('partial')),
        [],
      );
      return r.stderr;
    };
    const index = JSON.parse(readFileSync(path.join(a, 'model.safetensors.index.json'), 'utf8'));
    const shard = index.weight_map['model.layers.1.mlp.down_proj.weight'] as string;
    const stderr = broken('shard', (src) => truncateSync(path.join(src, shard), 2000));
    assert.match(stderr, new RegExp(`${shard}.*(truncated|does not fit)`));
    assert.match(
      broken('tokenizer', (src) => rmSync(path.join(src, 'tokenizer.json'))),
      /no tokenizer: neither tokenizer\.json nor tokenizer\.model/,
    );
    const arch = broken('arch', (src) => {
      const config = JSON.parse(readFileSync(path.join(src, 'config.json'), 'utf8'));
      writeFileSync(
        path.join(src, 'config.json'),
        JSON.stringify({ ...config, model_type: 'gpt_neox', architectures: ['GPTNeoXForCausalLM'] }),
      );
    });
    assert.match(arch, /config\.json: model_type is "gpt_neox"; only "llama"/);
    assert.match(arch, /config\.json: architectures is \["GPTNeoXForCausalLM"\]/);
    const scaled = broken('rope', (src) => {
      const config = JSON.parse(readFileSync(path.join(src, 'config.json'), 'utf8'));
      writeFileSync(
        path.join(src, 'config.json'),
        JSON.stringify({ ...config, rope_scaling: { type: 'dynamic', factor: 2 } }),
      );
    });
    assert.match(scaled, /rope_scaling\.rope_type is "dynamic"/);
  });

  test('the command line: usage errors exit 2, an existing folder is never overwritten', () => {
    const r = convertBin([a]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /convert needs a checkpoint folder and a model folder[\s\S]*usage: llemma-train convert/);
    assert.equal(convertBin([a, path.join(dir, 'x'), '--dtype', 'int8']).status, 2);
    const taken = convertBin([a, path.join(dir, 'a-fp32'), '--no-check']);
    assert.equal(taken.status, 1);
    assert.match(taken.stderr, /already exists and is not an empty folder/);
    assert.ok(existsSync(path.join(dir, 'a-fp32', 'model.onnx')));
    const help = convertBin(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--dtype\s+fp16 \(default; for CUDA\)/);
  });
});
