// Every way a target can answer badly becomes a specific one-line error on the poll, and the
// poll loop keeps going and recovers (against a loopback server with real captured bytes).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveFetcher } from '../../src/source/fetcher.js';
import { parseTarget } from '../../src/source/target.js';
import { Session } from '../../src/session/session.js';
import type { PollRecord } from '../../src/analysis/poll-record.js';
import { startBadServer, type BadServer, type Misbehaviour } from '../helpers/bad-server.js';
import { statLine } from '../source/fake-proc.js';
import { readFixture } from '../source/go119-fixtures.js';

let server: BadServer;
beforeAll(async () => {
  server = await startBadServer();
});
afterAll(async () => {
  await server.close();
});

/** Polls `count` times; before poll i (1-based), applies plan[i]. */
async function pollWith(plan: Record<number, [Misbehaviour, string?]>, count: number): Promise<PollRecord[]> {
  server.set('ok');
  const fetcher = new LiveFetcher(parseTarget(server.url), { http: { timeoutMs: 400, maxBytes: 1 << 20 } });
  const records: PollRecord[] = [];
  const first = plan[1];
  if (first) server.set(first[0], first[1]);
  const session = new Session(fetcher, {
    intervalMs: 1000,
    count,
    delay: () => 5,
    onRecord: (r) => {
      records.push(r);
      const next = plan[r.seq + 1];
      if (next) server.set(next[0], next[1]);
    },
  });
  await session.start();
  await fetcher.close();
  return records;
}

const HEAP = '/debug/pprof/heap';
const CASES: Array<[string, Misbehaviour, string | undefined, RegExp]> = [
  ['an HTML login page with 200', 'html-200', undefined, /\/metrics answered with an HTML page .*, not Prometheus text/],
  ['an HTML login page on the pprof path', 'html-200', '/debug/pprof/', /HTML page/],
  ['a sign-in page that returns to /debug/pprof/', 'login-to-pprof', '/debug/pprof/', /HTML page \(a login page/],
  ['401', 'status-401', undefined, /HTTP 401 from 127\.0\.0\.1:\d+\/metrics: denied.*--header @file/],
  ['403', 'status-403', undefined, /HTTP 403/],
  ['404', 'status-404', undefined, /HTTP 404/],
  ['500 with the first line of the body', 'status-500', undefined, /HTTP 500 .*database on fire$/],
  ['a redirect to another host', 'redirect-other-host', undefined, /redirected to another host \(login\.example\.invalid\)/],
  ['an endless body', 'endless', HEAP, /larger than the --max-bytes limit of 1048576 bytes/],
  ['a body declared too large', 'huge', HEAP, /larger than the --max-bytes limit.*declares 1099511627776 bytes/],
  ['a body cut off mid-gzip', 'cut-gzip', HEAP, /cut off|truncated/],
  ['valid gzip of garbage', 'gzip-garbage', HEAP, /not a pprof profile|malformed profile|truncated/],
  ['a protobuf that is not a profile', 'not-a-profile-proto', HEAP, /not a pprof profile|malformed profile/],
  ['a slow server beyond the timeout', 'slow', undefined, /no answer from 127\.0\.0\.1:\d+ within 400ms/],
  ['a server that accepts and never answers', 'silent', undefined, /no answer from 127\.0\.0\.1:\d+ within 400ms/],
  ['a connection closed mid-body', 'close-mid-body', HEAP, /cut off|truncated|closed/],
];

describe('a poll against a target that answers badly', () => {
  for (const [what, mode, scope, re] of CASES) {
    it(`${what}: says so, then recovers`, async () => {
      // Poll 1 good, poll 2 bad, poll 3 good again.
      const records = await pollWith({ 2: [mode, scope], 3: ['ok'] }, 3);
      expect(records.map((r) => r.ok)).toEqual([true, false, true]);
      const err = records[1]!.error!;
      expect(err.message).toMatch(re);
      expect(err.message).not.toContain('\n');
      // A message never says what the body is and then that it is not that.
      const said = /answered with (the [^,(]+)/.exec(err.message)?.[1]?.trim();
      if (said) expect(err.message).not.toContain(`not ${said}`);
      expect(records[2]!.heapInuse).toBeGreaterThan(0);
    });
  }

  it('a sign-in page where the index should be is called an HTML page, not "the pprof index page, not the pprof index page"', async () => {
    // Its form mentions /debug/pprof/ (where to return after sign-in); the first poll reads the index.
    const records = await pollWith({ 1: ['login-to-pprof', '/debug/pprof/'], 2: ['ok'] }, 2);
    expect(records.map((r) => r.ok)).toEqual([false, true]);
    const msg = records[0]!.error!.message;
    expect(msg).toMatch(/\/debug\/pprof\/ answered with an HTML page \(a login page, proxy or error page\?\), not the pprof index page \(is net\/http\/pprof mounted there\?\)$/);
    expect(msg).not.toMatch(/index page.*not the pprof index page.*index page/);
  });

  it('classifies a refused connection and keeps retrying', async () => {
    const fetcher = new LiveFetcher(parseTarget('127.0.0.1:1'), { http: { timeoutMs: 400 } });
    const records: PollRecord[] = [];
    await new Session(fetcher, { count: 3, delay: () => 5, onRecord: (r) => void records.push(r) }).start();
    await fetcher.close();
    expect(records).toHaveLength(3);
    for (const r of records) expect(r.error?.kind).toBe('refused');
  });

  it('uses the cheapest MemStats source and fetches one heap profile per new GC', async () => {
    server.set('ok');
    const before = server.requests.length;
    const records = await pollWith({}, 3);
    const urls = server.requests.slice(before);
    expect(records.every((r) => r.memstatsSource === 'metrics')).toBe(true);
    expect(urls.filter((u) => u === '/debug/pprof/heap')).toHaveLength(3);
    expect(urls.filter((u) => u.startsWith('/debug/pprof/heap?debug=1'))).toHaveLength(0);
    expect(urls.some((u) => u.includes('gc=1'))).toBe(false);
    expect(urls.some((u) => u.includes('debug=2'))).toBe(false);
  });
});

describe('restart detection', () => {
  it('a new process that got the same pid (a container restarted) is flagged by its /proc start time', async () => {
    const pid = 4242;
    const procRoot = mkdtempSync(join(tmpdir(), 'livepprof-proc-'));
    try {
      mkdirSync(join(procRoot, String(pid)));
      writeFileSync(join(procRoot, String(pid), 'status'), readFixture('proc/status.default.0-start.txt'));
      const setStart = (t: number) => writeFileSync(join(procRoot, String(pid), 'stat'), statLine(pid, 'S', t));
      setStart(1000);
      server.set('ok');
      const fetcher = new LiveFetcher(parseTarget(server.url), { http: { timeoutMs: 400 }, pid, procRoot });
      const records: PollRecord[] = [];
      const session = new Session(fetcher, {
        count: 4,
        delay: () => 5,
        onRecord: (r) => {
          records.push(r);
          if (r.seq === 1) server.set('status-500'); // the service goes down…
          if (r.seq === 2) {
            server.set('ok'); // …and comes back as another process with the same pid
            setStart(2000);
          }
        },
      });
      await session.start();
      await fetcher.close();
      expect(records.map((r) => [r.ok, r.restarted === true])).toEqual([
        [true, false],
        [false, false],
        [true, true],
        [true, false],
      ]);
      expect(records[2]!.restartReason).toMatch(/process 4242 has a new start time/);
      expect(session.snapshot().lastRestart?.reason).toMatch(/new start time/);
    } finally {
      rmSync(procRoot, { recursive: true, force: true });
    }
  });
});
