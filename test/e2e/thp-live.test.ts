// Transparent huge pages, live, without touching the host's settings: the fixture target built
// with go1.21.0 (fetched through the module proxy: GOTOOLCHAIN), which madvises its heap for huge
// pages, and built with the Go 1.26 on PATH, which never does. On this machine's THP mode
// (`madvise`) only the first gets them. Both grow a retained heap; a real session polls each
// through /proc and its /metrics. The case where huge pages hold *released* heap needs THP mode
// `always` and khugepaged's time; it is covered on documented bytes in test/analysis/thp.test.ts.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryBreakdown } from '../../src/analysis/memory.js';
import type { PollRecord } from '../../src/analysis/poll-record.js';
import { thpFinding } from '../../src/analysis/thp.js';
import { Session } from '../../src/session/session.js';
import { LiveFetcher } from '../../src/source/fetcher.js';
import { parseTarget } from '../../src/source/target.js';
import { Store } from '../../src/state/store.js';
import { startTarget, type Target } from '../helpers/go-target.js';
import { requireTool } from '../helpers/require-tool.js';
import { renderApp } from '../helpers/render.js';


const MiB = 2 ** 20;
/** The host's THP mode, the bracketed word of /sys/kernel/mm/transparent_hugepage/enabled. */
const thpMode = (() => {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
})();

async function pollTarget(toolchain?: string): Promise<{ target: Target; session: Session; last: PollRecord }> {
  const target = await startTarget({ scenario: 'heap-leak', args: ['-rate', '24'], ...(toolchain ? { toolchain } : {}) });
  const session = new Session(new LiveFetcher(parseTarget(target.url), { http: { timeoutMs: 10_000 } }), { intervalMs: 1_000, count: 4 });
  await session.start();
  return { target, session, last: session.snapshot().lastGood! };
}

describe.skipIf(!requireTool('go', 'the live THP tests'))('huge pages of a live Go heap, read from smaps_rollup', () => {
  let old: Awaited<ReturnType<typeof pollTarget>>;
  let current: Awaited<ReturnType<typeof pollTarget>>;

  beforeAll(async () => {
    old = await pollTarget('go1.21.0');
    current = await pollTarget();
  }, 600_000);

  afterAll(async () => {
    for (const t of [old, current]) {
      await t?.session.stop();
      await t?.target.stop();
    }
  });

  it('go1.21.0 gets its heap in huge pages: the breakdown shows them with their source, and no THP finding (no gap)', async () => {
    expect(old.session.snapshot().goVersion).toBe('go1.21.0');
    const r = old.last;
    expect(r.heapInuse).toBeGreaterThan(48 * MiB);
    // Most of the heap in use sits in huge pages; none of it is unexplained.
    expect(r.anonHugePages).toBeGreaterThan(r.heapInuse! / 2);
    const b = memoryBreakdown(r);
    expect(b.hugePages).toEqual({ bytes: r.anonHugePages, source: 'smaps_rollup' });
    expect(b.parts.find((p) => p.key === 'thp')).toMatchObject({ bytes: 0, source: 'smaps_rollup' });
    expect(thpFinding(r, 'go1.21.0')).toBeNull();

    const store = new Store(old.session);
    const view = await renderApp({ store, session: old.session, title: old.target.url, columns: 100, rows: 30 });
    try {
      expect(view.lastFrame().replace(/\s+/g, ' ')).toMatch(/\(MemStats from metrics, \d+(\.\d+)?MB in huge pages \(smaps_rollup\)\)/);
    } finally {
      view.unmount();
      store.close();
    }
  });

  it.skipIf(thpMode !== 'madvise' && thpMode !== 'never')('Go 1.26 never madvises its heap: no huge pages in this THP mode', () => {
    const r = current.last;
    expect(r.heapInuse).toBeGreaterThan(48 * MiB);
    expect(r.anonHugePages).toBe(0);
    expect(memoryBreakdown(r).hugePages).toEqual({ bytes: 0, source: 'smaps_rollup' });
  });
});
