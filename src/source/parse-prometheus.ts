/**
 * Prometheus text exposition format 0.0.4 (what client_golang serves on /metrics by default), and
 * OpenMetrics 1.0 (what it serves to `Accept: application/openmetrics-text`: `# UNIT` and `# EOF`
 * lines, `_total`/`_created` samples, exemplars after ` # `, timestamps in seconds), and the
 * mapping of client_golang's Go/process collectors onto MemStats (docs/formats.md#prometheus-metrics).
 * A hand-written scanner: one pass per line, no backtracking regexes; malformed lines are skipped.
 */
import type { MemoryClasses } from '../analysis/poll-record.js';
import type { MemStats } from '../profile/memstats.js';

export interface PrometheusSample {
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since epoch when the line carries a timestamp. */
  timestamp?: number;
}

/** Samples keyed by the name on the line (`foo_count`, `foo_sum` and `foo` are separate keys). */
export type PrometheusSamples = Map<string, PrometheusSample[]>;

export function parsePrometheusText(text: string): PrometheusSamples {
  const samples: PrometheusSamples = new Map();
  // OpenMetrics ends with `# EOF`; its timestamps are seconds, the text format's milliseconds.
  const timestampMs = /(?:^|\n)# EOF\r?\n?$/.test(text) ? 1000 : 1;
  for (const rawLine of text.split('\n')) {
    const sample = parseSampleLine(rawLine, timestampMs);
    if (!sample) continue;
    const list = samples.get(sample.name);
    if (list) list.push(sample.sample);
    else samples.set(sample.name, [sample.sample]);
  }
  return samples;
}

/**
 * `name[{l="v",…}] value [timestamp] [# {exemplar labels} value [timestamp]]`; null for comments,
 * blank and malformed lines. `timestampMs`: milliseconds per timestamp unit.
 */
function parseSampleLine(line: string, timestampMs: number): { name: string; sample: PrometheusSample } | null {
  let i = skipBlanks(line, 0);
  if (i >= line.length || line[i] === '#') return null;
  const nameEnd = scanMetricName(line, i);
  if (nameEnd === i) return null;
  const name = line.slice(i, nameEnd);
  i = skipBlanks(line, nameEnd);
  let labels: Record<string, string> = {};
  if (line[i] === '{') {
    const parsed = parseLabels(line, i + 1);
    if (!parsed) return null;
    labels = parsed.labels;
    i = skipBlanks(line, parsed.end);
  }
  const [valueText, afterValue] = nextToken(line, i);
  const value = parsePromFloat(valueText);
  if (value === null) return null;
  const sample: PrometheusSample = { labels, value };
  i = skipBlanks(line, afterValue);
  if (i < line.length && line[i] !== '#') {
    const [timestampText, afterTimestamp] = nextToken(line, i);
    const timestamp = timestampMs === 1 ? (/^-?\d{1,16}$/.test(timestampText) ? Number(timestampText) : null) : parsePromFloat(timestampText);
    if (timestamp === null || !Number.isFinite(timestamp)) return null;
    sample.timestamp = Math.round(timestamp * timestampMs);
    i = skipBlanks(line, afterTimestamp);
  }
  // What may follow is an OpenMetrics exemplar (` # {trace_id="…"} 0.042 1.7e9`): not ours to read.
  if (i < line.length && !(line[i] === '#' && line[i + 1] === ' ' && line[skipBlanks(line, i + 1)] === '{')) return null;
  return { name, sample };
}

function skipBlanks(line: string, from: number): number {
  let i = from;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t' || line[i] === '\r')) i++;
  return i;
}

function nextToken(line: string, from: number): [string, number] {
  let i = from;
  while (i < line.length && line[i] !== ' ' && line[i] !== '\t' && line[i] !== '\r') i++;
  return [line.slice(from, i), i];
}

/** End index of `[a-zA-Z_:][a-zA-Z0-9_:]*` starting at `from` (== from when none). */
function scanMetricName(line: string, from: number): number {
  let i = from;
  while (i < line.length && isNameChar(line.charCodeAt(i), i === from, true)) i++;
  return i;
}

function scanLabelName(line: string, from: number): number {
  let i = from;
  while (i < line.length && isNameChar(line.charCodeAt(i), i === from, false)) i++;
  return i;
}

function isNameChar(code: number, first: boolean, allowColon: boolean): boolean {
  const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  const digit = code >= 48 && code <= 57;
  return letter || (!first && digit) || (allowColon && code === 58);
}

/** After `{`: `name="value"` pairs separated by `,`, optional trailing `,`, then `}`. */
function parseLabels(line: string, from: number): { labels: Record<string, string>; end: number } | null {
  const entries: Array<[string, string]> = [];
  let i = skipBlanks(line, from);
  while (line[i] !== '}') {
    const nameEnd = scanLabelName(line, i);
    if (nameEnd === i) return null;
    const name = line.slice(i, nameEnd);
    i = skipBlanks(line, nameEnd);
    if (line[i] !== '=') return null;
    i = skipBlanks(line, i + 1);
    const value = readLabelValue(line, i);
    if (!value) return null;
    entries.push([name, value.value]);
    i = skipBlanks(line, value.end);
    if (line[i] === ',') i = skipBlanks(line, i + 1);
    else if (line[i] !== '}') return null;
  }
  // fromEntries: a label named `__proto__` becomes an own property, not a prototype change.
  return { labels: Object.fromEntries(entries), end: i + 1 };
}

/** `"…"` with the format's three escapes (`\\`, `\"`, `\n`); other escapes are kept verbatim. */
function readLabelValue(line: string, from: number): { value: string; end: number } | null {
  if (line[from] !== '"') return null;
  let out = '';
  let chunkStart = from + 1;
  for (let i = from + 1; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') return { value: out + line.slice(chunkStart, i), end: i + 1 };
    if (ch !== '\\') continue;
    const next = line[i + 1];
    out += line.slice(chunkStart, i) + (next === 'n' ? '\n' : next === '\\' || next === '"' ? next : `\\${next ?? ''}`);
    i++;
    chunkStart = i + 1;
  }
  return null;
}

/** Go ParseFloat spellings used by exporters: decimal/exponent, `NaN`, `+Inf`, `-Inf`. */
function parsePromFloat(text: string): number | null {
  if (/^nan$/i.test(text)) return Number.NaN;
  if (/^[+]?inf(?:inity)?$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf(?:inity)?$/i.test(text)) return Number.NEGATIVE_INFINITY;
  return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(text) ? Number(text) : null;
}

// ---------------------------------------------------------------------------------------------
// client_golang Go + process collectors

export interface GoProcessMetrics {
  /** `process_resident_memory_bytes` (= VmRSS; includes MADV_FREE LazyFree pages). */
  rss: number | null;
  /** `process_start_time_seconds`: Unix seconds (fractional). */
  startTime: number | null;
  goroutines: number | null;
  threads: number | null;
  /** Only the fields the exposition carries; see GO_MEMSTATS_GAUGES for the mapping. */
  memstats: Partial<MemStats>;
  /** The GC's own figures (runtime/metrics; client_golang >= 1.20 exports GOGC and GOMEMLIMIT by default). */
  gc: {
    /** `go_gc_gogc_percent` (/gc/gogc:percent): -1 when the GC is off. */
    gogc: number | null;
    /** `go_gc_gomemlimit_bytes`; null when absent; Infinity when no limit is set (math.MaxInt64). */
    memoryLimit: number | null;
    /** `go_gc_heap_live_bytes` (/gc/heap/live:bytes, Go >= 1.21): heap marked live by the last GC. */
    heapLive: number | null;
  };
  /** The runtime's own memory classes (`go_memory_classes_*_bytes`, runtime/metrics); null unless all are exposed. */
  memoryClasses: MemoryClasses | null;
}

/** math.MaxInt64 as a float: the runtime's "no memory limit". */
const NO_LIMIT = 2 ** 63 - 1024;

/** client_golang `go_memstats_*` → MemStats field, each 1:1 (docs/formats.md#prometheus-metrics). */
const GO_MEMSTATS_GAUGES = {
  go_memstats_alloc_bytes: 'Alloc',
  go_memstats_alloc_bytes_total: 'TotalAlloc',
  go_memstats_sys_bytes: 'Sys',
  go_memstats_lookups_total: 'Lookups',
  go_memstats_mallocs_total: 'Mallocs',
  go_memstats_frees_total: 'Frees',
  go_memstats_heap_alloc_bytes: 'HeapAlloc',
  go_memstats_heap_sys_bytes: 'HeapSys',
  go_memstats_heap_idle_bytes: 'HeapIdle',
  go_memstats_heap_inuse_bytes: 'HeapInuse',
  go_memstats_heap_released_bytes: 'HeapReleased',
  go_memstats_heap_objects: 'HeapObjects',
  go_memstats_stack_inuse_bytes: 'StackInuse',
  go_memstats_stack_sys_bytes: 'StackSys',
  go_memstats_mspan_inuse_bytes: 'MSpanInuse',
  go_memstats_mspan_sys_bytes: 'MSpanSys',
  go_memstats_mcache_inuse_bytes: 'MCacheInuse',
  go_memstats_mcache_sys_bytes: 'MCacheSys',
  go_memstats_buck_hash_sys_bytes: 'BuckHashSys',
  go_memstats_gc_sys_bytes: 'GCSys',
  go_memstats_other_sys_bytes: 'OtherSys',
  go_memstats_next_gc_bytes: 'NextGC',
  go_memstats_gc_cpu_fraction: 'GCCPUFraction',
} as const satisfies Record<string, keyof MemStats>;

const NS_PER_SECOND = 1e9;

/** A metric's value for one process at one moment, or null: read from /metrics text, or from Prometheus series. */
export type MetricReader = (name: string) => number | null;

export function extractGoProcessMetrics(samples: PrometheusSamples): GoProcessMetrics {
  return goProcessMetrics((name) => firstFiniteValue(samples, name));
}

/**
 * The one mapping of client_golang's metric names onto MemStats and the GC's figures, over any
 * reader: the /metrics text of one poll, or a Prometheus server's series at one sample time
 * (source/prometheus-records.ts), so both paths read the same names the same way.
 */
export function goProcessMetrics(read: MetricReader): GoProcessMetrics {
  const memstats: Partial<MemStats> = {};
  for (const [metric, field] of Object.entries(GO_MEMSTATS_GAUGES)) {
    const value = read(metric);
    if (value !== null) memstats[field] = value;
  }
  const lastGcSeconds = read('go_memstats_last_gc_time_seconds');
  if (lastGcSeconds !== null) memstats.LastGC = Math.round(lastGcSeconds * NS_PER_SECOND);
  // The go_gc_duration_seconds summary comes from debug.ReadGCStats: count = NumGC, sum = total pause.
  const numGc = read('go_gc_cycles_total_gc_cycles_total') ?? read('go_gc_duration_seconds_count');
  if (numGc !== null) memstats.NumGC = numGc;
  const forcedGc = read('go_gc_cycles_forced_gc_cycles_total');
  if (forcedGc !== null) memstats.NumForcedGC = forcedGc;
  const pauseSeconds = read('go_gc_duration_seconds_sum');
  if (pauseSeconds !== null) memstats.PauseTotalNs = Math.round(pauseSeconds * NS_PER_SECOND);
  fillFromRuntimeMetrics(memstats, read);
  return {
    rss: read('process_resident_memory_bytes'),
    startTime: read('process_start_time_seconds'),
    goroutines: read('go_goroutines') ?? read('go_sched_goroutines_goroutines'),
    threads: read('go_threads'),
    memstats,
    gc: {
      gogc: read('go_gc_gogc_percent'),
      memoryLimit: limitOrNone(read('go_gc_gomemlimit_bytes')),
      heapLive: read('go_gc_heap_live_bytes'),
    },
    memoryClasses: readMemoryClasses(read),
  };
}

/**
 * `/memory/classes/…:bytes` as client_golang names them. They add up to the total exactly;
 * one missing would make the split a guess, so it is all or nothing. With go_memstats_* on,
 * client_golang leaves out the profiling buckets class: go_memstats_buck_hash_sys_bytes is it.
 */
function readMemoryClasses(read: MetricReader): MemoryClasses | null {
  const c = (name: string) => read(`go_memory_classes_${name}_bytes`);
  const metadata = ['metadata_mcache_free', 'metadata_mcache_inuse', 'metadata_mspan_free', 'metadata_mspan_inuse', 'metadata_other'].map(c);
  const classes = {
    heapObjects: c('heap_objects'),
    heapUnused: c('heap_unused'),
    heapFree: c('heap_free'),
    heapReleased: c('heap_released'),
    stacks: sumOrNull([c('heap_stacks'), c('os_stacks')]),
    metadata: sumOrNull(metadata),
    profiling: c('profiling_buckets') ?? read('go_memstats_buck_hash_sys_bytes'),
    other: c('other'),
    total: c('total'),
  };
  const values = Object.values(classes);
  return values.every((v) => v !== null) ? (classes as MemoryClasses) : null;
}

function sumOrNull(values: Array<number | null>): number | null {
  return values.every((v) => v !== null) ? values.reduce((a: number, b) => a + b!, 0) : null;
}

/** GOMEMLIMIT as read: math.MaxInt64 (the runtime's "none") is Infinity. */
export function limitOrNone(v: number | null): number | null {
  return v === null ? null : v >= NO_LIMIT ? Infinity : v;
}

/**
 * Exporters that enable runtime/metrics names (or drop go_memstats_*, as
 * WithGoCollectorMemStatsMetricsDisabled does) still let us derive MemStats, with client_golang's
 * own formulas (memStatsFromRM). Only fills what is missing.
 */
function fillFromRuntimeMetrics(memstats: Partial<MemStats>, read: MetricReader): void {
  const c = (name: string) => read(`go_memory_classes_${name}_bytes`);
  const sum = (...names: string[]) => sumOrNull(names.map(c)) ?? undefined;
  const objects = c('heap_objects');
  const tiny = read('go_gc_heap_tiny_allocs_objects_total');
  const plusTiny = (v: number | null) => (v !== null && tiny !== null ? v + tiny : undefined);
  const derived: Partial<MemStats> = {
    HeapAlloc: objects ?? undefined,
    HeapReleased: c('heap_released') ?? undefined,
    HeapInuse: sum('heap_objects', 'heap_unused'),
    HeapIdle: sum('heap_released', 'heap_free'),
    HeapSys: sum('heap_objects', 'heap_unused', 'heap_released', 'heap_free'),
    StackInuse: c('heap_stacks') ?? undefined,
    StackSys: sum('heap_stacks', 'os_stacks'),
    MSpanInuse: c('metadata_mspan_inuse') ?? undefined,
    MSpanSys: sum('metadata_mspan_inuse', 'metadata_mspan_free'),
    MCacheInuse: c('metadata_mcache_inuse') ?? undefined,
    MCacheSys: sum('metadata_mcache_inuse', 'metadata_mcache_free'),
    BuckHashSys: c('profiling_buckets') ?? undefined,
    GCSys: c('metadata_other') ?? undefined,
    OtherSys: c('other') ?? undefined,
    Sys: c('total') ?? undefined,
    TotalAlloc: read('go_gc_heap_allocs_bytes_total') ?? undefined,
    // MemStats counts tiny allocations in both Mallocs and Frees.
    Mallocs: plusTiny(read('go_gc_heap_allocs_objects_total')),
    Frees: plusTiny(read('go_gc_heap_frees_objects_total')),
    NextGC: read('go_gc_heap_goal_bytes') ?? undefined,
    HeapObjects: read('go_gc_heap_objects_objects') ?? undefined,
  };
  for (const [field, value] of Object.entries(derived) as Array<[keyof MemStats, number | undefined]>) {
    if (value !== undefined && memstats[field] === undefined) (memstats as Record<string, number>)[field] = value;
  }
  // Alloc is HeapAlloc by definition.
  if (objects !== null && memstats.Alloc === undefined && memstats.HeapAlloc !== undefined) memstats.Alloc = memstats.HeapAlloc;
}

/** Value of the first sample of `name` that is a finite number (gauges here have no labels). */
function firstFiniteValue(samples: PrometheusSamples, name: string): number | null {
  for (const sample of samples.get(name) ?? []) {
    if (Number.isFinite(sample.value)) return sample.value;
  }
  return null;
}

/**
 * Every metric name the mapping reads, in the order it asks for them: taken from the mapping
 * itself (a reader that notes each name), so a query for them cannot drift from it.
 */
export const GO_PROCESS_METRIC_NAMES: readonly string[] = (() => {
  const names = new Set<string>();
  goProcessMetrics((name) => {
    names.add(name);
    return null;
  });
  return [...names];
})();
