/**
 * The wire schema against the real REPL's recorded transcripts: every answer of every copied `*.expected.out`, read
 * frame by frame through the framing decoder, must parse as the kind of answer its request gets; and `tacticOutcome`
 * must read the interesting answers the way the REPL means them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeAll } from '../../server/provers/lean/repl/framing';
import {
  type ParsedResponse,
  parseCommandResponse,
  parseResponse,
  parseTacticResponse,
  type ReplRequest,
  responseKindOf,
  SchemaError,
  type TacticResponse,
  tacticOutcome,
} from '../../server/provers/lean/repl/replSchema';

const dir = join(import.meta.dirname, 'transcripts');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.expected.out'))
  .map((f) => f.replace(/\.expected\.out$/, ''))
  .sort();

/** The requests of `name.in`, read as the REPL reads stdin: lines up to a blank line, joined. */
function requests(name: string): ReplRequest[] {
  const blocks: string[] = [];
  let block = '';
  for (const line of `${readFileSync(join(dir, `${name}.in`), 'utf8')}\n`.split('\n')) {
    if (line.trim() !== '') block += line.trimEnd();
    else if (block !== '') {
      blocks.push(block);
      block = '';
    }
  }
  return blocks.map((b) => JSON.parse(b) as ReplRequest);
}

/** Every answer of transcript `name`, parsed as the answer to its request. */
function answers(name: string): ParsedResponse[] {
  const reqs = requests(name);
  const frames = decodeAll(readFileSync(join(dir, `${name}.expected.out`), 'utf8'));
  assert.equal(frames.length, reqs.length, `${name}: one answer per request`);
  return frames.map((frame, i) => {
    assert.equal(frame.kind, 'json', `${name} #${i + 1} is JSON`);
    return parseResponse(frame.kind === 'json' ? frame.value : null, responseKindOf(reqs[i]!));
  });
}

function tacticAnswer(name: string, n: number): TacticResponse {
  const answer = answers(name)[n - 1];
  assert.equal(answer?.kind, 'tactic', `${name} #${n} is a tactic answer`);
  return answer.value as TacticResponse;
}

function outcomeOf(name: string, n: number) {
  const answer = answers(name)[n - 1];
  assert.ok(answer && answer.kind !== 'command', `${name} #${n} answers a tactic`);
  return tacticOutcome(answer.value as TacticResponse);
}

describe('the schema reads every recorded answer', () => {
  it('has the transcripts', () => assert.ok(names.length >= 50, `found ${names.length}`));
  for (const name of names) {
    it(name, () => {
      const parsed = answers(name);
      assert.ok(parsed.length > 0);
      for (const p of parsed) if (p.kind === 'error') assert.ok(p.value.message.length > 0);
    });
  }
});

describe('answer shapes', () => {
  it('reads a command answer with sorries and messages (readme #1)', () => {
    const [first] = answers('readme');
    assert.deepEqual(first, {
      kind: 'command',
      value: {
        env: 0,
        messages: [
          {
            severity: 'warning',
            pos: { line: 1, column: 4 },
            endPos: { line: 1, column: 5 },
            data: 'declaration uses `sorry`',
          },
        ],
        sorries: [
          { goal: 'x : Unit\n⊢ Nat', proofState: 0, pos: { line: 1, column: 29 }, endPos: { line: 1, column: 34 } },
        ],
      },
    });
  });

  it('reads sorries without a position inside tactic answers (have_by_sorry #3)', () => {
    assert.deepEqual(tacticAnswer('have_by_sorry', 3).sorries, [{ goal: 'x : Int\n⊢ x = 1', proofState: 2 }]);
  });

  it('reads allTactics, traces and info trees', () => {
    const tactics = answers('all_tactics')[0]?.value as { tactics: { tactic: string; usedConstants: string[] }[] };
    assert.deepEqual(
      tactics.tactics.map((t) => t.tactic),
      ['have t := 37', 'exact t'],
    );
    assert.deepEqual(tactics.tactics[0]?.usedConstants, ['instOfNatNat', 'Nat', 'OfNat.ofNat']);
    assert.equal(tacticAnswer('trace_simp', 6).traces?.[0], '37');
    const infotree = answers('infotree')[0]?.value as { infotree?: unknown[] };
    assert.ok(Array.isArray(infotree.infotree) && infotree.infotree.length > 0);
  });

  it('reads pickling answers: an env for environments, a tactic answer for proof states', () => {
    assert.deepEqual(
      answers('pickle_environment').map((a) => a.kind === 'command' && a.value.env),
      [0, 0, 1, 2],
    );
    assert.deepEqual(tacticAnswer('pickle_proof_state_1', 4).goals, ['⊢ Nat']);
  });

  it('reads the error object (unknown_environment, unknown_proof_state)', () => {
    assert.deepEqual(answers('unknown_environment')[0], { kind: 'error', value: { message: 'Unknown environment.' } });
    assert.deepEqual(answers('unknown_proof_state')[1], { kind: 'error', value: { message: 'Unknown proof state.' } });
  });
});

describe('tacticOutcome on the recorded answers', () => {
  it('closed: "Completed" with no goals (readme #3, trace_simp #7, root_goals #2)', () => {
    assert.deepEqual(outcomeOf('readme', 3), { kind: 'closed' });
    assert.deepEqual(outcomeOf('trace_simp', 7), { kind: 'closed' });
    assert.deepEqual(outcomeOf('root_goals', 2), { kind: 'closed' });
  });

  it('progress: the goals left (readme #2, proof_branching #2)', () => {
    assert.deepEqual(outcomeOf('readme', 2), { kind: 'progress', goals: ['x : Unit\n⊢ Int'] });
    const branching = outcomeOf('proof_branching', 2);
    assert.equal(branching.kind === 'progress' && branching.goals.length, 2);
  });

  it('failed: no goals but an error and "contains sorry" (invalid_tactic #2)', () => {
    assert.equal(tacticAnswer('invalid_tactic', 2).goals.length, 0);
    assert.deepEqual(outcomeOf('invalid_tactic', 2), { kind: 'failed', error: 'Unknown identifier `my_fake_premise`' });
  });

  it('failed: `sorry` itself leaves no goals but is no proof (tactic_mode_sorry #2, by_cases #4)', () => {
    for (const [name, n] of [['tactic_mode_sorry', 2] as const, ['by_cases', 4] as const]) {
      const outcome = outcomeOf(name, n);
      assert.equal(outcome.kind, 'failed');
      assert.match(outcome.kind === 'failed' ? outcome.error : '', /Incomplete: contains sorry/);
    }
  });

  it('failed: the kernel rejects the proof (app_type_mismatch2 #5, self_proof_rw #3)', () => {
    for (const [name, n] of [['app_type_mismatch2', 5] as const, ['self_proof_rw', 3] as const]) {
      const outcome = outcomeOf(name, n);
      assert.match(outcome.kind === 'failed' ? outcome.error : '', /Error: kernel type check failed/);
    }
  });

  it('failed: metavariables left (name_generator #3) and errors with no goals (name_generator #8)', () => {
    assert.match(JSON.stringify(outcomeOf('name_generator', 3)), /failed.*contains metavariable/);
    assert.deepEqual(outcomeOf('name_generator', 8), {
      kind: 'failed',
      error: 'unsolved goals\nx : Int\nh0 : x > 0\n⊢ x > 0',
    });
  });

  it('failed: the error object (unknown_tactic #2, app_type_mismatch2 #7)', () => {
    assert.deepEqual(outcomeOf('unknown_tactic', 2), {
      kind: 'failed',
      error: 'Lean error:\n<input>:1:1: unknown tactic',
    });
    assert.match(JSON.stringify(outcomeOf('app_type_mismatch2', 7)), /Tactic `apply` failed/);
  });
});

describe('tacticOutcome without a recording', () => {
  const error = { severity: 'error' as const, pos: { line: 0, column: 0 }, data: 'type mismatch' };
  it('counts no goals and no error as closed for REPLs that report no proofStatus', () => {
    assert.deepEqual(tacticOutcome({ proofState: 3, goals: [] }), { kind: 'closed' });
  });
  it('fails a tactic with an error even when goals remain or no status is given', () => {
    assert.deepEqual(tacticOutcome({ proofState: 3, goals: ['⊢ p'], messages: [error] }), {
      kind: 'failed',
      error: 'type mismatch',
    });
    assert.equal(tacticOutcome({ proofState: 3, goals: [], messages: [error] }).kind, 'failed');
  });
  it('does not count warnings as errors', () => {
    const warning = { ...error, severity: 'warning' as const };
    assert.deepEqual(tacticOutcome({ proofState: 1, goals: [], messages: [warning], proofStatus: 'Completed' }), {
      kind: 'closed',
    });
  });
});

describe('schema errors', () => {
  const bad: [string, () => unknown, RegExp][] = [
    [
      'a command answer without env',
      () => parseCommandResponse({ messages: [] }),
      /\$\.env: expected a natural number/,
    ],
    ['a negative env', () => parseCommandResponse({ env: -1 }), /\$\.env/],
    [
      'an unknown severity',
      () => parseCommandResponse({ env: 0, messages: [{ severity: 'fatal', pos: { line: 1, column: 0 }, data: '' }] }),
      /\$\.messages\[0\]\.severity: expected a severity, got "fatal"/,
    ],
    [
      'goals that are not a list',
      () => parseTacticResponse({ proofState: 1, goals: 'x' }),
      /\$\.goals: expected an array/,
    ],
    ['a number', () => parseResponse(42, 'command'), /\$: expected an object, got 42/],
    ['a list', () => parseResponse([], 'tactic'), /\$: expected an object/],
  ];
  for (const [what, run, message] of bad) {
    it(`rejects ${what}`, () =>
      assert.throws(run, (err: unknown) => err instanceof SchemaError && message.test(err.message)));
  }

  it('accepts null for optional fields, as Lean writes `none`', () => {
    const r = parseCommandResponse({
      env: 2,
      sorries: [{ goal: '⊢ True', proofState: null }],
      messages: [{ severity: 'info', pos: { line: 1, column: 0 }, endPos: null, data: 'hi' }],
    });
    assert.deepEqual(r, {
      env: 2,
      sorries: [{ goal: '⊢ True' }],
      messages: [{ severity: 'info', pos: { line: 1, column: 0 }, data: 'hi' }],
    });
  });

  it('routes requests to the kind of answer they get', () => {
    assert.equal(responseKindOf({ cmd: 'x' }), 'command');
    assert.equal(responseKindOf({ path: 'f.lean' }), 'command');
    assert.equal(responseKindOf({ tactic: 'rfl', proofState: 0 }), 'tactic');
    assert.equal(responseKindOf({ pickleTo: 'a.olean', env: 0 }), 'command');
    assert.equal(responseKindOf({ pickleTo: 'a.olean', proofState: 0 }), 'tactic');
    assert.equal(responseKindOf({ unpickleEnvFrom: 'a.olean' }), 'command');
    assert.equal(responseKindOf({ unpickleProofStateFrom: 'a.olean' }), 'tactic');
  });
});
