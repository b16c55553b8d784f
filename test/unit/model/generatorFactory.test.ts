// createGenerator / parseModelSpec: a folder becomes a lazy WorkerGenerator, an http(s) URL an
// OpenAICompletionsGenerator, anything else a ModelSpecError that says what a model spec is. No model is loaded and
// no server contacted here.

import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createGenerator, ModelSpecError, parseModelSpec } from '../../../model/src/generatorFactory';
import { OpenAICompletionsGenerator } from '../../../model/src/openaiBackend';
import { WorkerGenerator } from '../../../model/src/workerGenerator';
import { testSessionOptions, tinyModelDir } from '../../../model/testing/fixture';

const root = join(import.meta.dirname, '..', '..', '..');

function specError(spec: string, pattern: RegExp, cwd = root): ModelSpecError {
  let caught: unknown;
  try {
    parseModelSpec(spec, cwd);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ModelSpecError, `expected a ModelSpecError for ${JSON.stringify(spec)}, got ${caught}`);
  assert.match(caught.message, pattern);
  assert.throws(() => createGenerator(spec, { cwd }), ModelSpecError);
  return caught;
}

describe('model folders', () => {
  it('a relative folder path becomes a WorkerGenerator that has not started its worker', async () => {
    const g = createGenerator('model/testing/tiny-llama', { cwd: root, sessionOptions: testSessionOptions });
    assert.ok(g instanceof WorkerGenerator);
    // Lazy: no worker thread (so no model) until the first request. `worker` is WorkerGenerator's private field.
    assert.equal(Reflect.get(g, 'worker'), null);
    assert.deepEqual(Reflect.get(g, 'options'), { folder: tinyModelDir, sessionOptions: testSessionOptions });
    await g.dispose();
  });

  it('absolute paths, a trailing slash, file: URLs and ~/ all name the folder', () => {
    const expected = { kind: 'folder', folder: tinyModelDir };
    assert.deepEqual(parseModelSpec(tinyModelDir), expected);
    assert.deepEqual(parseModelSpec(`${tinyModelDir}/`, '/'), expected);
    assert.deepEqual(parseModelSpec(`  ${relative(root, tinyModelDir)}  `, root), expected);
    assert.deepEqual(parseModelSpec(pathToFileURL(tinyModelDir).href), expected);
    const home = process.env.HOME;
    process.env.HOME = root; // os.homedir() reads HOME
    try {
      assert.deepEqual(parseModelSpec('~/model/testing/tiny-llama', '/'), expected);
      specError('~/no-such-model', new RegExp(`the model folder ${join(homedir(), 'no-such-model')} does not`));
    } finally {
      process.env.HOME = home;
    }
  });

  it('a missing folder is named, with what a model spec can be', () => {
    const err = specError('models/llemma-7b', /^the model folder .*\/models\/llemma-7b does not exist: a model is a/);
    assert.match(err.message, /config\.json, tokenizer\.json and model\.onnx .* or the http\(s\) URL of an OpenAI/);
    assert.equal(err.spec, 'models/llemma-7b');
    assert.ok(err.message.includes(join(root, 'models/llemma-7b')), 'the path is resolved against cwd');
  });

  it('a file is not a folder', () => {
    specError('model/testing/tiny-llama/model.onnx', /model\.onnx is a file, not a model folder; give the folder/);
  });

  it('an empty spec says that no model was given', () => {
    specError('', /^no model given: a model is a folder/);
    specError('   ', /^no model given/);
  });
});

describe('model server URLs', () => {
  it('an http URL becomes an OpenAICompletionsGenerator, with #model and the options', () => {
    const g = createGenerator('http://127.0.0.1:8000/v1#model=EleutherAI/llemma_7b', {
      apiKey: 'k',
      timeoutMs: 5000,
      beamSearch: 'off',
      extraBody: { top_k: 3 },
      sessionOptions: testSessionOptions,
    });
    assert.ok(g instanceof OpenAICompletionsGenerator);
    assert.equal(g.config.baseUrl, 'http://127.0.0.1:8000/v1');
    assert.equal(g.config.model, 'EleutherAI/llemma_7b');
    assert.equal(g.config.apiKey, 'k');
    assert.equal(g.config.timeoutMs, 5000);
    assert.equal(g.config.beamSearch, 'off');
    assert.deepEqual(g.config.extraBody, { top_k: 3 });
    assert.equal(g.config.promptFormat, 'llemma-fewshot');
  });

  it('parses base URLs: no path means /v1, trailing slashes go, https and upper case work', () => {
    const url = (spec: string) => parseModelSpec(spec);
    assert.deepEqual(url('http://localhost:8000'), { kind: 'url', baseUrl: 'http://localhost:8000/v1' });
    assert.deepEqual(url('http://localhost:8000/'), { kind: 'url', baseUrl: 'http://localhost:8000/v1' });
    assert.deepEqual(url('HTTPS://gpu.example:443/api/v1/'), { kind: 'url', baseUrl: 'https://gpu.example/api/v1' });
    assert.deepEqual(url('http://h:11434/v1#model=llemma:7b&prompt_format=proof-prefix'), {
      kind: 'url',
      baseUrl: 'http://h:11434/v1',
      model: 'llemma:7b',
      promptFormat: 'proof-prefix',
    });
    const g = createGenerator('http://h/v1#prompt_format=proof-prefix', { promptFormat: 'llemma-fewshot' });
    assert.equal((g as OpenAICompletionsGenerator).config.promptFormat, 'proof-prefix', 'the URL wins');
    assert.equal((g as OpenAICompletionsGenerator).config.model, undefined, 'the server will be asked');
  });

  it('refuses URLs it cannot use, saying why', () => {
    specError('ftp://host/models', /^unsupported model URL scheme "ftp:" in ftp:\/\/host\/models: a model is/);
    specError('ws://host:8000/v1', /unsupported model URL scheme "ws:"/);
    specError('http://', /^http:\/\/ is not a valid URL/);
    specError('http://user:secret@host/v1', /must not contain a user name or password; pass the API key/);
    specError('http://host/v1?model=x', /must not have a query string \(\?model=x\); use #model=<name>/);
    specError('http://host/v1#modle=x', /unknown key "modle" after # in .*; known: model, prompt_format/);
    specError('http://host/v1#model=', /an empty value after #/);
    assert.throws(
      () => createGenerator('http://host/v1#prompt_format=chat'),
      (err: Error) =>
        err instanceof ModelSpecError && /promptFormat must be one of llemma-fewshot, proof-prefix/.test(err.message),
    );
  });
});
