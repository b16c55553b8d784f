#!/usr/bin/env node
/**
 * openaiDouble.mjs: a test double of an OpenAI-compatible completions server (vLLM, llama.cpp's server, Ollama's
 * /v1). An HTTP server on 127.0.0.1, answering from a rules file, so the HTTP model backend can be tested against a
 * real socket without a model. Plain Node, no dependencies, no build step.
 *
 * Usage:
 *   node test/doubles/openaiDouble.mjs --rules <rules.json> [--log <file>]
 *
 * It listens on an ephemeral port and prints `listening <port>` as the first line of stdout. It exits (code 0) when
 * its stdin closes, so a test that spawns it with a piped stdin ends it by closing that pipe, and it never outlives
 * the test process.
 *
 * --rules <rules.json>  {"rules": [{"match": {...}, "times": n?, "delayMs": ms?, <action>}, ...]}. A request is
 *     answered by the first rule whose match holds (every key given) and whose `times` is not used up.
 *     Match keys:
 *       path (exact, default "/v1/completions"), method (exact, default any), promptIncludes (substring of the body's
 *       prompt), n, temperature, model (exact, compared with the body's field), use_beam_search (a missing field
 *       counts as false), body (an object: each of its keys must equal the body's, compared as JSON).
 *     Actions (one per rule; `delayMs` waits first):
 *       respond: {...}           200 with this JSON body.
 *       completions: [{text, logprobs?, tokens?, token_ids?, finish_reason?, stop_reason?}, ...]
 *                                200 with a vLLM-shaped completions body, one choice each: `logprobs` (numbers or
 *                                nulls) become `logprobs.token_logprobs`, `tokens` its token strings (default: the
 *                                text cut into as many pieces as there are log-probs); no `logprobs` gives a choice
 *                                with `"logprobs": null`. `finish_reason` defaults to "stop"; `stop_reason` is
 *                                included only when given. With "format": "llamacpp" on the rule the log-probs come
 *                                as llama.cpp sends them: {"content": [{"id", "token", "logprob", ...}]}.
 *       status: <code>, body: "<text>" | {...}   that status with this body (text as is, an object as JSON).
 *       raw: "<text>"            200, content-type application/json, this text (garbage, say).
 *       hang: true               read the request and never answer.
 *       destroy: true            close the socket without answering.
 *       truncate: "<text>"       200 announcing more bytes than follow, this text, then close the socket.
 *       streamBytes: <n>         200 with a valid JSON completion whose text is n bytes of "a", sent in chunks.
 *     A request no rule matches is answered 404 {"error": {"message": "double: no rule matches ..."}}.
 * --log <file>  Appends one JSON line per event: {"event": "request", "method", "path", "authorization", "body"}
 *     (`body` parsed when it is JSON, else the text) when a request has been read, and {"event": "closed-early",
 *     "path"} when the client closed the connection before the answer was complete (a cancelled fetch).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const opts = parseArgs(process.argv.slice(2));
const rules = JSON.parse(readFileSync(opts.rules, 'utf8')).rules ?? [];
const fired = new Map();
const log = (event) => opts.log && appendFileSync(opts.log, `${JSON.stringify(event)}\n`);

function parseArgs(args) {
  const out = {};
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i]?.replace(/^--/, '');
    if (!['rules', 'log'].includes(key) || args[i + 1] === undefined) usage(`bad argument ${args[i]}`);
    out[key] = args[i + 1];
  }
  if (!out.rules) usage('--rules is required');
  return out;
}

function usage(problem) {
  process.stderr.write(`openaiDouble: ${problem}\nusage: openaiDouble.mjs --rules R.json [--log F]\n`);
  process.exit(2);
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    let body = text;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {}
    const path = (req.url ?? '/').split('?')[0];
    log({ event: 'request', method: req.method, path, authorization: req.headers.authorization ?? null, body });
    res.on('close', () => {
      if (!res.writableFinished) log({ event: 'closed-early', path });
    });
    const rule = rules.find((r, i) => matches(r.match ?? {}, req.method, path, body) && fire(i, r.times));
    const act = () => answer(rule, req, res, path, body);
    if (rule?.delayMs) setTimeout(act, rule.delayMs);
    else act();
  });
});

function fire(index, times) {
  const count = fired.get(index) ?? 0;
  if (times !== undefined && count >= times) return false;
  fired.set(index, count + 1);
  return true;
}

function matches(match, method, path, body) {
  if (path !== (match.path ?? '/v1/completions')) return false;
  if (match.method !== undefined && method !== match.method) return false;
  const b = body !== null && typeof body === 'object' ? body : {};
  if (match.promptIncludes !== undefined && !(typeof b.prompt === 'string' && b.prompt.includes(match.promptIncludes)))
    return false;
  for (const key of ['n', 'temperature', 'model']) {
    if (match[key] !== undefined && b[key] !== match[key]) return false;
  }
  if (match.use_beam_search !== undefined && (b.use_beam_search ?? false) !== match.use_beam_search) return false;
  if (match.body !== undefined) {
    for (const [k, v] of Object.entries(match.body)) if (JSON.stringify(b[k]) !== JSON.stringify(v)) return false;
  }
  return true;
}

function sendJson(res, status, value) {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function answer(rule, req, res, path, body) {
  if (!rule) {
    return sendJson(res, 404, {
      error: { message: `double: no rule matches ${req.method} ${path} ${JSON.stringify(body)}`, code: 404 },
    });
  }
  if (rule.hang) return;
  if (rule.destroy) return req.socket.destroy();
  if (rule.respond !== undefined) return sendJson(res, 200, rule.respond);
  if (rule.completions !== undefined) return sendJson(res, 200, completionsBody(rule, body));
  if (rule.status !== undefined) {
    const text = typeof rule.body === 'string' ? rule.body : JSON.stringify(rule.body ?? {});
    res.writeHead(rule.status, { 'content-type': typeof rule.body === 'string' ? 'text/plain' : 'application/json' });
    return res.end(text);
  }
  if (rule.raw !== undefined) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(rule.raw);
  }
  if (rule.truncate !== undefined) {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(rule.truncate) + 1000,
    });
    return res.write(rule.truncate, () => req.socket.destroy());
  }
  if (rule.streamBytes !== undefined) return streamHuge(res, rule.streamBytes);
  sendJson(res, 500, { error: { message: 'double: the rule has no action' } });
}

function completionsBody(rule, request) {
  const choices = rule.completions.map((c, index) => {
    const choice = { index, text: c.text, logprobs: null, finish_reason: c.finish_reason ?? 'stop' };
    if (Array.isArray(c.logprobs)) {
      const tokens = c.tokens ?? splitText(c.text, c.logprobs.length);
      if (rule.format === 'llamacpp') {
        choice.logprobs = {
          content: c.logprobs.map((logprob, i) => ({
            id: c.token_ids?.[i] ?? 1000 + i,
            token: tokens[i],
            bytes: [...Buffer.from(tokens[i] ?? '')],
            logprob,
            top_logprobs: [],
          })),
        };
      } else {
        let offset = 0;
        choice.logprobs = {
          text_offset: tokens.map((t) => {
            const at = offset;
            offset += (t ?? '').length;
            return at;
          }),
          token_logprobs: c.logprobs,
          tokens,
          top_logprobs: tokens.map((t, i) => (c.logprobs[i] === null ? null : { [t]: c.logprobs[i] })),
        };
      }
    }
    if (c.stop_reason !== undefined) choice.stop_reason = c.stop_reason;
    if (c.token_ids !== undefined && rule.format !== 'llamacpp') choice.token_ids = c.token_ids;
    return choice;
  });
  return {
    id: 'cmpl-double',
    object: 'text_completion',
    created: 0,
    model: typeof request?.model === 'string' ? request.model : 'double-model',
    choices,
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

/** The text in `count` consecutive pieces (the last takes the rest), so the pieces spell the text. */
function splitText(text, count) {
  if (count === 0) return [];
  const size = Math.max(1, Math.floor(text.length / count));
  return Array.from({ length: count }, (_, i) =>
    i === count - 1 ? text.slice(i * size) : text.slice(i * size, (i + 1) * size),
  );
}

function streamHuge(res, bytes) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"choices": [{"index": 0, "text": "');
  const chunk = 'a'.repeat(64 * 1024);
  let left = bytes;
  const pump = () => {
    while (left > 0) {
      if (res.destroyed) return;
      const piece = left >= chunk.length ? chunk : chunk.slice(0, left);
      left -= piece.length;
      if (!res.write(piece)) return res.once('drain', pump);
    }
    if (!res.destroyed)
      res.end('", "logprobs": {"token_logprobs": [-1], "tokens": ["a"]}, "finish_reason": "length"}]}');
  };
  pump();
}

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
