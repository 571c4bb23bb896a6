// The runtime's arithmetic the verdict stands on: which polls are GC cycles, and how much can
// have been allocated since the last one.

import { describe, expect, it } from 'vitest';
import { allocatedSinceLastGc, liveHeap } from '../../src/analysis/gc-model.js';
import { emptyRecord, type PollRecord } from '../../src/analysis/poll-record.js';

const MB = 2 ** 20;

function poll(i: number, fields: Partial<PollRecord>): PollRecord {
  return { ...emptyRecord(i + 1, 1_000_000 + i * 1000), ok: true, ...fields };
}

describe('allocatedSinceLastGc', () => {
  it('counts from the poll before the GC: a batch whose allocation triggered the GC is not hidden by the poll that saw it', () => {
    const run = [poll(0, { numGC: 5, totalAlloc: 100 * MB }), poll(1, { numGC: 6, totalAlloc: 154 * MB })];
    // The GC ran somewhere in those 54 MB: at most all of them were allocated after it.
    expect(allocatedSinceLastGc(run)).toBe(54 * MB);
    // Later polls of the same cycle add what they allocated.
    expect(allocatedSinceLastGc([...run, poll(2, { numGC: 6, totalAlloc: 155 * MB })])).toBe(55 * MB);
  });

  it('with no poll before the cycle, everything allocated is the bound', () => {
    expect(allocatedSinceLastGc([poll(0, { numGC: 3, totalAlloc: 20 * MB })])).toBe(20 * MB);
    expect(allocatedSinceLastGc([poll(0, { numGC: 3, totalAlloc: null })])).toBeNull();
  });
});

describe('liveHeap', () => {
  it('polls before the first GC (NumGC 0) are no cycle: the heap goal is the source from the first GCs on', () => {
    const gogc = { value: 100, source: 'environ' as const };
    const run = [
      poll(0, { numGC: 0, nextGC: 4 * MB }),
      poll(1, { numGC: 3, nextGC: 110 * MB, stackInuse: 0 }),
      poll(2, { numGC: 4, nextGC: 103 * MB, stackInuse: 0 }),
    ];
    const live = liveHeap(run, gogc);
    expect(live.source).toBe('heap-goal');
    expect(live.points.map((p) => p.numGC)).toEqual([3, 4]);
    expect(live.points.map((p) => p.v / MB)).toEqual([55, 51.5]);
  });
});
