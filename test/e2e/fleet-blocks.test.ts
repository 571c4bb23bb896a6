// A fixed, repeatable fleet: generated history (fixtures/prometheus/generate-history.mjs) loaded
// into Debian's Prometheus 2.42 with `promtool tsdb create-blocks-from openmetrics`, queried at a
// fixed time. Three leaks at different rates rank first, fastest first; every shape gets its
// verdict; cAdvisor's working set and limit are joined on the pod; the runway is against the limit;
// a rolling deployment halfway through: the replaced instances are gone, last, their successors judged.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceName, shapeOf, writeFleetHistory } from '../../fixtures/prometheus/generate-history.mjs';
import { runCli } from '../helpers/cli.js';
import { blocksFromOpenMetrics, startPrometheus, type RunningPrometheus } from '../helpers/fleet-prometheus.js';
import { CLI } from '../helpers/paths.js';
import { requireTool } from '../helpers/require-tool.js';
import { startTmux } from '../helpers/tmux.js';

const INSTANCES = 12;
/** Replaced halfway through the 2 h window (the generator's last two, by instances 12 and 13). */
const REPLACED = 2;
const ALL = INSTANCES + REPLACED;
const END = 1_767_225_600; // 2026-01-01T00:00:00Z

interface Line {
  instance: string;
  workingSet: number | null;
  memoryLimit: number | null;
  growthPerHour: { liveHeap: number; rss: number };
  runway: { limitSource: string } | null;
  missing: string[];
  goneSeconds: number | null;
  goVersion: string | null;
  verdict: { kind: string; summary: string };
}

describe.skipIf(!requireTool('prometheus', 'the fleet on generated Prometheus history'))('fleet: generated history at a fixed time', () => {
  let prom: RunningPrometheus;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'livepprof-om-'));
    try {
      await writeFleetHistory(join(dir, 'fleet.om'), { instances: INSTANCES, hours: 2, stepSeconds: 60, endSeconds: END, replaced: REPLACED });
      prom = await startPrometheus({ blocksFrom: await blocksFromOpenMetrics(join(dir, 'fleet.om')) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
  afterAll(async () => {
    await prom?.stop();
  });

  it('ranks the leaks first, fastest first, and names every shape', async () => {
    const r = await runCli(['fleet', '--prometheus', prom.url, '--match', 'job="api"', '--window', '2h', '--at', new Date(END * 1000).toISOString(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
    expect(lines).toHaveLength(ALL);
    const index = (l: Line) => [...Array(ALL).keys()].find((i) => instanceName(i) === l.instance)!;
    const summary = lines.map((l) => `${l.instance} ${shapeOf(index(l), INSTANCES)} → ${l.verdict.kind}: ${l.verdict.summary}`).join('\n');
    // The generator's leaks grow at 300, 450 and 600 MB over the window for instances 0, 1, 2.
    expect(lines.slice(0, 3).map(index), summary).toEqual([2, 1, 0]);
    for (const l of lines) expect(l.verdict.kind, summary).toBe(shapeOf(index(l), INSTANCES));
    for (const l of lines) {
      expect(l.workingSet, l.instance).toBeGreaterThan(0);
      expect(l.memoryLimit).toBe(2048 * 2 ** 20);
      expect(l.missing).toEqual([]);
      expect(l.goVersion, l.instance).toBe('go1.22.5');
    }
    expect(lines[0]!.runway?.limitSource).toBe('cgroup');
    // The two replaced halfway come last, gone for the hour since, less Prometheus's 5 min
    // lookback (blocks made by promtool have no staleness markers); their successors report to the end.
    expect(lines.slice(-REPLACED).map(index).sort(), summary).toEqual([INSTANCES - 2, INSTANCES - 1]);
    // Their last sample is 61 min before the end; the last step time answered is up to 5 min after it.
    for (const l of lines.slice(-REPLACED)) expect(l.goneSeconds, l.instance).toBe(61 * 60 - 300);
    for (const l of lines.slice(0, -REPLACED)) expect(l.goneSeconds, l.instance).toBeNull();
  }, 60_000);

  // In a real terminal, as CI runs it (CI=true: Ink must still be interactive); 80×24.
  it.skipIf(!requireTool('tmux', 'the fleet table in a real terminal'))('the table in tmux at 80×24: leaks first, / narrows, Enter on a generated instance says in one line why it cannot attach, q restores the terminal', async () => {
    const s = await startTmux({
      command: [process.execPath, CLI, 'fleet', '--prometheus', prom.url, '--match', 'job="api"', '--window', '2h', '--at', new Date(END * 1000).toISOString(), '--timeout', '1s'],
      width: 80,
      height: 24,
      env: { CI: 'true', NO_COLOR: '1' },
    });
    try {
      await s.waitFor(/HEAP LEAK \d+%/);
      await s.waitForRawMode();
      const lines = await s.lines();
      expect(lines[0]).toMatch(/^livepprof fleet \{job="api"\}  14 instances \(2 gone\)/);
      // Gone instances sort after those still reporting, dim, their verdict cell says for how long.
      await s.sendKeys('G');
      await s.waitFor(/› 10\.0\.0\.1[01]:8080 .*gone 56m00s/);
      await s.sendKeys('g');
      expect(lines[3]).toMatch(new RegExp(`^› ${instanceName(2).replace(/\./g, '\\.')} .*HEAP LEAK`));
      await s.sendKeys('/');
      await s.sendText('goroutine');
      await s.waitFor(/\/goroutine: 1 of 14/);
      await s.sendKeys('Enter', 'Enter');
      // The generated instances were never scraped: Prometheus has no active target for them.
      await s.waitFor(/attaching to 10\.0\.0\.5:8080 failed: Prometheus scrapes no active target with/);
      await s.sendKeys('Escape', 'q');
      expect(await s.waitForExit()).toBe(0);
      expect(await s.alternateOn()).toBe(false);
    } finally {
      await s.kill();
    }
  }, 60_000);
});
