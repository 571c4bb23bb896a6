// Drill-down into one node: its callers and callees (`go tool pprof -peek`, report.printTree)
// and the per-line values of its function (`-list`). Pure functions over a prepared profile
// (drop_frames applied, --base diffed); callers memoize. The heaviest stacks through a
// function are in traces.ts.

import type { Profile, ValueType } from '../profile/model.js';
import type { NameFilters } from './filter.js';
import { filterByName, hasNameFilters } from './filter.js';
import type { Edge, Graph, Granularity, NodeInfo } from './graph.js';
import { buildGraph, nodeTable } from './graph.js';
import { compareGoStrings } from './strings.js';
import type { TopReport } from './top.js';
import { computeTotal, selectOutputUnit, sortNodes } from './top.js';
import { topHeaderLines } from './top-text.js';
import { percentage, scaledLabel } from './units.js';

export interface PeekOptions {
  sampleIndex: number;
  granularity: Granularity;
  filters: NameFilters;
  /** The printable name of the node, as a top row shows it (TopRow.name). */
  nodeName: string;
  /**
   * Picks one node when several share the printable name (TopRow.info). That happens at
   * files granularity for profiles with function start lines, where pprof keeps one node
   * per (file, start line); without it the first in pprof's print order is taken.
   */
  info?: NodeInfo;
}

export interface PeekEdge {
  /** The printable name of the caller (in callers) or callee (in callees). */
  name: string;
  weight: number;
  /** The calls% column: |weight / node cum| × 100 (0 when cum is 0). */
  share: number;
  /** The callee was inlined into the caller (pprof's " (inline)" suffix). */
  inline: boolean;
}

export interface PeekReport {
  node: { name: string; flat: number; cum: number; info: NodeInfo };
  /** Sorted as pprof prints them: |weight| descending, then caller name, then callee name. */
  callers: PeekEdge[];
  callees: PeekEdge[];
  /** Sum of |value| over every sample of the unfiltered profile: the 100% of flat% and cum%. */
  total: number;
  sampleType: ValueType;
  /** Sum of flat over every node of the (untrimmed) graph: pprof's "Showing nodes accounting for". */
  shownFlat: number;
  /** The unit pprof prints values in for this graph ('MB', 'ms', '' …). */
  outputUnit: string;
  filtersMatched: { focus: boolean; ignore: boolean; hide: boolean; show: boolean };
}

function filtered(p: Profile, filters: NameFilters): { profile: Profile; matched: PeekReport['filtersMatched'] } {
  return hasNameFilters(filters)
    ? filterByName(p, filters)
    : { profile: p, matched: { focus: false, ignore: false, hide: false, show: false } };
}

function sameInfo(a: NodeInfo, b: NodeInfo): boolean {
  return a.name === b.name && a.file === b.file && a.lineno === b.lineno && a.objfile === b.objfile && a.startLine === b.startLine;
}

/** pprof's edgeList.Less. */
function compareEdges(a: Edge, b: Edge, names: string[]): number {
  if (a.weight !== b.weight) {
    const byMagnitude = Math.abs(b.weight) - Math.abs(a.weight);
    // Equal magnitudes of opposite sign (a --base diff) are "equal" to pprof, which then
    // keeps Go map order, i.e. random; put the positive one first to be deterministic.
    return byMagnitude !== 0 ? byMagnitude : b.weight - a.weight;
  }
  const bySrc = compareGoStrings(names[a.src]!, names[b.src]!);
  if (bySrc !== 0) return bySrc;
  return compareGoStrings(names[a.dest]!, names[b.dest]!);
}

function peekEdges(edges: Edge[], cum: number, names: string[], end: 'src' | 'dest'): PeekEdge[] {
  edges.sort((a, b) => compareEdges(a, b, names));
  return edges.map((e) => ({
    name: names[e[end]]!,
    weight: e.weight,
    share: cum !== 0 ? Math.abs(e.weight / cum) * 100 : 0,
    inline: e.inline,
  }));
}

/**
 * Every node whose printable name is `opts.nodeName`, in the order `-peek '^name$'` prints
 * them (usually one). `opts.info` is ignored here. Empty when no node has that name or the
 * node has no value (pprof: "no matches found for regexp").
 */
export function peekReports(p: Profile, opts: Omit<PeekOptions, 'info'>): PeekReport[] {
  const total = computeTotal(p, opts.sampleIndex);
  const { profile, matched } = filtered(p, opts.filters);
  const table = nodeTable(profile, opts.granularity);
  const wanted = new Uint8Array(table.infos.length);
  table.names.forEach((name, id) => {
    if (name === opts.nodeName) wanted[id] = 1;
  });
  // peek turns trimming off (driver.applyCommandOverrides), so this is the whole graph, with
  // only the edges of the wanted nodes.
  const g = buildGraph(profile, table, opts.sampleIndex, null, wanted);
  const ids = g.nodes.filter((id) => wanted[id] === 1);
  if (ids.length === 0) return [];

  const order = sortNodes({ ...g, nodes: ids }, false);
  const incoming = new Map<number, Edge[]>(order.map((id) => [id, []]));
  const outgoing = new Map<number, Edge[]>(order.map((id) => [id, []]));
  for (const e of g.edges!.values()) {
    if (wanted[e.dest]) incoming.get(e.dest)!.push(e);
    if (wanted[e.src]) outgoing.get(e.src)!.push(e);
  }

  const sampleType = p.sampleTypes[opts.sampleIndex]!;
  const { shownFlat, outputUnit } = graphSummary(g, total, sampleType.unit);
  return order.map((id) => {
    const cum = g.cum[id]!;
    return {
      node: { name: table.names[id]!, flat: g.flat[id]!, cum, info: table.infos[id]! },
      callers: peekEdges(incoming.get(id)!, cum, table.names, 'src'),
      callees: peekEdges(outgoing.get(id)!, cum, table.names, 'dest'),
      total,
      sampleType,
      shownFlat,
      outputUnit,
      filtersMatched: matched,
    };
  });
}

/** The callers and callees of one node, with pprof -peek's numbers and order; null when no node has that name. */
export function peekReport(p: Profile, opts: PeekOptions): PeekReport | null {
  const all = peekReports(p, opts);
  if (opts.info) {
    const info = opts.info;
    return all.find((r) => sameInfo(r.node.info, info)) ?? null;
  }
  return all[0] ?? null;
}


function graphSummary(g: Graph, total: number, unit: string): { shownFlat: number; outputUnit: string } {
  let shownFlat = 0;
  const values: Array<{ flat: number; cum: number }> = [];
  for (const id of g.nodes) {
    shownFlat += g.flat[id]!;
    values.push({ flat: g.flat[id]!, cum: g.cum[id]! });
  }
  return { shownFlat, outputUnit: selectOutputUnit(values, total, unit) };
}

const SEPARATOR = '----------------------------------------------------------+-------------';
const LEGEND = '      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t ';

/**
 * `go tool pprof -peek` output, byte for byte: header labels, legend and one block per report
 * (pass every report of peekReports to reproduce a regexp that matches several nodes).
 */
export function formatPeekText(p: Profile, reports: PeekReport | readonly PeekReport[], filters: NameFilters): string {
  const list = Array.isArray(reports) ? (reports as readonly PeekReport[]) : [reports as PeekReport];
  const first = list[0];
  if (!first) throw new Error('formatPeekText needs at least one report');
  const fmt = (v: number) => scaledLabel(v, first.sampleType.unit, first.outputUnit);
  // The header is report.reportLabels, shared with -top; peek never drops nodes.
  const header: TopReport = {
    sampleType: first.sampleType,
    total: first.total,
    shownFlat: first.shownFlat,
    rows: [],
    origCount: 0,
    droppedNodes: 0,
    outputUnit: first.outputUnit,
    nodeFraction: 0,
    filtersMatched: first.filtersMatched,
  };
  const out = topHeaderLines(p, header, filters);
  out.push(SEPARATOR, LEGEND);
  const edgeLine = (e: PeekEdge, cum: number) =>
    `${fmt(e.weight).padStart(50)} ${percentage(e.weight, cum)} |   ${e.name}${e.inline ? ' (inline)' : ''}`;
  let flatSum = 0;
  for (const r of list) {
    const { name, flat, cum } = r.node;
    out.push(SEPARATOR);
    for (const e of r.callers) out.push(edgeLine(e, cum));
    flatSum += flat;
    out.push(
      `${fmt(flat).padStart(10)} ${percentage(flat, r.total)} ${percentage(flatSum, r.total)} ${fmt(cum).padStart(10)} ${percentage(cum, r.total)}                | ${name}`,
    );
    for (const e of r.callees) out.push(edgeLine(e, cum));
  }
  out.push(SEPARATOR);
  return out.join('\n') + '\n';
}

export interface LinesOptions {
  sampleIndex: number;
  filters: NameFilters;
  /** The function's name (NodeInfo.name, which is TopRow.name at functions granularity). */
  functionName: string;
}

export interface LineRow {
  file: string;
  line: number;
  flat: number;
  cum: number;
}

/**
 * The per-line values of one function, as `go tool pprof -list '^name$'` annotates its source:
 * the nodes of the untrimmed graph at lines granularity whose function is `functionName`
 * (lines of functions inlined into it belong to those functions, as in pprof). Sorted by
 * file, then line. A line's flat/cum equal its `-top -lines` row (trimming other nodes never
 * changes a kept node's values), but -top drops lines under 0.5% of the total and -list does not.
 */
export function linesReport(p: Profile, opts: LinesOptions): LineRow[] {
  const { profile } = filtered(p, opts.filters);
  const table = nodeTable(profile, 'lines');
  const g = buildGraph(profile, table, opts.sampleIndex, null, false);
  const rows: LineRow[] = [];
  for (const id of g.nodes) {
    const info = table.infos[id]!;
    if (info.name !== opts.functionName) continue;
    rows.push({ file: info.file, line: info.lineno, flat: g.flat[id]!, cum: g.cum[id]! });
  }
  rows.sort((a, b) => compareGoStrings(a.file, b.file) || a.line - b.line);
  return rows;
}
