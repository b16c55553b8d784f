// `npm test`: lint, typecheck, build and package, then the Node test suites (unit, golden, integration) and the
// end-to-end suite in a real VS Code. Every stage runs even if an earlier one failed, and the last line sums them up.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const tapFile = path.join(root, '.cache', 'test-results.tap');
mkdirSync(path.dirname(tapFile), { recursive: true });

const testFiles = ['test/unit', 'test/golden', 'test/integration', 'training/test']
  .flatMap((dir) =>
    readdirSync(path.join(root, dir))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => `${dir}/${f}`),
  )
  .sort();

const stages = [
  { name: 'lint', cmd: 'npx', args: ['biome', 'check', '.'] },
  { name: 'typecheck', cmd: 'npx', args: ['tsc', '-p', 'tsconfig.json'] },
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
    counts: () => {
      const tap = readFileSync(tapFile, 'utf8');
      const n = (key) => Number(tap.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
      return { passed: n('pass'), failed: n('fail') };
    },
  },
  { name: 'e2e', cmd: process.execPath, args: ['test/e2e/run.mjs'], counts: (out) => lastCounts(out) },
];

const only = process.env.LLEMMA_TEST_STAGES?.split(',');
let passed = 0;
let failed = 0;
const report = [];
for (const stage of stages) {
  if (only && !only.includes(stage.name)) continue;
  const t0 = Date.now();
  process.stdout.write(`\n=== ${stage.name} ===\n`);
  const r = spawnSync(stage.cmd, stage.args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  process.stdout.write(r.stdout ?? '');
  const ok = r.status === 0;
  const c = stage.counts ? stage.counts(r.stdout ?? '') : { passed: ok ? 1 : 0, failed: ok ? 0 : 1 };
  // A stage that exits non-zero fails even if its own counts said otherwise (e.g. it crashed before running tests).
  if (!ok && c.failed === 0) c.failed = 1;
  passed += c.passed;
  failed += c.failed;
  report.push(
    `${stage.name}: ${ok ? 'ok' : 'FAILED'} (${c.passed} passed, ${c.failed} failed, ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
}
process.stdout.write(`\n${report.join('\n')}\n\ntests: ${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);

function lastCounts(out) {
  const m = [...out.matchAll(/^(\d+) passed, (\d+) failed/gm)].pop();
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : { passed: 0, failed: 1 };
}
