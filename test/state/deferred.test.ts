// Analyses of big profiles run after the frame: the view gets the previous result of the same
// family meanwhile, is told when the new one is ready, and keys pressed in a row compute only
// the result still wanted.

import { describe, expect, it } from 'vitest';
import { atOnce, type Steps } from '../../src/analysis/steps.js';
import { DeferredMemo, SLICE_MS, SYNC_SAMPLES, isPending } from '../../src/state/deferred.js';

const tick = () => new Promise<void>((r) => setImmediate(r));
const BIG = SYNC_SAMPLES + 1;

describe('DeferredMemo', () => {
  it('computes small inputs at once and remembers them', () => {
    const m = new DeferredMemo<string>();
    let runs = 0;
    expect(m.get('a', 'top', SYNC_SAMPLES, () => atOnce(() => `a${++runs}`))).toBe('a1');
    expect(m.get('a', 'top', SYNC_SAMPLES, () => atOnce(() => `a${++runs}`))).toBe('a1');
    expect(runs).toBe(1);
  });

  it('defers big inputs, showing the family’s previous result, and says when the new one is ready', async () => {
    let ready = 0;
    const m = new DeferredMemo<string>(8, () => ready++);
    expect(m.get('old', 'top', 1, () => atOnce(() => 'old table'))).toBe('old table');
    const first = m.get('new', 'top', BIG, () => atOnce(() => 'new table'));
    expect(first).toEqual({ pending: true, stale: 'old table' });
    // Another family has its own stale result.
    expect(m.get('d', 'diff', BIG, () => atOnce(() => 'diff'))).toEqual({ pending: true, stale: null });
    await tick();
    expect(ready).toBe(2);
    expect(m.get('new', 'top', BIG, () => atOnce(() => 'recomputed'))).toBe('new table');
  });

  it('skips a computation superseded before it started (s s s computes one table)', async () => {
    const m = new DeferredMemo<string>();
    const computed: string[] = [];
    for (const k of ['inuse_objects', 'alloc_space', 'alloc_objects']) {
      const r = m.get(k, 'top', BIG, () =>
        atOnce(() => {
          computed.push(k);
          return k;
        }),
      );
      expect(isPending(r)).toBe(true);
    }
    await tick();
    expect(computed).toEqual(['alloc_objects']);
    // Coming back to a skipped one computes it then.
    expect(isPending(m.get('alloc_space', 'top', BIG, () => atOnce(() => (computed.push('alloc_space'), 'alloc_space'))))).toBe(true);
    await tick();
    expect(computed).toEqual(['alloc_objects', 'alloc_space']);
  });

  it('runs a long analysis in slices: other work (a key) runs between them, and a superseded one stops mid-way', async () => {
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const progress: Record<string, number> = { a: 0, b: 0 };
    // 40 steps of 2 ms: 80 ms of work, SLICE_MS at a time.
    function* work(name: string): Steps<string> {
      for (let i = 0; i < 40; i++) {
        busy(2);
        progress[name]!++;
        yield;
      }
      return name;
    }
    const m = new DeferredMemo<string>();
    expect(isPending(m.get('a', 'diff', BIG, () => work('a')))).toBe(true);
    await tick();
    // The first slice ran, and stopped after about SLICE_MS: the event loop is ours again.
    expect(progress.a).toBeGreaterThan(0);
    expect(progress.a).toBeLessThan(40);
    expect(progress.a * 2).toBeLessThanOrEqual(SLICE_MS + 4);
    // Another key wants another diff: 'a' stops at its next slice, 'b' runs to the end.
    expect(isPending(m.get('b', 'diff', BIG, () => work('b')))).toBe(true);
    const stoppedAt = progress.a;
    while (isPending(m.get('b', 'diff', BIG, () => work('b')))) await tick();
    expect(progress.a).toBeLessThanOrEqual(stoppedAt + 4);
    expect(progress.b).toBe(40);
  });
});
