// The Overview's series stay aligned in time when a figure is missing for some polls.
import { describe, expect, it } from 'vitest';
import { fillGaps } from '../../src/ui/chart.js';

describe('fillGaps', () => {
  it('keeps one value per poll: a gap holds the value before it, a leading gap the first known', () => {
    expect(fillGaps([null, 5, null, null, 7, null])).toEqual([5, 5, 5, 5, 7, 7]);
    expect(fillGaps([1, 2, 3])).toEqual([1, 2, 3]);
    expect(fillGaps([0, null])).toEqual([0, 0]);
  });

  it('is empty when nothing is known (the series is not drawn)', () => {
    expect(fillGaps([null, null])).toEqual([]);
    expect(fillGaps([])).toEqual([]);
  });
});
