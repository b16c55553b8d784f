/**
 * OpenAICompletionsGenerator against openaiDouble.mjs, a real HTTP server in its own process: the request bodies sent
 * (beam search the vLLM way, sampling, the fallback without beam search), scores and ranking, stop strings the
 * server did not apply, null log-probabilities, both log-prob shapes, every failure message, cancellation, and
 * answers that are huge or malformed.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ModelServerError,
  type ModelServerErrorKind,
  OpenAICompletionsGenerator,
  type OpenAICompletionsOptions,
} from '../../model/src/openaiBackend';
import type { Candidate } from '../../model/src/types';

const doubleScript = join(import.meta.dirname, '..', 'doubles', 'openaiDouble.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'llemma-openai-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.stdin?.end();
  rmSync(tmp, { recursive: true, force: true });
});
let counter = 0;

interface Logged {
  event: 'request' | 'closed-early';
  method?: string;
  path: string;
  authorization?: string | null;
  body?: Record<string, unknown>;
}

/** Starts a double on these rules; `requests()` lists what it received, `completions()` the completions bodies. */
async function startDouble(rules: object[]) {
  const base = join(tmp, String(counter++));
  writeFileSync(`${base}-rules.json`, JSON.stringify({ rules }));
  const logFile = `${base}-log.jsonl`;
  const child = spawn(process.execPath, [doubleScript, '--rules', `${base}-rules.json`, '--log', logFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listening (\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`the double exited with ${code} before listening`)));
  });
  const events = (): Logged[] =>
    existsSync(logFile)
      ? readFileSync(logFile, 'utf8')
          .trim()
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Logged)
      : [];
  const requests = () => events().filter((e) => e.event === 'request');
  const completions = () =>
    requests()
      .filter((e) => e.path === '/v1/completions')
      .map((e) => e.body!);
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  const generator = (opts: Partial<OpenAICompletionsOptions> = {}) =>
    new OpenAICompletionsGenerator({ baseUrl, model: 'llemma-test', beamSearch: 'off', ...opts });
  return { port, baseUrl, events, requests, completions, generator };
}

/** A model list as vLLM (owned_by "vllm") or llama.cpp ("llamacpp") answers GET /v1/models. */
const modelsRule = (ownedBy: string, extra: object = {}) => ({
  match: { path: '/v1/models', method: 'GET' },
  respond: { object: 'list', data: [{ id: 'served-model', object: 'model', owned_by: ownedBy, ...extra }] },
});

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function failure(promise: Promise<unknown>, kind: ModelServerErrorKind): Promise<ModelServerError> {
  const err = await promise.then(
    () => assert.fail(`expected a ModelServerError '${kind}'`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ModelServerError, String(err));
  assert.equal(err.kind, kind, err.message);
  return err;
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); await sleep(10)) if (Date.now() > end) assert.fail(`timed out: ${what}`);
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

const prompt = 'Tactic state:\n---\nn : ℕ\n⊢ n + 0 = n\n---\nNext tactic:\n---';
const llemmaSearch = { n: 4, stop: ['---'], maxNewTokens: 64 };

describe('requests', () => {
  it('asks a vLLM server (found by its model list) for beam search the vLLM way', async () => {
    const d = await startDouble([
      modelsRule('vllm', { max_model_len: 4096 }),
      {
        match: { use_beam_search: true, n: 4 },
        completions: [{ text: 'simp', logprobs: [-0.5, -0.1] }],
      },
    ]);
    const g = new OpenAICompletionsGenerator({ baseUrl: d.baseUrl });
    await g.generate(prompt, llemmaSearch);
    await g.generate(prompt, llemmaSearch);
    const [body] = d.completions();
    assert.deepEqual(body, {
      model: 'served-model',
      prompt,
      n: 4,
      max_tokens: 64,
      temperature: 0,
      stop: ['---'],
      logprobs: 1,
      use_beam_search: true,
      best_of: 4,
    });
    assert.equal(d.requests().filter((r) => r.path === '/v1/models').length, 1, 'the model list is asked for once');
    const info = await g.info();
    assert.equal(info.beamSearch, 'vllm');
    assert.equal(info.contextLength, 4096);
  });

  it('asks for beamWidth beams and returns the best n', async () => {
    const d = await startDouble([
      {
        match: { use_beam_search: true, n: 6 },
        completions: ['a', 'b', 'c', 'd', 'e', 'f'].map((text, i) => ({ text, logprobs: [-(i + 1)] })),
      },
    ]);
    const out = await d.generator({ beamSearch: 'vllm' }).generate(prompt, { n: 2, beamWidth: 6 });
    assert.deepEqual(
      out.map((c) => c.text),
      ['a', 'b'],
    );
    assert.equal(d.completions()[0]!.best_of, 6);
  });

  it('generateBatch sends one request per prompt and returns the results in prompt order', async () => {
    const other = '⊢ True';
    const d = await startDouble([
      { match: { promptIncludes: 'True' }, completions: [{ text: 'trivial', logprobs: [-0.25] }] },
      { match: { promptIncludes: 'n + 0' }, completions: [{ text: 'simp', logprobs: [-0.5] }] },
    ]);
    const out = await d.generator({ beamSearch: 'off' }).generateBatch([prompt, other, prompt], { n: 1 });
    assert.deepEqual(
      out.map((cands) => cands.map((c) => c.text)),
      [['simp'], ['trivial'], ['simp']],
    );
    assert.deepEqual(
      d
        .completions()
        .map((b) => b.prompt)
        .sort(),
      [other, prompt, prompt].sort(),
    );
  });

  it('samples at the requested temperature with the seed, without beam-search fields', async () => {
    const d = await startDouble([
      { match: { temperature: 0.7, n: 3 }, completions: [{ text: 'ring', logprobs: [-1, -1] }] },
    ]);
    await d.generator({ beamSearch: 'vllm' }).generate(prompt, { n: 3, temperature: 0.7, seed: 42, maxNewTokens: 8 });
    const [body] = d.completions();
    assert.equal(body!.temperature, 0.7);
    assert.equal(body!.seed, 42);
    assert.equal(body!.n, 3);
    assert.equal(body!.max_tokens, 8);
    assert.equal(body!.logprobs, 1);
    assert.ok(!('use_beam_search' in body!) && !('best_of' in body!) && !('stop' in body!), JSON.stringify(body));
  });

  it('decodes greedily for one candidate, without beam-search fields', async () => {
    const d = await startDouble([
      { match: { n: 1, temperature: 0 }, completions: [{ text: 'rfl', logprobs: [-0.2] }] },
    ]);
    const out = await d.generator({ beamSearch: 'vllm' }).generate(prompt, { n: 1 });
    assert.equal(out[0]!.text, 'rfl');
    assert.ok(!('use_beam_search' in d.completions()[0]!));
    assert.equal(d.completions()[0]!.max_tokens, 256, 'the default of 256 new tokens');
  });

  it('without beam search, serves temperature 0 as the greedy answer plus samples at the fallback temperature', async () => {
    const d = await startDouble([
      modelsRule('llamacpp'),
      { match: { n: 1, temperature: 0 }, completions: [{ text: 'norm_num', logprobs: [-0.1, -0.1] }] },
      {
        match: { n: 4, temperature: 1 },
        completions: [
          { text: 'norm_num', logprobs: [-0.5, -0.5] },
          { text: 'simp', logprobs: [-0.3] },
          { text: 'omega', logprobs: [-2] },
        ],
      },
    ]);
    const g = new OpenAICompletionsGenerator({ baseUrl: d.baseUrl, model: 'm', beamSearch: 'auto' });
    const out = await g.generate(prompt, { n: 4, stop: ['---'], seed: 7 });
    assert.deepEqual(
      out.map((c) => [c.text, c.meanLogprob]),
      [
        ['norm_num', -0.1],
        ['simp', -0.3],
        ['omega', -2],
      ],
    );
    const bodies = d.completions();
    assert.equal(bodies.length, 2);
    assert.ok(bodies.every((b) => !('use_beam_search' in b)));
    assert.equal(bodies.find((b) => b.n === 4)!.seed, 7);
    const info = await g.info();
    assert.equal(info.beamSearch, 'off');
    assert.equal(info.serverKind, 'llamacpp');
    assert.match(info.decoding, /greedy completion plus beamWidth samples at temperature 1/);
  });

  it("beamSearch 'off' never asks for beam search, even from vLLM; a configured model needs no model list", async () => {
    const d = await startDouble([
      modelsRule('vllm'),
      { match: { use_beam_search: false }, completions: [{ text: 'simp', logprobs: [-1] }] },
    ]);
    await d.generator({ beamSearch: 'off' }).generate(prompt, llemmaSearch);
    assert.equal(d.completions().length, 2);
    assert.ok(d.completions().every((b) => !('use_beam_search' in b) && b.model === 'llemma-test'));
    assert.equal(d.requests().filter((r) => r.path === '/v1/models').length, 0);
  });

  it('sends the API key as a bearer token and merges extraBody without letting it override the request', async () => {
    const d = await startDouble([
      modelsRule('vllm'),
      { match: { n: 1 }, completions: [{ text: 'simp', logprobs: [-1] }] },
    ]);
    const g = new OpenAICompletionsGenerator({
      baseUrl: d.baseUrl,
      apiKey: 'sk-test',
      extraBody: { top_k: 5, n: 99, return_token_ids: true },
    });
    await g.generate(prompt, { n: 1 });
    assert.ok(d.requests().length >= 2);
    assert.ok(d.requests().every((r) => r.authorization === 'Bearer sk-test'));
    const [body] = d.completions();
    assert.equal(body!.top_k, 5);
    assert.equal(body!.return_token_ids, true);
    assert.equal(body!.n, 1);
    assert.equal(body!.model, 'served-model', 'the first listed model is used when none is configured');
  });

  it('does nothing on construction and rejects bad options before any request', async () => {
    const d = await startDouble([{ match: {}, completions: [{ text: 'x', logprobs: [-1] }] }]);
    const g = d.generator();
    await assert.rejects(g.generate(prompt, { n: 2, beamWidth: 1 }), RangeError);
    await assert.rejects(g.generate(prompt, { n: 1, stop: [''] }), RangeError);
    await assert.rejects(
      g.generate(prompt, { n: 1, signal: AbortSignal.abort() }),
      (e: Error) => e.name === 'AbortError',
    );
    assert.deepEqual(d.requests(), []);
    assert.throws(() => new OpenAICompletionsGenerator({ baseUrl: 'ftp://x/v1' }), /baseUrl must be http/);
    assert.throws(() => new OpenAICompletionsGenerator({ baseUrl: 'x', beamSearch: 'on' as 'off' }), /beamSearch/);
  });
});

describe('candidates', () => {
  it('scores by the sum of log-probs and its mean per token, sorts by the mean, dedupes stripped texts', async () => {
    const d = await startDouble([
      {
        match: {},
        completions: [
          { text: 'linarith', logprobs: [-1, -1, -1, -1] }, // sum -4, mean -1
          { text: 'simp', logprobs: [-1.5] }, // sum -1.5, mean -1.5: a better sum, a worse mean
          { text: ' rfl', logprobs: [-0.6, -0.6] }, // mean -0.6
          { text: 'rfl ', logprobs: [-0.2, -0.2, -0.2] }, // the same tactic stripped, mean -0.2: kept
          { text: 'omega', logprobs: [-3] },
        ],
      },
    ]);
    const out = await d.generator({ beamSearch: 'vllm' }).generate(prompt, { n: 5 });
    assert.deepEqual(
      out.map((c) => c.text),
      ['rfl ', 'linarith', 'simp', 'omega'],
    );
    for (const c of out) {
      assert.ok(Math.abs(c.logprob - sum(c.tokenLogprobs)) < 1e-12);
      assert.ok(Math.abs(c.meanLogprob - c.logprob / c.tokenIds.length) < 1e-12);
      assert.equal(c.tokenIds.length, c.tokenLogprobs.length);
    }
    const linarith = out.find((c) => c.text === 'linarith')!;
    assert.equal(linarith.logprob, -4);
    assert.equal(linarith.meanLogprob, -1);
    assert.deepEqual(linarith.tokenIds, [-1, -1, -1, -1], 'ids the server did not report are -1');
    assert.ok(Math.abs(out.find((c) => c.text === 'rfl ')!.meanLogprob - -0.2) < 1e-12);
  });

  it('cuts at a stop string the server did not apply and scores the tokens through the one completing it', async () => {
    const d = await startDouble([
      {
        match: {},
        completions: [
          {
            // vLLM's beam search ignores `stop`: the beam ran on past the tactic.
            text: 'norm_num\n---\n\nTactic state',
            tokens: ['norm', '_num', '\n--', '-\n', '\nTactic', ' state'],
            logprobs: [-0.1, -0.2, -0.3, -0.4, -5, -5],
            finish_reason: 'length',
          },
          {
            // Token strings that do not spell the text: nothing to cut the scores at, all tokens count.
            text: 'simp\n---\nmore',
            tokens: ['bytes:\\xe2', 'x', 'y'],
            logprobs: [-1, -1, -1],
            finish_reason: 'length',
          },
        ],
      },
    ]);
    const out = await d.generator({ beamSearch: 'vllm' }).generate(prompt, { n: 2, stop: ['---'] });
    const normNum = out.find((c) => c.text === 'norm_num\n')!;
    assert.ok(normNum, JSON.stringify(out));
    assert.deepEqual(normNum.tokenLogprobs, [-0.1, -0.2, -0.3, -0.4]);
    assert.ok(Math.abs(normNum.logprob - -1.0) < 1e-12);
    assert.ok(Math.abs(normNum.meanLogprob - -0.25) < 1e-12);
    assert.equal(normNum.finishReason, 'stop');
    const simp = out.find((c) => c.text === 'simp\n')!;
    assert.deepEqual(simp.tokenLogprobs, [-1, -1, -1]);
    assert.equal(simp.finishReason, 'stop');
  });

  it('maps finish reasons: stop string, EOS (vLLM stop_reason null / no stop strings), length', async () => {
    const d = await startDouble([
      {
        match: { body: { stop: ['---'] } },
        completions: [
          { text: 'a', logprobs: [-1], finish_reason: 'stop', stop_reason: '---' },
          { text: 'b', logprobs: [-1], finish_reason: 'stop', stop_reason: null },
          { text: 'c', logprobs: [-1], finish_reason: 'stop', stop_reason: 2 },
          { text: 'd', logprobs: [-1], finish_reason: 'stop' },
          { text: 'e', logprobs: [-1], finish_reason: 'length' },
          { text: 'f', logprobs: [-1], finish_reason: 'abort' },
        ],
      },
      { match: {}, completions: [{ text: 'g', logprobs: [-1], finish_reason: 'stop' }] },
    ]);
    const g = d.generator({ beamSearch: 'vllm' });
    const out = await g.generate(prompt, { n: 6, stop: ['---'] });
    const reason = (t: string) => out.find((c: Candidate) => c.text === t)!.finishReason;
    assert.deepEqual(['a', 'b', 'c', 'd', 'e', 'f'].map(reason), ['stop', 'eos', 'eos', 'stop', 'length', 'length']);
    const [noStop] = await g.generate(prompt, { n: 1 });
    assert.equal(noStop!.finishReason, 'eos');
  });

  it('gives null log-probabilities the mean of the known ones', async () => {
    const d = await startDouble([
      {
        match: {},
        completions: [
          { text: 'abc', logprobs: [-1, null, -3] },
          { text: 'xy', logprobs: [null, null] },
          { text: 'z', logprobs: [-9] },
        ],
      },
    ]);
    const out = await d.generator({ beamSearch: 'vllm' }).generate(prompt, { n: 3 });
    const abc = out.find((c) => c.text === 'abc')!;
    assert.deepEqual(abc.tokenLogprobs, [-1, -2, -3]);
    assert.equal(abc.logprob, -6);
    assert.equal(abc.meanLogprob, -2);
    assert.deepEqual(
      out.map((c) => c.text),
      ['abc', 'z'],
      'a choice without any known log-prob is dropped',
    );
  });

  it("reads llama.cpp's log-prob shape, token ids included", async () => {
    const d = await startDouble([
      {
        match: {},
        format: 'llamacpp',
        completions: [{ text: 'simp at h', logprobs: [-0.5, -1.5], token_ids: [11, 22], finish_reason: 'stop' }],
      },
    ]);
    const [c] = await d.generator().generate(prompt, { n: 1, stop: ['---'] });
    assert.deepEqual(c, {
      text: 'simp at h',
      logprob: -2,
      meanLogprob: -1,
      tokenIds: [11, 22],
      tokenLogprobs: [-0.5, -1.5],
      finishReason: 'stop',
    });
  });

  it("reads vLLM's token_ids (return_token_ids) and token_id:<n> token strings", async () => {
    const d = await startDouble([
      {
        match: {},
        completions: [
          { text: 'ab', logprobs: [-1, -1], token_ids: [5, 6] },
          { text: 'cd', logprobs: [-2, -2], tokens: ['token_id:7', 'token_id:8'] },
        ],
      },
    ]);
    const out = await d.generator({ beamSearch: 'vllm' }).generate(prompt, { n: 2 });
    assert.deepEqual(
      out.map((c) => c.tokenIds),
      [
        [5, 6],
        [7, 8],
      ],
    );
  });

  it('notes a server that returns identical texts for a beam search (it ignores use_beam_search)', async () => {
    const d = await startDouble([
      modelsRule('something'),
      { match: {}, completions: [1, 2, 3].map(() => ({ text: 'simp', logprobs: [-1] })) },
    ]);
    const g = d.generator({ beamSearch: 'vllm' });
    const out = await g.generate(prompt, { n: 3 });
    assert.equal(out.length, 1);
    const info = await g.info();
    assert.equal(info.notes.length, 1);
    assert.match(info.notes[0]!, /3 identical texts .*ignores use_beam_search/);
  });

  it('describes itself', async () => {
    const d = await startDouble([modelsRule('vllm', { max_model_len: 2048 })]);
    const g = new OpenAICompletionsGenerator({ baseUrl: `${d.baseUrl}/`, promptFormat: 'proof-prefix' });
    const info = await g.info();
    assert.deepEqual(
      { ...info, decoding: undefined },
      {
        backend: 'openai',
        url: d.baseUrl,
        model: 'served-model',
        servedModels: ['served-model'],
        serverKind: 'vllm',
        promptFormat: 'proof-prefix',
        contextLength: 2048,
        beamSearch: 'vllm',
        decoding: undefined,
        notes: [],
      },
    );
    const bare = await startDouble([]);
    const noList = await new OpenAICompletionsGenerator({ baseUrl: bare.baseUrl, model: 'm' }).info();
    assert.deepEqual([noList.servedModels, noList.serverKind, noList.beamSearch], [[], null, 'off']);
    assert.match(noList.notes[0]!, /\/v1\/models gave no model list \(.*HTTP 404/);
  });
});

describe('failures', () => {
  it('connection refused names the URL and asks whether the server runs', async () => {
    const port = await closedPort();
    const g = new OpenAICompletionsGenerator({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm' });
    const err = await failure(g.generate(prompt, { n: 1 }), 'connection');
    assert.equal(
      err.message,
      `cannot reach the model server at http://127.0.0.1:${port}/v1/completions: connection refused; is the server running?`,
    );
    const infoErr = await failure(g.info(), 'connection');
    assert.match(infoErr.message, new RegExp(`127\\.0\\.0\\.1:${port}/v1/models: connection refused`));
  });

  it("an HTTP error quotes the first 500 characters of the server's body", async () => {
    const body = `{"error": "CUDA out of memory ${'x'.repeat(600)}`;
    const d = await startDouble([{ match: {}, status: 500, body }]);
    const err = await failure(d.generator().generate(prompt, { n: 1 }), 'http');
    assert.equal(err.status, 500);
    assert.ok(err.message.startsWith(`the model server at ${d.baseUrl}/completions answered HTTP 500`), err.message);
    assert.ok(err.message.includes(body.slice(0, 500)), err.message);
    assert.ok(!err.message.includes(body.slice(0, 501)), 'no more than 500 characters are quoted');
  });

  it('HTTP errors carry a hint: wrong base URL, API key, beam search unknown or short of log-probs', async () => {
    const d = await startDouble([
      {
        match: { use_beam_search: true, n: 32 },
        status: 400,
        body: { error: { message: 'Requested sample logprobs of 64, which is greater than max allowed: 20' } },
      },
      { match: { use_beam_search: true }, status: 400, body: { error: { message: 'unknown field' } } },
      { match: { promptIncludes: 'KEY' }, status: 401, body: 'no key' },
    ]);
    const notFound = await failure(
      new OpenAICompletionsGenerator({ baseUrl: `http://127.0.0.1:${d.port}`, model: 'm' }).generate(prompt, { n: 1 }),
      'http',
    );
    assert.match(notFound.message, /HTTP 404 .*double: no rule matches.*usually serve under \/v1/);
    const beam = await failure(d.generator({ beamSearch: 'vllm' }).generate(prompt, { n: 2 }), 'http');
    assert.match(beam.message, /HTTP 400 .*unknown field.*set beamSearch to 'off'/);
    const logprobs = await failure(d.generator({ beamSearch: 'vllm' }).generate(prompt, { n: 32 }), 'http');
    assert.match(logprobs.message, /max allowed: 20.*start vLLM with --max-logprobs 64 or more\)$/);
    const key = await failure(d.generator().generate('KEY', { n: 1 }), 'http');
    assert.match(key.message, /HTTP 401 .*no key \(check the API key\)/);
  });

  it('a server that does not answer in time fails with the timeout', async () => {
    const d = await startDouble([{ match: {}, hang: true }]);
    const started = Date.now();
    const err = await failure(d.generator({ timeoutMs: 300 }).generate(prompt, { n: 1 }), 'timeout');
    assert.equal(err.message, `the model server at ${d.baseUrl}/completions did not answer within 300 ms (timeoutMs)`);
    assert.ok(Date.now() - started < 3000);
  });

  it('an answer that is not JSON is quoted', async () => {
    const d = await startDouble([
      { match: { n: 1 }, raw: '<html>502 Bad Gateway</html>' },
      { match: { n: 2 }, raw: '' },
    ]);
    const err = await failure(d.generator().generate(prompt, { n: 1 }), 'bad-response');
    assert.equal(
      err.message,
      `the model server at ${d.baseUrl}/completions did not answer with JSON: <html>502 Bad Gateway</html>`,
    );
    const empty = await failure(d.generator({ beamSearch: 'vllm' }).generate(prompt, { n: 2 }), 'bad-response');
    assert.match(empty.message, /did not answer with JSON: \(empty body\)/);
  });

  it('completions without log-probabilities: the server must support `logprobs`', async () => {
    const d = await startDouble([{ match: {}, completions: [{ text: 'simp' }, { text: 'rfl' }] }]);
    const err = await failure(d.generator({ beamSearch: 'vllm' }).generate(prompt, { n: 2 }), 'no-logprobs');
    assert.match(err.message, new RegExp(`^the model server at ${d.baseUrl}/completions returned completions without`));
    assert.match(err.message, /must support the completions API parameter `logprobs`/);
  });

  it('a connection closed without an answer, or in the middle of one', async () => {
    const d = await startDouble([
      { match: { n: 1 }, destroy: true },
      { match: { n: 2 }, truncate: '{"choices": [{"text": "si' },
    ]);
    const closed = await failure(d.generator().generate(prompt, { n: 1 }), 'connection');
    assert.match(closed.message, /at http:\/\/127\.0\.0\.1:\d+\/v1\/completions closed the connection before/);
    const cut = await failure(d.generator({ beamSearch: 'vllm' }).generate(prompt, { n: 2 }), 'connection');
    assert.match(cut.message, /closed the connection before the whole answer arrived/);
  });

  it('an answer without a choices list is a bad response, whatever its shape', async () => {
    const shapes = [null, [], 5, 'text', { choices: 5 }, { error: { message: 'overloaded' } }];
    const d = await startDouble(shapes.map((respond, i) => ({ match: { promptIncludes: `#${i}#` }, respond })));
    for (const [i, shape] of shapes.entries()) {
      const err = await failure(d.generator().generate(`#${i}#`, { n: 1 }), 'bad-response');
      assert.match(err.message, /answered without a "choices" list/, JSON.stringify(shape));
    }
    const last = await failure(d.generator().generate('#5#', { n: 1 }), 'bad-response');
    assert.match(last.message, /overloaded/, 'the body is quoted');
  });
});

describe('cancellation', () => {
  it('an abort mid-request closes the connection and rejects with an AbortError', async () => {
    const d = await startDouble([{ match: {}, hang: true }]);
    const controller = new AbortController();
    const pending = d.generator().generate(prompt, { n: 1, signal: controller.signal });
    await until('the request reached the server', () => d.completions().length === 1);
    const aborted = Date.now();
    controller.abort();
    await assert.rejects(pending, (e: Error) => e.name === 'AbortError');
    assert.ok(Date.now() - aborted < 1000, 'promptly');
    await until('the server saw the connection close', () => d.events().some((e) => e.event === 'closed-early'));
  });

  it('an abort while the model list is fetched, and in the fallback with two requests in flight', async () => {
    const d = await startDouble([
      { match: { path: '/v1/models' }, hang: true },
      { match: {}, hang: true },
    ]);
    const c1 = new AbortController();
    const p1 = new OpenAICompletionsGenerator({ baseUrl: d.baseUrl }).generate(prompt, { n: 1, signal: c1.signal });
    await until('the model list was asked for', () => d.requests().length === 1);
    c1.abort();
    await assert.rejects(p1, (e: Error) => e.name === 'AbortError');
    const c2 = new AbortController();
    const p2 = d.generator().generate(prompt, { n: 4, signal: c2.signal });
    await until('both requests reached the server', () => d.completions().length === 2);
    c2.abort();
    await assert.rejects(p2, (e: Error) => e.name === 'AbortError');
    await until('both connections closed', () => d.events().filter((e) => e.event === 'closed-early').length === 3);
  });

  it('dispose fails the requests in flight; the generator keeps working', async () => {
    const d = await startDouble([
      { match: {}, times: 1, hang: true },
      { match: {}, completions: [{ text: 'simp', logprobs: [-1] }] },
    ]);
    const g = d.generator();
    const pending = g.generate(prompt, { n: 1 });
    await until('the request reached the server', () => d.completions().length === 1);
    await g.dispose();
    await assert.rejects(pending, /the request to .*\/v1\/completions was cancelled: the generator was disposed/);
    assert.equal((await g.generate(prompt, { n: 1 }))[0]!.text, 'simp');
  });
});

describe('untrusted answers', () => {
  it('an answer larger than maxResponseBytes fails cleanly, the default cap included', async () => {
    const d = await startDouble([
      { match: { n: 1 }, streamBytes: 200_000 },
      { match: { n: 2 }, streamBytes: 40 * 1024 * 1024 },
    ]);
    const small = await failure(d.generator({ maxResponseBytes: 100_000 }).generate(prompt, { n: 1 }), 'bad-response');
    assert.match(small.message, /sent an answer larger than 100000 bytes \(maxResponseBytes\)/);
    const big = await failure(d.generator({ beamSearch: 'vllm' }).generate(prompt, { n: 2 }), 'bad-response');
    assert.match(big.message, /larger than 33554432 bytes/);
    // Under the cap, a huge text is read but the candidate is dropped (maxTextChars).
    const ok = await startDouble([{ match: {}, streamBytes: 100_000 }]);
    assert.deepEqual(await ok.generator({ maxTextChars: 50_000 }).generate(prompt, { n: 1 }), []);
    assert.equal((await ok.generator({ maxTextChars: 200_000 }).generate(prompt, { n: 1 })).length, 1);
  });

  it('malformed choices are dropped, more choices than asked for are ignored, nothing crashes', async () => {
    const good = { text: 'simp', logprobs: { token_logprobs: [-1], tokens: ['simp'] }, finish_reason: 'stop' };
    const choices = [
      null,
      5,
      'text',
      [],
      { text: 7, logprobs: { token_logprobs: [-1] } },
      { text: 'a', logprobs: { token_logprobs: 'x' } },
      { text: 'b', logprobs: { token_logprobs: ['x', {}, true, 1e308, 5] } },
      { text: 'c', logprobs: { token_logprobs: [-1, -2], tokens: [1, null] }, token_ids: ['x', -3, 1.5] },
      { text: 'd', logprobs: { content: [null, 5, { logprob: 'x' }, { logprob: -2, token: 9, id: 'y' }] } },
      { text: 'e', logprobs: [], finish_reason: { nested: true } },
      { text: '', logprobs: { token_logprobs: [] } },
      good,
      ...Array.from({ length: 5000 }, (_, i) => ({ text: `t${i}`, logprobs: { token_logprobs: [-0.001] } })),
    ];
    const d = await startDouble([{ match: {}, respond: { choices } }]);
    const out = await d.generator({ beamSearch: 'vllm' }).generate(prompt, { n: 16, stop: ['---'] });
    assert.ok(out.length <= 16);
    for (const c of out) {
      assert.equal(typeof c.text, 'string');
      assert.ok(Number.isFinite(c.logprob) && Number.isFinite(c.meanLogprob), JSON.stringify(c));
      assert.ok(c.tokenLogprobs.every((x) => Number.isFinite(x) && x <= 0));
      assert.ok(c.tokenIds.every((x) => Number.isInteger(x)));
    }
    assert.deepEqual(
      out.map((c) => c.text),
      ['t0', 't1', 't2', 't3', 'simp', 'c', 'd'],
      'the first 16 choices only; those with usable log-probs, best first',
    );
    assert.deepEqual(out.find((c) => c.text === 'c')!.tokenIds, [-1, -1]);
  });

  it('control characters from the server are not passed on into messages', async () => {
    const d = await startDouble([{ match: {}, status: 500, body: 'bad \u001b[31mred\u001b[0m\u0007' }]);
    const err = await failure(d.generator().generate(prompt, { n: 1 }), 'http');
    assert.ok(err.message.endsWith('bad ?[31mred?[0m?'), err.message);
  });
});
