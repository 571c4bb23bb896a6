// MemStats and client_golang's metrics onto a PollRecord: one mapping for every path that reads
// them (a poll's /metrics, expvar or heap?debug=1 trailer in session/collect.ts; a Prometheus
// server's series in source/prometheus-records.ts).

import type { PollRecord } from '../analysis/poll-record.js';
import type { MemStats } from '../profile/memstats.js';
import type { GoProcessMetrics } from './parse-prometheus.js';

/** The MemStats fields a record carries (each null when the source lacks it). */
export function fillMemStats(r: PollRecord, m: Partial<MemStats> | null): void {
  if (!m) return;
  const n = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : v);
  r.heapAlloc = n(m.HeapAlloc);
  r.heapInuse = n(m.HeapInuse);
  r.heapIdle = n(m.HeapIdle);
  r.heapReleased = n(m.HeapReleased);
  r.heapSys = n(m.HeapSys);
  r.heapObjects = n(m.HeapObjects);
  r.sys = n(m.Sys);
  r.stackInuse = n(m.StackInuse);
  r.stackSys = n(m.StackSys);
  r.totalAlloc = n(m.TotalAlloc);
  r.nextGC = n(m.NextGC);
  r.numGC = n(m.NumGC);
  r.numForcedGC = n(m.NumForcedGC);
  r.gcCpuFraction = n(m.GCCPUFraction);
  r.lastGC = m.LastGC !== undefined && m.LastGC > 0 ? m.LastGC / 1e6 : null;
  if (m.MaxRSS !== undefined) r.maxRss = m.MaxRSS;
  const parts = [m.MSpanSys, m.MCacheSys, m.BuckHashSys, m.GCSys, m.OtherSys];
  r.runtimeSys = parts.every((x) => x !== undefined) ? parts.reduce((a, b) => a! + b!, 0)! : null;
}

/**
 * The GC's own figures where the runtime exports them (/gc/heap/live, GOGC, GOMEMLIMIT, where
 * math.MaxInt64 means none), the process start and the runtime's memory classes; what they lack stays null for the caller
 * to take from elsewhere (the environment) or to report as missing.
 */
export function fillGcFigures(r: PollRecord, m: GoProcessMetrics): void {
  r.gcHeapLive = m.gc.heapLive;
  if (m.gc.gogc !== null) {
    r.gogc = m.gc.gogc;
    r.gogcSource = 'metrics';
  }
  if (m.gc.memoryLimit !== null) {
    r.memoryLimitGo = Number.isFinite(m.gc.memoryLimit) ? m.gc.memoryLimit : null;
    r.memoryLimitGoSource = Number.isFinite(m.gc.memoryLimit) ? 'metrics' : 'none';
  }
  r.processStart = m.startTime !== null ? m.startTime * 1000 : null;
  r.memoryClasses = m.memoryClasses;
}
