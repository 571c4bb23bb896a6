// Where the resident memory goes: the latest RSS split into what the Go runtime holds and the
// rest, each part with what it is and where the figure came from. The non-Go part is the same
// number the verdict judges (gc-model.ts nonGoBytes), so the screen never shows two of them.

import { nonGoBytes } from './gc-model.js';
import { thpHolds } from './thp.js';
import type { PollRecord } from './poll-record.js';

export interface MemoryPart {
  key: 'heap' | 'idle' | 'lazyfree' | 'runtime' | 'file' | 'thp' | 'other' | 'heap-objects' | 'heap-unused' | 'stacks' | 'metadata' | 'runtime-other';
  label: string;
  /** What the part is, in a few words, for the help and the README. */
  meaning: string;
  bytes: number | null;
  /** How the figure was obtained, for the screen ("metrics", "proc", "derived"). */
  source: string;
}

export interface MemoryBreakdown {
  rss: number | null;
  rssSource: string | null;
  parts: MemoryPart[];
  /**
   * All of the process's anonymous memory in transparent huge pages (AnonHugePages of
   * smaps_rollup), whatever holds it: a share of RSS, not a part of the sum. The `thp` part is
   * the piece of it that Go's own figures cannot explain.
   */
  hugePages: { bytes: number | null; source: string };
  /**
   * The same RSS split by the runtime's own memory classes (runtime/metrics), finer than `parts`:
   * objects apart from fragmentation, stacks apart from metadata. Null where the service does not
   * export them.
   */
  classes: MemoryPart[] | null;
}

export const PART_MEANINGS: Record<MemoryPart['key'], string> = {
  heap: 'heap spans holding objects (HeapInuse)',
  idle: 'free heap the runtime kept, not yet returned (HeapIdle − HeapReleased)',
  lazyfree: 'returned with MADV_FREE, still counted in RSS until the kernel needs it (LazyFree)',
  runtime: 'goroutine stacks and the runtime\'s own metadata (StackSys + MSpan/MCache/GC/other Sys), the resident part',
  file: 'the binary and mapped files (RssFile + RssShmem): shared, dropped under pressure',
  thp: 'heap Go released that transparent huge pages keep resident (at most AnonHugePages of smaps_rollup, and HeapReleased), shown when it accounts for the memory Go does not: an upper bound',
  other: 'anonymous memory Go does not account for: cgo/C malloc, mmap (RSS − LazyFree − (Sys − HeapReleased), less the huge pages part)',
  'heap-objects': 'live objects and dead ones not yet swept (/memory/classes/heap/objects)',
  'heap-unused': 'room in heap spans that hold objects, unused: fragmentation (/memory/classes/heap/unused)',
  stacks: 'goroutine stacks (/memory/classes/heap/stacks + os-stacks)',
  metadata: 'the runtime\'s metadata: mspans, mcaches, GC bitmaps, profiling buckets (/memory/classes/metadata/*, profiling/buckets)',
  'runtime-other': 'the rest of what the runtime mapped (/memory/classes/other)',
};

/**
 * RSS = heap in use + free heap kept + LazyFree + stacks and metadata + file pages + memory
 * outside Go. Go's Sys counts reserved pages before they are touched, so its parts are upper
 * bounds: what RSS does not hold of them is taken off the runtime's share (then the free heap's),
 * never shown as negative memory elsewhere.
 */
export function memoryBreakdown(r: PollRecord): MemoryBreakdown {
  const ms = r.memstatsSource ?? 'memstats';
  const idle = r.heapIdle !== null && r.heapReleased !== null ? r.heapIdle - r.heapReleased : null;
  const runtime = r.stackSys !== null && r.runtimeSys !== null ? r.stackSys + r.runtimeSys : null;
  const go = [part('heap', r.heapInuse, ms), part('idle', idle, ms), part('runtime', runtime, ms)];
  return {
    rss: r.rss,
    rssSource: r.rssSource,
    parts: fitToRss(r, go, 'idle'),
    hugePages: { bytes: r.anonHugePages, source: r.anonHugePages === null ? 'unknown' : 'smaps_rollup' },
    classes: memoryClassBreakdown(r),
  };
}

/**
 * RSS by the runtime's memory classes, where the service exports them (client_golang's
 * WithGoCollectorRuntimeMetrics): heap objects + fragmentation + free heap kept + LazyFree +
 * stacks + metadata + the runtime's other mappings + file pages + huge pages + memory outside Go
 * (the same figures as in `parts`). Released heap is left out: it is resident only as LazyFree
 * (or in huge pages).
 */
export function memoryClassBreakdown(r: PollRecord): MemoryPart[] | null {
  const c = r.memoryClasses ?? null; // records from recordings made before the field have none
  if (c === null) return null;
  const src = 'metrics: memory classes';
  const go = [
    part('heap-objects', c.heapObjects, src),
    part('heap-unused', c.heapUnused, src),
    part('idle', c.heapFree, src),
    part('stacks', c.stacks, src),
    part('metadata', c.metadata + c.profiling, src),
    part('runtime-other', c.other, src),
  ];
  return fitToRss(r, go, 'idle');
}

function part(key: MemoryPart['key'], bytes: number | null, source: string): MemoryPart {
  return { key, label: PART_LABELS[key], meaning: PART_MEANINGS[key], bytes, source };
}

/**
 * The Go parts (heap first) with LazyFree after `lazyFreeAfter`, then file pages, huge pages and
 * memory outside Go. Go's figures count reserved pages before they are touched, so they are upper
 * bounds: what RSS does not hold of them is taken off each part after the first, in order, never
 * shown as negative memory elsewhere.
 */
function fitToRss(r: PollRecord, go: MemoryPart[], lazyFreeAfter: MemoryPart['key']): MemoryPart[] {
  const file = r.rssSource === 'proc' && r.rss !== null && r.rssAnon !== null ? r.rss - r.rssAnon : null;
  const nonGo = nonGoFigure(r);
  // Huge pages holding released heap come off "not Go" only when they account for it (thp.ts).
  const thp = r.anonHugePages === null || nonGo === null ? null : (thpHolds(r)?.heldBytes ?? 0);
  const at = go.findIndex((p) => p.key === lazyFreeAfter) + 1;
  const parts: MemoryPart[] = [
    ...go.slice(0, at),
    part('lazyfree', r.lazyFree, r.lazyFree === null ? 'unknown' : 'smaps'),
    ...go.slice(at),
    part('file', file, file === null ? 'unknown' : 'proc'),
    part('thp', thp, thp === null ? 'unknown' : 'smaps_rollup'),
    part('other', nonGo, nonGo === null ? 'unknown' : r.namedMappings ? 'smaps (named mappings)' : 'derived'),
  ];
  if (r.rss !== null) {
    const fixed = (r.lazyFree ?? 0) + (file ?? 0) + (thp ?? 0) + (nonGo ?? 0);
    let goResident = r.rss - fixed;
    go.forEach((p, i) => {
      if (p.bytes === null) return;
      if (i > 0 && p.bytes > goResident) {
        p.bytes = Math.max(0, goResident);
        p.source += ' (resident part)';
      }
      goResident -= p.bytes;
    });
    // Without /proc's split (RSS from /metrics), what is left over is all "not Go", files included.
    const other = parts.find((x) => x.key === 'other')!;
    if (other.bytes === null && goResident >= 0 && parts.every((p) => p.key === 'other' || p.key === 'file' || p.key === 'lazyfree' || p.bytes !== null)) {
      other.bytes = goResident;
      other.source = 'remainder';
      other.meaning = 'everything else in RSS: binary, files, cgo/C malloc, mmap';
    }
  }
  return parts;
}

/**
 * The one non-Go figure, on the screen and in the verdict: exact from Go's named mappings when
 * the kernel names them (Go >= 1.25), else the lower bound from MemStats (gc-model.ts
 * nonGoBytes, counted from zero) less the released heap that huge pages keep resident.
 */
export function nonGoFigure(r: PollRecord): number | null {
  if (r.namedMappings) return r.namedMappings.nonGoAnonymous;
  const bound = nonGoBytes(r);
  if (bound === null) return null;
  const thp = r.anonHugePages === null ? 0 : (thpHolds(r)?.heldBytes ?? 0);
  return Math.max(0, Math.max(0, bound) - thp);
}

const PART_LABELS: Record<MemoryPart['key'], string> = {
  heap: 'heap in use',
  idle: 'free kept',
  lazyfree: 'LazyFree',
  runtime: 'stacks+metadata',
  file: 'binary+files',
  thp: 'huge pages',
  other: 'not Go',
  'heap-objects': 'heap objects',
  'heap-unused': 'fragmentation',
  stacks: 'stacks',
  metadata: 'metadata',
  'runtime-other': 'runtime other',
};

/** The parts of `parts` (the screen's breakdown). */
const BREAKDOWN_KEYS: Array<MemoryPart['key']> = ['heap', 'idle', 'lazyfree', 'runtime', 'file', 'thp', 'other'];

/** The parts and their meanings as the README's table (test/readme.test.ts keeps them in step). */
export function memoryPartsMarkdown(): string {
  const rows = BREAKDOWN_KEYS.map((k) => `| ${PART_LABELS[k]} | ${PART_MEANINGS[k]} |`);
  return ['| part | what it is |', '|---|---|', ...rows].join('\n');
}
