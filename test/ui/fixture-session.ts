// A realistic session without a live target: a Fetcher that serves the real Go 1.19 captures in
// ../shared/fixtures/go1.19 (the same files test/helpers/bad-server.ts serves over HTTP), run
// through the real poll logic. Not a test file.
//
//   poll 1:   heap.pb.gz       goroutine.debug1.txt (63 goroutines)   proc/*.default.0-start
//   poll 2-3: heap-gc1.pb.gz   goroutine.after1min.debug1.txt (83)    proc/*.default.3-after-free
//   poll 4+:  heap-gc1.pb.gz   goroutine.after1min.debug1.txt (83)    proc/*.default.4-after-mmap64
//
// /metrics is not served (the session falls back to /debug/vars); vars.json's NumGC is moved on
// by one per poll so that each poll fetches a heap profile, as after a GC.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LivepprofError } from '../../src/errors.js';
import { Session } from '../../src/session/session.js';
import type { Endpoint, Fetcher } from '../../src/source/fetcher.js';
import { parseTarget } from '../../src/source/target.js';
import { openRecording, ReplayFetcher } from '../../src/source/recording.js';
import { goroutineDumpLoader as loadDump } from '../../src/state/goroutine-dump.js';
import { Store } from '../../src/state/store.js';
import { GO119, REPO_ROOT } from '../helpers/paths.js';
import { CAPTURED_PID, statLine } from '../source/fake-proc.js';

const cache = new Map<string, Uint8Array>();
export function fixtureBytes(name: string): Uint8Array {
  let b = cache.get(name);
  if (!b) {
    b = new Uint8Array(readFileSync(join(GO119, name)));
    cache.set(name, b);
  }
  return b;
}
const enc = new TextEncoder();

/** RSS over the polls: start, after FreeOSMemory, then +64 MiB of non-Go memory (mmap). */
function procPhase(seq: number): string {
  return seq <= 1 ? '0-start' : seq <= 3 ? '3-after-free' : '4-after-mmap64';
}
const dec = new TextDecoder();

/** 2026-11-26 05:41:00 UTC, about when the captures were taken. */
export const T0 = Date.UTC(2026, 10, 26, 5, 41, 0);
export const INTERVAL_MS = 5_000;

export class FixtureFetcher implements Fetcher {
  readonly target = parseTarget('127.0.0.1:6060');
  requests: Array<[number, Endpoint]> = [];

  now(seq: number): number {
    return T0 + seq * INTERVAL_MS;
  }

  requestCount(): number {
    return this.requests.length;
  }

  async fetch(seq: number, endpoint: Endpoint): Promise<Uint8Array> {
    this.requests.push([seq, endpoint]);
    const later = seq >= 2;
    switch (endpoint) {
      case 'index':
        return fixtureBytes('index.html');
      case 'cmdline':
        return fixtureBytes('cmdline.bin');
      case 'vars':
        return enc.encode(dec.decode(fixtureBytes('vars.json')).replace('"NumGC":6', `"NumGC":${5 + seq}`));
      case 'heap':
        return fixtureBytes(later ? 'heap-gc1.pb.gz' : 'heap.pb.gz');
      case 'heap-debug1':
        return fixtureBytes(later ? 'heap-gc1.debug1.txt' : 'heap.debug1.txt');
      case 'goroutine-debug1':
        return fixtureBytes(later ? 'goroutine.after1min.debug1.txt' : 'goroutine.debug1.txt');
      case 'goroutine-debug2':
        return fixtureBytes('goroutine.debug2.txt');
      case 'pid':
        return enc.encode(String(CAPTURED_PID));
      case 'proc-stat':
        return enc.encode(statLine(CAPTURED_PID, 'S', 123456));
      case 'proc-status':
        return fixtureBytes(`proc/status.default.${procPhase(seq)}.txt`);
      case 'proc-smaps':
        return fixtureBytes(`proc/smaps_rollup.default.${procPhase(seq)}.txt`);
      default:
        throw new LivepprofError('http', `HTTP 404 from 127.0.0.1:6060 (${endpoint}): 404 page not found`);
    }
  }

  async close(): Promise<void> {}
}

/**
 * A session that has polled `polls` times and now waits (an hour) for the next poll, so its
 * state is "polling", as a user sees it. stop() it when done.
 */
export async function polledSession(polls = 4, fetcher = new FixtureFetcher()): Promise<{ session: Session; fetcher: FixtureFetcher }> {
  const session = new Session(fetcher, { intervalMs: INTERVAL_MS, delay: (r) => (r.seq >= polls ? 3_600_000 : 0) });
  const done = new Promise<void>((resolve) => {
    const off = session.subscribe(() => {
      const s = session.snapshot();
      if (s.polls >= polls && s.nextPollAt !== null && s.nextPollAt - Date.now() > 60_000) {
        off();
        resolve();
      }
    });
  });
  void session.start();
  await done;
  return { session, fetcher };
}

/** What runTui's loadGoroutineDump does, over the fixture fetcher (the dump shown as of T0). */
export function goroutineDumpLoader(store: Store, fetcher: Fetcher): () => void {
  return loadDump(store, { fetch: async () => ({ bytes: await fetcher.fetch(1, 'goroutine-debug2'), at: T0 }) });
}

/** The Go fixture target's goroutine-leak scenario, recorded at 1 s (fixtures/recordings/record.sh). */
export const GOROUTINE_LEAK_RECORDING = join(REPO_ROOT, 'fixtures/recordings/goroutine-leak');

/**
 * A recording replayed through the real poll logic up to poll `polls`, with a Store attached
 * from the first poll (as the full-screen view is): the store sees every poll, as a user does.
 */
export async function replayedStore(dir: string, polls: number): Promise<{ session: Session; store: Store }> {
  const recording = await openRecording(dir);
  const fetcher = await new ReplayFetcher(recording).load();
  const session = new Session(fetcher, { intervalMs: recording.meta.intervalMs, count: polls, delay: () => 0 });
  const store = new Store(session);
  await session.start();
  return { session, store };
}
