// What a session has seen, as plain data: session/ fills it, state/ and ui/ read it. It lives
// here, in the lowest layer both may import (as PollRecord does), so the store never reaches up
// into the session.

import type { CountProfile } from '../profile/goroutine-text.js';
import type { Profile } from '../profile/model.js';
import type { MemStatsSource, PollRecord } from './poll-record.js';
import type { Verdict } from './verdict.js';

/** A bounded history, oldest first (the session keeps it in a ring buffer). */
export interface History<T> {
  readonly length: number;
  toArray(): T[];
}

export interface HeapSnapshot {
  profile: Profile;
  seq: number;
  time: number;
  /** The GC the profile describes (NumGC when it was fetched). */
  numGC: number | null;
  /** Whose heap it is, when it is not the target's own poll (two instances of a fleet compared). */
  label?: string;
}

/** Flat per function of one heap profile, for sparklines over the last polls. */
export interface HeapSummary {
  seq: number;
  time: number;
  sampleTypes: string[];
  flat: Map<string, Float64Array>;
}

export interface GoroutineSnapshot {
  groups: CountProfile;
  seq: number;
  time: number;
}

/** The goroutine-leak profile as last fetched on demand (see Session.fetchLeakedGoroutines). */
export interface LeakedGoroutinesSnapshot {
  /** `goroutineleak profile: total N` and its groups: only goroutines a GC proved can never wake. */
  profile: CountProfile;
  /** The poll it was fetched after, and that poll's time. */
  seq: number;
  time: number;
}

export type SessionStatus = 'starting' | 'polling' | 'paused' | 'failing' | 'stopped';

export interface SessionSnapshot {
  /** Changes on every update: a cheap "did anything change" for UI stores. */
  version: number;
  status: SessionStatus;
  intervalMs: number;
  timeline: History<PollRecord>;
  lastRecord: PollRecord | null;
  lastGood: PollRecord | null;
  /** Consecutive failed polls (0 when the last poll was good). */
  failures: number;
  lastError: { kind: string; message: string } | null;
  nextPollAt: number | null;
  /** The first heap profile (after the latest restart), the latest, and one the user pinned. */
  firstHeap: HeapSnapshot | null;
  latestHeap: HeapSnapshot | null;
  userBaseline: HeapSnapshot | null;
  firstGoroutines: GoroutineSnapshot | null;
  latestGoroutines: GoroutineSnapshot | null;
  /**
   * Leaked goroutines from the goroutine-leak profile (Go ≥ 1.26 with the experiment, default from
   * 1.27), fetched only when asked (each fetch runs a GC in the target); null until then, and
   * again after a restart. analysis/goroutine-leaks.ts turns it into groups.
   */
  leakedGoroutines: LeakedGoroutinesSnapshot | null;
  heapSummaries: History<HeapSummary>;
  /** The profiles the target's pprof index lists, with its counts. */
  profiles: Array<{ name: string; count: number }>;
  cmdline: string[] | null;
  pid: number | null;
  memstatsSource: MemStatsSource | null;
  goVersion: string | null;
  polls: number;
  /** Time the target spent answering the last poll, and the interval stretched to keep it within budget (null: not stretched). */
  lastTargetMs: number;
  slowedToMs: number | null;
  /** The verdict after the latest poll (with hysteresis). */
  verdict: Verdict | null;
  /** The latest restart of the target seen by this session. */
  lastRestart: { time: number; reason: string } | null;
  /**
   * The target's history before the first poll, from Prometheus (--prometheus): downsampled,
   * oldest first, kept beside the live timeline (never in its ring); no heap profiles.
   */
  prometheusHistory: readonly PollRecord[];
  /** What the history is ("6h of Prometheus history for {instance=…}"), or why there is none. */
  prometheusNote: string | null;
}
