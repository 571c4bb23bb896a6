// The Goroutines pane: groups by identical stack, largest first, with the change since the
// first poll (the goroutine-leak signal); groups that just went stay listed a while, marked, so
// the rows do not jump; `/` narrows the list. Enter shows one group's stack and, from
// goroutine?debug=2 fetched on demand, its goroutines' states and wait times.

import { formatClock, formatDuration, plural } from '../../analysis/format.js';
import type { GoroutineGroupRow } from '../../analysis/goroutines.js';
import { cell, fitLeft } from '../../analysis/names.js';
import { listFilter } from '../../state/list-filter.js';
import { resolveCursor } from '../../state/reducer.js';
import { allGoroutineRows, goroutineRowKey } from '../../state/selectors.js';
import type { StoreSnapshot } from '../../state/store.js';
import type { Line } from '../lines.js';
import { plain, seg } from '../lines.js';
import type { Theme } from '../theme.js';
import { dumpLeakAndLabelLines, LEAKED_TAG, leakedInRow, leakHeaderSegments, leakProfileLines } from './goroutine-leak-lines.js';

const MARK = '›';

const signed = (n: number) => (n === 0 ? '0' : `${n > 0 ? '+' : ''}${n}`);

export function goroutinesLines(snap: StoreSnapshot, width: number, height: number, theme: Theme): { lines: Line[]; pageSize: number; scrollMax?: number } {
  const data = snap.data;
  if (!data.latestGoroutines) {
    return { lines: [plain(''), [seg('  waiting for the goroutine profile…', { color: theme.dim })]], pageSize: 1 };
  }
  const view = snap.ui.goroutines;
  if (view.detail !== null) {
    const row = allGoroutineRows(snap).find((r) => r.key === view.detail);
    const all = detailLines(snap, row ?? null, theme);
    const scrollMax = Math.max(0, all.length - height);
    return { lines: all.slice(Math.min(view.detailScroll, scrollMax)), pageSize: Math.max(1, height - 2), scrollMax };
  }
  const every = allGoroutineRows(snap);
  const rows = snap.selectors.goroutineRows(snap);
  const filter = listFilter(snap.ui, { kind: 'goroutines' });
  const total = data.latestGoroutines.groups.total;
  const firstTotal = data.firstGoroutines?.groups.total ?? null;
  const delta = firstTotal !== null ? total - firstTotal : null;
  const live = every.filter((r) => r.goneAt === null).length;
  const gone = every.length - live;
  const head: Line[] = [
    [
      seg(plural(total, 'goroutine'), { bold: true }),
      seg(delta !== null ? ` (${delta >= 0 ? '+' : ''}${delta} since the first poll)` : '', { color: delta && delta > 0 ? theme.warn : theme.dim }),
      // The narrowing first: at 80 columns the end of the line may be cut.
      filter
        ? seg(` · /${filter}: ${rows.length} of ${plural(every.length, 'group')}`, { color: theme.warn, bold: true })
        : seg(` · ${plural(live, 'group')}${gone ? ` (+${gone} just gone)` : ''}`, { color: theme.dim }),
      seg(` · as of ${formatClock(data.latestGoroutines.time)}`, { color: theme.dim }),
      ...leakHeaderSegments(data, theme),
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
    const labels = r.labels ? ` {${Object.entries(r.labels).map(([k, v]) => `${k}=${v}`).join(',')}}` : '';
    // A gone group keeps its place, dimmed, with "gone" where its count was.
    const dim = r.goneAt !== null ? theme.dim : undefined;
    // Groups the goroutine-leak profile names: tagged (the tag stays whole; a long function is cut after it).
    const tag = r.goneAt === null && leakedInRow(data, r.key) > 0 ? LEAKED_TAG : '';
    const fn = tag.length + r.top.length >= topWidth ? fitLeft(r.top, topWidth - tag.length) : r.top + labels;
    lines.push([
      seg(`${isSel ? MARK : ' '} ${cell(r.goneAt !== null ? 'gone' : String(r.count), 7, 'right')}`, { inverse: isSel, color: dim }),
      seg(cell(signed(r.delta), 7, 'right'), { inverse: isSel, color: dim ?? (r.delta > 0 ? theme.warn : undefined) }),
      // The function whole, then as much of the labels as fits.
      seg(`  ${cell(tag + fn, topWidth)}`, { inverse: isSel, color: dim ?? (tag ? theme.bad : undefined) }),
      seg(entryWidth ? '  ' + cell(fitLeft(r.entry, entryWidth), entryWidth) : '', { inverse: isSel, color: theme.dim }),
    ]);
  });
  if (rows.length === 0 && filter) lines.push([seg(`  no group matches /${filter} (Esc clears it)`, { color: theme.dim })]);
  return { lines, pageSize };
}

/** The first lines of the details: how many, where, as of when. */
function detailTitle(row: GoroutineGroupRow, theme: Theme): Line[] {
  const since = seg(`  (${signed(row.delta)} since the first poll)`, { color: theme.dim });
  if (row.goneAt !== null) {
    const what =
      row.group.frames.length === 0
        ? `${plural(row.lastCount, 'goroutine')} not started yet at the poll before: since started (now in the group of where it waits) or exited`
        : `${plural(row.lastCount, 'goroutine')} waiting in ${row.top} at the poll before: exited since`;
    return [[seg(`gone by ${formatClock(row.goneAt)}`, { bold: true }), since], [seg(what)]];
  }
  if (row.group.frames.length === 0) return [[seg(plural(row.count, 'goroutine'), { bold: true }), seg(' created but not started yet: no stack to show'), since]];
  return [[seg(plural(row.count, 'goroutine'), { bold: true }), seg(` waiting in ${row.top}`), since]];
}

/** Every line of one group's details; the caller shows the part scrolled to. */
function detailLines(snap: StoreSnapshot, row: GoroutineGroupRow | null, theme: Theme): Line[] {
  if (!row) return [plain(''), [seg('  this group is gone (its goroutines exited); Esc goes back', { color: theme.dim })]];
  const out: Line[] = detailTitle(row, theme);
  if (row.labels) out.push([seg(`labels: ${JSON.stringify(row.labels)}`, { color: theme.dim })]);
  if (row.goneAt === null) out.push(...leakProfileLines(snap.data, row.key, theme));
  if (row.group.frames.length > 0) out.push([seg('stack (innermost first):', { color: theme.dim })]);
  for (const f of row.group.frames) out.push([seg(`  ${f.func}  `), seg(`${f.file}:${f.line}`, { color: theme.dim })]);
  out.push(plain(''));
  if (row.goneAt !== null) return out;
  if (row.group.frames.length === 0) {
    out.push([seg('goroutine?debug=2 cannot be matched to these: a goroutine that has not run has no stack in goroutine?debug=1', { color: theme.dim })]);
    return out;
  }
  const dump = snap.goroutineDump;
  switch (dump.status) {
    case 'idle':
    case 'loading':
      out.push([seg('fetching goroutine?debug=2 for states and wait times…', { color: theme.dim })]);
      break;
    case 'error':
      out.push([seg(`goroutine?debug=2 failed: ${dump.message}`, { color: theme.bad })]);
      break;
    case 'ready': {
      const sum = snap.selectors.groupDumpSummary(dump.value, row);
      out.push(dumpCountLine(sum.members, row, dump.at, snap.data.latestGoroutines?.time ?? null, theme));
      for (const s of sum.states) {
        out.push([seg(`  ${s.n} × ${s.state}`), seg(s.maxWait !== null ? `, waiting up to ${s.maxWait} min` : '', { color: s.maxWait && s.maxWait >= 1 ? theme.warn : theme.dim })]);
      }
      const creator = sum.createdBy;
      if (creator) out.push([seg('  created by '), seg(creator.func, { bold: true }), seg(` at ${creator.file}:${creator.line}`, { color: theme.dim })]);
      out.push(...dumpLeakAndLabelLines(sum, theme));
      if (sum.ids.length) out.push([seg(`  ids: ${sum.ids.join(' ')}${sum.members > sum.ids.length ? ' …' : ''}`, { color: theme.dim })]);
      if (dump.value.truncated) out.push([seg('  (the dump was cut off by the runtime: very many goroutines)', { color: theme.warn })]);
      break;
    }
  }
  return out;
}

/**
 * How many of the group the debug=2 dump has. The count in the title is from the poll; the dump
 * is taken later (on Enter), so when they differ, say that they are two moments, not two answers.
 */
function dumpCountLine(members: number, row: GoroutineGroupRow, dumpAt: number, polledAt: number | null, theme: Theme): Line {
  const head = `from goroutine?debug=2 at ${formatClock(dumpAt)}: ${plural(members, 'goroutine')}`;
  if (members === row.count || polledAt === null) return [seg(head, { color: theme.dim })];
  const gap = dumpAt - polledAt;
  const when = gap >= 0 ? `${formatDuration(gap)} after the poll that counted ${row.count}` : `${formatDuration(-gap)} before the poll that counted ${row.count}`;
  const what = members < row.count === gap >= 0 ? 'some exited in between' : 'more started in between';
  return [seg(head, { color: theme.dim }), seg(` (${when}: ${what})`, { color: theme.warn })];
}
