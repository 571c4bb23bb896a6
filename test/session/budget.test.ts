// The target's budget: when answering a poll takes the target more than 1% of the interval,
// the session polls less often (the median of recent polls, so one slow answer does not).

import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import type { Fetcher } from '../../src/source/fetcher.js';
import { LiveFetcher } from '../../src/source/fetcher.js';
import { parseTarget } from '../../src/source/target.js';
import { Session, TARGET_BUDGET } from '../../src/session/session.js';
import { startBadServer, type BadServer } from '../helpers/bad-server.js';

let server: BadServer;
beforeAll(async () => {
  server = await startBadServer();
});
afterAll(async () => {
  await server.close();
});

/**
 * The real fetcher against the loopback server, where answering request `n` of poll `seq` takes
 * the target `cost(seq)` ms — on a fake clock: the session reads the target's time from
 * performance.now(), which here moves only when a request "takes" time, so the figures are
 * exact however loaded the machine is.
 */
function slowed(cost: (seq: number) => number): Fetcher {
  const live = new LiveFetcher(parseTarget(server.url), { http: {} });
  return {
    target: live.target,
    now: () => live.now(),
    requestCount: () => live.requestCount(),
    close: () => live.close(),
    fetch: async (seq, endpoint, pid) => {
      clock += cost(seq);
      return live.fetch(seq, endpoint, pid);
    },
  };
}

let clock = 0;
beforeEach(() => {
  vi.spyOn(performance, 'now').mockImplementation(() => clock);
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Polls `count` times without waiting between polls; gives what the session said after each. */
async function run(f: Fetcher, intervalMs: number, count: number): Promise<Array<{ slowedToMs: number | null; targetMs: number }>> {
  const seen: Array<{ slowedToMs: number | null; targetMs: number }> = [];
  const session: Session = new Session(f, {
    intervalMs,
    count,
    onRecord: () => {
      const s = session.snapshot();
      seen.push({ slowedToMs: s.slowedToMs, targetMs: s.lastTargetMs });
      session.pollNow(); // don't actually wait in a test
    },
  });
  await session.start();
  await f.close();
  return seen;
}

it('stretches the interval so the target spends at most 1% of it answering', async () => {
  const polls = await run(slowed(() => 20), 500, 5);
  // The first poll discovers (one-off costs): not counted. Every later request takes 20 ms.
  expect(polls[0]!.slowedToMs).toBeNull();
  for (const [i, p] of polls.entries()) {
    if (i === 0 || i === polls.length - 1) continue; // the last poll schedules nothing
    expect(p.targetMs, 'at least two requests a poll').toBeGreaterThanOrEqual(40);
    // The median of the (up to) three polls counted so far, 100× over: 1% of the new interval.
    const counted = polls.slice(1, i + 1).slice(-3).map((q) => q.targetMs).sort((a, b) => a - b);
    expect(p.slowedToMs).toBe(Math.round(counted[Math.floor(counted.length / 2)]! / TARGET_BUDGET));
  }
});

it('keeps the interval when answering is cheap, even after one slow answer well over the budget', async () => {
  // Each request of poll 4 (the third counted one) takes 50 ms: 5% or more of the 1 s interval.
  const polls = await run(slowed((seq) => (seq === 4 ? 50 : 0)), 1000, 6);
  expect(polls[3]!.targetMs / 1000, 'the slow answer is over the budget').toBeGreaterThan(TARGET_BUDGET);
  expect(polls.map((p) => p.slowedToMs)).toEqual([null, null, null, null, null, null]);
});
