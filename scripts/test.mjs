// `npm test`: lint, typecheck, build and package, then the Node test suites (unit, golden, integration) and the
// end-to-end suite in a real VS Code. Every stage runs even if an earlier one failed, and the last line sums them up:
// a cancelled test (one that never finished, say because its file crashed or timed out) counts as failed, and every
// skipped test is listed with the reason it gave.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { e2eCounts, summaryLines, tapCounts } from './testSummary.ts';

const root = path.resolve(import.meta.dirname, '..');
const tapFile = path.join(root, '.cache', 'test-results.tap');
mkdirSync(path.dirname(tapFile), { recursive: true });

// Unit tests sit in one folder per component (test/unit/<component>/); the other kinds lie flat.
const testFiles = ['test/unit', 'test/golden', 'test/integration', 'training/test']
  .flatMap((dir) =>
    readdirSync(path.join(root, dir), { recursive: true })
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => `${dir}/${f}`),
  )
  .sort();

const stages = [
  { name: 'lint', cmd: 'npx', args: ['biome', 'check', '.'] },
  // The project, and the webview's scripts, which run in a browser (extension/webview/tsconfig.json: DOM, no Node).
  { name: 'typecheck', cmd: 'npm', args: ['run', '--silent', 'typecheck'] },
  { name: 'package', cmd: 'npm', args: ['run', '--silent', 'package'] },
  {
    name: 'node tests',
    cmd: process.execPath,
    args: [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tapFile}`,
      ...testFiles,
    ],
    counts: () => tapCounts(readFileSync(tapFile, 'utf8')),
  },
  { name: 'e2e', cmd: process.execPath, args: ['test/e2e/run.mjs'], counts: (out) => e2eCounts(out) },
];

const only = process.env.LLEMMA_TEST_STAGES?.split(',');
const results = [];
for (const stage of stages) {
  if (only && !only.includes(stage.name)) continue;
  const t0 = Date.now();
  process.stdout.write(`\n=== ${stage.name} ===\n`);
  const r = spawnSync(stage.cmd, stage.args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  process.stdout.write(r.stdout ?? '');
  const ok = r.status === 0;
  const counts = stage.counts ? stage.counts(r.stdout ?? '') : { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: [] };
  results.push({ name: stage.name, ok, seconds: (Date.now() - t0) / 1000, ...counts });
}
const { text, failed } = summaryLines(results);
process.stdout.write(text);
process.exit(failed === 0 ? 0 : 1);
