// The Top and Diff panes: pprof's top table over the latest heap profile (or latest minus the
// baseline), only the visible rows drawn, and the drill-down into one function.

import { cell, fitLeft, fitName } from '../../analysis/names.js';
import { sparkline } from '../../analysis/sparkline.js';
import type { TopReport } from '../../analysis/top.js';
import { topHeaderLines } from '../../analysis/top-text.js';
import { percentage, scaledLabel } from '../../analysis/units.js';
import type { ProfilePane } from '../../state/reducer.js';
import { isPending } from '../../state/deferred.js';
import { resolveCursor } from '../../state/reducer.js';
import {
  describeBase,
  drillRowKey,
  flatHistory,
  heapAge,
  topRowKey,
  type PaneProfile,
  type Selectors,
  type TopResult,
} from '../../state/selectors.js';
import type { StoreSnapshot } from '../../state/store.js';
import type { DrillLevel, ProfileView, UiState } from '../../state/ui-state.js';
import { listFilter } from '../../state/list-filter.js';
import type { Theme } from '../theme.js';
import type { Line } from '../lines.js';
import { plain, seg, wrapText } from '../lines.js';

interface Columns {
  flat: number;
  flatPct: number;
  sumPct: number;
  cum: number;
  cumPct: number;
  trend: number;
}

/** Each column as wide as its widest value in the whole table plus a space, so none runs into the next. */
interface Widths {
  flat: number;
  cum: number;
  pct: number;
}

const widths = new WeakMap<TopReport, Widths>();

function measure(report: TopReport): Widths {
  let w = widths.get(report);
  if (w) return w;
  // The usual widths as a floor, so the columns do not move at every poll.
  let flat = 8;
  let cum = 8;
  let pct = 6;
  let sum = 0;
  for (const r of report.rows) {
    sum += r.flat;
    flat = Math.max(flat, autoValue(report, r.flat).length);
    cum = Math.max(cum, autoValue(report, r.cum).length);
    pct = Math.max(pct, ...[r.flat, sum, r.cum].map((v) => percentage(v, report.total).trim().length));
  }
  w = { flat: flat + 1, cum: cum + 1, pct: pct + 1 };
  widths.set(report, w);
  return w;
}

/** Fewer columns as the terminal narrows; the name keeps the rest. */
function columnsFor(width: number, trend: boolean, w: Widths): Columns {
  const all: Columns = { flat: w.flat, flatPct: w.pct, sumPct: w.pct, cum: w.cum, cumPct: w.pct, trend: trend ? (width >= 100 ? 10 : 8) : 0 };
  if (width >= 80) return all;
  if (width >= 60) return { ...all, sumPct: 0, trend: 0 };
  return { ...all, flatPct: 0, sumPct: 0, cumPct: 0, trend: 0 };
}

const MARK = '›';

/** Each value in its own best unit (pprof's -unit=auto): 16.49MB rather than 16884.66kB. */
function autoValue(report: TopReport, v: number): string {
  return scaledLabel(v, report.sampleType.unit, 'auto');
}

function headerRow(c: Columns, nameWidth: number, theme: Theme): Line {
  let t = '  ';
  t += cell('flat', c.flat, 'right');
  if (c.flatPct) t += cell('flat%', c.flatPct, 'right');
  if (c.sumPct) t += cell('sum%', c.sumPct, 'right');
  t += cell('cum', c.cum, 'right');
  if (c.cumPct) t += cell('cum%', c.cumPct, 'right');
  if (c.trend) t += ' ' + cell('trend', c.trend - 1);
  t += '  ' + cell('name', nameWidth);
  return [seg(t, { bold: true, color: theme.dim })];
}

/** Lines above the table. */
function summaryLines(pp: PaneProfile, pane: ProfilePane, view: ProfileView, report: TopReport, snap: StoreSnapshot, theme: Theme): Line[] {
  const sampleType = report.sampleType.type;
  const parts = [
    seg(sampleType, { bold: true, color: theme.accent }),
    seg(` · ${view.granularity} · by ${view.cumSort ? 'cum' : 'flat'}`),
  ];
  if (view.focus) parts.push(seg(` · focus=${view.focus}`, { color: theme.warn }));
  if (view.ignore) parts.push(seg(` · ignore=${view.ignore}`, { color: theme.warn }));
  if (view.nodeCount) parts.push(seg(` · top ${view.nodeCount}`));
  const second: Line =
    pane === 'diff'
      ? [
          seg(
            pp.latest.label && pp.base?.label
              ? `${pp.latest.label} minus ${pp.base.label}: + ${pp.latest.label} holds more`
              : `now (poll ${pp.latest.seq}) minus ${describeBase(pp.base, snap.data.firstHeap)}: + grew, − shrank`,
            { color: theme.dim },
          ),
        ]
      : [seg(heapAge(snap.data), { color: theme.dim })];
  // pprof's own summary line ("Showing nodes accounting for …"), minus the profile labels.
  const showing = topHeaderLines(pp.profile, report, {}).filter((l) => l.startsWith('Showing') || l.startsWith('Dropped'));
  return [parts, second, plain(showing.join('; '))];
}

function tableRows(
  view: ProfileView,
  top: TopResult & { ok: true },
  snap: StoreSnapshot,
  width: number,
  rows: number,
  theme: Theme,
): Line[] {
  const trend = view.granularity === 'functions' && snap.data.heapSummaries.length > 1;
  const c = columnsFor(width, trend, measure(top.report));
  const fixed = 2 + c.flat + c.flatPct + c.sumPct + c.cum + c.cumPct + (c.trend ? c.trend : 0) + 2;
  const nameWidth = Math.max(8, width - fixed);
  const out: Line[] = [headerRow(c, nameWidth, theme)];
  const report = top.report;
  const { selected, offset } = resolveCursor(view.cursor, report.rows.length, topRowKey(top), rows);
  let sum = 0;
  for (let i = 0; i < offset; i++) sum += report.rows[i]!.flat;
  const sampleType = report.sampleType.type;
  for (let i = offset; i < Math.min(report.rows.length, offset + rows); i++) {
    const r = report.rows[i]!;
    sum += r.flat;
    const isSel = i === selected;
    let t = isSel ? `${MARK} ` : '  ';
    t += cell(autoValue(report, r.flat), c.flat, 'right');
    if (c.flatPct) t += cell(percentage(r.flat, report.total).trim(), c.flatPct, 'right');
    if (c.sumPct) t += cell(percentage(sum, report.total).trim(), c.sumPct, 'right');
    t += cell(autoValue(report, r.cum), c.cum, 'right');
    if (c.cumPct) t += cell(percentage(r.cum, report.total).trim(), c.cumPct, 'right');
    const line: Line = [seg(t, { inverse: isSel })];
    if (c.trend) {
      const hist = flatHistory(snap.data, r.name, sampleType);
      const known = hist.filter((v) => v !== null).length;
      line.push(seg(' ' + (known > 1 ? sparkline(hist, c.trend - 1) : '').padEnd(c.trend - 1), { color: theme.accent, inverse: isSel }));
    }
    const name = fitName(r.name + (r.inline ? ` ${r.inline}` : ''), nameWidth);
    line.push(seg('  ' + name, { inverse: isSel, color: r.flat < 0 ? theme.good : undefined }));
    out.push(line);
  }
  if (report.rows.length === 0) out.push([seg('  (no rows: nothing above the 0.5% cut-off, or the filters match nothing)', { color: theme.dim })]);
  return out;
}

export function profilePaneLines(snap: StoreSnapshot, pane: ProfilePane, width: number, height: number, theme: Theme): { lines: Line[]; pageSize: number } {
  const data = snap.data;
  const view = snap.ui[pane];
  const maybe = snap.selectors.paneProfile(data, pane);
  // A new diff on a big profile: the previous one stays up, marked, until it is computed.
  const diffPending = maybe !== null && isPending(maybe);
  const pp = maybe && isPending(maybe) ? maybe.stale : maybe;
  if (diffPending && !pp) return { lines: [plain(''), [seg('  computing the diff…', { color: theme.dim })]], pageSize: 1 };
  if (!pp) {
    const why =
      pane === 'diff' && data.latestHeap
        ? 'no baseline yet'
        : data.status === 'failing'
          ? `waiting for the target: ${data.lastError?.message ?? 'failing'}`
          : 'waiting for the first heap profile…';
    // Wrapped whole: an error cut mid-sentence hides what to do about it.
    return { lines: [plain(''), ...wrapText(why, width - 2, '  ').map((t) => [seg(`  ${t}`, { color: theme.dim })])], pageSize: 1 };
  }
  const drill = view.drill[view.drill.length - 1];
  if (drill) return drillLines(snap.selectors, pp, pane, snap.ui, drill, width, height, theme);
  const selected = snap.selectors.top(pp.profile, view, pane);
  // A big profile: the previous table stays up, marked, until the new one is computed.
  const pending = isPending(selected) || diffPending;
  const top = isPending(selected) ? selected.stale : selected;
  if (!top) return { lines: [plain(''), [seg('  computing…', { color: theme.dim })]], pageSize: 1 };
  if (!top.ok) return { lines: [plain(''), [seg(`  ${top.error}`, { color: theme.bad })]], pageSize: 1 };
  const head = summaryLines(pp, pane, view, top.report, snap, theme);
  if (pending) head[0] = [...head[0]!, seg('  computing…', { color: theme.warn, bold: true })];
  const pageSize = Math.max(1, height - head.length - 1);
  return { lines: [...head, ...tableRows(view, top, snap, width, pageSize, theme)], pageSize };
}

// ---- drill-down --------------------------------------------------------------------------------

const SECTION_TITLES = { peek: 'callers/callees', lines: 'lines', stacks: 'stacks' } as const;

function drillTitle(drill: DrillLevel, depth: number, theme: Theme): Line {
  const tabs: Line = [];
  for (const s of ['peek', 'lines', 'stacks'] as const) {
    tabs.push(seg(' '));
    tabs.push(s === drill.section ? seg(`[${SECTION_TITLES[s]}]`, { bold: true, color: theme.accent }) : seg(SECTION_TITLES[s], { color: theme.dim }));
  }
  return [seg(`${'▸'.repeat(depth)} `), seg(drill.name, { bold: true }), seg('  '), ...tabs];
}

/** "  /http: 3 of 12" after the title while `/` narrows the rows. */
function filterNote(filter: string, shown: number, all: number, theme: Theme): Line {
  return filter.trim() ? [seg(`  /${filter}: ${shown} of ${all}`, { color: theme.warn, bold: true })] : [];
}

function drillLines(
  selectors: Selectors,
  pp: PaneProfile,
  pane: ProfilePane,
  ui: UiState,
  drill: DrillLevel,
  width: number,
  height: number,
  theme: Theme,
): { lines: Line[]; pageSize: number } {
  const view = ui[pane];
  const result = selectors.drill(pp.profile, view, drill.name, drill.section);
  const title = drillTitle(drill, view.drill.length, theme);
  if (isPending(result)) return { lines: [title, plain(''), [seg('  computing…', { color: theme.dim })]], pageSize: 1 };
  if (!result.ok) return { lines: [title, plain(''), [seg(`  ${result.error}`, { color: theme.bad })]], pageSize: 1 };
  const filter = listFilter(ui, { kind: 'drill', pane });
  const r = selectors.narrowDrill(result, filter);
  const lines: Line[] = [[...title, ...filterNote(filter, r.rows.length, result.rows.length, theme)]];
  if (r.rows.length === 0 && result.rows.length > 0) {
    return { lines: [...lines, plain(''), [seg(`  no row matches /${filter} (Esc clears it)`, { color: theme.dim })]], pageSize: 1 };
  }
  const pageSizes = { peek: Math.max(1, height - 4), lines: Math.max(1, height - 3), stacks: Math.max(3, Math.floor((height - 3) / 2)) };
  const { selected, offset } = resolveCursor(drill.cursor, r.rows.length, drillRowKey(r), pageSizes[r.kind]);
  const valueWidth = 10;
  if (r.kind === 'peek') {
    const p = r.peek;
    const fmt = (v: number) => scaledLabel(v, p.sampleType.unit, 'auto');
    lines.push([
      seg(`  flat ${fmt(p.node.flat)} (${percentage(p.node.flat, p.total).trim()})   cum ${fmt(p.node.cum)} (${percentage(p.node.cum, p.total).trim()})   of ${fmt(p.total)} ${p.sampleType.type}`, { color: theme.dim }),
    ]);
    const pageSize = pageSizes.peek;
    lines.push([seg(`  ${'share'.padStart(7)} ${'value'.padStart(valueWidth)}   caller ↑ / callee ↓  (Enter follows)`, { bold: true, color: theme.dim })]);
    const shown = r.rows.slice(offset, offset + pageSize);
    shown.forEach((row, j) => {
      const i = offset + j;
      const isSel = i === selected;
      const arrow = row.role === 'caller' ? '↑' : '↓';
      const text = `${isSel ? MARK : ' '} ${(row.share.toFixed(1) + '%').padStart(7)} ${fmt(row.weight).padStart(valueWidth)}   ${arrow} `;
      lines.push([seg(text, { inverse: isSel }), seg(fitName(row.name + (row.inline ? ' (inline)' : ''), Math.max(8, width - text.length)), { inverse: isSel })]);
    });
    if (r.rows.length === 0) lines.push([seg('  no callers or callees: all of it is in the function itself', { color: theme.dim })]);
    return { lines, pageSize };
  }
  const top = selectors.settledTop(pp.profile, view, pane);
  const unitOf = (v: number) => (top?.ok ? autoValue(top.report, v) : String(v));
  if (r.kind === 'lines') {
    lines.push([seg(`  ${'flat'.padStart(valueWidth)} ${'cum'.padStart(valueWidth)}  file:line`, { bold: true, color: theme.dim })]);
    const pageSize = pageSizes.lines;
    r.rows.slice(offset, offset + pageSize).forEach((row, j) => {
      const isSel = offset + j === selected;
      const text = `${isSel ? MARK : ' '} ${unitOf(row.flat).padStart(valueWidth)} ${unitOf(row.cum).padStart(valueWidth)}  `;
      lines.push([seg(text, { inverse: isSel }), seg(fitLeft(`${row.file}:${row.line}`, Math.max(8, width - text.length)), { inverse: isSel })]);
    });
    if (r.rows.length === 0) lines.push([seg('  no line information', { color: theme.dim })]);
    return { lines, pageSize };
  }
  // Heaviest stacks through the function: one per row, the selected one expanded below.
  const listRows = pageSizes.stacks;
  lines.push([seg(`  ${'value'.padStart(valueWidth)}  stack (leaf ← … ← root)`, { bold: true, color: theme.dim })]);
  r.rows.slice(offset, offset + listRows).forEach((t, j) => {
    const isSel = offset + j === selected;
    const text = `${isSel ? MARK : ' '} ${unitOf(t.value).padStart(valueWidth)}  `;
    lines.push([seg(text, { inverse: isSel }), seg(t.frames.map((f) => f.name).join(' ← '), { inverse: isSel })]);
  });
  const sel = r.rows[selected];
  if (sel) {
    lines.push([seg('  frames of the selected stack:', { color: theme.dim })]);
    for (const f of sel.frames) lines.push([seg(`    ${f.name}${f.inlined ? ' (inline)' : ''}  `), seg(`${f.file}:${f.line}`, { color: theme.dim })]);
  }
  if (r.rows.length === 0) lines.push([seg('  no stacks', { color: theme.dim })]);
  return { lines, pageSize: listRows };
}
