// The target's budget: when answering a poll takes the target more than 1% of the interval,
// the session polls less often (the median of recent polls, so one slow answer does not).

import { afterAll, beforeAll, expect, it } from 'vitest';
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

/** The real fetcher against the loopback server, with every HTTP answer taking `ms` longer. */
function slowed(ms: () => number): Fetcher {
  const live = new LiveFetcher(parseTarget(server.url), { http: {} });
  return {
    target: live.target,
    now: () => live.now(),
    requestCount: () => live.requestCount(),
    close: () => live.close(),
    fetch: async (seq, endpoint, pid) => {
      await new Promise((r) => setTimeout(r, ms()));
      return live.fetch(seq, endpoint, pid);
    },
  };
}

it('stretches the interval so the target spends at most 1% of it answering', async () => {
  const intervalMs = 500;
  const delays: Array<number | null> = [];
  const f = slowed(() => 20);
  const session: Session = new Session(f, {
    intervalMs,
    count: 5,
    onRecord: () => {
      const s = session.snapshot();
      delays.push(s.slowedToMs);
      if (s.nextPollAt) session.pollNow(); // don't actually wait in a test
    },
  });
  await session.start();
  await f.close();
  // The first poll discovers (one-off costs): not counted. Later ones take > 20 ms per request.
  expect(delays[0]).toBeNull();
  const later = delays.slice(1).filter((d): d is number => d !== null);
  expect(later.length).toBeGreaterThan(0);
  for (const d of later) expect(d).toBeGreaterThanOrEqual(Math.round((2 * 20) / TARGET_BUDGET));
});

it('keeps the interval when answering is cheap, even after one slow answer', async () => {
  let n = 0;
  const f = slowed(() => (++n === 6 ? 40 : 0));
  const slowedTo: Array<number | null> = [];
  const session: Session = new Session(f, {
    intervalMs: 60_000,
    count: 6,
    onRecord: () => {
      slowedTo.push(session.snapshot().slowedToMs);
      session.pollNow();
    },
  });
  await session.start();
  await f.close();
  expect(slowedTo.every((d) => d === null)).toBe(true);
});
