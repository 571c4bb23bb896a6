// The goroutine-leak profile on demand: Session.fetchLeakedGoroutines and the L command, over
// the real Go 1.19 session captures (whose index has no such profile) and the real Go 1.26
// captures of fixtures/goroutineleak. The live target is in test/e2e/goroutine-leak.test.ts.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/session/session.js';
import type { Endpoint } from '../../src/source/fetcher.js';
import { HANDLERS, type CommandContext } from '../../src/state/commands.js';
import { Store } from '../../src/state/store.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { FixtureFetcher, polledSession } from '../ui/fixture-session.js';

const captured = (name: string) => new Uint8Array(readFileSync(join(REPO_ROOT, 'fixtures/goroutineleak/captured', name)));

/** The Go 1.19 fixture session, with the Go 1.26 leak target's index and goroutine-leak profile. */
class LeakFetcher extends FixtureFetcher {
  constructor(private readonly leakBody = captured('goroutineleak.debug1.txt')) {
    super();
  }
  override async fetch(seq: number, endpoint: Endpoint): Promise<Uint8Array> {
    if (endpoint === 'index') {
      this.requests.push([seq, endpoint]);
      return captured('index.before.html');
    }
    if (endpoint === 'goroutineleak-debug1') {
      this.requests.push([seq, endpoint]);
      await new Promise((r) => setTimeout(r, 5));
      return this.leakBody;
    }
    return super.fetch(seq, endpoint);
  }
}

const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.stop();
});

async function polled(fetcher?: FixtureFetcher) {
  const { session, fetcher: f } = await polledSession(2, fetcher);
  sessions.push(session);
  return { session, fetcher: f };
}

const leakRequests = (f: FixtureFetcher) => f.requests.filter(([, e]) => e === 'goroutineleak-debug1').length;

function context(store: Store, session: Session): CommandContext {
  return { store, session, pageSize: 10, scrollMax: 0, quit: () => undefined, exportProfiles: async () => [], loadGoroutineDump: () => undefined };
}

describe('Session.fetchLeakedGoroutines', () => {
  it('polls never fetch it; one call does, and keeps it on the snapshot', async () => {
    const { session, fetcher } = await polled(new LeakFetcher());
    expect(leakRequests(fetcher)).toBe(0);
    expect(session.snapshot().leakedGoroutines).toBeNull();
    const leaked = await session.fetchLeakedGoroutines();
    expect(leaked.profile).toMatchObject({ profile: 'goroutineleak', total: 6 });
    expect(session.snapshot().leakedGoroutines).toBe(leaked);
    expect(leaked.seq).toBe(2);
    expect(leakRequests(fetcher)).toBe(1);
  });

  it('calls while one is in flight share it (each fetch runs a GC in the target)', async () => {
    const { session, fetcher } = await polled(new LeakFetcher());
    const [a, b] = await Promise.all([session.fetchLeakedGoroutines(), session.fetchLeakedGoroutines()]);
    expect(a).toBe(b);
    expect(leakRequests(fetcher)).toBe(1);
    await session.fetchLeakedGoroutines();
    expect(leakRequests(fetcher)).toBe(2);
  });

  it('rejects another profile in one line, keeping nothing', async () => {
    const { session } = await polled(new LeakFetcher(captured('goroutine.debug1.txt')));
    await expect(session.fetchLeakedGoroutines()).rejects.toMatchObject({
      kind: 'not-profile',
      message: 'goroutineleak?debug=1 is not the goroutine-leak profile (a goroutine profile)',
    });
    expect(session.snapshot().leakedGoroutines).toBeNull();
  });
});

describe('L in the Goroutines pane', () => {
  it('fetches it where the index lists it, and says what it found', async () => {
    const { session, fetcher } = await polled(new LeakFetcher());
    const store = new Store(session, 'goroutines');
    HANDLERS['goroutine-leaks'](context(store, session));
    expect(store.getSnapshot().ui.message).toBe('finding leaked goroutines (one GC in the target)…');
    for (let i = 0; i < 100 && !session.snapshot().leakedGoroutines; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setImmediate(r));
    expect(store.getSnapshot().ui.message).toBe('6 leaked goroutines, marked "leaked" below');
    expect(leakRequests(fetcher)).toBe(1);
    store.close();
  });

  it('does not ask a target whose index lacks the profile (Go 1.19), and says what it needs', async () => {
    const { session, fetcher } = await polled();
    const store = new Store(session, 'goroutines');
    HANDLERS['goroutine-leaks'](context(store, session));
    expect(store.getSnapshot().ui.message).toBe('no goroutine-leak profile here: it needs Go 1.26 built with GOEXPERIMENT=goroutineleakprofile, or Go ≥ 1.27');
    expect(leakRequests(fetcher)).toBe(0);
    store.close();
  });
});
