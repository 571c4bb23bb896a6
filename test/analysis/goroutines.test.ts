// Goroutine groups and their growth, and a group's goroutines in a debug=2 dump, on the real
// Go 1.19 captures: at +3 s 50 goroutines were leaked on a channel; at ~+65 s, 70 (README of
// the captures), with debug=2 taken at the same moment.

import { describe, expect, it } from 'vitest';
import { goroutineRows, groupDumpSummary } from '../../src/analysis/goroutines.js';
import { parseGoroutineDebug1, parseGoroutineDebug2, type CountProfile, type GoroutineDump } from '../../src/profile/legacy-text.js';
import { readFixture } from '../source/go119-fixtures.js';

function debug1(name: string): CountProfile {
  const r = parseGoroutineDebug1(readFixture(name));
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function debug2(name: string): GoroutineDump {
  const r = parseGoroutineDebug2(readFixture(name));
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const first = debug1('goroutine.debug1.txt');
const later = debug1('goroutine.after1min.debug1.txt');
const dump = debug2('goroutine.debug2.txt');

describe('goroutineRows', () => {
  it('puts the leaking group first, with its growth since the first poll', () => {
    const rows = goroutineRows(later, first);
    expect(rows[0]).toMatchObject({ count: 70, delta: 20, top: 'main.leakGoroutines.func1', entry: 'main.leakGoroutines.func1' });
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(later.total);
    // Sorted by count, largest first.
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.count).toBeGreaterThanOrEqual(rows[i]!.count);
  });

  it('keeps labelled groups apart, with their labels, and counts everything as new without a first poll', () => {
    const rows = goroutineRows(later, null);
    const labelled = rows.find((r) => r.labels !== null)!;
    expect(labelled.labels).toEqual({ component: 'ingest', tenant: 'acme' });
    expect(labelled.count).toBe(5);
    expect(rows.every((r) => r.delta === r.count)).toBe(true);
  });
});

describe('groupDumpSummary', () => {
  it('finds the leaked goroutines in the debug=2 dump: all blocked on a channel for a minute, created by the leaking function', () => {
    const leak = goroutineRows(later, first)[0]!;
    const s = groupDumpSummary(leak.group, dump.goroutines);
    expect(s.members).toBe(70);
    expect(s.states).toEqual([{ state: 'chan receive', n: 70, maxWait: 1 }]);
    expect(s.createdBy?.func).toBe('main.leakGoroutines');
    expect(s.ids).toHaveLength(20);
    expect(s.ids).toContain(19);
  });

  it('matches the labelled sleepers although debug=1 hides their runtime frames', () => {
    const labelled = goroutineRows(later, null).find((r) => r.labels !== null)!;
    const s = groupDumpSummary(labelled.group, dump.goroutines);
    expect(s.members).toBe(5);
    expect(s.states).toEqual([{ state: 'sleep', n: 5, maxWait: 1 }]);
    expect(s.createdBy?.func).toBe('main.labeledWorkers.func1');
  });
});
