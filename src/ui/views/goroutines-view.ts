// The Goroutines pane: groups by identical stack, largest first, with the change since the
// first poll (the goroutine-leak signal); Enter shows one group's stack and, from
// goroutine?debug=2 fetched on demand, its goroutines' states and wait times.

import { formatClock } from '../../analysis/format.js';
import type { GoroutineGroupRow } from '../../analysis/goroutines.js';
import { cell, fitLeft } from '../../analysis/names.js';
import { resolveCursor } from '../../state/reducer.js';
import { goroutineRowKey, selectGoroutineRows, selectGroupDumpSummary } from '../../state/selectors.js';
import type { StoreSnapshot } from '../../state/store.js';
import type { Line } from '../lines.js';
import { plain, seg } from '../lines.js';
import type { Theme } from '../theme.js';

const MARK = '›';

export function goroutinesLines(snap: StoreSnapshot, width: number, height: number, theme: Theme): { lines: Line[]; pageSize: number; scrollMax?: number } {
  const data = snap.data;
  const rows = selectGoroutineRows(data);
  if (!data.latestGoroutines) {
    return { lines: [plain(''), [seg('  waiting for the goroutine profile…', { color: theme.dim })]], pageSize: 1 };
  }
  const view = snap.ui.goroutines;
  if (view.detail !== null) {
    const row = rows.find((r) => r.key === view.detail);
    const all = detailLines(snap, row ?? null, theme);
    const scrollMax = Math.max(0, all.length - height);
    return { lines: all.slice(Math.min(view.detailScroll, scrollMax)), pageSize: Math.max(1, height - 2), scrollMax };
  }
  const total = data.latestGoroutines.groups.total;
  const firstTotal = data.firstGoroutines?.groups.total ?? null;
  const delta = firstTotal !== null ? total - firstTotal : null;
  const head: Line[] = [
    [
      seg(`${total} goroutines`, { bold: true }),
      seg(delta !== null ? ` (${delta >= 0 ? '+' : ''}${delta} since the first poll)` : '', { color: delta && delta > 0 ? theme.warn : theme.dim }),
      seg(` · ${rows.length} groups · as of ${formatClock(data.latestGoroutines.time)}`, { color: theme.dim }),
    ],
  ];
  const entryWidth = width >= 100 ? 30 : width >= 80 ? 24 : 0;
  const topWidth = Math.max(10, width - 2 - 7 - 7 - 2 - (entryWidth ? entryWidth + 2 : 0));
  head.push([
    seg(
      `  ${cell('count', 7, 'right')}${cell('Δ', 7, 'right')}  ${cell('waiting in', topWidth)}${entryWidth ? '  ' + cell('started in', entryWidth) : ''}`,
      { bold: true, color: theme.dim },
    ),
  ]);
  const pageSize = Math.max(1, height - head.length);
  const { selected, offset } = resolveCursor(view.cursor, rows.length, goroutineRowKey(rows), pageSize);
  const lines = [...head];
  rows.slice(offset, offset + pageSize).forEach((r, j) => {
    const isSel = offset + j === selected;
    const d = r.delta === 0 ? '0' : `${r.delta > 0 ? '+' : ''}${r.delta}`;
    const labels = r.labels ? ` {${Object.entries(r.labels).map(([k, v]) => `${k}=${v}`).join(',')}}` : '';
    lines.push([
      seg(`${isSel ? MARK : ' '} ${cell(String(r.count), 7, 'right')}`, { inverse: isSel }),
      seg(cell(d, 7, 'right'), { inverse: isSel, color: r.delta > 0 ? theme.warn : undefined }),
      // The function whole, then as much of the labels as fits.
      seg(`  ${cell(r.top.length >= topWidth ? fitLeft(r.top, topWidth) : r.top + labels, topWidth)}`, { inverse: isSel }),
      seg(entryWidth ? '  ' + cell(fitLeft(r.entry, entryWidth), entryWidth) : '', { inverse: isSel, color: theme.dim }),
    ]);
  });
  return { lines, pageSize };
}

/** Every line of one group's details; the caller shows the part scrolled to. */
function detailLines(snap: StoreSnapshot, row: GoroutineGroupRow | null, theme: Theme): Line[] {
  if (!row) return [plain(''), [seg('  this group is gone (its goroutines exited); Esc goes back', { color: theme.dim })]];
  const out: Line[] = [
    [seg(`${row.count} goroutines`, { bold: true }), seg(` waiting in ${row.top}`), seg(`  (${row.delta >= 0 ? '+' : ''}${row.delta} since the first poll)`, { color: theme.dim })],
  ];
  if (row.labels) out.push([seg(`labels: ${JSON.stringify(row.labels)}`, { color: theme.dim })]);
  out.push([seg('stack (innermost first):', { color: theme.dim })]);
  for (const f of row.group.frames) out.push([seg(`  ${f.func}  `), seg(`${f.file}:${f.line}`, { color: theme.dim })]);
  const dump = snap.goroutineDump;
  out.push(plain(''));
  switch (dump.status) {
    case 'idle':
    case 'loading':
      out.push([seg('fetching goroutine?debug=2 for states and wait times…', { color: theme.dim })]);
      break;
    case 'error':
      out.push([seg(`goroutine?debug=2 failed: ${dump.message}`, { color: theme.bad })]);
      break;
    case 'ready': {
      const sum = selectGroupDumpSummary(dump.value, row);
      out.push([seg(`from goroutine?debug=2 at ${formatClock(dump.at)}: ${sum.members} goroutines`, { color: theme.dim })]);
      for (const s of sum.states) {
        out.push([seg(`  ${s.n} × ${s.state}`), seg(s.maxWait !== null ? `, waiting up to ${s.maxWait} min` : '', { color: s.maxWait && s.maxWait >= 1 ? theme.warn : theme.dim })]);
      }
      const creator = sum.createdBy;
      if (creator) out.push([seg('  created by '), seg(creator.func, { bold: true }), seg(` at ${creator.file}:${creator.line}`, { color: theme.dim })]);
      if (sum.ids.length) out.push([seg(`  ids: ${sum.ids.join(' ')}${sum.members > sum.ids.length ? ' …' : ''}`, { color: theme.dim })]);
      if (dump.value.truncated) out.push([seg('  (the dump was cut off by the runtime: very many goroutines)', { color: theme.warn })]);
      break;
    }
  }
  return out;
}
