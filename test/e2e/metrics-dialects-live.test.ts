// The real prometheus/client_golang, fetched as a Go module (v1.11.1 with Go 1.19, v1.25.0 with
// Go 1.26), serves every /metrics dialect from the fixture programs in fixtures/metrics-dialects/.
// This test rebuilds them and checks:
//   - the committed captures (which the parsing tests read) are still what the library produces:
//     same families, HELP/TYPE/UNIT lines, sample names and labels (values differ run to run);
//   - livepprof attached to each dialect (`watch --metrics URL`) fills the one model the verdict
//     uses, with its sources labelled.
// UPDATE_DIALECTS=1 rewrites the captures from the live programs.

import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGoProgram } from '../helpers/go-target.js';
import { requireGoRuntime, requireTool } from '../helpers/require-tool.js';
import { spawnCli } from '../helpers/cli.js';
import { capturePath, DIALECT_PROGRAMS, exposition, readCapture, type Capture, type DialectProgram } from '../source/metrics-dialects.js';
import type { PollRecord } from '../../src/analysis/poll-record.js';

const UPDATE = process.env.UPDATE_DIALECTS === '1';
const haveGo = requireTool('go', 'the client_golang dialects, live');

type Target = Awaited<ReturnType<typeof startGoProgram>>;

const targets: Target[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
});

async function fetchText(t: Target, c: Capture): Promise<string> {
  const res = await fetch(t.url + c.path, { headers: c.accept ? { accept: c.accept } : {} });
  expect(res.status, c.path).toBe(200);
  if (c.accept) expect(res.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
  return res.text();
}

/** Two polls of `watch --json` with /metrics pointed at the dialect (a 404 one for expvar). */
async function watchDialect(t: Target, c: Capture): Promise<PollRecord[]> {
  const metricsUrl = t.url + (c.source === 'expvar' ? '/no-metrics-here' : c.path);
  const w = spawnCli(['watch', t.url, '--metrics', metricsUrl, '--json', '--interval', '1s', '--count', '2']);
  const code = await w.done;
  expect(code, w.stderr()).toBe(0);
  return w.lines.map((l) => JSON.parse(l) as PollRecord);
}

async function gcCycles(t: Target, n: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const vars = (await (await fetch(`${t.url}/debug/vars`)).json()) as { memstats: { NumGC: number } };
    if (vars.memstats.NumGC >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${t.url}: fewer than ${n} GC cycles in 30 s`);
}

const programs = haveGo ? DIALECT_PROGRAMS.filter((d) => requireGoRuntime(d.runtime, `client_golang ${d.clientGolang} dialects`)) : [];
const started = new Map<string, Promise<Target>>();
beforeAll(() => {
  for (const d of programs) {
    const t = startGoProgram(d.program, { runtime: d.runtime }).then(async (t) => {
      targets.push(t);
      await gcCycles(t, 2); // so that the GC summaries have values, as in a service that has run
      return t;
    });
    t.catch(() => {}); // reported by the tests that await it
    started.set(d.program, t);
  }
}, 300_000);

function modelOf(d: DialectProgram, c: Capture) {
  return `client_golang ${d.clientGolang} (${d.runtime.name}) ${c.file}`;
}

for (const d of programs) {
  describe(`client_golang ${d.clientGolang} built with ${d.runtime.name}`, () => {
    for (const c of d.captures) {
      it(`${modelOf(d, c)}: the committed capture is what the library serves now`, async () => {
        const t = await started.get(d.program)!;
        const live = await fetchText(t, c);
        if (UPDATE) writeFileSync(capturePath(d, c), live);
        expect(Buffer.byteLength(live)).toBeLessThan(50 * 1024);
        expect(exposition(live, c.file)).toEqual(exposition(readCapture(d, c), c.file));
      });

      // livepprof asks for the plain text format; OpenMetrics is covered by the parsing tests.
      if (c.accept) continue;
      it.concurrent(`${modelOf(d, c)}: livepprof attached to it fills the verdict's model`, async () => {
        const t = await started.get(d.program)!;
        const records = await watchDialect(t, c);
        const r = records.at(-1)!;
        expect(r.memstatsSource).toBe(c.source);
        expect(r.rssSource).toBe('proc');
        for (const k of ['heapInuse', 'heapIdle', 'heapReleased', 'sys', 'numGC', 'nextGC', 'goroutines'] as const) {
          expect(r[k], k).not.toBeNull();
        }
        // A partial exposition lacks the GC counters: the heap?debug=1 trailer complements them.
        expect(r.gcFieldsSource).toBe(c.partial ? 'heap-debug1' : null);
        // GOGC as the runtime reports it, else from the environment (unset here: the default).
        expect(r.gogcSource).toBe(c.gcSettings ? 'metrics' : 'default');
        expect(r.gogc).toBe(100);
        expect(r.gcHeapLive !== null).toBe(c.runtimeMetrics);
        expect(r.memoryClasses !== null).toBe(c.runtimeMetrics);
      });
    }
  });
}
