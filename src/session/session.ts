// A live (or replayed) session: the poll loop, the bounded timeline, the heap profiles kept
// for diffing, and a subscription point for the UI and the commands. Imports nothing from
// the UI: the TUI subscribes to it like `watch` does.

import { joinHistory } from '../analysis/fleet-history.js';
import { goroutineGrowth, heapGrowth } from '../analysis/growth.js';
import { leakedGroups } from '../analysis/goroutine-leaks.js';
import { formatClock } from '../analysis/format.js';
import { judge, type Verdict, type VerdictState } from '../analysis/verdict.js';
import type { GoroutineSnapshot, LeakedGoroutinesSnapshot, HeapSnapshot, HeapSummary, SessionSnapshot } from '../analysis/session-snapshot.js';
import { parseGoroutineDebug1, type CountProfile } from '../profile/goroutine-text.js';
import { LivepprofError } from '../errors.js';
import type { Profile } from '../profile/model.js';
import { errorMessage } from '../errors.js';
import type { Fetcher } from '../source/fetcher.js';
import { collectPoll, initialCollectState, type CollectState } from './collect.js';
import { flatSummaryOf, inlineDecoder, type HeapDecoder } from './heap-decoder.js';
import type { PollRecord } from '../analysis/poll-record.js';
import { Ring, timelineCapacity } from './timeline.js';

export const DEFAULT_INTERVAL_MS = 5_000;
/** LazyFree (smaps_rollup walks every mapping) at most about every 30 s. */
const SMAPS_PERIOD_MS = 30_000;
/** Goroutine groups at least about every 30 s, even when the count is flat. */
const GOROUTINE_GROUPS_PERIOD_MS = 30_000;
/** Backoff while the target fails: doubling from the interval, capped here. */
const MAX_BACKOFF_MS = 30_000;
/**
 * The target's budget for us: the time it spends answering a poll stays under this share of
 * the interval (1% of one core at worst, since answering is at most one core busy). When a
 * poll takes longer — a huge heap profile, a slow service — the next one waits longer.
 */
export const TARGET_BUDGET = 0.01;

/** Heap summaries kept for sparklines. */
const HEAP_SUMMARIES = 30;

export interface SessionOptions {
  intervalMs?: number;
  historyMs?: number;
  /** Stop after this many polls. */
  count?: number;
  /** Delay before the next poll; the default is the interval, with backoff while failing. */
  delay?: (record: PollRecord, failures: number) => number;
  /** Called with every record as it is made (watch prints it, record saves it). */
  onRecord?: (record: PollRecord) => void | Promise<void>;
  /** How heap profiles are decoded: on this thread by default; the TUI uses a worker. */
  decoder?: HeapDecoder;
  /** The target's history before the first poll (from Prometheus), loaded once before it. */
  prometheusHistory?: () => Promise<{ records: PollRecord[]; note: string }>;
}

/** The snapshot as the session holds it: the same data, with the rings it appends to. */
interface LiveSnapshot extends SessionSnapshot {
  timeline: Ring<PollRecord>;
  heapSummaries: Ring<HeapSummary>;
}

/** A snapshot with nothing in it yet (a new session, or the frame for one static profile). */
export function emptySnapshot(intervalMs: number, timelineSize: number): LiveSnapshot {
  return {
    version: 0,
    status: 'starting',
    intervalMs,
    timeline: new Ring<PollRecord>(timelineSize),
    lastRecord: null,
    lastGood: null,
    failures: 0,
    lastError: null,
    nextPollAt: null,
    firstHeap: null,
    latestHeap: null,
    userBaseline: null,
    firstGoroutines: null,
    latestGoroutines: null,
    leakedGoroutines: null,
    heapSummaries: new Ring<HeapSummary>(HEAP_SUMMARIES),
    profiles: [],
    cmdline: null,
    pid: null,
    memstatsSource: null,
    goVersion: null,
    polls: 0,
    lastTargetMs: 0,
    slowedToMs: null,
    verdict: null,
    lastRestart: null,
    prometheusHistory: [],
    prometheusNote: null,
  };
}

export class Session {
  readonly intervalMs: number;
  private readonly collect: CollectState = initialCollectState();
  private snap: LiveSnapshot;
  private readonly listeners = new Set<() => void>();
  private seq = 0;
  private stopped = false;
  private paused = false;
  private wake: (() => void) | null = null;
  private pollSoon = false;
  private loopDone: Promise<void> | null = null;
  private verdictState: VerdictState | null = null;
  /** Target time of the last few regular polls: the budget follows their median, not one spike. */
  private readonly recentTargetMs: number[] = [];
  private growthMemo: { key: string; value: ReturnType<typeof heapGrowth> } | null = null;
  private leakFetch: Promise<LeakedGoroutinesSnapshot> | null = null;

  constructor(
    readonly fetcher: Fetcher,
    private readonly opts: SessionOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.snap = emptySnapshot(this.intervalMs, timelineCapacity(this.intervalMs, opts.historyMs));
  }

  snapshot(): SessionSnapshot {
    return this.snap;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(patch: Partial<LiveSnapshot>): void {
    this.snap = { ...this.snap, ...patch, version: this.snap.version + 1 };
    for (const l of this.listeners) l();
  }

  /** Starts polling; resolves when the session stops (count reached, or stop()). */
  start(): Promise<void> {
    this.loopDone ??= this.loop();
    return this.loopDone;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loopDone;
  }

  pause(): void {
    if (this.snap.status === 'stopped') return;
    this.paused = true;
    this.update({ status: 'paused', nextPollAt: null });
  }

  resume(): void {
    if (this.snap.status === 'stopped') return;
    this.paused = false;
    this.update({ status: this.snap.failures > 0 ? 'failing' : 'polling' });
    this.wake?.();
  }

  /** Polls at once (or right after the poll in flight). */
  pollNow(): void {
    this.pollSoon = true;
    this.wake?.();
  }

  /** Pins the latest heap profile as the baseline for diffs. */
  setBaseline(): void {
    if (this.snap.latestHeap) this.update({ userBaseline: this.snap.latestHeap });
  }

  /** Drops the pinned baseline: diffs go back to the first profile. */
  resetBaseline(): void {
    this.update({ userBaseline: null });
  }

  requestCount(): number {
    return this.fetcher.requestCount();
  }

  /**
   * Fetches the goroutine-leak profile (goroutineleak?debug=1) and keeps it on the snapshot as
   * `leakedGoroutines`. Each fetch runs a leak-detecting GC in the target, so this is only ever
   * called on demand, and calls while one is in flight share it. Rejects with a LivepprofError
   * (one line) when the target does not serve the profile or answers with something else.
   */
  fetchLeakedGoroutines(): Promise<LeakedGoroutinesSnapshot> {
    this.leakFetch ??= this.loadLeakedGoroutines().finally(() => (this.leakFetch = null));
    return this.leakFetch;
  }

  private async loadLeakedGoroutines(): Promise<LeakedGoroutinesSnapshot> {
    const seq = Math.max(1, this.snap.polls);
    const bytes = await this.fetcher.fetch(seq, 'goroutineleak-debug1');
    const parsed = parseGoroutineDebug1(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
    if (!parsed.ok || parsed.value.profile !== 'goroutineleak') {
      throw new LivepprofError('not-profile', `goroutineleak?debug=1 is not the goroutine-leak profile (${parsed.ok ? `a ${parsed.value.profile} profile` : parsed.error})`);
    }
    // The poll's clock, not fetcher.now(): a recording would rewrite that poll's time.
    const leaked: LeakedGoroutinesSnapshot = { profile: parsed.value, seq, time: this.snap.lastRecord?.time ?? Date.now() };
    // The strongest evidence of a goroutine leak there is: judged at once, not at the next poll.
    this.update({ leakedGoroutines: leaked, verdict: this.judge({ ...this.snap, leakedGoroutines: leaked }) });
    return leaked;
  }

  private smapsEvery(): number {
    return Math.max(1, Math.round(SMAPS_PERIOD_MS / this.intervalMs));
  }

  private async loop(): Promise<void> {
    this.update({ status: 'polling' });
    if (this.opts.prometheusHistory) {
      const h = await this.opts.prometheusHistory().catch((e: unknown) => ({ records: [], note: `no history from Prometheus: ${errorMessage(e)}` }));
      this.update({ prometheusHistory: h.records, prometheusNote: h.note });
    }
    const count = this.opts.count ?? Infinity;
    while (!this.stopped && this.seq < count) {
      while (this.paused && !this.stopped && !this.pollSoon) await this.sleep(Infinity);
      if (this.stopped) break;
      this.pollSoon = false;
      const seq = ++this.seq;
      const res = await collectPoll(this.fetcher, this.collect, seq, {
        smapsEvery: this.smapsEvery(),
        decoder: this.opts.decoder ?? inlineDecoder,
        goroutineGroupsEvery: Math.max(1, Math.round(GOROUTINE_GROUPS_PERIOD_MS / this.intervalMs)),
      });
      this.apply(res.record, res.heap, res.goroutines);
      const last = this.stopped || this.seq >= count;
      let delay: number | null = null;
      let slowedToMs: number | null = null;
      if (!last) {
        if (this.opts.delay) delay = this.opts.delay(res.record, this.snap.failures);
        else {
          delay = this.defaultDelay(this.snap.failures);
          if (!res.discovered && res.record.ok) {
            this.recentTargetMs.push(res.targetMs);
            if (this.recentTargetMs.length > 3) this.recentTargetMs.shift();
          }
          const sorted = [...this.recentTargetMs].sort((a, b) => a - b);
          const typical = sorted[Math.floor(sorted.length / 2)] ?? 0;
          const withinBudget = typical / TARGET_BUDGET;
          if (withinBudget > delay) delay = slowedToMs = Math.round(withinBudget);
        }
      }
      this.update({ nextPollAt: delay === null || this.paused ? null : Date.now() + delay, lastTargetMs: res.targetMs, slowedToMs });
      await this.opts.onRecord?.(res.record);
      if (last || this.stopped) break;
      if (!this.pollSoon) await this.sleep(delay!);
    }
    this.update({ status: 'stopped', nextPollAt: null });
  }

  private defaultDelay(failures: number): number {
    if (failures === 0) return this.intervalMs;
    return Math.min(this.intervalMs * 2 ** (failures - 1), Math.max(this.intervalMs, MAX_BACKOFF_MS));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      // setTimeout fires at once for anything above 2^31 - 1 ms.
      const timer = Number.isFinite(ms) ? setTimeout(done, Math.min(ms, 2 ** 31 - 1)) : null;
      function done() {
        if (timer) clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private apply(record: PollRecord, heap: Profile | null, goroutines: CountProfile | null): void {
    const s = this.snap;
    s.timeline.push(record);
    const failures = record.ok ? 0 : s.failures + 1;
    const patch: Partial<LiveSnapshot> = {
      lastRecord: record,
      failures,
      lastError: record.error ?? null,
      status: this.paused ? 'paused' : failures > 0 ? 'failing' : 'polling',
      profiles: this.collect.profiles,
      cmdline: this.collect.cmdline,
      pid: this.collect.pid,
      memstatsSource: this.collect.memstatsSource,
      goVersion: this.collect.goVersion,
      polls: s.polls + 1,
    };
    if (record.ok) patch.lastGood = record;
    if (record.restarted) {
      patch.lastRestart = { time: record.time, reason: record.restartReason ?? 'restarted' };
      // Diffs and "since the first poll" compare within one process.
      patch.firstHeap = null;
      patch.userBaseline = null;
      patch.firstGoroutines = null;
      patch.leakedGoroutines = null;
    }
    if (heap) {
      const snap: HeapSnapshot = { profile: heap, seq: record.seq, time: record.time, numGC: record.numGC };
      patch.latestHeap = snap;
      s.heapSummaries.push({ seq: record.seq, time: record.time, sampleTypes: heap.sampleTypes.map((t) => t.type), flat: flatSummaryOf(heap) });
      if (!(patch.firstHeap ?? (record.restarted ? null : s.firstHeap))) patch.firstHeap = snap;
    }
    if (goroutines) {
      const g: GoroutineSnapshot = { groups: goroutines, seq: record.seq, time: record.time };
      patch.latestGoroutines = g;
      if (!(patch.firstGoroutines ?? (record.restarted ? null : s.firstGoroutines))) patch.firstGoroutines = g;
    }
    patch.verdict = this.judge({ ...s, ...patch });
    this.update(patch);
  }

  private judge(s: SessionSnapshot): Verdict {
    // Growth is measured from the baseline the user pinned (b), else from the first profile.
    const base = s.userBaseline ?? s.firstHeap;
    const latest = s.latestHeap;
    const summarise = (h: HeapSnapshot) => ({ flat: flatSummaryOf(h.profile), sampleTypes: h.profile.sampleTypes.map((t) => t.type), time: h.time });
    this.verdictState = judge(
      {
        records: joinHistory(s.prometheusHistory, s.timeline.toArray()),
        baselineLabel: s.userBaseline ? `than at the baseline pinned at ${formatClock(s.userBaseline.time)}` : 'than at the first profile',
        heapGrowth: () => {
          if (!base || !latest) return [];
          const key = `${base.profile.id}-${latest.profile.id}`;
          if (this.growthMemo?.key !== key) this.growthMemo = { key, value: heapGrowth(summarise(base), summarise(latest)) };
          return this.growthMemo.value;
        },
        goroutineGrowth: () => (s.latestGoroutines ? goroutineGrowth(s.latestGoroutines.groups, s.firstGoroutines?.groups ?? null) : []),
        leakedGoroutines: s.leakedGoroutines
          ? { total: s.leakedGoroutines.profile.total, time: s.leakedGoroutines.time, groups: leakedGroups(s.leakedGoroutines.profile) }
          : null,
        goVersion: s.goVersion,
      },
      this.verdictState,
    );
    return this.verdictState.verdict;
  }
}
