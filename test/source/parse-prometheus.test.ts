import { describe, it, expect } from 'vitest';
import { extractGoProcessMetrics, parsePrometheusText } from '../../src/source/parse-prometheus.js';
import { parseExpvar, type MemStats } from '../../src/profile/memstats.js';
import { CLIENT_GOLANG_METRICS } from './client-golang-sample.js';
import { readFixture } from './go119-fixtures.js';

function expvarMemStats(): MemStats {
  const result = parseExpvar(readFixture('vars.json'));
  if (!result.ok || !result.value.memstats) throw new Error('vars.json did not parse');
  return result.value.memstats;
}

/**
 * Turn the real runtime-metrics.txt capture into the opt-in client_golang exposition, using the
 * naming rule of docs/formats.md#prometheus-metrics (`/memory/classes/heap/free:bytes` → `go_memory_classes_heap_free_bytes`,
 * cumulative counters get `_total`). Histograms are left out.
 */
function runtimeMetricsExposition(): string {
  const cumulative = /^\/(gc\/cycles\/|gc\/heap\/(allocs|frees|tiny\/allocs):|cgo\/)/;
  const lines: string[] = [];
  for (const line of readFixture('runtime-metrics.txt').split('\n')) {
    const [name, value] = line.split(' ');
    if (!name || !value || value.startsWith('histogram')) continue;
    const [path, unit] = name.split(':') as [string, string];
    const base = `go_${path.slice(1).replace(/\//g, '_')}_${unit}`.replace(/[-*]/g, '_');
    lines.push(`${base}${cumulative.test(name) ? '_total' : ''} ${value}`);
  }
  return lines.join('\n');
}

describe('parsePrometheusText', () => {
  const samples = parsePrometheusText(CLIENT_GOLANG_METRICS);

  it('keys samples by name and keeps labels; comments are skipped', () => {
    expect(samples.get('go_goroutines')).toEqual([{ labels: {}, value: 83 }]);
    expect(samples.get('go_info')).toEqual([{ labels: { version: 'go1.19.8' }, value: 1 }]);
    expect(samples.get('go_gc_duration_seconds')?.map((s) => s.labels['quantile'])).toEqual(['0', '0.25', '0.5', '0.75', '1']);
    expect(samples.get('go_gc_duration_seconds_count')).toEqual([{ labels: {}, value: 6 }]);
    expect([...samples.keys()].some((k) => k.startsWith('#') || k === 'HELP' || k === 'TYPE')).toBe(false);
  });

  it('reads Go %g exponent values, NaN, +Inf labels and timestamps', () => {
    expect(samples.get('go_memstats_alloc_bytes')?.[0]?.value).toBe(23339024);
    expect(samples.get('process_virtual_memory_max_bytes')?.[0]?.value).toBe(1.8446744073709552e19);
    expect(samples.get('app_queue_ratio')?.[0]?.value).toBeNaN();
    expect(samples.get('app_latency_seconds_bucket')?.[1]).toEqual({ labels: { le: '+Inf' }, value: 13 });
  });

  it('unescapes label values (\\\\, \\", \\n) and accepts a trailing comma', () => {
    expect(samples.get('app_requests_total')).toEqual([
      { labels: { code: '200', handler: '/debug/pprof/' }, value: 12 },
      { labels: { code: '500', handler: '/say "hi"\nback\\slash' }, value: 1, timestamp: 1795671721758 },
    ]);
  });

  it('skips malformed lines and keeps the good ones', () => {
    const text = [
      'ok_metric 1',
      'no_value',
      'bad{label="unterminated} 1',
      'bad2{=“x”} 1',
      '9starts_with_digit 1',
      'bad_value 1.2.3',
      'bad_timestamp 1 12:00',
      'extra_tokens 1 2 3',
      'spaced { a = "b" , } -Inf',
      '  indented_metric\t+Inf\r',
      'colon:name 2',
      '',
      '# just a comment',
    ].join('\n');
    const parsed = parsePrometheusText(text);
    expect([...parsed.keys()]).toEqual(['ok_metric', 'spaced', 'indented_metric', 'colon:name']);
    expect(parsed.get('spaced')).toEqual([{ labels: { a: 'b' }, value: Number.NEGATIVE_INFINITY }]);
    expect(parsed.get('indented_metric')?.[0]?.value).toBe(Number.POSITIVE_INFINITY);
  });

  it('returns an empty map for empty or non-metrics input', () => {
    expect(parsePrometheusText('').size).toBe(0);
    expect(parsePrometheusText('<html><body>404 page not found</body></html>').size).toBe(0);
  });
});

describe('extractGoProcessMetrics', () => {
  it('maps the default client_golang collectors onto MemStats (agrees with vars.json)', () => {
    const metrics = extractGoProcessMetrics(parsePrometheusText(CLIENT_GOLANG_METRICS));
    expect(metrics.rss).toBe(30875648);
    expect(metrics.startTime).toBe(1795671713.66);
    expect(metrics.goroutines).toBe(83);
    expect(metrics.threads).toBe(7);
    const expvar = expvarMemStats();
    const sameFields = [
      'Alloc', 'TotalAlloc', 'Sys', 'Lookups', 'Mallocs', 'Frees', 'HeapAlloc', 'HeapSys', 'HeapIdle',
      'HeapInuse', 'HeapReleased', 'HeapObjects', 'StackInuse', 'StackSys', 'MSpanInuse', 'MSpanSys',
      'MCacheInuse', 'MCacheSys', 'BuckHashSys', 'GCSys', 'OtherSys', 'NextGC', 'NumGC', 'PauseTotalNs',
    ] as const;
    for (const field of sameFields) expect(metrics.memstats[field], field).toBe(expvar[field]);
    // Seconds as float64 lose the last digits of the ns timestamp.
    expect(Math.abs(metrics.memstats.LastGC! - expvar.LastGC)).toBeLessThan(1000);
    // Not exported by client_golang ≥ 1.12.2 / not derivable: absent rather than guessed.
    expect(metrics.memstats).not.toHaveProperty('GCCPUFraction');
    expect(metrics.memstats).not.toHaveProperty('NumForcedGC');
    expect(metrics.memstats).not.toHaveProperty('PauseNs');
  });

  it('derives core heap fields from runtime/metrics names (real runtime-metrics.txt values)', () => {
    const metrics = extractGoProcessMetrics(parsePrometheusText(runtimeMetricsExposition()));
    const expvar = expvarMemStats();
    expect(metrics.goroutines).toBe(83);
    expect(metrics.memstats).toMatchObject({
      NumGC: 6,
      NumForcedGC: 2,
      HeapReleased: expvar.HeapReleased,
      Sys: expvar.Sys,
      NextGC: expvar.NextGC,
      HeapAlloc: 23351312,
      HeapInuse: 23351312 + 913392,
      HeapIdle: 2195456 + 6537216,
      HeapObjects: 6894,
    });
    expect(metrics.rss).toBeNull();
  });

  it('prefers go_memstats_* over derived values and the cycles counter over the summary count', () => {
    const text = 'go_memstats_heap_alloc_bytes 10\ngo_memory_classes_heap_objects_bytes 99\ngo_gc_duration_seconds_count 4\ngo_gc_cycles_total_gc_cycles_total 5\n';
    // Alloc is HeapAlloc by definition (client_golang's memStatsFromRM).
    expect(extractGoProcessMetrics(parsePrometheusText(text)).memstats).toEqual({ HeapAlloc: 10, Alloc: 10, NumGC: 5 });
  });

  it('returns nulls and an empty memstats when nothing is exported; ignores NaN values', () => {
    expect(extractGoProcessMetrics(parsePrometheusText('go_threads NaN\n'))).toEqual({
      rss: null, startTime: null, goroutines: null, threads: null, memstats: {}, gc: { gogc: null, memoryLimit: null, heapLive: null }, memoryClasses: null,
    });
  });
});
