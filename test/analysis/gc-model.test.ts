// The runtime's arithmetic the verdict stands on: which polls are GC cycles, and how much can
// have been allocated since the last one.

import { describe, expect, it } from 'vitest';
import { allocatedSinceLastGc, liveHeap } from '../../src/analysis/gc-model.js';
import { emptyRecord, type PollRecord } from '../../src/analysis/poll-record.js';
import { STRATUM_BURST, STRATUM_PLAIN, STRATUM_UNKNOWN } from '../../src/analysis/trend.js';

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

describe('liveHeap: GCs during a burst of allocation (withBurstStrata)', () => {
  const gogc = { value: 100, source: 'metrics' as const };
  // 2 MB/s of churn; polls 1 s apart; each GC poll sets the live heap through its goal (2 × live).
  function run(polls: Array<{ gc?: number; live?: number; alloc?: number }>): PollRecord[] {
    let total = 0;
    let numGC = 0;
    let goal = 4 * MB;
    return polls.map((p, i) => {
      total += p.alloc ?? 2 * MB;
      if (p.gc !== undefined) {
        numGC += 1;
        goal = 2 * p.live!;
      }
      return poll(i, { numGC, nextGC: goal, totalAlloc: total, stackInuse: 0, gogc: 100, gogcSource: 'metrics' });
    });
  }

  it('a GC in (or just after) an interval that allocated a batch, finding more live than the plain GC before, is compared only with its kind', () => {
    const live = liveHeap(
      run([{}, { gc: 1, live: 10 * MB }, {}, { alloc: 60 * MB }, { gc: 1, live: 55 * MB }, {}, { gc: 1, live: 11 * MB }, {}, { alloc: 60 * MB, gc: 1, live: 40 * MB }]),
      gogc,
    );
    expect(live.points.map((p) => p.v / MB)).toEqual([10, 55, 11, 40]);
    expect(live.points.map((p) => p.g)).toEqual([STRATUM_PLAIN, STRATUM_BURST, STRATUM_PLAIN, STRATUM_BURST]);
  });

  it('a batch held for seconds: a GC two polls after its allocation still counts as one that may have caught it; three after, not', () => {
    const held = (gap: number) =>
      liveHeap(run([{}, { gc: 1, live: 10 * MB }, { alloc: 60 * MB }, ...Array.from({ length: gap - 1 }, () => ({})), { gc: 1, live: 58 * MB }]), gogc).points.map((p) => p.g);
    expect(held(2)).toEqual([STRATUM_PLAIN, STRATUM_BURST]);
    expect(held(3)).toEqual([undefined, undefined]);
  });

  it('a GC after a burst that finds no more live than before missed it (freed first): plain, and a run with no other burst has no strata', () => {
    const live = liveHeap(run([{}, { gc: 1, live: 10 * MB }, { alloc: 130 * MB }, { gc: 1, live: 10 * MB }, {}, { gc: 1, live: 10.5 * MB }]), gogc);
    expect(live.points.map((p) => p.g)).toEqual([undefined, undefined, undefined]);
  });

  it('the GC seen at the first poll has no interval: in a run with bursts it is compared with nothing', () => {
    const live = liveHeap(run([{ gc: 1, live: 50 * MB }, {}, { gc: 1, live: 10 * MB }, { alloc: 70 * MB }, { gc: 1, live: 60 * MB }]), gogc);
    expect(live.points.map((p) => p.g)).toEqual([STRATUM_UNKNOWN, STRATUM_PLAIN, STRATUM_BURST]);
  });

  it('steady churn, however busy, makes no strata', () => {
    const live = liveHeap(run(Array.from({ length: 12 }, (_, i) => (i % 2 ? { gc: 1, live: (10 + (i % 3)) * MB, alloc: 30 * MB } : { alloc: 30 * MB }))), gogc);
    expect(live.points.length).toBe(6);
    expect(live.points.every((p) => p.g === undefined)).toBe(true);
  });
});
