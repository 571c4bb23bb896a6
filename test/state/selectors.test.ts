// The memoized selectors: keys built from every option that shapes a result, and caches that
// belong to one store. Over a real captured heap profile.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { staticSource } from '../../src/cli/tui-command.js';
import { decodeProfile } from '../../src/profile/decode.js';
import { memoKey, Selectors, type DrillOptions, type TopOptions } from '../../src/state/selectors.js';
import { Store } from '../../src/state/store.js';
import { initialProfileView, type ProfileView } from '../../src/state/ui-state.js';
import { GO119 } from '../helpers/paths.js';

const heap = decodeProfile(new Uint8Array(readFileSync(join(GO119, 'heap.pb.gz'))));
const view = initialProfileView();

/** Another value for every option: the Record type makes a new option fail to compile here until it is listed. */
const CHANGED_TOP: { [K in keyof TopOptions]: TopOptions[K] } = {
  sampleType: 'alloc_space',
  granularity: 'lines',
  cumSort: true,
  focus: 'main',
  ignore: 'runtime',
  nodeCount: 5,
};
const CHANGED_DRILL: { [K in keyof DrillOptions]: DrillOptions[K] } = {
  sampleType: 'alloc_space',
  granularity: 'lines',
  focus: 'main',
  ignore: 'runtime',
  name: 'main.main',
  section: 'lines',
};

describe('memoKey', () => {
  const base: DrillOptions = { sampleType: null, granularity: 'functions', focus: '', ignore: '', name: 'main.retainSmall', section: 'peek' };

  it('changes when any option changes', () => {
    for (const [field, value] of Object.entries(CHANGED_DRILL)) {
      expect(memoKey({ ...base, [field]: value }), field).not.toBe(memoKey(base));
    }
    const top: TopOptions = { sampleType: null, granularity: 'functions', cumSort: false, focus: '', ignore: '', nodeCount: 0 };
    for (const [field, value] of Object.entries(CHANGED_TOP)) {
      expect(memoKey({ ...top, [field]: value }), field).not.toBe(memoKey(top));
    }
  });

  it('does not let a value containing a separator pass for two other values', () => {
    // Hand-joined with '|', both of these were "a|b|".
    expect(memoKey({ ...base, focus: 'a|b', ignore: '' })).not.toBe(memoKey({ ...base, focus: 'a', ignore: 'b|' }));
    expect(memoKey({ n: 1 })).not.toBe(memoKey({ n: '1' }));
    expect(memoKey({ s: null })).not.toBe(memoKey({ s: 'null' }));
  });

  it('does not depend on the order of the fields', () => {
    expect(memoKey({ a: 1, b: 'x' })).toBe(memoKey({ b: 'x', a: 1 }));
  });
});

describe('Selectors', () => {
  it('recomputes the Top table when any of its options changes, and not when the cursor moves', () => {
    const s = new Selectors();
    const first = s.top(heap, view, 'top');
    expect(s.top(heap, { ...view, cursor: { selected: 3, offset: 1 } }, 'top')).toBe(first);
    for (const [field, value] of Object.entries(CHANGED_TOP)) {
      const changed: ProfileView = { ...view, [field]: value };
      const r = s.top(heap, changed, 'top');
      expect(r, field).not.toBe(first);
      expect(s.top(heap, changed, 'top'), field).toBe(r);
    }
  });

  it('recomputes a drill-down when any of its options changes', () => {
    const s = new Selectors();
    const first = s.drill(heap, view, 'main.retainSmall', 'peek');
    for (const [field, value] of Object.entries(CHANGED_DRILL)) {
      const o = { ...view, name: 'main.retainSmall', section: 'peek' as const, [field]: value };
      expect(s.drill(heap, o, o.name, o.section), field).not.toBe(first);
    }
  });

  it('belongs to one store: two stores over the same profile keep separate caches', () => {
    const a = new Store(staticSource(heap), 'top');
    const b = new Store(staticSource(heap), 'top');
    try {
      const pa = a.selectors.readyPaneProfile(a.getSnapshot().data, 'top')!;
      const ta = a.selectors.settledTop(pa.profile, view, 'top');
      expect(a.selectors.settledTop(pa.profile, view, 'top')).toBe(ta);
      expect(b.selectors.settledTop(pa.profile, view, 'top')).not.toBe(ta);
      expect(a.getSnapshot().selectors).toBe(a.selectors);
    } finally {
      a.close();
      b.close();
    }
  });
});
