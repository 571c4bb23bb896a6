import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFixed, formatG, isKnownUnit, percentage, scale, scaledLabel } from '../../src/analysis/units.js';
import { REPO_ROOT } from '../helpers/paths.js';

// Oracle: Go's own fmt output for tricky values (fixtures/golden/gofmt/main.go).
const goFmt = JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures/golden/gofmt/go-fmt.json'), 'utf8')) as Array<{
  v: number;
  f2: string;
  g2: string;
}>;

describe('Go-compatible float formatting', () => {
  it('has the oracle table', () => expect(goFmt.length).toBeGreaterThan(40));
  for (const row of goFmt) {
    it(`%.2f and %.2g of ${row.v}`, () => {
      expect(formatFixed(row.v, 2)).toBe(row.f2);
      expect(formatG(row.v, 2)).toBe(row.g2);
    });
  }
});

describe('pprof unit scaling', () => {
  it('scales bytes with 1024 steps and picks the largest unit ≥ 1', () => {
    expect(scale(8421418, 'bytes', 'minimum')).toEqual([8421418 / 1024 / 1024, 'MB']);
    expect(scaledLabel(8738040, 'bytes', 'kB')).toBe('8533.24kB');
    expect(scaledLabel(0, 'bytes', 'MB')).toBe('0');
  });
  it('scales nanoseconds to s / ms and leaves counts bare', () => {
    expect(scaledLabel(980_000_000, 'nanoseconds', 'ms')).toBe('980ms');
    expect(scaledLabel(6_113_679_649, 'nanoseconds', 's')).toBe('6.11s');
    expect(scaledLabel(63, 'count', 'minimum')).toBe('63');
    expect(scaledLabel(-1, 'count', 'count')).toBe('-1');
  });
  it('units sniffed by byte length as Go does: "us" is microseconds, "μs" (3 bytes) is not recognised', () => {
    expect(scaledLabel(1_500_000, 'us', 'minimum')).toBe('1.50s');
    expect(isKnownUnit('us')).toBe(true);
    expect(isKnownUnit('μs')).toBe(false); // so top prints 1500000μs, as pprof does
  });
  it('prints percentages like pprof: two decimals, two significant digits under 1%, 100% around 100', () => {
    expect(percentage(1, 3)).toBe('33.33%');
    expect(percentage(17, 100000)).toBe('0.017%');
    expect(percentage(0, 10)).toBe('    0%');
    expect(percentage(99_951, 100_000)).toBe('  100%');
    expect(percentage(5, 0)).toBe('    0%');
  });
});
