// A client for the Prometheus HTTP API (/api/v1/query, query_range, series, targets), which
// Thanos, Mimir, Cortex and VictoriaMetrics serve too. It goes through the pprof client's
// HttpClient (deadlines, --max-bytes while streaming, TLS options, redirects only within the
// host, header values masked in bodies) with its own headers (--prometheus-header), and turns
// every failure into one classified line. The Prometheus server is the one host besides the
// target livepprof talks to.

import { LivepprofError, type ErrorKind } from '../errors.js';
import { firstLine, type HttpClient } from './http.js';

/** One series of a range query: its labels, and its samples as parallel arrays (ms, value). */
export interface RangeSeries {
  labels: Record<string, string>;
  times: Float64Array;
  values: Float64Array;
}

/** One series of an instant query. */
export interface InstantSample {
  labels: Record<string, string>;
  time: number;
  value: number;
}

/** A scrape target Prometheus is scraping now (/api/v1/targets, activeTargets). */
export interface ActiveTarget {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: string;
}

export interface ApiAnswer<T> {
  data: T;
  /** Partial results: a store that did not answer (Thanos, Mimir), a query that hit a limit. */
  warnings: string[];
}

/**
 * The Prometheus base URL as given: http(s), no credentials (argv is visible to every user of
 * the host: they go in --prometheus-header @FILE), a path prefix kept (Mimir's /prometheus).
 */
export function parsePrometheusUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(input.trim()) ? input.trim() : `http://${input.trim()}`);
  } catch {
    throw new LivepprofError('usage', `cannot read --prometheus ${JSON.stringify(input)}: give a URL such as http://prometheus:9090`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LivepprofError('usage', '--prometheus must be an http:// or https:// URL');
  if (url.username || url.password) {
    throw new LivepprofError(
      'usage',
      'the --prometheus URL carries a user name or password, which livepprof does not send (argv is visible to every user of the host): put "Authorization: Basic …" in a file and pass --prometheus-header @FILE',
    );
  }
  if (url.search || url.hash) throw new LivepprofError('usage', '--prometheus takes the server\'s base URL, without a query string (the API paths are added to it)');
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** Prometheus writes floats as strings; +Inf, -Inf and NaN among them. */
export function parseSampleValue(text: unknown): number {
  if (typeof text !== 'string') return NaN;
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
  }
  const v = Number(text);
  return text.trim() === '' ? NaN : v;
}

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

function labelsOf(x: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(x)) return out;
  for (const [k, v] of Object.entries(x)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * An API answer's body: `{status: "success", data, warnings}` or `{status: "error", errorType,
 * error}` (with a 4xx/5xx status). Anything else — a proxy's HTML, a cut-off body, a login page —
 * is said to be not the Prometheus API, with its first line.
 */
export function parseApiBody(bytes: Uint8Array, status: number, where: string): ApiAnswer<unknown> {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
  } catch {
    const line = firstLine(bytes);
    const hint = status === 401 || status === 403 ? ' (pass credentials with --prometheus-header @FILE)' : '';
    if (status >= 400) return fail('http', `HTTP ${status} from ${where}${line ? `: ${line}` : ''}${hint}`);
    return fail('not-prometheus', `${where} did not answer with the Prometheus API's JSON${line ? ` (it said: ${line})` : ''}: is --prometheus the server's base URL?`);
  }
  if (!isObject(body) || (body.status !== 'success' && body.status !== 'error')) {
    return fail('not-prometheus', `${where} answered JSON that is not the Prometheus API's (no "status"): is --prometheus the server's base URL?`);
  }
  const warnings = Array.isArray(body.warnings) ? body.warnings.filter((w): w is string => typeof w === 'string') : [];
  if (body.status === 'error' || status >= 400) {
    const type = typeof body.errorType === 'string' ? body.errorType : `HTTP ${status}`;
    const text = typeof body.error === 'string' ? body.error : 'no error message';
    const hint = status === 401 || status === 403 ? ' (pass credentials with --prometheus-header @FILE)' : '';
    const kind: ErrorKind = type === 'timeout' ? 'timeout' : status === 400 || type === 'bad_data' ? 'query' : 'http';
    return fail(kind, `Prometheus at ${where} refused the query (${type}${status >= 400 ? `, HTTP ${status}` : ''}): ${text.split('\n')[0]!.slice(0, 240)}${hint}`);
  }
  return { data: body.data, warnings };
}

function fail(kind: ErrorKind, message: string): never {
  throw new LivepprofError(kind, message);
}

/** A matrix answer (query_range) as typed arrays. Values stay as Prometheus wrote them: ±Inf and NaN included. */
export function parseMatrix(data: unknown, where: string): RangeSeries[] {
  if (!isObject(data) || data.resultType !== 'matrix' || !Array.isArray(data.result)) {
    fail('not-prometheus', `${where}: a range query answered without a matrix`);
  }
  return (data.result as unknown[]).map((s) => {
    const x = isObject(s) ? s : {};
    const values = Array.isArray(x.values) ? (x.values as unknown[]) : [];
    const times = new Float64Array(values.length);
    const vs = new Float64Array(values.length);
    values.forEach((pair, i) => {
      const p = Array.isArray(pair) ? pair : [];
      times[i] = Math.round(Number(p[0]) * 1000);
      vs[i] = parseSampleValue(p[1]);
    });
    return { labels: labelsOf(x.metric), times, values: vs };
  });
}

const MATRIX_HEAD = Buffer.from('{"status":"success","data":{"resultType":"matrix","result":[');
const METRIC_KEY = Buffer.from('{"metric":');
const VALUES_KEY = Buffer.from(',"values":[');
const ANSWER_END = Buffer.from(']}}');

/** `pattern` at b[i…]. */
function at(b: Uint8Array, i: number, pattern: Uint8Array): boolean {
  if (i + pattern.length > b.length) return false;
  for (let k = 0; k < pattern.length; k++) if (b[i + k] !== pattern[k]) return false;
  return true;
}

/**
 * A successful range answer as Prometheus writes it (compact JSON, `metric` then `values` in each
 * series), scanned straight from its bytes into typed arrays: for 1,000 instances the generic
 * JSON.parse builds millions of little arrays and strings, and their garbage, before they are
 * copied here, and even a decoded copy of the text is ~27 MB of strings. Null for anything else
 * (warnings, another server's spelling): the caller parses it the generic way.
 */
export function scanMatrix(bytes: Uint8Array): RangeSeries[] | null {
  // A Buffer over the same bytes (no copy): it cuts strings out of them natively.
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!at(b, 0, MATRIX_HEAD)) return null;
  const out: RangeSeries[] = [];
  let i = MATRIX_HEAD.length;
  // One scratch pair for every series, copied out at its length: no array grows per sample.
  let times: Float64Array = new Float64Array(256);
  let values: Float64Array = new Float64Array(256);
  // Series of one answer share their sample times: the previous series' array is reused when equal.
  let lastTimes: Float64Array | null = null;
  const strings: Strings = new Map();
  while (b[i] === 123 /* { */) {
    if (!at(b, i, METRIC_KEY)) return null;
    const metricEnd = objectEnd(b, i + 10);
    if (metricEnd < 0) return null;
    const labels = scanLabels(b, i + 10, metricEnd, strings);
    if (labels === null) return null;
    i = metricEnd;
    if (!at(b, i, VALUES_KEY)) return null;
    i += 11;
    let n = 0;
    while (b[i] === 91 /* [ */) {
      if (n === times.length) {
        times = grown(times);
        values = grown(values);
      }
      // `[1767204000,"1553791460"]`: whole numbers are read in the one pass that finds their
      // end; anything else (a fraction, an exponent, NaN, ±Inf) is cut out and read as JSON would.
      let c = 0;
      let j = i + 1;
      let whole = 0;
      while ((c = b[j]!) >= 48 && c <= 57) {
        whole = whole * 10 + (c - 48);
        j++;
      }
      let comma = j;
      if (c === 44 /* , */ && b[j + 1] === 34 && exact(i + 1, j)) times[n] = whole * 1000;
      else {
        comma = b.indexOf(',"', i);
        if (comma < 0) return null;
        times[n] = Math.round(Number(latin1(b, i + 1, comma)) * 1000);
      }
      j = comma + 2;
      whole = 0;
      while ((c = b[j]!) >= 48 && c <= 57) {
        whole = whole * 10 + (c - 48);
        j++;
      }
      let close = j;
      if (c === 34 /* " */ && b[j + 1] === 93 && exact(comma + 2, j)) values[n] = whole;
      else {
        close = b.indexOf('"]', comma + 2);
        if (close < 0) return null;
        values[n] = parseSampleValue(latin1(b, comma + 2, close));
      }
      n++;
      i = close + 2;
      if (b[i] === 44 /* , */) i++;
    }
    if (b[i] !== 93 /* ] */ || b[i + 1] !== 125 /* } */) return null;
    const seriesTimes: Float64Array = lastTimes !== null && sameValues(lastTimes, times, n) ? lastTimes : times.slice(0, n);
    lastTimes = seriesTimes;
    out.push({ labels, times: seriesTimes, values: values.slice(0, n) });
    i += 2;
    if (b[i] === 44 /* , */) i++;
  }
  return b.length - i === ANSWER_END.length && at(b, i, ANSWER_END) ? out : null;
}

/** b[from, to) as a string of its bytes (a number's text, or ASCII). */
function latin1(b: Buffer, from: number, to: number): string {
  return b.toString('latin1', from, to);
}

function grown(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

function sameValues(a: Float64Array, b: Float64Array, n: number): boolean {
  if (a.length !== n) return false;
  for (let j = 0; j < n; j++) if (a[j] !== b[j]) return false;
  return true;
}

/** 1 to 15 digits from `from` to `to`: a whole number a double holds exactly (the same Number() gives). */
function exact(from: number, to: number): boolean {
  return to > from && to - from <= 15;
}

/** Label names and values, one string each however many series carry them. */
type Strings = Map<string, string>;

/**
 * A JSON string's contents b[from, to) without escapes or control characters: read as they are
 * (ASCII byte for byte, else as UTF-8); null for anything else (JSON.parse reads it then).
 */
function plainString(b: Buffer, from: number, to: number, strings: Strings): string | null {
  let ascii = true;
  for (let k = from; k < to; k++) {
    const c = b[k]!;
    if (c === 92 /* \ */ || c < 32) return null;
    if (c >= 128) ascii = false;
  }
  const s = ascii ? latin1(b, from, to) : b.toString('utf8', from, to);
  const known = strings.get(s);
  if (known !== undefined) return known;
  strings.set(s, s);
  return s;
}

/**
 * A series' `metric` object, b[from, to): plain `"name":"value"` pairs (no escapes) read by
 * hand, anything else through JSON.parse; null when it is not JSON.
 */
function scanLabels(b: Buffer, from: number, to: number, strings: Strings): Record<string, string> | null {
  const out: Record<string, string> = {};
  let i = from + 1;
  if (b[i] === 125 /* } */ && i + 1 === to) return out;
  for (;;) {
    if (b[i] !== 34 /* " */) return labelsByJson(b, from, to);
    const keyEnd = b.indexOf(34, i + 1);
    if (keyEnd < 0 || b[keyEnd + 1] !== 58 /* : */ || b[keyEnd + 2] !== 34) return labelsByJson(b, from, to);
    const valueEnd = b.indexOf(34, keyEnd + 3);
    if (valueEnd < 0 || valueEnd >= to) return labelsByJson(b, from, to);
    const key = plainString(b, i + 1, keyEnd, strings);
    const value = plainString(b, keyEnd + 3, valueEnd, strings);
    if (key === null || value === null) return labelsByJson(b, from, to);
    out[key] = value;
    const next = b[valueEnd + 1];
    if (next === 125 /* } */ && valueEnd + 2 === to) return out;
    if (next !== 44 /* , */) return labelsByJson(b, from, to);
    i = valueEnd + 2;
  }
}

function labelsByJson(b: Buffer, from: number, to: number): Record<string, string> | null {
  try {
    return labelsOf(JSON.parse(b.toString('utf8', from, to)));
  } catch {
    return null;
  }
}

/** The index just past the JSON object that starts at `from` (strings and their escapes skipped), or -1. */
function objectEnd(b: Uint8Array, from: number): number {
  let depth = 0;
  for (let i = from; i < b.length; i++) {
    const c = b[i];
    if (c === 34 /* " */) {
      for (i++; i < b.length && b[i] !== 34; i++) if (b[i] === 92 /* \\ */) i++;
    } else if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */ && --depth === 0) return i + 1;
  }
  return -1;
}

/** A vector answer (instant query). */
export function parseVector(data: unknown, where: string): InstantSample[] {
  if (!isObject(data) || data.resultType !== 'vector' || !Array.isArray(data.result)) {
    fail('not-prometheus', `${where}: an instant query answered without a vector`);
  }
  return (data.result as unknown[]).map((s) => {
    const x = isObject(s) ? s : {};
    const v = Array.isArray(x.value) ? x.value : [];
    return { labels: labelsOf(x.metric), time: Math.round(Number(v[0]) * 1000), value: parseSampleValue(v[1]) };
  });
}

export function parseTargets(data: unknown): ActiveTarget[] {
  const active = isObject(data) && Array.isArray(data.activeTargets) ? (data.activeTargets as unknown[]) : [];
  return active.filter(isObject).map((t) => ({
    labels: labelsOf(t.labels),
    scrapeUrl: typeof t.scrapeUrl === 'string' ? t.scrapeUrl : '',
    health: typeof t.health === 'string' ? t.health : 'unknown',
  }));
}

/** Seconds with millisecond precision, as the API takes times. */
const seconds = (ms: number) => (ms / 1000).toFixed(3);

export class PrometheusClient {
  /** Requests sent, each page of a redirect counted (what livepprof costs the server). */
  requests = 0;

  constructor(
    /** The base URL (parsePrometheusUrl). */
    readonly base: string,
    private readonly http: HttpClient,
  ) {}

  private async send(path: string, params: Record<string, string | string[]>): Promise<{ bytes: Uint8Array; status: number; where: string }> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
    const url = `${this.base}${path}${q.size ? `?${q}` : ''}`;
    this.requests++;
    const where = new URL(url).host;
    try {
      const res = await this.http.get(url, { errorStatusIsAnswer: true });
      return { bytes: res.bytes, status: res.status, where };
    } catch (e) {
      // The client's words are a target's ("serving pprof on that port?"): say it of Prometheus.
      if (e instanceof LivepprofError && e.kind === 'refused') throw new LivepprofError('refused', `connection refused by ${where}: is Prometheus running at --prometheus ${this.base}?`);
      throw e;
    }
  }

  private async get(path: string, params: Record<string, string | string[]>): Promise<ApiAnswer<unknown>> {
    const res = await this.send(path, params);
    return parseApiBody(res.bytes, res.status, res.where);
  }

  async queryRange(expr: string, startMs: number, endMs: number, stepMs: number): Promise<ApiAnswer<RangeSeries[]>> {
    const params = { query: expr, start: seconds(startMs), end: seconds(endMs), step: String(Math.max(0.001, stepMs / 1000)) };
    const res = await this.send('/api/v1/query_range', params);
    if (res.status === 200) {
      const fast = scanMatrix(res.bytes);
      if (fast) return { data: fast, warnings: [] };
    }
    const a = parseApiBody(res.bytes, res.status, res.where);
    return { data: parseMatrix(a.data, this.hostForErrors()), warnings: a.warnings };
  }

  async query(expr: string, timeMs: number): Promise<ApiAnswer<InstantSample[]>> {
    const a = await this.get('/api/v1/query', { query: expr, time: seconds(timeMs) });
    return { data: parseVector(a.data, this.hostForErrors()), warnings: a.warnings };
  }

  /** Label sets of the series matching any selector in the time range. */
  async series(selectors: string[], startMs: number, endMs: number): Promise<ApiAnswer<Array<Record<string, string>>>> {
    const a = await this.get('/api/v1/series', { 'match[]': selectors, start: seconds(startMs), end: seconds(endMs) });
    return { data: Array.isArray(a.data) ? a.data.map(labelsOf) : [], warnings: a.warnings };
  }

  async targets(): Promise<ApiAnswer<ActiveTarget[]>> {
    const a = await this.get('/api/v1/targets', { state: 'active' });
    return { data: parseTargets(a.data), warnings: a.warnings };
  }

  private hostForErrors(): string {
    return new URL(this.base).host;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
