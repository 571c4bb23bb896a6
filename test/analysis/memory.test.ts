// The RSS breakdown by the runtime's memory classes, on the classes client_golang v1.25.0 served
// from a Go 1.26 process (fixtures/metrics-dialects, runtime-only.txt).

import { describe, expect, it } from 'vitest';
import { memoryBreakdown, memoryClassBreakdown } from '../../src/analysis/memory.js';
import { emptyRecord, type PollRecord } from '../../src/analysis/poll-record.js';
import { extractGoProcessMetrics, parsePrometheusText } from '../../src/source/parse-prometheus.js';
import { DIALECT_PROGRAMS, readCapture } from '../source/metrics-dialects.js';

const d = DIALECT_PROGRAMS.find((x) => x.clientGolang === 'v1.25.0')!;
const metrics = extractGoProcessMetrics(parsePrometheusText(readCapture(d, d.captures.find((c) => c.file === 'runtime-only.txt')!)));
const classes = metrics.memoryClasses!;
const resident = classes.total - classes.heapReleased;

/** A poll of that process as /proc would show it: RSS of which `file` bytes are file pages. */
function record(rss: number | null, lazyFree: number | null, file = 0): PollRecord {
  return {
    ...emptyRecord(1, 0),
    rss,
    rssSource: 'proc',
    rssAnon: rss === null ? null : rss - file,
    lazyFree,
    sys: classes.total,
    heapReleased: classes.heapReleased,
    memoryClasses: classes,
  };
}

const sum = (parts: Array<{ bytes: number | null }>) => parts.reduce((a, p) => a + (p.bytes ?? 0), 0);
const byKey = (parts: Array<{ key: string; bytes: number | null; source: string }>, key: string) => parts.find((p) => p.key === key)!;

describe('memoryClassBreakdown', () => {
  it('splits RSS into the classes, LazyFree, file pages and memory outside Go, adding up to RSS', () => {
    const [lazy, file, outside] = [3 << 20, 5 << 20, 8 << 20];
    const rss = resident + lazy + file + outside;
    const parts = memoryClassBreakdown(record(rss, lazy, file))!;
    expect(parts.map((p) => p.key)).toEqual(['heap-objects', 'heap-unused', 'idle', 'lazyfree', 'stacks', 'metadata', 'runtime-other', 'file', 'thp', 'other']);
    expect(sum(parts)).toBe(rss);
    expect(byKey(parts, 'heap-objects').bytes).toBe(classes.heapObjects);
    expect(byKey(parts, 'heap-unused').bytes).toBe(classes.heapUnused);
    expect(byKey(parts, 'idle').bytes).toBe(classes.heapFree);
    expect(byKey(parts, 'stacks').bytes).toBe(classes.stacks);
    expect(byKey(parts, 'metadata').bytes).toBe(classes.metadata + classes.profiling);
    expect(byKey(parts, 'runtime-other').bytes).toBe(classes.other);
    expect(byKey(parts, 'lazyfree')).toMatchObject({ bytes: lazy, source: 'smaps' });
    expect(byKey(parts, 'file')).toMatchObject({ bytes: file, source: 'proc' });
    // The same "not Go" figure as the coarse breakdown (and the verdict).
    expect(byKey(parts, 'other')).toMatchObject({ bytes: outside, source: 'derived' });
    expect(byKey(memoryBreakdown(record(rss, lazy, file)).parts, 'other').bytes).toBe(outside);
  });

  it('RSS below what the runtime says it holds: the last parts are cut to what is resident, never a negative "not Go"', () => {
    const parts = memoryClassBreakdown(record(resident - 4096, 0))!;
    expect(byKey(parts, 'other').bytes).toBe(0);
    expect(byKey(parts, 'runtime-other')).toMatchObject({ bytes: classes.other - 4096, source: 'metrics: memory classes (resident part)' });
    expect(sum(parts)).toBe(resident - 4096);
  });

  it('no RSS: no memory outside Go', () => {
    expect(byKey(memoryClassBreakdown(record(null, null))!, 'other').bytes).toBeNull();
  });

  it('null without classes, also for records from recordings made before the field', () => {
    expect(memoryClassBreakdown({ ...emptyRecord(1, 0), rss: 1 })).toBeNull();
    const old = { ...emptyRecord(1, 0) } as Partial<PollRecord>;
    delete old.memoryClasses;
    expect(memoryBreakdown(old as PollRecord).classes).toBeNull();
  });
});
