// pprof behaviours users rely on (and that surprise), checked on structured rows.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filterByName } from '../../src/analysis/filter.js';
import { diffProfiles, mergeProfiles } from '../../src/analysis/merge.js';
import { computeTotal, topReport, type TopOptions } from '../../src/analysis/top.js';
import { sampleFrames, sampleLocations, sampleValue, type Profile } from '../../src/profile/model.js';
import { readProfileFile } from '../../src/source/profile-source.js';
import { GO119 } from '../helpers/paths.js';

const load = (f: string) => readProfileFile(join(GO119, f));
const opts = (o: Partial<TopOptions> = {}): TopOptions => ({
  sampleIndex: 3,
  granularity: 'functions',
  nodeCount: 0,
  cumSort: false,
  filters: {},
  ...o,
});
const row = (p: Profile, o: Partial<TopOptions>, name: string) => topReport(p, opts(o)).rows.find((r) => r.name === name);

describe('top', () => {
  it('keeps the unfiltered total under focus, so percentages are of the whole profile', async () => {
    const p = await load('heap-gc1.pb.gz');
    const all = topReport(p, opts());
    const focused = topReport(p, opts({ filters: { focus: 'retainSmall' } }));
    expect(focused.total).toBe(all.total);
    expect(focused.shownFlat).toBeLessThan(all.total);
    expect(focused.rows[0]!.name).toBe('main.retainSmall');
  });

  it('matches focus/ignore against file names too, unanchored', async () => {
    const p = await load('heap-gc1.pb.gz');
    const byFile = topReport(p, opts({ filters: { focus: 'capture/main\\.go' } }));
    expect(byFile.rows.map((r) => r.name)).toContain('main.retainLarge');
    expect(byFile.rows.map((r) => r.name)).not.toContain('runtime.malg');
    const ignored = topReport(p, opts({ filters: { ignore: 'unicode' } }));
    expect(ignored.rows.map((r) => r.name)).not.toContain('unicode.init');
  });

  it('hide removes frames but keeps the samples (their value moves to the caller)', async () => {
    const p = await load('goroutine.pb.gz');
    const hidden = topReport(p, opts({ sampleIndex: 0, filters: { hide: '^runtime\\.' } }));
    expect(hidden.rows.some((r) => r.name.startsWith('runtime.'))).toBe(false);
    // Samples made only of runtime frames vanish; every other sample keeps its value.
    let kept = 0;
    for (let i = 0; i < p.samples.count; i++) {
      if (sampleFrames(p, i).some((f) => !f.name.startsWith('runtime.'))) kept += sampleValue(p, i, 0);
    }
    expect(hidden.shownFlat).toBe(kept);
    const leak = hidden.rows.find((r) => r.name === 'main.leakGoroutines.func1')!;
    expect(leak.flat).toBe(50);
  });

  it('counts cum once per sample even when a function recurs in the stack', async () => {
    const p = await load('goroutine.pb.gz');
    // runtime.doInit recurses in init stacks; its cum never exceeds the total.
    for (const r of topReport(p, opts({ sampleIndex: 0 })).rows) {
      expect(Math.abs(r.cum)).toBeLessThanOrEqual(computeTotal(p, 0));
    }
  });

  it('drops nodes under 0.5% of the total and reports how many', async () => {
    const p = await load('block.pb.gz');
    const r = topReport(p, opts({ sampleIndex: 1 }));
    expect(r.droppedNodes).toBeGreaterThan(0);
    const cutoff = r.total * 0.005;
    for (const x of r.rows) expect(Math.abs(x.cum)).toBeGreaterThanOrEqual(Math.trunc(cutoff));
  });

  it('nodecount keeps the top N by flat (or cum with cumSort)', async () => {
    const p = await load('allocs.pb.gz');
    const top3 = topReport(p, opts({ sampleIndex: 1, nodeCount: 3 }));
    expect(top3.rows).toHaveLength(3);
    expect(top3.origCount).toBeGreaterThan(3);
    const flats = top3.rows.map((r) => r.flat);
    expect(flats).toEqual([...flats].sort((a, b) => b - a));
    const byCum = topReport(p, opts({ sampleIndex: 1, nodeCount: 3, cumSort: true })).rows.map((r) => r.cum);
    expect(byCum).toEqual([...byCum].sort((a, b) => b - a));
  });

  it('lines granularity names file:line', async () => {
    const p = await load('heap-gc1.pb.gz');
    expect(row(p, { granularity: 'lines' }, 'main.retainSmall /src/capture/main.go:44')).toBeDefined();
    expect(row(p, { granularity: 'files' }, '/src/capture/main.go')).toBeDefined();
  });
});

describe('diff (--base)', () => {
  it('a profile minus itself is empty', async () => {
    const p = await load('heap-gc1.pb.gz');
    const d = diffProfiles(p, p);
    expect(d.samples.count).toBe(0);
    expect(topReport(d, opts()).rows).toHaveLength(0);
  });

  it('shows growth as positive and shrinkage as negative', async () => {
    const [now, before] = await Promise.all([load('heap-gc1.pb.gz'), load('heap.pb.gz')]);
    const d = diffProfiles(now, before);
    const large = row(d, {}, 'main.retainLarge');
    expect(large!.flat).toBeGreaterThan(0); // retainLarge was not yet published in heap.pb.gz
    const nowSmall = row(now, {}, 'main.retainSmall')!.flat;
    const beforeSmall = row(before, {}, 'main.retainSmall')!.flat;
    expect(row(d, {}, 'main.retainSmall')?.flat ?? 0).toBe(nowSmall - beforeSmall);
  });

  it('refuses to diff profiles of different kinds', async () => {
    const [heap, cpu] = await Promise.all([load('heap.pb.gz'), load('cpu.pb.gz')]);
    expect(() => diffProfiles(heap, cpu)).toThrow(/another kind/);
  });

  it('merging a profile with itself doubles every value', async () => {
    const p = await load('allocs.pb.gz');
    const m = mergeProfiles([p, p]);
    expect(computeTotal(m, 1)).toBe(2 * computeTotal(p, 1));
  });
});

describe('filterByName', () => {
  it('reports which expressions matched', async () => {
    const p = await load('heap.pb.gz');
    const { matched } = filterByName(p, { focus: 'nothing-matches-this', hide: 'runtime' });
    expect(matched.focus).toBe(false);
    expect(matched.hide).toBe(true);
  });
  it('does not modify its input', async () => {
    const p = await load('heap.pb.gz');
    const shape = () =>
      JSON.stringify(Array.from({ length: p.samples.count }, (_, i) => sampleLocations(p, i).map((l) => l.lines.length)));
    const before = shape();
    filterByName(p, { hide: 'main', show: 'runtime' });
    expect(shape()).toBe(before);
  });
});
