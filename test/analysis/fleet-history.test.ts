// History from Prometheus beside the live polls: joined only when it is the same process, and
// spread over the Overview's chart with its share labelled. Records from the answer captured
// from Prometheus 2.42 (fixtures/prometheus/query-range.json).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { joinHistory, spreadOverTime } from '../../src/analysis/fleet-history.js';
import type { PollRecord } from '../../src/analysis/poll-record.js';
import { parseApiBody, parseMatrix } from '../../src/source/prometheus.js';
import { instancesFromSeries } from '../../src/source/prometheus-records.js';
import { overviewSeries } from '../../src/state/overview.js';
import { REPO_ROOT } from '../helpers/paths.js';

const body = (JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures/prometheus/query-range.json'), 'utf8')) as { body: string }).body;
const [inst] = instancesFromSeries(parseMatrix(parseApiBody(new TextEncoder().encode(body), 200, 'x').data, 'x'));
// The capture asked for no process_start_time_seconds: the history's process started at 1,000 s.
const history: PollRecord[] = inst!.records.map((r, i) => ({ ...r, seq: i - inst!.records.length, processStart: 1_000_000 }));
const last = history[history.length - 1]!;
const live = (dt: number, patch: Partial<PollRecord> = {}): PollRecord => ({ ...last, seq: 1 + dt, time: last.time + 60_000 + dt * 1000, numGC: last.numGC! + 10 + dt, rssSource: 'proc', ...patch });

describe('joinHistory', () => {
  it('puts the history before the polls of the same process', () => {
    const j = joinHistory(history, [live(0), live(1)]);
    expect(j).toHaveLength(history.length + 2);
    expect(j[0]).toBe(history[0]);
  });

  it('leaves it out when the target restarted since (start time, or the GC count went back)', () => {
    expect(joinHistory(history, [live(0, { processStart: (last.processStart ?? 0) + 60_000 })])).toHaveLength(1);
    expect(joinHistory(history, [live(0, { numGC: 1 })])).toHaveLength(1);
  });
});

describe('the Overview with history', () => {
  it('spreads history and polls over the chart, and says how much of it is from Prometheus', () => {
    const polls = [live(0), live(1), live(2)];
    const s = overviewSeries(polls, 4, history);
    expect(s.polls.length).toBeLessThanOrEqual(4);
    expect(s.polls[0]!.seq).toBeLessThanOrEqual(0);
    expect(s.polls[s.polls.length - 1]).toBe(polls[2]);
    expect(s.historyMs).toBe(last.time - history[0]!.time);
    // Without history: the latest polls, nothing said about Prometheus.
    expect(overviewSeries(polls, 4).historyMs).toBe(0);
  });

  it('spreadOverTime keeps the last record of each stretch of time, in order', () => {
    const all = joinHistory(history, [live(0), live(1), live(2)]);
    const out = spreadOverTime(all, 3);
    expect(out.length).toBeLessThanOrEqual(3);
    expect(out[out.length - 1]).toBe(all[all.length - 1]);
    expect(out.map((r) => r.time)).toEqual([...out.map((r) => r.time)].sort((a, b) => a - b));
  });
});
