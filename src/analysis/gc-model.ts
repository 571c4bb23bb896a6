// The Go runtime's own arithmetic, applied to a poll timeline: the live heap at each GC, the heap
// goal the pacer set from it, the effective GOGC, the footprint the pacer explains, the memory
// the runtime keeps beyond it, and the pace of GC cycles. Pure functions over PollRecords; the
// verdict rules are built on these, not on ratios of figures sampled at random moments.
//
// The pacer (Go >= 1.18): after a GC that marked L bytes live, the next GC starts when the heap
// reaches the goal  L + (L + stacks + globals) × GOGC/100,  never below 4 MB × GOGC/100, and,
// with GOMEMLIMIT, never above what keeps the Go runtime's memory under the limit. The scavenger
// keeps about 10% above the goal (retainExtraPercent) and returns the rest in the background.

import type { PollRecord } from './poll-record.js';
import { STRATUM_BURST, STRATUM_PLAIN, STRATUM_UNKNOWN, type Point } from './trend.js';

/** runtime.heapMinimum at GOGC=100: the heap goal never drops below 4 MB × GOGC/100. */
export const HEAP_MINIMUM = 4 * 2 ** 20;
/** The scavenger retains this share above the heap goal (mgcscavenge.go retainExtraPercent). */
export const RETAIN_EXTRA = 0.1;
/** The runtime forces a GC when none ran for this long (forcegcperiod). */
export const FORCED_GC_PERIOD_MS = 120_000;

export type LiveHeapSource = 'gc-heap-live' | 'heap-goal' | 'heap-profile' | 'heap-alloc';

export const LIVE_HEAP_SOURCE_WORDS: Record<LiveHeapSource, string> = {
  'gc-heap-live': '/gc/heap/live',
  'heap-goal': 'heap goal ÷ (1+GOGC/100)',
  'heap-profile': 'heap profile (sampled)',
  'heap-alloc': 'HeapAlloc after GC (upper bound)',
};

export interface GogcEstimate {
  /** Percent; -1 = off. */
  value: number;
  source: 'metrics' | 'environ' | 'default' | 'inferred';
}

/** One point per completed GC cycle the polls saw: its live heap and the goal set from it. */
export interface GcPoint extends Point {
  numGC: number;
  goal: number | null;
}

export interface LiveHeap {
  points: GcPoint[];
  source: LiveHeapSource | null;
}

const n = (x: number | null | undefined): x is number => x !== null && x !== undefined && Number.isFinite(x);

/**
 * The first poll of each GC cycle: later polls of the same cycle repeat its figures. Polls before
 * the first GC (NumGC 0) describe no cycle: their goal is the runtime's initial one.
 */
function perGc(run: readonly PollRecord[]): PollRecord[] {
  const out: PollRecord[] = [];
  let last: number | null = null;
  for (const r of run) {
    if (!n(r.numGC) || r.numGC === 0 || r.numGC === last) continue;
    last = r.numGC;
    out.push(r);
  }
  return out;
}

/** The goal set at the 4 MB floor (or a little above): it says only that the live heap is small. */
function atMinimumGoal(goal: number, gogc: number): boolean {
  return goal <= HEAP_MINIMUM * (gogc / 100) * 1.02;
}

/** The goal capped by GOMEMLIMIT: it no longer follows the live heap. */
function limitCapped(r: PollRecord): boolean {
  if (!n(r.memoryLimitGo) || !n(r.nextGC)) return false;
  const nonHeap = (r.stackSys ?? 0) + (r.runtimeSys ?? 0);
  return r.nextGC >= 0.9 * (r.memoryLimitGo - nonHeap);
}

/**
 * The effective GOGC: as the target reports it (metrics, environment), else inferred from the
 * goal over an independent live-heap figure (/gc/heap/live, or a heap profile big enough for its
 * sampling to be tight), else null. An environment without GOGC means the default 100 unless the
 * code calls SetGCPercent, so a clear disagreement with the inference overrules it.
 */
export function effectiveGogc(run: readonly PollRecord[]): GogcEstimate | null {
  const last = run.findLast((r) => r.gogc !== null);
  if (last?.gogcSource === 'metrics') return { value: last.gogc!, source: 'metrics' };
  const ratios: number[] = [];
  let previousLive: number | null = null;
  for (const r of perGc(run).slice(-20)) {
    const live = n(r.gcHeapLive) ? r.gcHeapLive : n(r.heapProfileInuse) && r.heapProfileNumGC === r.numGC && r.heapProfileInuse >= 8 * 2 ** 20 ? r.heapProfileInuse : null;
    // Only where the live heap held still from one GC to the next: the heap profile describes the
    // cycle before the goal's, so on a growing heap their ratio overstates GOGC.
    const steady = live !== null && previousLive !== null && Math.abs(live - previousLive) <= 0.1 * previousLive;
    previousLive = live;
    if (!n(r.nextGC) || limitCapped(r) || live === null || live <= 0 || !steady) continue;
    const g = r.nextGC / live - 1;
    if (!atMinimumGoal(r.nextGC, Math.max(1, g * 100))) ratios.push(g);
  }
  ratios.sort((a, b) => a - b);
  const inferred = ratios.length >= 3 ? Math.round(ratios[ratios.length >> 1]! * 100) : null;
  if (last?.gogcSource === 'environ') return { value: last.gogc!, source: 'environ' };
  if (last?.gogcSource === 'default') {
    if (inferred !== null && inferred > 0 && Math.abs(Math.log(inferred / 100)) > Math.log(1.5)) return { value: inferred, source: 'inferred' };
    return { value: 100, source: 'default' };
  }
  return inferred !== null && inferred > 0 ? { value: inferred, source: 'inferred' } : null;
}

/**
 * The live heap after each GC, from the most exact source the polls have: /gc/heap/live; else
 * the heap goal with a known GOGC (exact but for the stacks-and-globals term, which is taken off
 * with the stacks in use); else the heap profile's in-use total (sampled about every 512 KiB, so
 * noisy on small heaps); else HeapAlloc at the first poll after the GC (an upper bound). One
 * source for the whole run: a trend across a change of source would be an artefact.
 */
export function liveHeap(run: readonly PollRecord[], gogc: GogcEstimate | null): LiveHeap {
  const live = liveHeapOneSource(run, gogc);
  return { source: live.source, points: withBurstStrata(run, live.points) };
}

function liveHeapOneSource(run: readonly PollRecord[], gogc: GogcEstimate | null): LiveHeap {
  const gcs = perGc(run);
  if (gcs.length === 0) return { points: [], source: null };
  const mostly = (pred: (r: PollRecord) => boolean) => gcs.filter(pred).length >= Math.max(1, gcs.length * 0.8);
  const point = (r: PollRecord, v: number): GcPoint => ({ t: r.time, v, numGC: r.numGC!, goal: r.nextGC });
  if (mostly((r) => n(r.gcHeapLive))) {
    return { source: 'gc-heap-live', points: gcs.filter((r) => n(r.gcHeapLive)).map((r) => point(r, r.gcHeapLive!)) };
  }
  const g = gogc && gogc.value > 0 ? gogc.value / 100 : null;
  const goalUsable = (r: PollRecord) => g !== null && n(r.nextGC) && !limitCapped(r) && !atMinimumGoal(r.nextGC, gogc!.value);
  // GCs whose goal sat at the 4 MB floor at the start say only that the heap was small then: the
  // series begins where the goal first left the floor (a small heap that grows does so early).
  const firstUsable = gcs.findIndex(goalUsable);
  const fromGoal = firstUsable < 0 ? [] : gcs.slice(firstUsable);
  if (g !== null && fromGoal.length >= Math.min(gcs.length, 4) && fromGoal.filter(goalUsable).length >= 0.8 * fromGoal.length) {
    return {
      source: 'heap-goal',
      points: fromGoal.filter(goalUsable).map((r) => point(r, Math.max(0, (r.nextGC! - g * (r.stackInuse ?? 0)) / (1 + g)))),
    };
  }
  const profiles = heapProfilePoints(run);
  if (profiles.length >= Math.max(1, gcs.length * 0.5)) return { source: 'heap-profile', points: profiles };
  // The run's first record shows a cycle that began before it: its HeapAlloc is anywhere up to
  // the goal, not "just after the GC" (a fleet window starting mid-cycle read 40 MB on a 28 MB heap).
  const afterGc = gcs[0] === run[0] && gcs.length > 1 ? gcs.slice(1) : gcs;
  return { source: 'heap-alloc', points: afterGc.filter((r) => n(r.heapAlloc)).map((r) => point(r, r.heapAlloc!)) };
}

/** A GC ran during a burst when the allocation beyond the usual pace near it is this share of its live heap. */
const BURST_SHARE = 0.25;
/** "The usual pace": allocation up to this many times the run's median rate is ordinary churn. */
const CHURN_FACTOR = 2;
/** A GC is compared with the bursts of the last this many poll intervals up to it (a batch held for seconds). */
const BURST_POLLS = 3;

/**
 * Sorts GC points into strata (trend.ts) by what was allocated around them (TotalAlloc): a GC
 * whose poll interval, or one of the two before (a batch is held for a while), allocated far
 * beyond the run's usual pace and found more live than the last plain GC may have caught that
 * burst live, so its live heap is the steady part plus some unknown share of the burst; it is
 * compared only with other such GCs, the rest with each other. A GC before the first poll has no
 * interval to tell by (and what a process allocates as it starts is its live set, not a burst):
 * in a run with bursts it is compared with nothing. A run without bursts keeps one stratum (the
 * points come back unchanged).
 */
export function withBurstStrata(run: readonly PollRecord[], points: GcPoint[]): GcPoint[] {
  // What each poll interval allocated, by the poll that ends it.
  const intervals: Array<{ end: number; bytes: number; ms: number }> = [];
  for (let i = 1; i < run.length; i++) {
    const [a, b] = [run[i - 1]!, run[i]!];
    if (!n(a.totalAlloc) || !n(b.totalAlloc) || b.time <= a.time || b.totalAlloc < a.totalAlloc) continue;
    intervals.push({ end: b.time, bytes: b.totalAlloc - a.totalAlloc, ms: b.time - a.time });
  }
  if (intervals.length < 2) return points;
  const rates = intervals.map((x) => x.bytes / x.ms).sort((x, y) => x - y);
  const usual = rates[rates.length >> 1]!;
  const excess = new Map(intervals.map((x) => [x.end, x.bytes - CHURN_FACTOR * usual * x.ms]));
  const index = new Map(run.map((r, i) => [r.time, i]));
  let plain: number | undefined;
  const strata = points.map((p) => {
    const i = index.get(p.t);
    if (i === 0) return STRATUM_UNKNOWN;
    // The burst may have been allocated a few polls before the GC that finds it still held.
    const near = i === undefined ? 0 : Math.max(0, ...run.slice(Math.max(1, i - BURST_POLLS + 1), i + 1).map((r) => excess.get(r.time) ?? 0));
    // A GC that found no more live than the last plain one did missed the burst (it was freed
    // first): its live heap is the steady part, like any other.
    const caught = near > BURST_SHARE * p.v && p.v - (plain ?? 0) > BURST_SHARE * p.v;
    if (!caught) plain = p.v;
    return caught ? STRATUM_BURST : STRATUM_PLAIN;
  });
  if (!strata.includes(STRATUM_BURST)) return points;
  return points.map((p, i) => ({ ...p, g: strata[i]! }));
}

/** A heap profile's in-use total (v) and its part that stacks keep (kept-heap.ts). */
export interface ProfilePoint extends GcPoint {
  kept: number | null;
}

/** The heap profile's in-use total, one point per GC it describes (the one before its fetch). */
export function heapProfilePoints(run: readonly PollRecord[]): ProfilePoint[] {
  const profiles: ProfilePoint[] = [];
  let lastProfileGc: number | null = null;
  for (const r of run) {
    if (!n(r.heapProfileInuse) || !n(r.heapProfileNumGC) || r.heapProfileNumGC === lastProfileGc) continue;
    lastProfileGc = r.heapProfileNumGC;
    profiles.push({ t: r.time, v: r.heapProfileInuse, numGC: r.heapProfileNumGC, goal: r.nextGC, kept: r.heapProfileKept });
  }
  return profiles;
}

/** The heap goal at each GC. */
export function heapGoals(run: readonly PollRecord[]): Point[] {
  return perGc(run)
    .filter((r) => n(r.nextGC))
    .map((r) => ({ t: r.time, v: r.nextGC! }));
}

/** Memory the pacer explains: the heap goal, the scavenger's allowance, stacks and runtime metadata. */
export function expectedFootprint(r: PollRecord): number | null {
  if (!n(r.nextGC)) return null;
  const heap = Math.max(r.nextGC, r.heapInuse ?? 0) * (1 + RETAIN_EXTRA);
  return heap + (r.stackSys ?? 0) + (r.runtimeSys ?? 0);
}

export interface Retained {
  /** Heap the runtime holds (HeapSys − HeapReleased) beyond what the goal and the scavenger's allowance need. */
  idleBeyondGoal: number;
  /** Free heap kept, not yet returned (HeapIdle − HeapReleased). */
  idleKept: number;
  /** Released with MADV_FREE, still counted in RSS: measured (smaps), or bounded when only RSS is known. */
  lazyFree: number;
  /** Is lazyFree a bound from RSS ≤ Sys (no /proc to measure it)? */
  lazyFreeBounded: boolean;
  /** Everything above: memory in RSS the program is not using. */
  total: number;
}

/**
 * Released pages that may still be resident when LazyFree cannot be read (no /proc: RSS from
 * /metrics): memory released with MADV_FREE stays inside Sys, so RSS above Sys − HeapReleased,
 * up to HeapReleased, may be it; anything above Sys is not Go's (see nonGoBytes).
 */
function releasedButResident(r: PollRecord): number {
  if (r.lazyFree !== null || r.rssSource !== 'metrics' || !n(r.rss) || !n(r.sys) || !n(r.heapReleased)) return 0;
  return Math.max(0, Math.min(r.heapReleased, r.rss - (r.sys - r.heapReleased)));
}

/** What the runtime keeps beyond its needs at one poll (null without MemStats). */
export function retained(r: PollRecord): Retained | null {
  if (!n(r.heapSys) || !n(r.heapReleased) || !n(r.nextGC)) return null;
  const held = r.heapSys - r.heapReleased;
  const need = Math.max(r.nextGC, r.heapInuse ?? 0) * (1 + RETAIN_EXTRA);
  const idleBeyondGoal = Math.max(0, held - need);
  const idleKept = n(r.heapIdle) ? Math.max(0, r.heapIdle - r.heapReleased) : 0;
  const bounded = releasedButResident(r);
  const lazyFree = r.lazyFree ?? bounded;
  return { idleBeyondGoal, idleKept, lazyFree, lazyFreeBounded: r.lazyFree === null && bounded > 0, total: idleBeyondGoal + lazyFree };
}

/**
 * Resident anonymous memory the Go runtime does not account for: A − LazyFree − (Sys −
 * HeapReleased). Sys counts reserved pages never touched, so this is a lower bound; null without
 * a measured RSS (an estimate from Sys would make it zero by construction). Without LazyFree (RSS
 * from /metrics), released pages may still be resident, so only RSS above all of Sys counts.
 */
export function nonGoBytes(r: PollRecord): number | null {
  if (r.rssSource !== 'proc' && r.rssSource !== 'metrics') return null;
  if (!n(r.sys) || !n(r.heapReleased) || !n(r.rss)) return null;
  const anon = r.rssAnon ?? r.rss;
  if (r.lazyFree === null && r.rssSource === 'metrics') return anon - r.sys;
  return anon - (r.lazyFree ?? 0) - (r.sys - r.heapReleased);
}

export interface GcPace {
  /** GC cycles per second over the window (null with fewer than two polls that know NumGC). */
  perSecond: number | null;
  /** Cycles counted in the window. */
  cycles: number;
  /** ms since the last GC ended (from LastGC), or null. */
  sinceLastMs: number | null;
  /** Share of CPU the GC used over the window (from the cumulative GCCPUFraction and the process start), or null. */
  cpuShare: number | null;
}

/** The pace of GC over the polls within the last `windowMs`. */
export function gcPace(run: readonly PollRecord[], windowMs: number): GcPace {
  const known = run.filter((r) => n(r.numGC));
  const last = known[known.length - 1];
  if (!last) return { perSecond: null, cycles: 0, sinceLastMs: null, cpuShare: null };
  const first = known.find((r) => last.time - r.time <= windowMs) ?? last;
  const seconds = (last.time - first.time) / 1000;
  const cycles = last.numGC! - first.numGC!;
  let cpuShare: number | null = null;
  if (first !== last && n(first.gcCpuFraction) && n(last.gcCpuFraction) && n(last.processStart) && seconds > 0) {
    const up1 = (first.time - last.processStart) / 1000;
    const up2 = (last.time - last.processStart) / 1000;
    if (up1 > 0) cpuShare = Math.max(0, Math.min(1, (last.gcCpuFraction * up2 - first.gcCpuFraction * up1) / (up2 - up1)));
  }
  return {
    perSecond: seconds > 0 ? cycles / seconds : null,
    cycles,
    sinceLastMs: n(last.lastGC) ? Math.max(0, last.time - last.lastGC) : null,
    cpuShare,
  };
}

/**
 * GC thrash under a memory limit: the goal is pinned at GOMEMLIMIT, so the headroom between the
 * live heap and the goal has shrunk and the GC runs back to back. Judged from the runtime's own
 * arithmetic: at GOGC=g a GC starts after g × live bytes of allocation; with the goal capped it
 * starts after goal − live. When that headroom is under a quarter of g × live, the GC runs at
 * least four times as often as GOGC asks, and the goal has stayed pinned for THRASH_POLLS polls.
 * (GCCPUFraction is reported as evidence only: it is cumulative since start, and low in Go's
 * recent releases even while cycles run back to back.)
 */
export function gcThrash(
  run: readonly PollRecord[],
  live: number | null = null,
  gogc: number | null = null,
  windowMs = 10_000,
): { thrashing: boolean; pace: GcPace; limit: number | null } {
  const pace = gcPace(run, windowMs);
  const last = run[run.length - 1];
  const limit = last && n(last.memoryLimitGo) ? last.memoryLimitGo : null;
  if (!last || limit === null || pace.perSecond === null) return { thrashing: false, pace, limit };
  // Pinned at the limit over the last polls, not for a moment: a burst that touches the limit
  // and is dropped makes a few quick GCs, not thrash.
  const nearLimit = (r: PollRecord) => {
    const goMemory = n(r.sys) && n(r.heapReleased) ? r.sys - r.heapReleased : null;
    return limitCapped(r) || (goMemory !== null && goMemory >= 0.95 * limit);
  };
  const recent = run.slice(-THRASH_POLLS);
  const pinned = recent.length === THRASH_POLLS && recent.every(nearLimit);
  const g = (gogc !== null && gogc > 0 ? gogc : 100) / 100;
  const squeezed =
    live !== null && live > 0 && n(last.nextGC) ? (last.nextGC - live) / live < g / 4 : pace.perSecond >= 2;
  return { thrashing: pinned && squeezed && pace.perSecond >= 1, pace, limit };
}

/** Polls in a row the goal must stay pinned at GOMEMLIMIT before it is called thrash. */
const THRASH_POLLS = 3;

/**
 * Between two GCs the live heap can grow by at most what is allocated meanwhile (TotalAlloc).
 * At most the bytes allocated since the last GC the polls saw, or null when unknown. The GC ran
 * somewhere between the cycle's first poll and the poll before it, so the count starts at the
 * earlier one: a batch that triggered the GC is counted, not hidden by the poll that saw it.
 */
export function allocatedSinceLastGc(run: readonly PollRecord[]): number | null {
  const known = run.filter((r) => n(r.totalAlloc) && n(r.numGC));
  const last = known[known.length - 1];
  if (!last) return null;
  const before = known.findLast((r) => r.numGC! < last.numGC!);
  return last.totalAlloc! - (before?.totalAlloc ?? 0);
}

/** Bytes allocated per second between the first and last poll of the window, or null. */
export function allocationRate(run: readonly PollRecord[], windowMs: number): number | null {
  const known = run.filter((r) => n(r.totalAlloc));
  const last = known[known.length - 1];
  const first = last ? known.find((r) => last.time - r.time <= windowMs) : undefined;
  if (!first || !last || first === last) return null;
  return (last.totalAlloc! - first.totalAlloc!) / ((last.time - first.time) / 1000);
}
