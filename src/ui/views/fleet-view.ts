// The fleet table: one row per instance, only the visible rows drawn. At 80 columns it keeps
// instance, RSS, live heap, heap growth per hour and the verdict; wider terminals add columns in
// order of use (RSS growth, heap goal, goroutines, runway, kept, working set/limit, sparklines,
// Go version). Below the table, the selected row's verdict and what it does not export.

import { FLEET_SORT_WORDS, type FleetRow, type FleetSortKey } from '../../analysis/fleet.js';
import { formatBytes, formatClock, formatCount, formatDuration, plural } from '../../analysis/format.js';
import { cell, fitLeft } from '../../analysis/names.js';
import { LIVE_HEAP_SOURCE_WORDS } from '../../analysis/gc-model.js';
import { sparkline } from '../../analysis/sparkline.js';
import { VERDICT_WORDS } from '../../analysis/verdict.js';
import { fleetFilter, fleetRowKey } from '../../state/fleet-state.js';
import type { FleetStoreSnapshot } from '../../state/fleet-store.js';
import { resolveCursor } from '../../state/reducer.js';
import type { Line } from '../lines.js';
import { verdictColor } from './verdict-view.js';
import { seg, wrapText } from '../lines.js';
import type { Theme } from '../theme.js';

interface Column {
  id: string;
  title: string;
  width: number;
  align: 'left' | 'right';
  /** Lower comes first when the width runs out. */
  priority: number;
  /** The sort key this column shows, for the ▼ in its title. */
  sort?: FleetSortKey;
  text(r: FleetRow): string;
}

/** The whole window in `width` values (the last of each stretch), not its last `width` values. */
function spread(values: ReadonlyArray<number | null>, width: number): Array<number | null> {
  if (values.length <= width) return [...values];
  return Array.from({ length: width }, (_, i) => {
    let v: number | null = null;
    for (let j = Math.floor((i * values.length) / width); j < Math.floor(((i + 1) * values.length) / width); j++) v = values[j] ?? v;
    return v;
  });
}

const signed = (n: number | null) => (n === null ? '-' : `${n > 0 ? '+' : ''}${formatBytes(n)}`);

function verdictCell(r: FleetRow): string {
  if (r.goneForMs !== null) return `gone ${formatDuration(r.goneForMs)}`;
  const v = r.verdict;
  const word = VERDICT_WORDS[v.kind];
  return v.kind === 'insufficient-data' ? word : `${word}${v.pending ? '?' : ''} ${Math.round(v.confidence * 100)}%`;
}

/** In screen order; `priority` decides which fit. */
const COLUMNS: Column[] = [
  { id: 'go', title: 'Go', width: 9, align: 'left', priority: 13, text: (r) => r.goVersion ?? '-' },
  { id: 'rss', title: 'RSS', width: 7, align: 'right', priority: 1, sort: 'rss', text: (r) => formatBytes(r.rss) },
  {
    id: 'ws',
    title: 'WS/limit',
    width: 15,
    align: 'right',
    priority: 12,
    text: (r) => (r.workingSet === null && r.memoryLimit === null ? '-' : `${formatBytes(r.workingSet)}/${formatBytes(r.memoryLimit)}`),
  },
  { id: 'heap', title: 'heap', width: 7, align: 'right', priority: 2, sort: 'heap', text: (r) => formatBytes(r.liveHeap) },
  { id: 'goal', title: 'goal', width: 7, align: 'right', priority: 8, text: (r) => formatBytes(r.heapGoal) },
  { id: 'kept', title: 'kept', width: 7, align: 'right', priority: 11, text: (r) => formatBytes(r.retained) },
  { id: 'goroutines', title: 'gorout', width: 6, align: 'right', priority: 9, text: (r) => formatCount(r.goroutines) },
  { id: 'growth', title: 'heap/h', width: 8, align: 'right', priority: 3, sort: 'growth', text: (r) => signed(r.heapGrowthPerHour) },
  { id: 'rss-growth', title: 'RSS/h', width: 8, align: 'right', priority: 7, sort: 'rss-growth', text: (r) => signed(r.rssGrowthPerHour) },
  { id: 'runway', title: 'runway', width: 7, align: 'right', priority: 10, text: (r) => (r.runway ? formatDuration(r.runway.seconds * 1000) : '-') },
  { id: 'rss-spark', title: 'RSS trend', width: 10, align: 'left', priority: 5, text: (r) => sparkline(spread(r.rssSpark, 10)) },
  { id: 'heap-spark', title: 'heap trend', width: 10, align: 'left', priority: 6, text: (r) => sparkline(spread(r.heapSpark, 10)) },
  { id: 'verdict', title: 'verdict', width: 22, align: 'left', priority: 4, sort: 'verdict', text: verdictCell },
];

const INSTANCE_MIN = 16;
const GAP = 1;

/** Columns that only some fleets have: shown when at least one row has a value. */
const OPTIONAL: Record<string, (r: FleetRow) => boolean> = {
  ws: (r) => r.workingSet !== null || r.memoryLimit !== null,
  go: (r) => r.goVersion !== null,
};

/** The columns that fit beside an instance column of at least INSTANCE_MIN, and the instance's width. */
export function fleetColumns(width: number, rows: readonly FleetRow[]): { columns: Column[]; instanceWidth: number } {
  const room = width - 2 - INSTANCE_MIN;
  const chosen = new Set<Column>();
  let used = 0;
  const present = COLUMNS.filter((c) => !OPTIONAL[c.id] || rows.some(OPTIONAL[c.id]!));
  for (const c of [...present].sort((a, b) => a.priority - b.priority)) {
    if (used + c.width + GAP > room) continue;
    chosen.add(c);
    used += c.width + GAP;
  }
  // At 80 columns the verdict takes what is left over, so "HEAP LEAK 99%" is never cut.
  return { columns: COLUMNS.filter((c) => chosen.has(c)), instanceWidth: Math.min(40, width - 2 - used) };
}

const colorOf = (r: FleetRow, theme: Theme) => (r.goneForMs !== null ? theme.dim : verdictColor(r.verdict.kind, theme));

export function fleetHeaderLine(snap: FleetStoreSnapshot, theme: Theme, now: number): Line {
  const d = snap.data;
  const line: Line = [seg('livepprof fleet ', { bold: true, color: theme.accent }), seg(`${d.match ? `{${d.match}}` : 'all instances'}`, { bold: true })];
  const gone = d.rows.filter((r) => r.goneForMs !== null).length;
  line.push(seg(`  ${plural(d.rows.length, 'instance')}${gone ? ` (${gone} gone)` : ''}`));
  if (d.status === 'failing') {
    const retry = d.nextRefreshAt !== null ? `, retrying in ${formatDuration(Math.max(0, d.nextRefreshAt - now))}` : '';
    line.push(seg(`  ✗ Prometheus failing (${d.lastError?.kind ?? 'error'}${retry})`, { color: theme.bad, bold: true }));
  } else if (d.status === 'loading') line.push(seg('  querying Prometheus…', { color: theme.dim }));
  if (d.at !== null) line.push(seg(`  ${d.stale ? 'STALE: ' : ''}${formatDuration(d.windowMs)} to ${formatClock(d.at)}`, { color: d.stale ? theme.warn : theme.dim, bold: d.stale }));
  line.push(seg(`  ${d.server}`, { color: theme.dim }));
  return line;
}

/** Adjacent cells of one style as one segment: a 35-row table is then ~150 Ink nodes, not ~500 (key → frame). */
function merged(line: Line): Line {
  const out: Line = [];
  for (const s of line) {
    const last = out[out.length - 1];
    if (last && last.color === s.color && last.bold === s.bold && last.inverse === s.inverse && last.dim === s.dim) out[out.length - 1] = { ...last, text: last.text + s.text };
    else out.push(s);
  }
  return out;
}

/** The table and the selected row's details: `height` lines at most; pageSize for paging. */
export function fleetBodyLines(snap: FleetStoreSnapshot, width: number, height: number, theme: Theme): { lines: Line[]; pageSize: number } {
  const { rows, ui, data } = snap;
  if (data.rows.length === 0) {
    const text = data.lastError ? `no data from Prometheus yet: ${data.lastError.message}` : 'querying Prometheus…';
    return { lines: [[], ...wrapText(`  ${text}`, width).map((t) => [seg(t, { color: data.lastError ? theme.bad : theme.dim })])], pageSize: 1 };
  }
  const { columns, instanceWidth } = fleetColumns(width, data.rows);
  const filter = fleetFilter(ui);
  const title: Line = [
    seg(`sorted by ${FLEET_SORT_WORDS[ui.sort]}`, { color: theme.dim }),
    filter ? seg(` · /${filter}: ${rows.length} of ${data.rows.length}`, { color: theme.warn, bold: true }) : seg(''),
    ui.marked ? seg(` · marked ${ui.marked}: m on another row compares`, { color: theme.accent }) : seg(''),
  ];
  const heading = `  ${cell('instance', instanceWidth)}${columns.map((c) => ' '.repeat(GAP) + cell(c.title + (c.sort === ui.sort ? '▼' : ''), c.width, c.align)).join('')}`;
  const detailHeight = 2;
  const pageSize = Math.max(1, height - 2 - detailHeight);
  const { selected, offset } = resolveCursor(ui.cursor, rows.length, fleetRowKey(rows), pageSize);
  const lines: Line[] = [title, [seg(heading, { bold: true, color: theme.dim })]];
  // Only the rows on screen are formatted: 1,000 instances cost what 20 do.
  rows.slice(offset, offset + pageSize).forEach((r, j) => {
    const isSel = offset + j === selected;
    const mark = ui.marked === r.key ? '*' : ' ';
    // A stale table (Prometheus failing) and an instance gone before the window's end are dim.
    const dim = data.stale || r.goneForMs !== null ? theme.dim : undefined;
    const line: Line = [seg(`${isSel ? '›' : ' '}${mark}${cell(fitLeft(r.key, instanceWidth), instanceWidth)}`, { inverse: isSel, color: dim })];
    for (const c of columns) {
      const color = c.id === 'verdict' ? colorOf(r, theme) : c.id.endsWith('spark') ? (dim ?? theme.accent) : dim;
      line.push(seg(' '.repeat(GAP) + cell(c.text(r), c.width, c.align), { inverse: isSel, color, bold: c.id === 'verdict' && r.verdict.kind !== 'healthy' && r.goneForMs === null }));
    }
    lines.push(merged(line));
  });
  if (rows.length === 0 && filter) lines.push([seg(`  no instance matches /${filter} (Esc clears it)`, { color: theme.dim })]);
  while (lines.length < height - detailHeight) lines.push([]);
  const sel = rows[selected];
  if (sel) {
    const gone = sel.goneForMs !== null && sel.time !== null ? `gone: its series end ${formatDuration(sel.goneForMs)} before the window, at ${formatClock(sel.time)}; until then: ` : '';
    const summary = `${sel.key}: ${gone}${sel.verdict.summary}${sel.verdict.kind === 'insufficient-data' ? '' : ` (${Math.round(sel.verdict.confidence * 100)}% sure, ${plural(sel.points, 'point')})`}`;
    const missing = sel.missing.length ? `not exported: ${sel.missing.map((m) => m.split(' (')[0]).join(', ')}` : `${sel.liveSource ? `live heap from ${LIVE_HEAP_SOURCE_WORDS[sel.liveSource]}` : ''}`;
    lines.push([seg(wrapText(summary, width)[0] ?? '', { color: colorOf(sel, theme) })], [seg(missing, { color: theme.dim })]);
  }
  return { lines, pageSize };
}

/** The status line: the `/` prompt, a message, the last failure (the rows kept, marked stale), or a partial answer. */
export function fleetStatusLine(snap: FleetStoreSnapshot, width: number, theme: Theme): Line {
  const { ui, data } = snap;
  if (ui.overlay.kind === 'prompt') {
    const label = 'narrow to rows with (words): /';
    return [seg(label, { bold: true }), seg(fitLeft(ui.overlay.text, Math.max(4, width - label.length - 1))), seg('█', { color: theme.accent })];
  }
  if (ui.message) return [seg(ui.message, { color: theme.accent })];
  if (data.status === 'failing' && data.lastError) {
    return [seg(`${data.stale ? 'showing the last good data; ' : ''}Prometheus: ${data.lastError.message}`, { color: theme.bad })];
  }
  if (data.warnings.length > 0) return [seg(`partial answer from Prometheus: ${data.warnings[0]}`, { color: theme.warn })];
  return [];
}
