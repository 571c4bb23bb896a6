// One PollRecord per sample time straight from an instance's columns (one Float64Array per
// metric name, NaN where no sample), for the fleet: 1,000 instances × 60 times went through the
// generic name → field mapping (goProcessMetrics: ~80 reads by name, a MemStats object and a
// derived one per record) and that was a fifth of the first table's time. A fleet query asks
// only for RECORD_METRIC_NAMES; with those alone, goProcessMetrics + fillMemStats +
// fillGcFigures reduce to the assignments below. test/source/series-record.test.ts holds the two
// equal for every name, alone and together, so a change to the mapping that this misses fails there.

import { emptyRecord, type PollRecord } from '../analysis/poll-record.js';
import { limitOrNone } from './parse-prometheus.js';

/** An instance's column of one metric on its time grid, or null when it does not export it. */
export type ColumnOf = (name: string) => Float64Array | null;

/** The columns a record reads, looked up once per instance rather than once per sample. */
interface RecordColumns {
  allocTotal: Float64Array | null;
  sys: Float64Array | null;
  heapAlloc: Float64Array | null;
  heapSys: Float64Array | null;
  heapIdle: Float64Array | null;
  heapInuse: Float64Array | null;
  heapReleased: Float64Array | null;
  heapObjects: Float64Array | null;
  stackInuse: Float64Array | null;
  stackSys: Float64Array | null;
  nextGc: Float64Array | null;
  gcCpuFraction: Float64Array | null;
  lastGcSeconds: Float64Array | null;
  gcCycles: Float64Array | null;
  gcDurationCount: Float64Array | null;
  forcedGcCycles: Float64Array | null;
  classHeapObjects: Float64Array | null;
  classHeapReleased: Float64Array | null;
  classHeapStacks: Float64Array | null;
  classTotal: Float64Array | null;
  heapAllocsBytes: Float64Array | null;
  heapGoal: Float64Array | null;
  heapObjectsObjects: Float64Array | null;
  rss: Float64Array | null;
  startTime: Float64Array | null;
  goroutines: Float64Array | null;
  schedGoroutines: Float64Array | null;
  threads: Float64Array | null;
  gogc: Float64Array | null;
  memoryLimit: Float64Array | null;
  heapLive: Float64Array | null;
}

/** Every name read here: the same set as RECORD_METRIC_NAMES (the test says so). */
export const SERIES_RECORD_NAMES: Readonly<Record<keyof RecordColumns, string>> = {
  allocTotal: 'go_memstats_alloc_bytes_total',
  sys: 'go_memstats_sys_bytes',
  heapAlloc: 'go_memstats_heap_alloc_bytes',
  heapSys: 'go_memstats_heap_sys_bytes',
  heapIdle: 'go_memstats_heap_idle_bytes',
  heapInuse: 'go_memstats_heap_inuse_bytes',
  heapReleased: 'go_memstats_heap_released_bytes',
  heapObjects: 'go_memstats_heap_objects',
  stackInuse: 'go_memstats_stack_inuse_bytes',
  stackSys: 'go_memstats_stack_sys_bytes',
  nextGc: 'go_memstats_next_gc_bytes',
  gcCpuFraction: 'go_memstats_gc_cpu_fraction',
  lastGcSeconds: 'go_memstats_last_gc_time_seconds',
  gcCycles: 'go_gc_cycles_total_gc_cycles_total',
  gcDurationCount: 'go_gc_duration_seconds_count',
  forcedGcCycles: 'go_gc_cycles_forced_gc_cycles_total',
  classHeapObjects: 'go_memory_classes_heap_objects_bytes',
  classHeapReleased: 'go_memory_classes_heap_released_bytes',
  classHeapStacks: 'go_memory_classes_heap_stacks_bytes',
  classTotal: 'go_memory_classes_total_bytes',
  heapAllocsBytes: 'go_gc_heap_allocs_bytes_total',
  heapGoal: 'go_gc_heap_goal_bytes',
  heapObjectsObjects: 'go_gc_heap_objects_objects',
  rss: 'process_resident_memory_bytes',
  startTime: 'process_start_time_seconds',
  goroutines: 'go_goroutines',
  schedGoroutines: 'go_sched_goroutines_goroutines',
  threads: 'go_threads',
  gogc: 'go_gc_gogc_percent',
  memoryLimit: 'go_gc_gomemlimit_bytes',
  heapLive: 'go_gc_heap_live_bytes',
};

const FIELDS = Object.entries(SERIES_RECORD_NAMES) as Array<[keyof RecordColumns, string]>;

/** The value at k when finite, else null (as the generic reader gives it). */
function at(col: Float64Array | null, k: number): number | null {
  if (col === null) return null;
  const v = col[k]!;
  return Number.isFinite(v) ? v : null;
}

/** One record per time, oldest first, seq from 1; what recordFromMetrics gives for the same figures. */
export function recordsFromColumns(columnOf: ColumnOf, times: ArrayLike<number>): PollRecord[] {
  const c = {} as RecordColumns;
  for (const [field, name] of FIELDS) c[field] = columnOf(name);
  const out: PollRecord[] = new Array(times.length);
  for (let k = 0; k < times.length; k++) {
    const r = emptyRecord(k + 1, times[k]!);
    r.memstatsSource = 'metrics';
    // MemStats: the go_memstats_* gauge, else client_golang's runtime/metrics equivalent.
    r.heapAlloc = at(c.heapAlloc, k) ?? at(c.classHeapObjects, k);
    r.heapInuse = at(c.heapInuse, k);
    r.heapIdle = at(c.heapIdle, k);
    r.heapReleased = at(c.heapReleased, k) ?? at(c.classHeapReleased, k);
    r.heapSys = at(c.heapSys, k);
    r.heapObjects = at(c.heapObjects, k) ?? at(c.heapObjectsObjects, k);
    r.sys = at(c.sys, k) ?? at(c.classTotal, k);
    r.stackInuse = at(c.stackInuse, k) ?? at(c.classHeapStacks, k);
    r.stackSys = at(c.stackSys, k);
    r.totalAlloc = at(c.allocTotal, k) ?? at(c.heapAllocsBytes, k);
    r.nextGC = at(c.nextGc, k) ?? at(c.heapGoal, k);
    r.numGC = at(c.gcCycles, k) ?? at(c.gcDurationCount, k);
    r.numForcedGC = at(c.forcedGcCycles, k);
    r.gcCpuFraction = at(c.gcCpuFraction, k);
    const lastGcSeconds = at(c.lastGcSeconds, k);
    // MemStats.LastGC is whole nanoseconds; the record keeps milliseconds.
    const lastGcNs = lastGcSeconds === null ? null : Math.round(lastGcSeconds * 1e9);
    r.lastGC = lastGcNs !== null && lastGcNs > 0 ? lastGcNs / 1e6 : null;
    // runtimeSys and memoryClasses need names a fleet does not ask for (mspan, mcache, …): null, as emptyRecord has them.
    r.gcHeapLive = at(c.heapLive, k);
    const gogc = at(c.gogc, k);
    if (gogc !== null) {
      r.gogc = gogc;
      r.gogcSource = 'metrics';
    }
    const limit = limitOrNone(at(c.memoryLimit, k));
    if (limit !== null) {
      r.memoryLimitGo = Number.isFinite(limit) ? limit : null;
      r.memoryLimitGoSource = Number.isFinite(limit) ? 'metrics' : 'none';
    }
    const start = at(c.startTime, k);
    r.processStart = start !== null ? start * 1000 : null;
    r.goroutines = at(c.goroutines, k) ?? at(c.schedGoroutines, k);
    r.threads = at(c.threads, k);
    const rss = at(c.rss, k);
    if (rss !== null) {
      r.rss = rss;
      r.rssSource = 'metrics';
    } else if (r.sys !== null && r.heapReleased !== null) {
      r.rss = r.sys - r.heapReleased;
      r.rssSource = 'estimate';
    }
    out[k] = r;
  }
  return out;
}
