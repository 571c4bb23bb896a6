// Prometheus series → one PollRecord per sample time per instance, as the metric mapping of a
// poll's /metrics makes them (goProcessMetrics, fillMemStats, fillGcFigures: recordFromMetrics;
// the fleet's many records come from series-record.ts, held equal to it), so the verdict engine
// judges an instance's history exactly as it judges live polls. cAdvisor's working set
// and limit join on the namespace/pod (and container) labels where the instance has them.
// What an instance does not export is listed, not guessed.

import type { FleetInstance } from '../analysis/fleet.js';
import { emptyRecord, type PollRecord } from '../analysis/poll-record.js';
import { fillGcFigures, fillMemStats } from './metrics-record.js';
import { GO_PROCESS_METRIC_NAMES, goProcessMetrics, type MetricReader } from './parse-prometheus.js';
import type { RangeSeries } from './prometheus.js';
import { recordsFromColumns } from './series-record.js';

export const WORKING_SET = 'container_memory_working_set_bytes';
export const MEMORY_LIMIT = 'container_spec_memory_limit_bytes';
export const GO_INFO = 'go_info';

/** One record from a reader of one process's metrics at one time (`read` gives finite values or null). */
export function recordFromMetrics(read: MetricReader, seq: number, time: number): PollRecord {
  const r = emptyRecord(seq, time);
  const m = goProcessMetrics(read);
  r.memstatsSource = 'metrics';
  fillMemStats(r, m.memstats);
  fillGcFigures(r, m);
  r.goroutines = m.goroutines;
  r.threads = m.threads;
  if (m.rss !== null) {
    r.rss = m.rss;
    r.rssSource = 'metrics';
  } else if (r.sys !== null && r.heapReleased !== null) {
    r.rss = r.sys - r.heapReleased;
    r.rssSource = 'estimate';
  }
  return r;
}

/**
 * The metric names that change a record: the mapping's names, each tried alone. A fleet query
 * asks for these only (not go_memstats_lookups_total and the like).
 */
export const RECORD_METRIC_NAMES: readonly string[] = (() => {
  const none = JSON.stringify(recordFromMetrics(() => null, 0, 0));
  return GO_PROCESS_METRIC_NAMES.filter((name) => JSON.stringify(recordFromMetrics((n) => (n === name ? 1e9 : null), 0, 0)) !== none);
})();

/** The labels every series of a process shares (the target's labels): not __name__, not a metric's own (quantile, version). */
function common(a: Record<string, string>, b: Record<string, string>): Record<string, string> {
  const keys = Object.keys(a);
  // Most series of a process agree on all of them: `a` as it is, no copy per series. (A label
  // named __proto__ does not survive the copy below, so such a set always takes it.)
  if (keys.every((k) => b[k] === a[k]) && !Object.hasOwn(a, '__proto__')) return a;
  const out: Record<string, string> = {};
  for (const k of keys) if (b[k] === a[k]) out[k] = a[k]!;
  return out;
}

/** A series' values on a time grid (NaN where it has no finite sample then). */
function onGrid(s: RangeSeries, index: Map<number, number>, size: number): Float64Array {
  const out = new Float64Array(size).fill(NaN);
  for (let j = 0; j < s.times.length; j++) {
    const k = index.get(s.times[j]!);
    if (k !== undefined) out[k] = s.values[j]!;
  }
  return out;
}

const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

interface Group {
  labels: Record<string, string>;
  byName: Map<string, RangeSeries>;
  goVersion: string | null;
}

/** The series of each process, keyed by instance (and job, where one instance is in two jobs). */
function groupByInstance(series: readonly RangeSeries[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  const jobsOf = new Map<string, Set<string>>();
  for (const s of series) {
    const inst = s.labels.instance ?? '';
    if (!jobsOf.has(inst)) jobsOf.set(inst, new Set());
    jobsOf.get(inst)!.add(s.labels.job ?? '');
  }
  for (const s of series) {
    const name = s.labels.__name__;
    if (!name || name === WORKING_SET || name === MEMORY_LIMIT) continue;
    const inst = s.labels.instance ?? '(no instance label)';
    const key = (jobsOf.get(s.labels.instance ?? '')?.size ?? 0) > 1 ? `${inst} (${s.labels.job ?? ''})` : inst;
    let g = groups.get(key);
    if (!g) {
      const { __name__: _, ...labels } = s.labels;
      groups.set(key, (g = { labels, byName: new Map(), goVersion: null }));
    } else if (name !== GO_INFO || g.byName.size > 0) g.labels = common(g.labels, s.labels); // g.labels has no __name__ to compare
    if (name === GO_INFO) g.goVersion = s.labels.version ?? g.goVersion;
    // One series per name and process; a second one (another label set) would be another process.
    else if (!g.byName.has(name)) g.byName.set(name, s);
  }
  return groups;
}

/** cAdvisor's series by pod name, in their order: each instance looks at its pod's few, not at all of them. */
type ContainersByPod = Map<string, RangeSeries[]>;

function byPod(containers: readonly RangeSeries[]): ContainersByPod {
  const out: ContainersByPod = new Map();
  for (const c of containers) {
    const pod = c.labels.pod;
    if (pod === undefined) continue;
    const list = out.get(pod);
    if (list) list.push(c);
    else out.set(pod, [c]);
  }
  return out;
}

/** cAdvisor series of a pod's container: joined on namespace and pod, and container when the instance names one. */
function containerSeries(labels: Record<string, string>, containers: ContainersByPod, name: string): RangeSeries[] {
  if (!labels.pod) return [];
  return (containers.get(labels.pod) ?? []).filter(
    (c) =>
      c.labels.__name__ === name &&
      c.labels.pod === labels.pod &&
      (labels.namespace === undefined || c.labels.namespace === labels.namespace) &&
      c.labels.container !== undefined &&
      c.labels.container !== '' &&
      c.labels.container !== 'POD' &&
      (labels.container === undefined || c.labels.container === labels.container),
  );
}

/** Strictly ascending: a grid of sample times as it is (no duplicates to merge, nothing to sort). */
function ascending(times: Float64Array): boolean {
  for (let j = 1; j < times.length; j++) if (!(times[j]! > times[j - 1]!)) return false;
  return true;
}

function sameTimes(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/**
 * The process's sample times (every time any of its series has a sample, in order), and any
 * series' column on them. A range query answers every series of an instance on the same step
 * grid, so a series' own values are its column; only one that disagrees is put on the grid.
 */
function gridOf(series: readonly RangeSeries[]): { times: Float64Array; columnOf: (s: RangeSeries) => Float64Array } {
  const first = series[0]?.times ?? new Float64Array(0);
  let times = first;
  if (!ascending(first) || !series.every((s) => sameTimes(s.times, first))) {
    const set = new Set<number>();
    for (const s of series) for (const t of s.times) set.add(t);
    times = Float64Array.from([...set].sort((a, b) => a - b));
  }
  let index: Map<number, number> | null = null;
  return {
    times,
    columnOf: (s) => (sameTimes(s.times, times) ? s.values : onGrid(s, (index ??= new Map(Array.from(times, (t, k) => [t, k]))), times.length)),
  };
}

/** The records of one process, a restart marked where the start time changes or a counter goes back. */
function recordsOf(g: Group, ws: RangeSeries | null, limit: RangeSeries | null): PollRecord[] {
  const { times, columnOf } = gridOf([...g.byName.values()]);
  const wsValues = ws ? columnOf(ws) : null;
  const limitValues = limit ? columnOf(limit) : null;
  const out = recordsFromColumns((name) => {
    const s = g.byName.get(name);
    return s ? columnOf(s) : null;
  }, times);
  let prev: PollRecord | null = null;
  for (let k = 0; k < out.length; k++) {
    const r = out[k]!;
    r.workingSet = finite(wsValues?.[k]);
    const l = finite(limitValues?.[k]);
    // cAdvisor says 0 for a container without a limit.
    r.memoryLimit = l !== null && l > 0 ? l : null;
    if (prev) {
      if (r.processStart !== null && prev.processStart !== null && Math.abs(r.processStart - prev.processStart) > 1000) {
        r.restarted = true;
        r.restartReason = 'process_start_time_seconds changed';
      } else if (r.numGC !== null && prev.numGC !== null && r.numGC < prev.numGC) {
        r.restarted = true;
        r.restartReason = 'the GC count went back';
      }
    }
    prev = r;
  }
  return out;
}

/** What the instance does not export, each with what the verdict does without it. */
function missingFigures(records: readonly PollRecord[], labels: Record<string, string>, ws: RangeSeries | null, containers: number): string[] {
  const some = (f: (r: PollRecord) => boolean) => records.some(f);
  const out: string[] = [];
  if (!some((r) => r.rssSource === 'metrics')) out.push(some((r) => r.rss !== null) ? 'RSS (process_resident_memory_bytes): estimated as Sys − HeapReleased' : 'RSS (process_resident_memory_bytes)');
  if (!some((r) => r.heapInuse !== null)) out.push('heap figures (go_memstats_heap_* or go_memory_classes_*)');
  if (!some((r) => r.numGC !== null)) out.push('GC count (go_gc_duration_seconds_count or go_gc_cycles_total_gc_cycles_total): no live-heap trend');
  if (!some((r) => r.nextGC !== null)) out.push('heap goal (go_memstats_next_gc_bytes or go_gc_heap_goal_bytes)');
  const gogc = some((r) => r.gogc !== null);
  if (!some((r) => r.gcHeapLive !== null)) {
    out.push(`live heap (go_gc_heap_live_bytes, Go ≥ 1.21): ${gogc ? 'taken from the heap goal and GOGC' : 'taken from HeapAlloc, an upper bound'}`);
  }
  if (!gogc) out.push('GOGC (go_gc_gogc_percent)');
  if (!some((r) => r.memoryLimitGoSource !== null)) out.push('GOMEMLIMIT (go_gc_gomemlimit_bytes)');
  if (!some((r) => r.goroutines !== null)) out.push('goroutines (go_goroutines)');
  if (labels.pod && !ws) {
    out.push(containers > 1 ? `working set/limit: pod ${labels.pod} has ${containers} containers and the instance names none` : `working set/limit (${WORKING_SET} for pod ${labels.pod})`);
  }
  return out;
}

/** Go versions by instance and job, from go_info's label sets: what a range query of go_info would say, without its samples. */
export type GoVersions = ReadonlyMap<string, string>;

const instanceJob = (labels: Record<string, string>) => `${labels.instance ?? ''}\u0000${labels.job ?? ''}`;

/** The `version` of each process's go_info among these label sets (/api/v1/series). */
export function goVersionsOf(labelSets: ReadonlyArray<Record<string, string>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of labelSets) if (l.__name__ === GO_INFO && l.version !== undefined) out.set(instanceJob(l), l.version);
  return out;
}

/**
 * Every instance in the series (Go runtime series and, optionally, cAdvisor's), by key. Its Go
 * version is go_info's among the series, else the one `versions` knows.
 */
export function instancesFromSeries(series: readonly RangeSeries[], containers: readonly RangeSeries[] = [], versions: GoVersions = new Map()): FleetInstance[] {
  const out: FleetInstance[] = [];
  const pods = byPod(containers);
  for (const [key, g] of groupByInstance(series)) {
    const ws = containerSeries(g.labels, pods, WORKING_SET);
    const lim = containerSeries(g.labels, pods, MEMORY_LIMIT);
    const one = (xs: RangeSeries[]) => (xs.length === 1 ? xs[0]! : null);
    const [wsOne, limOne] = [one(ws), one(lim)];
    const remake = () => recordsOf(g, wsOne, limOne);
    const records = remake();
    if (records.length === 0) continue; // only go_info: nothing to judge
    const goVersion = g.goVersion ?? versions.get(instanceJob(g.labels)) ?? null;
    out.push({ key, labels: g.labels, goVersion, records, remake, missing: missingFigures(records, g.labels, wsOne, ws.length) });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
