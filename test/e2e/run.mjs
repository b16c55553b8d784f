// End-to-end tests in a real VS Code: code-server (VS Code 1.100.3 in the browser) driven by headless Chromium through
// playwright-core. One cycle: install code-server if needed, fresh run dirs, install dist/llemma.vsix, start
// code-server, open the fixture workspace, run the flows in one page, stop everything. Prints timings and ends with
// `N passed, M failed`; exit code 0 when all flows passed. See test/e2e/README.md.
//
// Environment: KEEP=1 keeps the run dir (logs, profiles); FLOWS=a,b runs a subset; VSIX=<file> and REPL_DOUBLE=<file>
// replace dist/llemma.vsix and test/doubles/replDouble.mjs (to check the harness itself with stand-ins).
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import * as completeProof from './flows/completeProof.mjs';
import * as ghostText from './flows/ghostText.mjs';
import * as isabelleGhost from './flows/isabelleGhost.mjs';
import * as minif2f from './flows/minif2f.mjs';
import * as notInProof from './flows/notInProof.mjs';
import * as procedureGhost from './flows/procedureGhost.mjs';
import * as replFailure from './flows/replFailure.mjs';
import * as restrictedMode from './flows/restrictedMode.mjs';
import * as showProofState from './flows/showProofState.mjs';
import * as suggestPick from './flows/suggestPick.mjs';
import { sleep, UI_TIMEOUT_MS } from './flows/workbench.mjs';

const allFlows = [
  restrictedMode,
  showProofState,
  notInProof,
  replFailure,
  ghostText,
  completeProof,
  suggestPick,
  // Before minif2f, whose report leaves a webview the active editor.
  procedureGhost,
  minif2f,
  isabelleGhost,
];

const repo = path.resolve(import.meta.dirname, '../..');
const cacheDir = path.join(repo, '.cache');
const codeServerBin = path.join(cacheDir, 'code-server', 'node_modules', '.bin', 'code-server');
const vsix = path.resolve(repo, process.env.VSIX || 'dist/llemma.vsix');
const artifacts = path.join(repo, 'test', 'e2e', 'artifacts');
const fixtureWorkspace = path.join(repo, 'test', 'fixtures', 'e2e-workspace');
const rulesDir = path.join(repo, 'test', 'fixtures', 'e2e');
const replDouble = path.resolve(repo, process.env.REPL_DOUBLE || 'test/doubles/replDouble.mjs');
/** What `llemma.isabelle.path` runs: the Isabelle server double, started as `isabelle server -n llemma` would be. */
const isabelleDouble = path.join(repo, 'test', 'doubles', 'isabelleServerDouble.mjs');
const keep = process.env.KEEP === '1';
/**
 * The whole cycle after the code-server install; a watchdog ends the run if it takes longer. The flows with the model
 * (ghostText, completeProof) load the embedded model in the language server (cold: a few seconds on 2 cores).
 */
const OVERALL_BUDGET_MS = 180_000;
/** Loading the workbench is the slowest step (≈ 3 s on an idle 2-core machine, 10 s and more on a busy one). */
const WORKBENCH_TIMEOUT_MS = 30_000;

const t0 = Date.now();
function log(message) {
  process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(2).padStart(6)} s] ${message}\n`);
}

/** Everything that must be undone at the end, in reverse order. */
const cleanups = [];
let finished = false;
/** Flow outcomes so far; the watchdog counts flows that did not finish as failed. */
const results = [];
let flowCount = allFlows.length;
/** Set once the browser is up, for the screenshot of a failure outside the flows (e.g. the workbench not loading). */
let livePage;
/** Set once the run dirs exist, for the logs printed on failure. */
let liveRun;
/** Process group of code-server while it runs. */
let serverGroup;

async function main() {
  const flows = process.env.FLOWS ? allFlows.filter((f) => process.env.FLOWS.split(',').includes(f.name)) : allFlows;
  flowCount = flows.length;
  mkdirSync(artifacts, { recursive: true });
  for (const f of readdirSync(artifacts)) if (f.endsWith('.png')) rmSync(path.join(artifacts, f));

  if (!existsSync(vsix)) {
    throw new Error(`${path.relative(repo, vsix)} is missing: run npm run package first`);
  }
  if (!existsSync(replDouble)) throw new Error(`the REPL test double ${path.relative(repo, replDouble)} is missing`);

  const setup = spawnSync('bash', [path.join(import.meta.dirname, 'setupCodeServer.sh')], { stdio: 'inherit' });
  if (setup.status !== 0) throw new Error('test/e2e/setupCodeServer.sh failed (see its output above)');
  log('code-server 4.100.3 present');
  const cycleStart = Date.now();
  const watchdog = setTimeout(() => {
    log(`the run exceeded its budget of ${OVERALL_BUDGET_MS / 1000} s; stopping`);
    void finish(1);
  }, OVERALL_BUDGET_MS);
  cleanups.push(() => clearTimeout(watchdog));

  const run = makeRunDirs();
  liveRun = run;
  const workspace = path.join(run.dir, 'e2e-workspace');
  // One line per REPL start and request, printed when a flow fails.
  const replCommand = (rulesFile) => replCommandFor('--script', rulesFile, run.replLog);
  // The double in world mode (test/doubles/world.mjs): goals → tactics Lean accepts → resulting goals.
  const worldReplCommand = (worldFile) => replCommandFor('--world', worldFile, run.replLog);
  cpSync(fixtureWorkspace, workspace, { recursive: true });
  // With the restrictedMode flow, the workspace opens untrusted (workspace trust on, no startup question) and that flow
  // trusts it through VS Code's trust editor before the others run; without it, trust is off and the folder trusted.
  const untrustedStart = flows.includes(restrictedMode);

  const baseSettings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.reduceMotion': 'on',
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'security.workspace.trust.enabled': untrustedStart,
    'security.workspace.trust.startupPrompt': 'never',
    'files.hotExit': 'off',
    'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
    'editor.minimap.enabled': false,
    // The workspace copy lives inside this repository's work tree; keep the git extension from scanning it.
    'git.enabled': false,
    'llemma.lean.replCommand': replCommand('repl-ok.json'),
    // .thy files: the Isabelle server double, whose world (isabelle-world.json) comes through ISABELLE_DOUBLE below.
    'llemma.isabelle.path': isabelleDouble,
    // Small budgets for the 2-core CI: 8 candidates for suggestions, a short debounce for ghost text, a proof search
    // of at most 10 expansions of 16 candidates (and the decision procedures beyond them).
    'llemma.suggest.candidates': 8,
    'llemma.suggest.debounceMs': 200,
    'llemma.search.candidatesPerExpansion': 16,
    'llemma.search.maxExpansions': 10,
    'llemma.search.timeLimitSeconds': 60,
  };
  const userSettingsFile = path.join(run.userData, 'User', 'settings.json');
  mkdirSync(path.dirname(userSettingsFile), { recursive: true });
  writeFileSync(userSettingsFile, `${JSON.stringify(baseSettings, null, 2)}\n`);
  // code-server does not notice when the user settings file changes on disk (the web workbench reads it once), but it
  // does watch the workspace folder: flows change settings through .vscode/settings.json.
  const workspaceSettingsFile = path.join(workspace, '.vscode', 'settings.json');
  const writeWorkspaceSettings = (settings) => {
    mkdirSync(path.dirname(workspaceSettingsFile), { recursive: true });
    writeFileSync(workspaceSettingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  };
  writeFileSync(run.config, 'auth: none\ncert: false\n');

  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(run.dir, 'xdg-config'),
    XDG_DATA_HOME: path.join(run.dir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(run.dir, 'xdg-cache'),
    TMPDIR: run.tmp,
  };
  // The server prefers LLEMMA_REPL to the setting; a developer's own must not replace the double.
  delete env.LLEMMA_REPL;
  // How the Isabelle server double behaves (test/doubles/isabelleServerDouble.mjs): it plays Isabelle from a world of
  // steps and states, logs each command, and goes when the language server that started it is gone.
  env.ISABELLE_DOUBLE = JSON.stringify({
    worldFile: path.join(rulesDir, 'isabelle-world.json'),
    log: run.isabelleLog,
    exitWithParent: true,
  });
  const common = ['--config', run.config, '--user-data-dir', run.userData, '--extensions-dir', run.extensions];

  const install = spawnSync(codeServerBin, [...common, '--install-extension', vsix], { env, encoding: 'utf8' });
  const installOut = `${install.stdout}${install.stderr}`;
  if (install.status !== 0 || !/successfully installed/i.test(installOut)) {
    throw new Error(`code-server --install-extension ${path.relative(repo, vsix)} failed:\n${installOut.trim()}`);
  }
  log(`installed ${path.relative(repo, vsix)}`);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const out = openSync(run.csLog, 'w');
  const server = spawn(
    codeServerBin,
    [
      ...common,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      ...(untrustedStart ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      workspace,
    ],
    { env, detached: true, stdio: ['ignore', out, out] },
  );
  let serverExit = null;
  server.on('exit', (code, signal) => {
    serverExit = { code, signal };
  });
  serverGroup = server.pid;
  cleanups.push(async () => {
    await stopProcessGroup(server, () => serverExit !== null);
    serverGroup = undefined;
  });
  await waitForHealth(base, () => serverExit, run.csLog);
  log(`code-server up on port ${port}`);

  const context = await chromium.launchPersistentContext(path.join(run.dir, 'chromium'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 850 },
    // XDG dirs keep Chromium's crashpad and dconf out of $HOME.
    env,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  cleanups.push(() => context.close().catch(() => undefined));
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  livePage = page;
  log('chromium up');

  // The workbench's scripts load after DOMContentLoaded; .monaco-workbench is the sign that VS Code itself started.
  await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`, {
    waitUntil: 'domcontentloaded',
    timeout: WORKBENCH_TIMEOUT_MS,
  });
  await page
    .locator('.monaco-workbench')
    .waitFor({ timeout: WORKBENCH_TIMEOUT_MS })
    .catch(() => {
      throw new Error(
        `timed out after ${WORKBENCH_TIMEOUT_MS} ms waiting for the VS Code workbench (.monaco-workbench) to load`,
      );
    });
  log('workbench loaded');

  const ctx = {
    page,
    workspace,
    log,
    writeWorkspaceSettings,
    replCommand,
    worldReplCommand,
    shot: (name) => page.screenshot({ path: path.join(artifacts, name) }),
    /** Screenshot files of this run, for flows that compare them. */
    artifacts,
    /** The REPL double's log so far ('' before any REPL started). */
    replLogText: () => (existsSync(run.replLog) ? readFileSync(run.replLog, 'utf8') : ''),
    /** What the extension's output channel holds so far, as VS Code logs it ('' before it has written any). */
    outputChannelText: () =>
      outputChannelFiles(run)
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n'),
    /** Shared between flows: later flows use what earlier ones set up when it is there, and set it up when not. */
    state: {},
  };
  for (const flow of flows) {
    const started = Date.now();
    try {
      await flow.run(ctx);
      results.push({ name: flow.name, ok: true });
      log(`PASS ${flow.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (err) {
      results.push({ name: flow.name, ok: false });
      await ctx.shot(`failure-${flow.name}.png`).catch(() => undefined);
      log(
        `FAIL ${flow.name} (${((Date.now() - started) / 1000).toFixed(1)} s): ${err instanceof Error ? err.message : err}`,
      );
      log(`  screenshot: test/e2e/artifacts/failure-${flow.name}.png`);
    }
  }
  const failedAny = results.some((r) => !r.ok);
  if (failedAny) printDiagnostics(run);
  log(`flows done in ${((Date.now() - cycleStart) / 1000).toFixed(1)} s (cycle without the code-server install)`);
  return counts();
}

/** Flows that did not run (an error before them, the watchdog) count as failed. */
function counts() {
  const passed = results.filter((r) => r.ok).length;
  return { passed, failed: Math.max(flowCount, 1) - passed };
}

/**
 * `llemma.lean.replCommand` for the REPL double with a rules file (`--script`) or a world (`--world`) from
 * test/fixtures/e2e/ (or an absolute path: a world a flow wrote); POSIX-shell quoting, as the server parses it.
 */
function replCommandFor(mode, file, logFile) {
  const quote = (w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'"'"'`)}'`);
  return [process.execPath, replDouble, mode, path.resolve(rulesDir, file), '--log', logFile].map(quote).join(' ');
}

/**
 * Fresh dirs under .cache/e2e-run/<id>. code-server and the extension host put unix sockets into TMPDIR, and a socket
 * path may not exceed 107 bytes; when the repo path is too long for that, TMPDIR goes to the system temp dir.
 */
function makeRunDirs() {
  const id = `r${process.pid}`;
  const dir = path.join(cacheDir, 'e2e-run', id);
  rmSync(dir, { recursive: true, force: true });
  let tmp = path.join(dir, 't');
  // vscode-ipc-<uuid>.sock is 52 bytes, plus the separator.
  if (Buffer.byteLength(tmp) + 53 > 107) tmp = path.join('/tmp', `llemma-e2e-${id}`);
  const run = {
    dir,
    tmp,
    config: path.join(dir, 'config.yaml'),
    userData: path.join(dir, 'ud'),
    extensions: path.join(dir, 'ext'),
    replLog: path.join(dir, 'repl-double.log'),
    isabelleLog: path.join(dir, 'isabelle-double.log'),
    csLog: path.join(dir, 'code-server.log'),
  };
  for (const d of [dir, tmp, run.userData, run.extensions]) mkdirSync(d, { recursive: true });
  cleanups.push(() => {
    if (keep) {
      log(`KEEP=1: run dir kept at ${path.relative(repo, dir)}`);
      return;
    }
    rmSync(dir, { recursive: true, force: true });
    if (!tmp.startsWith(dir)) rmSync(tmp, { recursive: true, force: true });
  });
  return run;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(base, exited, csLog) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited()) throw new Error(`code-server exited at start (${JSON.stringify(exited())}):\n${tail(csLog, 30)}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after 30000 ms waiting for code-server's ${base}/healthz:\n${tail(csLog, 30)}`);
    }
    await sleep(100);
  }
}

/** SIGTERM to the whole process group (code-server, its extension host, file watcher, language server, REPL). */
async function stopProcessGroup(child, exited) {
  const signal = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      // The group is gone already.
    }
  };
  signal('SIGTERM');
  for (let i = 0; i < 10 && !exited(); i++) await sleep(50);
  await sleep(200);
  signal('SIGKILL');
}

function tail(file, lines) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

/** The log files under the run's VS Code logs whose names match `pattern`. */
function logFiles(run, pattern) {
  const files = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (pattern.test(name)) files.push(p);
    }
  };
  walk(path.join(run.userData, 'logs'));
  return files;
}

/** VS Code's log of the extension's output channel (`Llemma`). */
function outputChannelFiles(run) {
  return logFiles(run, /Llemma.*\.log$/);
}

/** On failure: the code-server log, the extension host log and the extension's output channel, last lines of each. */
function printDiagnostics(run) {
  const files = [run.csLog, ...logFiles(run, /(exthost\.log|Llemma.*\.log)$/)];
  files.push(run.replLog, run.isabelleLog);
  for (const f of files) {
    log(`--- last lines of ${path.relative(run.dir, f)} ---`);
    process.stdout.write(`${tail(f, 40)}\n`);
  }
}

async function finish(code) {
  if (finished) return;
  finished = true;
  for (const undo of cleanups.reverse()) {
    try {
      await undo();
    } catch (err) {
      log(`cleanup: ${err instanceof Error ? err.message : err}`);
    }
  }
  log('stopped');
  const c = counts();
  process.stdout.write(`${c.passed} passed, ${c.failed} failed\n`);
  process.exit(code);
}

process.once('SIGINT', () => void finish(130));
process.once('SIGTERM', () => void finish(143));
// A closed stdout (`| head`) must not end the run before its cleanup.
process.stdout.on('error', () => undefined);
process.on('uncaughtException', (err) => {
  log(`ERROR (uncaught): ${err instanceof Error ? (err.stack ?? err.message) : err}`);
  void finish(1);
});
// Last resort when the process ends without finish(): code-server runs detached and would outlive us.
process.on('exit', () => {
  if (serverGroup === undefined) return;
  try {
    process.kill(-serverGroup, 'SIGKILL');
  } catch {
    // Already gone.
  }
});

main().then(
  (c) => finish(c.failed === 0 ? 0 : 1),
  async (err) => {
    log(`ERROR: ${err instanceof Error ? err.message : err}`);
    if (livePage) {
      await livePage.screenshot({ path: path.join(artifacts, 'failure-startup.png') }).catch(() => undefined);
      log('  screenshot: test/e2e/artifacts/failure-startup.png');
    }
    if (liveRun) printDiagnostics(liveRun);
    void finish(1);
  },
);
