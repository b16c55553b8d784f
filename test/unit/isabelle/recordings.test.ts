// Golden tests over the real Isabelle 2025-2 server replies (isabelle-client's recordings) and the real proof states
// PISA dumped from Isabelle2022: every reply parses, and what the client reads from them is what they say.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { goalsInError, parseProofState, tryThisSteps } from '@llemma/prover-text/isabelle';
import { decodeAll } from '../../../server/provers/isabelle/wire/byteMessages';
import {
  failureText,
  parseReply,
  type Reply,
  readSessionStart,
  readUseTheories,
} from '../../../server/provers/isabelle/wire/serverSchema';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'isabelle');
const recordings = join(fixtures, 'isabelle-client', 'isabelle-responses');

function replies(file: string): Reply[] {
  return decodeAll(readFileSync(join(recordings, file))).map((m) => {
    assert.equal(m.kind, 'message');
    const parsed = parseReply(m.kind === 'message' ? m.text : '');
    assert.ok(parsed.ok, `${file}: ${parsed.ok ? '' : parsed.error}`);
    return parsed.reply;
  });
}

describe('recorded server replies', () => {
  const asyncFiles = [
    'session_build',
    'session_start',
    'session_stop',
    'use_theories',
    'use_theories.Fail',
    'use_theories.Sledgehammer',
  ];
  for (const file of readdirSync(recordings)) {
    it(`${file}: every reply parses; an asynchronous command's replies all name its task`, () => {
      const all = replies(file);
      assert.ok(all.length > 0);
      if (!asyncFiles.includes(file)) {
        assert.equal(all.length, 1);
        assert.ok(all[0]?.kind === 'OK' || all[0]?.kind === 'ERROR');
        return;
      }
      const [first, ...rest] = all;
      assert.equal(first?.kind, 'OK');
      const task = (first?.value as { task: string } | undefined)?.task ?? '';
      assert.match(task, /^[0-9a-f-]{36}$/);
      assert.ok(rest.slice(0, -1).every((r) => r.kind === 'NOTE'));
      assert.equal(rest.at(-1)?.kind, 'FINISHED');
      for (const r of rest) {
        // session_build and session_start send `nodes_status` NOTEs without a task (undocumented in Isabelle).
        if (r.task === undefined) assert.equal((r.value as { kind: string }).kind, 'nodes_status');
        else assert.equal(r.task, task);
      }
    });
  }

  it('help lists the commands', () => {
    const [r] = replies('help');
    assert.deepEqual(r?.value, [
      'cancel',
      'echo',
      'help',
      'purge_theories',
      'session_build',
      'session_start',
      'session_stop',
      'shutdown',
      'use_theories',
    ]);
  });

  it('an unknown command is an ERROR with its words', () => {
    const [r] = replies('unknown');
    assert.equal(r?.kind, 'ERROR');
    assert.equal(failureText(r?.value), "Bad command 'unknown'");
  });

  it('cancel and shutdown answer a bare OK', () => {
    for (const f of ['cancel', 'shutdown']) assert.deepEqual(replies(f), [{ kind: 'OK', value: null }]);
  });

  it('session_start gives the session id', () => {
    assert.deepEqual(readSessionStart(replies('session_start').at(-1)?.value), {
      sessionId: '167dd6d8-1eeb-4315-8022-c8c527d9bd87',
      tmpDir: '/tmp/isabelle-/server_session10102610028077391104',
    });
  });

  it('use_theories: a theory that checks', () => {
    const result = readUseTheories(replies('use_theories').at(-1)?.value);
    assert.ok(result?.ok);
    assert.deepEqual(result.errors, []);
    assert.equal(result.nodes.length, 1);
    assert.equal(result.nodes[0]?.theoryName, 'Draft.Example');
    assert.deepEqual(result.nodes[0]?.messages, [
      {
        kind: 'writeln',
        message: 'theorem \\<forall>x. \\<exists>y. x = y',
        pos: { line: 5, offset: 59, endOffset: 61, file: 'Example.thy' },
      },
    ]);
    assert.equal(result.nodes[0]?.status?.ok, true);
  });

  it('use_theories.Fail: the failure, with the goal left in its error', () => {
    const result = readUseTheories(replies('use_theories.Fail').at(-1)?.value);
    assert.equal(result?.ok, false);
    assert.equal(result?.errors.length, 1);
    const error = result?.errors[0];
    assert.equal(error?.pos?.line, 5);
    assert.match(error?.message ?? '', /^Failed to finish proof/);
    const state = goalsInError(error?.message ?? '');
    assert.deepEqual(state?.goals, ['\\<And>x y. x = y']);
    assert.equal(result?.nodes[0]?.status?.failed, 1);
  });

  it('use_theories.Sledgehammer: the proofs it found, in order', () => {
    const result = readUseTheories(replies('use_theories.Sledgehammer').at(-1)?.value);
    const messages = result?.nodes.flatMap((n) => n.messages.map((m) => m.message)) ?? [];
    assert.equal(messages.length, 14);
    assert.deepEqual(tryThisSteps(messages), [
      'by presburger',
      'by simp',
      'by auto',
      'by blast',
      'by fast',
      'by metis',
    ]);
  });
});

describe('PISA proof-state dumps', () => {
  const dumps = readdirSync(join(fixtures, 'pisa')).filter((f) => f.endsWith('.json'));
  it('has the three dumps', () => assert.equal(dumps.length, 3));
  for (const file of dumps) {
    const { translations } = JSON.parse(readFileSync(join(fixtures, 'pisa', file), 'utf8')) as {
      translations: [string, string, number, string][];
    };
    const states = translations.map((t) => t[0]).filter((s) => s !== '');
    it(`${file}: every state parses into as many goals as its header says`, () => {
      assert.ok(states.length >= 10, `${states.length} states`);
      for (const s of states) {
        const state = parseProofState(s);
        assert.match(state.mode ?? '', /^(prove|state|chain)$/, s);
        const header = /^goal(?: \((\d+) subgoals?\))?:$/m.exec(s);
        if (!header) {
          // `proof (chain)` states show facts only.
          assert.equal(state.mode, 'chain', s);
          assert.equal(state.hasGoalBlock, false);
          continue;
        }
        const total = header[1] ? Number(header[1]) : 0;
        assert.equal(state.total, total, s);
        // Isabelle prints the first 10 goals (goals_limit) and then says how many there are.
        const shown = /^A total of \d+ subgoals\.\.\.$/m.test(s) ? 10 : total;
        assert.equal(state.goals.length, shown, s);
        // Every line of the goal block is in a parsed goal, and no goal keeps its number.
        const block = s
          .slice(header.index + header[0].length)
          .split('\n')
          .filter((l) => l.trim() && l.trim() !== 'No subgoals!' && !l.startsWith('A total of'));
        const joined = state.goals.join('\n');
        for (const l of block) assert.ok(joined.includes(l.replace(/^ *\d+\. /, '').trim()), l);
        for (const g of state.goals) assert.doesNotMatch(g, /^\d+\. /);
      }
    });
    it(`${file}: facts under using this / this / picking this are read`, () => {
      let read = 0;
      for (const s of states.filter((x) => /^(using this|this|picking this):$/m.test(x))) {
        // `this:` may be empty (after `fix`, say): then the next line is blank.
        const empty = /^(using this|this|picking this):\n\n/m.test(s);
        assert.equal(parseProofState(s).facts.length > 0, !empty, s);
        read += parseProofState(s).facts.length;
      }
      if (file.startsWith('Utils')) assert.ok(read > 20, `${read} facts`);
    });
  }
  it('a multi-goal state keeps its goals apart', () => {
    const s = 'proof (state)\ngoal (3 subgoals):\n 1. ?C \\<subseteq> A\n 2. B = f ` ?C\n 3. inj_on f ?C';
    assert.deepEqual(parseProofState(s).goals, ['?C \\<subseteq> A', 'B = f ` ?C', 'inj_on f ?C']);
  });
});
