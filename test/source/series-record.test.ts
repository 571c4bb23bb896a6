// The fleet's direct series → record mapping (series-record.ts) against the one mapping every
// other path uses (recordFromMetrics: goProcessMetrics, fillMemStats, fillGcFigures): equal
// records for every name alone, in random company, with NaN, ±Inf, zeros and "no GOMEMLIMIT".

import { describe, expect, it } from 'vitest';
import { RECORD_METRIC_NAMES, recordFromMetrics } from '../../src/source/prometheus-records.js';
import { recordsFromColumns, SERIES_RECORD_NAMES } from '../../src/source/series-record.js';
import { seededRandom } from '../helpers/random.js';

const NO_LIMIT = 2 ** 63 - 1024;

/** Both mappings over the same columns, record by record. */
function expectSame(columns: Map<string, Float64Array>, times: number[]): void {
  const direct = recordsFromColumns((name) => columns.get(name) ?? null, times);
  const generic = times.map((t, k) =>
    recordFromMetrics((name) => {
      const v = columns.get(name)?.[k];
      return v !== undefined && Number.isFinite(v) ? v : null;
    }, k + 1, t),
  );
  expect(direct).toEqual(generic);
  // Same keys in the same order too (JSON of a record is what recordings and --json print).
  expect(direct.map((r) => JSON.stringify(r))).toEqual(generic.map((r) => JSON.stringify(r)));
}

describe('series → record, directly', () => {
  it('reads exactly the names a fleet asks for', () => {
    expect(new Set(Object.values(SERIES_RECORD_NAMES))).toEqual(new Set(RECORD_METRIC_NAMES));
  });

  it('maps every name alone as the generic mapping does', () => {
    const times = [1000, 2000, 3000, 4000, 5000, 6000];
    for (const name of RECORD_METRIC_NAMES) {
      // Typical, zero, negative, fractional, not finite, and the runtime's "no limit".
      expectSame(new Map([[name, Float64Array.from([1.5e9, 0, -1, 0.25, NaN, Infinity])]]), times);
      expectSame(new Map([[name, Float64Array.from([NO_LIMIT, 2 ** 63, 1.767e9, -Infinity, 3, 1e-9])]]), times);
    }
  });

  it('maps random company of names (fallbacks, estimates) as the generic mapping does', () => {
    const rnd = seededRandom(7);
    const pick = () => {
      const x = rnd();
      return x < 0.1 ? NaN : x < 0.15 ? 0 : x < 0.2 ? NO_LIMIT : Math.round(rnd() * 4e9) / (x < 0.6 ? 1 : 7);
    };
    for (let round = 0; round < 300; round++) {
      const columns = new Map<string, Float64Array>();
      for (const name of RECORD_METRIC_NAMES) if (rnd() < 0.5) columns.set(name, Float64Array.from({ length: 5 }, pick));
      expectSame(columns, [0, 15_000, 30_000, 45_000, 60_000]);
    }
  });
});
