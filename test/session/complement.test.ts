// A /metrics with heap figures but no GC count or heap goal (a partial exporter): the heap?debug=1
// trailer of the same target fills NumGC and NextGC in, and its records serve as the poll's heap
// profile, so the verdict has the GC's own figures instead of "cannot judge".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveFetcher } from '../../src/source/fetcher.js';
import { parseTarget } from '../../src/source/target.js';
import { Session } from '../../src/session/session.js';
import type { PollRecord } from '../../src/analysis/poll-record.js';
import { startCaptureServer, type CaptureServer } from '../helpers/capture-server.js';
import { CLIENT_GOLANG_METRICS } from '../source/client-golang-sample.js';

/** client_golang's real exposition without the GC count (go_gc_duration_seconds) and the heap goal. */
const PARTIAL = CLIENT_GOLANG_METRICS.split('\n')
  .filter((l) => !/go_gc_duration_seconds|go_memstats_next_gc_bytes/.test(l))
  .join('\n');

let server: CaptureServer;
beforeAll(async () => {
  server = await startCaptureServer({
    route: (req, res) => {
      if (req.url !== '/metrics') return false;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(PARTIAL);
      return true;
    },
  });
});
afterAll(() => server.close());

describe('a /metrics without NumGC and NextGC', () => {
  it('takes them from the heap?debug=1 trailer, which doubles as the heap profile', async () => {
    expect(PARTIAL).toContain('go_memstats_heap_inuse_bytes');
    expect(PARTIAL).not.toContain('go_gc_duration_seconds_count');
    const records: PollRecord[] = [];
    const session = new Session(new LiveFetcher(parseTarget(server.url), { http: {} }), { intervalMs: 1000, count: 4, delay: () => 5, onRecord: (r) => void records.push(r) });
    await session.start();
    await session.fetcher.close();
    for (const r of records) {
      expect(r.ok, r.error?.message).toBe(true);
      expect(r.memstatsSource).toBe('metrics');
      expect(r.gcFieldsSource).toBe('heap-debug1');
      // heap.debug1.txt's trailer: NumGC = 3, NextGC = 30063040.
      expect(r.numGC).toBe(3);
      expect(r.nextGC).toBe(30063040);
      expect(r.heapProfileFetched).toBe(true);
    }
    const heapRequests = server.requests.filter((q) => q.url.startsWith('/debug/pprof/heap'));
    // One heap request per poll: the trailer's, never a second protobuf one.
    expect(heapRequests.map((q) => q.url)).toEqual(records.map(() => '/debug/pprof/heap?debug=1'));
    const v = session.snapshot().verdict!;
    expect(v.summary).not.toMatch(/no GC count/);
    expect(v.summary).toMatch(/GC cycle/);
  });
});
