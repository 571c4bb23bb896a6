// Growth evidence for the verdict: which functions hold more heap than at the baseline (from
// the diff of two heap profiles) and which goroutine groups grew.

import type { Profile } from '../profile/model.js';
import { goroutineRows } from './goroutines.js';
import type { CountProfile } from '../profile/legacy-text.js';
import { diffProfiles } from './merge.js';
import { topReport } from './top.js';
import type { GoroutineGrowth, HeapGrowth } from './verdict.js';

export function heapGrowth(first: { profile: Profile; time: number }, latest: { profile: Profile; time: number }, limit = 5): HeapGrowth[] {
  const i = latest.profile.sampleTypes.findIndex((t) => t.type === 'inuse_space');
  if (i < 0 || first.profile === latest.profile) return [];
  const seconds = Math.max(1e-3, (latest.time - first.time) / 1000);
  const report = topReport(diffProfiles(latest.profile, first.profile), { sampleIndex: i, granularity: 'functions', nodeCount: 0, cumSort: false, filters: {} });
  return report.rows
    .filter((r) => r.flat > 0)
    .slice(0, limit)
    .map((r) => ({ name: r.name, bytes: r.flat, ratePerSec: r.flat / seconds }));
}

export function goroutineGrowth(latest: CountProfile, first: CountProfile | null, limit = 5): GoroutineGrowth[] {
  return goroutineRows(latest, first)
    .filter((r) => r.delta > 0)
    .sort((a, b) => b.delta - a.delta)
    .slice(0, limit)
    .map((r) => ({ top: r.top, entry: r.entry, count: r.count, delta: r.delta }));
}
