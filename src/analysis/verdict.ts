// The verdict: what the memory is doing, how sure we are, the evidence, and what to do next.
// Pure: it reads the poll timeline (and growth evidence the caller derives from the heap and
// goroutine profiles) and returns a value. The rules follow go-pprof-formats.md §6.2.
//
// Noise never flips it: each rule has an entry threshold and a lower exit threshold, and a new
// kind must win SWITCH_AFTER evaluations in a row before it replaces the current one.

import type { PollRecord } from './poll-record.js';
import { formatBytes, formatDuration } from './format.js';

export type VerdictKind = 'healthy' | 'heap-leak' | 'goroutine-leak' | 'runtime-retention' | 'non-go-memory' | 'insufficient-data';

export interface Verdict {
  kind: VerdictKind;
  /** 0–1. */
  confidence: number;
  summary: string;
  evidence: string[];
  suggestions: string[];
}

/** What grew between the first and the latest heap profile (from their diff), heaviest first. */
export interface HeapGrowth {
  name: string;
  bytes: number;
  /** Bytes per second over the time between the two profiles. */
  ratePerSec: number;
}

/** Goroutine groups whose count grew since the first poll. */
export interface GoroutineGrowth {
  top: string;
  entry: string;
  count: number;
  delta: number;
}

export interface VerdictInput {
  /** Poll records, oldest first. */
  records: readonly PollRecord[];
  /** Computed only when a heap leak is being reported (a diff of two profiles is not free). */
  heapGrowth: () => readonly HeapGrowth[];
  goroutineGrowth: () => readonly GoroutineGrowth[];
  /** e.g. "go1.19.8", when the target says (go_info). */
  goVersion: string | null;
}

// ---- thresholds (named, with why) ---------------------------------------------------------------

/** Polls needed before anything is judged: fewer cannot tell a trend from a blip. */
export const MIN_POLLS = 5;
/** Completed GC cycles needed to judge the heap: the live heap is only known at each GC. */
export const MIN_GC_CYCLES = 3;
/** A steady trend: at least this share of steps go the trend's way (a single spike is one step). */
const STEADY_FRACTION = 0.7;
/** Heap leak: post-GC live heap grew by this share of its first value… */
const LEAK_GROWTH = 0.25;
const LEAK_GROWTH_EXIT = 0.1;
/** …and by at least this much (small heaps wobble by megabytes). */
const LEAK_MIN_BYTES = 4 * 2 ** 20;
/** Goroutine leak: the count grew by this share and this many goroutines. */
const GOROUTINE_GROWTH = 0.25;
const GOROUTINE_GROWTH_EXIT = 0.1;
const GOROUTINE_MIN = 20;
/** Runtime retention: RSS at least this many times the heap in use… */
const RETENTION_RATIO = 2;
const RETENTION_RATIO_EXIT = 1.5;
/** …and at least this much above it (a 3 MB heap in a 10 MB process is just overhead). */
const RETENTION_MIN_BYTES = 32 * 2 ** 20;
/** Non-Go memory: resident anonymous memory beyond everything Go accounts for, growing by… */
const NON_GO_GROWTH_BYTES = 16 * 2 ** 20;
/** …or standing above Go's share by this much and this share of RSS. */
const NON_GO_STANDING_BYTES = 64 * 2 ** 20;
const NON_GO_STANDING_SHARE = 0.3;
/** Evaluations a new kind must win in a row before it replaces the current verdict. */
export const SWITCH_AFTER = 2;

// ---- helpers --------------------------------------------------------------------------------------

/** The records that describe one process: since the last restart, good polls only. */
export function currentRun(records: readonly PollRecord[]): PollRecord[] {
  let start = 0;
  records.forEach((r, i) => {
    if (r.restarted) start = i;
  });
  return records.slice(start).filter((r) => r.ok);
}

interface Point {
  t: number;
  v: number;
}

/** Share of steps going up (for a rising trend). */
function risingFraction(points: Point[]): number {
  if (points.length < 2) return 0;
  let up = 0;
  for (let i = 1; i < points.length; i++) if (points[i]!.v > points[i - 1]!.v) up++;
  return up / (points.length - 1);
}

/** Least-squares slope (per second) and R². */
function fit(points: Point[]): { slope: number; r2: number } {
  const n = points.length;
  if (n < 2) return { slope: 0, r2: 0 };
  const t0 = points[0]!.t;
  const xs = points.map((p) => (p.t - t0) / 1000);
  const ys = points.map((p) => p.v);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  if (sxx === 0) return { slope: 0, r2: 0 };
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { slope, r2 };
}

/**
 * The live heap after each GC: the heap profile's in-use total (it describes the heap at the
 * last completed GC), one point per GC; MemStats HeapAlloc at the first poll after each GC when
 * there is no profile.
 */
export function postGcHeap(run: readonly PollRecord[]): Point[] {
  const points: Point[] = [];
  let lastGc: number | null = null;
  for (const r of run) {
    const gc = r.heapProfileInuse !== null ? r.heapProfileNumGC : r.numGC;
    const v = r.heapProfileInuse ?? r.heapAlloc;
    if (gc === null || v === null || gc === lastGc) continue;
    lastGc = gc;
    points.push({ t: r.time, v });
  }
  return points;
}

function idleKept(r: PollRecord): number {
  return r.heapIdle !== null && r.heapReleased !== null ? Math.max(0, r.heapIdle - r.heapReleased) : 0;
}

/** Resident anonymous memory the Go runtime does not account for (A_eff − G, §6.1); null without a real RSS. */
function nonGo(r: PollRecord): number | null {
  if (r.rssSource !== 'proc' && r.rssSource !== 'metrics') return null;
  if (r.sys === null || r.heapReleased === null || r.rss === null) return null;
  const anon = (r.rssAnon ?? r.rss) - (r.lazyFree ?? 0);
  return anon - (r.sys - r.heapReleased);
}

function goMinor(version: string | null): number | null {
  const m = version ? /^go1\.(\d+)/.exec(version) : null;
  return m ? Number(m[1]) : null;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

// ---- the rules ------------------------------------------------------------------------------------

interface Finding {
  kind: Exclude<VerdictKind, 'insufficient-data' | 'healthy'>;
  confidence: number;
  summary: string;
  evidence: string[];
  suggestions: string[];
}

/** GC cycles seen over the run: between the first and the last poll that know NumGC (null: none do). */
function gcsObserved(run: readonly PollRecord[]): number | null {
  const first = run.find((r) => r.numGC !== null);
  const last = run.findLast((r) => r.numGC !== null);
  return first && last ? last.numGC! - first.numGC! : null;
}

function heapLeak(run: PollRecord[], input: VerdictInput, sticky: boolean): Finding | null {
  const pts = postGcHeap(run);
  // A trend over MIN_GC_CYCLES cycles: one more post-GC point than cycles.
  if (run.length < MIN_POLLS || pts.length < MIN_GC_CYCLES + 1) return null;
  const first = pts[0]!.v;
  const last = pts[pts.length - 1]!.v;
  const growth = last - first;
  const need = sticky ? LEAK_GROWTH_EXIT : LEAK_GROWTH;
  const rising = risingFraction(pts);
  if (growth < LEAK_MIN_BYTES || growth < need * Math.max(first, 1) || rising < (sticky ? 0.5 : STEADY_FRACTION)) return null;
  const { slope, r2 } = fit(pts);
  if (slope <= 0) return null;
  const span = pts[pts.length - 1]!.t - pts[0]!.t;
  const evidence = [
    `live heap after GC grew ${formatBytes(first)} → ${formatBytes(last)} over ${pts.length} GCs in ${formatDuration(span)} (${formatBytes(slope)}/s, rising at ${pct(rising)} of GCs)`,
  ];
  const growth3 = input.heapGrowth().slice(0, 3);
  for (const g of growth3) {
    evidence.push(`${g.name} holds ${formatBytes(g.bytes)} more than at the baseline (${formatBytes(g.ratePerSec)}/s)`);
  }
  const culprit = growth3[0]?.name;
  return {
    kind: 'heap-leak',
    confidence: Math.min(0.95, 0.5 + 0.2 * Math.min(1, pts.length / 8) + 0.25 * r2),
    summary: `heap leak: the live heap grows ${formatBytes(slope)}/s${culprit ? `, mostly in ${culprit}` : ''}`,
    evidence,
    suggestions: [
      culprit ? `Open Diff (4) and drill into ${culprit} (Enter) to see who calls it and which lines allocate` : 'Open Diff (4) to see which functions hold more memory than at the baseline',
      'Look for a cache, map or slice that only grows, or objects kept reachable by a global',
      'Press b in Diff to set a new baseline and confirm the growth continues',
    ],
  };
}

function goroutineLeak(run: PollRecord[], input: VerdictInput, sticky: boolean): Finding | null {
  const pts = run.filter((r) => r.goroutines !== null).map((r) => ({ t: r.time, v: r.goroutines! }));
  if (pts.length < MIN_POLLS) return null;
  const first = pts[0]!.v;
  const last = pts[pts.length - 1]!.v;
  const growth = last - first;
  const need = sticky ? GOROUTINE_GROWTH_EXIT : GOROUTINE_GROWTH;
  // Flat steps are fine (between spawns); what matters is that it rarely goes down.
  const downs = pts.slice(1).filter((p, i) => p.v < pts[i]!.v).length / (pts.length - 1);
  if (growth < GOROUTINE_MIN || growth < need * Math.max(first, 1) || downs > 1 - STEADY_FRACTION) return null;
  const span = pts[pts.length - 1]!.t - pts[0]!.t;
  const rate = span > 0 ? growth / (span / 1000) : 0;
  const evidence = [`goroutines ${first} → ${last} in ${formatDuration(span)} (+${rate.toFixed(1)}/s), rarely going down`];
  const groups = input.goroutineGrowth().slice(0, 3);
  for (const g of groups) {
    evidence.push(`${g.count} goroutines (+${g.delta}) waiting in ${g.top}, started in ${g.entry}`);
  }
  const stack = run[run.length - 1]!.stackInuse;
  if (stack !== null) evidence.push(`goroutine stacks now take ${formatBytes(stack)}`);
  const culprit = groups[0];
  return {
    kind: 'goroutine-leak',
    confidence: Math.min(0.95, 0.55 + 0.4 * Math.min(1, growth / Math.max(first, 1))),
    summary: `goroutine leak: +${growth} goroutines${culprit ? ` waiting in ${culprit.top}` : ''}`,
    evidence,
    suggestions: [
      culprit
        ? `Open Goroutines (3) and press Enter on ${culprit.top} for its stack, states and how long they have waited`
        : 'Open Goroutines (3): the group whose Δ keeps growing is the leak',
      'A goroutine blocked forever on a channel, a lock or I/O without a deadline never exits: give it a context, a timeout or a close',
    ],
  };
}

function nonGoMemory(run: PollRecord[], sticky: boolean): Finding | null {
  const pts = run.map((r) => ({ t: r.time, v: nonGo(r) })).filter((p): p is Point => p.v !== null);
  if (pts.length < MIN_POLLS) return null;
  const first = pts[0]!.v;
  const last = pts[pts.length - 1]!.v;
  const newest = run[run.length - 1]!;
  const rss = newest.rss ?? 0;
  const growth = last - first;
  const growing = growth >= (sticky ? NON_GO_GROWTH_BYTES / 2 : NON_GO_GROWTH_BYTES) && risingFraction(pts) >= (sticky ? 0.5 : STEADY_FRACTION);
  // A level (not growth) only from the anonymous RSS: total RSS also holds the binary's file pages.
  const standing =
    newest.rssAnon !== null && last >= NON_GO_STANDING_BYTES && last >= (sticky ? NON_GO_STANDING_SHARE / 2 : NON_GO_STANDING_SHARE) * rss;
  if (!growing && !standing) return null;
  const evidence = [
    `resident memory outside the Go runtime: ${formatBytes(first)} → ${formatBytes(last)} (RSS minus LazyFree minus Go's Sys − HeapReleased)`,
    `RSS ${formatBytes(rss)}; Go accounts for ${formatBytes((run[run.length - 1]!.sys ?? 0) - (run[run.length - 1]!.heapReleased ?? 0))}`,
  ];
  return {
    kind: 'non-go-memory',
    confidence: growing && standing ? 0.85 : 0.65,
    summary: `memory outside Go ${growing ? `grows (+${formatBytes(growth)})` : `stands at ${formatBytes(last)}`}: cgo/C allocations or mapped memory`,
    evidence,
    suggestions: [
      'Heap profiles cannot see it: look at cgo libraries (C malloc), mmap, or memory mapped files',
      'Compare /proc/PID/smaps mappings over time: [heap] growth is C malloc, large anonymous mappings outside the Go arenas are mmap',
    ],
  };
}

function runtimeRetention(run: PollRecord[], input: VerdictInput, sticky: boolean): Finding | null {
  // "Flat heap in use" needs a few polls and GCs to be known.
  if (run.length < MIN_POLLS || postGcHeap(run).length < MIN_GC_CYCLES) return null;
  const r = run[run.length - 1]!;
  if (r.rss === null || r.heapInuse === null || (r.rssSource !== 'proc' && r.rssSource !== 'metrics')) return null;
  const gap = r.rss - r.heapInuse;
  const ratio = r.rss / Math.max(r.heapInuse, 1);
  if (gap < RETENTION_MIN_BYTES || ratio < (sticky ? RETENTION_RATIO_EXIT : RETENTION_RATIO)) return null;
  const idle = idleKept(r);
  const lazy = r.lazyFree ?? 0;
  const explained = idle + lazy;
  if (explained < 0.5 * gap) return null;
  const minor = goMinor(input.goVersion);
  const evidence = [`RSS ${formatBytes(r.rss)} is ${ratio.toFixed(1)}× the heap in use (${formatBytes(r.heapInuse)})`];
  if (lazy > 0) evidence.push(`${formatBytes(lazy)} is LazyFree: pages Go released with MADV_FREE that the kernel still counts in RSS until it needs them`);
  if (idle > 0) evidence.push(`${formatBytes(idle)} is idle heap the runtime kept (HeapIdle − HeapReleased) and has not returned yet`);
  const pts = postGcHeap(run);
  if (pts.length >= 2) {
    const [from, to] = [pts[0]!.v, pts[pts.length - 1]!.v];
    const how = Math.abs(to - from) < LEAK_GROWTH_EXIT * Math.max(from, 1) ? 'is flat' : to < from ? 'fell' : 'rose';
    evidence.push(`the live heap after GC ${how}: ${formatBytes(from)} → ${formatBytes(to)}`);
  }
  const suggestions = ['This is not a leak: the memory is free inside Go and will be reused or returned; the heap profile will not explain it'];
  if (lazy >= idle) {
    suggestions.push(
      minor !== null && minor < 16
        ? `Go ${input.goVersion} releases memory with MADV_FREE: run it with GODEBUG=madvdontneed=1 so released memory leaves RSS at once`
        : 'Something set GODEBUG=madvdontneed=0 (MADV_FREE): drop it, or set madvdontneed=1, so released memory leaves RSS at once',
    );
    suggestions.push('Under memory pressure the kernel reclaims LazyFree pages by itself; alerting on RSS overstates real use');
  } else {
    suggestions.push(
      minor === null || minor >= 13
        ? 'The background scavenger returns idle memory gradually; it follows the heap goal, so a past spike lingers for a while'
        : `Go ${input.goVersion} returns idle memory only after ~5 minutes: wait, or upgrade`,
    );
    suggestions.push(minor === null || minor >= 19 ? 'Set GOMEMLIMIT (Go ≥ 1.19) to make the runtime return memory as the limit nears' : 'Go ≥ 1.19 adds GOMEMLIMIT to make the runtime return memory sooner');
  }
  suggestions.push('debug.FreeOSMemory() returns it at once (a forced GC + scavenge: costly, not for a hot path)');
  return {
    kind: 'runtime-retention',
    confidence: Math.min(0.95, 0.6 + 0.35 * Math.min(1, explained / gap)),
    summary: `runtime retention, not a leak: RSS ${formatBytes(r.rss)} but only ${formatBytes(r.heapInuse)} of heap in use${lazy > idle ? ` (${formatBytes(lazy)} LazyFree)` : ''}`,
    evidence,
    suggestions,
  };
}

// ---- the engine -----------------------------------------------------------------------------------

/** Priority when several hold: a goroutine leak also grows the heap, so it comes first. */
const PRIORITY: Finding['kind'][] = ['goroutine-leak', 'heap-leak', 'non-go-memory', 'runtime-retention'];

/** Judges the timeline as it is now, without memory of earlier verdicts. */
export function judgeOnce(input: VerdictInput, current: VerdictKind | null = null): Verdict {
  const run = currentRun(input.records);
  const observed = gcsObserved(run);
  const gcs = observed ?? 0;
  const findings: Finding[] = [];
  const sticky = (k: VerdictKind) => current === k;
  const g = goroutineLeak(run, input, sticky('goroutine-leak'));
  if (g) findings.push(g);
  const h = heapLeak(run, input, sticky('heap-leak'));
  if (h) findings.push(h);
  const n = nonGoMemory(run, sticky('non-go-memory'));
  if (n) findings.push(n);
  const rr = h ? null : runtimeRetention(run, input, sticky('runtime-retention'));
  if (rr) findings.push(rr);
  findings.sort((a, b) => PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind));
  const top = findings[0];
  if (top) {
    const also = findings.slice(1).map((f) => `also: ${f.summary}`);
    return { kind: top.kind, confidence: top.confidence, summary: top.summary, evidence: [...top.evidence, ...also], suggestions: top.suggestions };
  }
  const needPolls = Math.max(0, MIN_POLLS - run.length);
  if (observed === null && run.length >= MIN_POLLS) {
    return {
      kind: 'insufficient-data',
      confidence: 0,
      summary: 'watching: the target reports no GC count (NumGC), so heap growth per GC cycle cannot be judged',
      evidence: [`${run.length} good polls; MemStats from ${run[run.length - 1]!.memstatsSource ?? 'nowhere'} carry no NumGC`],
      suggestions: ['Expose /debug/vars (import _ "expvar") or Go\'s /metrics with go_gc_duration_seconds, or let livepprof read heap?debug=1'],
    };
  }
  const needGcs = Math.max(0, MIN_GC_CYCLES - gcs);
  if (needPolls > 0 || needGcs > 0) {
    const parts = [needPolls > 0 ? `${needPolls} more poll${needPolls > 1 ? 's' : ''}` : '', needGcs > 0 ? `${needGcs} more GC cycle${needGcs > 1 ? 's' : ''}` : ''].filter(Boolean);
    const restarted = input.records.some((r) => r.restarted);
    return {
      kind: 'insufficient-data',
      confidence: 0,
      summary: `watching: need ${parts.join(' and ')} to judge${restarted ? ' (the target restarted: counting again)' : ''}`,
      evidence: [`${run.length} good polls and ${gcs} GC cycles so far`],
      suggestions: needGcs > 0 && needPolls === 0 ? ['The Go runtime forces a GC at least every 2 minutes; an idle service takes that long'] : [],
    };
  }
  const last = run[run.length - 1]!;
  const pts = postGcHeap(run);
  return {
    kind: 'healthy',
    confidence: Math.min(0.9, 0.5 + 0.05 * run.length),
    summary: `healthy: heap in use ${formatBytes(last.heapInuse)}, RSS ${formatBytes(last.rss)}, ${last.goroutines ?? '?'} goroutines, no steady growth`,
    evidence: [
      pts.length >= 2 ? `live heap after GC: ${formatBytes(pts[0]!.v)} → ${formatBytes(pts[pts.length - 1]!.v)}` : `${gcs} GC cycles observed`,
      `${run.length} polls over ${formatDuration(last.time - run[0]!.time)}`,
    ],
    suggestions: [],
  };
}

/** The verdict with hysteresis: what is shown, and the kind that is trying to replace it. */
export interface VerdictState {
  verdict: Verdict;
  candidate: VerdictKind | null;
  streak: number;
}

/** Re-judges after a poll. A different kind replaces the shown one only after SWITCH_AFTER wins in a row. */
export function judge(input: VerdictInput, previous: VerdictState | null): VerdictState {
  // After a restart the old process's verdict (and its lower exit thresholds) no longer apply.
  const restarted = input.records[input.records.length - 1]?.restarted === true;
  const shown = restarted ? null : (previous?.verdict.kind ?? null);
  const fresh = judgeOnce(input, shown);
  if (!previous || restarted || fresh.kind === shown || shown === 'insufficient-data') {
    return { verdict: fresh, candidate: null, streak: 0 };
  }
  const streak = previous.candidate === fresh.kind ? previous.streak + 1 : 1;
  if (streak >= SWITCH_AFTER) return { verdict: fresh, candidate: null, streak: 0 };
  return { verdict: previous.verdict, candidate: fresh.kind, streak };
}

export const VERDICT_WORDS: Record<VerdictKind, string> = {
  healthy: 'healthy',
  'heap-leak': 'HEAP LEAK',
  'goroutine-leak': 'GOROUTINE LEAK',
  'runtime-retention': 'runtime retention',
  'non-go-memory': 'non-Go memory',
  'insufficient-data': 'watching…',
};
