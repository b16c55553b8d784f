// Answers of an OpenAI-compatible completions server, read as untrusted input: the body up to a size cap, every
// field checked before use, failures turned into ModelServerErrors whose messages name the URL. Used by
// openaiBackend.ts, which decides what to ask.

import type { Candidate, FinishReason } from './types';

export type ModelServerErrorKind = 'connection' | 'http' | 'timeout' | 'bad-response' | 'no-logprobs';

/** Every failure of a request to the model server; `message` names the URL and is meant for the user. */
export class ModelServerError extends Error {
  override readonly name = 'ModelServerError';
  constructor(
    readonly kind: ModelServerErrorKind,
    /** The URL requested. */
    readonly url: string,
    message: string,
    /** The HTTP status, for kind `http`. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Characters of an error body quoted in a message. */
export const errorBodyChars = 500;

/** A generated token as the server reports it; null where it did not say. */
interface TokenInfo {
  logprob: number | null;
  token: string | null;
  id: number | null;
}

/** The body as text, at most `cap` bytes: more fails the request (an error body is cut there instead). */
export async function readCapped(res: Response, cap: number, url: string, isErrorBody: boolean): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => {});
      if (isErrorBody) {
        chunks.push(value.subarray(0, value.byteLength - (size - cap)));
        break;
      }
      throw new ModelServerError(
        'bad-response',
        url,
        `the model server at ${url} sent an answer larger than ${cap} bytes (maxResponseBytes); it was not read`,
      );
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

export function timeoutError(url: string, ms: number): ModelServerError {
  return new ModelServerError('timeout', url, `the model server at ${url} did not answer within ${ms} ms (timeoutMs)`);
}

/** fetch's "fetch failed" TypeError, with the socket error as its cause, in words. */
export function networkError(url: string, err: unknown, timeoutMs: number): ModelServerError {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err instanceof Error ? err : null;
  const rawCode = (cause as { code?: unknown } | null)?.code;
  const code = typeof rawCode === 'string' ? rawCode : '';
  const detail = cause ? `${code ? `${code}: ` : ''}${firstLine(cause.message)}` : String(err);
  if (code === 'ECONNREFUSED') {
    return new ModelServerError(
      'connection',
      url,
      `cannot reach the model server at ${url}: connection refused; is the server running?`,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ModelServerError(
      'connection',
      url,
      `cannot reach the model server at ${url}: the host name does not resolve (${detail})`,
    );
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new ModelServerError(
      'timeout',
      url,
      `the model server at ${url} did not answer in time (Node's own HTTP limit, ${detail}; timeoutMs is ${timeoutMs})`,
    );
  }
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || /terminated|other side closed/i.test(detail)) {
    return new ModelServerError(
      'connection',
      url,
      `the model server at ${url} closed the connection before the whole answer arrived (${detail}); ` +
        'did it crash or run out of memory?',
    );
  }
  return new ModelServerError('connection', url, `cannot reach the model server at ${url}: ${detail}`);
}

export function httpHint(status: number, body: string, beamWidth: number): string {
  if (status === 404) return ' (is the base URL right? OpenAI-compatible servers usually serve under /v1)';
  if (status === 401 || status === 403) return ' (check the API key)';
  if (beamWidth > 0 && /max[_ ]?logprobs|logprobs.{0,80}max(imum)? allowed/i.test(body)) {
    return ` (vLLM's beam search asks for 2 × beam width log-probs per step: start vLLM with --max-logprobs ${2 * beamWidth} or more)`;
  }
  if (beamWidth > 0 && status >= 400 && status < 500) {
    return " (the request asked for vLLM beam search; set beamSearch to 'off' if this server does not support it)";
  }
  return '';
}

/**
 * A server choice as a Candidate, null when it is dropped (not a completion, nothing generated, text over the cap),
 * or 'no-logprobs' when it carries no log-probabilities. Servers that ignore stop strings (vLLM's beam search) are
 * cut here, and when the token strings line up with the text only the tokens up to the one completing the stop
 * string are scored, as the local runtime does.
 */
export function toCandidate(choice: Record<string, unknown>, stop: readonly string[], maxTextChars: number) {
  const raw = choice.text;
  if (typeof raw !== 'string') return null;
  let tokens = readTokens(choice.logprobs, choice.token_ids);
  if (tokens === null) return 'no-logprobs' as const;

  let text = raw;
  let cut = -1;
  let end = -1;
  for (const s of stop) {
    const at = raw.indexOf(s);
    if (at < 0) continue;
    if (cut < 0 || at < cut) cut = at;
    if (end < 0 || at + s.length < end) end = at + s.length;
  }
  if (cut >= 0) {
    text = raw.slice(0, cut);
    const keep = tokensThrough(tokens, raw, end);
    if (keep !== null) tokens = tokens.slice(0, keep);
  }
  if (text.length > maxTextChars) return null;

  const known = tokens.flatMap((t) => (t.logprob === null ? [] : [t.logprob]));
  if (known.length === 0) return tokens.length === 0 && text === '' ? null : ('no-logprobs' as const);
  // Unknown entries get the candidate's mean: they neither reward nor penalise its length.
  const mean = known.reduce((a, b) => a + b, 0) / known.length;
  const tokenLogprobs = tokens.map((t) => t.logprob ?? mean);
  const logprob = tokenLogprobs.reduce((a, b) => a + b, 0);
  const candidate: Candidate = {
    text,
    logprob,
    meanLogprob: logprob / tokens.length,
    tokenIds: tokens.map((t) => t.id ?? -1),
    tokenLogprobs,
    finishReason: cut >= 0 ? 'stop' : finishReason(choice, stop),
  };
  return candidate;
}

/** How many tokens reach `end` characters into `text`, or null when the token strings do not spell the text. */
function tokensThrough(tokens: readonly TokenInfo[], text: string, end: number): number | null {
  let at = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!.token;
    if (t === null || text.slice(at, at + t.length) !== t) return null;
    at += t.length;
    if (at >= end) return i + 1;
  }
  return null;
}

function finishReason(choice: Record<string, unknown>, stop: readonly string[]): FinishReason {
  if (choice.finish_reason !== 'stop') return 'length';
  if (stop.length === 0) return 'eos';
  // vLLM says which: the stop string, or null / a token id for EOS. Other servers do not; 'stop' is then a guess.
  if (!('stop_reason' in choice)) return 'stop';
  return typeof choice.stop_reason === 'string' ? 'stop' : 'eos';
}

/**
 * Per-token log-probabilities in either shape servers use: the completions API's
 * `{tokens, token_logprobs}` (vLLM, OpenAI) or the chat API's `{content: [{token, logprob, id}]}` (llama.cpp).
 * Null when there are none.
 */
function readTokens(logprobs: unknown, tokenIds: unknown): TokenInfo[] | null {
  if (!isRecord(logprobs)) return null;
  const ids = Array.isArray(tokenIds) ? tokenIds : [];
  if (Array.isArray(logprobs.token_logprobs)) {
    const strings = Array.isArray(logprobs.tokens) ? logprobs.tokens : [];
    return logprobs.token_logprobs.map((lp, i) => {
      const token = strings[i];
      return {
        logprob: validLogprob(lp),
        token: typeof token === 'string' ? token : null,
        id: validId(ids[i]) ?? idFromTokenString(token),
      };
    });
  }
  if (Array.isArray(logprobs.content)) {
    return logprobs.content.map((entry, i) => {
      const e = isRecord(entry) ? entry : {};
      return {
        logprob: validLogprob(e.logprob),
        token: typeof e.token === 'string' ? e.token : null,
        id: validId(ids[i]) ?? validId(e.id),
      };
    });
  }
  return null;
}

function validLogprob(v: unknown): number | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  if (v > 0) return v < 1e-4 ? 0 : null; // rounding noise is 0; a positive log-probability is nonsense
  return v;
}

function validId(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/** vLLM with `return_tokens_as_token_ids` spells tokens `token_id:<id>`. */
function idFromTokenString(token: unknown): number | null {
  const m = typeof token === 'string' ? /^token_id:(\d{1,9})$/.exec(token) : null;
  return m ? Number(m[1]) : null;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text from the server, shortened and with control characters (terminal escapes) made visible. */
export function quote(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return sanitize(cut);
}

export function sanitize(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}

export function firstLine(text: string): string {
  return sanitize(text.split('\n')[0] ?? '');
}
