/**
 * One TCP connection to an Isabelle server: the password handshake, then commands. Synchronous commands are answered
 * by the next OK or ERROR, in the order they were sent; an asynchronous command's OK names a task, and the task's
 * NOTEs and its final FINISHED or FAILED are routed to it by that id, whatever else is running. Closing the socket
 * makes the server cancel the connection's tasks, so a connection is the unit of restart.
 *
 * Only loopback addresses are dialled: the server runs on the user's machine, and its password crosses the socket.
 */
import { connect, type Socket } from 'node:net';
import { encodeCommand, encodeMessage, MessageDecoder } from './byteMessages';
import {
  failureText,
  isLoopback,
  parseReply,
  type Reply,
  readIdentity,
  type ServerAddress,
  type ServerIdentity,
} from './serverSchema';

/** Why a command did not get its answer. `transient`: the connection or the clock, not the command, was at fault. */
export class IsabelleServerError extends Error {
  constructor(
    message: string,
    readonly kind: 'error' | 'failed' | 'timeout' | 'cancelled' | 'closed' | 'protocol',
  ) {
    super(message);
  }

  get transient(): boolean {
    return this.kind === 'timeout' || this.kind === 'closed' || this.kind === 'protocol';
  }
}

export interface ConnectionOptions {
  /** Milliseconds for the TCP connection and the handshake together. */
  connectTimeoutMs?: number;
  /** Overrides the decoder's message-size bound (tests). */
  maxMessageBytes?: number;
  log?: (line: string) => void;
}

export interface TaskOptions {
  /** Milliseconds until the task is cancelled and the command fails with a timeout. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Each NOTE of the task (progress, the messages of a build). */
  onNote?: (value: unknown) => void;
}

interface SyncWaiter {
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
}

interface TaskWaiter {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  onNote?: (value: unknown) => void;
}

export class ServerConnection {
  /** Who sent what first: each synchronous answer (OK/ERROR) goes to the oldest command still waiting for one. */
  private readonly syncQueue: SyncWaiter[] = [];
  private readonly tasks = new Map<string, TaskWaiter>();
  /** Tasks given up (timed out, cancelled): their late NOTEs and results are dropped without a word. */
  private readonly abandoned = new Set<string>();
  private closedWith: IsabelleServerError | undefined;
  private readonly closeListeners: ((err: IsabelleServerError) => void)[] = [];

  private constructor(
    private readonly socket: Socket,
    readonly identity: ServerIdentity,
    private readonly decoder: MessageDecoder,
    private readonly log: (line: string) => void,
  ) {}

  /** Dials the server and gives the password; resolves once the server said who it is. */
  static open(address: ServerAddress, options: ConnectionOptions = {}): Promise<ServerConnection> {
    const log = options.log ?? (() => undefined);
    if (!isLoopback(address.host)) {
      return Promise.reject(
        new IsabelleServerError(
          `refusing to connect to ${address.host}: the Isabelle server must run on this machine`,
          'protocol',
        ),
      );
    }
    const decoder = new MessageDecoder(
      options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {},
    );
    return new Promise((resolve, reject) => {
      const socket = connect({ host: address.host, port: address.port });
      let done = false;
      const fail = (message: string, kind: IsabelleServerError['kind']) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        reject(new IsabelleServerError(message, kind));
      };
      const timer = setTimeout(
        () => fail(`no answer from the Isabelle server at ${address.host}:${address.port} in time`, 'timeout'),
        options.connectTimeoutMs ?? 20_000,
      );
      socket.once('connect', () => socket.write(encodeMessage(address.password)));
      socket.on('error', (err) =>
        fail(`cannot reach the Isabelle server at ${address.host}:${address.port}: ${err.message}`, 'closed'),
      );
      socket.once('close', () =>
        fail(
          'the Isabelle server closed the connection after the password: a wrong password, or a server that stopped',
          'closed',
        ),
      );
      const onData = (chunk: Buffer) => {
        const [first, ...rest] = decoder.push(chunk);
        if (!first || done) return;
        if (first.kind === 'overflow')
          return fail(`the server's first answer went past ${first.limit} bytes`, 'protocol');
        const parsed = parseReply(first.text);
        const identity = parsed.ok && parsed.reply.kind === 'OK' ? readIdentity(parsed.reply.value) : undefined;
        if (!identity) {
          return fail(
            `the server refused the password: ${parsed.ok ? failureText(parsed.reply.value) : parsed.error}`,
            'error',
          );
        }
        done = true;
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.off('data', onData);
        const connection = new ServerConnection(socket, identity, decoder, log);
        connection.attach();
        // Messages that came in the same chunk as the handshake's answer.
        for (const m of rest) connection.receive(m);
        resolve(connection);
      };
      socket.on('data', onData);
    });
  }

  private attach(): void {
    this.socket.on('data', (chunk: Buffer) => {
      for (const m of this.decoder.push(chunk)) this.receive(m);
    });
    this.socket.on('error', (err) =>
      this.shutDown(new IsabelleServerError(`connection to Isabelle lost: ${err.message}`, 'closed')),
    );
    this.socket.on('close', () =>
      this.shutDown(new IsabelleServerError('the Isabelle server closed the connection', 'closed')),
    );
  }

  private receive(m: ReturnType<MessageDecoder['push']>[number]): void {
    if (this.closedWith) return;
    if (m.kind === 'overflow') {
      this.shutDown(
        new IsabelleServerError(`a message from Isabelle went past ${m.limit} bytes (${m.reason})`, 'protocol'),
      );
      return;
    }
    const parsed = parseReply(m.text);
    if (!parsed.ok) {
      this.shutDown(
        new IsabelleServerError(`Isabelle sent something this client cannot read: ${parsed.error}`, 'protocol'),
      );
      return;
    }
    const reply = parsed.reply;
    if (reply.kind === 'OK' || reply.kind === 'ERROR') {
      const waiter = this.syncQueue.shift();
      if (!waiter) {
        this.shutDown(new IsabelleServerError(`an answer nobody asked for: ${m.text.slice(0, 80)}`, 'protocol'));
        return;
      }
      waiter.resolve(reply);
      return;
    }
    const task = reply.task;
    if (task === undefined) {
      // The server sends some NOTEs (`nodes_status`) without a task; they are progress, and nobody waits on them.
      if (reply.kind === 'NOTE') return;
      this.shutDown(new IsabelleServerError(`a ${reply.kind} without a task`, 'protocol'));
      return;
    }
    const waiter = this.tasks.get(task);
    if (!waiter) {
      if (this.abandoned.has(task)) {
        if (reply.kind !== 'NOTE') this.abandoned.delete(task);
        return;
      }
      this.log(`dropped a ${reply.kind} of unknown task ${task.slice(0, 64)}`);
      return;
    }
    if (reply.kind === 'NOTE') {
      waiter.onNote?.(reply.value);
      return;
    }
    this.tasks.delete(task);
    if (reply.kind === 'FINISHED') waiter.resolve(reply.value);
    else waiter.reject(new IsabelleServerError(failureText(reply.value), 'failed'));
  }

  /** A synchronous command (`help`, `echo`, `purge_theories`, `cancel`): its OK's value, or the ERROR thrown. */
  async command(name: string, argument?: unknown): Promise<unknown> {
    const reply = await this.send(name, argument);
    if (reply.kind === 'ERROR') throw new IsabelleServerError(failureText(reply.value), 'error');
    return reply.value;
  }

  /**
   * An asynchronous command (`session_start`, `use_theories`, `session_stop`, `session_build`): resolves with its
   * FINISHED's value. On timeout or abort the task is cancelled on the server and the command fails at once.
   */
  task(name: string, argument: unknown, options: TaskOptions = {}): Promise<unknown> {
    if (options.signal?.aborted) return Promise.reject(new IsabelleServerError(`${name} was cancelled`, 'cancelled'));
    return new Promise((resolve, reject) => {
      let id: string | undefined;
      let over = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        over = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const waiter: TaskWaiter = {
        resolve: (v) => {
          finish();
          resolve(v);
        },
        reject: (err) => {
          finish();
          reject(err);
        },
        ...(options.onNote ? { onNote: options.onNote } : {}),
      };
      const giveUp = (err: IsabelleServerError) => {
        if (over) return;
        finish();
        reject(err);
        // Before its OK the task has no id yet: `onStarted` cancels it when the id comes.
        if (id !== undefined && this.tasks.delete(id)) this.cancelQuietly(id);
      };
      const onAbort = () => giveUp(new IsabelleServerError(`${name} was cancelled`, 'cancelled'));
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(
          () => giveUp(new IsabelleServerError(`${name} took longer than ${options.timeoutMs} ms`, 'timeout')),
          options.timeoutMs,
        );
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // The task is registered while its OK is read, before the NOTEs behind it in the same chunk are.
      this.send(name, argument, (reply) => {
        if (reply.kind === 'ERROR') return waiter.reject(new IsabelleServerError(failureText(reply.value), 'error'));
        const task = isTaskStart(reply.value);
        if (task === undefined) return waiter.reject(new IsabelleServerError(`${name} started no task`, 'protocol'));
        id = task;
        if (over) this.cancelQuietly(task);
        else this.tasks.set(task, waiter);
      }).catch((err: Error) => waiter.reject(err));
    });
  }

  private cancelQuietly(task: string): void {
    this.abandoned.add(task);
    if (!this.closedWith) this.command('cancel', { task }).catch(() => undefined);
  }

  /** Writes a command; `onReply` (when given) sees its OK or ERROR while it is read, before later messages are. */
  private send(name: string, argument?: unknown, onReply?: (reply: Reply) => void): Promise<Reply> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      this.syncQueue.push({
        resolve: (reply) => {
          onReply?.(reply);
          resolve(reply);
        },
        reject,
      });
      this.socket.write(encodeCommand(name, argument));
    });
  }

  /** Whether the connection still carries commands. */
  get open(): boolean {
    return this.closedWith === undefined;
  }

  /** Called once when the connection ends, with the reason. */
  onClose(listener: (err: IsabelleServerError) => void): void {
    if (this.closedWith) listener(this.closedWith);
    else this.closeListeners.push(listener);
  }

  /** Closes the socket; the server cancels this connection's tasks. */
  close(): void {
    this.shutDown(new IsabelleServerError('the connection to Isabelle was closed', 'closed'));
  }

  private shutDown(err: IsabelleServerError): void {
    if (this.closedWith) return;
    this.closedWith = err;
    this.socket.destroy();
    for (const w of this.syncQueue.splice(0)) w.reject(err);
    for (const w of this.tasks.values()) w.reject(err);
    this.tasks.clear();
    for (const l of this.closeListeners.splice(0)) l(err);
  }
}

function isTaskStart(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || !('task' in value)) return undefined;
  const task = (value as { task: unknown }).task;
  return typeof task === 'string' && task.length > 0 && task.length <= 200 ? task : undefined;
}
