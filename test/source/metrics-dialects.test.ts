// Every /metrics dialect a Go service serves, on the real bytes of prometheus/client_golang v1.11.1
// (Go 1.19) and v1.25.0 (Go 1.26) captured from fixtures/metrics-dialects/ (the live test checks
// the captures are still what the library serves): the Prometheus text format, OpenMetrics, the
// runtime/metrics presets with and without go_memstats_*, a hand-written subset, and expvar.
// Each is parsed and run through one poll (collectPoll, the code a live session runs), and must
// come out as the same model the verdict uses, with its sources labelled.

import { describe, expect, it } from 'vitest';
import { LivepprofError } from '../../src/errors.js';
import { collectPoll, initialCollectState } from '../../src/session/collect.js';
import { inlineDecoder } from '../../src/session/heap-decoder.js';
import type { Endpoint, Fetcher } from '../../src/source/fetcher.js';
import { parseTarget } from '../../src/source/target.js';
import { extractGoProcessMetrics, parsePrometheusText } from '../../src/source/parse-prometheus.js';
import { memoryClassBreakdown, memoryBreakdown } from '../../src/analysis/memory.js';
import type { PollRecord } from '../../src/analysis/poll-record.js';
import { readFixtureBytes } from './go119-fixtures.js';
import { DIALECT_PROGRAMS, readCapture, type Capture, type DialectProgram } from './metrics-dialects.js';

const encode = (s: string) => new TextEncoder().encode(s);

/**
 * One poll over captured bytes: the dialect on /metrics (or /debug/vars, with /metrics absent);
 * the pprof index, goroutine groups and heap profile are the Go 1.19 captures; no /proc (the
 * service is elsewhere), so RSS comes from process_resident_memory_bytes where the dialect has it.
 */
async function pollOver(d: DialectProgram, c: Capture): Promise<PollRecord> {
  const body = encode(readCapture(d, c));
  const served: Partial<Record<Endpoint, Uint8Array>> = {
    index: readFixtureBytes('index.html'),
    'goroutine-debug1': readFixtureBytes('goroutine.debug1.txt'),
    heap: readFixtureBytes('heap.pb.gz'),
    [c.source === 'expvar' ? 'vars' : 'metrics']: body,
  };
  const fetcher: Fetcher = {
    target: parseTarget('http://127.0.0.1:6060'),
    now: () => 1_800_000_000_000,
    requestCount: () => 0,
    close: async () => {},
    fetch: async (_seq, endpoint) => {
      const bytes = served[endpoint];
      if (!bytes) throw new LivepprofError('http', `HTTP 404 from ${endpoint}`);
      return bytes;
    },
  };
  const { record } = await collectPoll(fetcher, initialCollectState(), 1, { smapsEvery: 5, decoder: inlineDecoder, goroutineGroupsEvery: 5 });
  expect(record.error).toBeUndefined();
  return record;
}

const name = (d: DialectProgram, c: Capture) => `client_golang ${d.clientGolang} (${d.runtime.name}) ${c.file}`;
const all = DIALECT_PROGRAMS.flatMap((d) => d.captures.map((c) => ({ d, c })));

describe('every dialect maps to the one model the verdict uses', () => {
  for (const { d, c } of all) {
    it(`${name(d, c)}`, async () => {
      const r = await pollOver(d, c);
      expect(r.memstatsSource).toBe(c.source);
      // The heap and its total, the same fields whatever the dialect.
      for (const k of ['heapAlloc', 'heapInuse', 'heapIdle', 'heapReleased', 'sys', 'goroutines'] as const) expect(r[k], k).toBeGreaterThan(0);
      expect(r.heapIdle!).toBeGreaterThanOrEqual(r.heapReleased!);
      if (c.partial) {
        // A hand-written subset: no GC counters, no stacks, no RSS (the heap?debug=1 trailer would
        // complement the GC figures; not served here). RSS is estimated, and says so.
        expect([r.numGC, r.nextGC, r.stackSys, r.runtimeSys]).toEqual([null, null, null, null]);
        expect(r.rssSource).toBe('estimate');
        expect(r.rss).toBe(r.sys! - r.heapReleased!);
        return;
      }
      // MemStats' own identities hold, whichever way the fields were derived.
      expect(r.heapSys).toBe(r.heapInuse! + r.heapIdle!);
      expect(r.sys).toBe(r.heapSys! + r.stackSys! + r.runtimeSys!);
      expect(r.numGC).toBeGreaterThan(0);
      expect(r.nextGC).toBeGreaterThan(0);
      expect(r.stackInuse).toBeGreaterThan(0);
      if (c.source === 'metrics') {
        expect(r.rssSource).toBe('metrics');
        expect(r.rss).toBeGreaterThan(r.heapInuse!);
        expect(r.processStart).toBeGreaterThan(1.7e12);
      } else {
        expect(r.rssSource).toBe('estimate'); // expvar has no RSS: Sys − HeapReleased, labelled
      }
      // GOGC and GOMEMLIMIT as the runtime reports them (client_golang >= 1.20 exports them).
      expect(r.gogcSource).toBe(c.gcSettings ? 'metrics' : null);
      expect(r.gogc).toBe(c.gcSettings ? 100 : null);
      expect(r.memoryLimitGoSource).toBe(c.gcSettings ? 'none' : null); // math.MaxInt64: no limit set
      // The runtime/metrics presets: the live heap as the GC marked it, and the memory classes.
      expect(r.gcHeapLive !== null).toBe(c.runtimeMetrics);
      expect(r.memoryClasses !== null).toBe(c.runtimeMetrics);
      if (r.memoryClasses) {
        const m = r.memoryClasses;
        expect(m.heapObjects).toBe(r.heapAlloc);
        expect(m.heapObjects + m.heapUnused).toBe(r.heapInuse);
        expect(m.heapFree + m.heapReleased).toBe(r.heapIdle);
        expect(m.stacks).toBe(r.stackSys);
        expect(m.metadata + m.profiling + m.other).toBe(r.runtimeSys);
        expect(m.total).toBe(r.sys);
        expect(r.gcHeapLive!).toBeLessThanOrEqual(r.heapAlloc!);
      }
    });
  }

  it('the text format and OpenMetrics of one registry give the same fields', () => {
    for (const d of DIALECT_PROGRAMS) {
      const fieldsOf = (file: string) => {
        const m = extractGoProcessMetrics(parsePrometheusText(readCapture(d, d.captures.find((c) => c.file === file)!)));
        return { memstats: Object.keys(m.memstats).sort(), gc: Object.entries(m.gc).map(([k, v]) => [k, v === null]), classes: m.memoryClasses === null };
      };
      expect(fieldsOf('metrics.openmetrics.txt')).toEqual(fieldsOf('metrics.txt'));
      if (d.captures.some((c) => c.file === 'runtime.txt')) expect(fieldsOf('runtime.openmetrics.txt')).toEqual(fieldsOf('runtime.txt'));
    }
  });

  it('runtime/metrics without go_memstats_* derives what go_memstats_* would say (client_golang memStatsFromRM)', () => {
    const d = DIALECT_PROGRAMS.find((x) => x.clientGolang === 'v1.25.0')!;
    const withMemstats = extractGoProcessMetrics(parsePrometheusText(readCapture(d, d.captures.find((c) => c.file === 'runtime.txt')!)));
    const derived = extractGoProcessMetrics(parsePrometheusText(readCapture(d, d.captures.find((c) => c.file === 'runtime-only.txt')!)));
    // Every go_memstats_* field the runtime-metrics-only dialect can carry is derived.
    const lacking = Object.keys(withMemstats.memstats).filter((k) => !(k in derived.memstats));
    expect(lacking).toEqual([]);
    expect(Object.keys(derived.memstats).length).toBeGreaterThanOrEqual(20);
  });
});

describe('OpenMetrics syntax on client_golang bytes', () => {
  for (const d of DIALECT_PROGRAMS) {
    const text = readCapture(d, d.captures.find((c) => c.file === 'metrics.openmetrics.txt')!);
    const plain = parsePrometheusText(readCapture(d, d.captures.find((c) => c.file === 'metrics.txt')!));
    const om = parsePrometheusText(text);

    it(`client_golang ${d.clientGolang}: # EOF, # UNIT and exemplars are read, every sample kept`, () => {
      expect(text.trimEnd().endsWith('# EOF')).toBe(true);
      const sampleLines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      expect([...om.values()].reduce((n, list) => n + list.length, 0)).toBe(sampleLines.length);
      // A counter's family is `app_requests`, its samples `app_requests_total`, as in the text format.
      expect(om.get('app_requests_total')).toEqual([
        { labels: { code: '200', handler: '/api' }, value: 3 },
        { labels: { code: '500', handler: '/say "hi"' }, value: 1 },
      ]);
      expect(om.get('app_requests_total')).toEqual(plain.get('app_requests_total'));
      // The exemplar after ` # ` is not part of the bucket's value; OpenMetrics spells le="1.0".
      expect(text).toMatch(/^app_request_duration_seconds_bucket\{le="0\.1"\} 1 # \{trace_id="00f067aa0ba902b7"\} 0\.042 /m);
      expect(om.get('app_request_duration_seconds_bucket')?.map((s) => [s.labels['le'], s.value])).toEqual([
        ['0.01', 0], ['0.1', 1], ['1.0', 1], ['+Inf', 2],
      ]);
      // Same figures as the text format wherever the name is the same (values are of another moment).
      expect([...om.keys()].filter((k) => !plain.has(k) && !k.endsWith('_created'))).toEqual([]);
    });
  }

  it('OpenMetrics timestamps are seconds, the text format\'s milliseconds', () => {
    expect(parsePrometheusText('a 1 1795671721758\n').get('a')).toEqual([{ labels: {}, value: 1, timestamp: 1795671721758 }]);
    expect(parsePrometheusText('a 1.0 1795671721.758\n# EOF\n').get('a')).toEqual([{ labels: {}, value: 1, timestamp: 1795671721758 }]);
    expect(parsePrometheusText('a 1.0 1795671721.758 # {t="x"} 1.0 1795671721.7\n# EOF\n').get('a')?.[0]?.timestamp).toBe(1795671721758);
    // In the text format a `#` after the value is no exemplar of a known shape: the line is skipped.
    expect(parsePrometheusText('a 1 # nonsense\n').size).toBe(0);
  });
});

describe('memory classes split RSS finer', () => {
  it('client_golang v1.25.0 runtime preset: objects, fragmentation, kept, stacks, metadata, other, not Go', async () => {
    const d = DIALECT_PROGRAMS.find((x) => x.clientGolang === 'v1.25.0')!;
    const r = await pollOver(d, d.captures.find((c) => c.file === 'runtime.txt')!);
    const classes = memoryClassBreakdown(r)!;
    expect(classes.map((p) => p.key)).toEqual(['heap-objects', 'heap-unused', 'idle', 'lazyfree', 'stacks', 'metadata', 'runtime-other', 'file', 'thp', 'other']);
    expect(classes.filter((p) => !['lazyfree', 'file', 'thp', 'other'].includes(p.key)).every((p) => p.source === 'metrics: memory classes')).toBe(true);
    // Memory outside Go is the verdict's figure, as in the coarse split (RSS from /metrics here).
    const m = r.memoryClasses!;
    const b = memoryBreakdown(r);
    expect(classes.find((p) => p.key === 'other')!).toMatchObject({ bytes: b.parts.find((p) => p.key === 'other')!.bytes, source: 'derived' });
    // The coarse split agrees: heap in use = objects + fragmentation.
    expect(b.parts.find((p) => p.key === 'heap')!.bytes).toBe(m.heapObjects + m.heapUnused);
    expect(b.classes).toEqual(classes);
  });

  it('no classes where the service does not export them (default collectors, expvar)', async () => {
    const d = DIALECT_PROGRAMS.find((x) => x.clientGolang === 'v1.11.1')!;
    for (const c of d.captures) expect(memoryBreakdown(await pollOver(d, c)).classes).toBeNull();
  });
});
