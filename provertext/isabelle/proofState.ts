/**
 * Isabelle's printed proof states, read into goals. The text is Isabelle's own rendering with symbols in their ASCII
 * form (`\<And>`), as `print_state`, a `state` message, the goals in a failing step's error, or a PISA dump show it:
 *
 *     proof (prove)
 *     using this:
 *     b \<in> B
 *
 *     goal (2 subgoals):
 *      1. g ` B \<subseteq> A
 *      2. inj_on f
 *          (g ` B)
 *
 * A subgoal's continuation lines are indented deeper than its number; `goal:\nNo subgoals!` is a state with none.
 */

export interface ProofStateText {
  /** `prove`, `state` or `chain` (Isar's modes), or null when the text does not say. */
  mode: string | null;
  /** The facts under `using this:`, `this:` or `picking this:`, one per line as printed. */
  facts: string[];
  /** Each subgoal's text, without its number, continuation lines joined by newlines. */
  goals: string[];
  /** Whether a `goal` block was found at all (`No subgoals!` included). */
  hasGoalBlock: boolean;
  /**
   * How many subgoals the state has, as its header says: more than `goals.length` when Isabelle printed only the
   * first ones (`goals_limit`, default 10) and then `A total of N subgoals...`.
   */
  total: number;
}

const goalHead = /^goal(?: \((\d+) subgoals?\))?:\s*$/;
const numbered = /^ {0,3}(\d+)\. ?(.*)$/;
const factHeads = new Set(['using this:', 'this:', 'picking this:']);

/** Reads a proof state; text without a `goal` block reads as no goals (`hasGoalBlock` false). */
export function parseProofState(text: string): ProofStateText {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const state: ProofStateText = { mode: null, facts: [], goals: [], hasGoalBlock: false, total: 0 };
  let i = 0;
  const mode = /^proof \((\w+)\)\s*$/.exec(lines[0] ?? '');
  if (mode) {
    state.mode = mode[1] as string;
    i = 1;
  }
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (factHeads.has(line.trim()) && !state.hasGoalBlock) {
      for (i++; i < lines.length && (lines[i] as string).trim() !== ''; i++) state.facts.push(lines[i] as string);
      continue;
    }
    const head = goalHead.exec(line);
    if (head) {
      state.hasGoalBlock = true;
      state.goals = readGoals(lines.slice(i + 1));
      state.total = head[1] ? Number(head[1]) : state.goals.length;
      break;
    }
  }
  return state;
}

function readGoals(lines: string[]): string[] {
  const goals: string[] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    const m = numbered.exec(line);
    if (m && Number(m[1]) === goals.length + (current ? 1 : 0) + 1) {
      if (current) goals.push(current.join('\n'));
      current = [m[2] as string];
    } else if (current && /^\s/.test(line) && line.trim() !== '') {
      current.push(line.trim());
    } else if (current || /^A total of \d+ subgoals/.test(line)) {
      break;
    } else if (line.trim() === 'No subgoals!') {
      break;
    }
  }
  if (current) goals.push(current.join('\n'));
  return goals;
}

/**
 * The goals printed inside an error (`Failed to finish proof\<^here>:\ngoal (1 subgoal):\n 1. …`, or a failed
 * method's error with the state after it); undefined when the error prints none.
 */
export function goalsInError(message: string): ProofStateText | undefined {
  const at = message.search(/^goal(?: \(\d+ subgoals?\))?:/m);
  if (at < 0) return undefined;
  const state = parseProofState(message.slice(at));
  return state.hasGoalBlock ? state : undefined;
}

/** A state's goals as one block of text, numbered as Isabelle prints them (the goal view, prompts). */
export function renderGoals(goals: readonly string[]): string {
  if (goals.length === 0) return 'No subgoals!';
  const head = `goal (${goals.length} subgoal${goals.length === 1 ? '' : 's'}):`;
  return [head, ...goals.map((g, k) => ` ${k + 1}. ${g.replace(/\n/g, '\n    ')}`)].join('\n');
}

/**
 * The steps Sledgehammer (or `try0`) proposes in its messages (`simp: Try this: by simp (0.3 ms)`), in order, each
 * once; the timing is dropped.
 */
export function tryThisSteps(messages: readonly string[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    const hit = /Try this: (.+?)(?: \(\d[\d.,]* (?:ms|s)\))?\s*$/m.exec(m);
    const step = hit?.[1]?.trim();
    if (step && step.length <= 1000 && !out.includes(step)) out.push(step);
  }
  return out;
}
