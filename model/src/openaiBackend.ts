// TacticGenerator over HTTP: a server that speaks the OpenAI completions API (vLLM, llama.cpp's server, Ollama's
// /v1) runs the model and this class turns its answers into Candidates with the local runtime's scores. Everything
// the server sends is untrusted: the body is read up to a size cap, every field is checked before use, and a
// malformed answer becomes a ModelServerError (or a dropped choice), never a crash. See docs/model-format.md,
// "HTTP backend (OpenAI-compatible)".

import {
  errorBodyChars,
  firstLine,
  httpHint,
  isRecord,
  ModelServerError,
  networkError,
  quote,
  readCapped,
  sanitize,
  timeoutError,
  toCandidate,
} from './openaiResponse';
import { isPromptFormatName, promptFormatNames } from './prompts';
import {
  abortError,
  type Candidate,
  type GenerateOptions,
  resolveOptions,
  type TacticGenerator,
  throwIfAborted,
} from './types';

/**
 * How a temperature-0 request for more than one candidate is served. `vllm`: beam search the vLLM way
 * (`use_beam_search: true`, `best_of` and `n` = beam width). `off`: the server has no beam search; one greedy
 * completion plus `beamWidth` samples at `fallbackTemperature`. `auto` (default): `vllm` when the server's model
 * list says `owned_by: "vllm"`, otherwise `off`.
 */
export type BeamSearchMode = 'auto' | 'vllm' | 'off';

export interface OpenAICompletionsOptions {
  /** The API's base URL, e.g. `http://127.0.0.1:8000/v1`; requests go to `<baseUrl>/completions` and `/models`. */
  baseUrl: string;
  /** Sent as `model`. Default: the first model the server lists at `<baseUrl>/models` (none if it lists none). */
  model?: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Milliseconds one HTTP request may take, the whole answer included; default 120 000. */
  timeoutMs?: number;
  /** Default `auto`. */
  beamSearch?: BeamSearchMode;
  /** Temperature of the samples that stand in for beam search when the server has none; default 1. */
  fallbackTemperature?: number;
  /** Extra fields of every completions request (`top_k`, `length_penalty`, `return_token_ids`, …). The fields this
   * class sets itself (prompt, n, max_tokens, temperature, stop, logprobs, seed, beam search) take precedence. */
  extraBody?: Record<string, unknown>;
  /** The prompt format the served model expects (prompts.ts); the server cannot say. Default `llemma-fewshot`. */
  promptFormat?: string;
  /** Largest answer read, in bytes; a larger one fails the request. Default 32 MiB. */
  maxResponseBytes?: number;
  /** Candidates whose text (after the stop-string cut) is longer than this are dropped. Default 16 384. */
  maxTextChars?: number;
}

/** The options with defaults filled in. */
export interface OpenAICompletionsConfig {
  baseUrl: string;
  model: string | undefined;
  apiKey: string | undefined;
  timeoutMs: number;
  beamSearch: BeamSearchMode;
  fallbackTemperature: number;
  extraBody: Readonly<Record<string, unknown>>;
  promptFormat: string;
  maxResponseBytes: number;
  maxTextChars: number;
}

/** What an HTTP backend says about itself (the counterpart of the local runtime's ModelInfo). */
export interface OpenAIModelInfo {
  backend: 'openai';
  /** The base URL. */
  url: string;
  /** The name sent as `model` (configured, or the first listed); null when neither exists. */
  model: string | null;
  /** Model ids listed at `<baseUrl>/models`; empty when the server lists none or has no such endpoint. */
  servedModels: string[];
  /** `owned_by` of the model in that list (`vllm`, `llamacpp`, …), null when unknown. */
  serverKind: string | null;
  /** The prompt format callers should render with (`getPromptFormat(info.promptFormat)`). */
  promptFormat: string;
  /** `max_model_len` from the model list (vLLM), null when unknown. */
  contextLength: number | null;
  /** How temperature-0 requests for several candidates are served now. */
  beamSearch: 'vllm' | 'off';
  /** The same in a sentence, for logs and status views. */
  decoding: string;
  /** Things noticed about this server (e.g. it seems to ignore beam search), each once. */
  notes: string[];
}

export const defaultTimeoutMs = 120_000;
export const defaultFallbackTemperature = 1;
export const defaultMaxResponseBytes = 32 * 1024 * 1024;
export const defaultMaxTextChars = 16_384;

/** One completions request: the part of the body that varies. */
interface Plan {
  n: number;
  temperature: number;
  seed?: number;
  beam: boolean;
}

interface ServerListing {
  models: string[];
  ownedBy: string | null;
  contextLength: number | null;
}

export class OpenAICompletionsGenerator implements TacticGenerator {
  readonly config: Readonly<OpenAICompletionsConfig>;
  private listing: ServerListing | null = null;
  private disposal = new AbortController();
  private readonly notes = new Set<string>();

  constructor(options: OpenAICompletionsOptions) {
    this.config = resolveConfig(options);
  }

  private get completionsUrl(): string {
    return `${this.config.baseUrl}/completions`;
  }

  /** One request per prompt, all in flight at once: the server (vLLM, llama.cpp) batches them itself. */
  generateBatch(prompts: readonly string[], opts: GenerateOptions): Promise<Candidate[][]> {
    return Promise.all(prompts.map((p) => this.generate(p, opts)));
  }

  async generate(prompt: string, opts: GenerateOptions): Promise<Candidate[]> {
    const o = resolveOptions(opts);
    if (typeof prompt !== 'string') throw new TypeError('the prompt must be a string');
    throwIfAborted(o.signal);
    const needsBeamDecision = o.temperature === 0 && o.beamWidth > 1;
    const needsListing = this.config.model === undefined || (needsBeamDecision && this.config.beamSearch === 'auto');
    const listing = needsListing ? await this.serverListing(o.signal) : null;
    const model = this.config.model ?? listing?.models[0];
    const seed = opts.seed;

    let plans: Plan[];
    if (o.temperature > 0) plans = [{ n: o.n, temperature: o.temperature, seed, beam: false }];
    else if (o.beamWidth === 1) plans = [{ n: 1, temperature: 0, beam: false }];
    else if (this.beamEnabled(listing)) plans = [{ n: o.beamWidth, temperature: 0, beam: true }];
    else {
      // Greedy decoding would return the same text n times: the greedy answer plus samples stand in for the beam.
      plans = [
        { n: 1, temperature: 0, beam: false },
        { n: o.beamWidth, temperature: this.config.fallbackTemperature, seed, beam: false },
      ];
    }

    const answers = await Promise.all(
      plans.map((plan) => this.complete(prompt, plan, model, o.maxNewTokens, o.stop, o.signal)),
    );
    const best = new Map<string, Candidate>();
    let choices = 0;
    let withLogprobs = 0;
    for (const answer of answers) {
      for (const c of answer.choices) {
        choices++;
        const candidate = toCandidate(c, o.stop, this.config.maxTextChars);
        if (candidate === 'no-logprobs') continue;
        withLogprobs++;
        if (candidate === null) continue;
        const key = candidate.text.trim();
        const old = best.get(key);
        if (!old || candidate.meanLogprob > old.meanLogprob) best.set(key, candidate);
      }
    }
    if (choices > 0 && withLogprobs === 0) {
      throw new ModelServerError(
        'no-logprobs',
        this.completionsUrl,
        `the model server at ${this.completionsUrl} returned completions without log-probabilities; ` +
          'it must support the completions API parameter `logprobs` (vLLM and llama.cpp server do), ' +
          'because candidates are ranked by them',
      );
    }
    return [...best.values()].sort((a, b) => b.meanLogprob - a.meanLogprob).slice(0, o.n);
  }

  /** Asks the server for its model list (once; the answer is kept) and describes the backend. */
  async info(): Promise<OpenAIModelInfo> {
    const listing = await this.serverListing(undefined);
    const beam = this.beamEnabled(listing);
    const model = this.config.model ?? listing.models[0] ?? null;
    const decoding = beam
      ? 'temperature 0 with several candidates runs vLLM beam search (use_beam_search, width = beamWidth)'
      : 'this server has no beam search (or it is turned off): temperature 0 with several candidates is served as ' +
        `one greedy completion plus beamWidth samples at temperature ${this.config.fallbackTemperature}, ` +
        'merged and deduplicated (greedy decoding alone would return one text n times)';
    return {
      backend: 'openai',
      url: this.config.baseUrl,
      model,
      servedModels: listing.models,
      serverKind: listing.ownedBy,
      promptFormat: this.config.promptFormat,
      contextLength: listing.contextLength,
      beamSearch: beam ? 'vllm' : 'off',
      decoding,
      notes: [...this.notes],
    };
  }

  /** Fails the requests in flight; later requests work as before. */
  async dispose(): Promise<void> {
    const old = this.disposal;
    this.disposal = new AbortController();
    old.abort();
  }

  private beamEnabled(listing: ServerListing | null): boolean {
    if (this.config.beamSearch === 'vllm') return true;
    if (this.config.beamSearch === 'off') return false;
    return listing?.ownedBy === 'vllm';
  }

  /**
   * GET <baseUrl>/models until one answer is had, then that answer. Network failures are thrown (and not kept); an
   * HTTP error means "no list". Concurrent first calls each ask, so each can be cancelled on its own.
   */
  private async serverListing(signal: AbortSignal | undefined): Promise<ServerListing> {
    if (this.listing) return this.listing;
    const listing = await this.fetchListing(signal);
    this.listing ??= listing;
    return this.listing;
  }

  private async fetchListing(signal: AbortSignal | undefined): Promise<ServerListing> {
    const url = `${this.config.baseUrl}/models`;
    let body: unknown;
    try {
      body = await this.request('GET', url, undefined, signal, 0);
    } catch (err) {
      if (err instanceof ModelServerError && (err.kind === 'http' || err.kind === 'bad-response')) {
        this.notes.add(`${url} gave no model list (${firstLine(err.message)})`);
        return { models: [], ownedBy: null, contextLength: null };
      }
      throw err;
    }
    const data = isRecord(body) && Array.isArray(body.data) ? body.data.slice(0, 1000) : [];
    const entries = data.filter(isRecord).filter((m) => typeof m.id === 'string' && m.id.length <= 1000);
    const models = entries.map((m) => m.id as string);
    const chosen = entries.find((m) => m.id === this.config.model) ?? entries[0];
    const ownedBy = typeof chosen?.owned_by === 'string' ? chosen.owned_by.slice(0, 100) : null;
    const maxLen = chosen?.max_model_len;
    const contextLength = typeof maxLen === 'number' && Number.isInteger(maxLen) && maxLen > 0 ? maxLen : null;
    return { models, ownedBy, contextLength };
  }

  private async complete(
    prompt: string,
    plan: Plan,
    model: string | undefined,
    maxNewTokens: number,
    stop: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<{ choices: Record<string, unknown>[] }> {
    const body: Record<string, unknown> = {
      ...this.config.extraBody,
      ...(model !== undefined ? { model } : {}),
      prompt,
      n: plan.n,
      max_tokens: maxNewTokens,
      temperature: plan.temperature,
      ...(stop.length > 0 ? { stop: [...stop] } : {}),
      logprobs: 1,
      ...(plan.seed !== undefined ? { seed: plan.seed } : {}),
      ...(plan.beam ? { use_beam_search: true, best_of: plan.n } : {}),
    };
    const url = this.completionsUrl;
    const answer = await this.request('POST', url, body, signal, plan.beam ? plan.n : 0);
    if (!isRecord(answer) || !Array.isArray(answer.choices)) {
      throw new ModelServerError(
        'bad-response',
        url,
        `the model server at ${url} answered without a "choices" list: ${quote(JSON.stringify(answer) ?? '', 200)}`,
      );
    }
    // Never more choices than asked for, whatever the server sends.
    const choices = answer.choices.slice(0, plan.n).filter(isRecord);
    if (plan.beam && choices.length > 1 && choices.every((c) => c.text === choices[0]!.text)) {
      this.notes.add(
        `${url} returned ${choices.length} identical texts for a beam-search request: the server probably ignores ` +
          "use_beam_search (set beamSearch to 'off')",
      );
    }
    return { choices };
  }

  /** One HTTP exchange with JSON in and out; every failure becomes a ModelServerError or an AbortError. */
  private async request(
    method: 'GET' | 'POST',
    url: string,
    body: unknown,
    signal: AbortSignal | undefined,
    /** The beam width asked for; 0 when not beam search. */
    beamWidth: number,
  ): Promise<unknown> {
    // One controller per request, aborted by the caller's signal, dispose() or the timeout; the listeners go when
    // the request ends (AbortSignal.any would tie every request to the long-lived disposal signal).
    throwIfAborted(signal);
    const controller = new AbortController();
    let cause: 'caller' | 'disposed' | 'timeout' | null = null;
    const stop = (why: 'caller' | 'disposed' | 'timeout') => () => {
      cause ??= why;
      controller.abort();
    };
    const onCaller = stop('caller');
    const onDisposed = stop('disposed');
    const disposal = this.disposal.signal;
    signal?.addEventListener('abort', onCaller, { once: true });
    disposal.addEventListener('abort', onDisposed, { once: true });
    const timer = setTimeout(stop('timeout'), this.config.timeoutMs);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.config.apiKey) headers.authorization = `Bearer ${this.config.apiKey}`;
    let text: string;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
      text = await readCapped(res, this.config.maxResponseBytes, url, !res.ok);
    } catch (err) {
      if (err instanceof ModelServerError) throw err;
      if (cause === 'caller') throw abortError(signal);
      if (cause === 'disposed') throw new Error(`the request to ${url} was cancelled: the generator was disposed`);
      if (cause === 'timeout') throw timeoutError(url, this.config.timeoutMs);
      throw networkError(url, err, this.config.timeoutMs);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCaller);
      disposal.removeEventListener('abort', onDisposed);
    }
    if (!res.ok) {
      const shown = text.trim() === '' ? '(empty body)' : quote(text, errorBodyChars);
      throw new ModelServerError(
        'http',
        url,
        `the model server at ${url} answered HTTP ${res.status}${res.statusText ? ` ${sanitize(res.statusText)}` : ''}: ` +
          `${shown}${httpHint(res.status, text, beamWidth)}`,
        res.status,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ModelServerError(
        'bad-response',
        url,
        `the model server at ${url} did not answer with JSON: ${text.trim() === '' ? '(empty body)' : quote(text, 200)}`,
      );
    }
  }
}

function resolveConfig(options: OpenAICompletionsOptions): OpenAICompletionsConfig {
  const problems: string[] = [];
  let baseUrl = String(options.baseUrl ?? '');
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      problems.push(`baseUrl must be http(s) (got ${baseUrl})`);
    baseUrl = baseUrl.replace(/\/+$/, '');
  } catch {
    problems.push(`baseUrl is not a URL (got ${JSON.stringify(baseUrl)})`);
  }
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) problems.push(`timeoutMs must be > 0 (got ${timeoutMs})`);
  const beamSearch = options.beamSearch ?? 'auto';
  if (!['auto', 'vllm', 'off'].includes(beamSearch)) {
    problems.push(`beamSearch must be 'auto', 'vllm' or 'off' (got ${JSON.stringify(beamSearch)})`);
  }
  const fallbackTemperature = options.fallbackTemperature ?? defaultFallbackTemperature;
  if (!Number.isFinite(fallbackTemperature) || fallbackTemperature <= 0) {
    problems.push(`fallbackTemperature must be > 0 (got ${fallbackTemperature})`);
  }
  const promptFormat = options.promptFormat ?? 'llemma-fewshot';
  if (!isPromptFormatName(promptFormat)) {
    problems.push(`promptFormat must be one of ${promptFormatNames.join(', ')} (got ${JSON.stringify(promptFormat)})`);
  }
  const maxResponseBytes = options.maxResponseBytes ?? defaultMaxResponseBytes;
  const maxTextChars = options.maxTextChars ?? defaultMaxTextChars;
  if (!Number.isInteger(maxResponseBytes) || maxResponseBytes < 1) problems.push('maxResponseBytes must be >= 1');
  if (!Number.isInteger(maxTextChars) || maxTextChars < 1) problems.push('maxTextChars must be >= 1');
  if (options.model !== undefined && (typeof options.model !== 'string' || options.model === '')) {
    problems.push('model must be a non-empty string');
  }
  if (problems.length > 0) throw new RangeError(`invalid model server options: ${problems.join('; ')}`);
  return {
    baseUrl,
    model: options.model,
    apiKey: options.apiKey || undefined,
    timeoutMs,
    beamSearch,
    fallbackTemperature,
    extraBody: { ...(options.extraBody ?? {}) },
    promptFormat,
    maxResponseBytes,
    maxTextChars,
  };
}

export { ModelServerError, type ModelServerErrorKind } from './openaiResponse';
