import { describe, it, expect } from 'vitest';
import {
  parseExpvar,
  parseHeapDebug1MemStats,
  tryParseHeapDebug1MemStats,
  type MemStats,
} from '../../src/profile/memstats.js';
import { readFixture } from '../source/go119-fixtures.js';

const HEAP_TEXTS = ['heap.debug1.txt', 'heap-gc1.debug1.txt', 'heap-after-freeosmemory.debug1.txt', 'allocs.debug1.txt'];

function mustParseTrailer(name: string): MemStats {
  const stats = parseHeapDebug1MemStats(readFixture(name));
  expect(stats, name).not.toBeNull();
  return stats!;
}

/** Identities that hold in every capture (docs/formats.md#memstats-trailer). */
function expectMemStatsIdentities(s: MemStats): void {
  expect(s.HeapSys).toBe(s.HeapInuse + s.HeapIdle);
  expect(s.HeapReleased).toBeLessThanOrEqual(s.HeapIdle);
  expect(s.Sys).toBe(s.HeapSys + s.StackSys + s.MSpanSys + s.MCacheSys + s.BuckHashSys + s.GCSys + s.OtherSys);
  expect(s.Alloc).toBe(s.HeapAlloc);
}

describe('parseHeapDebug1MemStats on real captures', () => {
  it('reads every field of heap.debug1.txt', () => {
    const s = mustParseTrailer('heap.debug1.txt');
    expect(s).toMatchObject({
      Alloc: 18445072, TotalAlloc: 18641776, Sys: 31831304, Lookups: 0, Mallocs: 4267, Frees: 654,
      HeapAlloc: 18445072, HeapSys: 20447232, HeapIdle: 1220608, HeapInuse: 19226624,
      HeapReleased: 1220608, HeapObjects: 3613,
      StackInuse: 524288, StackSys: 524288, MSpanInuse: 177840, MSpanSys: 178992,
      MCacheInuse: 2400, MCacheSys: 15600, BuckHashSys: 1445704, GCSys: 8608112, OtherSys: 611376,
      NextGC: 30063040, NumGC: 3, NumForcedGC: 0, GCCPUFraction: 0.03753535937933471,
      DebugGC: false, MaxRSS: 26263552,
    });
    // ns since epoch, beyond 2^53: equal to the JS-number rounding of the printed digits.
    expect(s.LastGC).toBe(Number('1795671716054802707'));
    expect(s.PauseNs).toHaveLength(256);
    expect(s.PauseNs!.slice(0, 4)).toEqual([10847, 202382, 90495, 0]);
    expect(s.PauseEnd).toHaveLength(256);
    expect(s.PauseEnd![2]).toBe(s.LastGC); // the last pause ended at LastGC
    expect(s.PauseNs![(s.NumGC + 255) % 256]).toBe(90495); // most recent pause
    // Not printed by the heap trailer: absent rather than invented.
    expect(s).not.toHaveProperty('PauseTotalNs');
    expect(s).not.toHaveProperty('EnableGC');
    expectMemStatsIdentities(s);
  });

  it('reads heap-gc1.debug1.txt, taken after two forced GCs', () => {
    const s = mustParseTrailer('heap-gc1.debug1.txt');
    expect(s).toMatchObject({
      Alloc: 17076080, TotalAlloc: 19969704, Sys: 31831304, Mallocs: 4980, Frees: 1905,
      HeapSys: 20480000, HeapIdle: 2752512, HeapInuse: 17727488, HeapReleased: 802816, HeapObjects: 3075,
      StackInuse: 491520, StackSys: 491520, BuckHashSys: 1446560, GCSys: 8700632, OtherSys: 518000,
      NextGC: 34432752, NumGC: 5, NumForcedGC: 2, GCCPUFraction: 0.00028100654848185963, MaxRSS: 27705344,
    });
    expectMemStatsIdentities(s);
  });

  it('finds the trailer after the 35 KB of records in heap-after-freeosmemory.debug1.txt', () => {
    const s = mustParseTrailer('heap-after-freeosmemory.debug1.txt');
    // Same value as the 3-after-free line of proc/memory-phases.txt (default run).
    expect(s.HeapReleased).toBe(274096128);
    expect(s.HeapSys).toBe(293044224);
    expect(s.NumGC).toBe(12);
    expect(s.NumForcedGC).toBe(4);
    expect(s.MaxRSS).toBe(307806208);
    expectMemStatsIdentities(s);
  });

  it('parses every heap/allocs capture and keeps the identities', () => {
    for (const name of HEAP_TEXTS) expectMemStatsIdentities(mustParseTrailer(name));
  });

  it('scans only the trailer: a 20 MB body parses quickly', () => {
    const text = readFixture('heap-after-freeosmemory.debug1.txt');
    const trailerAt = text.indexOf('\n# runtime.MemStats');
    const records = text.slice(0, trailerAt);
    const big = records.repeat(Math.ceil(20e6 / records.length)) + text.slice(trailerAt);
    const started = performance.now();
    const s = parseHeapDebug1MemStats(big);
    expect(performance.now() - started).toBeLessThan(250);
    expect(s?.HeapReleased).toBe(274096128);
  });
});

describe('parseHeapDebug1MemStats on other inputs', () => {
  const heap = readFixture('heap.debug1.txt');

  it('returns null without a trailer, and says why in the ParseResult form', () => {
    expect(parseHeapDebug1MemStats('')).toBeNull();
    expect(parseHeapDebug1MemStats(readFixture('goroutine.debug1.txt'))).toBeNull();
    const result = tryParseHeapDebug1MemStats('heap profile: 0: 0 [0: 0] @ heap/1048576\n');
    expect(result).toEqual({ ok: false, error: expect.stringContaining('no "# runtime.MemStats" trailer') });
  });

  it('rejects a trailer cut before the required fields, naming what is missing', () => {
    const cut = heap.slice(0, heap.indexOf('# Stack = '));
    expect(parseHeapDebug1MemStats(cut)).toBeNull();
    const result = tryParseHeapDebug1MemStats(cut);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatch(/StackInuse/);
      expect(result.error).not.toMatch(/\n/);
    }
  });

  it('keeps the required fields when only optional ones are damaged', () => {
    const damaged = heap.replace(/# PauseNs = \[10847 /, '# PauseNs = [10847 x').replace(/\n# MaxRSS = .*/, '');
    const s = parseHeapDebug1MemStats(damaged);
    expect(s?.HeapAlloc).toBe(18445072);
    expect(s).not.toHaveProperty('PauseNs');
    expect(s).not.toHaveProperty('MaxRSS');
    expect(s?.PauseEnd).toHaveLength(256);
  });

  it('only accepts the marker at the start of a line, and tolerates CRLF', () => {
    expect(parseHeapDebug1MemStats(heap.replace('\n# runtime.MemStats', '\nx # runtime.MemStats'))).toBeNull();
    expect(parseHeapDebug1MemStats(heap.replace('\n# runtime.MemStats', '\n# runtime.MemStatsX'))).toBeNull();
    expect(parseHeapDebug1MemStats(heap.replace(/\n/g, '\r\n'))?.NextGC).toBe(30063040);
  });

  it('reads Go %v float spellings for GCCPUFraction', () => {
    expect(parseHeapDebug1MemStats(heap.replace(/GCCPUFraction = .*/, 'GCCPUFraction = 1.5e-05'))?.GCCPUFraction).toBe(1.5e-5);
    expect(parseHeapDebug1MemStats(heap.replace(/GCCPUFraction = .*/, 'GCCPUFraction = 0'))?.GCCPUFraction).toBe(0);
  });
});

describe('parseExpvar', () => {
  it('reads vars.json: cmdline and the whole MemStats', () => {
    const result = parseExpvar(readFixture('vars.json'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { memstats, cmdline, vars, memstatsError } = result.value;
    expect(cmdline).toEqual(['/src/bin/capturedemo', '-addr', '127.0.0.1:6060']);
    expect(vars).toEqual({});
    expect(memstatsError).toBeNull();
    expect(memstats).toMatchObject({
      Alloc: 23339024, TotalAlloc: 37542056, Sys: 44938504, HeapAlloc: 23339024, HeapSys: 32997376,
      HeapIdle: 8781824, HeapInuse: 24215552, HeapReleased: 2195456, HeapObjects: 6891,
      StackInuse: 557056, StackSys: 557056, NextGC: 36863088, PauseTotalNs: 521920,
      NumGC: 6, NumForcedGC: 2, GCCPUFraction: 0.00017750643461852866, EnableGC: true, DebugGC: false,
    });
    expect(memstats!.PauseNs!.slice(0, 7)).toEqual([10847, 202382, 90495, 88953, 86630, 42613, 0]);
    // PauseTotalNs is the sum of the ring while NumGC < 256.
    expect(memstats!.PauseNs!.reduce((a, b) => a + b, 0)).toBe(memstats!.PauseTotalNs);
    expect(memstats).not.toHaveProperty('MaxRSS');
    expect(memstats).not.toHaveProperty('BySize');
    expectMemStatsIdentities(memstats!);
  });

  it('agrees with runtime-metrics.txt on fields that only move at GC (same NumGC)', () => {
    const metrics = new Map(
      readFixture('runtime-metrics.txt').split('\n').map((line) => line.split(' ') as [string, string]),
    );
    const result = parseExpvar(readFixture('vars.json'));
    if (!result.ok) throw new Error(result.error);
    expect(result.value.memstats!.Sys).toBe(Number(metrics.get('/memory/classes/total:bytes')));
    expect(result.value.memstats!.HeapReleased).toBe(Number(metrics.get('/memory/classes/heap/released:bytes')));
    expect(result.value.memstats!.NextGC).toBe(Number(metrics.get('/gc/heap/goal:bytes')));
  });

  it('classifies bad JSON and wrong shapes without throwing', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty body/],
      ['   \n', /empty body/],
      ['{"cmdline": [', /invalid JSON/],
      ['<html>502 Bad Gateway</html>', /invalid JSON/],
      ['[1,2]', /top level, got an array/],
      ['null', /got null/],
      ['42', /got a number/],
    ];
    for (const [input, message] of cases) {
      const result = parseExpvar(input);
      expect(result.ok, input).toBe(false);
      if (!result.ok) {
        expect(result.error).toMatch(message);
        expect(result.error).not.toMatch(/\n/);
      }
    }
  });

  it('tolerates missing or odd keys and keeps application vars', () => {
    const result = parseExpvar('{"requests": 12, "cmdline": "not-an-array", "__proto__": {"polluted": true}}');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.memstats).toBeNull();
    expect(result.value.memstatsError).toBeNull();
    expect(result.value.cmdline).toBeNull();
    expect(result.value.vars['requests']).toBe(12);
    expect(Object.getPrototypeOf(result.value.vars)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('reports an unusable memstats object instead of inventing fields', () => {
    const partial = parseExpvar('{"memstats": {"Alloc": 1, "HeapAlloc": 1}}');
    expect(partial.ok && partial.value.memstats).toBeNull();
    expect(partial.ok && partial.value.memstatsError).toMatch(/lacks \d+ required field/);
    const wrongType = parseExpvar('{"memstats": "oops"}');
    expect(wrongType.ok && wrongType.value.memstatsError).toMatch(/is a string, not an object/);
  });
});
