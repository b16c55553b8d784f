/**
 * The wire schema of leanprover-community/repl, mirrored in one file: what we send (requests), what it answers
 * (responses), hand-written validators that turn parsed JSON into typed values, and `tacticOutcome`, which says what a
 * tactic-mode answer means for a proof. Checked against the REPL's own recorded transcripts in test/golden/.
 */

// ---- Requests. The REPL tells them apart by their keys, so a request never mixes two kinds.

/** Command mode. Without `env` a fresh environment is started, which is the only place `import` is allowed. */
export interface CommandRequest {
  cmd: string;
  env?: number;
  /** Also report every tactic with its goals and a proof state id (`tactics` in the answer). */
  allTactics?: boolean;
  /** Also report the root goal of each declaration as a sorry with a proof state id. */
  rootGoals?: boolean;
  infotree?: 'full' | 'tactics' | 'original' | 'substantive';
}

/** Like a command, but the REPL reads the text from a file (relative to the REPL's working directory). */
export interface FileRequest {
  path: string;
  env?: number;
  allTactics?: boolean;
  rootGoals?: boolean;
  infotree?: CommandRequest['infotree'];
}

export interface TacticRequest {
  tactic: string;
  proofState: number;
}

export interface PickleEnvRequest {
  pickleTo: string;
  env: number;
}

export interface PickleProofStateRequest {
  pickleTo: string;
  proofState: number;
}

export interface UnpickleEnvRequest {
  unpickleEnvFrom: string;
}

export interface UnpickleProofStateRequest {
  unpickleProofStateFrom: string;
  /** The environment the proof state is restored into; it must hold the declarations the proof state mentions. */
  env?: number;
}

export type ReplRequest =
  | CommandRequest
  | FileRequest
  | TacticRequest
  | PickleEnvRequest
  | PickleProofStateRequest
  | UnpickleEnvRequest
  | UnpickleProofStateRequest;

/**
 * Which kind of answer a request gets. Pickling a proof state answers like a tactic (with a new proof state id), and
 * pickling an environment answers like a command (with the same env id).
 */
export function responseKindOf(req: ReplRequest): 'command' | 'tactic' {
  if ('tactic' in req || 'unpickleProofStateFrom' in req) return 'tactic';
  if ('pickleTo' in req && 'proofState' in req) return 'tactic';
  return 'command';
}

// ---- Responses.

/** Lines are 1-based, columns 0-based; `{line: 0, column: 0}` is what tactic-mode messages carry (no source). */
export interface Pos {
  line: number;
  column: number;
}

export type Severity = 'trace' | 'info' | 'warning' | 'error';

export interface Message {
  severity: Severity;
  pos: Pos;
  /** Absent when Lean gave the message no end. */
  endPos?: Pos;
  data: string;
}

/** A `sorry` in the elaborated text. Sorries found inside tactic-mode answers carry no position. */
export interface Sorry {
  goal: string;
  /** Absent (or `null` on the wire) for term-mode sorries the REPL could not make a proof state for. */
  proofState?: number;
  pos?: Pos;
  endPos?: Pos;
}

/** One tactic of the command's text, reported with `allTactics: true`. */
export interface TacticInfo {
  tactic: string;
  /** The goals before the tactic, pretty-printed as one string. */
  goals: string;
  proofState?: number;
  pos: Pos;
  endPos: Pos;
  usedConstants: string[];
}

export interface CommandResponse {
  env: number;
  messages?: Message[];
  sorries?: Sorry[];
  tactics?: TacticInfo[];
  /** Lean's info trees as JSON, with `infotree` set in the request. Left untyped: its shape follows Lean's internals. */
  infotree?: unknown[];
}

export interface TacticResponse {
  proofState: number;
  goals: string[];
  messages?: Message[];
  sorries?: Sorry[];
  /** "Completed", "Incomplete: …", "Error: …" or "Not verified: …"; absent from REPLs older than 2025. */
  proofStatus?: string;
  traces?: string[];
}

/** What the REPL answers instead when it cannot run a request: unknown ids, a tactic Lean rejected outright, … */
export interface ErrorResponse {
  message: string;
}

/** Thrown by the validators; the client turns it into a ReplError of kind 'protocol'. */
export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

type Obj = Record<string, unknown>;

function fail(path: string, expected: string, got: unknown): never {
  const shown = JSON.stringify(got);
  const short = shown === undefined ? 'nothing' : shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
  throw new SchemaError(`${path}: expected ${expected}, got ${short}`);
}

function object(v: unknown, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, 'an object', v);
  return v as Obj;
}

function nat(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(path, 'a natural number', v);
  return v;
}

function string(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, 'a string', v);
  return v;
}

function list<T>(v: unknown, path: string, item: (x: unknown, path: string) => T): T[] {
  if (!Array.isArray(v)) fail(path, 'an array', v);
  return v.map((x, i) => item(x, `${path}[${i}]`));
}

/** Lean writes `none` either as a missing key or as `null`; both become `undefined`. */
function optional<T>(o: Obj, key: string, path: string, item: (x: unknown, path: string) => T): T | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : item(v, `${path}.${key}`);
}

function pos(v: unknown, path: string): Pos {
  const o = object(v, path);
  return { line: nat(o['line'], `${path}.line`), column: nat(o['column'], `${path}.column`) };
}

const severities: readonly string[] = ['trace', 'info', 'warning', 'error'];

function message(v: unknown, path: string): Message {
  const o = object(v, path);
  const severity = o['severity'];
  if (typeof severity !== 'string' || !severities.includes(severity)) fail(`${path}.severity`, 'a severity', severity);
  const m: Message = {
    severity: severity as Severity,
    pos: pos(o['pos'], `${path}.pos`),
    data: string(o['data'], `${path}.data`),
  };
  const endPos = optional(o, 'endPos', path, pos);
  if (endPos) m.endPos = endPos;
  return m;
}

function sorry(v: unknown, path: string): Sorry {
  const o = object(v, path);
  const s: Sorry = { goal: string(o['goal'], `${path}.goal`) };
  const proofState = optional(o, 'proofState', path, nat);
  if (proofState !== undefined) s.proofState = proofState;
  const p = optional(o, 'pos', path, pos);
  if (p) s.pos = p;
  const endPos = optional(o, 'endPos', path, pos);
  if (endPos) s.endPos = endPos;
  return s;
}

function tacticInfo(v: unknown, path: string): TacticInfo {
  const o = object(v, path);
  const t: TacticInfo = {
    tactic: string(o['tactic'], `${path}.tactic`),
    goals: string(o['goals'], `${path}.goals`),
    pos: pos(o['pos'], `${path}.pos`),
    endPos: pos(o['endPos'], `${path}.endPos`),
    usedConstants: list(o['usedConstants'] ?? [], `${path}.usedConstants`, string),
  };
  const proofState = optional(o, 'proofState', path, nat);
  if (proofState !== undefined) t.proofState = proofState;
  return t;
}

/** Whether a parsed answer is the REPL's error object rather than a response. */
export function isErrorResponse(v: unknown): v is ErrorResponse {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Obj;
  return typeof o['message'] === 'string' && !('env' in o) && !('proofState' in o);
}

export function parseErrorResponse(v: unknown): ErrorResponse {
  const o = object(v, '$');
  return { message: string(o['message'], '$.message') };
}

export function parseCommandResponse(v: unknown): CommandResponse {
  const o = object(v, '$');
  const r: CommandResponse = { env: nat(o['env'], '$.env') };
  const messages = optional(o, 'messages', '$', (x, p) => list(x, p, message));
  if (messages) r.messages = messages;
  const sorries = optional(o, 'sorries', '$', (x, p) => list(x, p, sorry));
  if (sorries) r.sorries = sorries;
  const tactics = optional(o, 'tactics', '$', (x, p) => list(x, p, tacticInfo));
  if (tactics) r.tactics = tactics;
  const infotree = optional(o, 'infotree', '$', (x, p) => list(x, p, (t) => t));
  if (infotree) r.infotree = infotree;
  return r;
}

export function parseTacticResponse(v: unknown): TacticResponse {
  const o = object(v, '$');
  const r: TacticResponse = {
    proofState: nat(o['proofState'], '$.proofState'),
    goals: list(o['goals'], '$.goals', string),
  };
  const messages = optional(o, 'messages', '$', (x, p) => list(x, p, message));
  if (messages) r.messages = messages;
  const sorries = optional(o, 'sorries', '$', (x, p) => list(x, p, sorry));
  if (sorries) r.sorries = sorries;
  const proofStatus = optional(o, 'proofStatus', '$', string);
  if (proofStatus !== undefined) r.proofStatus = proofStatus;
  const traces = optional(o, 'traces', '$', (x, p) => list(x, p, string));
  if (traces) r.traces = traces;
  return r;
}

export type ParsedResponse =
  | { kind: 'command'; value: CommandResponse }
  | { kind: 'tactic'; value: TacticResponse }
  | { kind: 'error'; value: ErrorResponse };

/** Parses the answer to a request whose answer kind is `expected` (see `responseKindOf`); throws SchemaError. */
export function parseResponse(v: unknown, expected: 'command' | 'tactic'): ParsedResponse {
  if (isErrorResponse(v)) return { kind: 'error', value: parseErrorResponse(v) };
  return expected === 'command'
    ? { kind: 'command', value: parseCommandResponse(v) }
    : { kind: 'tactic', value: parseTacticResponse(v) };
}

// ---- What a tactic's answer means.

export type TacticOutcome =
  | { kind: 'closed' }
  | { kind: 'progress'; goals: string[] }
  | { kind: 'failed'; error: string };

/**
 * Classifies a tactic-mode answer. The REPL does not fail a tactic by itself: a tactic that errors can still answer
 * `goals: []` (e.g. `exact my_fake_premise` answers no goals, an error message and "Incomplete: contains sorry"), so
 * "no goals" alone proves nothing. A goal is closed only when no error was reported and `proofStatus` is "Completed",
 * or, for REPLs too old to report a status, when it is absent. The error object (`{"message": …}`) is a failure too.
 */
export function tacticOutcome(r: TacticResponse | ErrorResponse): TacticOutcome {
  if (!('proofState' in r)) return { kind: 'failed', error: r.message };
  const errors = (r.messages ?? []).filter((m) => m.severity === 'error').map((m) => m.data);
  if (errors.length > 0) return { kind: 'failed', error: errors.join('\n') };
  if (r.goals.length > 0) return { kind: 'progress', goals: r.goals };
  if (r.proofStatus === undefined || r.proofStatus === 'Completed') return { kind: 'closed' };
  return { kind: 'failed', error: `No goals are left, but Lean does not accept the proof: ${r.proofStatus}` };
}
