// MemStats as each Go of the runtime matrix serves it, parsed live: /metrics (the fixture's
// client_golang-style exposition), /debug/vars (expvar) and the heap?debug=1 trailer, each read
// between two /truth snapshots (the target's own runtime.ReadMemStats) and checked against them.
// The target keeps allocating garbage, so gauges are checked within the snapshots' range (plus a
// little slack); counters and the Go version exactly.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTarget, type Target } from '../helpers/go-target.js';
import { requireGoRuntime, requireTool } from '../helpers/require-tool.js';
import { GO_RUNTIMES, runtimeVersion, type GoRuntime } from '../helpers/go-runtimes.js';
import { extractGoProcessMetrics, parsePrometheusText } from '../../src/source/parse-prometheus.js';
import { parseExpvar, parseHeapDebug1MemStats, type MemStats } from '../../src/profile/memstats.js';

interface Truth {
  rssBytes: number;
  heapAlloc: number;
  heapInuse: number;
  heapIdle: number;
  heapReleased: number;
  heapSys: number;
  sys: number;
  numGC: number;
  goroutines: number;
}

interface Served {
  before: Truth;
  after: Truth;
  metrics: string;
  vars: string;
  heap: string;
}

const SLACK = 4 << 20; // the garbage loop allocates 5 MiB/s
const haveGo = requireTool('go', 'live MemStats parsing');

async function get(t: Target, path: string): Promise<string> {
  const res = await fetch(t.url + path);
  expect(res.status, path).toBe(200);
  return res.text();
}

async function serve(rt: GoRuntime): Promise<Served> {
  const t = await startTarget({ args: ['-expvar'], runtime: rt });
  targets.push(t);
  // After a GC or two, so that NumGC, NextGC and the pause total say something.
  let before = JSON.parse(await get(t, '/truth')) as Truth;
  for (let i = 0; i < 200 && before.numGC < 2; i++) {
    await new Promise((r) => setTimeout(r, 100));
    before = JSON.parse(await get(t, '/truth')) as Truth;
  }
  const metrics = await get(t, '/metrics');
  const vars = await get(t, '/debug/vars');
  const heap = await get(t, '/debug/pprof/heap?debug=1');
  const after = JSON.parse(await get(t, '/truth')) as Truth;
  return { before, after, metrics, vars, heap };
}

const targets: Target[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
});

const runtimes = haveGo ? GO_RUNTIMES.filter((rt) => requireGoRuntime(rt, `live MemStats parsing on ${rt.name}`)) : [];
const served = new Map<string, Promise<Served>>();
beforeAll(() => {
  for (const rt of runtimes) {
    const s = serve(rt);
    s.catch(() => {}); // reported by the tests that await it
    served.set(rt.name, s);
  }
});

/** Each gauge lies within what /truth said before and after (± slack); NumGC exactly. */
function expectWithinTruth(ms: Partial<MemStats>, s: Served, source: string): void {
  const gauges = [
    ['HeapAlloc', 'heapAlloc'],
    ['HeapInuse', 'heapInuse'],
    ['HeapIdle', 'heapIdle'],
    ['HeapReleased', 'heapReleased'],
    ['HeapSys', 'heapSys'],
    ['Sys', 'sys'],
  ] as const;
  for (const [field, key] of gauges) {
    const lo = Math.min(s.before[key], s.after[key]) - SLACK;
    const hi = Math.max(s.before[key], s.after[key]) + SLACK;
    expect(ms[field], `${source} ${field}`).toBeGreaterThanOrEqual(lo);
    expect(ms[field], `${source} ${field}`).toBeLessThanOrEqual(hi);
  }
  expect(ms.NumGC, `${source} NumGC`).toBeGreaterThanOrEqual(s.before.numGC);
  expect(ms.NumGC, `${source} NumGC`).toBeLessThanOrEqual(s.after.numGC);
  expect(ms.NextGC, `${source} NextGC`).toBeGreaterThan(0);
  expect(ms.StackSys, `${source} StackSys`).toBeGreaterThan(0);
}

for (const rt of runtimes) {
  describe(`${rt.name}: MemStats parsed from what the target serves agree with its /truth`, () => {
    it(`${rt.name} /metrics (go_memstats_*, go_info, process_*)`, async () => {
      const s = await served.get(rt.name)!;
      const samples = parsePrometheusText(s.metrics);
      // The target really runs this Go (the matrix is not three builds of one toolchain).
      expect(samples.get('go_info')?.[0]?.labels['version']).toBe(runtimeVersion(rt));
      const m = extractGoProcessMetrics(samples);
      expectWithinTruth(m.memstats, s, '/metrics');
      expect(m.goroutines).toBeGreaterThanOrEqual(Math.min(s.before.goroutines, s.after.goroutines) - 2);
      expect(m.goroutines).toBeLessThanOrEqual(Math.max(s.before.goroutines, s.after.goroutines) + 2);
      expect(Math.abs(m.rss! - s.after.rssBytes)).toBeLessThan(2 * SLACK);
      expect(m.startTime! * 1000).toBeLessThanOrEqual(Date.now());
    });

    it(`${rt.name} /debug/vars (expvar memstats)`, async () => {
      const s = await served.get(rt.name)!;
      const parsed = parseExpvar(s.vars);
      expect(parsed.ok && parsed.value.memstats !== null, parsed.ok ? 'no memstats' : parsed.error).toBe(true);
      if (!parsed.ok || !parsed.value.memstats) return;
      expectWithinTruth(parsed.value.memstats, s, '/debug/vars');
      expect(parsed.value.memstats.PauseTotalNs).toBeGreaterThan(0);
    });

    it(`${rt.name} heap?debug=1 (the runtime.MemStats trailer)`, async () => {
      const s = await served.get(rt.name)!;
      const ms = parseHeapDebug1MemStats(s.heap);
      expect(ms, s.heap.slice(-2000)).not.toBeNull();
      expectWithinTruth(ms!, s, 'heap?debug=1');
      // Go >= 1.15 prints MaxRSS (peak RSS): at least the RSS seen before.
      expect(ms!.MaxRSS).toBeGreaterThanOrEqual(s.before.rssBytes - SLACK);
    });
  });
}
