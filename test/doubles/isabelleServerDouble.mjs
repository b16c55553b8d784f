#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
/**
 * isabelleServerDouble.mjs: a test double of the Isabelle server (`isabelle server`), at its TCP boundary. Started as
 * `isabelleServerDouble.mjs server -n NAME` (the arguments the product gives `isabelle`), it listens on 127.0.0.1 on a
 * free port, prints `server "NAME" = 127.0.0.1:PORT (password "PW")` like the real one and serves until killed.
 * Plain Node, no dependencies; its framing is written here on its own, not taken from the product.
 *
 * Answers are the recorded server replies of test/fixtures/isabelle/isabelle-client/isabelle-responses/ (Isabelle
 * 2025-2), replayed with a fresh task id per command so concurrent tasks can be told apart. `use_theories` reads the
 * theory files from `master_dir`, as the real server does, and answers:
 *   - with a world (below), what the world says about the theory's step;
 *   - else the recording `use_theories.Fail` when the theory holds `FAIL`, `use_theories.Sledgehammer` when it holds
 *     `sledgehammer`, else `use_theories`; a theory holding `UNICODE` gets its messages' `\<forall>` as `∀`.
 *
 * Behaviour is chosen by the JSON in the environment variable ISABELLE_DOUBLE:
 *   password: the password (default: a fixed UUID-like string)
 *   splitAt: n        every message is written in two TCP writes, cut after its n-th byte (header included)
 *   dropOn: "cmd"     the connection is closed when that command arrives (a dropped connection)
 *   hangOn: "cmd"     that command's task starts and never finishes, until `cancel` (then FAILED "Interrupt")
 *   delayMs: {name: ms}  a use_theories whose theory names contain `name` finishes after ms (task interleaving)
 *   world: {root: STATE, steps: {STEP: {state?: STATE, error?: TEXT}}}
 *       STEP is the trimmed line just before `print_state`; a theory without a known step there gets `root`
 *       (with `unknownStepsFail: true`, an unknown line that is a proof step fails instead).
 *       A theory without `print_state` (a whole-proof check) is ok when every step of its last proof is known and
 *       its last step closes (a state "No subgoals!" or no state), else it fails.
 *       A STEP that is a `sledgehammer` command is answered with the messages of the recording
 *       `use_theories.Sledgehammer` (its `Try this:` lines: presburger, simp, auto, blast, fast, metis) on that
 *       line, then `root`; with `sledgehammerError: TEXT` in the world, with that error on its line instead.
 *   worldFile: path  the world read from a JSON file instead (the end-to-end tests' world)
 *   log: path        appends each command received, one per line, and `sledgehammer asked` for each sledgehammer
 *                    question a world answers
 *   exitWithParent: true  exits once the process that started it is gone (the real server outlives its client; a
 *                    double left behind by a killed editor would not be cleaned up)
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const here = import.meta.dirname;
const recordings = join(here, '..', 'fixtures', 'isabelle', 'isabelle-client', 'isabelle-responses');
const config = JSON.parse(process.env.ISABELLE_DOUBLE || '{}');
if (config.worldFile) config.world = JSON.parse(readFileSync(config.worldFile, 'utf8'));
const password = config.password ?? 'c0ffee00-1111-2222-3333-444455556666';
const name = process.argv[process.argv.indexOf('-n') + 1] ?? 'isabelle';

/** A recording's messages, read with this file's own framing: a digits-only line announces the next n bytes. */
function readRecording(file) {
  const bytes = readFileSync(join(recordings, file));
  const out = [];
  let at = 0;
  while (at < bytes.length) {
    const eol = bytes.indexOf(0x0a, at);
    const end = eol < 0 ? bytes.length : eol;
    const line = bytes.subarray(at, end).toString('utf8');
    at = end + 1;
    if (/^\d+$/.test(line)) {
      const n = Number(line);
      out.push(bytes.subarray(at, at + n - 1).toString('utf8'));
      at += n;
    } else if (line !== '') out.push(line);
  }
  return out;
}
const recorded = Object.fromEntries(readdirSync(recordings).map((f) => [f, readRecording(f)]));

function frame(text) {
  const body = Buffer.from(text, 'utf8');
  const long = body.length > 100 || body.includes(0x0a);
  return Buffer.concat([long ? Buffer.from(`${body.length + 1}\n`) : Buffer.alloc(0), body, Buffer.from('\n')]);
}

function withTask(text, task) {
  return text.replace(/"task":"[0-9a-f-]{36}"/g, `"task":"${task}"`);
}

/** The messages of the recorded Sledgehammer run (the last reply's, FINISHED), each `{kind, message}`. */
function recordedSledgehammer() {
  const finished = recorded['use_theories.Sledgehammer'].at(-1);
  const result = JSON.parse(finished.slice(finished.indexOf(' ') + 1));
  return result.nodes.flatMap((n) => n.messages).map((m) => ({ kind: m.kind, message: m.message }));
}

/** The messages of a world's answer to one theory. */
function worldAnswer(world, theory, file) {
  const lines = theory.split('\n');
  const printAt = lines.findIndex((l) => l.trim() === 'print_state');
  const message = (kind, text, line) => ({ kind, message: text, pos: { line, offset: 1, end_offset: 2, file } });
  if (printAt >= 0) {
    const step = (lines[printAt - 1] ?? '').trim();
    if (/^sledgehammer\b/.test(step)) {
      if (config.log) appendFileSync(config.log, 'sledgehammer asked\n');
      if (world.sledgehammerError) {
        return { ok: false, messages: [message('error', world.sledgehammerError, printAt)] };
      }
      const said = recordedSledgehammer().map((m) => message(m.kind, m.message, printAt));
      return { ok: true, messages: [...said, message('writeln', world.root, printAt + 1)] };
    }
    const known = world.steps?.[step];
    if (!known && world.unknownStepsFail && /^(apply|by|using|unfolding|done)\b/.test(step)) {
      return { ok: false, messages: [message('error', 'Failed to apply initial proof method', printAt)] };
    }
    if (known?.error) return { ok: false, messages: [message('error', known.error, printAt)] };
    const state = known ? known.state : world.root;
    return { ok: true, messages: state ? [message('writeln', state, printAt + 1)] : [] };
  }
  // A whole proof: the steps after the statement's last line that the world knows, up to `end`.
  const endAt = lines.lastIndexOf('end');
  const steps = lines
    .slice(0, endAt)
    .map((l) => l.trim())
    .filter((l) => l in (world.steps ?? {}));
  const last = world.steps?.[steps.at(-1)];
  const bad = steps.find((s) => world.steps[s].error);
  const closes = last && !last.error && (!last.state || last.state.includes('No subgoals!'));
  if (bad || !closes || /\bsorry\b|\boops\b/.test(theory)) {
    return { ok: false, messages: [message('error', bad ? world.steps[bad].error : 'Failed to finish proof', endAt)] };
  }
  return { ok: true, messages: [] };
}

function useTheoriesReply(arg, task) {
  const theories = (arg.theories ?? []).map((t) => ({
    t,
    text: readFileSync(join(arg.master_dir, `${t}.thy`), 'utf8'),
  }));
  if (config.world) {
    const nodes = theories.map(({ t, text }) => {
      const a = worldAnswer(config.world, text, `${t}.thy`);
      return {
        messages: a.messages,
        exports: [],
        status: {
          percentage: 100,
          unprocessed: 0,
          running: 0,
          finished: 1,
          failed: a.ok ? 0 : 1,
          total: 1,
          consolidated: true,
          canceled: false,
          ok: a.ok,
          warned: 0,
        },
        theory_name: `Draft.${t}`,
        node_name: `${t}.thy`,
      };
    });
    const errors = nodes.flatMap((n) => n.messages.filter((m) => m.kind === 'error'));
    return [`FINISHED ${JSON.stringify({ ok: errors.length === 0, errors, nodes, task })}`];
  }
  const all = theories.map((x) => x.text).join('\n');
  const file = all.includes('FAIL')
    ? 'use_theories.Fail'
    : all.includes('sledgehammer')
      ? 'use_theories.Sledgehammer'
      : 'use_theories';
  let messages = recorded[file].slice(1).map((m) => withTask(m, task));
  if (all.includes('UNICODE')) messages = messages.map((m) => m.replaceAll('\\\\<forall>', '∀'));
  return messages;
}

const server = createServer((socket) => {
  socket.setNoDelay(true);
  let buffered = Buffer.alloc(0);
  let authed = false;
  const hanging = new Set();
  let writing = Promise.resolve();
  const send = (text) => {
    const bytes = frame(text);
    writing = writing.then(async () => {
      if (socket.destroyed) return;
      if (config.splitAt !== undefined && config.splitAt > 0 && config.splitAt < bytes.length) {
        socket.write(bytes.subarray(0, config.splitAt));
        await new Promise((r) => setTimeout(r, 5));
        socket.write(bytes.subarray(config.splitAt));
      } else socket.write(bytes);
    });
  };
  const handle = (line) => {
    if (!authed) {
      if (line !== password) return socket.destroy();
      authed = true;
      return send('OK {"isabelle_id":"double","isabelle_name":"Isabelle2025-2"}');
    }
    if (config.log) appendFileSync(config.log, `${line}\n`);
    const space = line.indexOf(' ');
    const cmd = space < 0 ? line : line.slice(0, space);
    const arg = space < 0 ? {} : JSON.parse(line.slice(space + 1));
    if (cmd === config.dropOn) return socket.destroy();
    if (cmd === 'cancel') {
      send('OK');
      if (hanging.delete(arg.task))
        send(`FAILED ${JSON.stringify({ kind: 'error', message: 'Interrupt', task: arg.task })}`);
      return;
    }
    const file = { use_theories: 'use_theories' }[cmd] ?? cmd;
    if (!recorded[file]) return send(`ERROR ${JSON.stringify(`Bad command '${cmd}'`)}`);
    const first = recorded[file][0];
    if (!first.startsWith('OK {"task"')) return recorded[file].forEach(send);
    const task = randomUUID();
    send(`OK ${JSON.stringify({ task })}`);
    if (cmd === config.hangOn) return hanging.add(task);
    const rest =
      cmd === 'use_theories' ? useTheoriesReply(arg, task) : recorded[file].slice(1).map((m) => withTask(m, task));
    const delay =
      Object.entries(config.delayMs ?? {}).find(([k]) => (arg.theories ?? []).some((t) => t.includes(k)))?.[1] ?? 0;
    const [last, ...notes] = [rest.at(-1), ...rest.slice(0, -1)];
    for (const n of notes) send(n);
    setTimeout(() => send(last), delay);
  };
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      const eol = buffered.indexOf(0x0a);
      if (eol < 0) return;
      const line = buffered.subarray(0, eol).toString('utf8');
      if (/^\d+$/.test(line)) {
        const n = Number(line);
        if (buffered.length < eol + 1 + n) return;
        const body = buffered.subarray(eol + 1, eol + n).toString('utf8');
        buffered = buffered.subarray(eol + 1 + n);
        handle(body);
      } else {
        buffered = buffered.subarray(eol + 1);
        handle(line);
      }
    }
  });
  socket.on('error', () => undefined);
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`server "${name}" = 127.0.0.1:${port} (password "${password}")\n`);
});
process.on('SIGTERM', () => process.exit(0));
if (config.exitWithParent) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 500).unref();
}
