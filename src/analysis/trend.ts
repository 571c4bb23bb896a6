// Robust trend statistics for the verdict: the Mann–Kendall test (is there a monotonic trend, and
// how sure are we) and the Theil–Sen slope (how fast), both rank-based, so one odd GC cycle or
// a burst does not make or hide a trend the way a least-squares fit does. Pure functions.
//
// Work is bounded: a series longer than MAX_POINTS is first reduced to bucket medians, so the
// pairwise statistics cost O(MAX_POINTS²) whatever the length of the input (linear in it).
//
// Points may carry a stratum (`g`): then only points of one stratum are compared (the seasonal
// Kendall test and its Theil–Sen slope, Hirsch et al. 1982). The verdict puts GCs that ran while
// a burst of allocation was live in their own stratum: each catches some part of a batch, and
// comparing them with GCs between batches measures the batch, not a trend.

export interface Point {
  /** ms since the epoch. */
  t: number;
  v: number;
  /** Stratum: points are compared only within theirs (absent: all in one). */
  g?: number;
}

/** Strata of GC points (gc-model.ts): plain, during a burst of allocation, and not known (before the first poll). */
export const STRATUM_PLAIN = 0;
export const STRATUM_BURST = 1;
export const STRATUM_UNKNOWN = 2;

/** Whether any point has a stratum: without, the statistics take their plain (faster) form. */
function stratified(points: readonly Point[]): boolean {
  for (let i = 0; i < points.length; i++) if (points[i]!.g !== undefined) return true;
  return false;
}

/** Pairs of points in one stratum: what the pairwise statistics compare. */
export function comparablePairs(points: readonly Point[]): number {
  if (!stratified(points)) return (points.length * (points.length - 1)) / 2;
  let pairs = 0;
  for (const c of strataCounts(points).values()) pairs += (c * (c - 1)) / 2;
  return pairs;
}

function strataCounts(points: readonly Point[]): Map<number | undefined, number> {
  const counts = new Map<number | undefined, number>();
  for (const p of points) counts.set(p.g, (counts.get(p.g) ?? 0) + 1);
  return counts;
}

/** Above this many points a series is summarised by bucket medians first. */
export const MAX_POINTS = 120;

/**
 * The median, by selection rather than a full sort: Theil–Sen takes the median of n(n−1)/2
 * pairwise slopes (7,140 at MAX_POINTS), and a comparator sort of those was most of a verdict's
 * time. Same value as sorting: the middle element, or the mean of the two middle ones.
 */
function median(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n === 0) return NaN;
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = xs[i]!;
  return medianInPlace(a);
}

/** The median of a[0, n), reordering them (a length, not a subarray: a fleet's first table made ~100,000 of those). */
function medianInPlace(a: Float64Array, n = a.length): number {
  if (n === 0) return NaN;
  const m = n >> 1;
  const upper = select(a, m, n);
  if (n % 2) return upper;
  // After selecting the m-th, everything before it is ≤ it: the (m−1)-th is their maximum.
  let lower = -Infinity;
  for (let i = 0; i < m; i++) if (a[i]! > lower) lower = a[i]!;
  return (lower + upper) / 2;
}

/** The k-th smallest of a[0, n) (0-based), reordering them in place (Hoare's quickselect, middle pivot). */
function select(a: Float64Array, k: number, n: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * At most `max` points: the median time and value of equal-count buckets, in order. Buckets mix
 * strata, so a reduced series has none: over that many GCs a bucket's median is little moved by
 * the few that caught a burst.
 */
export function reduce(points: readonly Point[], max = MAX_POINTS): Point[] {
  if (points.length <= max) return points.slice();
  const out: Point[] = [];
  const size = Math.ceil(points.length / max) + 1;
  const ts = new Float64Array(size);
  const vs = new Float64Array(size);
  for (let b = 0; b < max; b++) {
    const from = Math.floor((b * points.length) / max);
    const to = Math.floor(((b + 1) * points.length) / max);
    for (let i = from; i < to; i++) {
      ts[i - from] = points[i]!.t;
      vs[i - from] = points[i]!.v;
    }
    out.push({ t: medianInPlace(ts, to - from), v: medianInPlace(vs, to - from) });
  }
  return out;
}

/** The standard normal CDF (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export interface MannKendall {
  n: number;
  /** Σ sign(v_j − v_i) over i < j: positive for a rising series. */
  s: number;
  /** Kendall's tau-a: s over the number of pairs, in [−1, 1]. */
  tau: number;
  /** One-sided p-value that the series rises (small: a rise is unlikely to be chance). */
  pRising: number;
  /** One-sided p-value that it falls. */
  pFalling: number;
}

/**
 * The Mann–Kendall test with the tie correction, normal approximation with continuity correction;
 * with strata, S and its variance are the sums of each stratum's (seasonal Kendall). For fewer
 * than 3 points there is no evidence either way (p = 1).
 */
export function mannKendall(points: readonly Point[]): MannKendall {
  const n = points.length;
  if (n < 3) return { n, s: 0, tau: 0, pRising: 1, pFalling: 1 };
  const strata = stratified(points);
  const { v, g } = columns(points, strata);
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    const vi = v[i]!;
    if (!strata) for (let j = i + 1; j < n; j++) s += Math.sign(v[j]! - vi);
    else {
      const gi = g[i]!;
      for (let j = i + 1; j < n; j++) if (g[j] === gi) s += Math.sign(v[j]! - vi);
    }
  }
  let variance = 0;
  if (!strata) variance = kendallVariance(v.slice(0, n));
  else {
    const byStratum = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const stratum = byStratum.get(g[i]!);
      if (stratum) stratum.push(v[i]!);
      else byStratum.set(g[i]!, [v[i]!]);
    }
    for (const stratum of byStratum.values()) variance += kendallVariance(Float64Array.from(stratum));
  }
  variance = Math.max(0, variance);
  const pairs = comparablePairs(points) || 1;
  if (variance <= 0) return { n, s, tau: s / pairs, pRising: 1, pFalling: 1 };
  const z = s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
  return { n, s, tau: s / pairs, pRising: 1 - normalCdf(z), pFalling: normalCdf(z) };
}

/** The variance of Mann–Kendall's S over one series (one stratum), with the tie correction; sorts `values`. */
function kendallVariance(values: Float64Array): number {
  const c = values.length;
  values.sort();
  let tieTerm = 0;
  for (let i = 0; i < c; ) {
    let j = i + 1;
    while (j < c && values[j] === values[i]) j++;
    const t = j - i;
    if (t > 1) tieTerm += t * (t - 1) * (2 * t + 5);
    i = j;
  }
  return (c * (c - 1) * (2 * c + 5) - tieTerm) / 18;
}

/** Stratum ids as numbers (absent: -1), for typed arrays. */
const NO_STRATUM = -1;
let tScratch = new Float64Array(MAX_POINTS);
let vScratch = new Float64Array(MAX_POINTS);
let gScratch = new Float64Array(MAX_POINTS);

/**
 * The points' times, values and strata in typed arrays (reused from call to call: the pairwise
 * loops then read numbers, not objects of two shapes). Valid until the next call.
 */
function columns(points: readonly Point[], strata: boolean): { t: Float64Array; v: Float64Array; g: Float64Array } {
  const n = points.length;
  if (tScratch.length < n) {
    tScratch = new Float64Array(n);
    vScratch = new Float64Array(n);
    gScratch = new Float64Array(n);
  }
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    tScratch[i] = p.t;
    vScratch[i] = p.v;
    if (strata) gScratch[i] = p.g ?? NO_STRATUM;
  }
  return { t: tScratch, v: vScratch, g: gScratch };
}

export interface TheilSen {
  /** Median of pairwise slopes, per second. */
  slope: number;
  /** Value of the fitted line at the last point's time. */
  level: number;
  /** Median absolute residual around the line: the series' own noise. */
  noise: number;
  /** Largest absolute residual around the line. */
  spread: number;
}

let slopeScratch = new Float64Array(0);
/** The scratch kept between calls covers MAX_POINTS points; a longer series gets its own array. */
const MAX_SCRATCH = (MAX_POINTS * (MAX_POINTS - 1)) / 2;

/** The Theil–Sen estimator: the median pairwise slope (pairs within a stratum), robust to up to ~29% outliers. */
export function theilSen(points: readonly Point[]): TheilSen {
  const n = points.length;
  if (n === 0) return { slope: 0, level: NaN, noise: 0, spread: 0 };
  // One typed array of the pairwise slopes, its median selected in place: no sort, no copies;
  // reused from call to call (a fleet runs this ~12,000 times for its first table).
  const pairs = (n * (n - 1)) / 2;
  if (slopeScratch.length < pairs && pairs <= MAX_SCRATCH) slopeScratch = new Float64Array(pairs);
  const slopes = pairs <= MAX_SCRATCH ? slopeScratch : new Float64Array(pairs);
  const strata = stratified(points);
  const { t, v, g } = columns(points, strata);
  let k = 0;
  for (let i = 0; i < n - 1; i++) {
    const ti = t[i]!;
    const vi = v[i]!;
    const gi = g[i]!;
    for (let j = i + 1; j < n; j++) {
      const dt = (t[j]! - ti) / 1000;
      if (dt > 0 && (!strata || g[j] === gi)) slopes[k++] = (v[j]! - vi) / dt;
    }
  }
  const slope = k > 0 ? medianInPlace(slopes, k) : 0;
  const tEnd = t[n - 1]!;
  // The level is the plain points' where there are any: a burst's GCs sit above them by whatever
  // part of the burst they caught.
  const intercepts = new Float64Array(n);
  const plain: number[] = [];
  for (let i = 0; i < n; i++) {
    intercepts[i] = v[i]! - (slope * (t[i]! - tEnd)) / 1000;
    if (strata && (g[i] === STRATUM_PLAIN || g[i] === NO_STRATUM)) plain.push(intercepts[i]!);
  }
  const level = median(plain.length > 0 ? plain : intercepts);
  const residuals = new Float64Array(n);
  let spread = -Infinity;
  for (let i = 0; i < n; i++) {
    residuals[i] = Math.abs(intercepts[i]! - level);
    if (residuals[i]! > spread) spread = residuals[i]!;
  }
  return { slope, level, noise: medianInPlace(residuals), spread };
}

/** The points within the last `ms` of the series (by time), at least `minPoints` of them. */
export function lastWindow(points: readonly Point[], ms: number, minPoints: number): Point[] {
  if (points.length === 0) return [];
  const end = points[points.length - 1]!.t;
  let from = points.length;
  while (from > 0 && end - points[from - 1]!.t <= ms) from--;
  return points.slice(Math.min(from, Math.max(0, points.length - minPoints)));
}
