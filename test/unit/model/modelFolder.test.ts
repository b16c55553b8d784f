// The model folder loader: a good folder loads; each kind of broken folder fails with a ModelFolderError
// that names the file and says what is wrong.

import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseModelConfig } from '../../../model/src/config';
import { loadModelFolder, ModelFolderError } from '../../../model/src/modelFolder';
import { copyOfTinyModel, tempDir, testSessionOptions, tinyModelDir } from '../../../model/testing/fixture';
import { standardIoNames } from '../../../model/testing/tinyLlamaGraph';
import { type TinyModelOptions, writeTinyModelFolder } from '../../../model/testing/tinyModelFolder';

/** Expects loading `dir` to fail for `file`, with each pattern matching one line of the message. */
async function expectFailure(dir: string, file: string | null, ...patterns: RegExp[]): Promise<ModelFolderError> {
  try {
    const model = await loadModelFolder(dir, testSessionOptions);
    await model.release();
  } catch (err) {
    assert.ok(err instanceof ModelFolderError, `not a ModelFolderError: ${err}`);
    assert.equal(err.file, file);
    for (const p of patterns) {
      assert.ok(
        err.problems.some((line) => p.test(line)),
        `no problem matches ${p}:\n${err.message}`,
      );
    }
    assert.ok(err.message.includes(dir), 'the message names the folder');
    return err;
  }
  assert.fail(`${dir} loaded but should not have`);
}

/** Runs `body` on a temporary copy of the tiny model. */
async function withCopy(body: (dir: string) => Promise<void>): Promise<void> {
  const copy = copyOfTinyModel();
  try {
    await body(copy.dir);
  } finally {
    copy.cleanup();
  }
}

async function withBuilt(options: TinyModelOptions, body: (dir: string) => Promise<void>): Promise<void> {
  const t = tempDir();
  try {
    writeTinyModelFolder(t.dir, options);
    await body(t.dir);
  } finally {
    t.cleanup();
  }
}

function editConfig(dir: string, edit: (c: Record<string, unknown>) => void): void {
  const file = join(dir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  edit(config);
  writeFileSync(file, JSON.stringify(config));
}

describe('loadModelFolder', () => {
  it('loads the tiny model and reports what it is', async () => {
    const model = await loadModelFolder(tinyModelDir, testSessionOptions);
    try {
      assert.equal(model.provider, 'cpu');
      assert.equal(model.config.promptFormat, 'llemma-fewshot');
      assert.deepEqual(
        [model.config.numLayers, model.config.numHeads, model.config.numKvHeads, model.config.headDim],
        [2, 4, 2, 16],
      );
      assert.deepEqual(model.config.eosTokenIds, [2]);
    } finally {
      await model.release();
    }
  });

  it("'auto' falls back along CUDA → WebGPU → CPU and says why it skipped each", async () => {
    const model = await loadModelFolder(tinyModelDir, { ...testSessionOptions, executionProviders: 'auto' });
    try {
      const order = ['cuda', 'webgpu', 'cpu'];
      assert.deepEqual(
        model.skippedProviders.map((s) => s.split(':')[0]),
        order.slice(0, order.indexOf(model.provider)),
      );
      for (const s of model.skippedProviders) assert.match(s, /^(cuda|webgpu): .+/);
    } finally {
      await model.release();
    }
  });

  it('a folder that does not exist', async () => {
    await expectFailure(join(tinyModelDir, 'nope'), null, /the folder does not exist/);
  });

  it('missing tokenizer.json', async () => {
    await withCopy(async (dir) => {
      rmSync(join(dir, 'tokenizer.json'));
      await expectFailure(dir, null, /^tokenizer\.json is missing$/);
    });
  });

  it('several missing files are all listed', async () => {
    await withCopy(async (dir) => {
      rmSync(join(dir, 'model.onnx'));
      rmSync(join(dir, 'config.json'));
      const err = await expectFailure(dir, null, /^model\.onnx is missing$/, /^config\.json is missing$/);
      assert.equal(err.problems.length, 2);
    });
  });

  it('corrupt model.onnx (garbage bytes, then a truncated file)', async () => {
    await withCopy(async (dir) => {
      const file = join(dir, 'model.onnx');
      const good = readFileSync(file);
      writeFileSync(file, Buffer.from('this is not a protobuf \u0000\u00ff\u0001 at all'.repeat(20)));
      await expectFailure(dir, 'model.onnx', /ONNX Runtime cannot load it: .*(Protobuf|protobuf|parse|Load model)/);
      writeFileSync(file, good.subarray(0, good.length >> 1));
      await expectFailure(dir, 'model.onnx', /ONNX Runtime cannot load it/);
    });
  });

  it('wrong input/output names', async () => {
    const names = {
      ...standardIoNames,
      pastKey: (i: number) => `past.${i}.key`,
      presentValue: (i: number) => `present_value_${i}`,
    };
    await withBuilt({ ioNames: names }, async (dir) => {
      await expectFailure(
        dir,
        'model.onnx',
        /^input "past_key_values\.0\.key" is missing$/,
        /^input "past\.1\.key" is not part of the contract$/,
        /^output "present\.0\.value" is missing$/,
        /expected inputs input_ids, attention_mask, .*the graph has inputs .*past\.0\.key/,
      );
    });
  });

  it('config.json that disagrees with the graph (layers, key/value heads, vocabulary)', async () => {
    await withCopy(async (dir) => {
      editConfig(dir, (c) => {
        c['num_hidden_layers'] = 3;
      });
      await expectFailure(dir, 'model.onnx', /^input "past_key_values\.2\.key" is missing$/);
      editConfig(dir, (c) => {
        c['num_hidden_layers'] = 2;
        c['num_key_value_heads'] = 4;
      });
      await expectFailure(
        dir,
        'model.onnx',
        /"past_key_values\.0\.key" has 2 key\/value heads \(dimension 1\) but config\.json says num_key_value_heads = 4/,
      );
      editConfig(dir, (c) => {
        c['num_key_value_heads'] = 2;
        c['vocab_size'] = 500;
      });
      await expectFailure(dir, 'model.onnx', /"logits" has vocabulary size 456 but config\.json says vocab_size = 500/);
      editConfig(dir, (c) => {
        c['vocab_size'] = 400;
      });
      await expectFailure(dir, 'tokenizer.json', /token ids up to 455 but config\.json says vocab_size = 400/);
    });
  });

  it('bad config.json', async () => {
    await withCopy(async (dir) => {
      writeFileSync(join(dir, 'config.json'), '{"model_type": "llama",');
      await expectFailure(dir, 'config.json', /^not valid JSON/);
    });
    await withCopy(async (dir) => {
      editConfig(dir, (c) => {
        c['model_type'] = 'gpt2';
        delete c['llemma'];
      });
      await expectFailure(dir, 'config.json', /model_type must be one of "llama"/, /the "llemma" object is missing/);
    });
  });

  it('bad tokenizer.json', async () => {
    await withCopy(async (dir) => {
      writeFileSync(join(dir, 'tokenizer.json'), '{"version": "1.0", "model": {"type": "BPE"}}');
      await expectFailure(dir, 'tokenizer.json', /not a Hugging Face tokenizer file: .*model\.vocab/);
      writeFileSync(join(dir, 'tokenizer.json'), '[1, 2');
      await expectFailure(dir, 'tokenizer.json', /not a Hugging Face tokenizer file/);
    });
  });
});

describe('parseModelConfig', () => {
  const good = JSON.parse(readFileSync(join(tinyModelDir, 'config.json'), 'utf8'));
  const parse = (edit: (c: Record<string, unknown>) => void) => {
    const c = structuredClone(good);
    edit(c);
    return () => parseModelConfig(JSON.stringify(c));
  };

  it('accepts a list of EOS ids, defaults key/value heads and head size like transformers', () => {
    const cfg = parse((c) => {
      c['eos_token_id'] = [2, 0];
      delete c['num_key_value_heads'];
      delete c['head_dim'];
    })();
    assert.deepEqual(cfg.eosTokenIds, [2, 0]);
    assert.equal(cfg.numKvHeads, 4);
    assert.equal(cfg.headDim, 16);
    assert.equal(cfg.contextLength, 2048);
  });

  it('names each bad field', () => {
    assert.throws(
      parse((c) => {
        c['num_attention_heads'] = 4;
        c['num_key_value_heads'] = 3;
        c['num_hidden_layers'] = 'two';
        delete c['eos_token_id'];
      }),
      (err: Error) =>
        /num_attention_heads \(4\) must be a multiple of num_key_value_heads \(3\)/.test(err.message) &&
        /num_hidden_layers must be a positive integer, got "two"/.test(err.message) &&
        /eos_token_id must be a token id or a non-empty list/.test(err.message),
    );
    assert.throws(
      parse((c) => {
        c['llemma'] = { format_version: 1, prompt_format: 'chatml', context_length: 4096 };
      }),
      /llemma\.prompt_format must be one of llemma-fewshot, proof-prefix, got "chatml"[\s\S]*context_length \(4096\) exceeds max_position_embeddings \(2048\)/,
    );
    assert.throws(
      parse((c) => {
        c['llemma'] = { format_version: 2, prompt_format: 'proof-prefix' };
      }),
      /llemma\.format_version must be 1, got 2/,
    );
  });
});
