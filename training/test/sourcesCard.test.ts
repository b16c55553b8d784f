import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { sourcesCardBlock, sourcesCardBlocks, writeSourcesCardBlock } from '../src/eval/sourcesCard';
import type { SourcesReport } from '../src/eval/sourcesReport';
import { tempDir } from './helpers';

const report = (top8: number): SourcesReport => ({
  run: 'r',
  split: 'heldout',
  sources: ['mathlib4'],
  unknownGoal: 'statement+previous',
  index: { file: 'retrieval.bin', entries: 10, provenance: {} },
  sets: [
    {
      name: 'first steps',
      steps: 100,
      goalKnown: 100,
      sources: [
        { name: 'frequency', description: 'f', hits: { top1: 1, top8: 5, top32: 9 }, p50Ms: 0, p95Ms: 0 },
        { name: 'retrieval', description: 'r', hits: { top1: 2, top8: top8, top32: 20 }, p50Ms: 1, p95Ms: 2 },
      ],
      paired: [{ source: 'retrieval', against: 'frequency', cutoff: 8, sourceOnly: 7, againstOnly: 1, p: 0.07 }],
    },
  ],
  seconds: 1,
  steps: [],
  ranks: {},
});

describe('the candidate-source blocks of a model card', () => {
  it('adds a block, replaces only its own on the next run, and is read back for the next export', () => {
    const card = path.join(tempDir(), 'MODEL_CARD.md');
    writeFileSync(card, '# A card\n\nText.\n');
    writeSourcesCardBlock(card, 'eval-sources', sourcesCardBlock(report(11), 'eval-sources'));
    writeSourcesCardBlock(card, 'eval-sources-first', sourcesCardBlock(report(12), 'eval-sources-first'));
    writeSourcesCardBlock(card, 'eval-sources', sourcesCardBlock(report(13), 'eval-sources'));
    const text = readFileSync(card, 'utf8');
    assert.ok(text.startsWith('# A card\n\nText.\n\n<!-- eval-sources:eval-sources begin -->'), text);
    assert.match(text, /\| retrieval \| 2\.0 % \(2\) \| 13\.0 % \(13\) \|/);
    assert.doesNotMatch(text, /11\.0 % \(11\)/);
    assert.match(text, /\| retrieval \| 2\.0 % \(2\) \| 12\.0 % \(12\) \|/);
    assert.match(text, /\| retrieval \| frequency \| top-8 \| 7 \| 1 \| 0\.070 \|/);
    const blocks = sourcesCardBlocks(text);
    assert.equal(blocks.match(/ begin -->/g)?.length, 2);
    assert.ok(!blocks.includes('# A card'));
    assert.equal(sourcesCardBlocks('# no blocks\n'), '');
  });
});
