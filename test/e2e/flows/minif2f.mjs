// Flow 7: "Llemma: Run miniF2F Benchmark" from the palette on a 5-problem subset. A Lean project pinned like the
// yangky11 variant is written into the workspace (`minif2f/`: its lean-toolchain and lake-manifest.json), the REPL
// double plays Lean in a world where 3 of the first 5 test problems can be proved (test/doubles/minif2fWorld.mjs), and
// the model double (an OpenAI-compatible server) proposes `norm_num`, `linarith`, `nlinarith`, `simp` on every goal.
// The flow answers each of the command's quick picks, watches the progress notification, then checks the report
// webview: the charts drawn by the bundled Chart.js and the per-problem table.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { minif2fCandidates, minif2fProblems, minif2fWorld } from '../../doubles/minif2fWorld.mjs';
import { openDemo } from './showProofState.mjs';
import {
  allowWorkspaceSetting,
  notificationTexts,
  resetUi,
  startCommand,
  textOf,
  UI_TIMEOUT_MS,
  WrongAnswer,
  waitForStatus,
  waitUntil,
} from './workbench.mjs';

export const name = 'minif2f';

const plans = ['proved', 'unproved', 'twoSteps', 'slow', 'unproved'];
const RUN_TIMEOUT_MS = 60_000;
const DONE = /miniF2F yangky11 test: 3 of 5 proved/;

export async function run(t) {
  const { page } = t;
  // The extension runs once a Lean file is open; run alone, this flow opens Demo.lean first.
  if (t.state.demoOpen) await resetUi(page);
  else await openDemo(t);
  const runDir = path.dirname(t.workspace);
  const problems = minif2fProblems('yangky11')
    .filter((p) => p.split === 'test')
    .slice(0, plans.length);

  // The project: the variant's Lean and Mathlib, as the run checks them.
  const project = path.join(t.workspace, 'minif2f');
  mkdirSync(project, { recursive: true });
  writeFileSync(path.join(project, 'lean-toolchain'), 'leanprover/lean4:v4.24.0\n');
  writeFileSync(path.join(project, 'lakefile.lean'), 'import Lake\nopen Lake DSL\npackage llemma_minif2f\n');
  writeFileSync(
    path.join(project, 'lake-manifest.json'),
    JSON.stringify({
      version: '1.1.0',
      packagesDir: '.lake/packages',
      packages: [{ type: 'git', name: 'mathlib', rev: 'f897ebcf72cd16f89ab4577d0c826cd14afaafc7', inherited: false }],
      name: 'llemma_minif2f',
    }),
  );

  // Lean: the world of these five problems, made the REPL through the workspace setting (allowed in its question).
  const worldFile = path.join(runDir, 'world-minif2f.json');
  writeFileSync(
    worldFile,
    JSON.stringify(minif2fWorld(Object.fromEntries(problems.map((p, i) => [p.name, plans[i]])), { delayMs: 1500 })),
  );
  const repl = t.worldReplCommand(worldFile);
  t.writeWorkspaceSettings({ 'llemma.lean.replCommand': repl });
  await allowWorkspaceSetting(page, 'llemma.lean.replCommand', repl);

  const model = await startModelDouble(runDir);
  try {
    await startCommand(page, 'Llemma: Run miniF2F Benchmark');
    await choose(page, /\(1\/7\): Variant/, 'yangky11');
    await choose(page, /\(2\/7\): Split/, 'test');
    await choose(page, /\(3\/7\): Problems/, 'First 5');
    await choose(page, /\(4\/7\): Model/, 'Model server URL…');
    await type(page, /\(4\/7\): Model server URL/, model.url);
    await choose(page, /\(5\/7\): Budget/, 'Llemma paper');
    await choose(page, /\(6\/7\): Workers/, '2');
    await choose(page, /\(7\/7\): Lean project/, 'minif2f');

    // The progress notification, with the solved / tried / left count the server reports, caught while the slow
    // problem (1.5 s in "Lean") holds the run.
    await waitUntil(
      () => notificationTexts(page),
      (all) => all.some((s) => /Llemma: miniF2F.*\d+ solved · [1-4] tried · [1-4] left · ETA \d+ s/.test(s)),
      'the progress notification "Llemma: miniF2F … solved · n tried · m left · ETA … s" during the run',
      RUN_TIMEOUT_MS,
    );
    await t.shot('minif2f-progress.png');
    const done = await waitUntil(
      () => notificationTexts(page),
      (all) => {
        if (all.some((s) => DONE.test(s))) return true;
        const other = all.find((s) => /Llemma/.test(s) && !/Llemma: miniF2F/.test(s) && !DONE.test(s));
        if (other) throw new WrongAnswer(`a notification matching ${DONE}; the extension showed: "${other}"`);
        return false;
      },
      `the run to end with a notification matching ${DONE}`,
      RUN_TIMEOUT_MS,
    );
    t.log(`run done: ${done.find((s) => DONE.test(s))}`);

    // The report webview: VS Code's webview iframe, and the page's own frame inside it.
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await frame
      .locator('body[data-charts="drawn"]')
      .waitFor({ timeout: UI_TIMEOUT_MS })
      .catch(() => {
        throw new Error('timed out waiting for the report webview to draw its charts (body[data-charts="drawn"])');
      });
    const summary = (await cells(frame.locator('#summary tr').nth(1))).slice(0, 6).join(' | ');
    if (summary !== 'test | 3 | 5 | 244 | 1.23 % | 60.00 %') {
      throw new Error(
        `the report's summary row should read "test | 3 | 5 | 244 | 1.23 % | 60.00 %", it reads "${summary}"`,
      );
    }
    const rows = await frame.locator('#problems tr').count();
    if (rows !== 1 + plans.length)
      throw new Error(`the problems table should have ${plans.length} rows, it has ${rows - 1}`);
    const row = await cells(frame.locator('#problems tr', { hasText: problems[2].name }));
    // Each tactic with its sources: `linarith` from the model and the decision procedures, `nlinarith` the model.
    const twoSteps = /^linarith model \+ procedures\s+nlinarith model$/;
    if (row[3] !== 'proved' || !twoSteps.test(row[4] ?? '')) {
      throw new Error(`${problems[2].name}'s row should be proved, ${twoSteps}; it reads ${JSON.stringify(row)}`);
    }
    for (const id of ['chart-splits', 'chart-categories', 'chart-expansions', 'chart-seconds']) {
      const box = await frame.locator(`#${id}`).boundingBox();
      if (!box || box.width < 100 || box.height < 50)
        throw new Error(`the chart #${id} is not drawn (${JSON.stringify(box)})`);
    }
    const header = await frame.locator('table.setup').innerText();
    for (const part of [
      /Model\s+http:\/\/127\.0\.0\.1:\d+\/v1/,
      /Lean\s+leanprover\/lean4:v4\.24\.0, Mathlib f897ebcf/,
      /Budget\s+32 candidates × 100 expansions, 600 s/,
      /Tactics allowed\s+the allow-list of the tactic screen/,
    ]) {
      if (!part.test(header)) throw new Error(`the report's header should match ${part}; it reads "${header}"`);
    }
    await t.shot('minif2f-report.png');
    await frame.locator('#problems').scrollIntoViewIfNeeded();
    await t.shot('minif2f-report-table.png');
    await waitForStatus(page, /Llemma/, 'the status bar item after the run');
  } finally {
    model.stop();
  }
}

/** The texts of a table row's cells, as rendered. */
async function cells(row) {
  return (await row.locator('td').allInnerTexts()).map((s) => s.trim());
}

/** Picks `label` in the quick pick titled `titlePattern` (typed into its filter, checked as the focused row). */
async function choose(page, titlePattern, label) {
  await waitForTitle(page, titlePattern);
  await page.locator('.quick-input-widget .quick-input-box input').fill(label);
  const focused = page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused');
  await waitUntil(
    async () => ((await focused.count()) ? textOf(focused.locator('.label-name')) : ''),
    (text) => text === label,
    `"${label}" to be the first entry of the quick pick ${titlePattern}`,
  );
  await page.keyboard.press('Enter');
}

/** Types `value` into the input box titled `titlePattern` and accepts it. */
async function type(page, titlePattern, value) {
  await waitForTitle(page, titlePattern);
  await page.locator('.quick-input-widget .quick-input-box input').fill(value);
  await page.keyboard.press('Enter');
}

async function waitForTitle(page, pattern) {
  await waitUntil(
    () => textOf(page.locator('.quick-input-widget .quick-input-title')),
    (text) => pattern.test(text),
    `the quick input titled ${pattern}`,
  );
}

/** The model double: an OpenAI-compatible server answering every prompt with the world's candidates. */
async function startModelDouble(dir) {
  const rules = {
    rules: [
      { match: { path: '/v1/models' }, respond: { object: 'list', data: [{ id: 'double', owned_by: 'double' }] } },
      {
        match: { path: '/v1/completions' },
        completions: minif2fCandidates.map(([tactic, lp]) => ({
          text: ` ${tactic}\n---`,
          logprobs: [lp, lp],
          tokens: [` ${tactic}`, '\n---'],
        })),
      },
    ],
  };
  const file = path.join(dir, 'model-minif2f.json');
  writeFileSync(file, JSON.stringify(rules));
  const double = path.resolve(import.meta.dirname, '..', '..', 'doubles', 'openaiDouble.mjs');
  const child = spawn(process.execPath, [double, '--rules', file, '--log', path.join(dir, 'model-double.log')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d.toString();
      const m = /^listening (\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`the model double exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/v1#model=double&prompt_format=llemma-fewshot`,
    stop: () => child.stdin.end(),
  };
}
