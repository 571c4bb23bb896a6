// Growth evidence for the verdict: which functions hold more heap than at the baseline and which
// goroutine groups grew. Heap growth comes from the flat-per-function summaries of the two
// profiles (flat is additive over samples, so it equals the flat of their diff), not from a diff
// of 100,000 stacks on every poll.

import type { FlatSummary } from './flat-summary.js';
import { goroutineRows } from './goroutines.js';
import type { CountProfile } from '../profile/goroutine-text.js';
import type { GoroutineGrowth, HeapGrowth } from './verdict.js';

export interface SummarisedHeap {
  flat: FlatSummary;
  /** Sample type names, in the order of the summary's values. */
  sampleTypes: readonly string[];
  time: number;
}

export function heapGrowth(base: SummarisedHeap, latest: SummarisedHeap, limit = 5): HeapGrowth[] {
  const i = latest.sampleTypes.indexOf('inuse_space');
  const j = base.sampleTypes.indexOf('inuse_space');
  if (i < 0 || j < 0 || base.flat === latest.flat) return [];
  const seconds = Math.max(1e-3, (latest.time - base.time) / 1000);
  const rows: HeapGrowth[] = [];
  for (const [name, values] of latest.flat) {
    const grew = values[i]! - (base.flat.get(name)?.[j] ?? 0);
    if (grew > 0) rows.push({ name, bytes: grew, ratePerSec: grew / seconds });
  }
  return rows.sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : 1)).slice(0, limit);
}

export function goroutineGrowth(latest: CountProfile, first: CountProfile | null, limit = 5): GoroutineGrowth[] {
  return goroutineRows(latest, first)
    .filter((r) => r.delta > 0)
    .sort((a, b) => b.delta - a.delta)
    .slice(0, limit)
    .map((r) => ({ top: r.top, entry: r.entry, count: r.count, delta: r.delta }));
}
