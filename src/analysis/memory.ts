// Where the resident memory goes: the latest RSS split into what the Go runtime says it holds
// and the rest. The parts and their formulas are from go-pprof-formats.md §6.1.

import type { PollRecord } from './poll-record.js';

export interface MemoryPart {
  key: 'heap' | 'idle' | 'lazyfree' | 'runtime' | 'other';
  label: string;
  bytes: number | null;
  /** How the figure was obtained, for the screen ("metrics", "proc", "derived"). */
  source: string;
}

export interface MemoryBreakdown {
  rss: number | null;
  rssSource: string | null;
  parts: MemoryPart[];
}

/**
 * RSS = heap in use + idle heap the runtime kept (HeapIdle − HeapReleased) + released pages the
 * kernel still counts (LazyFree, MADV_FREE) + stacks and runtime metadata + everything else
 * (cgo, mapped files, the binary). The last part is the remainder, so it absorbs the error of
 * the others (Sys counts committed-but-untouched pages that RSS does not).
 */
export function memoryBreakdown(r: PollRecord): MemoryBreakdown {
  const ms = r.memstatsSource ?? 'memstats';
  const idle = r.heapIdle !== null && r.heapReleased !== null ? r.heapIdle - r.heapReleased : null;
  const runtime = r.stackSys !== null && r.runtimeSys !== null ? r.stackSys + r.runtimeSys : null;
  const parts: MemoryPart[] = [
    { key: 'heap', label: 'heap in use', bytes: r.heapInuse, source: ms },
    { key: 'idle', label: 'idle kept', bytes: idle, source: ms },
    { key: 'lazyfree', label: 'released, still resident', bytes: r.lazyFree, source: r.lazyFree === null ? 'unknown' : 'smaps' },
    { key: 'runtime', label: 'stacks+runtime', bytes: runtime, source: ms },
  ];
  let other: number | null = null;
  if (r.rss !== null && parts.every((p) => p.bytes !== null || p.key === 'lazyfree')) {
    other = r.rss - parts.reduce((sum, p) => sum + (p.bytes ?? 0), 0);
    if (other < 0) {
      // The runtime's Sys counts committed pages never touched (not resident): its share is an
      // upper bound. Take the excess off it rather than show negative "not Go" memory.
      const rt = parts.find((p) => p.key === 'runtime')!;
      rt.bytes = Math.max(0, rt.bytes! + other);
      rt.source += ' (capped at RSS)';
      other = 0;
    }
  }
  parts.push({ key: 'other', label: 'not Go', bytes: other, source: 'remainder' });
  return { rss: r.rss, rssSource: r.rssSource, parts };
}
