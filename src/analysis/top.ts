// The `top` report: pprof's trimmed graph turned into rows (google/pprof internal/report
// newTrimmedGraph + TextItems). Rows are data; the text table, the JSON and the TUI table are
// thin formatters over them.

import type { Profile, ValueType } from '../profile/model.js';
import type { NameFilters } from './filter.js';
import { filterByName, hasNameFilters } from './filter.js';
import type { Graph, Granularity, NodeInfo } from './graph.js';
import { buildGraphSteps, nodeTable } from './graph.js';
import { runSteps, type Steps } from './steps.js';
import { compareGoStrings } from './strings.js';
import { scale } from './units.js';

export const DEFAULT_NODE_FRACTION = 0.005;
export const DEFAULT_EDGE_FRACTION = 0.001;

export interface TopOptions {
  sampleIndex: number;
  granularity: Granularity;
  /** Keep at most this many nodes; 0 keeps every node that survives the node fraction. */
  nodeCount: number;
  cumSort: boolean;
  filters: NameFilters;
  nodeFraction?: number;
  edgeFraction?: number;
}

export type InlineLabel = '' | '(inline)' | '(partial-inline)';

export interface TopRow {
  name: string;
  flat: number;
  cum: number;
  inline: InlineLabel;
  info: NodeInfo;
}

export interface TopReport {
  sampleType: ValueType;
  /** Sum of |value| over every sample of the unfiltered profile: the 100% of every percentage. */
  total: number;
  /** Sum of flat over the rows shown. */
  shownFlat: number;
  rows: TopRow[];
  /** Nodes before the nodecount cut (after the node-fraction cut). */
  origCount: number;
  droppedNodes: number;
  /** The unit values print in (pprof's "minimum" choice), e.g. 'MB', 's', ''. */
  outputUnit: string;
  nodeFraction: number;
  filtersMatched: { focus: boolean; ignore: boolean; hide: boolean; show: boolean };
}

/** pprof computeTotal: the sum of absolute sample values. */
export function computeTotal(p: Profile, sampleIndex: number): number {
  const { count, nTypes, values } = p.samples;
  let total = 0;
  for (let i = 0; i < count; i++) total += Math.abs(values[i * nTypes + sampleIndex]!);
  return total;
}

export function topReport(p: Profile, opts: TopOptions): TopReport {
  return runSteps(topReportSteps(p, opts));
}

/** topReport, yielding every few thousand samples (steps.ts). */
export function* topReportSteps(p: Profile, opts: TopOptions): Steps<TopReport> {
  const total = computeTotal(p, opts.sampleIndex);
  const { profile, matched } = hasNameFilters(opts.filters)
    ? filterByName(p, opts.filters)
    : { profile: p, matched: { focus: false, ignore: false, hide: false, show: false } };
  const nodeFraction = opts.nodeFraction ?? DEFAULT_NODE_FRACTION;
  const edgeFraction = opts.edgeFraction ?? DEFAULT_EDGE_FRACTION;
  const table = nodeTable(profile, opts.granularity);

  let g = yield* buildGraphSteps(profile, table, opts.sampleIndex, null, false);
  let totalValue = 0;
  for (const id of g.nodes) totalValue += g.flat[id]!;
  const nodeCutoff = Math.abs(Math.trunc(totalValue * nodeFraction));
  const edgeCutoff = Math.abs(Math.trunc(totalValue * edgeFraction));

  // Each trimming step rebuilds the graph from the samples restricted to the kept nodes.
  let kept: Uint8Array | null = null;
  let droppedNodes = 0;
  if (nodeCutoff > 0) {
    const above = g.nodes.filter((id) => Math.abs(g.cum[id]!) >= nodeCutoff);
    if (above.length !== g.nodes.length) {
      droppedNodes = g.nodes.length - above.length;
      kept = toSet(above, table.infos.length);
      g = yield* buildGraphSteps(profile, table, opts.sampleIndex, kept, false);
    }
  }
  const origCount = g.nodes.length;
  let order = sortNodes(g, opts.cumSort);
  if (opts.nodeCount > 0 && order.length > opts.nodeCount) {
    kept = toSet(order.slice(0, opts.nodeCount), table.infos.length);
    g = yield* buildGraphSteps(profile, table, opts.sampleIndex, kept, false);
    order = sortNodes(g, opts.cumSort);
  }
  // Edges only decide the "(inline)" labels; build them once, on the final node set.
  const withEdges = yield* buildGraphSteps(profile, table, opts.sampleIndex, kept, true);
  const inlineLabels = inlineLabelsFor(withEdges, edgeCutoff);

  const rows: TopRow[] = order.map((id) => ({
    name: table.names[id]!,
    flat: g.flat[id]!,
    cum: g.cum[id]!,
    inline: inlineLabels.get(id) ?? '',
    info: table.infos[id]!,
  }));
  let shownFlat = 0;
  for (const r of rows) shownFlat += r.flat;
  const sampleType = p.sampleTypes[opts.sampleIndex]!;
  return {
    sampleType,
    total,
    shownFlat,
    rows,
    origCount,
    droppedNodes,
    outputUnit: selectOutputUnit(rows, total, sampleType.unit),
    nodeFraction,
    filtersMatched: matched,
  };
}

function toSet(ids: number[], size: number): Uint8Array {
  const set = new Uint8Array(size);
  for (const id of ids) set[id] = 1;
  return set;
}

/** fmt.Sprint(NodeInfo), pprof's last-resort tie-break. */
function infoString(i: NodeInfo): string {
  return `{${i.name}  0 ${i.file} ${i.startLine} ${i.lineno} ${i.objfile}}`;
}

/** pprof's FlatNameOrder / CumNameOrder. */
export function sortNodes(g: Graph, cumSort: boolean): number[] {
  const names = g.table.names;
  const first = cumSort ? g.cum : g.flat;
  const second = cumSort ? g.flat : g.cum;
  return g.nodes.slice().sort((a, b) => {
    const fa = Math.abs(first[a]!);
    const fb = Math.abs(first[b]!);
    if (fa !== fb) return fb - fa;
    const byName = compareGoStrings(names[a]!, names[b]!);
    if (byName !== 0) return byName;
    const sa = Math.abs(second[a]!);
    const sb = Math.abs(second[b]!);
    if (sa !== sb) return sb - sa;
    return compareGoStrings(infoString(g.table.infos[a]!), infoString(g.table.infos[b]!));
  });
}

/** A node is "(inline)" when all its surviving incoming edges are inlined calls. */
function inlineLabelsFor(g: Graph, edgeCutoff: number): Map<number, InlineLabel> {
  const state = new Map<number, { inline: boolean; noinline: boolean }>();
  for (const e of g.edges!.values()) {
    if (Math.abs(e.weight) < edgeCutoff) continue;
    let s = state.get(e.dest);
    if (!s) state.set(e.dest, (s = { inline: false, noinline: false }));
    if (e.inline) s.inline = true;
    else s.noinline = true;
  }
  const labels = new Map<number, InlineLabel>();
  for (const [id, s] of state) {
    if (s.inline) labels.set(id, s.noinline ? '(partial-inline)' : '(inline)');
  }
  return labels;
}

/**
 * pprof's "minimum" output unit: the unit of the smallest non-zero value, bumped to a larger
 * unit when the total is over 100× bigger (so the smallest value prints as ≥ 0.01).
 */
export function selectOutputUnit(rows: Array<{ flat: number; cum: number }>, total: number, sampleUnit: string): string {
  if (rows.length === 0) return 'minimum';
  let minValue = 0;
  for (const r of rows) {
    let v = Math.abs(r.flat);
    if (v === 0) v = Math.abs(r.cum);
    if (v > 0 && (minValue === 0 || v < minValue)) minValue = v;
  }
  const maxValue = total;
  if (minValue === 0) minValue = maxValue;
  const [, minUnit] = scale(minValue, sampleUnit, 'minimum');
  const [, maxUnit] = scale(maxValue, sampleUnit, 'minimum');
  let unit = minUnit;
  if (minUnit !== maxUnit && minValue * 100 < maxValue) {
    [, unit] = scale(100 * minValue, sampleUnit, 'minimum');
  }
  return unit !== '' ? unit : sampleUnit;
}
