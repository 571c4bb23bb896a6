// Sparklines as a pure function of the values and the scale (k9s's tchart idea): eight block
// heights, one character per value.

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One block per value (the last `width` values); null values print as a space. */
export function sparkline(values: Array<number | null>, width = values.length): string {
  const vs = values.slice(-width);
  const known = vs.filter((v): v is number => v !== null && Number.isFinite(v));
  if (known.length === 0) return ' '.repeat(vs.length);
  const min = Math.min(...known);
  const max = Math.max(...known);
  const span = max - min;
  return vs
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return ' ';
      if (span === 0) return BLOCKS[3];
      return BLOCKS[Math.min(BLOCKS.length - 1, Math.floor(((v - min) / span) * BLOCKS.length))];
    })
    .join('');
}
