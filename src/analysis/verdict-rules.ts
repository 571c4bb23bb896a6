// The verdict's rules, each a pure function of the run's GC model (gc-model.ts) and trend
// statistics (trend.ts): a finding with its evidence and next steps, or null.
//
// Trends are judged with the Mann–Kendall test (is the rise more than chance?) and the Theil–Sen
// slope (how fast), on one point per GC cycle for the heap and one per poll for goroutines and
// non-Go memory. "Still growing" compares the slope of the recent points with the whole run's,
// against the series' own noise, so a cache that filled and stopped is told apart from a leak
// whose recent points are just noisy. Levels (memory kept beyond the heap goal) come from the
// pacer's arithmetic, not from RSS over heap-in-use at a random moment.

import { formatBytes, formatDuration, plural } from './format.js';
import {
  FORCED_GC_PERIOD_MS,
  HEAP_MINIMUM,
  LIVE_HEAP_SOURCE_WORDS,
  allocationRate,
  effectiveGogc,
  gcPace,
  gcThrash,
  heapGoals,
  heapProfilePoints,
  liveHeap,
  retained,
  type GogcEstimate,
  type LiveHeap,
} from './gc-model.js';
import { nonGoFigure } from './memory.js';
import type { PollRecord } from './poll-record.js';
import { thpFinding } from './thp.js';
import { STRATUM_PLAIN, comparablePairs, lastWindow, mannKendall, normalCdf, reduce, theilSen, type Point } from './trend.js';

export type VerdictKind = 'healthy' | 'heap-leak' | 'goroutine-leak' | 'runtime-retention' | 'non-go-memory' | 'insufficient-data';

/** What a suggestion asks the user to do in the full-screen view; the UI shows its key. */
export type VerdictAction = 'open-diff' | 'open-goroutines' | 'set-baseline' | 'open-top';

export interface Suggestion {
  text: string;
  /** The view action the text refers to; `{key}` in the text stands for its key. */
  action?: VerdictAction;
}

/** What grew between the baseline and the latest heap profile, heaviest first. */
export interface HeapGrowth {
  name: string;
  bytes: number;
  /** Bytes per second over the time between the two profiles. */
  ratePerSec: number;
}

/** Goroutine groups whose count grew since the first poll. */
export interface GoroutineGrowth {
  top: string;
  entry: string;
  count: number;
  delta: number;
  /** The group is in the runtime's goroutine-leak profile (Go >= 1.26): it can never wake. */
  leaked?: boolean;
}

export interface Runway {
  /** Seconds until the limit at the current rate. */
  seconds: number;
  limit: number;
  limitSource: 'cgroup' | 'GOMEMLIMIT' | 'host';
  /** Bytes per second the memory facing that limit grows by. */
  rate: number;
}

export interface Finding {
  kind: Exclude<VerdictKind, 'insufficient-data'>;
  /** 0–1, from the statistics (see confidence in verdict.ts). */
  confidence: number;
  summary: string;
  evidence: string[];
  suggestions: Suggestion[];
  runway?: Runway | null;
  /** Bytes per second this finding's memory grows (heap leak, memory outside Go): the faster one leads. */
  growthRate?: number;
  /** When the growth it judged began (ms): the first point of its trend. */
  since?: number;
}

/** The runtime's goroutine-leak profile (Go >= 1.26), fetched on demand: goroutines proved to never wake. */
export interface LeakedGoroutines {
  total: number;
  /** ms since the epoch of the fetch. */
  time: number;
  /** Its groups, largest first. */
  groups: ReadonlyArray<{ top: string; entry: string; count: number }>;
}

export interface RuleInput {
  /** Good polls of the current process, oldest first. */
  run: PollRecord[];
  heapGrowth: () => readonly HeapGrowth[];
  goroutineGrowth: () => readonly GoroutineGrowth[];
  leakedGoroutines?: LeakedGoroutines | null;
  goVersion: string | null;
  /** Where the heap growth is measured from ("than at the first profile", "than at the baseline pinned at 12:01"). */
  baselineLabel: string;
  /**
   * Since when the shown kind has been shown (null: nothing shown yet). A new growth verdict is
   * judged on the points since then: a rise that ended before it (a cache that filled, already
   * told) does not count again.
   */
  shownSince?: number | null;
  /**
   * While the shown kind holds: since when the kind shown before it was shown, so that its
   * evidence is judged on the points it was first found on. A whole run whose first half is flat
   * (a leak that began mid-run) drags a Theil–Sen slope to zero and would drop a leak that goes on.
   */
  heldFrom?: number | null;
}

/** The points a new growth finding is judged on: since the shown kind was shown, plus the one before. */
export function sinceShown(pts: readonly Point[], since: number | null | undefined): readonly Point[] {
  // The series itself where nothing is cut: trendOf's cache knows it (a fleet judges 1,000).
  if (since === null || since === undefined) return pts;
  const from = pts.findIndex((p) => p.t >= since);
  return from < 0 ? pts.slice(-1) : from <= 1 ? pts : pts.slice(from - 1);
}

/** Everything the rules derive from the run, computed once per evaluation. */
export interface Model {
  run: PollRecord[];
  last: PollRecord;
  gogc: GogcEstimate | null;
  live: LiveHeap;
  /** The live heap, at most MAX_POINTS points. */
  livePts: Point[];
  goals: Point[];
  goroutines: Point[];
  nonGo: Point[];
  /** What the heap keeps at each GC (kept-heap.ts), at most MAX_POINTS points. */
  kept: Point[];
  /** The last GCs' of them, with the in-use total of the same profile. */
  keptRecent: KeptPoint[];
}

export interface KeptPoint extends Point {
  inuse: number;
}

/** What the heap keeps at each heap profile (one per GC it describes), after the first GC. */
function keptPoints(run: readonly PollRecord[]): KeptPoint[] {
  return heapProfilePoints(run).flatMap((p) => (p.numGC > 0 && p.kept !== null ? [{ t: p.t, v: p.kept, inuse: p.v }] : []));
}

/**
 * The live heap at the last GCs (as many as a rise or its absence needs), together, was mostly
 * memory in flight: stacks that free what they allocate held most of it. GCs that batches
 * trigger catch a part of each batch live, a different part each time, so their totals rise and
 * fall whatever the heap keeps; what the heap keeps is then the witness of a leak or of none.
 */
export function mostlyInFlight(m: Model): boolean {
  const recent = m.keptRecent;
  if (recent.length < MIN_TREND_POINTS - 1) return false;
  let kept = 0;
  let inuse = 0;
  for (const p of recent) {
    kept += p.v;
    inuse += p.inuse;
  }
  return inuse - kept >= kept;
}

export function buildModel(run: PollRecord[]): Model {
  const gogc = effectiveGogc(run);
  const live = liveHeap(run, gogc);
  const pts = (f: (r: PollRecord) => number | null) => {
    const out: Point[] = [];
    for (const r of run) {
      const v = f(r);
      if (v !== null) out.push({ t: r.time, v });
    }
    return reduce(out);
  };
  return {
    run,
    last: run[run.length - 1]!,
    gogc,
    live,
    livePts: reduce(live.points),
    goals: reduce(heapGoals(run)),
    goroutines: pts((r) => r.goroutines),
    // The figure the breakdown shows (memory.ts nonGoFigure): from Go's named mappings when the
    // kernel names them, else a lower bound counted from zero (Sys counts reserved pages before
    // they are touched, so the raw difference is negative at first and rises as the heap's pages
    // become resident), less released heap that huge pages keep resident.
    nonGo: pts(nonGoFigure),
    ...keptSeries(run),
  };
}

/**
 * What the heap keeps, from the first GC that found most of the heap in flight: until a stack
 * has freed something it looks like a keeper (a first batch caught live holds all it allocated),
 * so the points before say nothing about what is kept.
 */
function keptSeries(run: readonly PollRecord[]): Pick<Model, 'kept' | 'keptRecent'> {
  const all = keptPoints(run);
  const from = all.findIndex((p) => p.inuse - p.v >= p.v);
  return { kept: from < 0 ? [] : reduce(all.slice(from)), keptRecent: all.slice(-(MIN_TREND_POINTS - 1)) };
}

// ---- trends -------------------------------------------------------------------------------------

/** Polls before anything is judged. */
export const MIN_POLLS = 3;
/** Points (GC cycles for the heap) a trend needs: with fewer, no order is unlikely enough to be chance. */
export const MIN_TREND_POINTS = 5;
/** The recent part of a series: its last this long, and at least RECENT_MIN_POINTS points. */
const RECENT_MS = 30_000;
const RECENT_MIN_POINTS = 8;
/** One-sided Mann–Kendall p-values a rise must beat: strong evidence, or fair evidence of a big rise. */
const P_STRONG = 0.005;
const P_FAIR = 0.05;
/** A rise is big when the fitted growth over the run is at least this share of the starting level. */
const BIG_RISE = 0.5;
/** Growth smaller than this share of the level is drift, not worth a verdict. */
const MIN_RISE = 0.1;
/** A pace that doubles the level within this many hours is a leak however short the window. */
const DOUBLING_HOURS = 5;
/** While a kind is shown, it holds at looser evidence (p below this), so noise does not flip it. */
const P_HOLD = 0.2;

export interface Trend {
  points: number;
  /** Per second (Theil–Sen). */
  slope: number;
  /** Fitted value at the first and last point. */
  from: number;
  to: number;
  spanMs: number;
  pRising: number;
  /** The recent points' own slope. */
  recentSlope: number;
  /** The later half's own slope: a leak keeps rising, a step up (a batch starting) does not. */
  laterSlope: number;
  /**
   * How much of the fitted rise came in one jump beyond what the time between those two points
   * explains (share of the rise minus share of the time): near 1 for a step (a batch held across
   * a GC), near 0 for a leak, whose rise between two GCs follows the time between them.
   */
  stepShare: number;
  /** The series rose and then stayed flat far longer than its noise allows at the earlier rate. */
  stopped: boolean;
  /** The flat end of the series (see flatTail): where it stands, since when. */
  flat: Point[];
  /** The series' noise around its recent trend (robust standard deviation of residuals). */
  noise: number;
  /** Robust SD of the whole series around its Theil–Sen line. */
  scatter: number;
}

/**
 * The flat end of a series: the longest run of last points in which the Mann–Kendall test finds
 * no trend (two-sided p ≥ 0.1) and no point lies far outside the others' range. Grown backwards
 * one point at a time, updating S, so O(n²).
 */
export function flatTail(pts: readonly Point[]): Point[] {
  if (pts.length < 3) return pts.slice();
  let s = 0;
  let from = pts.length - 1;
  let lo = pts[from]!.v;
  let hi = lo;
  // Per stratum (trend.ts): points counted, and the Mann–Kendall variance they add up to.
  const counts = new Map<number | undefined, number>([[pts[from]!.g, 1]]);
  let variance = 0;
  for (let k = pts.length - 2; k >= 0; k--) {
    const { v, g } = pts[k]!;
    // A point far outside the tail's own range is a step, not more of the flat end.
    const slack = Math.max(hi - lo, 0.02 * Math.abs(hi));
    if (pts.length - k > 3 && (v < lo - slack || v > hi + slack)) break;
    for (let j = k + 1; j < pts.length; j++) if (pts[j]!.g === g) s += Math.sign(pts[j]!.v - v);
    const c = counts.get(g) ?? 0;
    counts.set(g, c + 1);
    variance += ((c + 1) * c * (2 * c + 7) - c * (c - 1) * (2 * c + 5)) / 18;
    if (pts.length - k >= 3 && variance > 0) {
      const z = (Math.abs(s) - 1) / Math.sqrt(variance);
      if (2 * (1 - normalCdf(Math.max(0, z))) < 0.1) break;
    }
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    from = k;
  }
  return pts.slice(from);
}

/**
 * The series' noise from its consecutive differences (robust standard deviation of Δ/√2): a
 * trend adds little to each difference and a single step is one difference among many, so
 * neither inflates it the way residuals around a fitted line would.
 */
function stepNoise(pts: readonly Point[]): number {
  const d = consecutive(pts).map(([a, b]) => Math.abs(b.v - a.v)).sort((a, b) => a - b);
  if (pts.length < 3 || d.length === 0) return 0;
  return (1.4826 * d[d.length >> 1]!) / Math.SQRT2;
}

/** Each point with the one before it in its stratum (trend.ts): the steps a series takes. */
function consecutive(pts: readonly Point[]): Array<[Point, Point]> {
  if (pts.every((p) => p.g === undefined)) return pts.slice(1).map((p, i) => [pts[i]!, p]);
  const last = new Map<number | undefined, Point>();
  const out: Array<[Point, Point]> = [];
  for (const p of pts) {
    const before = last.get(p.g);
    if (before) out.push([before, p]);
    last.set(p.g, p);
  }
  return out;
}

function stepShareOf(pts: readonly Point[], rise: number): number {
  const span = pts[pts.length - 1]!.t - pts[0]!.t;
  if (rise <= 0 || span <= 0) return 0;
  let max = 0;
  for (const [a, b] of consecutive(pts)) max = Math.max(max, (b.v - a.v) / rise - (b.t - a.t) / span);
  return max;
}

/** A flat end must last this many times as long as the earlier rise needs to cross the noise band. */
const STOP_FACTOR = 3;

/**
 * Trend statistics of a series, or null with fewer than `minPoints` points or, in strata, fewer
 * pairs to compare than one point less gives (the first GC of a run with bursts is compared
 * with nothing: gc-model.ts withBurstStrata).
 */
export function trendOf(pts: readonly Point[], minPoints = MIN_TREND_POINTS): Trend | null {
  if (pts.length < minPoints || comparablePairs(pts) < ((minPoints - 1) * (minPoints - 2)) / 2) return null;
  // Several rules ask about the same series in one judgement (a fleet judges 1,000 of them).
  let tr = trends.get(pts);
  if (!tr) {
    tr = computeTrend(pts);
    trends.set(pts, tr);
  }
  return tr;
}

const trends = new WeakMap<readonly Point[], Trend>();

/**
 * The Trend of a series: its Mann–Kendall test at once, the rest (the slope and level, the recent
 * and later slopes, the flat end and whether growth stopped, the step share) when a rule first
 * asks. Most series a fleet judges are flat, and risingNow settles a flat one by its p-value alone.
 */
function computeTrend(pts: readonly Point[]): Trend {
  const mk = mannKendall(pts);
  const spanMs = pts[pts.length - 1]!.t - pts[0]!.t;
  let fit: ReturnType<typeof theilSen> | undefined;
  let recent: ReturnType<typeof theilSen> | undefined;
  let later: number | undefined;
  let step: number | undefined;
  let end: { stopped: boolean; flat: Point[] } | undefined;
  const ts = () => (fit ??= theilSen(pts));
  const recentFit = () => (recent ??= theilSen(lastWindow(pts, RECENT_MS, RECENT_MIN_POINTS)));
  const flatEnd = () => (end ??= stoppedOf(pts, ts().level));
  return {
    points: pts.length,
    get slope() {
      return ts().slope;
    },
    get from() {
      return ts().level - (ts().slope * spanMs) / 1000;
    },
    get to() {
      return ts().level;
    },
    spanMs,
    pRising: mk.pRising,
    get recentSlope() {
      return recentFit().slope;
    },
    get laterSlope() {
      // With too few pairs to compare in the later half (3 points' worth), the whole run's slope.
      const half = pts.slice(Math.floor(pts.length / 2));
      return (later ??= pts.length >= 6 && comparablePairs(half) >= 3 ? theilSen(half).slope : ts().slope);
    },
    get stepShare() {
      return (step ??= stepShareOf(pts, Math.max((ts().slope * spanMs) / 1000, pts[pts.length - 1]!.v - pts[0]!.v)));
    },
    get stopped() {
      return flatEnd().stopped;
    },
    get flat() {
      return flatEnd().flat;
    },
    get noise() {
      return 1.4826 * recentFit().noise;
    },
    get scatter() {
      return 1.4826 * ts().noise;
    },
  };
}

/**
 * Growth stopped? A series still rising at its earlier rate climbs out of the spread of its flat
 * end within spread/rate seconds; a flat end that lasts several times longer means the rise
 * ended (a cache that filled), not that the latest points happen to be noisy.
 */
function stoppedOf(pts: readonly Point[], level: number): { stopped: boolean; flat: Point[] } {
  const flat = flatTail(pts);
  const before = pts.slice(0, pts.length - flat.length + 1);
  if (flat.length < 3 || before.length < 2) return { stopped: false, flat };
  const values = flat.map((p) => p.v).sort((a, b) => a - b);
  // The band the flat end must stay in is at least the series' own noise: three points that
  // happen to agree in a noisy leak are not a plateau.
  const spread = Math.max(values[values.length - 1]! - values[0]!, 3 * stepNoise(pts), 0.005 * Math.abs(level), Number.EPSILON);
  const rise = theilSen(before).slope;
  const flatSeconds = (pts[pts.length - 1]!.t - flat[0]!.t) / 1000;
  // The rise before the flat end: significant, or (a process building its live set at
  // start-up: two GCs) a step far above the flat end's own spread.
  const rose = before.length >= 3 ? mannKendall(before).pRising < P_FAIR : values[values.length >> 1]! - before[0]!.v > 3 * spread;
  return { stopped: rise > 0 && rose && flatSeconds > (STOP_FACTOR * spread) / rise, flat };
}

/** Is the series rising now, with the evidence a new verdict needs (or that a shown one needs to hold)? */
export function risingNow(tr: Trend, holding: boolean, minRise: number): boolean {
  // Significance first (Mann–Kendall comes with the trend; its fit is computed on demand): every
  // way to a rise below needs p under P_HOLD (holding) or P_FAIR.
  if (tr.pRising >= (holding ? P_HOLD : P_FAIR)) return false;
  const rise = tr.to - tr.from;
  // A rise that matters: 10% of the level over the run, or (seen over a short window, as
  // Prometheus scrapes give) a pace that would double the level within DOUBLING_HOURS.
  const level = Math.max(Math.abs(tr.from), 1);
  const rel = Math.max(rise / level, (tr.slope * 3600 * DOUBLING_HOURS) / level >= 1 ? MIN_RISE : 0);
  // The cheap tests first: the others are computed on demand (computeTrend).
  if (tr.slope <= 0 || rise < minRise || tr.recentSlope <= 0 || tr.stopped) return false;
  if (holding) return tr.pRising < P_HOLD && tr.laterSlope > 0;
  if (rel < MIN_RISE || !(tr.pRising < P_STRONG || (tr.pRising < P_FAIR && rel >= BIG_RISE))) return false;
  // Still rising in the later half, at half the pace at least, and not by one jump between two
  // GCs (a batch held across a GC): a leak adds a little every cycle.
  return !(tr.laterSlope < 0.5 * tr.slope || (tr.points >= 6 && tr.stepShare > 0.5));
}

/** Confidence in a rise: one minus its p-value, less when the recent points say little. */
function riseConfidence(tr: Trend): number {
  return Math.max(0, Math.min(0.99, 1 - tr.pRising)) * (tr.recentSlope > 0.5 * tr.slope ? 1 : 0.85);
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const rate = (bytesPerSec: number) => `${formatBytes(bytesPerSec)}/s`;

function goMinor(version: string | null): number | null {
  const m = version ? /^go1\.(\d+)/.exec(version) : null;
  return m ? Number(m[1]) : null;
}

// ---- runway -------------------------------------------------------------------------------------

/**
 * How long until memory runs out at `rate` (bytes/s of the memory facing each limit): against
 * GOMEMLIMIT (the heap goal reaching it: GC thrash starts there, before any OOM), the cgroup's
 * limit, and the host's available memory. The soonest with a known limit, or null.
 */
export function runwayOf(last: PollRecord, goalRate: number, rssRate: number): Runway | null {
  const options: Runway[] = [];
  if (goalRate > 0 && last.memoryLimitGo !== null && last.nextGC !== null) {
    const nonHeap = (last.stackSys ?? 0) + (last.runtimeSys ?? 0);
    const left = last.memoryLimitGo - nonHeap - last.nextGC;
    options.push({ seconds: Math.max(0, left / goalRate), limit: last.memoryLimitGo, limitSource: 'GOMEMLIMIT', rate: goalRate });
  }
  const growth = Math.max(goalRate, rssRate);
  if (growth > 0 && last.memoryLimit !== null) {
    const used = last.workingSet ?? last.rss ?? 0;
    options.push({ seconds: Math.max(0, (last.memoryLimit - used) / growth), limit: last.memoryLimit, limitSource: 'cgroup', rate: growth });
  }
  if (growth > 0 && last.hostMemAvailable !== null && last.rss !== null) {
    options.push({ seconds: last.hostMemAvailable / growth, limit: last.hostMemAvailable + last.rss, limitSource: 'host', rate: growth });
  }
  options.sort((a, b) => a.seconds - b.seconds);
  return options[0] ?? null;
}

export function runwayText(r: Runway): string {
  const what = r.limitSource === 'GOMEMLIMIT' ? 'the heap goal reaches GOMEMLIMIT' : r.limitSource === 'cgroup' ? "the container's memory limit" : "the host's available memory";
  const until = r.limitSource === 'GOMEMLIMIT' ? 'GC thrash (then OOM)' : 'out of memory';
  return `runway: about ${formatDuration(r.seconds * 1000)} until ${r.limitSource === 'GOMEMLIMIT' ? what : `it fills ${what}`} (${formatBytes(r.limit)}) at ${rate(r.rate)}: ${until}`;
}

/** Theil–Sen slope on at most MAX_POINTS points (reduced first: linear in the series' length). */
function slopeOf(pts: readonly Point[]): number {
  return pts.length >= 3 ? theilSen(reduce(pts)).slope : 0;
}

// ---- the rules ----------------------------------------------------------------------------------

/** The least point of each run of FLOOR_CHUNK points: the live heap's floor over time. */
export function floorOf(pts: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (let i = 0; i + FLOOR_CHUNK <= pts.length; i += FLOOR_CHUNK) {
    const chunk = pts.slice(i, i + FLOOR_CHUNK);
    out.push(chunk.reduce((a, b) => (b.v < a.v ? b : a)));
  }
  return out;
}
export const FLOOR_CHUNK = 4;

/** runtime.MemProfileRate's default: the heap profile records one allocation per 512 KiB on average. */
const MEM_PROFILE_RATE = 512 * 1024;

/**
 * The smallest rise of the live heap that its source can show. A heap profile's in-use total is
 * an estimate from allocations sampled every MemProfileRate bytes: over a heap of H bytes its
 * error is about √(H·rate) (the count of samples is Poisson), so a rise must exceed twice that.
 * The other sources are exact at each GC.
 */
function measurableRise(m: Model, level: number): number {
  return m.live.source === 'heap-profile' || m.live.source === 'heap-alloc' ? 2 * Math.sqrt(Math.max(level, 0) * MEM_PROFILE_RATE) : 0;
}

/**
 * The heap goal sits at its floor (4 MB × GOGC/100): the live heap is under the floor's share,
 * and a leak shows only once it lifts the goal off the floor. Until then the heap profile's
 * sampling noise on a heap this small says nothing either way.
 */
function goalAtFloor(m: Model): boolean {
  const g = m.gogc?.value;
  return g !== undefined && g > 0 && m.last.nextGC !== null && m.last.nextGC <= HEAP_MINIMUM * (g / 100) * 1.02;
}

export function heapLeak(m: Model, input: RuleInput, holding: boolean): Finding | null {
  if (m.run.length < MIN_POLLS || goalAtFloor(m)) return null;
  const since = holding ? input.heldFrom : input.shownSince;
  const series = sinceShown(m.livePts, since);
  const totals = trendOf(series) ?? (holding ? fewPointsTrend(series) : null);
  const fromTotals =
    totals && risingNow(totals, holding, measurableRise(m, Math.max(totals.from, totals.to))) && (holding || (profileAgrees(m, totals, series[0]!.t) && plainAgrees(series, totals)));
  const kept = fromTotals ? null : keptRise(m, since, holding);
  const tr = fromTotals ? totals : kept?.tr;
  if (!tr) return null;
  const source = m.live.source ? LIVE_HEAP_SOURCE_WORDS[m.live.source] : '';
  const evidence = kept
    ? [
        `what the heap keeps grew ${formatBytes(tr.from)} → ${formatBytes(tr.to)} over ${plural(tr.points, 'GC')} in ${formatDuration(tr.spanMs)} (${rate(tr.slope)}; Mann–Kendall p=${tr.pRising.toPrecision(2)}; heap profile: stacks that keep what they allocate)`,
        `the live heap at each GC is mostly memory in flight (${formatBytes(m.keptRecent[m.keptRecent.length - 1]!.inuse)} at the last GC), so its totals rise and fall with it`,
      ]
    : [
        `live heap after GC grew ${formatBytes(tr.from)} → ${formatBytes(tr.to)} over ${plural(tr.points, 'GC')} in ${formatDuration(tr.spanMs)} (${rate(tr.slope)}; Mann–Kendall p=${tr.pRising.toPrecision(2)}; from ${source})`,
      ];
  const growth = input.heapGrowth().slice(0, 3);
  for (const g of growth) evidence.push(`${g.name} holds ${formatBytes(g.bytes)} more ${input.baselineLabel} (${rate(g.ratePerSec)})`);
  const runway = runwayOf(m.last, slopeOf(m.goals), slopeOf(m.run.flatMap((r) => (r.rss === null ? [] : [{ t: r.time, v: r.rss }]))));
  if (runway) evidence.push(runwayText(runway));
  const culprit = growth[0]?.name;
  return {
    kind: 'heap-leak',
    confidence: riseConfidence(tr),
    summary: `heap leak: the live heap grows ${rate(tr.slope)}${culprit ? `, mostly in ${culprit}` : ''}`,
    growthRate: tr.slope,
    since: kept ? kept.since : series[0]!.t,
    evidence,
    suggestions: [
      culprit
        ? { text: `Open Diff ({key}) and drill into ${culprit} (Enter) to see who calls it and which lines allocate`, action: 'open-diff' }
        : { text: 'Open Diff ({key}) to see which functions hold more memory than at the baseline', action: 'open-diff' },
      { text: 'Look for a cache, map or slice that only grows, or objects kept reachable by a global' },
      { text: 'Press {key} in Diff to set a new baseline and confirm the growth continues', action: 'set-baseline' },
    ],
    runway,
  };
}

/**
 * A leak under memory in flight (mostlyInFlight): the totals at each GC say little, what the heap
 * keeps rises. Its figures come from the sampled heap profile, so the rise must exceed the
 * profile's own noise. A leak found so is held while what the heap keeps still rises, also once
 * the kept memory outgrows the memory in flight (the totals take over only as it dominates them).
 */
function keptRise(m: Model, since: number | null | undefined, holding: boolean): { tr: Trend; since: number } | null {
  if (!holding && !mostlyInFlight(m)) return null;
  const pts = sinceShown(m.kept, since);
  const tr = trendOf(pts) ?? (holding ? fewPointsTrend(pts) : null);
  if (!tr || !risingNow(tr, holding, 2 * Math.sqrt(Math.max(tr.from, tr.to, 0) * MEM_PROFILE_RATE))) return null;
  return { tr, since: pts[0]!.t };
}

/**
 * A shown leak whose live-heap series has become too short for a trend (the source changed: the
 * heap goal, exact, replaces the sampled heap profile once it has 4 GCs off the 4 MB floor) is
 * held on what those points say: too few points is no evidence that growth stopped. Its
 * statistics are those of the few points, so the rise must still be there in them.
 */
function fewPointsTrend(pts: readonly Point[]): Trend | null {
  return pts.length >= 3 && comparablePairs(pts) >= 3 ? trendOf(pts, 3) : null;
}

/** A second witness of a leak (the heap profile, the GCs between bursts) must rise at this share of its pace. */
const WITNESS_SHARE = 0.25;

/**
 * The heap goal over a GOGC nobody confirmed (Go < 1.21 exports none, and the environment does
 * not say what debug.SetGCPercent set) gives the live heap only up to that factor, and GCs that
 * batches trigger catch each batch live, so their goals ratchet up. The heap profile is a second,
 * independent witness (one cycle late): a leak raises it too. A new leak from such goals needs the
 * profile to rise at a quarter of the pace at least, where it has 3 GCs to say so.
 */
function profileAgrees(m: Model, tr: Trend, from: number): boolean {
  if (m.live.source !== 'heap-goal' || m.gogc?.source === 'metrics' || m.gogc?.source === 'environ') return true;
  const prof = heapProfilePoints(m.run).filter((p) => p.t >= from);
  if (prof.length < 3) return true;
  return slopeOf(prof) >= WITNESS_SHARE * tr.slope;
}

/**
 * With burst strata (gc-model.ts withBurstStrata), a leak lifts the GCs between bursts too: the
 * plain ones, when there are 3 or more, must rise at a quarter of the pace at least. GCs that
 * catch one batch, then two, rise while the plain ones stay flat.
 */
function plainAgrees(series: readonly Point[], tr: Trend): boolean {
  if (series.every((p) => p.g === undefined)) return true;
  const plain = series.filter((p) => p.g === STRATUM_PLAIN);
  return plain.length < 3 || theilSen(plain).slope >= WITNESS_SHARE * tr.slope;
}

export interface Plateau {
  /** The level the series grew to, and since when it has been flat. */
  level: number;
  since: number;
  points: Point[];
}

/** The live heap grew (significantly) and then stopped: a cache warming up, not a leak. */
export function plateauOf(m: Model): Plateau | null {
  const tr = trendOf(m.livePts, MIN_TREND_POINTS - 1);
  if (!tr || !tr.stopped) return null;
  const values = tr.flat.map((p) => p.v).sort((a, b) => a - b);
  return { level: values[values.length >> 1]!, since: tr.flat[0]!.t, points: tr.flat };
}

export function plateauNote(m: Model): string | null {
  const p = plateauOf(m);
  return p ? `grew to ${formatBytes(p.level)}, then flat for ${formatDuration(m.last.time - p.since)}: a cache warming up?` : null;
}

/** The runtime proved goroutines leaked (its goroutine-leak profile): the strongest evidence there is. */
function provenGoroutineLeak(m: Model, leak: LeakedGoroutines): Finding {
  const top = leak.groups[0];
  return {
    kind: 'goroutine-leak',
    confidence: 0.99,
    summary: `goroutine leak: ${leak.total} goroutine${leak.total === 1 ? '' : 's'} can never wake${top ? `, ${top.count} waiting in ${top.top}` : ''} (the runtime's goroutine-leak profile)`,
    evidence: [
      `the goroutine-leak profile (a leak-detecting GC in the target) found ${leak.total} goroutine${leak.total === 1 ? '' : 's'} blocked on something no running goroutine can reach`,
      ...leak.groups.slice(0, 3).map((g) => `${g.count} leaked in ${g.top}, started in ${g.entry}`),
      ...(m.last.goroutines !== null ? [`${m.last.goroutines} goroutines in all now`] : []),
    ],
    suggestions: [
      { text: `Open Goroutines ({key}): the groups marked leaked${top ? `, ${top.top} first,` : ''} wait on a channel, lock or condition nothing can reach`, action: 'open-goroutines' },
      { text: 'Give each such goroutine a way out: close the channel, cancel its context, or stop holding it' },
    ],
  };
}

/** Goroutines up or down by fewer than this are connections coming and going. */
const MIN_GOROUTINE_RISE = 3;

export function goroutineLeak(m: Model, input: RuleInput, holding: boolean): Finding | null {
  if (input.leakedGoroutines && input.leakedGoroutines.total > 0 && m.run.length >= 1) return provenGoroutineLeak(m, input.leakedGoroutines);
  const tr = trendOf(sinceShown(m.goroutines, holding ? input.heldFrom : input.shownSince));
  // A handful of goroutines up or down is connections coming and going.
  if (!tr || m.run.length < MIN_POLLS || !risingNow(tr, holding, MIN_GOROUTINE_RISE)) return null;
  const evidence = [
    `goroutines ${Math.round(tr.from)} → ${Math.round(tr.to)} in ${formatDuration(tr.spanMs)} (+${(tr.slope * 60).toFixed(1)}/min; Mann–Kendall p=${tr.pRising.toPrecision(2)})`,
  ];
  const groups = input.goroutineGrowth().slice(0, 3);
  for (const g of groups) {
    evidence.push(`${plural(g.count, 'goroutine')} (+${g.delta}) ${g.leaked ? 'LEAKED (the runtime proved they can never wake) ' : ''}waiting in ${g.top}, started in ${g.entry}`);
  }
  const stack = m.last.stackInuse;
  if (stack !== null) evidence.push(`goroutine stacks now take ${formatBytes(stack)}`);
  const culprit = groups[0];
  return {
    kind: 'goroutine-leak',
    confidence: Math.max(riseConfidence(tr), culprit?.leaked ? 0.99 : 0),
    summary: `goroutine leak: +${(tr.slope * 60).toFixed(1)} goroutines/min${culprit ? ` waiting in ${culprit.top}` : ''}`,
    evidence,
    suggestions: [
      culprit
        ? { text: `Open Goroutines ({key}) and press Enter on ${culprit.top} for its stack, states and how long they have waited`, action: 'open-goroutines' }
        : { text: 'Open Goroutines ({key}): the group whose Δ keeps growing is the leak', action: 'open-goroutines' },
      { text: 'A goroutine blocked forever on a channel, a lock or I/O without a deadline never exits: give it a context, a timeout or a close' },
    ],
  };
}

/**
 * A heap that grows in the very function where a growing group of goroutines waits is held by
 * those goroutines: a goroutine leak with held memory. Goroutine counts are whole numbers, flat
 * for most of a run before a leak starts; the many tied pairs keep their Theil–Sen slope at 0
 * for polls after the live heap (a GC or more per poll) shows the rise. The profiles name the
 * cause sooner: the heap's top grower is the group's top frame or its entry, and the group grew
 * by a handful at least, as the count did since the heap began to rise.
 */
export function goroutinesHoldingHeap(m: Model, input: RuleInput, heapFrom: number): Finding | null {
  const culprit = input.heapGrowth()[0];
  if (!culprit) return null;
  const group = input.goroutineGrowth().find((g) => g.delta >= MIN_GOROUTINE_RISE && (g.top === culprit.name || g.entry === culprit.name));
  if (!group) return null;
  const pts = m.goroutines.filter((p) => p.t >= heapFrom);
  if (pts.length < MIN_TREND_POINTS) return null;
  const first = pts[0]!.v;
  const last = pts[pts.length - 1]!.v;
  const mk = mannKendall(pts);
  if (last - first < Math.max(MIN_GOROUTINE_RISE, MIN_RISE * first) || mk.pRising >= P_STRONG) return null;
  const seconds = Math.max(1, (pts[pts.length - 1]!.t - pts[0]!.t) / 1000);
  const stack = m.last.stackInuse;
  return {
    kind: 'goroutine-leak',
    confidence: Math.max(0, Math.min(0.99, 1 - mk.pRising)),
    summary: `goroutine leak: ${plural(group.count, 'goroutine')} (+${group.delta}) waiting in ${group.top} hold the growing heap`,
    evidence: [
      `goroutines ${Math.round(first)} → ${Math.round(last)} in ${formatDuration(seconds * 1000)} (Mann–Kendall p=${mk.pRising.toPrecision(2)}), while the live heap grows`,
      `${culprit.name} holds ${formatBytes(culprit.bytes)} more ${input.baselineLabel} (${rate(culprit.ratePerSec)}), and ${plural(group.count, 'goroutine')} (+${group.delta}) wait in ${group.top}, started in ${group.entry}`,
      ...(stack !== null ? [`goroutine stacks now take ${formatBytes(stack)}`] : []),
    ],
    suggestions: [
      { text: `Open Goroutines ({key}) and press Enter on ${group.top} for its stack, states and how long they have waited`, action: 'open-goroutines' },
      { text: 'A goroutine blocked forever on a channel, a lock or I/O without a deadline never exits, and keeps what it references: give it a context, a timeout or a close' },
    ],
  };
}

/** Non-Go memory standing this high (share of RSS, and bytes) is a finding even when flat. */
const NON_GO_STANDING_SHARE = 0.3;
const NON_GO_STANDING_BYTES = 64 * 2 ** 20;
/** Growth of non-Go memory under this is allocator and page-table noise. */
const NON_GO_MIN_RISE = 8 * 2 ** 20;

export function nonGoMemory(m: Model, holding: boolean, shownSince: number | null = null, heldFrom: number | null = null): Finding | null {
  if (m.nonGo.length < MIN_POLLS) return null;
  const tr = trendOf(sinceShown(m.nonGo, holding ? heldFrom : shownSince));
  const last = m.nonGo[m.nonGo.length - 1]!.v;
  const rss = m.last.rss ?? 0;
  const growing = tr !== null && risingNow(tr, holding, holding ? NON_GO_MIN_RISE / 2 : NON_GO_MIN_RISE);
  // A level only from the anonymous RSS: the total also holds the binary's file pages.
  const share = holding ? NON_GO_STANDING_SHARE / 2 : NON_GO_STANDING_SHARE;
  const standing = m.last.rssAnon !== null && last >= NON_GO_STANDING_BYTES && last >= share * rss;
  if (!growing && !standing) return null;
  const goMem = (m.last.sys ?? 0) - (m.last.heapReleased ?? 0);
  const named = m.last.namedMappings;
  const evidence = [
    named
      ? `resident anonymous memory outside Go's named mappings: ${formatBytes(m.nonGo[0]!.v)} → ${formatBytes(last)} (smaps)`
      : `resident memory outside the Go runtime: ${formatBytes(m.nonGo[0]!.v)} → ${formatBytes(last)} (RSS minus LazyFree minus Go's Sys − HeapReleased)`,
    `RSS ${formatBytes(rss)}; Go accounts for ${formatBytes(goMem)}`,
  ];
  if (named?.evidence) evidence.push(named.evidence);
  let runway: Runway | null = null;
  if (growing && tr) {
    evidence[0] += ` (${rate(tr.slope)}; Mann–Kendall p=${tr.pRising.toPrecision(2)})`;
    runway = runwayOf(m.last, 0, tr.slope);
    if (runway) evidence.push(runwayText(runway));
  }
  return {
    kind: 'non-go-memory',
    confidence: growing && tr ? Math.max(riseConfidence(tr), standing ? 0.9 : 0) : 0.8,
    summary: `memory outside Go ${growing && tr ? `grows ${rate(tr.slope)}` : `stands at ${formatBytes(last)}`}: cgo/C allocations or mapped memory`,
    growthRate: growing && tr ? tr.slope : 0,
    evidence,
    suggestions: [
      { text: 'Heap profiles cannot see it: look at cgo libraries (C malloc), mmap, or memory-mapped files' },
      { text: 'Compare /proc/PID/smaps mappings over time: [heap] growth is C malloc, large anonymous mappings outside the Go arenas are mmap' },
    ],
    runway,
  };
}

/** Memory kept beyond the pacer's needs must be this share of RSS (entry; half to hold)… */
const RETAINED_SHARE = 0.25;
/** …and at least this much: a few megabytes of slack in a small process is not worth a verdict. */
const RETAINED_MIN_BYTES = 16 * 2 ** 20;

/** How long memory must stay kept beyond the goal before it is called retention. */
const RETENTION_PERSIST_MS = 15_000;

/** Every poll of the last `ms` (at least 3 polls, spanning it) kept this share of RSS beyond its needs. */
function keptThroughout(run: readonly PollRecord[], ms: number, share: number): boolean {
  const last = run[run.length - 1]!;
  const recent = run.filter((r) => last.time - r.time <= ms);
  if (recent.length < 3 || last.time - recent[0]!.time < ms * 0.8) return false;
  return recent.every((r) => {
    const k = retained(r);
    return k !== null && r.rss !== null && k.total >= share * r.rss;
  });
}

export function runtimeRetention(m: Model, input: RuleInput, holding: boolean): Finding | null {
  const r = m.last;
  const kept = retained(r);
  if (!kept || r.rss === null || r.rssSource === 'estimate' || m.run.length < MIN_POLLS) return null;
  // Released heap that transparent huge pages keep resident is retention too (thp.ts).
  const thp = thpFinding(r, input.goVersion);
  const total = kept.total + (thp?.heldBytes ?? 0);
  const share = holding ? RETAINED_SHARE / 2 : RETAINED_SHARE;
  if (total < share * r.rss || total < (holding ? RETAINED_MIN_BYTES / 2 : RETAINED_MIN_BYTES)) return null;
  // Kept, not just not yet reused: the scavenger returns a dropped batch within seconds, and the
  // next batch takes it back. Retention is memory that stays kept across RETENTION_PERSIST_MS.
  // LazyFree is released already (the kernel takes it back only under pressure): no wait for it.
  const released = kept.lazyFree + (thp?.heldBytes ?? 0);
  if (!holding && released < share * r.rss && !keptThroughout(m.run, RETENTION_PERSIST_MS, share)) return null;
  const minor = goMinor(input.goVersion);
  const evidence: string[] = [];
  evidence.push(
    `RSS ${formatBytes(r.rss)}; the heap goal is ${formatBytes(r.nextGC)}${m.gogc ? ` (GOGC ${m.gogc.value}${m.gogc.source === 'metrics' ? '' : `, ${m.gogc.source}`})` : ''} and the heap in use ${formatBytes(r.heapInuse)}`,
  );
  if (kept.idleBeyondGoal > 0) {
    evidence.push(`${formatBytes(kept.idleBeyondGoal)} of free heap is kept beyond the goal plus the scavenger's 10% (HeapSys − HeapReleased − 1.1 × goal)`);
  }
  if (kept.lazyFree > 0 && kept.lazyFreeBounded) {
    evidence.push(`up to ${formatBytes(kept.lazyFree)} of memory Go released may still be resident (MADV_FREE): RSS is above Sys − HeapReleased but within Sys; /proc/PID/smaps_rollup LazyFree would tell`);
  } else if (kept.lazyFree > 0) {
    evidence.push(`${formatBytes(kept.lazyFree)} is LazyFree: pages Go released with MADV_FREE that the kernel still counts in RSS until it needs them`);
  }
  // Is the scavenger giving it back? The trend of the kept memory over the last polls.
  const keptPts = m.run.slice(-12).flatMap((x) => {
    const k = retained(x);
    return k ? [{ t: x.time, v: k.idleBeyondGoal }] : [];
  });
  // Returning: a fall the Mann–Kendall test finds significant, not page-level jitter.
  const falling = keptPts.length >= 4 && mannKendall(keptPts).pFalling < P_FAIR ? theilSen(keptPts).slope : 0;
  const keptSpan = keptPts.length >= 2 ? (keptPts[keptPts.length - 1]!.t - keptPts[0]!.t) / 1000 : 0;
  let returning = '';
  if (falling < 0 && kept.idleBeyondGoal >= RETAINED_MIN_BYTES && -falling * keptSpan >= 0.05 * kept.idleBeyondGoal) {
    const eta = kept.idleBeyondGoal / -falling;
    returning = `the scavenger is returning it at ${rate(-falling)}: back in about ${formatDuration(eta * 1000)}`;
    evidence.push(returning);
  }
  const live = m.live.points;
  if (live.length >= 2) {
    const tr = trendOf(m.livePts, 3);
    const how = tr && tr.pRising < P_FAIR && tr.to > tr.from * 1.1 ? 'rose' : tr && tr.to < tr.from * 0.9 ? 'fell' : 'is flat';
    evidence.push(`the live heap after GC ${how}: ${formatBytes(live[0]!.v)} → ${formatBytes(live[live.length - 1]!.v)}`);
  }
  if (thp) evidence.push(thp.evidence);
  const suggestions: Suggestion[] = [
    { text: 'This is not a leak: the memory is free inside Go and will be reused or returned; the heap profile will not explain it' },
  ];
  const madvFree = kept.lazyFree >= kept.idleBeyondGoal;
  if (thp && thp.heldBytes >= Math.max(kept.lazyFree, kept.idleBeyondGoal)) {
    suggestions.push({ text: thp.suggestion });
  } else if (madvFree) {
    suggestions.push({
      text:
        minor !== null && minor < 16
          ? `Go ${input.goVersion} releases memory with MADV_FREE: run it with GODEBUG=madvdontneed=1 so released memory leaves RSS at once`
          : 'Something set GODEBUG=madvdontneed=0 (MADV_FREE): drop it, or set madvdontneed=1, so released memory leaves RSS at once',
    });
    suggestions.push({ text: 'Under memory pressure the kernel reclaims LazyFree pages by itself; alerting on RSS overstates real use' });
  } else {
    suggestions.push({
      text:
        minor === null || minor >= 13
          ? 'The background scavenger returns idle memory gradually (about 1% of one CPU); a past spike lingers for a while'
          : `Go ${input.goVersion} returns idle memory only after ~5 minutes: wait, or upgrade`,
    });
    suggestions.push({
      text: minor === null || minor >= 19 ? 'Set GOMEMLIMIT (Go ≥ 1.19) so the runtime returns memory eagerly as the limit nears' : 'Go ≥ 1.19 adds GOMEMLIMIT to make the runtime return memory sooner',
    });
  }
  suggestions.push({ text: 'debug.FreeOSMemory() returns it at once (a forced GC and scavenge: costly, not for a hot path)' });
  return {
    kind: 'runtime-retention',
    confidence: Math.min(0.97, 0.5 + 0.5 * Math.min(1, total / r.rss / 0.5)),
    summary: `runtime retention, not a leak: RSS ${formatBytes(r.rss)}, of which ${formatBytes(total)} is free memory the runtime keeps${thp && thp.heldBytes >= kept.total ? ' (in huge pages)' : madvFree ? ' (LazyFree)' : ''}${returning ? '; being returned' : ''}`,
    evidence,
    suggestions,
  };
}

/** Why the footprint is what it is, for a healthy verdict: the pacer's arithmetic in words. */
export function footprintNote(m: Model): string | null {
  const r = m.last;
  const live = m.live.points[m.live.points.length - 1]?.v;
  if (!m.gogc || live === undefined || r.nextGC === null || m.gogc.value <= 0) return null;
  if (r.nextGC <= HEAP_MINIMUM * (m.gogc.value / 100) * 1.02) {
    return `the heap goal sits at its floor (${formatBytes(r.nextGC)}, 4 MB × GOGC/100): the ${formatBytes(live)} live heap is too small to move it`;
  }
  const factor = 1 + m.gogc.value / 100;
  const approx = m.gogc.source === 'metrics' || m.gogc.source === 'environ' ? '' : '≈';
  return `RSS follows the heap goal: GOGC${approx}${m.gogc.value} lets the heap reach ${factor.toFixed(factor < 10 ? 1 : 0)}× the ${formatBytes(live)} live set before each GC (goal ${formatBytes(r.nextGC)})`;
}

/**
 * While too few GC cycles have been seen to judge: what is known so far. A quiet service may run
 * a GC only every minute or two; this says what the last one found and when the next is due.
 */
export function interimStatement(m: Model, needGcs: number, needPolls: number): { summary: string; evidence: string[] } {
  const r = m.last;
  const wait = [needPolls > 0 ? plural(needPolls, 'more poll') : '', needGcs > 0 ? plural(needGcs, 'more GC cycle') : '']
    .filter(Boolean)
    .join(' and ');
  const evidence: string[] = [];
  const live = m.live.points[m.live.points.length - 1];
  const pace = gcPace(m.run, 60_000);
  if (live) {
    evidence.push(`last GC found ${formatBytes(live.v)} live (${m.live.source ? LIVE_HEAP_SOURCE_WORDS[m.live.source] : ''}); heap goal ${formatBytes(r.nextGC)}${m.gogc ? ` (GOGC ${m.gogc.value})` : ''}`);
  }
  if (pace.sinceLastMs !== null) {
    let next = '';
    const alloc = allocationRate(m.run, 30_000);
    if (r.nextGC !== null && r.heapAlloc !== null && alloc !== null && alloc > 0) {
      const toGoal = Math.max(0, r.nextGC - r.heapAlloc) / alloc;
      const forced = Math.max(0, FORCED_GC_PERIOD_MS - pace.sinceLastMs) / 1000;
      next = `; the heap is at ${formatBytes(r.heapAlloc)} of its ${formatBytes(r.nextGC)} goal, so the next GC is due in about ${formatDuration(Math.min(toGoal, forced) * 1000)}`;
    } else {
      next = `; the runtime forces one at the latest ${formatDuration(Math.max(0, FORCED_GC_PERIOD_MS - pace.sinceLastMs))} from now`;
    }
    evidence.push(`last GC ${formatDuration(pace.sinceLastMs)} ago${pace.perSecond !== null && pace.perSecond > 0 ? ` (about ${formatDuration(1000 / pace.perSecond)} apart)` : ''}${next}`);
  }
  const summary = `watching: need ${wait} to judge a trend${live ? `; live heap ${formatBytes(live.v)}, RSS ${formatBytes(r.rss)}` : ''}`;
  return { summary, evidence };
}

/** GC thrash under GOMEMLIMIT, as evidence and a summary prefix, or null. */
export function thrashNote(m: Model): { prefix: string; evidence: string } | null {
  const t = gcThrash(m.run, m.live.points[m.live.points.length - 1]?.v ?? null, m.gogc?.value ?? null);
  if (!t.thrashing || t.limit === null) return null;
  const cpu = t.pace.cpuShare !== null && t.pace.cpuShare >= 0.05 ? `, the GC using ${pct(t.pace.cpuShare)} of the CPU` : '';
  return {
    prefix: 'GC thrash',
    evidence: `GC thrash: the heap goal is pinned at GOMEMLIMIT (${formatBytes(t.limit)}), so the GC runs back to back (${t.pace.perSecond!.toFixed(1)} cycles/s${cpu}); the limit is soft: memory keeps growing past it until the OOM killer acts`,
  };
}

/** A burst of short-lived memory that came and went, told from the RSS history. */
export function spikeNote(run: readonly PollRecord[], formatTime: (ms: number) => string): string | null {
  const withRss = run.filter((r) => r.rss !== null);
  const last = withRss[withRss.length - 1];
  if (!last || withRss.length < 3) return null;
  let peak = withRss[0]!;
  for (const r of withRss) if (r.rss! > peak.rss!) peak = r;
  const now = last.rss!;
  if (peak === last || peak.rss! < 1.5 * now || peak.rss! - now < 32 * 2 ** 20) {
    if (last.maxRss !== null && last.maxRss >= 1.5 * now && last.maxRss - now >= 32 * 2 ** 20 && last.maxRss > peak.rss! * 1.1) {
      return `RSS peaked at ${formatBytes(last.maxRss)} before livepprof attached (VmHWM), now ${formatBytes(now)}`;
    }
    return null;
  }
  const back = withRss.find((r) => r.time > peak.time && r.rss! <= now + (peak.rss! - now) / 10);
  return `RSS peaked at ${formatBytes(peak.rss)} at ${formatTime(peak.time)} (a burst of short-lived memory)${back ? ` and was returned by ${formatTime(back.time)}` : ''}; now ${formatBytes(now)}`;
}
