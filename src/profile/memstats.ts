/**
 * Go `runtime.MemStats` as read from two HTTP sources:
 *  - the `# runtime.MemStats` trailer of `heap?debug=1` / `allocs?debug=1` (docs/formats.md#memstats-trailer);
 *  - expvar `/debug/vars` (docs/formats.md#expvar).
 * Pure functions: no I/O.
 */
import { parseFail, parseOk, snippet, type ParseResult } from './parse-result.js';

/**
 * Field names and meanings are Go's `runtime.MemStats`; every size is in bytes.
 *
 * Required fields are the ones both sources print in every Go release from 1.12 on; a source that
 * lacks one of them is truncated or garbled, and the parsers reject it rather than invent a value.
 * Optional fields are carried by only one source:
 *  - `PauseTotalNs`, `EnableGC`: expvar only (the heap trailer does not print them);
 *  - `MaxRSS`: heap trailer only, Go ≥ 1.15 on linux/darwin (Go 1.15–1.17 printed Linux's KiB value
 *    unconverted, so it can be 1024× too small there; prefer /proc `VmHWM`);
 *  - `PauseNs`, `PauseEnd`: both print them, but they are dropped if malformed (not worth failing for).
 *
 * `LastGC` and `PauseEnd` are ns since the Unix epoch (~1.8e18 > 2^53): as JS numbers they lose
 * sub-microsecond precision, which is harmless for display and rate computations.
 */
export interface MemStats {
  Alloc: number;
  TotalAlloc: number;
  Sys: number;
  Lookups: number;
  Mallocs: number;
  Frees: number;
  HeapAlloc: number;
  HeapSys: number;
  HeapIdle: number;
  HeapInuse: number;
  HeapReleased: number;
  HeapObjects: number;
  StackInuse: number;
  StackSys: number;
  MSpanInuse: number;
  MSpanSys: number;
  MCacheInuse: number;
  MCacheSys: number;
  BuckHashSys: number;
  GCSys: number;
  OtherSys: number;
  NextGC: number;
  /** ns since epoch of the last GC end (0 = never); sub-µs precision lost. */
  LastGC: number;
  PauseTotalNs?: number;
  NumGC: number;
  NumForcedGC: number;
  GCCPUFraction: number;
  DebugGC?: boolean;
  EnableGC?: boolean;
  /** Peak RSS in bytes (getrusage), heap trailer only. */
  MaxRSS?: number;
  /** 256-entry ring of recent pause durations (ns); most recent at `(NumGC + 255) % 256`. */
  PauseNs?: number[];
  /** 256-entry ring of pause end times (ns since epoch; sub-µs precision lost). */
  PauseEnd?: number[];
}

type NumericField = {
  [K in keyof MemStats]-?: MemStats[K] extends number | undefined ? K : never;
}[keyof MemStats];

/** Printed by every source; missing ⇒ reject. */
const REQUIRED_NUMBERS = [
  'Alloc', 'TotalAlloc', 'Sys', 'Lookups', 'Mallocs', 'Frees',
  'HeapAlloc', 'HeapSys', 'HeapIdle', 'HeapInuse', 'HeapReleased', 'HeapObjects',
  'StackInuse', 'StackSys', 'MSpanInuse', 'MSpanSys', 'MCacheInuse', 'MCacheSys',
  'BuckHashSys', 'GCSys', 'OtherSys', 'NextGC', 'LastGC', 'NumGC', 'NumForcedGC', 'GCCPUFraction',
] as const satisfies readonly NumericField[];

const OPTIONAL_NUMBERS = ['PauseTotalNs', 'MaxRSS'] as const satisfies readonly NumericField[];
const OPTIONAL_BOOLEANS = ['DebugGC', 'EnableGC'] as const;
const OPTIONAL_ARRAYS = ['PauseNs', 'PauseEnd'] as const;

/** Already-typed values keyed by MemStats field name; anything else is ignored. */
type FieldBag = Record<string, unknown>;

/** Check types and presence; the single place that decides what a valid MemStats is. */
function memStatsFromBag(bag: FieldBag): ParseResult<MemStats> {
  const missing = REQUIRED_NUMBERS.filter((name) => !isFiniteNumber(bag[name]));
  if (missing.length > 0) {
    return parseFail(`MemStats lacks ${missing.length} required field(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
  }
  const stats = {} as MemStats;
  for (const name of REQUIRED_NUMBERS) stats[name] = bag[name] as number;
  for (const name of OPTIONAL_NUMBERS) {
    const value = bag[name];
    if (isFiniteNumber(value)) stats[name] = value;
  }
  for (const name of OPTIONAL_BOOLEANS) {
    const value = bag[name];
    if (typeof value === 'boolean') stats[name] = value;
  }
  for (const name of OPTIONAL_ARRAYS) {
    const value = bag[name];
    if (Array.isArray(value) && value.every(isFiniteNumber)) stats[name] = value.slice();
  }
  return parseOk(stats);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

// ---------------------------------------------------------------------------------------------
// heap?debug=1 trailer

/** The line after a heap?debug=1 body's last record; what follows is runtime.MemStats, one field a line. */
export const TRAILER_MARKER = '# runtime.MemStats';

/** `MemStats | null` convenience form of {@link tryParseHeapDebug1MemStats}: null when no usable trailer. */
export function parseHeapDebug1MemStats(text: string): MemStats | null {
  const result = tryParseHeapDebug1MemStats(text);
  return result.ok ? result.value : null;
}

/**
 * Read the `# runtime.MemStats` trailer of `heap?debug=1`. Only the trailer is scanned (found from
 * the end), so the cost does not grow with the number of profile records before it.
 */
export function tryParseHeapDebug1MemStats(text: string): ParseResult<MemStats> {
  const start = findTrailerStart(text);
  if (start < 0) return parseFail('no "# runtime.MemStats" trailer (not a heap?debug=1 response, or truncated)');
  const bag: FieldBag = {};
  for (const line of text.slice(start + TRAILER_MARKER.length).split('\n')) {
    const entry = splitTrailerLine(line);
    if (entry) addTrailerEntry(bag, entry.name, entry.value);
  }
  return memStatsFromBag(bag);
}

/** Index of the marker on a line of its own, searching from the end; -1 when absent. */
function findTrailerStart(text: string): number {
  let at = text.lastIndexOf(TRAILER_MARKER);
  while (at >= 0 && !isWholeLine(text, at, TRAILER_MARKER.length)) {
    at = at === 0 ? -1 : text.lastIndexOf(TRAILER_MARKER, at - 1);
  }
  return at;
}

function isWholeLine(text: string, start: number, length: number): boolean {
  const after = text[start + length];
  return (start === 0 || text[start - 1] === '\n') && (after === undefined || after === '\n' || after === '\r');
}

/** `# Name = value` → {name, value}; anything else → null. */
function splitTrailerLine(rawLine: string): { name: string; value: string } | null {
  const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
  if (!line.startsWith('# ')) return null;
  const eq = line.indexOf(' = ');
  if (eq < 0) return null;
  const name = line.slice(2, eq);
  if (!/^\w+$/.test(name)) return null;
  return { name, value: line.slice(eq + 3).trim() };
}

/** `# Stack = inuse / sys` and friends: one trailer line carries two MemStats fields. */
const PAIR_LINES: Record<string, readonly [keyof MemStats, keyof MemStats]> = {
  Stack: ['StackInuse', 'StackSys'],
  MSpan: ['MSpanInuse', 'MSpanSys'],
  MCache: ['MCacheInuse', 'MCacheSys'],
};

function addTrailerEntry(bag: FieldBag, name: string, value: string): void {
  const pair = PAIR_LINES[name];
  if (pair) {
    const parts = value.split(' / ');
    if (parts.length === 2) {
      bag[pair[0]] = parseGoUint(parts[0]!);
      bag[pair[1]] = parseGoUint(parts[1]!);
    }
    return;
  }
  if (name === 'PauseNs' || name === 'PauseEnd') bag[name] = parseGoUintArray(value);
  else if (name === 'GCCPUFraction') bag[name] = parseGoFloat(value);
  else if (name === 'DebugGC' || name === 'EnableGC') bag[name] = parseGoBool(value);
  else bag[name] = parseGoUint(value);
}

/** Decimal uint64 as printed by `%d`; loses precision above 2^53 (see MemStats doc). */
export function parseGoUint(text: string): number | undefined {
  return /^\d{1,20}$/.test(text) ? Number(text) : undefined;
}

/** float64 as printed by `%v` (`0.0375`, `1e-05`, `NaN`, `+Inf`). */
export function parseGoFloat(text: string): number | undefined {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(text) ? Number(text) : undefined;
}

function parseGoBool(text: string): boolean | undefined {
  return text === 'true' ? true : text === 'false' ? false : undefined;
}

/** Go `%d` of an array: `[1 2 3]`; undefined when any element is not a uint. */
function parseGoUintArray(text: string): number[] | undefined {
  if (!text.startsWith('[') || !text.endsWith(']')) return undefined;
  const inner = text.slice(1, -1).trim();
  if (inner === '') return [];
  const values: number[] = [];
  for (const token of inner.split(' ')) {
    if (token === '') continue;
    const value = parseGoUint(token);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// expvar /debug/vars

export interface ExpvarSnapshot {
  /** null when the `memstats` key is absent or unusable (see `memstatsError`). */
  memstats: MemStats | null;
  /** Why `memstats` is null when the key was present; null otherwise. */
  memstatsError: string | null;
  /** `os.Args`; null when absent or not an array of strings. */
  cmdline: string[] | null;
  /** Every other top-level key: the application's own expvars, values as decoded JSON. */
  vars: Record<string, unknown>;
}

export function parseExpvar(json: string): ParseResult<ExpvarSnapshot> {
  const decoded = decodeJson(json);
  if (!decoded.ok) return decoded;
  const root = decoded.value;
  if (!isPlainObject(root)) {
    return parseFail(`/debug/vars: expected a JSON object at the top level, got ${describeJsonType(root)}`);
  }
  const memstats = readExpvarMemStats(root['memstats']);
  return parseOk({
    memstats: memstats.ok ? memstats.value : null,
    memstatsError: memstats.ok || root['memstats'] === undefined ? null : memstats.error,
    cmdline: readStringArray(root['cmdline']),
    // Object.fromEntries defines own properties, so a `__proto__` key cannot reach the prototype.
    vars: Object.fromEntries(Object.entries(root).filter(([key]) => key !== 'memstats' && key !== 'cmdline')),
  });
}

function decodeJson(json: string): ParseResult<unknown> {
  if (json.trim() === '') return parseFail('/debug/vars: empty body');
  try {
    return parseOk(JSON.parse(json) as unknown);
  } catch (err) {
    return parseFail(`/debug/vars: invalid JSON (${err instanceof Error ? err.message : String(err)}) near ${snippet(json, 40)}`);
  }
}

function readExpvarMemStats(value: unknown): ParseResult<MemStats> {
  if (value === undefined) return parseFail('/debug/vars has no "memstats" key');
  if (!isPlainObject(value)) return parseFail(`/debug/vars "memstats" is ${describeJsonType(value)}, not an object`);
  return memStatsFromBag(value);
}

function readStringArray(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value.slice() : null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
