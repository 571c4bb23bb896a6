// `npm run bench -- fleet`: the fleet at scale. 1,000 instances × 6 h of generated history
// (fixtures/prometheus/generate-history.mjs, a sample a minute, cAdvisor series included) in
// TSDB blocks made by promtool, served by Debian's Prometheus 2.42, queried at a fixed time:
//   - launch → the first table, verdicts included (`fleet --json`: every row judged), and peak RSS;
//   - key → frame while scrolling the full-screen table (a fake 120×40 TTY, as the keys bench);
//   - per-instance verdict work against the length of its series (linear, not quadratic?).
// Goals: first table < 2 s, peak RSS < 300 MB, key → frame p99 < 50 ms. Medians of interleaved runs.

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFleetHistory } from '../fixtures/prometheus/generate-history.mjs';
import { blocksFromOpenMetrics, PROMETHEUS_BIN, startPrometheus } from '../fixtures/prometheus/run-prometheus.mjs';
import { CLI, FakeStdin, FakeStdout, fmt, median, measureProcess, percentile, table } from './lib.mjs';

const INSTANCES = Number(process.env.BENCH_FLEET_INSTANCES ?? 1000);
const HOURS = 6;
const END = 1_767_225_600; // 2026-01-01T00:00:00Z
const RUNS = Number(process.env.BENCH_FLEET_RUNS ?? 5);

/** The blocks, made once per size and kept in the temporary directory (promtool takes ~20 s). */
async function blocks() {
  const dir = join(tmpdir(), `livepprof-bench-fleet-${INSTANCES}x${HOURS}h-v1`);
  const data = join(dir, 'data');
  if (existsSync(join(dir, 'done'))) return data;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const om = join(dir, 'history.om');
  const t0 = performance.now();
  await writeFleetHistory(om, { instances: INSTANCES, hours: HOURS, stepSeconds: 60, endSeconds: END });
  const made = await blocksFromOpenMetrics(om);
  rmSync(om);
  const { renameSync, writeFileSync } = await import('node:fs');
  renameSync(made, data);
  writeFileSync(join(dir, 'done'), '');
  console.log(`generated ${INSTANCES} instances × ${HOURS} h (a sample a minute) into TSDB blocks in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  return data;
}

export async function benchFleet() {
  if (!existsSync(PROMETHEUS_BIN)) throw new Error(`no Prometheus at ${PROMETHEUS_BIN} (.ci/run unpacks Debian's package)`);
  const prom = await startPrometheus({ blocksFrom: await blocks(), keepBlocks: true });
  try {
    const args = ['fleet', '--prometheus', prom.url, '--match', 'job="api"', '--window', `${HOURS}h`, '--at', new Date(END * 1000).toISOString(), '--json'];
    await measureProcess(process.execPath, [CLI, ...args]); // Prometheus's caches warm
    const runs = { default: [], fine: [] };
    for (let i = 0; i < RUNS; i++) {
      runs.default.push(await measureProcess(process.execPath, [CLI, ...args]));
      runs.fine.push(await measureProcess(process.execPath, [CLI, ...args, '--step', '3m']));
    }
    const row = (label, rs) => [label, fmt(median(rs.map((r) => r.wallMs))), fmt(median(rs.map((r) => r.rssMb)))];
    console.log(`${INSTANCES} instances × ${HOURS} h, fleet --json at a fixed time (launch → every row with its verdict), ${RUNS} runs`);
    console.log(table([['', 'wall ms', 'peak RSS MB'], row('default step (6 min: 60 points)', runs.default), row('--step 3m (120 points)', runs.fine)]));
    const ok = median(runs.default.map((r) => r.wallMs)) < 2000 && median(runs.default.map((r) => r.rssMb)) < 300;
    console.log(`goals < 2 s and < 300 MB: ${ok ? 'ok' : 'OVER (a loaded machine? run again when quieter)'}`);
    await benchFetchOnly(prom.url, median(runs.default.map((r) => r.wallMs)));
    await benchScroll(prom.url);
    await benchVerdictScaling();
  } finally {
    await prom.stop();
  }
}

/**
 * The same queries answered and read, nothing judged (in process, warm): how long Prometheus
 * alone takes on this machine now, the floor under the first table (its CPU shares the cores).
 */
async function benchFetchOnly(url, firstTableMs) {
  const [{ fetchFleet }, { PrometheusClient }, { HttpClient }] = await Promise.all([import('../dist/source/prometheus-fleet.js'), import('../dist/source/prometheus.js'), import('../dist/source/http.js')]);
  const client = new PrometheusClient(url, new HttpClient({}));
  const times = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await fetchFleet(client, { match: 'job="api"', windowMs: HOURS * 3_600_000, points: 60, atMs: END * 1000 }, Date.now());
      times.push(performance.now() - t0);
    }
  } finally {
    await client.close();
  }
  const fetchMs = median(times);
  console.log(`the same queries answered and read, nothing judged (in process): ${fmt(fetchMs)} ms; first table / that: ${fmt(firstTableMs / fetchMs, 2)}`);
}

/** Key → frame on the full-screen table of every instance (in process, a fake TTY). */
async function benchScroll(url) {
  delete process.env.CI;
  const [{ render }, React, { FleetApp }, { makeTheme }, { FleetStore }, { FleetSource }, { PrometheusClient }, { HttpClient }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../dist/ui/FleetApp.js'),
    import('../dist/ui/theme.js'),
    import('../dist/state/fleet-store.js'),
    import('../dist/source/prometheus-fleet.js'),
    import('../dist/source/prometheus.js'),
    import('../dist/source/http.js'),
  ]);
  const client = new PrometheusClient(url, new HttpClient({}));
  const source = new FleetSource(client, { match: 'job="api"', windowMs: HOURS * 3_600_000, points: 60, atMs: END * 1000 }, { refreshMs: 3_600_000 });
  if (!(await source.refresh())) throw new Error(source.snapshot().lastError?.message);
  const store = new FleetStore(source);
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  const app = render(
    React.createElement(FleetApp, { store, theme: makeTheme(), quit: () => undefined, attach: async () => Promise.reject(new Error('no')), compare: async () => Promise.reject(new Error('no')), refreshNow: () => undefined }),
    { stdout, stdin, stderr: stdout, exitOnCtrlC: false, patchConsole: false, maxFps: 60 },
  );
  await new Promise((r) => setTimeout(r, 200));
  const timeKey = (seq) =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const timer = setTimeout(() => ((stdout.onWrite = null), resolve(null)), 2000);
      stdout.onWrite = () => {
        clearTimeout(timer);
        stdout.onWrite = null;
        resolve(performance.now() - t0);
      };
      stdin.send(seq);
    });
  // Down a page at a time to the end and back, a row at a time in between, and a re-sort.
  const keys = { 'j (next row)': 'j', 'PgDn': '\u001b[6~', 'k (previous row)': 'k', 'G (last row)': 'G', 'g (first row)': 'g', 's (re-sort 1,000 rows)': 's' };
  const results = Object.fromEntries(Object.keys(keys).map((k) => [k, []]));
  const rounds = Number(process.env.BENCH_KEY_ROUNDS ?? 30);
  for (let i = 0; i < rounds; i++) {
    for (const [label, seq] of Object.entries(keys)) {
      await new Promise((r) => setTimeout(r, 20)); // past Ink's frame throttle
      const ms = await timeKey(seq);
      if (ms !== null) results[label].push(ms);
    }
  }
  app.unmount();
  store.close();
  await client.close();
  const all = Object.values(results).flat();
  console.log(`key → frame on the fleet table (${source.snapshot().rows.length} rows, 120×40, ${rounds} rounds)`);
  console.log(
    table([
      ['key → frame (ms)', 'median', 'p99', 'n'],
      ...Object.entries(results).map(([k, v]) => [k, fmt(median(v), 1), fmt(percentile(v, 99), 1), String(v.length)]),
      ['all', fmt(median(all), 1), fmt(percentile(all, 99), 1), String(all.length)],
    ]),
  );
  console.log(`goal p99 < 50 ms: ${percentile(all, 99) < 50 ? 'ok' : 'OVER'}`);
}

/**
 * One instance's verdict against the length of its series: a leak and a flat one, n records. The
 * engine reduces its trend series to 120 points; what is left grows with n (linear), unless a
 * statistic runs on the raw series.
 */
async function benchVerdictScaling() {
  const [{ judgeOnce }, { emptyRecord }] = await Promise.all([import('../dist/analysis/verdict.js'), import('../dist/analysis/poll-record.js')]);
  const series = (n, leak) =>
    Array.from({ length: n }, (_, i) => {
      const live = 50e6 + (leak ? i * 1e5 : 0) + ((i * 7919) % 1000) * 1e3;
      return { ...emptyRecord(i + 1, 1_767_225_600_000 + i * 15_000), rss: live * 2.2 + 10e6, rssSource: 'metrics', numGC: i * 7, nextGC: live * 2, gcHeapLive: live, gogc: 100, gogcSource: 'metrics', heapAlloc: live * 1.5, heapInuse: live * 1.6, heapIdle: live * 0.5, heapReleased: live * 0.2, heapSys: live * 2.1, sys: live * 2.3, stackInuse: 1e6, stackSys: 1e6, runtimeSys: 5e6, goroutines: 50, memstatsSource: 'metrics' };
    });
  const rows = [['records (15 s apart)', 'flat: ms/verdict', 'leak: ms/verdict']];
  for (const n of [120, 480, 1440, 2880]) {
    const cells = [String(n)];
    for (const leak of [false, true]) {
      const input = { records: series(n, leak), heapGrowth: () => [], goroutineGrowth: () => [], goVersion: 'go1.22' };
      judgeOnce(input);
      const times = [];
      for (let k = 0; k < 7; k++) {
        const t0 = performance.now();
        judgeOnce(input);
        times.push(performance.now() - t0);
      }
      cells.push(fmt(median(times), 2));
    }
    rows.push(cells);
  }
  console.log('one verdict against the length of the series it judges');
  console.log(table(rows));
}
