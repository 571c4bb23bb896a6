// The Prometheus client and the series → records mapping, on answers captured from Debian's
// Prometheus 2.42 scraping the fixture target (fixtures/prometheus/capture.mjs), served from a
// loopback server that can also fail in the ways a server does: down, slow, 5xx from a proxy,
// a redirect elsewhere, a body cut off, a partial answer.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isLivepprofError, type LivepprofError } from '../../src/errors.js';
import { HttpClient } from '../../src/source/http.js';
import { parseApiBody, parseMatrix, parsePrometheusUrl, parseSampleValue, parseTargets, parseVector, PrometheusClient, scanMatrix, type RangeSeries } from '../../src/source/prometheus.js';
import { FleetSource, fetchFleet, normalizeMatch, selectorFor, stepFor } from '../../src/source/prometheus-fleet.js';
import { goVersionsOf, instancesFromSeries, RECORD_METRIC_NAMES } from '../../src/source/prometheus-records.js';
import { fleetRow, fleetRowText, sortFleetRows } from '../../src/analysis/fleet.js';
import { GO_PROCESS_METRIC_NAMES } from '../../src/source/parse-prometheus.js';
import { REPO_ROOT } from '../helpers/paths.js';

interface Capture {
  status: number;
  path: string;
  body: string;
}
const capture = (name: string): Capture => JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures/prometheus', name), 'utf8')) as Capture;
const bytes = (c: Capture) => new TextEncoder().encode(c.body);

function thrown(f: () => unknown): LivepprofError {
  try {
    f();
  } catch (e) {
    if (isLivepprofError(e)) return e;
    throw e;
  }
  throw new Error('did not throw');
}

async function rejected(p: Promise<unknown>): Promise<LivepprofError> {
  try {
    await p;
  } catch (e) {
    if (isLivepprofError(e)) return e;
    throw e;
  }
  throw new Error('did not reject');
}

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('answers of the API, as Prometheus 2.42 wrote them', () => {
  it('a range query: one series per metric and instance, times in ms, values as numbers', () => {
    const series = parseMatrix(parseApiBody(bytes(capture('query-range.json')), 200, 'x').data, 'x');
    const names = new Set(series.map((s) => s.labels.__name__));
    expect([...names].sort()).toEqual(['go_gc_cycles_total_gc_cycles_total', 'go_info', 'go_memstats_heap_inuse_bytes', 'go_memstats_next_gc_bytes', 'process_resident_memory_bytes']);
    expect(new Set(series.map((s) => s.labels.instance)).size).toBe(2);
    for (const s of series) {
      expect(s.times.length).toBe(5);
      expect(s.times[1]! - s.times[0]!).toBe(1000);
      for (const v of s.values) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('the fast scan of a range answer gives what the generic parse gives, and leaves other spellings to it', () => {
    const c = capture('query-range.json');
    const generic = parseMatrix(parseApiBody(bytes(c), 200, 'x').data, 'x');
    expect(scanMatrix(utf8(c.body))).toEqual(generic);
    const withWarnings = JSON.stringify({ ...(JSON.parse(c.body) as object), warnings: ['partial'] });
    expect(scanMatrix(utf8(withWarnings))).toBeNull();
    expect(scanMatrix(utf8(c.body.slice(0, 500)))).toBeNull();
    expect(scanMatrix(utf8(c.body.replace('"values":[', '"values": [')))).toBeNull();
  });

  it('the fast scan reads every spelling of a time, a value and a label as the generic parse does', () => {
    const series = [
      // Whole numbers (read by hand), fractions, exponents, signs, ±Inf, NaN, 16+ digits, a leading zero, an empty value.
      `{"metric":{"__name__":"a","instance":"h:1"},"values":[[1767204000,"1553791460"],[1767204000.5,"8388607.999999762"],[1767204001.25,"1e-05"],[17672040020,"-3"],[1767204003,"+Inf"],[1767204004,"-Inf"],[1767204005,"NaN"],[1767204006,"12345678901234567"],[1767204007,"007"],[1767204008,""],[1767204009,"0"]]}`,
      // The same times again (the scan shares one array between such series), then others.
      `{"metric":{"__name__":"b"},"values":[[1767204000,"1"],[1767204000.5,"2"],[1767204001.25,"3"],[17672040020,"4"],[1767204003,"5"],[1767204004,"6"],[1767204005,"7"],[1767204006,"8"],[1767204007,"9"],[1767204008,"10"],[1767204009,"11"]]}`,
      `{"metric":{"__name__":"b"},"values":[[1767204000,"1"]]}`,
      // Labels JSON must read: escapes, unicode, no labels at all, a duplicate key, __proto__.
      `{"metric":{"path":"a\\"b\\\\c\\u00e9\\n","x":"ü"},"values":[[1,"1"]]}`,
      `{"metric":{},"values":[]}`,
      `{"metric":{"k":"1","k":"2","__proto__":"p"},"values":[[2,"2"]]}`,
    ];
    const body = `{"status":"success","data":{"resultType":"matrix","result":[${series.join(',')}]}}`;
    const generic = parseMatrix(parseApiBody(new TextEncoder().encode(body), 200, 'x').data, 'x');
    const fast = scanMatrix(utf8(body));
    expect(fast).toEqual(generic);
    expect(JSON.stringify(fast?.map((s) => [s.labels, Object.keys(s.labels), [...s.times], [...s.values].map(String)]))).toBe(
      JSON.stringify(generic.map((s) => [s.labels, Object.keys(s.labels), [...s.times], [...s.values].map(String)])),
    );
    // A raw control character is not JSON: left to the generic parse (which refuses it).
    expect(scanMatrix(utf8(body.replace('"x":"ü"', '"x":"a\tb"')))).toBeNull();
  });

  it('+Inf, -Inf and NaN arrive as strings and become numbers', () => {
    const v = parseVector(parseApiBody(bytes(capture('query-inf-nan.json')), 200, 'x').data, 'x');
    const byLabel = Object.fromEntries(v.map((s) => [s.labels.v, s.value]));
    expect(byLabel['+Inf']).toBe(Infinity);
    expect(byLabel['-Inf']).toBe(-Infinity);
    expect(byLabel.NaN).toBeNaN();
    expect(parseSampleValue('1.5e+09')).toBe(1.5e9);
    expect(parseSampleValue('')).toBeNaN();
    expect(parseSampleValue(12)).toBeNaN();
  });

  it('a refused query is one line with what Prometheus said', () => {
    const c = capture('bad-data.json');
    const e = thrown(() => parseApiBody(bytes(c), c.status, 'prom:9090'));
    expect(e.kind).toBe('query');
    expect(e.message).toBe('Prometheus at prom:9090 refused the query (bad_data, HTTP 400): 1:17: parse error: unexpected identifier "x"');
  });

  it('an empty answer is no series; active targets carry their scrape URL', () => {
    expect(parseMatrix(parseApiBody(bytes(capture('query-range-empty.json')), 200, 'x').data, 'x')).toEqual([]);
    const t = parseTargets(parseApiBody(bytes(capture('targets.json')), 200, 'x').data);
    expect(t).toHaveLength(2);
    for (const x of t) {
      expect(x.scrapeUrl).toBe(`http://${x.labels.instance}/metrics`);
      expect(x.health).toBe('up');
    }
  });

  it('what is not the API says so, with its first line: a proxy page, a login, JSON of something else', () => {
    const html = new TextEncoder().encode('<html><head><title>502 Bad Gateway</title></head></html>');
    expect(thrown(() => parseApiBody(html, 502, 'p:1')).message).toBe('HTTP 502 from p:1: 502 Bad Gateway');
    expect(thrown(() => parseApiBody(new TextEncoder().encode('Unauthorized'), 401, 'p:1')).message).toBe('HTTP 401 from p:1: Unauthorized (pass credentials with --prometheus-header @FILE)');
    expect(thrown(() => parseApiBody(html, 200, 'p:1')).kind).toBe('not-prometheus');
    expect(thrown(() => parseApiBody(new TextEncoder().encode('{"hello":1}'), 200, 'p:1')).kind).toBe('not-prometheus');
    // A body cut off mid-JSON.
    const cut = bytes(capture('query-range.json')).subarray(0, 300);
    expect(thrown(() => parseApiBody(cut, 200, 'p:1')).kind).toBe('not-prometheus');
  });
});

describe('the Prometheus URL and the matchers', () => {
  it('refuses credentials in the URL, without echoing them', () => {
    const e = thrown(() => parsePrometheusUrl('http://admin:hunter2@prom:9090'));
    expect(e.kind).toBe('usage');
    expect(e.message).not.toContain('hunter2');
    expect(e.message).toContain('--prometheus-header @FILE');
  });

  it('keeps a path prefix (Mimir, a proxy) and refuses a query string', () => {
    expect(parsePrometheusUrl('https://mimir.example/prometheus/')).toBe('https://mimir.example/prometheus');
    expect(parsePrometheusUrl('prom:9090')).toBe('http://prom:9090');
    expect(thrown(() => parsePrometheusUrl('http://prom:9090/?x=1')).kind).toBe('usage');
    expect(thrown(() => parsePrometheusUrl('ftp://prom')).kind).toBe('usage');
  });

  it('matchers with or without braces; one selector for many names', () => {
    expect(normalizeMatch('{instance="10.0.0.7:8080"}')).toBe('instance="10.0.0.7:8080"');
    expect(normalizeMatch(' job="api",namespace=~"prod|stage" ')).toBe('job="api",namespace=~"prod|stage"');
    expect(thrown(() => normalizeMatch('api')).kind).toBe('usage');
    expect(selectorFor(['a_b', 'c'], 'job="x"')).toBe('{__name__=~"a_b|c",job="x"}');
    expect(stepFor({ windowMs: 6 * 3_600_000, points: 120 })).toBe(180_000);
  });

  it('asks only for the names that change a record (derived from the one mapping)', () => {
    expect(RECORD_METRIC_NAMES).toContain('process_resident_memory_bytes');
    expect(RECORD_METRIC_NAMES).toContain('go_gc_heap_live_bytes');
    expect(RECORD_METRIC_NAMES).toContain('go_memory_classes_heap_objects_bytes');
    expect(RECORD_METRIC_NAMES).not.toContain('go_memstats_lookups_total');
    expect(RECORD_METRIC_NAMES).not.toContain('go_memstats_mallocs_total');
    for (const n of RECORD_METRIC_NAMES) expect(GO_PROCESS_METRIC_NAMES).toContain(n);
  });
});

describe('series → one record per sample time per instance', () => {
  const captured = parseMatrix(parseApiBody(bytes(capture('query-range.json')), 200, 'x').data, 'x');

  it('the captured instances, their Go version, RSS from the metrics, the GC count rising', () => {
    const insts = instancesFromSeries(captured);
    expect(insts.map((i) => i.labels.scenario).sort()).toEqual(['heap-leak', 'steady']);
    for (const i of insts) {
      expect(i.key).toBe(i.labels.instance);
      expect(i.goVersion).toMatch(/^go1\.\d+/);
      expect(i.records).toHaveLength(5);
      for (const r of i.records) {
        expect(r.rssSource).toBe('metrics');
        expect(r.heapInuse).toBeGreaterThan(0);
        expect(r.memstatsSource).toBe('metrics');
      }
      const gcs = i.records.map((r) => r.numGC!);
      expect([...gcs].sort((a, b) => a - b)).toEqual(gcs);
      // The capture asked for a few names: the rest is listed as missing, not made up.
      expect(i.missing.join('\n')).toMatch(/GOGC/);
      expect(i.missing.join('\n')).toMatch(/goroutines/);
    }
  });

  it("a row keeps how to make its records again, not the records: history() gives what was judged, restarts marked", () => {
    const inst = { instance: 'a:1', job: 'api' };
    const one = (name: string, values: number[]): RangeSeries => ({
      labels: { __name__: name, ...inst },
      times: Float64Array.from(values.map((_, i) => 1_700_000_000_000 + i * 15_000)),
      values: Float64Array.from(values),
    });
    const all = instancesFromSeries([...captured, one('go_gc_duration_seconds_count', [10, 20, 30, 2, 8]), one('process_resident_memory_bytes', [5e7, 5e7, 5e7, 4e7, 4e7])]);
    expect(all).toHaveLength(3);
    const i = all.find((x) => x.key === 'a:1');
    for (const x of all) {
      const row = fleetRow(x, null);
      expect(row).not.toHaveProperty('records');
      const history = row.history();
      expect(history).toEqual(x.records);
      expect(history).not.toBe(x.records);
    }
    expect(i!.records.map((r) => r.restarted === true)).toEqual([false, false, false, true, false]);
  });

  it('an instance whose series end two steps (and a minute) before the window is gone: said, found by /gone, sorted last but by name', () => {
    const all = instancesFromSeries(captured);
    expect(all.length).toBeGreaterThanOrEqual(2);
    const last = Math.max(...all.map((x) => x.records[x.records.length - 1]!.time));
    const stepMs = 15_000;
    const gone = all.find((x) => x.records[x.records.length - 1]!.time === last)!;
    // Every instance seen at `last`; the window ending later by `after`.
    const rows = (after: number) => all.map((x) => fleetRow(x, null, { window: { endMs: last + after, stepMs } }));
    expect(rows(0).map((r) => r.goneForMs)).toEqual(all.map(() => null));
    // Two steps but under a minute: a few failed scrapes, not gone.
    expect(rows(2 * stepMs).find((r) => r.key === gone.key)!.goneForMs).toBeNull();
    const later = rows(10 * 60_000);
    expect(later.find((r) => r.key === gone.key)!.goneForMs).toBe(10 * 60_000);
    expect(fleetRowText(later.find((r) => r.key === gone.key)!)).toMatch(/\bgone\b/);
    // Gone rows after the reporting ones for every order but the name's.
    const mixed = [...rows(0).filter((r) => r.key !== gone.key), later.find((r) => r.key === gone.key)!];
    for (const key of ['growth', 'rss', 'verdict'] as const) expect(sortFleetRows(mixed, key).at(-1)!.key).toBe(gone.key);
    expect(sortFleetRows(mixed, 'instance').map((r) => r.key)).toEqual(mixed.map((r) => r.key).sort());
  });

  it("without go_info's samples, the Go version comes from its label sets (/api/v1/series)", () => {
    const labelSets = parseApiBody(bytes(capture('series.json')), 200, 'x').data as Array<Record<string, string>>;
    const withInfo = instancesFromSeries(captured);
    const without = instancesFromSeries(
      captured.filter((s) => s.labels.__name__ !== 'go_info'),
      [],
      goVersionsOf(labelSets),
    );
    expect(without.map((i) => [i.key, i.goVersion])).toEqual(withInfo.map((i) => [i.key, i.goVersion]));
    expect(without.every((i) => /^go1\.\d+/.test(i.goVersion ?? ''))).toBe(true);
    expect(instancesFromSeries(captured.filter((s) => s.labels.__name__ !== 'go_info')).map((i) => i.goVersion)).toEqual([null, null]);
  });

  it('an instance without process_resident_memory_bytes gets an estimate, labelled, and says so', () => {
    const noRss = captured.filter((s) => s.labels.__name__ !== 'process_resident_memory_bytes');
    const [inst] = instancesFromSeries(noRss);
    expect(inst!.records.every((r) => r.rssSource !== 'metrics')).toBe(true);
    expect(inst!.missing[0]).toMatch(/^RSS \(process_resident_memory_bytes\)/);
  });

  const series = (name: string, labels: Record<string, string>, values: number[]): RangeSeries => ({
    labels: { __name__: name, ...labels },
    times: Float64Array.from(values.map((_, i) => 1_700_000_000_000 + i * 15_000)),
    values: Float64Array.from(values),
  });

  it('a restart is marked where the GC count goes back or the start time changes', () => {
    const inst = { instance: 'a:1', job: 'api' };
    const [i] = instancesFromSeries([
      series('go_gc_duration_seconds_count', inst, [10, 20, 30, 2, 8]),
      series('process_start_time_seconds', inst, [1000, 1000, 1000, 1000, 1000]),
    ]);
    expect(i!.records.map((r) => r.restarted === true)).toEqual([false, false, false, true, false]);
    const [j] = instancesFromSeries([series('process_start_time_seconds', inst, [1000, 1000, 2000])]);
    expect(j!.records[2]!.restartReason).toBe('process_start_time_seconds changed');
  });

  it("cAdvisor's working set and limit join on namespace and pod; 0 means no limit; a pod of several containers is said, not guessed", () => {
    const pod = { instance: '10.0.0.7:8080', job: 'api', namespace: 'prod', pod: 'api-7f9' };
    const go = [series('process_resident_memory_bytes', pod, [100, 110])];
    const ws = (container: string, v: number) => series('container_memory_working_set_bytes', { namespace: 'prod', pod: 'api-7f9', container }, [v, v]);
    const lim = (container: string, v: number) => series('container_spec_memory_limit_bytes', { namespace: 'prod', pod: 'api-7f9', container }, [v, v]);
    const [one] = instancesFromSeries(go, [ws('api', 90), lim('api', 512), ws('POD', 1)]);
    expect(one!.records[1]!.workingSet).toBe(90);
    expect(one!.records[1]!.memoryLimit).toBe(512);
    expect(one!.missing.join('\n')).not.toMatch(/working set/);
    const [unlimited] = instancesFromSeries(go, [ws('api', 90), lim('api', 0)]);
    expect(unlimited!.records[1]!.memoryLimit).toBeNull();
    const [two] = instancesFromSeries(go, [ws('api', 90), ws('sidecar', 20)]);
    expect(two!.records[1]!.workingSet).toBeNull();
    expect(two!.missing.join('\n')).toMatch(/pod api-7f9 has 2 containers/);
    const [named] = instancesFromSeries([series('process_resident_memory_bytes', { ...pod, container: 'api' }, [1, 2])], [ws('api', 90), ws('sidecar', 20)]);
    expect(named!.records[1]!.workingSet).toBe(90);
  });
});

// ---- the client over HTTP, and the fleet source's failures ------------------------------------

type Mode = 'ok' | 'status-500-html' | 'slow' | 'redirect-other-host' | 'cut' | 'partial' | 'down' | 'no-instance-label';

describe('the client over HTTP: one line per failure, the last good table kept, marked stale', () => {
  let server: Server;
  let base: string;
  let mode: Mode = 'ok';
  const seen: Array<{ url: string; auth: string | undefined }> = [];
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization });
      const url = req.url ?? '';
      const c = capture(url.startsWith('/api/v1/targets') ? 'targets.json' : url.startsWith('/api/v1/series') ? 'series.json' : 'query-range.json');
      switch (mode) {
        case 'slow':
          return; // never answers
        case 'status-500-html':
          res.writeHead(500, { 'content-type': 'text/html' });
          return res.end('<html><title>500 Internal Server Error</title></html>');
        case 'redirect-other-host':
          res.writeHead(302, { location: 'http://elsewhere.example/api/v1/query_range' });
          return res.end();
        case 'cut':
          res.writeHead(200, { 'content-length': String(c.body.length) });
          res.write(c.body.slice(0, 100));
          return res.destroy();
        case 'no-instance-label': {
          const body = JSON.parse(c.body) as { data: { result: Array<{ metric: Record<string, string> }> } | Array<Record<string, string>> };
          for (const labels of Array.isArray(body.data) ? body.data : body.data.result.map((r) => r.metric)) delete labels.instance;
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify(body));
        }
        case 'partial': {
          const body = JSON.parse(c.body) as Record<string, unknown>;
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ ...body, warnings: ['store 10.0.0.9:10901 did not answer: partial response'] }));
        }
        default:
          res.writeHead(c.status, { 'content-type': 'application/json' });
          return res.end(c.body);
      }
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    mode = 'ok';
    seen.length = 0;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  const client = (timeoutMs = 2000) => new PrometheusClient(base, new HttpClient({ timeoutMs, headers: { authorization: 'Bearer prom-secret-token' } }));

  it('sends its own header, and the handful of queries covers every instance', async () => {
    const c = client();
    const f = await fetchFleet(c, { match: 'job="capture"', windowMs: 4000, points: 4, atMs: 1_796_594_792_000 }, 0);
    expect(f.instances).toHaveLength(2);
    expect(f.queries).toBeLessThanOrEqual(6);
    expect(seen.length).toBe(f.queries);
    for (const s of seen) {
      expect(s.auth).toBe('Bearer prom-secret-token');
      expect(decodeURIComponent(s.url)).toContain('job="capture"');
    }
    // First the instances (label sets of two small series: the index, no samples), then all
    // names for them by instance, the regex's dots escaped for a PromQL string: answers hold
    // whole instances, judged as they arrive.
    const urls = seen.map((s) => new URL(s.url, base));
    expect(urls[0]!.pathname).toBe('/api/v1/series');
    expect(urls[0]!.searchParams.get('match[]')).toBe('{__name__=~"go_info|process_start_time_seconds",job="capture"}');
    expect(urls[1]!.pathname).toBe('/api/v1/query_range');
    expect(urls[1]!.searchParams.get('query')).toMatch(/,job="capture",instance=~"127\\\\\.0\\\\\.0\\\\\.1:\d+\|127\\\\\.0\\\\\.0\\\\\.1:\d+"\}$/);
    await c.close();
  });

  it('series without the instance label (some remote-write setups) are asked for by groups of names over all instances', async () => {
    mode = 'no-instance-label';
    const c = client();
    const f = await fetchFleet(c, { match: 'job="capture"', windowMs: 4000, points: 4, atMs: 1_796_594_792_000 }, 0);
    expect(f.instances.map((i) => i.key)).toEqual(['(no instance label)']);
    const queries = seen.map((s) => new URL(s.url, base).searchParams.get('query') ?? '');
    expect(queries.some((q) => q.includes('instance=~'))).toBe(false);
    expect(queries.length).toBe(f.queries);
    await c.close();
  });

  it('down, slow, a proxy 500, a redirect elsewhere, a cut body: each one line of its kind', async () => {
    const c = client(500);
    const q = (cl: PrometheusClient) => cl.queryRange('{job="x"}', 0, 1000, 1000);
    mode = 'slow';
    expect((await rejected(q(c))).kind).toBe('timeout');
    mode = 'status-500-html';
    expect((await rejected(q(c))).message).toMatch(/^HTTP 500 from 127\.0\.0\.1:\d+: 500 Internal Server Error$/);
    mode = 'redirect-other-host';
    expect((await rejected(q(c))).kind).toBe('redirect');
    mode = 'cut';
    expect(['truncated', 'reset']).toContain((await rejected(q(c))).kind);
    const down = new PrometheusClient('http://127.0.0.1:1', new HttpClient({ timeoutMs: 500 }));
    const e = await rejected(q(down));
    expect(e.kind).toBe('refused');
    expect(e.message).toBe('connection refused by 127.0.0.1:1: is Prometheus running at --prometheus http://127.0.0.1:1?');
    await c.close();
  });

  it('a partial answer is used, and its warning kept for the screen', async () => {
    mode = 'partial';
    const c = client();
    const f = await fetchFleet(c, { match: '', windowMs: 4000, points: 4, atMs: 1_796_594_792_000 }, 0);
    expect(f.instances).toHaveLength(2);
    expect(f.warnings).toEqual(['store 10.0.0.9:10901 did not answer: partial response']);
    await c.close();
  });

  it('after a failed refresh the rows stay, marked stale, with the error; the next good one clears it', async () => {
    const c = client(500);
    const src = new FleetSource(c, { match: '', windowMs: 4000, points: 4, atMs: 1_796_594_792_000 }, { refreshMs: 1000 });
    expect(await src.refresh()).toBe(true);
    const good = src.snapshot();
    expect(good.rows).toHaveLength(2);
    expect(good.stale).toBe(false);
    mode = 'status-500-html';
    expect(await src.refresh()).toBe(false);
    const bad = src.snapshot();
    expect(bad.rows).toBe(good.rows);
    expect(bad.stale).toBe(true);
    expect(bad.status).toBe('failing');
    expect(bad.failures).toBe(1);
    expect(bad.lastError?.message).toMatch(/^HTTP 500/);
    mode = 'ok';
    expect(await src.refresh()).toBe(true);
    expect(src.snapshot().stale).toBe(false);
    expect(src.snapshot().failures).toBe(0);
    await c.close();
  });

  it('while Prometheus fails, refreshes back off: the interval, then doubling', async () => {
    mode = 'status-500-html';
    const c = client(500);
    const src = new FleetSource(c, { match: '', windowMs: 4000, points: 4, atMs: null }, { refreshMs: 40, now: () => 10_000 });
    const waits: number[] = [];
    let seenVersion = -1;
    const enough = new Promise<void>((resolve) =>
      src.subscribe(() => {
        const s = src.snapshot();
        // Each wait is set once per failed refresh, in the update after the failure.
        if (s.nextRefreshAt !== null && s.version !== seenVersion) {
          seenVersion = s.version;
          waits.push(s.nextRefreshAt - 10_000);
        }
        if (waits.length >= 3) resolve();
      }),
    );
    void src.start();
    await enough;
    await src.stop();
    expect(waits).toEqual([40, 80, 160]);
    expect(src.snapshot().lastError?.message).toMatch(/^HTTP 500/);
    await c.close();
  });
});
