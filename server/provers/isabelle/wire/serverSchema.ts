/**
 * The Isabelle server's wire schema, mirrored in one file: the reply kinds, the first line `isabelle server` prints,
 * and the results of the commands this client sends (`session_start`, `use_theories`, `purge_theories`). Everything
 * the server sends is untrusted: each field is checked before it is used, and text is bounded.
 */

export const replyKinds = ['OK', 'ERROR', 'NOTE', 'FINISHED', 'FAILED'] as const;
export type ReplyKind = (typeof replyKinds)[number];

/** One message from the server: its kind and its JSON argument (`null` when it has none, as a bare `OK`). */
export interface Reply {
  kind: ReplyKind;
  value: unknown;
  /** The task an asynchronous command's NOTE, FINISHED or FAILED belongs to; absent for synchronous replies. */
  task?: string;
}

export type ParsedReply = { ok: true; reply: Reply } | { ok: false; error: string };

/** Reads one message as a reply; anything else (an unknown kind, JSON that does not parse) is a protocol error. */
export function parseReply(text: string): ParsedReply {
  const space = text.indexOf(' ');
  const head = space < 0 ? text : text.slice(0, space);
  if (!(replyKinds as readonly string[]).includes(head)) {
    return { ok: false, error: `not a server reply: ${JSON.stringify(text.slice(0, 80))}` };
  }
  const kind = head as ReplyKind;
  if (space < 0) return { ok: true, reply: { kind, value: null } };
  let value: unknown;
  try {
    value = JSON.parse(text.slice(space + 1));
  } catch (err) {
    return { ok: false, error: `${kind} with an argument that is not JSON: ${(err as Error).message}` };
  }
  const task = isObject(value) && typeof value.task === 'string' ? value.task : undefined;
  // An OK that starts a task names it too, but belongs to the command that was sent, not to the task.
  const routed = kind !== 'OK' && kind !== 'ERROR' ? task : undefined;
  return { ok: true, reply: { kind, value, ...(routed !== undefined ? { task: routed } : {}) } };
}

/** What `isabelle server` prints first: where the server listens and the password its first line must carry. */
export interface ServerAddress {
  name: string;
  host: string;
  port: number;
  password: string;
}

const serverLine =
  /^server "([^"\n]{1,200})" = ([0-9A-Za-z.:[\]-]{1,100}):(\d{1,5}) \(password "([^"\s]{1,200})"\)\s*$/;

/** Reads `server "NAME" = 127.0.0.1:PORT (password "UUID")`; anything else is undefined. */
export function parseServerLine(line: string): ServerAddress | undefined {
  const m = serverLine.exec(line);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (!(port > 0 && port < 65536)) return undefined;
  return { name: m[1] as string, host: m[2] as string, port, password: m[4] as string };
}

/** The only hosts this client connects to: the server runs on the user's machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The handshake's answer: which Isabelle this is. */
export interface ServerIdentity {
  isabelleId: string;
  isabelleName: string;
}

export function readIdentity(value: unknown): ServerIdentity | undefined {
  if (!isObject(value)) return undefined;
  const id = boundedString(value.isabelle_id, 200);
  const name = boundedString(value.isabelle_name, 200);
  return id !== undefined && name !== undefined ? { isabelleId: id, isabelleName: name } : undefined;
}

/** `session_start`'s FINISHED: the id later commands name. */
export function readSessionStart(value: unknown): { sessionId: string; tmpDir: string | null } | undefined {
  if (!isObject(value)) return undefined;
  const sessionId = boundedString(value.session_id, 200);
  if (sessionId === undefined) return undefined;
  return { sessionId, tmpDir: boundedString(value.tmp_dir, 4096) ?? null };
}

/** Where a message is in a theory: 1-based line, Isabelle symbol offsets, and the file's name as the server saw it. */
export interface TheoryPosition {
  line: number;
  offset: number;
  endOffset: number;
  file: string;
}

/** One message of a theory: its kind (`writeln`, `state`, `warning`, `error`, …), its text and where it is. */
export interface TheoryMessage {
  kind: string;
  message: string;
  pos: TheoryPosition | null;
}

export interface NodeStatus {
  ok: boolean;
  failed: number;
  finished: number;
  total: number;
  canceled: boolean;
  consolidated: boolean;
}

export interface TheoryNode {
  nodeName: string;
  theoryName: string;
  messages: TheoryMessage[];
  status: NodeStatus | null;
}

/** `use_theories`'s FINISHED: whether every theory checked, the errors, and every node's messages. */
export interface UseTheoriesResult {
  ok: boolean;
  errors: TheoryMessage[];
  nodes: TheoryNode[];
}

/** The longest message text kept; a longer one is cut (its start holds what a reader needs: the goals). */
export const maxMessageChars = 200_000;
/** The most messages kept per node and errors per result. */
const maxMessages = 10_000;

export function readUseTheories(value: unknown): UseTheoriesResult | undefined {
  if (!isObject(value) || typeof value.ok !== 'boolean') return undefined;
  const errors = Array.isArray(value.errors) ? value.errors.slice(0, maxMessages).map(readMessage) : [];
  const nodes = Array.isArray(value.nodes) ? value.nodes.slice(0, 1000).map(readNode) : [];
  if (errors.some((e) => e === undefined) || nodes.some((n) => n === undefined)) return undefined;
  return { ok: value.ok, errors: errors as TheoryMessage[], nodes: nodes as TheoryNode[] };
}

function readNode(value: unknown): TheoryNode | undefined {
  if (!isObject(value)) return undefined;
  const nodeName = boundedString(value.node_name, 4096);
  const theoryName = boundedString(value.theory_name, 1000);
  if (nodeName === undefined || theoryName === undefined) return undefined;
  const raw = Array.isArray(value.messages) ? value.messages.slice(0, maxMessages) : [];
  const messages = raw.map(readMessage);
  if (messages.some((m) => m === undefined)) return undefined;
  return { nodeName, theoryName, messages: messages as TheoryMessage[], status: readStatus(value.status) };
}

function readStatus(value: unknown): NodeStatus | null {
  if (!isObject(value)) return null;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    ok: value.ok === true,
    failed: num(value.failed),
    finished: num(value.finished),
    total: num(value.total),
    canceled: value.canceled === true,
    consolidated: value.consolidated === true,
  };
}

export function readMessage(value: unknown): TheoryMessage | undefined {
  if (!isObject(value) || typeof value.kind !== 'string' || typeof value.message !== 'string') return undefined;
  return {
    kind: value.kind.slice(0, 100),
    message: value.message.slice(0, maxMessageChars),
    pos: readPosition(value.pos),
  };
}

function readPosition(value: unknown): TheoryPosition | null {
  if (!isObject(value)) return null;
  const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
  const line = int(value.line);
  if (line === undefined) return null;
  return {
    line,
    offset: int(value.offset) ?? 0,
    endOffset: int(value.end_offset) ?? 0,
    file: boundedString(value.file, 4096) ?? '',
  };
}

/** A FAILED's or ERROR's text: the server's `message` field, or the value itself when it is a string. */
export function failureText(value: unknown): string {
  if (typeof value === 'string') return value.slice(0, 2000);
  if (isObject(value) && typeof value.message === 'string') return value.message.slice(0, 2000);
  return JSON.stringify(value ?? null).slice(0, 2000);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function boundedString(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.length <= max ? v : undefined;
}
