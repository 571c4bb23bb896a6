// Sparklines as a pure function of the values and the scale (k9s's tchart idea): eight block
// heights, one character per value.
//
// The scale is zero-based, everywhere: a block's height is the value's share of the largest
// value shown. A min–max scale lies: it draws a 1% wobble as a cliff (goroutines 5 → 4 as █▁),
// a steady leak on a large base as a ramp from nothing, and the same history differently
// depending on which values happen to be in the window.

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** The range a sparkline of these values is drawn over: always includes 0. */
export function sparklineScale(values: ReadonlyArray<number | null>): { lo: number; hi: number } {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return { lo, hi };
}

/**
 * One block per value (the last `width` values), on a zero-based scale: the largest value is █,
 * zero is ▁, anything above zero at least ▁ and in proportion. null values print as a space.
 */
export function sparkline(values: ReadonlyArray<number | null>, width = values.length): string {
  const vs = values.slice(-width);
  const { lo, hi } = sparklineScale(vs);
  const span = hi - lo;
  return vs
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return ' ';
      if (span === 0 || v === lo) return BLOCKS[0];
      const i = Math.ceil(((v - lo) / span) * BLOCKS.length) - 1;
      return BLOCKS[Math.max(0, Math.min(BLOCKS.length - 1, i))];
    })
    .join('');
}
