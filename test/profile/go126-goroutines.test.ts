// Go 1.26's goroutine texts, on real bytes captured from fixtures/goroutineleak (built with
// GOEXPERIMENT=goroutineleakprofile, run with GODEBUG=tracebacklabels=1; how: capture.sh there):
// the goroutine-leak profile, `(leaked)` states, and pprof labels in debug=2 headers.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasGoroutineLeakProfile, leakedCountByKey, leakedGroups } from '../../src/analysis/goroutine-leaks.js';
import { goroutineRows, groupDumpSummary } from '../../src/analysis/goroutines.js';
import { parseGoroutineDebug1, parseGoroutineDebug2 } from '../../src/profile/goroutine-text.js';
import type { ParseResult } from '../../src/profile/parse-result.js';
import { parsePprofIndex } from '../../src/source/parse-index.js';
import { REPO_ROOT } from '../helpers/paths.js';

const captured = (name: string) => readFileSync(join(REPO_ROOT, 'fixtures/goroutineleak/captured', name), 'utf8');

function unwrap<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got error: ${result.error}`);
  return result.value;
}

describe('the goroutine-leak profile (Go 1.26, GOEXPERIMENT=goroutineleakprofile)', () => {
  it('is listed by the pprof index, with its count only after a detection ran', () => {
    for (const [file, count] of [['index.before.html', 0], ['index.after.html', 6]] as const) {
      const index = unwrap(parsePprofIndex(captured(file)));
      expect(hasGoroutineLeakProfile(index)).toBe(true);
      expect(index.find((p) => p.name === 'goroutineleak')).toEqual({ name: 'goroutineleak', count, href: 'goroutineleak?debug=1' });
    }
  });

  it('parses goroutineleak?debug=1: the 6 leaked goroutines in 4 groups, one per label set, none of the gate waiters', () => {
    const leak = unwrap(parseGoroutineDebug1(captured('goroutineleak.debug1.txt')));
    expect(leak.profile).toBe('goroutineleak');
    expect(leak.total).toBe(6);
    const groups = leakedGroups(leak);
    expect(groups.map((g) => [g.count, g.top, g.labels])).toEqual([
      [2, 'main.orphanWait', { job: 'orphan', worker: '0' }],
      [2, 'main.orphanWait', { job: 'orphan', worker: '1' }],
      [1, 'main.orphanWait', { job: 'orphan', worker: '2' }],
      [1, 'main.orphanWait', { job: 'orphan', worker: '3' }],
    ]);
  });

  it('names the same groups as the goroutine profile: leaked counts land on the Goroutines pane rows', () => {
    const all = unwrap(parseGoroutineDebug1(captured('goroutine.debug1.txt')));
    const leaked = leakedCountByKey(unwrap(parseGoroutineDebug1(captured('goroutineleak.debug1.txt'))));
    const rows = goroutineRows(all, null);
    const marked = rows.filter((r) => leaked.has(r.key)).map((r) => [r.top, r.labels?.worker, r.count, leaked.get(r.key)]);
    expect(marked).toEqual([
      ['main.orphanWait', '0', 2, 2],
      ['main.orphanWait', '1', 2, 2],
      ['main.orphanWait', '2', 1, 1],
      ['main.orphanWait', '3', 1, 1],
    ]);
    // Blocked on a channel a global holds: waiting, not leaked.
    expect(rows.find((r) => r.top === 'main.gateWait')).toMatchObject({ count: 2, labels: { job: 'gate' } });
    expect(leaked.has(rows.find((r) => r.top === 'main.gateWait')!.key)).toBe(false);
  });
});

describe('goroutine?debug=2 of Go 1.26 with GODEBUG=tracebacklabels=1, after a leak detection', () => {
  const dump = unwrap(parseGoroutineDebug2(captured('goroutine.debug2.tracebacklabels.txt')));
  const withLabels = (labels: Record<string, string>) => dump.goroutines.filter((g) => JSON.stringify(g.labels) === JSON.stringify(labels));

  it('reads the labels in the headers and the (leaked) mark, keeping the wait reason as the state', () => {
    expect(dump.truncated).toBe(false);
    const worker0 = withLabels({ job: 'orphan', worker: '0' });
    expect(worker0).toHaveLength(2);
    for (const g of worker0) {
      expect(g).toMatchObject({ state: 'chan receive', leaked: true });
      expect(g.frames.map((f) => f.func)).toEqual(['main.orphanWait', 'main.leakOne.func1', 'runtime/pprof.Do']);
    }
    const gate = withLabels({ job: 'gate' });
    expect(gate.map((g) => [g.state, g.leaked])).toEqual([['chan receive', false], ['chan receive', false]]);
    expect(dump.goroutines.find((g) => g.state === 'IO wait')).toMatchObject({ leaked: false, labels: null });
    expect(dump.goroutines.filter((g) => g.leaked)).toHaveLength(6);
    expect(dump.goroutines.filter((g) => g.leaked).every((g) => g.labels?.job === 'orphan')).toBe(true);
  });

  it('matches a group\'s members by their labels too: worker 0\'s group is its 2 goroutines, not all 6 with that stack', () => {
    const groups = unwrap(parseGoroutineDebug1(captured('goroutine.debug1.txt'))).groups;
    const worker0 = groups.find((g) => g.labels?.worker === '0')!;
    const sum = groupDumpSummary(worker0, dump.goroutines);
    expect(sum).toMatchObject({ members: 2, leaked: 2, labelSets: [{ labels: { job: 'orphan', worker: '0' }, n: 2 }] });
    expect(sum.ids).toEqual(withLabels({ job: 'orphan', worker: '0' }).map((g) => g.id));
    expect(sum.states).toEqual([{ state: 'chan receive', n: 2, maxWait: null }]);
    const gate = groupDumpSummary(groups.find((g) => g.labels?.job === 'gate')!, dump.goroutines);
    expect(gate).toMatchObject({ members: 2, leaked: 0, labelSets: [{ labels: { job: 'gate' }, n: 2 }] });
  });

  it('without labels in the headers (the default) a group still matches by stack alone', () => {
    const unlabelled = dump.goroutines.map((g) => ({ ...g, labels: null }));
    const worker0 = unwrap(parseGoroutineDebug1(captured('goroutine.debug1.txt'))).groups.find((g) => g.labels?.worker === '0')!;
    expect(groupDumpSummary(worker0, unlabelled)).toMatchObject({ members: 6, leaked: 6, labelSets: [] });
  });
});
