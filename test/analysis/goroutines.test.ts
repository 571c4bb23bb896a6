// Goroutine groups and their growth, and a group's goroutines in a debug=2 dump, on the real
// Go 1.19 captures: at +3 s 50 goroutines were leaked on a channel; at ~+65 s, 70 (README of
// the captures), with debug=2 taken at the same moment.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { advanceGroupTrail, GONE_KEEP_MS, goroutineRows, groupDumpSummary, NOT_STARTED, visibleGroups, type GoroutineProfileAt, type GroupTrail } from '../../src/analysis/goroutines.js';
import { parseGoroutineDebug1, parseGoroutineDebug2, type CountProfile, type GoroutineDump } from '../../src/profile/goroutine-text.js';
import { readFixture } from '../source/go119-fixtures.js';
import { REPO_ROOT } from '../helpers/paths.js';

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

describe('groupDumpSummary agrees with the group count', () => {
  it('finds the main goroutine, whose runtime.main frame debug=2 does not print ("1 goroutines … 0 goroutines" before)', () => {
    const main = goroutineRows(later, null).find((r) => r.entry === 'runtime.main')!;
    expect(main.group.frames.at(-1)!.func).toBe('runtime.main');
    const s = groupDumpSummary(main.group, dump.goroutines);
    expect(s.members).toBe(main.count);
    expect(s.ids).toEqual([1]);
  });

  it('every group of the capture taken with the dump matches as many goroutines as it counts, but the pprof handler that served each (a different request)', () => {
    for (const r of goroutineRows(later, null)) {
      const s = groupDumpSummary(r.group, dump.goroutines);
      if (r.top.startsWith('runtime/pprof.')) expect(s.members, r.top).toBe(0);
      else expect(s.members, `${r.top} ← ${r.entry}`).toBe(r.count);
    }
  });
});

/**
 * The goroutine-leak recording (fixtures/recordings, the Go fixture target polled at 1 s): each
 * poll an HTTP connection's goroutine or a goroutine not started yet comes or goes.
 */
const RECORDING = join(REPO_ROOT, 'fixtures/recordings/goroutine-leak');
function recordedPolls(): GoroutineProfileAt[] {
  const out: GoroutineProfileAt[] = [];
  for (let seq = 1; seq <= 25; seq++) {
    const f = join(RECORDING, 'polls', String(seq).padStart(6, '0'), 'goroutine-debug1.txt');
    if (!existsSync(f)) continue;
    const r = parseGoroutineDebug1(readFileSync(f, 'utf8'));
    if (!r.ok) throw new Error(r.error);
    out.push({ groups: r.value, seq, time: 1_000_000 + seq * 1000 });
  }
  return out;
}

describe('groups across polls (the trail)', () => {
  const polls = recordedPolls();

  it('the recording really has groups that come and go between polls', () => {
    expect(polls.length).toBeGreaterThan(10);
    let changes = 0;
    for (let i = 1; i < polls.length; i++) {
      const before = new Set(goroutineRows(polls[i - 1]!.groups, null).map((r) => r.key));
      changes += goroutineRows(polls[i]!.groups, null).filter((r) => !before.has(r.key)).length;
    }
    expect(changes).toBeGreaterThan(5);
  });

  it('a group without frames says it has not started yet, not "?  ?"', () => {
    const empty = polls.flatMap((p) => goroutineRows(p.groups, null)).find((r) => r.group.frames.length === 0)!;
    expect(empty).toBeDefined();
    expect([empty.top, empty.entry]).toEqual([NOT_STARTED.top, NOT_STARTED.entry]);
    expect(`${empty.top} ${empty.entry}`).not.toContain('?');
    expect(groupDumpSummary(empty.group, dump.goroutines).members).toBe(0);
  });

  it('no row moves from one poll to the next: a group that went keeps its place, marked gone; a new one goes below its peers', () => {
    let trail: GroupTrail | null = null;
    let moved = 0;
    let goneSeen = 0;
    for (const p of polls) {
      const before = trail?.rows.map((r) => r.key) ?? [];
      trail = advanceGroupTrail(trail, p, polls[0]!);
      const now = visibleGroups(trail, p.time).map((r) => r.key);
      before.forEach((k, i) => {
        if (now[i] !== k) moved++;
      });
      const present = new Set(goroutineRows(p.groups, null).map((r) => r.key));
      for (const r of trail.rows) {
        expect(r.goneAt === null, r.top).toBe(present.has(r.key));
        if (r.goneAt !== null) {
          goneSeen++;
          expect(r.count).toBe(0);
          expect(r.lastCount).toBeGreaterThan(0);
        }
      }
    }
    expect(goneSeen).toBeGreaterThan(0);
    expect(moved).toBe(0);

    // Without the trail, the same polls move rows about.
    let plainMoved = 0;
    for (let i = 1; i < polls.length; i++) {
      const a = goroutineRows(polls[i - 1]!.groups, polls[0]!.groups).map((r) => r.key);
      const b = goroutineRows(polls[i]!.groups, polls[0]!.groups).map((r) => r.key);
      a.forEach((k, j) => {
        if (b[j] !== k) plainMoved++;
      });
    }
    expect(plainMoved).toBeGreaterThan(0);
  });

  it('a gone group stays listed for GONE_KEEP_MS after it went, then is dropped', () => {
    const [p1, p2] = polls;
    const t1 = advanceGroupTrail(null, p1!, p1!);
    const t2 = advanceGroupTrail(t1, p2!, p1!);
    const gone = t2.rows.filter((r) => r.goneAt !== null);
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.every((r) => r.goneAt === p2!.time)).toBe(true);
    expect(visibleGroups(t2, p2!.time + GONE_KEEP_MS - 1)).toEqual(t2.rows);
    const later = visibleGroups(t2, p2!.time + GONE_KEEP_MS);
    expect(later.some((r) => r.goneAt !== null)).toBe(false);
    expect(later).toHaveLength(t2.rows.length - gone.length);
    // The same profile again changes nothing; a restart (another first profile) starts afresh.
    expect(advanceGroupTrail(t2, p2!, p1!)).toBe(t2);
    expect(advanceGroupTrail(t2, p2!, p2!).rows.some((r) => r.goneAt !== null)).toBe(false);
  });
});
