// One poll: fetch what is needed, as cheaply as possible for the target, and turn it into a
// PollRecord. The rules that keep the target undisturbed live here:
//   - MemStats from the cheapest source the target has: /metrics, else /debug/vars, else the
//     trailer of heap?debug=1 (which then also serves as the poll's heap profile);
//   - at most one heap profile per poll, and none when a cheap GC counter shows no GC has
//     completed since the last one (the heap profile only changes at GC);
//   - goroutine groups refetched only when the cheap goroutine count moved (or every few polls);
//   - smaps_rollup (walks every mapping) only every few polls; /proc status every poll;
//   - no gc=1 unless asked; goroutine?debug=2 and CPU profiles never from here.

import { LivepprofError, errorMessage, isLivepprofError } from '../errors.js';
import { parseGoroutineDebug1, type CountProfile } from '../profile/legacy-text.js';
import { parseExpvar, parseHeapDebug1MemStats, type MemStats } from '../profile/memstats.js';
import type { Profile } from '../profile/model.js';
import type { Fetcher } from '../source/fetcher.js';
import { parseCmdline, parsePprofIndex, type PprofIndexEntry } from '../source/parse-index.js';
import { parseProcStatStartTime, parseProcStatus, parseSmapsRollup } from '../source/parse-proc.js';
import { extractGoProcessMetrics, parsePrometheusText, type GoProcessMetrics } from '../source/parse-prometheus.js';
import { describeBody } from '../profile/sniff.js';
import { computeTotal } from '../analysis/top.js';
import type { HeapDecoder } from './heap-decoder.js';
import { emptyRecord, type MemStatsSource, type PollRecord } from './poll-record.js';

export interface CollectOptions {
  /** Read smaps_rollup (LazyFree) every this many polls. */
  smapsEvery: number;
  /** How heap profiles are decoded (off the main thread in the full-screen view). */
  decoder: HeapDecoder;
  /** Refetch goroutine groups at least every this many polls even if the count is flat. */
  goroutineGroupsEvery: number;
}

/** What one poll leaves for the next: discovered capabilities and the last figures. */
export interface CollectState {
  needsDiscovery: boolean;
  memstatsSource: MemStatsSource | null;
  pid: number | null;
  /** /proc/PID/stat start time: a new process that got the same pid (a container's pid 1) differs. */
  pidStartTime: number | null;
  /** Set by discovery when the same pid now has another start time; reported by detectRestart. */
  samePidRestarted: boolean;
  cmdline: string[] | null;
  /** The command line before the latest discovery, to notice a different binary or flags. */
  previousCmdline: string[] | null;
  profiles: PprofIndexEntry[];
  lastHeapNumGC: number | null;
  lastHeapInuse: number | null;
  lastLazyFree: number | null;
  /** When smaps_rollup was last read, and the figures then: a big move in either calls for a fresh read. */
  lastSmaps: { seq: number; heapReleased: number | null; rss: number | null } | null;
  lastGoroutineTotal: number | null;
  lastGoroutineSeq: number;
  /** Last successful record, for restart detection. */
  prev: PollRecord | null;
  /** The target's Go version when it says (go_info in /metrics). */
  goVersion: string | null;
  metricsStartTime: number | null;
}

export function initialCollectState(): CollectState {
  return {
    needsDiscovery: true,
    memstatsSource: null,
    pid: null,
    pidStartTime: null,
    samePidRestarted: false,
    cmdline: null,
    previousCmdline: null,
    profiles: [],
    lastHeapNumGC: null,
    lastHeapInuse: null,
    lastLazyFree: null,
    lastSmaps: null,
    lastGoroutineTotal: null,
    lastGoroutineSeq: -Infinity,
    prev: null,
    metricsStartTime: null,
    goVersion: null,
  };
}

export interface PollResult {
  record: PollRecord;
  /** Time the target spent answering this poll's HTTP requests (wall time, an upper bound on its work). */
  targetMs: number;
  /** Bytes the target sent this poll. */
  targetBytes: number;
  /** This poll (re)discovered the target: its time includes one-off costs (index, connection set-up). */
  discovered: boolean;
  /** A new heap profile, when one was fetched this poll. */
  heap: Profile | null;
  /** New goroutine groups, when fetched this poll. */
  goroutines: CountProfile | null;
}

const text = (bytes: Uint8Array) => new TextDecoder('utf-8', { fatal: false }).decode(bytes);

/** An endpoint answered 200 with something other than what it serves. */
function unexpected(endpoint: string, body: Uint8Array, expected: string): LivepprofError {
  return new LivepprofError('not-profile', `${endpoint} answered with ${describeBody(body)}, not ${expected}`);
}

/** Times the HTTP requests of a poll (local /proc reads cost the target nothing). */
function timing(f: Fetcher, acc: { ms: number; bytes: number }): Fetcher {
  const local = new Set(['pid', 'proc-status', 'proc-smaps', 'proc-stat']);
  return {
    ...f,
    target: f.target,
    now: (seq) => f.now(seq),
    requestCount: () => f.requestCount(),
    close: () => f.close(),
    fetch: async (seq, endpoint, pid) => {
      if (local.has(endpoint)) return f.fetch(seq, endpoint, pid);
      const t0 = performance.now();
      try {
        const bytes = await f.fetch(seq, endpoint, pid);
        acc.bytes += bytes.length;
        return bytes;
      } finally {
        acc.ms += performance.now() - t0;
      }
    },
  };
}

/** Runs one poll. Never throws for target trouble: failures become `ok: false` records. */
export async function collectPoll(target: Fetcher, state: CollectState, seq: number, opts: CollectOptions): Promise<PollResult> {
  const cost = { ms: 0, bytes: 0 };
  const f = timing(target, cost);
  const record = emptyRecord(seq, f.now(seq));
  const discovered = state.needsDiscovery;
  let heap: Profile | null = null;
  let goroutines: CountProfile | null = null;
  const fail = (e: unknown) => {
    record.ok = false;
    record.error ??= isLivepprofError(e) ? { kind: e.kind, message: e.message } : { kind: 'internal', message: errorMessage(e) };
  };

  try {
    const rediscovered = state.needsDiscovery;
    const found = state.needsDiscovery ? await discover(f, state, seq) : null;

    // Memory figures from the cheapest MemStats source.
    let metrics: GoProcessMetrics | null = null;
    let memstats: Partial<MemStats> | null = null;
    switch (state.memstatsSource) {
      case 'metrics': {
        const body = found?.metrics ?? (await f.fetch(seq, 'metrics'));
        const samples = parsePrometheusText(text(body));
        metrics = extractGoProcessMetrics(samples);
        state.goVersion = samples.get('go_info')?.[0]?.labels.version ?? state.goVersion;
        if (metrics.memstats.HeapInuse === undefined) throw unexpected('/metrics', body, 'Prometheus text with go_memstats_*');
        memstats = metrics.memstats;
        break;
      }
      case 'expvar': {
        const body = found?.vars ?? (await f.fetch(seq, 'vars'));
        const parsed = parseExpvar(text(body));
        if (!parsed.ok || !parsed.value.memstats) throw unexpected('/debug/vars', body, 'expvar JSON with memstats');
        memstats = parsed.value.memstats;
        break;
      }
      default: {
        const bytes = await f.fetch(seq, 'heap-debug1');
        const body = text(bytes);
        const ms = parseHeapDebug1MemStats(body);
        if (!ms) throw unexpected('heap?debug=1', bytes, 'a heap profile with a runtime.MemStats trailer');
        memstats = ms;
        heap = await opts.decoder.decode(bytes, 'heap-debug1').catch(() => null);
        break;
      }
    }
    record.memstatsSource = state.memstatsSource;
    fillMemStats(record, memstats);
    if (metrics) {
      record.goroutines = metrics.goroutines;
      record.threads = metrics.threads;
    }

    // /proc: RSS, its split, and LazyFree every few polls.
    await readProc(f, state, seq, opts, record, rediscovered);
    if (record.rss === null && metrics?.rss != null) {
      record.rss = metrics.rss;
      record.rssSource = 'metrics';
    }
    if (record.rss === null && record.sys !== null && record.heapReleased !== null) {
      record.rss = record.sys - record.heapReleased;
      record.rssSource = 'estimate';
    }

    detectRestart(state, record, metrics?.startTime ?? null, rediscovered);

    // Goroutine groups, refetched only when the count moved (or every few polls).
    const cheapCount = record.goroutines;
    const stale = seq - state.lastGoroutineSeq >= opts.goroutineGroupsEvery;
    if (cheapCount === null || cheapCount !== state.lastGoroutineTotal || stale) {
      try {
        const bytes = await f.fetch(seq, 'goroutine-debug1');
        const parsed = parseGoroutineDebug1(text(bytes));
        if (!parsed.ok) throw unexpected('goroutine?debug=1', bytes, 'the goroutine profile text');
        goroutines = parsed.value;
        state.lastGoroutineSeq = seq;
        // Compared with the next poll's cheap count, so keep the same kind of figure.
        state.lastGoroutineTotal = cheapCount ?? parsed.value.total;
        record.goroutines ??= parsed.value.total;
      } catch (e) {
        fail(e);
      }
    }
    if (record.goroutines === null) record.goroutines = state.lastGoroutineTotal;

    // The heap profile: it describes the heap at the last completed GC, so without a new GC
    // there is nothing new to fetch.
    if (state.memstatsSource !== 'heap-debug1') {
      const gcMoved = record.numGC === null || record.numGC !== state.lastHeapNumGC || state.lastHeapInuse === null;
      if (gcMoved || record.restarted) {
        try {
          heap = await opts.decoder.decode(await f.fetch(seq, 'heap'), 'proto');
        } catch (e) {
          fail(e);
        }
      }
    }
    if (heap) {
      state.lastHeapNumGC = record.numGC;
      state.lastHeapInuse = heapInuse(heap);
      record.heapProfileFetched = true;
    }
    record.heapProfileNumGC = state.lastHeapNumGC;
    record.heapProfileInuse = state.lastHeapInuse;
  } catch (e) {
    fail(e);
    // The target may be down or restarting: find out what it is again once it answers.
    state.needsDiscovery = true;
  }
  if (record.ok) state.prev = record;
  return { record, heap, goroutines, targetMs: cost.ms, targetBytes: cost.bytes, discovered };
}

function heapInuse(p: Profile): number | null {
  const i = p.sampleTypes.findIndex((t) => t.type === 'inuse_space');
  return i >= 0 ? computeTotal(p, i) : null;
}

/**
 * First poll, or first after a failure: what does the target serve, and who is it? Returns the
 * bodies it read for choosing a MemStats source, so the poll does not fetch them again.
 */
async function discover(f: Fetcher, state: CollectState, seq: number): Promise<{ metrics: Uint8Array | null; vars: Uint8Array | null }> {
  const indexBytes = await f.fetch(seq, 'index');
  const parsed = parsePprofIndex(text(indexBytes));
  if (!parsed.ok) throw unexpected(f.target.pprofBase, indexBytes, 'the pprof index page (is net/http/pprof mounted there?)');
  state.profiles = parsed.value;
  state.previousCmdline = state.cmdline;
  state.cmdline = await f
    .fetch(seq, 'cmdline')
    .then((b) => parseCmdline(b))
    .catch(() => state.cmdline);

  // The cheapest MemStats source this target has.
  let metricsBytes: Uint8Array | null = null;
  state.memstatsSource = 'heap-debug1';
  try {
    metricsBytes = await f.fetch(seq, 'metrics');
    const m = extractGoProcessMetrics(parsePrometheusText(text(metricsBytes)));
    if (m.memstats.HeapInuse !== undefined && m.memstats.Sys !== undefined) state.memstatsSource = 'metrics';
    else metricsBytes = null;
  } catch {
    metricsBytes = null;
  }
  let varsBytes: Uint8Array | null = null;
  if (state.memstatsSource === 'heap-debug1') {
    try {
      varsBytes = await f.fetch(seq, 'vars');
      const v = parseExpvar(text(varsBytes));
      if (v.ok && v.value.memstats) state.memstatsSource = 'expvar';
      else varsBytes = null;
    } catch {
      // no expvar: heap?debug=1 it is
    }
  }

  const [oldPid, oldStart] = [state.pid, state.pidStartTime];
  try {
    state.pid = Number(text(await f.fetch(seq, 'pid')));
    state.pidStartTime = parseProcStatStartTime(text(await f.fetch(seq, 'proc-stat', state.pid)));
  } catch {
    state.pid = null;
    state.pidStartTime = null;
  }
  state.samePidRestarted = oldPid !== null && oldPid === state.pid && oldStart !== null && state.pidStartTime !== null && oldStart !== state.pidStartTime;
  state.needsDiscovery = false;
  return { metrics: metricsBytes, vars: varsBytes };
}

async function readProc(
  f: Fetcher,
  state: CollectState,
  seq: number,
  opts: CollectOptions,
  record: PollRecord,
  rediscovered: boolean,
): Promise<void> {
  if (state.pid === null) return;
  let statusBytes: Uint8Array;
  try {
    statusBytes = await f.fetch(seq, 'proc-status', state.pid);
  } catch {
    // The process we knew is gone although the port answers: it restarted between polls.
    try {
      const oldPid = state.pid;
      state.pid = Number(text(await f.fetch(seq, 'pid')));
      state.pidStartTime = parseProcStatStartTime(text(await f.fetch(seq, 'proc-stat', state.pid)));
      statusBytes = await f.fetch(seq, 'proc-status', state.pid);
      if (oldPid !== state.pid) {
        record.restarted = true;
        record.restartReason = `pid changed from ${oldPid} to ${state.pid}`;
      }
    } catch {
      state.pid = null;
      return;
    }
  }
  const status = parseProcStatus(text(statusBytes));
  record.pid = state.pid;
  if (status.vmRSS !== null) {
    record.rss = status.vmRSS;
    record.rssSource = 'proc';
  }
  record.rssAnon = status.rssAnon;
  record.rssFile = status.rssFile;
  record.threads = status.threads ?? record.threads;
  if (status.vmHWM !== null) record.maxRss = status.vmHWM;
  if (rediscovered || smapsDue(state, seq, opts, record)) {
    try {
      state.lastLazyFree = parseSmapsRollup(text(await f.fetch(seq, 'proc-smaps', state.pid))).lazyFree;
      state.lastSmaps = { seq, heapReleased: record.heapReleased, rss: record.rss };
    } catch {
      // smaps_rollup needs Linux 4.14 and the same user; LazyFree stays unknown
    }
  }
  record.lazyFree = state.lastLazyFree;
}

/** A move this large in HeapReleased or RSS since the last smaps_rollup read makes LazyFree stale. */
const SMAPS_STALE_BYTES = 8 * 2 ** 20;

/** smaps_rollup walks every mapping: read it every few polls, or at once when memory moved. */
function smapsDue(state: CollectState, seq: number, opts: CollectOptions, r: PollRecord): boolean {
  const last = state.lastSmaps;
  if (!last || state.lastLazyFree === null) return true;
  if (seq - last.seq >= opts.smapsEvery) return true;
  const moved = (a: number | null, b: number | null) => a !== null && b !== null && Math.abs(a - b) >= SMAPS_STALE_BYTES;
  return moved(r.heapReleased, last.heapReleased) || moved(r.rss, last.rss);
}

function fillMemStats(r: PollRecord, m: Partial<MemStats> | null): void {
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
  if (m.MaxRSS !== undefined) r.maxRss = m.MaxRSS;
  const parts = [m.MSpanSys, m.MCacheSys, m.BuckHashSys, m.GCSys, m.OtherSys];
  r.runtimeSys = parts.every((x) => x !== undefined) ? parts.reduce((a, b) => a! + b!, 0)! : null;
}

/** A restart: another pid or start time, another command line, or counters going backwards. */
function detectRestart(state: CollectState, r: PollRecord, metricsStartTime: number | null, rediscovered: boolean): void {
  const prev = state.prev;
  const reasons: string[] = [];
  if (r.restartReason) reasons.push(r.restartReason);
  if (state.samePidRestarted) reasons.push(`process ${r.pid} has a new start time (the same pid, another process)`);
  state.samePidRestarted = false;
  if (prev) {
    if (prev.pid !== null && r.pid !== null && prev.pid !== r.pid && !r.restartReason) reasons.push(`pid changed from ${prev.pid} to ${r.pid}`);
    if (metricsStartTime !== null && state.metricsStartTime !== null && metricsStartTime !== state.metricsStartTime) {
      reasons.push('process start time changed');
    }
    if (prev.numGC !== null && r.numGC !== null && r.numGC < prev.numGC) reasons.push(`NumGC went backwards (${prev.numGC} → ${r.numGC})`);
    else if (prev.totalAlloc !== null && r.totalAlloc !== null && r.totalAlloc < prev.totalAlloc) reasons.push('TotalAlloc went backwards');
  }
  const before = state.previousCmdline;
  if (rediscovered && prev && state.cmdline && before && before.join('\0') !== state.cmdline.join('\0')) {
    reasons.push('command line changed');
  }
  if (metricsStartTime !== null) state.metricsStartTime = metricsStartTime;
  if (reasons.length > 0) {
    r.restarted = true;
    r.restartReason = [...new Set(reasons)].join('; ');
    // What we knew about the old process's heap no longer applies.
    state.lastHeapNumGC = null;
    state.lastHeapInuse = null;
    state.lastGoroutineTotal = null;
  }
}
