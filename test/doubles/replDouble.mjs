#!/usr/bin/env node
/**
 * replDouble.mjs: a test double of the Lean REPL (leanprover-community/repl). It speaks the REPL's protocol on stdin and
 * stdout, so anything that drives a REPL can drive it instead: requests are JSON separated by blank lines, answers are
 * pretty-printed JSON each followed by a blank line. Plain Node, no dependencies, no build step.
 *
 * Usage:
 *   node test/doubles/replDouble.mjs --transcript <name.in> [--log <file>]
 *   node test/doubles/replDouble.mjs --script <rules.json> [--state <file>] [--log <file>]
 *   node test/doubles/replDouble.mjs --world <world.json> [--log <file>]
 *   node test/doubles/replDouble.mjs --wrap <any of the above>
 *
 * --transcript <name.in>  Replays a recorded session; <name.expected.out> must lie beside it. The k-th request must
 *     equal the k-th recorded one (compared as parsed JSON); it is answered with the k-th recorded answer, verbatim.
 *     A request that differs is answered {"message": "double: unexpected input ..."} and does not advance the replay.
 * --script <rules.json>  Answers by rules: {"startup": {...}?, "rules": [{"match": {...}, <action>}, ...]}.
 *     The first rule whose match holds (every key given) and whose `times` is not used up fires. Match keys:
 *       cmd (exact), cmdIncludes, cmdRegex, hasEnv (bool), env, tactic, proofState, path, pickleTo, unpickleEnvFrom,
 *       unpickleProofStateFrom (exact). An empty match matches everything.
 *     Actions (combinable; applied in this order): stderr (text written to stderr), delayMs,
 *       flood: "stdout" | "stderr" (writes `x` without any newline, as fast as the pipe takes it: forever, or
 *       `floodChars` characters and then goes on with the rule; a runaway print that never ends an answer), then one of
 *       hang: true (never answer), exit: <code> (die), respondRaw: "<text>" (written as is, then a blank line),
 *       respond: {...} (written pretty, like the REPL; the strings "$nextEnv" and "$nextProofState" in it become
 *       counters starting at 0 per process, like real ids).
 *     `times: n` lets a rule fire n times at most. "startup": {"exit": <code>, "stderr": "...", "delayMs", "times"}
 *     makes the process die before reading anything (a REPL built for the wrong Lean, say).
 *     Requests no rule matches are answered {"message": "double: no rule matches ..."}.
 * --world <world.json>  Emulates enough of Lean for tactic suggestion and proof search, from a table of goals and the
 *     tactics accepted on them: goal probes (`all_goals sorry`), tactic mode, whole proofs in command mode and
 *     `#print axioms`. The format and the messages it writes are described in world.mjs, beside this file. With
 *     --state, the file keeps which `kill: "once"` cues have fired.
 * --state <file>  Keeps the fire counts of `times` in a JSON file, so they survive restarts: "crash the first time,
 *     answer after the restart" is then one rule with times: 1 and exit, followed by one that responds.
 * --log <file>    Appends one JSON line per event: {"pid", "event": "start"} and {"pid", "event": "input", "input"}.
 *     Tests count requests (was the header sent once?) and processes with it.
 * --wrap          Runs the double as a child of a second node process, as `lake env repl` runs the REPL below lake;
 *     tests check that killing the REPL kills the whole process group.
 *
 * Like the real REPL it reads lines up to a blank line and joins them, skips requests starting with `#` or `--`, and
 * dies (exit 1, "uncaught exception" on stderr) on a request that is not JSON, including a lone blank line. It exits
 * with code 0 when stdin closes, after answering what it read.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { worldMode } from './world.mjs';

const argv = process.argv.slice(2);
if (argv[0] === '--wrap') {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...argv.slice(1)], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  main(parseArgs(argv));
}

function parseArgs(args) {
  const opts = {};
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i]?.replace(/^--/, '');
    if (!['transcript', 'script', 'world', 'state', 'log'].includes(key) || args[i + 1] === undefined)
      usage(`bad argument ${args[i]}`);
    opts[key] = args[i + 1];
  }
  if ([opts.transcript, opts.script, opts.world].filter(Boolean).length !== 1)
    usage('give exactly one of --transcript, --script and --world');
  return opts;
}

function usage(problem) {
  process.stderr.write(
    `replDouble: ${problem}\nusage: replDouble.mjs (--transcript X.in | --script R.json [--state F] | --world W.json) [--log F]\n`,
  );
  process.exit(2);
}

function main(opts) {
  const log = (event) => opts.log && appendFileSync(opts.log, `${JSON.stringify({ pid: process.pid, ...event })}\n`);
  log({ event: 'start' });
  const answer = opts.transcript
    ? transcriptMode(opts.transcript)
    : opts.world
      ? worldMode(opts.world, pretty, opts.state)
      : scriptMode(opts.script, opts.state);
  const queue = [];
  let busy = false;
  let ended = false;
  let hung = false;
  const pump = async () => {
    if (busy) return;
    busy = true;
    while (queue.length > 0 && !hung) {
      const query = queue.shift();
      let request;
      try {
        request = JSON.parse(query);
      } catch (err) {
        await crash(`{"message": "Could not parse JSON:\\n${String(err.message).replace(/"/g, "'")}"}`);
      }
      log({ event: 'input', input: request });
      const result = await answer(request);
      if (result === 'hang') hung = true;
      else process.stdout.write(`${result}\n\n`);
    }
    busy = false;
    if (ended && (queue.length === 0 || hung)) process.exit(0);
  };
  readRequests(
    (query) => {
      // A lone blank line reaches the REPL as the request "\n", which it cannot parse.
      if (query.trim() === '') return crash('{"message": "Could not parse JSON:\\noffset 1: unexpected end of input"}');
      if (query.startsWith('#') || query.startsWith('--')) return;
      queue.push(query);
      pump();
    },
    () => {
      ended = true;
      pump();
    },
  );
}

/** The REPL's `getLines`: lines up to a blank one, each trimmed at the end, joined without separator. */
function readRequests(onRequest, onEnd) {
  const utf8 = new StringDecoder('utf8');
  let partial = '';
  let query = '';
  const line = (text) => {
    if (text.trim() !== '') query += text.trimEnd();
    else {
      onRequest(query === '' ? text : query);
      query = '';
    }
  };
  process.stdin.on('data', (chunk) => {
    const lines = (partial + utf8.write(chunk)).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) line(l);
  });
  process.stdin.on('end', () => {
    query += (partial + utf8.end()).trimEnd();
    if (query !== '') onRequest(query);
    onEnd();
  });
}

function crash(error) {
  process.stderr.write(`uncaught exception: ${error}\n`, () => process.exit(1));
  return new Promise(() => {});
}

function transcriptMode(inPath) {
  const outPath = inPath.replace(/\.in$/, '.expected.out');
  if (!existsSync(inPath) || !existsSync(outPath)) usage(`need both ${inPath} and ${outPath}`);
  const inputs = splitBlocks(readFileSync(inPath, 'utf8'), '')
    .filter((q) => !q.startsWith('#') && !q.startsWith('--'))
    .map((q) => JSON.parse(q));
  const outputs = splitBlocks(readFileSync(outPath, 'utf8'), '\n');
  let k = 0;
  return async (request) => {
    if (k >= inputs.length) return message(`double: the transcript ${inPath} has no request #${k + 1}`);
    if (!sameJson(request, inputs[k])) {
      return message(
        `double: unexpected input #${k + 1}: got ${JSON.stringify(request)}, expected ${JSON.stringify(inputs[k])}`,
      );
    }
    return outputs[k++];
  };
}

/** Blocks of non-blank lines; `joiner` '' joins like the REPL reads input, '\n' keeps an answer's layout. */
function splitBlocks(text, joiner) {
  const blocks = [];
  let lines = [];
  for (const l of `${text}\n`.split('\n')) {
    if (l.trim() !== '') lines.push(joiner === '' ? l.trimEnd() : l);
    else if (lines.length > 0) {
      blocks.push(lines.join(joiner));
      lines = [];
    }
  }
  return blocks;
}

function scriptMode(scriptPath, statePath) {
  const script = JSON.parse(readFileSync(scriptPath, 'utf8'));
  const state = statePath && existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : { fires: {} };
  const fire = (key, times) => {
    const count = state.fires[key] ?? 0;
    if (times !== undefined && count >= times) return false;
    state.fires[key] = count + 1;
    if (statePath) writeFileSync(statePath, JSON.stringify(state));
    return true;
  };
  const startup = script.startup;
  if (startup && fire('startup', startup.times)) {
    // Dying at startup: nothing read is ever answered, as with a REPL that cannot load its Lean.
    setTimeout(() => {
      if (startup.stderr) process.stderr.write(startup.stderr);
      process.stderr.write('', () => process.exit(startup.exit ?? 1));
    }, startup.delayMs ?? 0);
    return async () => 'hang';
  }
  const counters = { $nextEnv: 0, $nextProofState: 0 };
  return async (request) => {
    const index = (script.rules ?? []).findIndex(
      (rule, i) => matches(rule.match ?? {}, request) && fire(i, rule.times),
    );
    if (index < 0) return message(`double: no rule matches ${JSON.stringify(request)}`);
    const rule = script.rules[index];
    if (rule.stderr) process.stderr.write(rule.stderr);
    if (rule.delayMs) await new Promise((resolve) => setTimeout(resolve, rule.delayMs));
    if (rule.flood) await flood(rule.flood === 'stderr' ? process.stderr : process.stdout, rule.floodChars);
    if (rule.hang) return 'hang';
    if (rule.exit !== undefined) {
      process.stderr.write('', () => process.exit(rule.exit));
      return new Promise(() => {});
    }
    if (rule.respondRaw !== undefined) return rule.respondRaw;
    const counter = (v) => typeof v === 'string' && Object.hasOwn(counters, v);
    const filled = JSON.parse(JSON.stringify(rule.respond ?? {}), (_key, v) => (counter(v) ? counters[v]++ : v));
    return pretty(filled, 0);
  };
}

/** Writes `x`s to `stream` in 64 kB chunks, waiting whenever the pipe is full; forever when `total` is not given. */
async function flood(stream, total = Number.POSITIVE_INFINITY) {
  const chunk = 'x'.repeat(65_536);
  for (let written = 0; written < total; written += chunk.length) {
    const text = total - written < chunk.length ? chunk.slice(0, total - written) : chunk;
    if (!stream.write(text)) await new Promise((resolve) => stream.once('drain', resolve));
  }
}

function matches(match, request) {
  const cmd = typeof request?.cmd === 'string' ? request.cmd : undefined;
  for (const [key, want] of Object.entries(match)) {
    if (key === 'cmdIncludes' && !cmd?.includes(want)) return false;
    else if (key === 'cmdRegex' && (cmd === undefined || !new RegExp(want).test(cmd))) return false;
    else if (key === 'hasEnv' && (request?.env !== undefined) !== want) return false;
    else if (!['cmdIncludes', 'cmdRegex', 'hasEnv'].includes(key) && !sameJson(request?.[key], want)) return false;
  }
  return true;
}

function sameJson(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameJson(a[k], b[k]));
}

function message(text) {
  return pretty({ message: text }, 0);
}

/** Roughly Lean's `Json.pretty` (width 80): compact when it fits, else one field or element per line. */
function pretty(value, column) {
  const flat = compact(value);
  if (column + flat.length <= 80 || value === null || typeof value !== 'object') return flat;
  const pad = `\n${' '.repeat(column + 1)}`;
  if (Array.isArray(value)) return `[${value.map((v) => pretty(v, column + 1)).join(`,${pad}`)}]`;
  const fields = Object.entries(value).map(([k, v]) => {
    const head = `${JSON.stringify(k)}:`;
    const inline = compact(v);
    if (column + 1 + head.length + 1 + inline.length <= 80) return `${head} ${inline}`;
    return `${head}${pad} ${pretty(v, column + 2)}`;
  });
  return `{${fields.join(`,${pad}`)}}`;
}

function compact(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(compact).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}: ${compact(v)}`)
    .join(', ')}}`;
}
