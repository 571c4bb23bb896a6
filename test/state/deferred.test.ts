// Analyses of big profiles run after the frame: the view gets the previous result of the same
// family meanwhile, is told when the new one is ready, and keys pressed in a row compute only
// the result still wanted.

import { describe, expect, it } from 'vitest';
import { DeferredMemo, SYNC_SAMPLES, isPending } from '../../src/state/deferred.js';

const tick = () => new Promise<void>((r) => setImmediate(r));
const BIG = SYNC_SAMPLES + 1;

describe('DeferredMemo', () => {
  it('computes small inputs at once and remembers them', () => {
    const m = new DeferredMemo<string>();
    let runs = 0;
    expect(m.get('a', 'top', SYNC_SAMPLES, () => `a${++runs}`)).toBe('a1');
    expect(m.get('a', 'top', SYNC_SAMPLES, () => `a${++runs}`)).toBe('a1');
    expect(runs).toBe(1);
  });

  it('defers big inputs, showing the family’s previous result, and says when the new one is ready', async () => {
    let ready = 0;
    const m = new DeferredMemo<string>(8, () => ready++);
    expect(m.get('old', 'top', 1, () => 'old table')).toBe('old table');
    const first = m.get('new', 'top', BIG, () => 'new table');
    expect(first).toEqual({ pending: true, stale: 'old table' });
    // Another family has its own stale result.
    expect(m.get('d', 'diff', BIG, () => 'diff')).toEqual({ pending: true, stale: null });
    await tick();
    expect(ready).toBe(2);
    expect(m.get('new', 'top', BIG, () => 'recomputed')).toBe('new table');
  });

  it('skips a computation superseded before it started (s s s computes one table)', async () => {
    const m = new DeferredMemo<string>();
    const computed: string[] = [];
    for (const k of ['inuse_objects', 'alloc_space', 'alloc_objects']) {
      const r = m.get(k, 'top', BIG, () => {
        computed.push(k);
        return k;
      });
      expect(isPending(r)).toBe(true);
    }
    await tick();
    expect(computed).toEqual(['alloc_objects']);
    // Coming back to a skipped one computes it then.
    expect(isPending(m.get('alloc_space', 'top', BIG, () => (computed.push('alloc_space'), 'alloc_space')))).toBe(true);
    await tick();
    expect(computed).toEqual(['alloc_objects', 'alloc_space']);
  });
});
