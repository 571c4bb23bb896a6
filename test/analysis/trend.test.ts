// The trend statistics behind the verdict, against values worked out by hand from their
// textbook definitions (Mann–Kendall with the tie correction, Theil–Sen).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/random.js';
import { comparablePairs, lastWindow, mannKendall, normalCdf, reduce, theilSen, type Point } from '../../src/analysis/trend.js';

const series = (vs: number[], stepMs = 1000): Point[] => vs.map((v, i) => ({ t: 1_700_000_000_000 + i * stepMs, v }));

describe('normalCdf', () => {
  it('matches the standard normal table', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.975002, 5);
    expect(normalCdf(-1.96)).toBeCloseTo(0.024998, 5);
    expect(normalCdf(3)).toBeCloseTo(0.99865, 5);
  });
});

describe('mannKendall', () => {
  it('a strictly rising series of 5: S = 10, var = 16.67, one-sided p = 0.0137', () => {
    const mk = mannKendall(series([1, 2, 3, 4, 5]));
    expect(mk.s).toBe(10);
    expect(mk.tau).toBe(1);
    expect(mk.pRising).toBeCloseTo(0.013745, 4);
    expect(mk.pFalling).toBeCloseTo(1 - 0.013745, 4);
  });

  it('corrects the variance for ties: [1,1,2,2,3] has S = 8, var = 14.67, p = 0.0338', () => {
    const mk = mannKendall(series([1, 1, 2, 2, 3]));
    expect(mk.s).toBe(8);
    expect(mk.pRising).toBeCloseTo(1 - normalCdf(7 / Math.sqrt(264 / 18)), 6);
    expect(mk.pRising).toBeCloseTo(0.0338, 3);
  });

  it('says nothing with fewer than 3 points or a constant series', () => {
    expect(mannKendall(series([1, 2])).pRising).toBe(1);
    expect(mannKendall(series([7, 7, 7, 7])).pRising).toBe(1);
  });

  it('is symmetric: a falling series has the mirrored p-values', () => {
    const up = mannKendall(series([3, 1, 4, 1, 5, 9, 2, 6]));
    const down = mannKendall(series([-3, -1, -4, -1, -5, -9, -2, -6]));
    expect(down.s).toBe(-up.s);
    expect(down.pFalling).toBeCloseTo(up.pRising, 12);
  });
});

describe('strata (seasonal Kendall)', () => {
  // Plain GCs rising 10 → 13 and GCs that caught part of a batch (60, 45, 80, 70) between them.
  const plain = [10, 11, 12, 13];
  const burst = [60, 45, 80, 70];
  const mixed: Point[] = plain.flatMap((v, i) => [
    { t: 1_700_000_000_000 + i * 2000, v, g: 0 },
    { t: 1_700_000_000_000 + i * 2000 + 1000, v: burst[i]!, g: 1 },
  ]);

  it('sums S and its variance over the strata: plain S = 6 (var 8.67), burst S = 2 (var 8.67), p from z = 7/√17.33', () => {
    const mk = mannKendall(mixed);
    expect(mk.s).toBe(8);
    expect(mk.pRising).toBeCloseTo(1 - normalCdf(7 / Math.sqrt(2 * (4 * 3 * 13) / 18)), 10);
    expect(comparablePairs(mixed)).toBe(12);
    // The same values as one series: the batch GCs' spread hides the rise.
    expect(mannKendall(mixed.map(({ t, v }) => ({ t, v }))).pRising).toBeGreaterThan(mk.pRising);
  });

  it('takes the slope from pairs within a stratum and the level from the plain points', () => {
    const ts = theilSen(mixed);
    // Plain slopes are all 0.5/s; burst pairs give −7.5, 5, 1.67, 17.5, 6.25, −5 /s: the median of the 12 is 0.5.
    expect(ts.slope).toBeCloseTo(0.5, 10);
    // At the last point's time (7 s, a burst GC), the plain line stands at 13 + 0.5 × 1.
    expect(ts.level).toBeCloseTo(13.5, 10);
  });
});

describe('theilSen', () => {
  /** The median as a full sort gives it: the definition the selection must match. */
  const sortedMedian = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };

  it('is the median of every pairwise slope and of the intercepts, as a full sort gives it (odd and even counts, ties)', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const rnd = seededRandom(seed);
      const n = 5 + Math.floor(rnd() * 60);
      // Rounded values: many equal slopes, the case where a selection's pivot handling matters.
      const pts = series(Array.from({ length: n }, (_, i) => Math.round(i * 3 + rnd() * 20)), 1000 + Math.round(rnd() * 3) * 500);
      const slopes: number[] = [];
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) slopes.push((pts[j]!.v - pts[i]!.v) / ((pts[j]!.t - pts[i]!.t) / 1000));
      const ts = theilSen(pts);
      expect(ts.slope).toBe(sortedMedian(slopes));
      const tEnd = pts[n - 1]!.t;
      expect(ts.level).toBe(sortedMedian(pts.map((p) => p.v - (ts.slope * (p.t - tEnd)) / 1000)));
    }
  });

  it('with strata: the median of the slopes within each stratum, the level from the plain points, and the seasonal Kendall S and variance', () => {
    for (const seed of [7, 8, 9, 10, 11, 12]) {
      const rnd = seededRandom(seed);
      const n = 6 + Math.floor(rnd() * 55);
      // Strata 0 and 1, some points without one (compared with each other only), ties in values.
      const pts: Point[] = series(Array.from({ length: n }, (_, i) => Math.round(i * 2 + rnd() * 15))).map((p) => {
        const r = rnd();
        return r < 0.6 ? { ...p, g: 0 } : r < 0.85 ? { ...p, g: 1 } : p;
      });
      const slopes: number[] = [];
      let s = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          if (pts[i]!.g !== pts[j]!.g) continue;
          slopes.push((pts[j]!.v - pts[i]!.v) / ((pts[j]!.t - pts[i]!.t) / 1000));
          s += Math.sign(pts[j]!.v - pts[i]!.v);
        }
      }
      const ts = theilSen(pts);
      expect(ts.slope).toBe(sortedMedian(slopes));
      const tEnd = pts[n - 1]!.t;
      const intercept = (p: Point) => p.v - (ts.slope * (p.t - tEnd)) / 1000;
      const plain = pts.filter((p) => (p.g ?? 0) === 0);
      expect(ts.level).toBe(sortedMedian((plain.length > 0 ? plain : pts).map(intercept)));
      expect(ts.noise).toBe(sortedMedian(pts.map((p) => Math.abs(intercept(p) - ts.level))));
      let variance = 0;
      for (const g of [0, 1, undefined]) {
        const vs = pts.filter((p) => p.g === g).map((p) => p.v);
        const ties = new Map<number, number>();
        for (const v of vs) ties.set(v, (ties.get(v) ?? 0) + 1);
        let tieTerm = 0;
        for (const t of ties.values()) tieTerm += t * (t - 1) * (2 * t + 5);
        variance += (vs.length * (vs.length - 1) * (2 * vs.length + 5) - tieTerm) / 18;
      }
      const mk = mannKendall(pts);
      expect(mk.s).toBe(s);
      const z = s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
      expect(mk.pRising).toBeCloseTo(1 - normalCdf(z), 12);
    }
  });

  it('finds the slope of a line through an outlier that would drag a least-squares fit', () => {
    const pts = series([5, 8, 11, 14, 500, 20, 23], 2000); // y = 1.5/s·t + 5, one wild point
    const ts = theilSen(pts);
    expect(ts.slope).toBeCloseTo(1.5, 9);
    expect(ts.level).toBeCloseTo(23, 9);
    expect(ts.noise).toBe(0);
    expect(ts.spread).toBeCloseTo(500 - 17, 9);
  });

  it('is zero for a flat series, with the median as the level', () => {
    const ts = theilSen(series([4, 6, 4, 6, 4, 6, 4]));
    expect(ts.slope).toBe(0);
    expect(ts.level).toBe(4);
  });
});

describe('reduce and lastWindow', () => {
  it('reduces a long series to bucket medians, keeping order and range', () => {
    const long = series(Array.from({ length: 1000 }, (_, i) => i));
    const r = reduce(long, 100);
    expect(r).toHaveLength(100);
    expect(r.every((p, i) => i === 0 || p.v > r[i - 1]!.v)).toBe(true);
    expect(r[0]!.v).toBe(4.5);
    expect(r[99]!.v).toBe(994.5);
    expect(reduce(series([1, 2, 3]), 100)).toHaveLength(3);
  });

  it('takes the last stretch of time, but at least the given number of points', () => {
    const pts = series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10_000);
    expect(lastWindow(pts, 25_000, 2).map((p) => p.v)).toEqual([8, 9, 10]);
    expect(lastWindow(pts, 5_000, 4).map((p) => p.v)).toEqual([7, 8, 9, 10]);
  });
});
