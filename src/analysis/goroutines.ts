// Goroutine groups (goroutine?debug=1: identical stacks with a count), their change since the
// first poll — the goroutine-leak signal — and the matching of debug=2 goroutines to a group.

import type { CountProfile, CountProfileGroup, Goroutine, GoroutineCreator } from '../profile/legacy-text.js';

export interface GoroutineGroupRow {
  key: string;
  count: number;
  /** Change since the first poll (the whole count when the group is new). */
  delta: number;
  /** Innermost frame (where they wait). */
  top: string;
  /** Outermost frame: the function the goroutines started in. */
  entry: string;
  labels: Record<string, string> | null;
  group: CountProfileGroup;
}

/** Identity of a group across polls: its frames (PCs move between binaries; names do not) and labels. */
export function groupKey(g: CountProfileGroup): string {
  const frames = g.frames.map((f) => `${f.func}@${f.file}:${f.line}`).join('|');
  return g.labels ? `${frames}#${JSON.stringify(g.labels)}` : frames;
}

export function goroutineRows(latest: CountProfile, first: CountProfile | null): GoroutineGroupRow[] {
  const before = new Map<string, number>();
  if (first) for (const g of first.groups) before.set(groupKey(g), (before.get(groupKey(g)) ?? 0) + g.count);
  const merged = new Map<string, GoroutineGroupRow>();
  for (const g of latest.groups) {
    const key = groupKey(g);
    const existing = merged.get(key);
    if (existing) {
      existing.count += g.count;
      continue;
    }
    merged.set(key, {
      key,
      count: g.count,
      delta: 0,
      top: g.frames[0]?.func ?? '?',
      entry: g.frames[g.frames.length - 1]?.func ?? '?',
      labels: g.labels,
      group: g,
    });
  }
  const rows = [...merged.values()];
  for (const r of rows) r.delta = r.count - (before.get(r.key) ?? 0);
  return rows.sort((a, b) => b.count - a.count || b.delta - a.delta || a.top.localeCompare(b.top));
}

/**
 * The debug=2 goroutines that belong to a debug=1 group: same frames (debug=1 hides leading
 * runtime frames, so compare from the outermost frame inwards).
 */
export function goroutinesOfGroup(group: CountProfileGroup, all: readonly Goroutine[]): Goroutine[] {
  const want = group.frames.map((f) => f.func);
  return all.filter((g) => {
    const have = g.frames.map((f) => f.func);
    if (have.length < want.length) return false;
    for (let i = 1; i <= want.length; i++) if (have[have.length - i] !== want[want.length - i]) return false;
    // Any extra innermost frames must be the runtime frames debug=1 hides.
    for (let i = 0; i < have.length - want.length; i++) if (!have[i]!.startsWith('runtime.')) return false;
    return true;
  });
}

/** What the details of a group show from a debug=2 dump: how many, in which states, since when. */
export interface GroupDumpSummary {
  members: number;
  /** Most common state first; maxWait in minutes, null when the runtime printed none. */
  states: Array<{ state: string; n: number; maxWait: number | null }>;
  createdBy: GoroutineCreator | null;
  /** The first few goroutine ids, to find them in a full dump. */
  ids: number[];
}

export function groupDumpSummary(group: CountProfileGroup, all: readonly Goroutine[], maxIds = 20): GroupDumpSummary {
  const members = goroutinesOfGroup(group, all);
  const states = new Map<string, { state: string; n: number; maxWait: number | null }>();
  for (const g of members) {
    const s = states.get(g.state) ?? { state: g.state, n: 0, maxWait: null };
    s.n++;
    if (g.waitMinutes !== null) s.maxWait = Math.max(s.maxWait ?? 0, g.waitMinutes);
    states.set(g.state, s);
  }
  return {
    members: members.length,
    states: [...states.values()].sort((a, b) => b.n - a.n),
    createdBy: members.find((g) => g.createdBy)?.createdBy ?? null,
    ids: members.slice(0, maxIds).map((g) => g.id),
  };
}
