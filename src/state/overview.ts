// What the Overview chart plots: per poll, RSS, the heap goal the pacer set, the live heap the
// last GC found (the points the verdict judges), and the memory the runtime keeps beyond its
// needs (idle heap past the goal, LazyFree): the arithmetic behind the verdict, at a glance.

import { joinHistory, spreadOverTime } from '../analysis/fleet-history.js';
import { currentRun } from '../analysis/verdict.js';
import { effectiveGogc, liveHeap, retained, type LiveHeapSource } from '../analysis/gc-model.js';
import type { PollRecord } from '../analysis/poll-record.js';

export interface OverviewSeries {
  /** The polls charted (good ones, at most `points`, oldest first). */
  polls: PollRecord[];
  rss: Array<number | null>;
  goal: Array<number | null>;
  /** The live heap at the latest GC at or before each poll. */
  live: Array<number | null>;
  liveSource: LiveHeapSource | null;
  kept: Array<number | null>;
  /** The lowest known memory limit (cgroup or GOMEMLIMIT) at the latest poll. */
  limit: { bytes: number; source: 'cgroup' | 'GOMEMLIMIT' } | null;
  /** How much of the chart is history from Prometheus (ms), 0 without. */
  historyMs: number;
}

/**
 * The latest polls that fit; with a history from Prometheus (--prometheus), the whole of it and
 * the polls, spread over their time, so that hours before the first poll are on the chart.
 */
export function overviewSeries(timeline: readonly PollRecord[], points: number, history: readonly PollRecord[] = []): OverviewSeries {
  const joined = currentRun(joinHistory(history, [...timeline]));
  const fromHistory = joined.filter((r) => r.seq <= 0);
  const polls = fromHistory.length > 0 ? spreadOverTime(joined, points) : joined.slice(-points);
  const model = liveHeap(polls, effectiveGogc(polls));
  const live: Array<number | null> = [];
  let at = 0;
  let current: number | null = null;
  for (const r of polls) {
    while (at < model.points.length && model.points[at]!.t <= r.time) current = model.points[at++]!.v;
    live.push(current);
  }
  const last = polls[polls.length - 1];
  const limits: Array<{ bytes: number; source: 'cgroup' | 'GOMEMLIMIT' }> = [];
  if (last?.memoryLimit != null) limits.push({ bytes: last.memoryLimit, source: 'cgroup' });
  if (last?.memoryLimitGo != null) limits.push({ bytes: last.memoryLimitGo, source: 'GOMEMLIMIT' });
  limits.sort((a, b) => a.bytes - b.bytes);
  return {
    polls,
    rss: polls.map((r) => r.rss),
    goal: polls.map((r) => r.nextGC),
    live,
    liveSource: model.source,
    kept: polls.map((r) => retained(r)?.total ?? null),
    limit: limits[0] ?? null,
    historyMs: fromHistory.length > 1 ? fromHistory[fromHistory.length - 1]!.time - fromHistory[0]!.time : 0,
  };
}
