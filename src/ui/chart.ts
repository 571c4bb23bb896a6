// Several series on one asciichart plot, as styled lines. asciichart colours with ANSI codes
// inside its strings, which would break width arithmetic; instead each series is plotted alone
// on the same scale and the plots are merged cell by cell, so every cell knows its series
// (colour when allowed) and each line ends in its series' letter (meaning without colour).

import asciichart from 'asciichart';
import type { Line, Segment } from './lines.js';

export interface Series {
  letter: string;
  values: number[];
  color?: string | undefined;
}

/**
 * A series with gaps (polls where a figure was unknown) as one value per poll, so that series
 * stay aligned in time: a gap holds the value before it (the first known one at the start).
 * asciichart draws no gaps. Empty when nothing is known.
 */
export function fillGaps(values: ReadonlyArray<number | null>): number[] {
  const first = values.find((v) => v !== null);
  if (first === undefined || first === null) return [];
  let last = first;
  return values.map((v) => (v === null ? last : (last = v)));
}

export function plotLines(series: Series[], height: number, format: (v: number) => string, labelWidth: number): Line[] {
  const drawn = series.filter((s) => s.values.length > 0);
  if (drawn.length === 0 || height < 1) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const s of drawn) for (const v of s.values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (min === max) max = min + 1; // a flat line still gets an axis
  const cfg = {
    min,
    max,
    height: Math.max(1, height - 1),
    offset: 2, // the label is one cell, then the axis: each row is label + axis + data
    format: (v: number) => format(v).padStart(labelWidth).slice(-labelWidth),
  };
  const plots = drawn.map((s) => asciichart.plot(s.values, cfg).split('\n').map((row) => Array.from(row)));
  const rows = plots[0]!.length;
  const dataStart = labelWidth + 1;
  // Where each series ends, for its letter.
  const ratio = cfg.height / (max - min);
  const min2 = Math.round(min * ratio);
  const rowsMinus1 = Math.abs(Math.round(max * ratio) - min2);
  const endRow = drawn.map((s) => rowsMinus1 - (Math.round(s.values[s.values.length - 1]! * ratio) - min2));

  const out: Line[] = [];
  for (let r = 0; r < rows; r++) {
    const width = Math.max(...plots.map((p) => p[r]!.length));
    const cells: Array<{ ch: string; owner: number }> = [];
    for (let c = 0; c < width; c++) {
      if (c < dataStart) {
        cells.push({ ch: plots[0]![r]![c] ?? ' ', owner: -1 });
        continue;
      }
      let cellOut = { ch: ' ', owner: -1 };
      for (let j = 0; j < plots.length; j++) {
        const ch = plots[j]![r]![c];
        if (ch && ch !== ' ') {
          cellOut = { ch, owner: j };
          break;
        }
      }
      cells.push(cellOut);
    }
    const letters = drawn.map((s, j) => (endRow[j] === r ? s.letter : '')).join('');
    const line: Line = [];
    for (const cellOut of cells) {
      const last = line[line.length - 1] as (Segment & { owner?: number }) | undefined;
      if (last && last.owner === cellOut.owner) last.text += cellOut.ch;
      else line.push({ text: cellOut.ch, color: cellOut.owner >= 0 ? drawn[cellOut.owner]!.color : undefined, owner: cellOut.owner } as Segment);
    }
    if (letters) {
      for (const ch of letters) {
        const j = drawn.findIndex((s) => s.letter === ch);
        line.push({ text: ch, color: drawn[j]?.color, bold: true });
      }
    }
    out.push(line.map(({ text, color, bold }) => ({ text, ...(color ? { color } : {}), ...(bold ? { bold } : {}) })));
  }
  return out;
}
