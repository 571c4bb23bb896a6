// A real Prometheus for the fleet tests: Debian's 2.42 binary (unpacked by .ci/run), bound to
// 127.0.0.1 only, with its own temporary data directory, killed and removed afterwards.
// Targets come through a file_sd file written after start-up: Prometheus waits about 5 s
// before its first scrape, so it is started first and the targets are added while it waits.
// Generated history goes in with promtool (openmetrics → TSDB blocks) before start.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROMETHEUS_DIR } from './require-tool.js';

export const PROMETHEUS_BIN = join(PROMETHEUS_DIR, 'usr/bin/prometheus');
export const PROMTOOL_BIN = join(PROMETHEUS_DIR, 'usr/bin/promtool');

export interface ScrapeTarget {
  /** host:port */
  address: string;
  labels?: Record<string, string>;
}

export interface RunningPrometheus {
  url: string;
  dir: string;
  /** Replaces the scraped targets (file_sd: Prometheus picks the file up by itself). */
  setTargets(targets: ScrapeTarget[]): void;
  /** Resolves when every given address is scraped (health "up") at least once. */
  waitForScrapes(addresses: string[], timeoutMs?: number): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  scrapeIntervalMs?: number;
  job?: string;
  /** A directory of TSDB blocks (promtool's output) to serve. */
  blocksFrom?: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export async function startPrometheus(o: PrometheusOptions = {}): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'livepprof-prom-'));
  const data = o.blocksFrom ?? join(dir, 'data');
  const interval = `${o.scrapeIntervalMs ?? 200}ms`;
  const sdFile = join(dir, 'targets.json');
  writeFileSync(sdFile, '[]');
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      `  scrape_interval: ${interval}`,
      `  scrape_timeout: ${interval}`,
      'scrape_configs:',
      `  - job_name: ${o.job ?? 'fleet'}`,
      '    file_sd_configs:',
      `      - files: ['${sdFile}']`,
      '',
    ].join('\n'),
  );
  let lastErr: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${data}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Generated blocks may be old: keep them (and a fixed query time) for as long as a test runs.
        '--storage.tsdb.retention.time=100y',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    running.add(child);
    child.once('exit', () => running.delete(child));
    let log = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => (log = (log + d).slice(-32_768)));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitUntil(async () => (await fetch(`${url}/-/ready`).catch(() => null))?.ok === true, 20_000, () => `prometheus not ready: ${log}`, child);
    } catch (e) {
      lastErr = e;
      child.kill('SIGKILL');
      continue;
    }
    return {
      url,
      dir,
      log: () => log,
      setTargets(targets) {
        const groups = targets.map((t) => ({ targets: [t.address], labels: t.labels ?? {} }));
        // Written whole, then renamed: Prometheus never reads half a file.
        writeFileSync(`${sdFile}.tmp`, JSON.stringify(groups));
        renameSync(`${sdFile}.tmp`, sdFile);
      },
      async waitForScrapes(addresses, timeoutMs = 30_000) {
        await waitUntil(
          async () => {
            const r = (await (await fetch(`${url}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: Array<{ scrapeUrl: string; health: string }> } };
            const up = r.data.activeTargets.filter((t) => t.health === 'up').map((t) => new URL(t.scrapeUrl).host);
            return addresses.every((a) => up.includes(a));
          },
          timeoutMs,
          () => `targets ${addresses.join(', ')} not scraped: ${log}`,
          child,
        );
      },
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const done = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 5000);
          await done;
          clearTimeout(t);
        }
        rmSync(dir, { recursive: true, force: true });
        // promtool's output directory, with the temporary directory it was made in.
        if (o.blocksFrom) rmSync(dirname(o.blocksFrom), { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastErr;
}

async function waitUntil(cond: () => Promise<boolean>, timeoutMs: number, why: () => string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${why()}`);
    if (await cond().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** promtool tsdb create-blocks-from openmetrics: TSDB blocks in a new directory from an OpenMetrics file. */
export async function blocksFromOpenMetrics(file: string): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'livepprof-blocks-')), 'data');
  await new Promise<void>((resolve, reject) =>
    execFile(PROMTOOL_BIN, ['tsdb', 'create-blocks-from', 'openmetrics', file, out], { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 }, (err, _o, stderr) =>
      err ? reject(new Error(`promtool failed: ${err.message}\n${stderr}`)) : resolve(),
    ),
  );
  return out;
}
