// The fleet against a real Prometheus (Debian's 2.42) scraping real Go fixture targets every
// 200 ms: one healthy, one leaking, one keeping freed memory (a burst freed with
// GODEBUG=madvdontneed=0), one growing memory outside Go (mmap). `livepprof fleet --json` must
// rank the leak first by growth with a heap-leak verdict and call each of the others what it is.

import React from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetOpeners } from '../../src/cli/fleet-screen.js';
import { HttpClient } from '../../src/source/http.js';
import { PrometheusClient } from '../../src/source/prometheus.js';
import { FleetSource } from '../../src/source/prometheus-fleet.js';
import { FleetStore } from '../../src/state/fleet-store.js';
import { FleetApp } from '../../src/ui/FleetApp.js';
import { makeTheme } from '../../src/ui/theme.js';
import { runCli } from '../helpers/cli.js';
import { renderSized, settle } from '../helpers/render.js';
import { startPrometheus, type RunningPrometheus } from '../helpers/fleet-prometheus.js';
import { startTarget, type Target } from '../helpers/go-target.js';
import { requireTool } from '../helpers/require-tool.js';

/** How long the targets are scraped before the fleet looks at them: the window judged. */
const HISTORY_MS = 40_000;
/**
 * How much longer the healthy target runs before it. A process's live heap settles in its first
 * ~20 s (this one's heap goal went 26.1 → 27.4 MB, then held): judged from its start, a fresh
 * process is honestly "watching" — a 4% rise in 40 s cannot be ruled out — in about one run of
 * three. The others are judged from their start: the leak's GCs get rare as its heap grows.
 */
const HEALTHY_HEAD_START_MS = 15_000;

interface FleetLine {
  instance: string;
  labels: Record<string, string>;
  goVersion: string | null;
  rss: number;
  rssSource: string;
  liveHeap: number;
  liveHeapSource: string;
  growthPerHour: { liveHeap: number | null; rss: number | null };
  missing: string[];
  points: number;
  verdict: { kind: string; confidence: number; summary: string; evidence: string[] };
}

describe.skipIf(!requireTool(['go', 'prometheus'], 'the fleet against a real Prometheus'))('fleet: real Prometheus, real Go targets', () => {
  let prom: RunningPrometheus;
  const targets: Record<string, Target> = {};

  beforeAll(async () => {
    // Prometheus first: it waits ~5 s before its first scrape, while the targets start.
    // A service with a live set (64 MiB) and busy request churn (16 MiB/s: a GC every ~4 s). The
    // churn's in-flight batches grow as the machine gets busier (the leaking target's GCs get
    // heavier as it grows), so the live heap at each GC drifts up by a MB or two over the 40 s:
    // on a 24 MiB live set that was a 7% rise, which 40 s cannot tell from a slow leak
    // ("watching", CI of 2026-12-07); on 64 MiB it is under 3%. The churn-only preset's 1–3 MiB
    // of in-flight garbage swung ±50% from GC to GC.
    const [p, healthy] = await Promise.all([
      startPrometheus({ scrapeIntervalMs: 200, job: 'fleet-e2e' }),
      startTarget({ args: ['-plan', JSON.stringify({ liveBytes: 64 << 20, activities: [{ kind: 'churn', rate: 16 << 20, objSize: 1024 }] })] }),
    ]);
    prom = p;
    await new Promise((r) => setTimeout(r, HEALTHY_HEAD_START_MS));
    const [leaking, retaining, nonGo] = await Promise.all([
      startTarget({ scenario: 'heap-leak', args: ['-rate', '4'] }),
      startTarget({ scenario: 'burst-free', args: ['-burst', '192'], env: { GODEBUG: 'madvdontneed=0' } }),
      startTarget({ scenario: 'non-go', args: ['-rate', '4'] }),
    ]);
    Object.assign(targets, { healthy, leaking, retaining, nonGo });
    prom.setTargets(Object.entries(targets).map(([role, t]) => ({ address: `127.0.0.1:${t.port}`, labels: { role } })));
    await prom.waitForScrapes(Object.values(targets).map((t) => `127.0.0.1:${t.port}`));
    await new Promise((r) => setTimeout(r, HISTORY_MS));
  }, HEALTHY_HEAD_START_MS + HISTORY_MS + 90_000);

  afterAll(async () => {
    await Promise.all(Object.values(targets).map((t) => t.stop()));
    await prom?.stop();
  });

  it('ranks the leak first by growth, with a heap-leak verdict; retention, non-Go and healthy are each called what they are', async () => {
    // One sample per scrape (the default, window/60, is 667 ms here): at each GC the classic
    // /metrics gives HeapAlloc at the next sample, above the live heap by what was allocated
    // since, and at 667 ms that swung the healthy instance's points ±20% (26 → 35 MB). A window
    // of hours has the GCs to average that out; 40 s does not.
    const r = await runCli(['fleet', '--prometheus', prom.url, '--match', 'job="fleet-e2e"', '--window', `${HISTORY_MS / 1000}s`, '--step', '200ms', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as FleetLine);
    const role = (l: FleetLine) => l.labels.role ?? Object.entries(targets).find(([, t]) => l.instance === `127.0.0.1:${t.port}`)?.[0];
    const byRole = Object.fromEntries(lines.map((l) => [role(l), l]));
    const summary = lines.map((l) => `${role(l)}: ${l.verdict.kind} (${l.verdict.summary}) growth ${l.growthPerHour.liveHeap}/h, ${l.points} points`).join('\n');
    expect(lines.map(role).sort(), summary).toEqual(['healthy', 'leaking', 'nonGo', 'retaining']);
    expect(role(lines[0]!), summary).toBe('leaking');
    expect(byRole.leaking!.verdict.kind, summary).toBe('heap-leak');
    expect(byRole.retaining!.verdict.kind, summary).toBe('runtime-retention');
    expect(byRole.nonGo!.verdict.kind, summary).toBe('non-go-memory');
    expect(byRole.healthy!.verdict.kind, summary).toBe('healthy');
    for (const l of lines) {
      expect(l.rssSource).toBe('metrics');
      expect(l.goVersion).toMatch(/^go1\.\d+/);
      // The fixture's /metrics has neither go_gc_heap_live_bytes nor GOGC: said, not guessed.
      expect(l.missing.join('\n')).toMatch(/live heap \(go_gc_heap_live_bytes/);
      expect(l.missing.join('\n')).toMatch(/GOGC/);
    }
    // The leak's growth is of the order of the rate it leaks at (4 MiB/s).
    expect(byRole.leaking!.growthPerHour.liveHeap! / 3600).toBeGreaterThan(2 * 2 ** 20);
    expect(byRole.leaking!.growthPerHour.liveHeap! / 3600).toBeLessThan(8 * 2 ** 20);
  }, 60_000);

  it('history: attaching with --prometheus gives a verdict on the first poll (the selector found from the scrape targets); without, it is watching', async () => {
    const addr = `127.0.0.1:${targets.leaking!.port}`;
    const withHistory = await runCli(['watch', addr, '--prometheus', prom.url, '--window', `${HISTORY_MS / 1000}s`, '--count', '1', '--json']);
    expect(withHistory.code, withHistory.stderr).toBe(0);
    const line = JSON.parse(withHistory.stdout.trim().split('\n')[0]!) as { verdict: { kind: string; summary: string }; prometheusHistory: { points: number; note: string }; rssSource: string };
    expect(line.prometheusHistory.points).toBeGreaterThan(50);
    expect(line.prometheusHistory.note).toContain(`{instance="${addr}",job="fleet-e2e"}`);
    expect(line.verdict.kind, line.verdict.summary).toBe('heap-leak');
    // The poll itself is live: RSS from this host's /proc, as without --prometheus.
    expect(line.rssSource).toBe('proc');
    const without = await runCli(['watch', addr, '--count', '1', '--json']);
    expect((JSON.parse(without.stdout.trim()) as { verdict: { kind: string } }).verdict.kind).toBe('insufficient-data');
    // The instance named: the same history.
    const named = await runCli(['watch', addr, '--prometheus', prom.url, '--match', `{instance="${addr}"}`, '--window', `${HISTORY_MS / 1000}s`, '--count', '1', '--json']);
    expect((JSON.parse(named.stdout.trim()) as { verdict: { kind: string } }).verdict.kind).toBe('heap-leak');
  }, 60_000);

  it('history: a selector that matches several instances is refused in one line, naming them', async () => {
    const r = await runCli(['watch', `127.0.0.1:${targets.healthy!.port}`, '--prometheus', prom.url, '--match', 'job="fleet-e2e"', '--count', '1', '--json']);
    const line = JSON.parse(r.stdout.trim()) as { prometheusHistory: { points: number; note: string } };
    expect(line.prometheusHistory.points).toBe(0);
    expect(line.prometheusHistory.note).toMatch(/^no history from Prometheus: --match \{job="fleet-e2e"\} matches 4 instances \(127\.0\.0\.1:\d+/);
  }, 30_000);

  it('the table at 120×40; Enter attaches to the instance under the cursor (its pid), Esc comes back; two marks diff their heaps', async () => {
    const client = new PrometheusClient(prom.url, new HttpClient({}));
    const source = new FleetSource(client, { match: 'job="fleet-e2e"', windowMs: HISTORY_MS, points: 120, atMs: null }, { refreshMs: 3_600_000 });
    expect(await source.refresh()).toBe(true);
    const store = new FleetStore(source);
    const openers = fleetOpeners({ client, http: {}, limits: {}, template: null, intervalMs: 500 });
    const app = React.createElement(FleetApp, { store, theme: makeTheme({ NO_COLOR: '1' }), quit: () => undefined, attach: openers.attach, compare: openers.compare, refreshNow: () => undefined });
    const r = renderSized(app, { columns: 120, rows: 40 });
    const until = async (text: string) => {
      for (let i = 0; i < 400 && !r.lastFrame().includes(text); i++) await new Promise((res) => setTimeout(res, 25));
      expect(r.lastFrame()).toContain(text);
    };
    try {
      await settle();
      const addr = (t: Target) => `127.0.0.1:${t.port}`;
      const lines = r.lines();
      expect(lines).toHaveLength(40);
      expect(lines[0]).toMatch(/^livepprof fleet \{job="fleet-e2e"\}  4 instances/);
      // Sorted by heap growth: the leak is the first row, under the cursor.
      expect(lines[3]).toMatch(new RegExp(`^› ${addr(targets.leaking!).replace(/\./g, '\\.')}.*HEAP LEAK \\d+%`));
      for (const w of ['RSS', 'heap', 'heap/h▼', 'goal', 'gorout', 'runway', 'RSS trend', 'heap trend', 'verdict']) expect(lines[2]).toContain(w);
      await r.press('enter');
      await until(`pid ${targets.leaking!.pid}`);
      expect(r.lines()[0]).toContain(`livepprof ${addr(targets.leaking!)}  Esc: the fleet`);
      // Its history is the fleet's: the verdict stands on the first poll.
      await until('HEAP LEAK');
      await r.press('escape');
      await until('livepprof fleet');
      // Mark the leak, then the healthy one: the leak's heap minus the healthy one's.
      await r.press('m');
      const healthyRow = r.lines().findIndex((l) => l.includes(addr(targets.healthy!)));
      for (let i = 3; i < healthyRow; i++) await r.press('down');
      await r.press('m');
      await until(`${addr(targets.leaking!)} minus ${addr(targets.healthy!)}`);
      expect(r.lastFrame()).toMatch(/main\.\(\*Cache\)\.Put|leakyCache/);
      await r.press('escape');
      await until('livepprof fleet');
    } finally {
      r.unmount();
      await openers.closeAll();
      await source.stop();
      store.close();
      await client.close();
    }
  }, 60_000);
});
