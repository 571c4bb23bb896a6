// Goroutine groups (goroutine?debug=1: identical stacks with a count), their change since the
// first poll — the goroutine-leak signal — and the matching of debug=2 goroutines to a group.

import type { CountProfile, CountProfileGroup, Goroutine, GoroutineCreator } from '../profile/goroutine-text.js';

export interface GoroutineGroupRow {
  key: string;
  /** Goroutines in the group now: 0 for a group that has gone. */
  count: number;
  /** Change since the first poll (the whole count when the group is new). */
  delta: number;
  /** Innermost frame (where they wait). */
  top: string;
  /** Outermost frame: the function the goroutines started in. */
  entry: string;
  labels: Record<string, string> | null;
  group: CountProfileGroup;
  /**
   * When the group was seen gone (all its goroutines exited), or null while it has goroutines. A
   * gone group stays listed for a while, marked, so short-lived groups (an HTTP connection's
   * goroutines) do not make the rows below them jump at every poll.
   */
  goneAt: number | null;
  /** Goroutines at the last poll the group was seen: its place in the list while it is gone. */
  lastCount: number;
  /** When the group was first seen: among groups of one size the older come first, so a new one does not push the others down. */
  firstSeen: number;
}

/**
 * What a group with no frames is: goroutine?debug=1 prints only the runtime.goexit PC (which it
 * hides) for a goroutine that has been created but has not run yet.
 */
export const NOT_STARTED = { top: 'not started yet (no stack)', entry: '(not started yet)' } as const;

/** Identity of a group across polls: its frames (PCs move between binaries; names do not) and labels. */
export function groupKey(g: CountProfileGroup): string {
  const frames = g.frames.map((f) => `${f.func}@${f.file}:${f.line}`).join('|');
  return g.labels ? `${frames}#${JSON.stringify(g.labels)}` : frames;
}

/** Groups of the latest goroutine profile (one row per distinct stack and labels), largest first. */
export function goroutineRows(latest: CountProfile, first: CountProfile | null, time = 0): GoroutineGroupRow[] {
  const before = countsByKey(first);
  const merged = new Map<string, GoroutineGroupRow>();
  for (const g of latest.groups) {
    const key = groupKey(g);
    const existing = merged.get(key);
    if (existing) {
      existing.count += g.count;
      existing.lastCount = existing.count;
      continue;
    }
    const empty = g.frames.length === 0;
    merged.set(key, {
      key,
      count: g.count,
      delta: 0,
      top: empty ? NOT_STARTED.top : g.frames[0]!.func,
      entry: empty ? NOT_STARTED.entry : g.frames[g.frames.length - 1]!.func,
      labels: g.labels,
      group: g,
      goneAt: null,
      lastCount: g.count,
      firstSeen: time,
    });
  }
  const rows = [...merged.values()];
  for (const r of rows) r.delta = r.count - (before.get(r.key) ?? 0);
  return rows.sort(byPlace);
}

function countsByKey(p: CountProfile | null): Map<string, number> {
  const out = new Map<string, number>();
  if (p) for (const g of p.groups) out.set(groupKey(g), (out.get(groupKey(g)) ?? 0) + g.count);
  return out;
}

/** Largest first (a gone group keeps the place of its last count), then the older, then by name. */
function byPlace(a: GoroutineGroupRow, b: GoroutineGroupRow): number {
  return (
    (b.goneAt === null ? b.count : b.lastCount) - (a.goneAt === null ? a.count : a.lastCount) ||
    a.firstSeen - b.firstSeen ||
    a.top.localeCompare(b.top) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

/** How long a gone group stays listed. */
export const GONE_KEEP_MS = 30_000;

/** The groups as the user has watched them: the latest profile's, plus the ones that went recently. */
export interface GroupTrail {
  /** Identity of the goroutine profiles it was built from (a restart starts a new trail). */
  seq: number;
  firstSeq: number | null;
  rows: GoroutineGroupRow[];
}

export interface GoroutineProfileAt {
  groups: CountProfile;
  seq: number;
  time: number;
}

/**
 * The next trail after a new goroutine profile: its groups (each keeping when it was first
 * seen), and the groups of the previous trail that are not in it any more, marked gone (when
 * they went, the count they had) until GONE_KEEP_MS after they went.
 */
export function advanceGroupTrail(prev: GroupTrail | null, latest: GoroutineProfileAt, first: GoroutineProfileAt | null): GroupTrail {
  const firstSeq = first?.seq ?? null;
  const same = prev !== null && prev.firstSeq === firstSeq && prev.seq <= latest.seq;
  if (same && prev.seq === latest.seq) return prev;
  const rows = goroutineRows(latest.groups, first?.groups ?? null, latest.time);
  if (!same) return { seq: latest.seq, firstSeq, rows };
  const before = countsByKey(first?.groups ?? null);
  const seen = new Map(prev.rows.map((r) => [r.key, r]));
  const current = new Set<string>();
  for (const r of rows) {
    current.add(r.key);
    const old = seen.get(r.key);
    if (old) r.firstSeen = old.firstSeen;
  }
  for (const old of prev.rows) {
    if (current.has(old.key)) continue;
    const goneAt = old.goneAt ?? latest.time;
    if (latest.time - goneAt >= GONE_KEEP_MS) continue;
    rows.push({ ...old, count: 0, delta: -(before.get(old.key) ?? 0), goneAt });
  }
  return { seq: latest.seq, firstSeq, rows: rows.sort(byPlace) };
}

/** The trail's rows as of `now`: the gone groups that went more than GONE_KEEP_MS ago are left out. */
export function visibleGroups(trail: GroupTrail, now: number): GoroutineGroupRow[] {
  return trail.rows.every((r) => r.goneAt === null || now - r.goneAt < GONE_KEEP_MS)
    ? trail.rows
    : trail.rows.filter((r) => r.goneAt === null || now - r.goneAt < GONE_KEEP_MS);
}

/**
 * The debug=2 goroutines that belong to a debug=1 group: same frames, compared from the
 * outermost inwards. debug=2 hides runtime frames that debug=1 prints (runtime.main at the
 * bottom of the main goroutine) and the other way round (runtime.gopark at the top), so runtime
 * frames at either end are left out of the comparison. A group without frames (goroutines not
 * started yet) matches nothing: there is nothing to compare.
 */
export function goroutinesOfGroup(group: CountProfileGroup, all: readonly Goroutine[]): Goroutine[] {
  const want = trimRuntimeEnds(group.frames.map((f) => f.func));
  if (want.length === 0) return [];
  // With GODEBUG=tracebacklabels=1 (Go ≥ 1.26) each goroutine's header carries its labels: the
  // groups that share a stack but not labels are then told apart exactly.
  const byLabels = all.some((g) => g.labels !== null);
  const wantLabels = labelKey(group.labels);
  return all.filter((g) => {
    if (byLabels && labelKey(g.labels) !== wantLabels) return false;
    const have = trimRuntimeEnds(g.frames.map((f) => f.func));
    if (have.length !== want.length) return false;
    for (let i = 0; i < want.length; i++) if (have[i] !== want[i]) return false;
    return true;
  });
}

const isRuntime = (fn: string) => fn.startsWith('runtime.');

function trimRuntimeEnds(fns: string[]): string[] {
  let from = 0;
  let to = fns.length;
  while (from < to && isRuntime(fns[from]!)) from++;
  while (to > from && isRuntime(fns[to - 1]!)) to--;
  return fns.slice(from, to);
}

/** A label set as a key: sorted, with none and {} the same. */
function labelKey(labels: Record<string, string> | null): string {
  return labels ? JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : '[]';
}

/** What the details of a group show from a debug=2 dump: how many, in which states, since when. */
export interface GroupDumpSummary {
  members: number;
  /** Members the runtime marked `(leaked)` (Go ≥ 1.26, after a goroutine-leak profile was taken). */
  leaked: number;
  /** Label sets in the members' headers (GODEBUG=tracebacklabels=1), most common first; empty without. */
  labelSets: Array<{ labels: Record<string, string>; n: number }>;
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
  const labelSets = new Map<string, { labels: Record<string, string>; n: number }>();
  let leaked = 0;
  for (const g of members) {
    if (g.leaked) leaked++;
    if (!g.labels) continue;
    const key = labelKey(g.labels);
    const entry = labelSets.get(key) ?? { labels: g.labels, n: 0 };
    entry.n++;
    labelSets.set(key, entry);
  }
  return {
    members: members.length,
    leaked,
    labelSets: [...labelSets.values()].sort((a, b) => b.n - a.n),
    states: [...states.values()].sort((a, b) => b.n - a.n),
    createdBy: members.find((g) => g.createdBy)?.createdBy ?? null,
    ids: members.slice(0, maxIds).map((g) => g.id),
  };
}
