/**
 * world.mjs: the `--world <world.json>` mode of replDouble.mjs. It emulates just enough of Lean for tactic suggestion
 * and proof search, driven by a table of goals and the tactics accepted on them:
 *
 *   {"theorems": {"add_zero'": "n : ℕ\n⊢ n + 0 = n", "example": "⊢ 1 = 1"},   declaration name → initial goal
 *    "tactics": {"n : ℕ\n⊢ n + 0 = n": {"simp": [], "rfl": {"error": "…"}}},  goal text → tactic → result
 *    "axioms": {"add_zero'": ["propext"]}}                                      optional, for #print axioms
 *
 * A result is a list of goals, which replaces the FIRST goal of the state ([] closes it), or an object
 * {goals?, error?, delayMs?, hang?, exit?, kill?, axioms?}: `delayMs` waits before answering, `hang` never answers,
 * `exit` ends the process with that code, `kill` makes it SIGKILL itself (a worker killed from outside, `kill -9`): with
 * `"once"` only the first time any process of the world meets it (counted in the `--state` file), the other keys
 * answering from then on, with `true` every time; `error` alone fails the tactic (Lean threw: the rest of a tactic block is skipped),
 * `error` with `goals` is an error Lean recovered from (it logs the error and goes on with those goals). `axioms` are
 * axioms the tactic's proof term brings in unseen by tactic mode (say ["sorryAx"] for `exact h` where `h` was proved
 * by `sorry`, or a tactic that admits behind a name): only `#print axioms` of a declaration using it lists them.
 * Tactics are compared after trimming each line's end and dropping a trailing `-- comment`; a multi-line tactic is
 * written with "\n" and indentation relative to its first line. A tactic the table does not list for the state's
 * first goal fails with
 *   Tactic `<tactic>` failed: the world has no result for it on this goal\n\n<goal>
 * `sorry` closes the first goal and `all_goals sorry` every goal, reporting one sorry per goal (each with a proof state
 * holding that goal alone), as the REPL does. A `sorry` inside a listed tactic (`refine ⟨?_, sorry⟩`) is a term-mode
 * sorry: it is reported at its position with the goal `⊢ ?` (the world does not know its type) and taints the
 * declaration like a tactic `sorry`.
 *
 * Holes. The server re-checks a proof with the user's other `sorry`s written as a hole token `llemma_hole_<hex>`,
 * declared by a command holding the line `axiom _root_.llemmaHole_<hex> : Prop` (see sorryHoles.ts). The world
 * accepts that command as any other, and in an env built on it reads the token as `sorry` (in tactic and term
 * position) without the sorry: no warning, no reported sorry, no sorryAx; `#print axioms` lists `llemmaHole_<hex>`,
 * `.key` and `.fill` instead. In an env without that command the token is an unknown tactic.
 *
 * Command mode. Each line at column 0 starting `theorem NAME`, `lemma NAME` or `example` (after modifiers) starts a
 * declaration, which runs to the next non-blank line at column 0. A declaration whose name is in "theorems" (`example`
 * looks up the key "example") and that has `:= by` is simulated: its tactic block (text after `by` on that line, then
 * the following lines) is split into tactics at the block's indentation (a deeper line, or one starting with `|`,
 * continues the tactic above) and run from the initial goal. Messages, in the real REPL's shapes (Lean 4.33):
 *   a failed tactic: error at the tactic, the table's text or the one above; the rest of the block is skipped;
 *   goals left at the end: error at `by` to the block's end, "unsolved goals\n" + goals joined by "\n\n";
 *   no goal for a tactic: error "No goals to be solved";
 *   a sorry: warning at the declaration's name (`example`: its keyword), "declaration uses `sorry`".
 * Other commands answer {"env": n}. `#print axioms NAME` (a line at column 0) answers, for a declaration simulated in
 * this env or an env it was built on, the info "'NAME' depends on axioms: [a, b]" (the world's axioms, then sorryAx when
 * the proof used sorry or failed) or "'NAME' does not depend on any axioms"; otherwise the error
 * "Unknown constant `NAME`". An unknown `env` answers {"message": "Unknown environment."}.
 *
 * Tactic mode. An unknown proof state answers {"message": "Unknown proof state."}. Otherwise the tactic (one or more
 * lines, split like a block) runs on the state's goals: a failure Lean threw answers {"message": "Lean error:\n<text>"};
 * else a new proof state with its goals and "proofStatus" ("Completed", "Incomplete: open goals remain",
 * "Incomplete: contains sorry"), recovered errors as messages at line 0, and sorries without positions.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const declLine =
  /^((?:@\[[^\]]*\]\s*)?(?:(?:private|protected|noncomputable|nonrec|unsafe|partial)\s+)*)(theorem|lemma|example)(?![\p{L}\p{N}_'!?.])/u;
const byToken = /:=\s*(by)(?![\p{L}\p{N}_'!?.])/u;
const printAxioms = /^#print\s+axioms\s+(\S+)/;
const allGoalsSorry = /^all_goals\s+sorry$/;
const holeAxiom = /^axiom _root_\.(llemmaHole_[0-9a-f]+) : Prop$/;
const holeToken = /(?<![\p{L}\p{N}_'!?.])llemma_hole_([0-9a-f]+)(?![\p{L}\p{N}_'!?.])/gu;
const termSorry = /(?<![\p{L}\p{N}_'!?.])sorry(?![\p{L}\p{N}_'!?.])/u;

/** Code points in `s` (Lean counts columns in code points). */
const cps = (s) => [...s].length;
const indentOf = (s) => s.length - s.trimStart().length;
const normalise = (t) =>
  t
    .split('\n')
    .map((l) => l.replace(/(^|\s)--.*$/, '').trimEnd())
    .join('\n')
    .trim();

export function worldMode(worldPath, pretty, statePath) {
  const world = JSON.parse(readFileSync(worldPath, 'utf8'));
  /** `kill: "once"` cues already fired, by any process of this world (the `--state` file). */
  const fired = () => (statePath && existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : {});
  const fire = (key) => statePath && writeFileSync(statePath, JSON.stringify({ ...fired(), [key]: true }));
  const theorems = world.theorems ?? {};
  const table = world.tactics ?? {};
  /** env id → Map(declaration name → {sorry}): what was elaborated there and in the envs it was built on. */
  const envs = new Map();
  /** proof state id → {goals, sorry}. */
  const states = new Map();
  let nextEnv = 0;
  let nextProofState = 0;
  const newState = (goals, sorry) => {
    const id = nextProofState++;
    states.set(id, { goals, sorry });
    return id;
  };

  /**
   * Runs tactics from `goals`; stops at the first failure Lean would throw. Returns 'hang' to never answer. `declared`
   * is the env's (for the holes it declares); tactic mode has none.
   */
  async function run(goals, tactics, declared = new Map()) {
    const out = {
      goals: [...goals],
      errors: [],
      sorries: [],
      stopped: false,
      sorry: false,
      error: false,
      holes: new Set(),
      axioms: [],
    };
    for (const tac of tactics) {
      const written = normalise(tac.text);
      const nonces = [...written.matchAll(holeToken)].map((m) => m[1]);
      const unknown = nonces.find((nonce) => !declared.get(`llemmaHole_${nonce}`)?.hole);
      if (unknown !== undefined) {
        fail(out, tac, `unknown tactic llemma_hole_${unknown}`);
        break;
      }
      for (const nonce of nonces) out.holes.add(nonce);
      // A hole reads as `sorry`, but only a `sorry` written as such is one.
      const text = written.replace(holeToken, 'sorry');
      if (text === 'sorry' || allGoalsSorry.test(text)) {
        const n = text === 'sorry' ? Math.min(1, out.goals.length) : out.goals.length;
        if (text === 'sorry' && n === 0) {
          fail(out, tac, 'No goals to be solved');
          break;
        }
        const column = tac.column + cps(text.slice(0, text.lastIndexOf('sorry')));
        const closed = out.goals.splice(0, n);
        if (nonces.length > 0) continue;
        for (const goal of closed) out.sorries.push({ goal, line: tac.line, column });
        out.sorry ||= n > 0;
        continue;
      }
      const sorryAt = termSorry.exec(written);
      if (sorryAt) {
        out.sorries.push({ goal: '⊢ ?', line: tac.line, column: tac.column + cps(written.slice(0, sorryAt.index)) });
        out.sorry = true;
      }
      const goal = out.goals[0];
      if (goal === undefined) {
        fail(out, tac, 'No goals to be solved');
        break;
      }
      let result = own(own(table, goal), text);
      if (result === undefined) {
        const known = Object.entries(own(table, goal) ?? {}).find(([k]) => normalise(k) === text);
        result = known?.[1];
      }
      if (result === undefined) {
        fail(out, tac, `Tactic \`${text}\` failed: the world has no result for it on this goal\n\n${goal}`);
        break;
      }
      if (Array.isArray(result)) result = { goals: result };
      if (result.delayMs) await new Promise((resolve) => setTimeout(resolve, result.delayMs));
      if (result.hang) return 'hang';
      const killKey = `kill\u0000${goal}\u0000${text}`;
      if (result.kill === true || (result.kill === 'once' && !fired()[killKey])) {
        fire(killKey);
        process.kill(process.pid, 'SIGKILL');
        return new Promise(() => {});
      }
      if (result.exit !== undefined) {
        process.stderr.write('', () => process.exit(result.exit));
        return new Promise(() => {});
      }
      if (result.error !== undefined && result.goals === undefined) {
        fail(out, tac, result.error);
        break;
      }
      if (result.error !== undefined) {
        out.errors.push({ tac, data: result.error });
        out.error = true;
      }
      out.axioms.push(...(result.axioms ?? []));
      out.goals.splice(0, 1, ...(result.goals ?? []));
    }
    return out;
  }

  async function command(request) {
    const base = request.env === undefined ? new Map() : envs.get(request.env);
    if (!base) return pretty({ message: 'Unknown environment.' }, 0);
    const declared = new Map(base);
    const lines = request.cmd.split('\n');
    const sorries = [];
    const messages = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const printed = printAxioms.exec(line);
      if (printed) {
        messages.push(axiomsMessage(printed[1], i + 1, line, declared));
        continue;
      }
      const hole = holeAxiom.exec(line);
      if (hole) {
        declared.set(hole[1], { hole: true });
        continue;
      }
      const m = declLine.exec(line);
      if (!m) continue;
      let end = i + 1;
      while (end < lines.length && (lines[end].trim() === '' || indentOf(lines[end]) > 0)) end++;
      const decl = declaration(lines, i, end, m);
      i = end - 1;
      const goal = decl && own(theorems, decl.key);
      if (goal === undefined) continue;
      const out = await run([goal], decl.tactics, declared);
      if (out === 'hang') return out;
      for (const e of out.errors) messages.push(errorAt(e.tac, e.data));
      if (!out.stopped && out.goals.length > 0) {
        const last = decl.tactics.at(-1) ?? { endLine: decl.by.line, endColumn: decl.by.column + 2 };
        messages.push({
          severity: 'error',
          pos: decl.by,
          endPos: { line: last.endLine, column: last.endColumn },
          data: `unsolved goals\n${out.goals.join('\n\n')}`,
        });
      }
      for (const s of out.sorries) {
        sorries.push({
          proofState: newState([s.goal], false),
          pos: { line: s.line, column: s.column },
          goal: s.goal,
          endPos: { line: s.line, column: s.column + 5 },
        });
      }
      if (out.sorry) messages.push({ severity: 'warning', ...decl.namePos, data: 'declaration uses `sorry`' });
      const holes = [...out.holes].flatMap((n) => [`llemmaHole_${n}`, `llemmaHole_${n}.key`, `llemmaHole_${n}.fill`]);
      const sorry = out.sorry || out.error || out.stopped || out.goals.length > 0;
      if (decl.name) declared.set(decl.name, { sorry, axioms: [...out.axioms, ...holes] });
    }
    const env = nextEnv++;
    envs.set(env, declared);
    const response = {};
    if (sorries.length > 0) response.sorries = sorries;
    if (messages.length > 0) response.messages = messages;
    response.env = env;
    return pretty(response, 0);
  }

  function axiomsMessage(name, line, text, declared) {
    const decl = declared.get(name);
    if (!decl) {
      const column = cps(text.slice(0, text.lastIndexOf(name)));
      return {
        severity: 'error',
        pos: { line, column },
        endPos: { line, column: column + cps(name) },
        data: `Unknown constant \`${name}\``,
      };
    }
    const axioms = [...new Set([...(own(world.axioms, name) ?? []), ...(decl.axioms ?? [])])];
    if (decl.sorry && !axioms.includes('sorryAx')) axioms.push('sorryAx');
    return {
      severity: 'info',
      pos: { line, column: 0 },
      endPos: { line, column: cps(text.trimEnd()) },
      data:
        axioms.length === 0
          ? `'${name}' does not depend on any axioms`
          : `'${name}' depends on axioms: [${axioms.join(', ')}]`,
    };
  }

  async function tactic(request) {
    const state = states.get(request.proofState);
    if (!state) return pretty({ message: 'Unknown proof state.' }, 0);
    const text = String(request.tactic);
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const tactics = split(lines.map((l) => ({ line: 0, index: indentOf(l), column: indentOf(l), text: l })));
    const out = await run(state.goals, tactics);
    if (out === 'hang') return out;
    if (out.stopped) return pretty({ message: `Lean error:\n${out.errors.at(-1).data}` }, 0);
    const sorry = state.sorry || out.sorry || out.error;
    const response = {};
    if (out.sorries.length > 0) {
      response.sorries = out.sorries.map((s) => ({ proofState: newState([s.goal], false), goal: s.goal }));
    }
    response.proofStatus =
      out.goals.length > 0 ? 'Incomplete: open goals remain' : sorry ? 'Incomplete: contains sorry' : 'Completed';
    response.proofState = newState(out.goals, sorry);
    if (out.errors.length > 0) {
      const zero = { line: 0, column: 0 };
      response.messages = out.errors.map((e) => ({ severity: 'error', pos: zero, endPos: zero, data: e.data }));
    }
    response.goals = out.goals;
    return pretty(response, 0);
  }

  return async (request) => {
    if (typeof request?.cmd === 'string') return command(request);
    if (typeof request?.tactic === 'string') return tactic(request);
    return pretty({ message: `double: the world mode does not answer ${JSON.stringify(request)}` }, 0);
  };
}

function fail(out, tac, data) {
  out.errors.push({ tac, data });
  out.stopped = true;
  out.error = true;
}

function errorAt(tac, data) {
  return {
    severity: 'error',
    pos: { line: tac.line, column: tac.column },
    endPos: { line: tac.endLine, column: tac.endColumn },
    data,
  };
}

/** The declaration on lines [start, end): its name, where its `by` is, and its tactics; undefined without `:= by`. */
function declaration(lines, start, end, match) {
  const keyword = match[2];
  const head = lines[start];
  const keywordAt = match[1].length;
  let name;
  let namePos = {
    pos: { line: start + 1, column: cps(head.slice(0, keywordAt)) },
    endPos: { line: start + 1, column: cps(head.slice(0, keywordAt)) + keyword.length },
  };
  if (keyword !== 'example') {
    const rest = head.slice(keywordAt + keyword.length);
    const n = /^\s+([^\s(:{[⦃]+)/u.exec(rest);
    if (!n) return undefined;
    name = n[1];
    const column = cps(head.slice(0, keywordAt + keyword.length + n[0].length - name.length));
    namePos = { pos: { line: start + 1, column }, endPos: { line: start + 1, column: column + cps(name) } };
  }
  // Where `:= by` is: search the declaration's text, then turn the offset back into a line and a column.
  const text = lines.slice(start, end).join('\n');
  const by = byToken.exec(text);
  if (!by) return undefined;
  const byOffset = by.index + by[0].length - 2;
  const before = text.slice(0, byOffset).split('\n');
  const byLine = start + before.length - 1;
  const byIndex = before.at(-1).length;
  const entries = [];
  const sameLine = lines[byLine].slice(byIndex + 2);
  if (sameLine.trim() !== '') {
    entries.push({ line: byLine + 1, index: byIndex + 2 + indentOf(sameLine), text: lines[byLine], same: true });
  }
  for (let k = byLine + 1; k < end; k++) {
    const t = lines[k].trim();
    if (t === '' || t.startsWith('--')) continue;
    entries.push({ line: k + 1, index: indentOf(lines[k]), text: lines[k] });
  }
  const blockLines = entries.map((e) => ({ ...e, column: cps(e.text.slice(0, e.index)) }));
  return {
    key: keyword === 'example' ? 'example' : name,
    name,
    namePos,
    by: { line: byLine + 1, column: cps(lines[byLine].slice(0, byIndex)) },
    tactics: split(blockLines),
  };
}

/**
 * Groups block lines ({line, index, column, text}: `text` is the whole source line, the tactic starts at `index`)
 * into tactics: a line deeper than the block's first, or one starting with `|`, continues the tactic above.
 */
function split(blockLines) {
  const tactics = [];
  const blockColumn = blockLines[0]?.column ?? 0;
  for (const l of blockLines) {
    const body = l.text.slice(l.index).trimEnd();
    const end = { endLine: l.line, endColumn: l.column + cps(body) };
    const current = tactics.at(-1);
    if (current && (l.column > blockColumn || body.startsWith('|'))) {
      current.text += `\n${' '.repeat(Math.max(0, l.column - blockColumn))}${body}`;
      Object.assign(current, end);
    } else {
      tactics.push({ text: body, line: l.line, column: l.column, ...end });
    }
  }
  return tactics;
}

/** `obj[key]` for the world's own keys only: a tactic named `constructor` must not find Object.prototype's. */
function own(obj, key) {
  return obj != null && Object.hasOwn(obj, key) ? obj[key] : undefined;
}
