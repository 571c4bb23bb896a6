// Robust trend statistics for the verdict: the Mann–Kendall test (is there a monotonic trend, and
// how sure are we) and the Theil–Sen slope (how fast), both rank-based, so one odd GC cycle or
// a burst does not make or hide a trend the way a least-squares fit does. Pure functions.
//
// Work is bounded: a series longer than MAX_POINTS is first reduced to bucket medians, so the
// pairwise statistics cost O(MAX_POINTS²) whatever the length of the input (linear in it).

export interface Point {
  /** ms since the epoch. */
  t: number;
  v: number;
}

/** Above this many points a series is summarised by bucket medians first. */
export const MAX_POINTS = 120;

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** At most `max` points: the median time and value of equal-count buckets, in order. */
export function reduce(points: readonly Point[], max = MAX_POINTS): Point[] {
  if (points.length <= max) return points.slice();
  const out: Point[] = [];
  for (let b = 0; b < max; b++) {
    const from = Math.floor((b * points.length) / max);
    const to = Math.floor(((b + 1) * points.length) / max);
    const bucket = points.slice(from, to);
    out.push({ t: median(bucket.map((p) => p.t)), v: median(bucket.map((p) => p.v)) });
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
 * The Mann–Kendall test with the tie correction, normal approximation with continuity correction.
 * For fewer than 3 points there is no evidence either way (p = 1).
 */
export function mannKendall(points: readonly Point[]): MannKendall {
  const n = points.length;
  if (n < 3) return { n, s: 0, tau: 0, pRising: 1, pFalling: 1 };
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    const vi = points[i]!.v;
    for (let j = i + 1; j < n; j++) s += Math.sign(points[j]!.v - vi);
  }
  const ties = new Map<number, number>();
  for (const p of points) ties.set(p.v, (ties.get(p.v) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of ties.values()) if (t > 1) tieTerm += t * (t - 1) * (2 * t + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  const pairs = (n * (n - 1)) / 2;
  if (variance <= 0) return { n, s, tau: s / pairs, pRising: 1, pFalling: 1 };
  const z = s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
  return { n, s, tau: s / pairs, pRising: 1 - normalCdf(z), pFalling: normalCdf(z) };
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

/** The Theil–Sen estimator: the median pairwise slope, robust to up to ~29% outliers. */
export function theilSen(points: readonly Point[]): TheilSen {
  const n = points.length;
  if (n === 0) return { slope: 0, level: NaN, noise: 0, spread: 0 };
  const slopes: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    for (let j = i + 1; j < n; j++) {
      const dt = (points[j]!.t - points[i]!.t) / 1000;
      if (dt > 0) slopes.push((points[j]!.v - points[i]!.v) / dt);
    }
  }
  const slope = slopes.length > 0 ? median(slopes) : 0;
  const tEnd = points[n - 1]!.t;
  const intercepts = points.map((p) => p.v - (slope * (p.t - tEnd)) / 1000);
  const level = median(intercepts);
  const residuals = intercepts.map((x) => Math.abs(x - level));
  return { slope, level, noise: median(residuals), spread: Math.max(...residuals) };
}

/** The points within the last `ms` of the series (by time), at least `minPoints` of them. */
export function lastWindow(points: readonly Point[], ms: number, minPoints: number): Point[] {
  if (points.length === 0) return [];
  const end = points[points.length - 1]!.t;
  let from = points.length;
  while (from > 0 && end - points[from - 1]!.t <= ms) from--;
  return points.slice(Math.min(from, Math.max(0, points.length - minPoints)));
}
