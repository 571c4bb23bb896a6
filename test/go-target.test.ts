import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGoProgram, startTarget, writeProfiles, type Target } from './helpers/go-target.js';
import { requireTool } from './helpers/require-tool.js';


interface Truth {
  pid: number;
  rssBytes: number;
  heapAlloc: number;
  numGC: number;
  goroutines: number;
  scenario: string;
  retainedBytes: number;
}

async function getText(url: string): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

async function truth(t: Target, gcFirst = false): Promise<Truth> {
  if (gcFirst) await getText(`${t.url}/control/gc`); // so heapAlloc is the live heap
  return (await (await fetch(`${t.url}/truth`)).json()) as Truth;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!requireTool('go', 'the Go target fixture tests'))('Go target fixture', () => {
  const started: Target[] = [];
  const tmpDirs: string[] = [];

  beforeAll(async () => {
    await buildGoProgram('target'); // cold builds take a while; keep it out of the test timings
  });

  afterAll(async () => {
    await Promise.all(started.map((t) => t.stop()));
    await Promise.all(tmpDirs.map((d) => fsp.rm(d, { recursive: true, force: true })));
  });

  it('serves /truth, /metrics, the pprof index and a gzipped heap profile', async () => {
    const t = await startTarget();
    started.push(t);
    expect(t.url).toBe(`http://127.0.0.1:${t.port}`);

    const tr = await truth(t);
    expect(tr.pid).toBe(t.pid);
    expect(tr.scenario).toBe('steady');
    expect(tr.rssBytes).toBeGreaterThan(1 << 20);

    const metrics = await getText(`${t.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    for (const name of ['process_resident_memory_bytes', 'go_memstats_heap_inuse_bytes', 'go_goroutines', 'go_gc_cycles_total_gc_cycles_total']) {
      expect(metrics.text).toMatch(new RegExp(`^# TYPE ${name} (gauge|counter)$`, 'm'));
      expect(metrics.text).toMatch(new RegExp(`^${name} \\S+$`, 'm'));
    }

    const index = await getText(`${t.url}/debug/pprof/`);
    expect(index.status).toBe(200);
    expect(index.text).toMatch(/<tr><td>\d+<\/td><td><a href='heap\?debug=1'>heap<\/a><\/td><\/tr>/);

    const heap = new Uint8Array(await (await fetch(`${t.url}/debug/pprof/heap`)).arrayBuffer());
    expect([heap[0], heap[1]]).toEqual([0x1f, 0x8b]);

    expect((await getText(`${t.url}/debug/vars`)).status).toBe(404); // expvar only with -expvar

    const oldPid = t.pid;
    await t.restart();
    expect(t.pid).not.toBe(oldPid);
    expect((await truth(t)).pid).toBe(t.pid);
  });

  it('serves expvar only with -expvar and hides /metrics with -no-metrics', async () => {
    const t = await startTarget({ args: ['-expvar', '-no-metrics'] });
    started.push(t);
    const vars = JSON.parse((await getText(`${t.url}/debug/vars`)).text) as { memstats: { HeapAlloc: number } };
    expect(vars.memstats.HeapAlloc).toBeGreaterThan(0);
    expect((await getText(`${t.url}/metrics`)).status).toBe(404);
  });

  it('heap-leak grows the live heap: what it retains is live heap after a GC', async () => {
    const t = await startTarget({ scenario: 'heap-leak', args: ['-rate', '4'] });
    started.push(t);
    const before = await truth(t, true);
    // However slow the machine: wait for the leak to retain 8 MiB more, not for a fixed time.
    let retained = before.retainedBytes;
    for (const until = Date.now() + 30_000; retained - before.retainedBytes <= 8 << 20; await sleep(100)) {
      if (Date.now() > until) throw new Error(`heap-leak retained only ${retained - before.retainedBytes} more bytes in 30 s`);
      retained = (await truth(t)).retainedBytes;
    }
    const after = await truth(t, true);
    expect(after.heapAlloc - before.heapAlloc).toBeGreaterThan(6 << 20);
    expect(after.numGC).toBeGreaterThan(before.numGC);
  });

  it('writeProfiles writes every profile file', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'livepprof-profiles-'));
    tmpDirs.push(dir);
    await writeProfiles(dir);
    const gz = ['heap', 'allocs', 'goroutine', 'mutex', 'block', 'cpu', 'heap2'].map((n) => `${n}.pb.gz`);
    for (const f of gz) {
      const b = await fsp.readFile(path.join(dir, f));
      expect([b[0], b[1]], f).toEqual([0x1f, 0x8b]);
    }
    const text = (f: string) => fsp.readFile(path.join(dir, f), 'utf8');
    expect(await text('heap.debug1.txt')).toMatch(/^heap profile: \d+: \d+ \[\d+: \d+\] @ heap\/2\n/);
    expect(await text('heap.debug1.txt')).toContain('main.(*Cache).Put');
    expect(await text('goroutine.debug1.txt')).toMatch(/^goroutine profile: total \d+\n/);
    expect(await text('goroutine.debug2.txt')).toMatch(/^goroutine \d+ \[running\]:\n/);
    expect(await text('goroutine.debug2.txt')).toContain('created by main.spawnLeakers');
  });

  it('bigheap writes a heap profile with the requested number of stacks', async () => {
    const bin = await buildGoProgram('bigheap');
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'livepprof-bigheap-'));
    tmpDirs.push(dir);
    const out = path.join(dir, 'big.pb.gz');
    const { stdout } = await promisify(execFile)(bin, ['-out', out, '-stacks', '5000']);
    expect(stdout).toMatch(/^samples=5000 /);
    const b = await fsp.readFile(out);
    expect([b[0], b[1]]).toEqual([0x1f, 0x8b]);
  });
});
