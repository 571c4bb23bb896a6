// The help overlay, generated from the keymap: only the keys active where the user is. Two
// columns when one does not fit the height.

import { fitRight } from '../../analysis/names.js';
import { activeBindings, keyLabel, type Binding } from '../../state/keymap.js';
import type { UiState } from '../../state/ui-state.js';
import { PANE_TITLES } from '../../state/ui-state.js';
import type { Line } from '../lines.js';
import { fitLine, seg } from '../lines.js';
import type { Theme } from '../theme.js';

function blocks(bindings: Binding[], colWidth: number, theme: Theme): Line[][] {
  const keyWidth = Math.min(12, Math.max(8, Math.floor(colWidth / 4)));
  return [...new Set(bindings.map((b) => b.group))].map((g) => [
    [seg(g, { bold: true })],
    ...bindings
      .filter((b) => b.group === g)
      .map((b): Line => {
        const keys = fitRight(b.keys.map(keyLabel).join(' '), keyWidth - 1);
        return [seg(`  ${keys.padEnd(keyWidth)}`, { color: theme.accent }), seg(b.description)];
      }),
  ]);
}

export function helpLines(ui: UiState, width: number, height: number, theme: Theme): Line[] {
  const drilling = (ui.pane === 'top' || ui.pane === 'diff') && ui[ui.pane].drill.length > 0;
  const bindings = activeBindings({ ...ui, overlay: { kind: 'none' } });
  return helpLinesFor(`Keys in ${PANE_TITLES[ui.pane]}${drilling ? ' (drill-down)' : ''}`, bindings, width, height, theme);
}

/** The help for these bindings (the active ones where the user is), titled; two columns when one does not fit. */
export function helpLinesFor(titleText: string, bindings: Binding[], width: number, height: number, theme: Theme): Line[] {
  const title: Line = [seg(titleText, { bold: true, color: theme.accent }), seg('   Esc or ? closes', { color: theme.dim })];
  const one = blocks(bindings, width, theme).flat();
  if (one.length + 1 <= height || width < 70) return [title, ...one];
  const colWidth = Math.floor((width - 2) / 2);
  const bs = blocks(bindings, colWidth, theme);
  const total = bs.reduce((n, b) => n + b.length, 0);
  const left: Line[] = [];
  const right: Line[] = [];
  // Fill the left column with whole groups up to half the lines, the rest goes right.
  for (const b of bs) {
    const goesLeft = right.length === 0 && (left.length === 0 || left.length + b.length <= Math.ceil(total / 2));
    (goesLeft ? left : right).push(...b);
  }
  const rows = Math.max(left.length, right.length);
  const out: Line[] = [title];
  for (let i = 0; i < rows; i++) out.push([...fitLine(left[i] ?? [], colWidth), seg('  '), ...(right[i] ?? [])]);
  return out;
}
