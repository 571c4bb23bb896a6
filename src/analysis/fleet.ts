// The fleet: one row per instance of a service, from its history in Prometheus. Each instance's
// series become PollRecords (one per sample time) and go through the same verdict engine as a
// live target; the row adds what a table of many needs: growth per hour of the live heap and of
// RSS, the runway, sparklines, and which figures the instance does not export. Pure.

import { effectiveGogc, liveHeap, retained, type LiveHeapSource } from './gc-model.js';
import type { PollRecord } from './poll-record.js';
import { reduce, theilSen, type Point } from './trend.js';
import { VERDICT_WORDS, currentRun, judge, type Runway, type Verdict, type VerdictKind, type VerdictState } from './verdict.js';

/** One instance as the fleet source found it. */
export interface FleetInstance {
  /** What names it: the `instance` label (with the job when two jobs share an instance). */
  key: string;
  /** instance, job and, where present, namespace/pod/container. */
  labels: Record<string, string>;
  /** go_info's version label, when exported. */
  goVersion: string | null;
  /** One record per sample time, oldest first; restarts marked. */
  records: PollRecord[];
  /**
   * The same records made again from the instance's series (the row keeps this, not the
   * records: 1,000 instances' records were two thirds of the fleet's heap, and of each full GC).
   */
  remake?: () => PollRecord[];
  /** Figures this instance does not export (said, not guessed). */
  missing: string[];
}

export interface FleetRow {
  key: string;
  labels: Record<string, string>;
  goVersion: string | null;
  /** Time of the latest sample. */
  time: number | null;
  rss: number | null;
  rssSource: PollRecord['rssSource'];
  workingSet: number | null;
  memoryLimit: number | null;
  /** The live heap at the latest GC seen, and where that figure comes from. */
  liveHeap: number | null;
  liveSource: LiveHeapSource | null;
  heapGoal: number | null;
  /** Memory the runtime keeps beyond its needs (idle heap past the goal, released-but-resident). */
  retained: number | null;
  goroutines: number | null;
  /** Bytes per hour (Theil–Sen over the window of the current process), null with too few points. */
  heapGrowthPerHour: number | null;
  rssGrowthPerHour: number | null;
  runway: Runway | null;
  /** Values for the sparklines, oldest first (null: no sample there). */
  rssSpark: Array<number | null>;
  heapSpark: Array<number | null>;
  verdict: Verdict;
  /** The verdict's hysteresis, for the next refresh. */
  verdictState: VerdictState;
  missing: string[];
  /**
   * How long before the window's end its samples stop, when that is long enough to say it
   * stopped reporting (a pod a deployment replaced, a scale-down); null while it reports. Its
   * figures and verdict are those of its last samples.
   */
  goneForMs: number | null;
  /** Records the verdict judged (the current process's). */
  points: number;
  /** The instance's records (made on demand): its history when attaching to it. */
  history(): readonly PollRecord[];
}

const HOUR = 3_600_000;

/** Fewest points a growth figure is computed from. */
const MIN_GROWTH_POINTS = 3;
/** A growth figure for a table is the Theil–Sen slope of this many bucket medians: the verdict's own statistics use up to 120. */
const GROWTH_POINTS = 30;

function growthPerHour(points: readonly Point[]): number | null {
  if (points.length < MIN_GROWTH_POINTS) return null;
  return (theilSen(reduce(points, GROWTH_POINTS)).slope * HOUR) / 1000;
}

/** Step times without a sample before the window's end that make an instance gone (one can be a slow scrape). */
const GONE_STEPS = 2;
/** ...and never less than this: a scrape that failed a few times is not an instance gone. */
const GONE_MIN_MS = 60_000;

/** The end of the window judged and the time between its samples (the range query's step). */
export interface FleetWindow {
  endMs: number;
  stepMs: number;
}

/**
 * How long an instance whose last sample is at `lastMs` has been gone at the window's end, or
 * null. Prometheus answers a step time with the latest sample within its lookback (5 min) and
 * nothing after a staleness marker, so samples that stop for two steps mean the scrapes stopped.
 */
export function goneFor(lastMs: number | null, w: FleetWindow | undefined): number | null {
  if (lastMs === null || !w) return null;
  const gap = w.endMs - lastMs;
  return gap >= Math.max(GONE_STEPS * w.stepMs, GONE_MIN_MS) ? gap : null;
}

/** `width` values: the last value of each of `width` equal spans of time over the records. */
export function sparkValues(records: readonly PollRecord[], f: (r: PollRecord) => number | null, width: number): Array<number | null> {
  const out: Array<number | null> = new Array(width).fill(null);
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || !last) return out;
  const span = Math.max(1, last.time - first.time);
  for (const r of records) {
    const v = f(r);
    if (v === null) continue;
    out[Math.min(width - 1, Math.floor(((r.time - first.time) / span) * width))] = v;
  }
  return out;
}

export interface FleetRowOptions {
  /** Sparkline width (values per row). */
  sparkWidth?: number;
  /** The window the instance's series cover: tells an instance that stopped reporting. */
  window?: FleetWindow;
}

/** The verdict and the figures of one instance. `previous`: its verdict state at the last refresh. */
export function fleetRow(inst: FleetInstance, previous: VerdictState | null, opts: FleetRowOptions = {}): FleetRow {
  const sparkWidth = opts.sparkWidth ?? 24;
  const verdictState = judge(
    {
      records: inst.records,
      // No heap profiles in Prometheus: the heap's growth by function comes when attaching (Enter).
      heapGrowth: () => [],
      goroutineGrowth: () => [],
      goVersion: inst.goVersion,
      baselineLabel: 'than at the start of the window',
    },
    previous,
  );
  const run = currentRun(inst.records);
  const last = run[run.length - 1] ?? null;
  const live = liveHeap(run, effectiveGogc(run));
  const rssPts = run.flatMap((r) => (r.rss === null ? [] : [{ t: r.time, v: r.rss }]));
  const lastLive = live.points[live.points.length - 1]?.v ?? null;
  return {
    key: inst.key,
    labels: inst.labels,
    goVersion: inst.goVersion,
    time: last?.time ?? null,
    rss: last?.rss ?? null,
    rssSource: last?.rssSource ?? null,
    workingSet: last?.workingSet ?? null,
    memoryLimit: last?.memoryLimit ?? null,
    liveHeap: lastLive,
    liveSource: live.source,
    heapGoal: last?.nextGC ?? null,
    retained: last ? (retained(last)?.total ?? null) : null,
    goroutines: last?.goroutines ?? null,
    heapGrowthPerHour: growthPerHour(live.points),
    rssGrowthPerHour: growthPerHour(rssPts),
    runway: verdictState.verdict.runway,
    rssSpark: sparkValues(run, (r) => r.rss, sparkWidth),
    heapSpark: sparkValues(run, (r) => r.gcHeapLive ?? r.heapInuse, sparkWidth),
    verdict: verdictState.verdict,
    verdictState,
    missing: inst.missing,
    goneForMs: goneFor(last?.time ?? null, opts.window),
    points: run.length,
    history: inst.remake ?? (() => inst.records),
  };
}

/** What the fleet's source has: its rows, how fresh, and what went wrong (state/ and ui/ read it). */
export type FleetStatus = 'loading' | 'ready' | 'failing' | 'paused' | 'stopped';

export interface FleetSnapshot {
  version: number;
  status: FleetStatus;
  rows: FleetRow[];
  /** End of the window of the rows shown (ms), null before the first good refresh. */
  at: number | null;
  stepMs: number;
  windowMs: number;
  match: string;
  server: string;
  /** The rows are from an earlier refresh: the last one failed. */
  stale: boolean;
  failures: number;
  lastError: { kind: string; message: string } | null;
  nextRefreshAt: number | null;
  warnings: string[];
  queries: number;
}

export type FleetSortKey = 'growth' | 'rss-growth' | 'rss' | 'heap' | 'verdict' | 'instance';
export const FLEET_SORT_KEYS: FleetSortKey[] = ['growth', 'rss-growth', 'rss', 'heap', 'verdict', 'instance'];
export const FLEET_SORT_WORDS: Record<FleetSortKey, string> = {
  growth: 'heap growth/h',
  'rss-growth': 'RSS growth/h',
  rss: 'RSS',
  heap: 'live heap',
  verdict: 'verdict',
  instance: 'instance',
};

/** Most urgent first when sorting by verdict. */
const SEVERITY: VerdictKind[] = ['heap-leak', 'goroutine-leak', 'non-go-memory', 'runtime-retention', 'insufficient-data', 'healthy'];

const desc = (a: number | null, b: number | null) => (b ?? -Infinity) - (a ?? -Infinity);

/**
 * Rows in the order of `key` (largest first; instance names A→Z), ties by instance name. Instances
 * gone before the window's end come after those still reporting (but for the name order): the
 * question is which replica grows now.
 */
export function sortFleetRows(rows: readonly FleetRow[], key: FleetSortKey): FleetRow[] {
  const byName = (a: FleetRow, b: FleetRow) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const cmp: Record<FleetSortKey, (a: FleetRow, b: FleetRow) => number> = {
    growth: (a, b) => desc(a.heapGrowthPerHour, b.heapGrowthPerHour) || desc(a.rssGrowthPerHour, b.rssGrowthPerHour),
    'rss-growth': (a, b) => desc(a.rssGrowthPerHour, b.rssGrowthPerHour),
    rss: (a, b) => desc(a.rss, b.rss),
    heap: (a, b) => desc(a.liveHeap, b.liveHeap),
    verdict: (a, b) => SEVERITY.indexOf(a.verdict.kind) - SEVERITY.indexOf(b.verdict.kind) || b.verdict.confidence - a.verdict.confidence,
    instance: () => 0,
  };
  const gone = (r: FleetRow) => (key !== 'instance' && r.goneForMs !== null ? 1 : 0);
  return [...rows].sort((a, b) => gone(a) - gone(b) || cmp[key](a, b) || byName(a, b));
}

/** The text `/` matches a row against: its name, labels, Go version, verdict (its kind, not its text: every summary counts goroutines) and "gone". */
export function fleetRowText(r: FleetRow): string {
  return [r.key, ...Object.values(r.labels), r.goVersion ?? '', r.verdict.kind, VERDICT_WORDS[r.verdict.kind], r.goneForMs !== null ? 'gone' : ''].join(' ');
}

/** The figures of a row for `fleet --json` (the verdict is added by the caller, as `watch --json` prints it). */
export function fleetRowFigures(r: FleetRow): Record<string, unknown> {
  return {
    instance: r.labels.instance ?? r.key,
    key: r.key,
    labels: r.labels,
    goVersion: r.goVersion,
    time: r.time === null ? null : new Date(r.time).toISOString(),
    points: r.points,
    rss: r.rss,
    rssSource: r.rssSource,
    workingSet: r.workingSet,
    memoryLimit: r.memoryLimit,
    liveHeap: r.liveHeap,
    liveHeapSource: r.liveSource,
    heapGoal: r.heapGoal,
    retained: r.retained,
    goroutines: r.goroutines,
    growthPerHour: { liveHeap: round(r.heapGrowthPerHour), rss: round(r.rssGrowthPerHour) },
    missing: r.missing,
    goneSeconds: r.goneForMs === null ? null : Math.round(r.goneForMs / 1000),
  };
}

const round = (x: number | null) => (x === null ? null : Math.round(x));
