// Where the resident memory goes: the latest RSS split into what the Go runtime holds and the
// rest, each part with what it is and where the figure came from. The non-Go part is the same
// number the verdict judges (gc-model.ts nonGoBytes), so the screen never shows two of them.

import { nonGoBytes } from './gc-model.js';
import { thpHolds } from './thp.js';
import type { PollRecord } from './poll-record.js';

export interface MemoryPart {
  key: 'heap' | 'idle' | 'lazyfree' | 'runtime' | 'file' | 'thp' | 'other';
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
}

export const PART_MEANINGS: Record<MemoryPart['key'], string> = {
  heap: 'heap spans holding objects (HeapInuse)',
  idle: 'free heap the runtime kept, not yet returned (HeapIdle − HeapReleased)',
  lazyfree: 'returned with MADV_FREE, still counted in RSS until the kernel needs it (LazyFree)',
  runtime: 'goroutine stacks and the runtime\'s own metadata (StackSys + MSpan/MCache/GC/other Sys), the resident part',
  file: 'the binary and mapped files (RssFile + RssShmem): shared, dropped under pressure',
  thp: 'heap Go released that transparent huge pages keep resident (at most AnonHugePages of smaps_rollup, and HeapReleased), shown when it accounts for the memory Go does not: an upper bound',
  other: 'anonymous memory Go does not account for: cgo/C malloc, mmap (RSS − LazyFree − (Sys − HeapReleased), less the huge pages part)',
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
  const file = r.rssSource === 'proc' && r.rss !== null && r.rssAnon !== null ? r.rss - r.rssAnon : null;
  const nonGo = nonGoFigure(r);
  // Huge pages holding released heap come off "not Go" only when they account for it (thp.ts).
  const thp = r.anonHugePages === null || nonGo === null ? null : (thpHolds(r)?.heldBytes ?? 0);
  const part = (key: MemoryPart['key'], bytes: number | null, source: string): MemoryPart => ({ key, label: PART_LABELS[key], meaning: PART_MEANINGS[key], bytes, source });
  const parts: MemoryPart[] = [
    part('heap', r.heapInuse, ms),
    part('idle', idle, ms),
    part('lazyfree', r.lazyFree, r.lazyFree === null ? 'unknown' : 'smaps'),
    part('runtime', runtime, ms),
    part('file', file, file === null ? 'unknown' : 'proc'),
    part('thp', thp, thp === null ? 'unknown' : 'smaps_rollup'),
    part('other', nonGo, nonGo === null ? 'unknown' : r.namedMappings ? 'smaps (named mappings)' : 'derived'),
  ];
  if (r.rss !== null) {
    const fixed = (r.lazyFree ?? 0) + (file ?? 0) + (thp ?? 0) + (nonGo ?? 0);
    let goResident = r.rss - fixed;
    for (const key of ['heap', 'idle', 'runtime'] as const) {
      const p = parts.find((x) => x.key === key)!;
      if (p.bytes === null) continue;
      if (key !== 'heap' && p.bytes > goResident) {
        p.bytes = Math.max(0, goResident);
        p.source += ' (resident part)';
      }
      goResident -= p.bytes;
    }
    // Without /proc's split (RSS from /metrics), what is left over is all "not Go", files included.
    const other = parts.find((x) => x.key === 'other')!;
    if (other.bytes === null && goResident >= 0 && parts.every((p) => p.key === 'other' || p.key === 'file' || p.key === 'lazyfree' || p.bytes !== null)) {
      other.bytes = goResident;
      other.source = 'remainder';
      other.meaning = 'everything else in RSS: binary, files, cgo/C malloc, mmap';
    }
  }
  return { rss: r.rss, rssSource: r.rssSource, parts, hugePages: { bytes: r.anonHugePages, source: r.anonHugePages === null ? 'unknown' : 'smaps_rollup' } };
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
};

/** The parts and their meanings as the README's table (test/readme.test.ts keeps them in step). */
export function memoryPartsMarkdown(): string {
  const rows = (Object.keys(PART_LABELS) as Array<MemoryPart['key']>).map((k) => `| ${PART_LABELS[k]} | ${PART_MEANINGS[k]} |`);
  return ['| part | what it is |', '|---|---|', ...rows].join('\n');
}
