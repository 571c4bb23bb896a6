// The goroutine-leak profile, live: fixtures/goroutineleak built with Go 1.26 and
// GOEXPERIMENT=goroutineleakprofile, run with GODEBUG=tracebacklabels=1, polled by a real
// session through the real fetcher and shown in the full-screen view. The target counts the
// requests it gets, so "fetched only when asked for" is checked on the target's side.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGoroutineDebug2 } from '../../src/profile/goroutine-text.js';
import { Session } from '../../src/session/session.js';
import { LiveFetcher } from '../../src/source/fetcher.js';
import { parseTarget } from '../../src/source/target.js';
import { Store } from '../../src/state/store.js';
import { startGoProgram } from '../helpers/go-target.js';
import { renderApp, settle, type Rendered } from '../helpers/render.js';
import { requireTool } from '../helpers/require-tool.js';


const LEAKED = 40;
const WAITING = 5;

describe.skipIf(!requireTool('go', 'the live goroutine-leak profile tests'))('a Go 1.26 target that leaks goroutines, with the goroutine-leak profile', () => {
  let target: Awaited<ReturnType<typeof startGoProgram>>;
  let session: Session;
  let store: Store;
  let r: Rendered;

  /** What the target says it was asked for (its own count, per path). */
  async function requests(): Promise<Record<string, number>> {
    const res = await fetch(`${target.url}/requests`);
    return ((await res.json()) as { paths: Record<string, number> }).paths;
  }

  async function until(what: () => boolean, describe: () => string): Promise<void> {
    for (let i = 0; i < 400 && !what(); i++) await new Promise((ok) => setTimeout(ok, 25));
    expect(what(), describe()).toBe(true);
  }

  beforeAll(async () => {
    target = await startGoProgram('goroutineleak', { args: ['-leak', String(LEAKED), '-wait', String(WAITING)], env: { GODEBUG: 'tracebacklabels=1' } });
    const fetcher = new LiveFetcher(parseTarget(target.url), { http: { timeoutMs: 10_000 } });
    session = new Session(fetcher, { intervalMs: 200, count: 3 });
    await session.start();
    store = new Store(session);
    const loadGoroutineDump = () => {
      void fetcher.fetch(session.snapshot().polls, 'goroutine-debug2').then((bytes) => {
        const parsed = parseGoroutineDebug2(new TextDecoder().decode(bytes));
        store.setGoroutineDump(parsed.ok ? { status: 'ready', value: parsed.value, at: Date.now() } : { status: 'error', message: parsed.error });
      });
    };
    r = await renderApp({ store, session, title: target.url, columns: 100, rows: 30, loadGoroutineDump });
    await r.press('3');
  }, 300_000);

  afterAll(async () => {
    r?.unmount();
    store?.close();
    await session?.stop();
    await target?.stop();
  });

  it('lists the profile from the pprof index, and polling never fetches it (each fetch runs a GC)', async () => {
    const snap = session.snapshot();
    expect(snap.polls).toBe(3);
    expect(snap.profiles.map((p) => p.name)).toContain('goroutineleak');
    expect(snap.leakedGoroutines).toBeNull();
    const asked = await requests();
    expect(asked['/debug/pprof/goroutineleak'] ?? 0).toBe(0);
    expect(asked['/debug/pprof/']).toBeGreaterThan(0); // the same counter sees the polls
    expect(r.lastFrame()).toContain('L finds leaked');
    expect(r.lastFrame()).not.toMatch(/leaked main\./);
  });

  it('L fetches it once and tags the leaked groups in the Goroutines pane; the gate waiters stay untagged', async () => {
    await r.press('L');
    await until(() => r.lastFrame().includes(`${LEAKED} leaked as of`), () => r.lastFrame());
    expect((await requests())['/debug/pprof/goroutineleak']).toBe(1);
    const rows = r.lines().filter((l) => /^[› ] +\d+ /.test(l));
    const tagged = rows.filter((l) => l.includes('leaked main.orphanWait'));
    // One group per label set (worker 0-3), 10 goroutines each.
    expect(tagged).toHaveLength(4);
    for (const l of tagged) expect(l).toMatch(/^[› ] +10 +\S+ +leaked main\.orphanWait \{job=orphan,worker=[0-3]\}/);
    expect(rows.find((l) => l.includes('main.gateWait'))).toMatch(/^[› ] +5 +\S+ +main\.gateWait/);
    const leaked = session.snapshot().leakedGoroutines!;
    expect(leaked.profile.total).toBe(LEAKED);
  });

  it('details of a leaked group: its count from the profile, and from goroutine?debug=2 the (leaked) marks and header labels', async () => {
    const first = r.lines().findIndex((l) => l.includes('leaked main.orphanWait'));
    const cursorAt = r.lines().findIndex((l) => l.startsWith('›'));
    for (let i = cursorAt; i < first; i++) await r.press('down');
    await r.press('enter');
    await until(() => r.lastFrame().includes('labels in their headers'), () => r.lastFrame());
    const text = r.lastFrame();
    expect(text).toMatch(/10 leaked \(goroutine-leak profile as of \d\d:\d\d:\d\d\): nothing can ever wake them/);
    expect(text).toContain('10 marked (leaked)');
    expect(text).toMatch(/10 × job=orphan worker=[0-3]/);
    expect(text).toContain('from goroutine?debug=2');
    await settle();
    // Still exactly one leak detection: the details read goroutine?debug=2, not the leak profile.
    expect((await requests())['/debug/pprof/goroutineleak']).toBe(1);
  });
});
