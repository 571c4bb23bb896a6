// A target's history from Prometheus joined to its live polls (`livepprof TARGET --prometheus`):
// the history is kept beside the live ring, and joined for the verdict and the chart only when
// it is the same process. Pure.

import type { PollRecord } from './poll-record.js';

/**
 * The history before the first poll followed by the live polls, when they are one process: a
 * start time that differs, or a GC count that went back, means the target restarted since and
 * its history says nothing about the process polled now.
 */
export function joinHistory(history: readonly PollRecord[], live: PollRecord[]): PollRecord[] {
  const last = history[history.length - 1];
  if (!last) return live;
  const first = live.find((r) => r.ok);
  if (!first) return [...history, ...live];
  const restarted =
    (first.processStart !== null && last.processStart !== null && Math.abs(first.processStart - last.processStart) > 1000) ||
    (first.numGC !== null && last.numGC !== null && first.numGC < last.numGC);
  return restarted ? live : [...history, ...live];
}

/** At most `points` records spread over the time they span: the last one of each equal stretch of time. */
export function spreadOverTime(records: readonly PollRecord[], points: number): PollRecord[] {
  if (records.length <= points) return records.slice();
  const t0 = records[0]!.time;
  const span = Math.max(1, records[records.length - 1]!.time - t0);
  const out: PollRecord[] = [];
  let bucket = -1;
  for (const r of records) {
    const b = Math.min(points - 1, Math.floor(((r.time - t0) / span) * points));
    if (b === bucket) out[out.length - 1] = r;
    else out.push(r);
    bucket = b;
  }
  return out;
}
