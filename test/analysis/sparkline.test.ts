// Sparklines on a zero-based scale: a block's height is the value's share of the largest one, so
// the shape tells the truth about how much something changed.

import { describe, expect, it } from 'vitest';
import { sparkline, sparklineScale } from '../../src/analysis/sparkline.js';

const BLOCKS = '▁▂▃▄▅▆▇█';
const heights = (s: string) => [...s].map((c) => BLOCKS.indexOf(c));

describe('sparkline', () => {
  it('a linear leak draws a steady ramp, not ▁▁▁▁▁▁█', () => {
    const leak = [10, 20, 30, 40, 50, 60, 70].map((mb) => mb * 1e6);
    const s = sparkline(leak);
    expect(s).toBe('▂▃▄▅▆▇█');
    expect(s).not.toBe('▁▁▁▁▁▁█');
    // Every step up is drawn as a step up (never flat, never a jump of more than two blocks).
    const h = heights(s);
    for (let i = 1; i < h.length; i++) expect(h[i]! - h[i - 1]!).toBeGreaterThanOrEqual(1);
  });

  it('a leak on a large base is a gentle slope: 6% growth is not drawn as 0 → 100%', () => {
    const s = sparkline([100, 101, 102, 103, 104, 105, 106]);
    expect(heights(s).every((x) => x >= 6)).toBe(true);
  });

  it('goroutines going from 5 to 4 are not a cliff', () => {
    const s = sparkline([5, 5, 5, 5, 4, 4, 4]);
    expect(s).toBe('████▇▇▇');
    const h = heights(s);
    expect(Math.max(...h) - Math.min(...h)).toBeLessThanOrEqual(1);
  });

  it('a constant series is drawn at full height, whatever its value', () => {
    expect(sparkline([512, 512, 512])).toBe('███');
    expect(sparkline([7, 7])).toBe(sparkline([7e9, 7e9]));
  });

  it('zero is the lowest block; anything above zero shows at least ▁ and grows in proportion', () => {
    expect(sparkline([0, 0, 0])).toBe('▁▁▁');
    expect(sparkline([0, 1, 8])).toBe('▁▁█');
    expect(sparkline([0, 4, 8])).toBe('▁▄█');
  });

  it('the same values draw the same blocks wherever they are shown (Top, Diff)', () => {
    const hist = [3e6, 6e6, 9e6, 12e6, 15e6, 18e6, 21e6, 24e6];
    expect(sparkline(hist, 7)).toBe(sparkline(hist.slice(-7)));
  });

  it('missing values are spaces; only the last `width` values are drawn', () => {
    expect(sparkline([null, 4, null, 8])).toBe(' ▄ █');
    expect(sparkline([100, 1, 2], 2)).toBe('▄█');
    expect(sparkline([null, null])).toBe('  ');
  });

  it('the scale always includes zero', () => {
    expect(sparklineScale([5, 4, null])).toEqual({ lo: 0, hi: 5 });
    expect(sparklineScale([-3, 2])).toEqual({ lo: -3, hi: 2 });
    expect(sparklineScale([])).toEqual({ lo: 0, hi: 0 });
  });
});
