// View models derived from the session data and the UI state. Everything expensive (top, diff,
// peek) is memoized on the inputs that matter — the profile's id and the options — so cursor
// movement never recomputes an aggregation. The memos belong to a Selectors object that each
// store owns: two stores (two tests) never share a cache, and nothing needs resetting.

import { formatClock, plural } from '../analysis/format.js';
import { groupDumpSummary, visibleGroups, type GoroutineGroupRow, type GroupDumpSummary } from '../analysis/goroutines.js';
import type { GoroutineDump } from '../profile/goroutine-text.js';
import { diffProfilesSteps } from '../analysis/merge.js';
import { atOnce, type Steps } from '../analysis/steps.js';
import { linesReport, peekReport, type PeekReport } from '../analysis/peek.js';
import { removeUninteresting } from '../analysis/prune.js';
import { topReportSteps, type TopReport } from '../analysis/top.js';
import { tracesThrough } from '../analysis/traces.js';
import { errorMessage } from '../errors.js';
import type { Profile } from '../profile/model.js';
import { defaultSampleIndex } from '../profile/model.js';
import type { HeapSnapshot, SessionSnapshot } from '../analysis/session-snapshot.js';
import type { ProfilePane, RowKey } from './reducer.js';
import type { DrillSection, ProfileView } from './ui-state.js';
import { DeferredMemo, isPending, type Pending } from './deferred.js';
import { listFilter, narrow } from './list-filter.js';
import type { StoreSnapshot } from './store.js';
import type { UiState } from './ui-state.js';

/** A memo key holds every option that shapes a result, and nothing else. */
export type MemoOptions = Readonly<Record<string, string | number | boolean | null>>;

/**
 * The key of a memoized result: every field of its options object, by name, JSON-encoded (so a
 * `|` in a focus regexp cannot make two option sets look alike, and field order does not matter).
 */
export function memoKey(options: MemoOptions): string {
  return JSON.stringify(Object.keys(options).sort().map((k) => [k, options[k]]));
}

/** A small memo: remembers the last `size` results by key. */
export function memo<A extends unknown[], R>(key: (...args: A) => string, compute: (...args: A) => R, size = 8): (...args: A) => R {
  const cache = new Map<string, R>();
  return (...args: A) => {
    const k = key(...args);
    const hit = cache.get(k);
    if (hit !== undefined || cache.has(k)) {
      cache.delete(k);
      cache.set(k, hit as R);
      return hit as R;
    }
    const v = compute(...args);
    cache.set(k, v);
    if (cache.size > size) cache.delete(cache.keys().next().value as string);
    return v;
  };
}

/** The profile a profile pane shows: the latest heap profile, or latest minus the baseline. */
export interface PaneProfile {
  profile: Profile;
  /** For the Diff pane: the baseline it is measured against. */
  base: HeapSnapshot | null;
  latest: HeapSnapshot;
}

export type DiffResult = { ok: true; profile: Profile } | { ok: false; error: string };

/** The sample type index for a view: its chosen type if the profile has it, else the default. */
export function sampleIndexFor(p: Profile, view: Pick<ProfileView, 'sampleType'>): number {
  if (view.sampleType) {
    const i = p.sampleTypes.findIndex((t) => t.type === view.sampleType);
    if (i >= 0) return i;
  }
  return defaultSampleIndex(p);
}

/** The sample type after the current one: inuse_space → inuse_objects → alloc_space → alloc_objects for heaps. */
export function nextSampleType(p: Profile, view: ProfileView): string {
  const heapOrder = ['inuse_space', 'inuse_objects', 'alloc_space', 'alloc_objects'];
  const names = p.sampleTypes.map((t) => t.type);
  const order = heapOrder.every((n) => names.includes(n)) ? heapOrder : names;
  const current = p.sampleTypes[sampleIndexFor(p, view)]!.type;
  return order[(order.indexOf(current) + 1) % order.length]!;
}

export type TopResult = { ok: true; report: TopReport; sampleIndex: number } | { ok: false; error: string };

/** The options a Top table depends on: its memo key, and all that computeTopSteps may read. */
export type TopOptions = Pick<ProfileView, 'sampleType' | 'granularity' | 'cumSort' | 'focus' | 'ignore' | 'nodeCount'>;

function topOptions(v: ProfileView): TopOptions {
  return { sampleType: v.sampleType, granularity: v.granularity, cumSort: v.cumSort, focus: v.focus, ignore: v.ignore, nodeCount: v.nodeCount };
}

function* computeTopSteps(p: Profile, v: TopOptions): Steps<TopResult> {
  const sampleIndex = sampleIndexFor(p, v);
  try {
    const report = yield* topReportSteps(p, {
      sampleIndex,
      granularity: v.granularity,
      nodeCount: v.nodeCount,
      cumSort: v.cumSort,
      filters: { ...(v.focus ? { focus: v.focus } : {}), ...(v.ignore ? { ignore: v.ignore } : {}) },
    });
    return { ok: true, report, sampleIndex };
  } catch (e) {
    return { ok: false, error: errorMessage(e) };
  }
}

/** Top rows are keyed by name: the cursor stays on a function when a new poll re-sorts them. */
export function topRowKey(r: TopResult | null): RowKey {
  return (i) => (r?.ok ? r.report.rows[i]?.name : undefined);
}

export type DrillResult =
  | { ok: true; kind: 'peek'; peek: PeekReport; rows: Array<{ name: string; weight: number; share: number; inline: boolean; role: 'caller' | 'callee' }> }
  | { ok: true; kind: 'lines'; rows: ReturnType<typeof linesReport> }
  | { ok: true; kind: 'stacks'; rows: ReturnType<typeof tracesThrough> }
  | { ok: false; error: string };

/** The options a drill-down depends on (the function and the section included). */
export type DrillOptions = Pick<ProfileView, 'sampleType' | 'granularity' | 'focus' | 'ignore'> & { name: string; section: DrillSection };

/** Drill-down rows keyed by what they show (a function can be both caller and callee). */
export function drillRowKey(r: DrillResult | null): RowKey {
  return (i) => {
    if (!r?.ok) return undefined;
    switch (r.kind) {
      case 'peek': {
        const row = r.rows[i];
        return row && `${row.role} ${row.name}`;
      }
      case 'lines': {
        const row = r.rows[i];
        return row && `${row.file}:${row.line}`;
      }
      case 'stacks':
        return r.rows[i]?.frames.map((f) => f.name).join(' ← ');
    }
  };
}

export function goroutineRowKey(rows: readonly GoroutineGroupRow[]): RowKey {
  return (i) => rows[i]?.key;
}

/** What `/` matches in a drill-down row: the function, the file:line, or every frame of the stack. */
function drillRowText(r: DrillResult & { ok: true }): (row: object) => string {
  switch (r.kind) {
    case 'peek':
      return (row) => (row as { name: string }).name;
    case 'lines':
      return (row) => `${(row as { file: string }).file}:${(row as { line: number }).line}`;
    case 'stacks':
      return (row) => (row as { frames: Array<{ name: string }> }).frames.map((f) => f.name).join(' ');
  }
}

function computeDrill(p: Profile, v: DrillOptions): DrillResult {
    const { name, section } = v;
    const sampleIndex = sampleIndexFor(p, v);
    const filters = { ...(v.focus ? { focus: v.focus } : {}), ...(v.ignore ? { ignore: v.ignore } : {}) };
    try {
      if (section === 'lines') {
        const fn = functionNameOf(name, v);
        return { ok: true, kind: 'lines', rows: linesReport(p, { sampleIndex, filters, functionName: fn }) };
      }
      if (section === 'stacks') {
        const fn = functionNameOf(name, v);
        return { ok: true, kind: 'stacks', rows: tracesThrough(p, { sampleIndex, filters, functionName: fn, limit: 50 }) };
      }
      const peek = peekReport(p, { sampleIndex, granularity: v.granularity, filters, nodeName: name });
      if (!peek) return { ok: false, error: `${name} is not in this profile any more` };
      const rows = [
        ...peek.callers.map((c) => ({ ...c, role: 'caller' as const })),
        ...peek.callees.map((c) => ({ ...c, role: 'callee' as const })),
      ];
      return { ok: true, kind: 'peek', peek, rows };
    } catch (e) {
      return { ok: false, error: errorMessage(e) };
    }
}

/** The function part of a node name at lines granularity ("main.f /x.go:12" → "main.f"). */
export function functionNameOf(name: string, v: Pick<ProfileView, 'granularity'>): string {
  if (v.granularity === 'lines' || v.granularity === 'filefunctions') {
    const i = name.indexOf(' ');
    return i > 0 ? name.slice(0, i) : name;
  }
  return name;
}

/** Flat values of a function over the last heap profiles (functions granularity only). */
export function flatHistory(snap: SessionSnapshot, name: string, sampleType: string): Array<number | null> {
  return snap.heapSummaries.toArray().map((h) => {
    const t = h.sampleTypes.indexOf(sampleType);
    const v = h.flat.get(name);
    return t >= 0 && v ? v[t]! : null;
  });
}

/** What `/` matches in a goroutine group: every function of its stack, and its labels. */
function groupText(r: GoroutineGroupRow): string {
  const labels = r.labels ? Object.entries(r.labels).map(([k, v]) => `${k}=${v}`) : [];
  return [r.top, r.entry, ...r.group.frames.map((f) => f.func), ...labels].join(' ');
}

/** Every group listed before `/` narrows them. */
export function allGoroutineRows(snap: StoreSnapshot): readonly GoroutineGroupRow[] {
  const trail = snap.goroutineTrail;
  if (!trail) return [];
  return visibleGroups(trail, snap.data.lastGood?.time ?? snap.data.latestGoroutines?.time ?? 0);
}

/** "heap profile of GC #42, 3 GCs ago" — how stale the heap profile is. */
export function heapAge(snap: SessionSnapshot): string {
  const h = snap.latestHeap;
  if (!h) return 'no heap profile yet';
  const now = snap.lastGood?.numGC ?? null;
  if (h.numGC === null || now === null) return `heap profile of poll ${h.seq}`;
  const behind = now - h.numGC;
  return `heap as of GC #${h.numGC}${behind > 0 ? ` (${plural(behind, 'GC')} ago)` : ''}`;
}

export function describeBase(base: HeapSnapshot | null, first: HeapSnapshot | null): string {
  if (!base) return 'no baseline';
  const which = first && base.profile.id === first.profile.id ? 'first profile' : 'pinned baseline';
  return `${which} (poll ${base.seq}, ${formatClock(base.time)})`;
}

/** The memoized selectors of one store; every cache they keep lives here. */
export class Selectors {
  private readonly diffs: DeferredMemo<DiffResult>;
  /** The last finished Diff pane, shown (marked) while the next poll's diff is computed. */
  private lastDiffPane: PaneProfile | null = null;
  private readonly tops: DeferredMemo<TopResult>;
  private readonly drills: DeferredMemo<DrillResult>;
  private readonly pruned = memo(
    (p: Profile) => memoKey({ profile: p.id }),
    (p: Profile) => removeUninteresting(p),
    4,
  );
  /** Narrowed lists, by the unnarrowed rows they came from and the query (computed once per both). */
  private readonly narrowed = new WeakMap<readonly object[], { query: string; rows: readonly object[] }>();
  private readonly dumpSummaries = new WeakMap<GoroutineDump, Map<string, GroupDumpSummary>>();

  /** `onReady` is called when an analysis deferred past a frame has finished. */
  constructor(onReady: () => void = () => {}) {
    this.diffs = new DeferredMemo<DiffResult>(4, onReady);
    this.tops = new DeferredMemo<TopResult>(16, onReady);
    this.drills = new DeferredMemo<DrillResult>(8, onReady);
  }

  /**
   * The profile a pane shows: the latest heap profile (Top), or latest minus the baseline (Diff,
   * computed after the frame for big profiles: Pending until then). null: nothing to show yet.
   */
  paneProfile(snap: SessionSnapshot, pane: ProfilePane): PaneProfile | Pending<PaneProfile> | null {
    const latest = snap.latestHeap;
    if (!latest) return null;
    if (pane === 'top') return { profile: this.pruned(latest.profile), base: null, latest };
    const base = snap.userBaseline ?? snap.firstHeap;
    if (!base) return null;
    const key = memoKey({ latest: latest.profile.id, base: base.profile.id });
    const d = this.diffs.get(key, 'diff', latest.profile.samples.count + base.profile.samples.count, function* (): Steps<DiffResult> {
      try {
        return { ok: true, profile: removeUninteresting(yield* diffProfilesSteps(latest.profile, base.profile)) };
      } catch (e) {
        return { ok: false, error: errorMessage(e) };
      }
    });
    if (isPending(d)) return { pending: true, stale: this.lastDiffPane };
    if (!d.ok) return null;
    if (this.lastDiffPane?.profile !== d.profile) this.lastDiffPane = { profile: d.profile, base, latest };
    return this.lastDiffPane;
  }

  /**
   * The profile a pane shows now: the ready one, or the previous one the view keeps up while the
   * next is computed (keys act on what is on the screen).
   */
  readyPaneProfile(snap: SessionSnapshot, pane: ProfilePane): PaneProfile | null {
    const pp = this.paneProfile(snap, pane);
    return pp && isPending(pp) ? pp.stale : pp;
  }

  /** The Top table for a profile and view options; for big profiles Pending (with the previous table) until computed. */
  top(p: Profile, v: ProfileView, family: ProfilePane): TopResult | Pending<TopResult> {
    const options = topOptions(v);
    return this.tops.get(memoKey({ profile: p.id, ...options }), family, p.samples.count, () => computeTopSteps(p, options));
  }

  /** The Top table if it is ready, else the stale one, else null. */
  settledTop(p: Profile, v: ProfileView, family: ProfilePane): TopResult | null {
    const r = this.top(p, v, family);
    return isPending(r) ? r.stale : r;
  }

  /** A drill-down view of one function; for big profiles Pending until computed. */
  drill(p: Profile, v: ProfileView, name: string, section: DrillSection): DrillResult | Pending<DrillResult> {
    const options: DrillOptions = { sampleType: v.sampleType, granularity: v.granularity, focus: v.focus, ignore: v.ignore, name, section };
    return this.drills.get(memoKey({ profile: p.id, ...options }), `drill:${section}`, p.samples.count, () => atOnce(() => computeDrill(p, options)));
  }

  /** The drill-down result if it is ready, else null. */
  settledDrill(p: Profile, v: ProfileView, name: string, section: DrillSection): DrillResult | null {
    const r = this.drill(p, v, name, section);
    return isPending(r) ? null : r;
  }

  /** A drill-down's rows narrowed by `/` (the same result, fewer rows). */
  narrowDrill<R extends DrillResult | null>(r: R, query: string): R {
    if (!r?.ok || !query.trim()) return r;
    const rows = this.narrowOnce(r.rows as readonly object[], query, drillRowText(r));
    return (rows === r.rows ? r : { ...r, rows }) as R;
  }

  /** The innermost drill level of a pane as the user sees it: ready, and narrowed by `/` (null while computing). */
  visibleDrill(p: Profile, ui: UiState, pane: ProfilePane): DrillResult | null {
    const view = ui[pane];
    const level = view.drill.at(-1);
    if (!level) return null;
    return this.narrowDrill(this.settledDrill(p, view, level.name, level.section), listFilter(ui, { kind: 'drill', pane }));
  }

  /** The goroutine groups listed: the latest and the recently gone (store.ts), narrowed by `/`. */
  goroutineRows(snap: StoreSnapshot): readonly GoroutineGroupRow[] {
    return this.narrowOnce(allGoroutineRows(snap), listFilter(snap.ui, { kind: 'goroutines' }), groupText);
  }

  /** A group's goroutines in a debug=2 dump (100,000s of them in a leak): computed once per dump and group. */
  groupDumpSummary(dump: GoroutineDump, row: GoroutineGroupRow): GroupDumpSummary {
    let byGroup = this.dumpSummaries.get(dump);
    if (!byGroup) this.dumpSummaries.set(dump, (byGroup = new Map()));
    let s = byGroup.get(row.key);
    if (!s) byGroup.set(row.key, (s = groupDumpSummary(row.group, dump.goroutines)));
    return s;
  }

  private narrowOnce<T extends object>(rows: readonly T[], query: string, text: (row: T) => string): readonly T[] {
    const hit = this.narrowed.get(rows);
    if (hit && hit.query === query) return hit.rows as readonly T[];
    const out = narrow(rows, query, text);
    this.narrowed.set(rows, { query, rows: out });
    return out;
  }
}
