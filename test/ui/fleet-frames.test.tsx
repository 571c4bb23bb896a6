// Frames of the fleet table at 80×24 and 120×40, keys through the one keymap: rows from the
// answer captured from Prometheus 2.42 (fixtures/prometheus/query-range.json), one instance
// repeated under 100 names so the table pages.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fleetRow, type FleetRow, type FleetSnapshot } from '../../src/analysis/fleet.js';
import { parseApiBody, parseMatrix } from '../../src/source/prometheus.js';
import { instancesFromSeries } from '../../src/source/prometheus-records.js';
import { FleetStore } from '../../src/state/fleet-store.js';
import { FleetApp, type AttachedView } from '../../src/ui/FleetApp.js';
import { makeTheme } from '../../src/ui/theme.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { renderSized, type Rendered } from '../helpers/render.js';

const body = (JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures/prometheus/query-range.json'), 'utf8')) as { body: string }).body;
const captured = instancesFromSeries(parseMatrix(parseApiBody(new TextEncoder().encode(body), 200, 'x').data, 'x'));

function rows(n: number): FleetRow[] {
  return Array.from({ length: n }, (_, i) => {
    const inst = captured[i % captured.length]!;
    const key = `10.1.${Math.floor(i / 250)}.${i % 250}:8080`;
    return fleetRow({ ...inst, key, labels: { ...inst.labels, instance: key } }, null);
  });
}

function snapshot(r: FleetRow[]): FleetSnapshot {
  return { version: 1, status: 'ready', rows: r, at: 1_796_594_792_000, stepMs: 1000, windowMs: 4000, match: 'job="capture"', server: 'http://prom:9090', stale: false, failures: 0, lastError: null, nextRefreshAt: null, warnings: [], queries: 5 };
}

const mounted: Rendered[] = [];
afterEach(() => {
  for (const r of mounted.splice(0)) r.unmount();
});

function open(n: number, columns: number, lines: number) {
  const store = new FleetStore({ snapshot: () => snapshot(rows(n)), subscribe: () => () => undefined });
  const calls: { attach: FleetRow[]; compare: Array<[FleetRow, FleetRow]> } = { attach: [], compare: [] };
  const refuse = async (): Promise<AttachedView> => Promise.reject(new Error('not in this test'));
  const r = renderSized(
    <FleetApp
      store={store}
      theme={makeTheme({ NO_COLOR: '1' })}
      quit={() => undefined}
      attach={(row) => (calls.attach.push(row), refuse())}
      compare={(a, b) => (calls.compare.push([a, b]), refuse())}
      refreshNow={() => undefined}
      now={() => 1_796_594_792_000}
    />,
    { columns, rows: lines },
  );
  mounted.push(r);
  return { r, store, calls };
}

describe('the fleet table', () => {
  it('at 80×24: instance, RSS, heap, growth and verdict; only the rows that fit; the footer from the keymap', async () => {
    const { r } = open(100, 80, 24);
    await r.press();
    const lines = r.lines();
    expect(lines).toHaveLength(24);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^livepprof fleet \{job="capture"\}  100 instances/);
    for (const w of ['instance', 'RSS', 'heap', 'heap/h▼', 'verdict']) expect(lines[2]).toContain(w);
    expect(lines[2]).not.toContain('goal');
    expect(lines.filter((l) => /^[› ] 10\.1\./.test(l))).toHaveLength(24 - 3 - 2 - 2);
    expect(lines[23]).toMatch(/^Enter attach .*q quit +\? help/);
  });

  it('at 120×40 adds columns: sparklines, RSS growth, goal, goroutines, runway', async () => {
    const { r } = open(100, 120, 40);
    await r.press();
    for (const w of ['RSS trend', 'heap trend', 'RSS/h', 'goal', 'gorout', 'runway']) expect(r.lines()[2]).toContain(w);
  });

  it('/ narrows as it is typed, Esc unwinds; s sorts by the next column; Enter attaches to the row under the cursor; m twice compares', async () => {
    const { r, store, calls } = open(100, 80, 24);
    await r.press('/');
    await r.type('10.1.0.7');
    expect(r.lastFrame()).toContain('/10.1.0.7: 11 of 100');
    await r.press('enter', 'j', 'enter');
    expect(calls.attach.map((x) => x.key)).toEqual([store.getSnapshot().rows[1]!.key]);
    // A failed attach is one line in the error overlay; Esc dismisses it, the next clears the filter.
    await r.press();
    expect(r.lastFrame()).toContain(`attaching to ${calls.attach[0]!.key} failed: not in this test`);
    await r.press('escape');
    expect(store.getSnapshot().ui.filter).toBe('10.1.0.7');
    await r.press('escape');
    expect(store.getSnapshot().ui.filter).toBe('');
    await r.press('s');
    expect(r.lastFrame()).toContain('sorted by RSS growth/h');
    await r.press('g', 'm', 'j', 'j', 'm');
    const [a, b] = calls.compare[0]!;
    expect([a.key, b.key]).toEqual([store.getSnapshot().rows[0]!.key, store.getSnapshot().rows[2]!.key]);
    await r.press('?');
    expect(r.lastFrame()).toContain('Keys in the fleet table');
    expect(r.lastFrame()).not.toContain('Overview: RSS vs heap');
  });
});
