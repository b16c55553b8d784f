import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import type { RunConfig } from '../src/run/config';
import { runFiles } from '../src/run/layout';
import { drawLossCurve, readLossLog, ticks } from '../src/train/lossCurve';
import { pythonCommand, pythonDir } from '../src/train/python';
import { runTrainStage, trainerConfig } from '../src/train/stage';
import { assertPythonReady, packedTinyRun } from './smokeFixture';

function spawnAsync(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}: ${stderr.slice(-2000)}`))));
  });
}

describe('llemma_train (Python unit tests)', () => {
  it('model, packed inputs, schedule, config and checkpoints', () => {
    assertPythonReady();
    const r = spawnSync(pythonCommand(), ['-m', 'unittest', 'discover', '-s', 'tests'], {
      cwd: pythonDir,
      env: { ...process.env, PYTHONPATH: pythonDir },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Ran \d+ tests/);
  });
});

describe('train stage', () => {
  let dir: string;
  let run: RunConfig;
  before(async () => {
    assertPythonReady();
    dir = mkdtempSync(path.join(tmpdir(), 'llemma-train-'));
    run = await packedTinyRun(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('hands the trainer the vocabulary, context and special ids of the earlier stages', () => {
    const cfg = trainerConfig(run) as { model: Record<string, number>; data: string; seed: number };
    const index = JSON.parse(readFileSync(cfg.data, 'utf8'));
    assert.equal(cfg.model['vocab_size'], index.vocab_size);
    assert.equal(cfg.model['max_position_embeddings'], 192);
    assert.equal(cfg.model['bos_token_id'], 1);
    assert.equal(cfg.model['eos_token_id'], 2);
    assert.equal(cfg.seed, 7);
  });

  it('resumes exactly: 10 steps + resume + 10 steps give the losses of 20 steps straight', async () => {
    const straight: RunConfig = { ...run, runDir: path.join(dir, 'straight') };
    cpSync(path.join(run.runDir, 'pack'), path.join(straight.runDir, 'pack'), { recursive: true });
    const full = await runTrainStage(straight, { fresh: true });
    assert.equal(full.steps, 20);

    const first = await runTrainStage(run, { fresh: true, stopAt: 10 });
    assert.equal(first.steps, 10);
    const second = await runTrainStage(run);
    assert.equal(second.steps, 20);
    const losses = (r: RunConfig) =>
      readLossLog(runFiles(r.runDir).lossLog).map((x) => `${x.split} ${x.step} ${x.loss}`);
    assert.equal(losses(run).length, 22);
    assert.deepEqual(losses(run), losses(straight));
    assert.equal(second.tokens, full.tokens);
  });

  it('under torchrun-style launch (2 CPU processes, DDP over gloo) matches one process with the same global batch', async () => {
    const base = trainerConfig(run);
    const launch = (name: string, ranks: number, batch: number) => {
      const out = path.join(dir, name);
      const file = path.join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify({ ...base, out_dir: out, batch_size: batch, max_steps: 6, threads: 1 }));
      const port = String(20000 + (process.pid % 20000));
      const procs = Array.from({ length: ranks }, (_, rank) =>
        spawnAsync(pythonCommand(), ['-m', 'llemma_train.train', '--config', file], {
          cwd: pythonDir,
          env: {
            ...process.env,
            PYTHONPATH: pythonDir,
            ...(ranks > 1
              ? {
                  RANK: String(rank),
                  LOCAL_RANK: String(rank),
                  WORLD_SIZE: String(ranks),
                  MASTER_ADDR: '127.0.0.1',
                  MASTER_PORT: port,
                }
              : {}),
          },
        }),
      );
      return Promise.all(procs).then(() => readLossLog(path.join(out, 'loss.jsonl')));
    };
    const ddp = await launch('ddp', 2, 2);
    const single = await launch('single', 1, 4);
    assert.equal(ddp.length, single.length);
    for (const [i, r] of ddp.entries()) {
      assert.ok(Math.abs(r.loss - (single[i]?.loss as number)) < 1e-5, `${r.split} ${r.step}`);
    }
  });

  it('starts over when the trainer config changes', async () => {
    const changed: RunConfig = {
      ...run,
      stages: { ...run.stages, train: { ...run.stages.train, train: { ...run.stages.train.train, max_steps: 4 } } },
    };
    const summary = await runTrainStage(changed);
    assert.equal(summary.steps, 4);
    assert.ok(existsSync(runFiles(run.runDir).lossPng));
  });
});

describe('loss curve', () => {
  it('is a valid PNG of the requested size', () => {
    const png = drawLossCurve([
      { step: 10, split: 'train', loss: 5 },
      { step: 20, split: 'train', loss: 3.5 },
      { step: 20, split: 'heldout', loss: 3.9 },
    ]);
    assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
    assert.equal(png.readUInt32BE(16), 900);
    assert.equal(png.readUInt32BE(20), 540);
    const idatLength = png.readUInt32BE(33);
    assert.equal(png.subarray(37, 41).toString('ascii'), 'IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    assert.equal(raw.length, (900 * 3 + 1) * 540);
  });

  it('puts ticks on round numbers', () => {
    assert.deepEqual(ticks(0, 1000), [0, 200, 400, 600, 800, 1000]);
    assert.deepEqual(ticks(1.13, 2.9), [1.5, 2, 2.5]);
  });
});
