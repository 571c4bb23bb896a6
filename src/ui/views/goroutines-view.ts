// The Goroutines pane: groups by identical stack, largest first, with the change since the
// first poll (the goroutine-leak signal); Enter shows one group's stack and, from
// goroutine?debug=2 fetched on demand, its goroutines' states and wait times.

import { formatClock } from '../../analysis/format.js';
import { goroutinesOfGroup, type GoroutineGroupRow } from '../../analysis/goroutines.js';
import { cell, fitLeft } from '../../analysis/names.js';
import { selectGoroutineRows } from '../../state/selectors.js';
import type { StoreSnapshot } from '../../state/store.js';
import type { Line } from '../lines.js';
import { plain, seg } from '../lines.js';
import type { Theme } from '../theme.js';

const MARK = '›';

export function goroutinesLines(snap: StoreSnapshot, width: number, height: number, theme: Theme): { lines: Line[]; pageSize: number } {
  const data = snap.data;
  const rows = selectGoroutineRows(data);
  if (!data.latestGoroutines) {
    return { lines: [plain(''), [seg('  waiting for the goroutine profile…', { color: theme.dim })]], pageSize: 1 };
  }
  const view = snap.ui.goroutines;
  if (view.detail !== null) {
    const row = rows.find((r) => r.key === view.detail);
    return { lines: detailLines(snap, row ?? null, height, theme), pageSize: Math.max(1, height - 2) };
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
  const { selected, offset } = view.cursor;
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

function detailLines(snap: StoreSnapshot, row: GoroutineGroupRow | null, height: number, theme: Theme): Line[] {
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
      const members = goroutinesOfGroup(row.group, dump.value.goroutines);
      const states = new Map<string, { n: number; maxWait: number | null }>();
      for (const g of members) {
        const s = states.get(g.state) ?? { n: 0, maxWait: null };
        s.n++;
        if (g.waitMinutes !== null) s.maxWait = Math.max(s.maxWait ?? 0, g.waitMinutes);
        states.set(g.state, s);
      }
      out.push([seg(`from goroutine?debug=2 at ${formatClock(dump.at)}: ${members.length} goroutines`, { color: theme.dim })]);
      for (const [state, s] of [...states.entries()].sort((a, b) => b[1].n - a[1].n)) {
        out.push([seg(`  ${s.n} × ${state}`), seg(s.maxWait !== null ? `, waiting up to ${s.maxWait} min` : '', { color: s.maxWait && s.maxWait >= 1 ? theme.warn : theme.dim })]);
      }
      const creator = members.find((g) => g.createdBy)?.createdBy;
      if (creator) out.push([seg('  created by '), seg(creator.func, { bold: true }), seg(` at ${creator.file}:${creator.line}`, { color: theme.dim })]);
      const ids = members.slice(0, 20).map((g) => g.id);
      if (ids.length) out.push([seg(`  ids: ${ids.join(' ')}${members.length > ids.length ? ' …' : ''}`, { color: theme.dim })]);
      if (dump.value.truncated) out.push([seg('  (the dump was cut off by the runtime: very many goroutines)', { color: theme.warn })]);
      break;
    }
  }
  const scroll = Math.min(snap.ui.goroutines.detailScroll, Math.max(0, out.length - height));
  return out.slice(scroll);
}
