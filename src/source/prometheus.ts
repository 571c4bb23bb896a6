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

const MATRIX_HEAD = '{"status":"success","data":{"resultType":"matrix","result":[';

/**
 * A successful range answer as Prometheus writes it (compact JSON, `metric` then `values` in each
 * series), scanned straight into typed arrays: for 1,000 instances the generic JSON.parse builds
 * millions of little arrays and strings, and their garbage, before they are copied here. Null for
 * anything else (warnings, another server's spelling): the caller parses it the generic way.
 */
export function scanMatrix(text: string): RangeSeries[] | null {
  if (!text.startsWith(MATRIX_HEAD)) return null;
  const out: RangeSeries[] = [];
  let i = MATRIX_HEAD.length;
  // One scratch pair for every series, copied out at its length: no array grows per sample.
  let times: Float64Array = new Float64Array(256);
  let values: Float64Array = new Float64Array(256);
  // Series of one answer share their sample times: the previous series' array is reused when equal.
  let lastTimes: Float64Array | null = null;
  const strings: Strings = new Map();
  while (text.charCodeAt(i) === 123 /* { */) {
    if (!text.startsWith('{"metric":', i)) return null;
    const metricEnd = objectEnd(text, i + 10);
    if (metricEnd < 0) return null;
    const labels = scanLabels(text, i + 10, metricEnd, strings);
    if (labels === null) return null;
    i = metricEnd;
    if (!text.startsWith(',"values":[', i)) return null;
    i += 11;
    let n = 0;
    while (text.charCodeAt(i) === 91 /* [ */) {
      if (n === times.length) {
        times = grown(times);
        values = grown(values);
      }
      // `[1767204000,"1553791460"]`: whole numbers are read in the one pass that finds their
      // end; anything else (a fraction, an exponent, NaN, ±Inf) is sliced and read as before.
      let c = 0;
      let j = i + 1;
      let whole = 0;
      while ((c = text.charCodeAt(j)) >= 48 && c <= 57) {
        whole = whole * 10 + (c - 48);
        j++;
      }
      let comma = j;
      if (c === 44 /* , */ && text.charCodeAt(j + 1) === 34 && exact(i + 1, j)) times[n] = whole * 1000;
      else {
        comma = text.indexOf(',"', i);
        if (comma < 0) return null;
        times[n] = Math.round(Number(text.slice(i + 1, comma)) * 1000);
      }
      j = comma + 2;
      whole = 0;
      while ((c = text.charCodeAt(j)) >= 48 && c <= 57) {
        whole = whole * 10 + (c - 48);
        j++;
      }
      let close = j;
      if (c === 34 /* " */ && text.charCodeAt(j + 1) === 93 && exact(comma + 2, j)) values[n] = whole;
      else {
        close = text.indexOf('"]', comma + 2);
        if (close < 0) return null;
        values[n] = parseSampleValue(text.slice(comma + 2, close));
      }
      n++;
      i = close + 2;
      if (text.charCodeAt(i) === 44 /* , */) i++;
    }
    if (text.charCodeAt(i) !== 93 /* ] */ || text.charCodeAt(i + 1) !== 125 /* } */) return null;
    const seriesTimes: Float64Array = lastTimes !== null && sameValues(lastTimes, times, n) ? lastTimes : times.slice(0, n);
    lastTimes = seriesTimes;
    out.push({ labels, times: seriesTimes, values: values.slice(0, n) });
    i += 2;
    if (text.charCodeAt(i) === 44 /* , */) i++;
  }
  return text.length - i === 3 && text.endsWith(']}}') ? out : null;
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

/**
 * Label names and values, one copy of each: a slice of the answer would be a view that keeps the
 * whole answer (megabytes of text) alive for as long as the labels live, i.e. with the rows.
 */
type Strings = Map<string, string>;

function own(strings: Strings, slice: string): string {
  let s = strings.get(slice);
  if (s === undefined) {
    // JSON reads a plain string (no escapes) as it is, into a string of its own.
    s = JSON.parse(`"${slice}"`) as string;
    strings.set(s, s);
  }
  return s;
}

/**
 * A series' `metric` object, text[from, to): plain `"name":"value"` pairs (no escapes) read by
 * hand, anything else through JSON.parse; null when it is not JSON.
 */
function scanLabels(text: string, from: number, to: number, strings: Strings): Record<string, string> | null {
  const out: Record<string, string> = {};
  let i = from + 1;
  if (text.charCodeAt(i) === 125 /* } */ && i + 1 === to) return out;
  for (;;) {
    if (text.charCodeAt(i) !== 34 /* " */) return labelsByJson(text, from, to);
    const keyEnd = text.indexOf('"', i + 1);
    if (keyEnd < 0 || text.charCodeAt(keyEnd + 1) !== 58 /* : */ || text.charCodeAt(keyEnd + 2) !== 34) return labelsByJson(text, from, to);
    const valueEnd = text.indexOf('"', keyEnd + 3);
    if (valueEnd < 0 || valueEnd >= to) return labelsByJson(text, from, to);
    const key = text.slice(i + 1, keyEnd);
    const value = text.slice(keyEnd + 3, valueEnd);
    if (!plain(key) || !plain(value)) return labelsByJson(text, from, to);
    out[own(strings, key)] = own(strings, value);
    const next = text.charCodeAt(valueEnd + 1);
    if (next === 125 /* } */ && valueEnd + 2 === to) return out;
    if (next !== 44 /* , */) return labelsByJson(text, from, to);
    i = valueEnd + 2;
  }
}

/** No escape (\" \\ \u…) and no control character: JSON reads the string as it is. */
function plain(s: string): boolean {
  for (let j = 0; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 92 /* \ */ || c < 32) return false;
  }
  return true;
}

function labelsByJson(text: string, from: number, to: number): Record<string, string> | null {
  try {
    return labelsOf(JSON.parse(text.slice(from, to)));
  } catch {
    return null;
  }
}

/** The index just past the JSON object that starts at `from` (strings and their escapes skipped), or -1. */
function objectEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \\ */) i++;
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
      const fast = scanMatrix(new TextDecoder('utf-8', { fatal: false }).decode(res.bytes));
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
