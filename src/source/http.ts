// The HTTP client for pprof endpoints (undici): one keep-alive agent, a deadline per request,
// a response-size cap enforced while streaming, redirects only within the same host, and
// every failure classified into a short message. Header values (tokens) never appear in
// errors, logs or recordings: a body that quotes one back gets it masked on arrival.

import { readFileSync } from 'node:fs';
import { Agent, errors as undiciErrors, request } from 'undici';
import type { Dispatcher } from 'undici';
import { LivepprofError, errorMessage } from '../errors.js';
import { looksLikeText } from '../profile/sniff.js';

import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type HttpClientOptions } from './http-options.js';

const MAX_REDIRECTS = 5;

export interface HttpResponse {
  url: string;
  status: number;
  contentType: string;
  bytes: Uint8Array;
  elapsedMs: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
  /** Send none of the user's headers (tokens): for a URL outside the target, e.g. --metrics. */
  anonymous?: boolean;
  /** Return 4xx/5xx answers instead of throwing: an API whose error bodies say what went wrong (Prometheus). */
  errorStatusIsAnswer?: boolean;
}

const ANONYMOUS = { 'user-agent': 'livepprof' };

export class HttpClient {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  private readonly headers: Record<string, string>;
  /** Header values (and their long words: the token of `Bearer TOKEN`), masked in every body. */
  private readonly secrets: Buffer[];
  private readonly agent: Agent;
  /** Requests sent (each redirect hop counts): the tool's cost to the target. */
  requestCount = 0;

  constructor(opts: HttpClientOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.headers = { ...ANONYMOUS, ...(opts.headers ?? {}) };
    this.secrets = secretsOf(opts.headers ?? {}).map((x) => Buffer.from(x));
    let ca: string | undefined;
    if (opts.cacert) {
      try {
        ca = readFileSync(opts.cacert, 'utf8');
      } catch (e) {
        throw new LivepprofError('usage', `cannot read --cacert ${opts.cacert}: ${errorMessage(e)}`);
      }
    }
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      // One target, polled by one loop: two connections are plenty and never hammer it.
      connections: 2,
      connect: {
        rejectUnauthorized: !opts.insecure,
        ...(ca ? { ca } : {}),
        ...(opts.unixSocket ? { socketPath: opts.unixSocket } : {}),
      },
    });
  }

  async get(url: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const started = performance.now();
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const maxBytes = opts.maxBytes ?? this.maxBytes;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
    let current = url;
    for (let hop = 0; ; hop++) {
      const res = await this.send(current, signal, timeoutMs, opts.anonymous ? ANONYMOUS : this.headers);
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
        await res.body.dump().catch(() => undefined);
        const next = new URL(String(res.headers.location), current);
        const from = new URL(current);
        if (next.host !== from.host) {
          throw new LivepprofError(
            'redirect',
            `${from.host} redirected to another host (${next.host}); livepprof only talks to the target: point it at the final address`,
          );
        }
        if (hop >= MAX_REDIRECTS) throw new LivepprofError('redirect', `too many redirects from ${url}`);
        current = next.toString();
        continue;
      }
      const bytes = redact(await readBody(res, current, maxBytes, signal, timeoutMs), this.secrets);
      const contentType = String(res.headers['content-type'] ?? '');
      if (res.statusCode >= 400 && !opts.errorStatusIsAnswer) throw httpStatusError(current, res.statusCode, bytes, res.headers);
      return { url: current, status: res.statusCode, contentType, bytes, elapsedMs: performance.now() - started };
    }
  }

  private async send(url: string, signal: AbortSignal, timeoutMs: number, headers: Record<string, string>): Promise<Dispatcher.ResponseData> {
    this.requestCount++;
    try {
      return await request(url, {
        method: 'GET',
        headers,
        dispatcher: this.agent,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (e) {
      throw classifyNetworkError(e, url, timeoutMs, signal);
    }
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }
}

async function readBody(
  res: Dispatcher.ResponseData,
  url: string,
  maxBytes: number,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Uint8Array> {
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.body.destroy();
    throw tooLarge(url, maxBytes, `it declares ${declared} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for await (const chunk of res.body) {
      const c = chunk as Uint8Array;
      received += c.length;
      if (received > maxBytes) {
        res.body.destroy();
        throw tooLarge(url, maxBytes, `more than ${maxBytes} bytes arrived`);
      }
      chunks.push(c);
    }
  } catch (e) {
    if (e instanceof LivepprofError) throw e;
    const err = classifyNetworkError(e, url, timeoutMs, signal);
    if (err.kind === 'reset' || err.kind === 'network') {
      throw new LivepprofError('truncated', `response from ${hostOf(url)} was cut off after ${received} bytes (${err.message})`);
    }
    throw err;
  }
  if (Number.isFinite(declared) && received < declared) {
    throw new LivepprofError('truncated', `response from ${hostOf(url)} was cut off: ${received} of ${declared} bytes`);
  }
  const out = new Uint8Array(received);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function tooLarge(url: string, maxBytes: number, why: string): LivepprofError {
  return new LivepprofError(
    'too-large',
    `response from ${hostOf(url)} is larger than the --max-bytes limit of ${maxBytes} bytes (${why})`,
  );
}

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return u.host || u.href;
  } catch {
    return url;
  }
}

function secretsOf(headers: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const value of Object.values(headers)) {
    if (value.trim().length >= 4) out.add(value.trim());
    for (const word of value.split(/\s+/)) if (word.length >= 8) out.add(word);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/**
 * A server may quote the credentials it was sent: an error page ("invalid token …"), a login
 * page answering 200. Masked in the body itself, so no error quoting it, no recording and no
 * export can repeat them; masked with as many `*`, so a protobuf keeps its lengths. A short
 * value (4-7 bytes) is masked only in text: in gzip or protobuf bytes it would match by chance
 * (a 4-byte string about once in 7 MB) and corrupt the profile.
 */
function redact(body: Uint8Array, secrets: Buffer[]): Uint8Array {
  if (secrets.length === 0) return body;
  const text = looksLikeText(body);
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength); // a view: the body is ours
  for (const secret of secrets) {
    if (!text && secret.length < 8) continue;
    for (let i = buf.indexOf(secret); i >= 0; i = buf.indexOf(secret, i + secret.length)) buf.fill(0x2a, i, i + secret.length);
  }
  return body;
}

/** The first line of a body worth quoting in an error: an HTML page by its title. */
export function firstLine(bytes: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096));
  const isHtml = /^\s*</.test(text);
  const stripped = isHtml ? (/<title>([^<]*)<\/title>/i.exec(text)?.[1] ?? 'an HTML page') : text;
  const line = stripped.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return line.trim().slice(0, 160);
}

function httpStatusError(
  url: string,
  status: number,
  body: Uint8Array,
  headers: Dispatcher.ResponseData['headers'],
): LivepprofError {
  const fromPprof = headers['x-go-pprof'] !== undefined;
  const line = firstLine(body);
  const where = new URL(url);
  let hint = '';
  if (status === 401 || status === 403) hint = ' (pass credentials with --header @file or LIVEPPROF_HEADERS)';
  else if (status === 404 && !fromPprof) hint = ' (is net/http/pprof mounted at this path?)';
  return new LivepprofError(
    'http',
    `HTTP ${status} from ${where.host}${where.pathname}${line ? `: ${line}` : ''}${hint}`,
  );
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

function errorCode(e: unknown): string {
  const err = e as { code?: string; cause?: { code?: string } };
  return String(err?.code ?? err?.cause?.code ?? '');
}

/** Turns an undici / socket error into a classified one-line error. */
export function classifyNetworkError(e: unknown, url: string, timeoutMs: number, signal?: AbortSignal): LivepprofError {
  if (e instanceof LivepprofError) return e;
  const host = hostOf(url);
  const code = errorCode(e);
  const cause = (e as { cause?: unknown })?.cause;
  const msg = errorMessage(cause ?? e);
  if (
    signal?.aborted ||
    e instanceof undiciErrors.HeadersTimeoutError ||
    e instanceof undiciErrors.BodyTimeoutError ||
    e instanceof undiciErrors.ConnectTimeoutError ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'ETIMEDOUT' ||
    (e as Error)?.name === 'TimeoutError'
  ) {
    const reason = (signal?.reason as Error | undefined)?.name;
    if (signal?.aborted && reason !== 'TimeoutError' && reason !== undefined) {
      return new LivepprofError('network', `request to ${host} was cancelled`);
    }
    return new LivepprofError('timeout', `no answer from ${host} within ${formatMs(timeoutMs)} (raise --timeout if the service is just slow)`);
  }
  if (code === 'ECONNREFUSED') {
    return new LivepprofError('refused', `connection refused by ${host}: is the service running and serving pprof on that port?`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return new LivepprofError('dns', `cannot resolve host ${new URL(url).hostname} (${code})`);
  }
  if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTSOCK') {
    return new LivepprofError('refused', `cannot connect to the unix socket for ${host} (${code})`);
  }
  if (TLS_CODES.has(code) || /certificate|ssl|tls/i.test(msg)) {
    return new LivepprofError(
      'tls',
      `TLS handshake with ${host} failed: ${msg}${/self.signed|issuer|verify/i.test(msg) ? ' (use --cacert FILE, or --insecure to skip verification)' : ''}`,
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') {
    return new LivepprofError('reset', `connection to ${host} was closed by the other side (${code || msg})`);
  }
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
    return new LivepprofError('truncated', `response from ${host} was cut off (shorter than its Content-Length)`);
  }
  if (code === 'UND_ERR_INVALID_ARG' || e instanceof TypeError) {
    return new LivepprofError('usage', `invalid URL ${JSON.stringify(url)}: ${msg}`);
  }
  return new LivepprofError('network', `request to ${host} failed: ${code ? `${code}: ` : ''}${msg}`);
}

export function formatMs(ms: number): string {
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${ms}ms`;
}
