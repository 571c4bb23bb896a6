// The call graph pprof builds from samples (google/pprof internal/graph): one node per code
// location at the chosen granularity, flat = value where the node is the leaf, cum = value
// of every sample the node appears in (once per sample, even when it recurs), and weighted
// caller→callee edges. Typed arrays and a per-sample stamp keep 100,000-stack profiles fast.

import type { Location, Profile } from '../profile/model.js';
import { cleanPath, trimPath } from './paths.js';
import { runSteps, YIELD_MASK, type Steps } from './steps.js';

export type Granularity = 'functions' | 'filefunctions' | 'lines' | 'files';
export const GRANULARITIES: Granularity[] = ['functions', 'filefunctions', 'lines', 'files'];

/** pprof's NodeInfo after aggregation (address is always 0 at these granularities). */
export interface NodeInfo {
  name: string;
  file: string;
  lineno: number;
  objfile: string;
  startLine: number;
}

/** Node identities for every (location, line) of one profile at one granularity. */
export interface NodeTable {
  infos: NodeInfo[];
  /** What pprof prints for the node (NodeInfo.PrintableName). */
  names: string[];
  /** Per location index: node ids of its lines, innermost (inlined) first, like Location.lines. */
  locNodes: Int32Array[];
}

export interface Edge {
  src: number;
  dest: number;
  weight: number;
  /** The edge skips nodes that were trimmed away. */
  residual: boolean;
  /** The callee was inlined into the caller. */
  inline: boolean;
  /** The last sample that added to it: an edge counts once per sample, like a node's cum. */
  lastSample: number;
}

export interface Graph {
  table: NodeTable;
  /** Node ids with a non-zero flat or cum, unsorted. */
  nodes: number[];
  flat: Float64Array;
  cum: Float64Array;
  /** Edges keyed by src * nodeCount + dest; only built when asked for. */
  edges: Map<number, Edge> | null;
}

const tableCache = new WeakMap<Profile, Map<Granularity, NodeTable>>();

function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  return i >= 0 ? trimmed.slice(i + 1) : trimmed || '/';
}

export function printableName(info: NodeInfo): string {
  const parts: string[] = [];
  if (info.name) parts.push(info.name);
  if (info.lineno !== 0) parts.push(`${info.file}:${info.lineno}`);
  else if (info.file) parts.push(info.file);
  else if (info.name) {
    // the function name is all there is
  } else if (info.objfile) parts.push(`[${basename(info.objfile)}]`);
  else parts.push('<unknown>');
  return parts.join(' ');
}

/** The nodes of a profile at a granularity (memoized per profile object). */
export function nodeTable(p: Profile, granularity: Granularity): NodeTable {
  let byGran = tableCache.get(p);
  if (!byGran) {
    byGran = new Map();
    tableCache.set(p, byGran);
  }
  const cached = byGran.get(granularity);
  if (cached) return cached;

  const keepName = granularity !== 'files';
  const keepFile = granularity !== 'functions';
  const keepLine = granularity === 'lines';
  const ids = new Map<string, number>();
  const infos: NodeInfo[] = [];
  const names: string[] = [];
  const fileCache = new Map<string, string>();
  const cleanFile = (f: string): string => {
    let c = fileCache.get(f);
    if (c === undefined) {
      c = f === '' ? '' : cleanPath(trimPath(f));
      fileCache.set(f, c);
    }
    return c;
  };
  const idOf = (info: NodeInfo): number => {
    const key = `${info.name}\u0000${info.file}\u0000${info.lineno}\u0000${info.objfile}\u0000${info.startLine}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = infos.length;
      ids.set(key, id);
      infos.push(info);
      names.push(printableName(info));
    }
    return id;
  };
  const locNodes = p.locations.map((loc: Location) => {
    const objfile = loc.mapping?.file ?? '';
    if (loc.lines.length === 0) return Int32Array.of(idOf({ name: '', file: '', lineno: 0, objfile, startLine: 0 }));
    const out = new Int32Array(loc.lines.length);
    loc.lines.forEach((ln, i) => {
      const fn = ln.fn;
      if (!fn) {
        out[i] = idOf({ name: '', file: '', lineno: 0, objfile, startLine: 0 });
        return;
      }
      const name = keepName ? fn.name : '';
      const file = keepFile ? cleanFile(fn.filename) : '';
      // Without a name (files granularity) pprof keeps the binary and start line in the identity.
      out[i] = idOf({
        name,
        file,
        lineno: keepLine ? ln.line : 0,
        objfile: name === '' ? objfile : '',
        startLine: name === '' ? fn.startLine : 0,
      });
    });
    return out;
  });
  const table = { infos, names, locNodes };
  byGran.set(granularity, table);
  return table;
}

/**
 * Builds the graph for one sample type. `kept` (a node-id set) restricts it to those nodes,
 * as pprof does when it rebuilds a trimmed graph: a sample whose leaf was trimmed gives no
 * flat value to anyone, and edges over trimmed nodes become residual. `withEdges` is true for
 * every edge, or a node-id set for only the edges into or out of those nodes (a large graph
 * has many more edges than nodes; peek needs a few).
 */
export function buildGraph(p: Profile, table: NodeTable, sampleIndex: number, kept: Uint8Array | null, withEdges: boolean | Uint8Array): Graph {
  return runSteps(buildGraphSteps(p, table, sampleIndex, kept, withEdges));
}

/** buildGraph, yielding every few thousand samples (steps.ts). */
export function* buildGraphSteps(
  p: Profile,
  table: NodeTable,
  sampleIndex: number,
  kept: Uint8Array | null,
  withEdges: boolean | Uint8Array,
): Steps<Graph> {
  const edgeMask = typeof withEdges === 'boolean' ? null : withEdges;
  const n = table.infos.length;
  const flat = new Float64Array(n);
  const cum = new Float64Array(n);
  const seen = new Int32Array(n).fill(-1);
  const edges = withEdges !== false ? new Map<number, Edge>() : null;

  const { count, nTypes, values, stackStart, locIndex } = p.samples;
  const locNodes = table.locNodes;
  for (let si = 0; si < count; si++) {
    if ((si & YIELD_MASK) === YIELD_MASK) yield;
    const w = values[si * nTypes + sampleIndex]!;
    if (w === 0) continue;
    let parent = -1;
    let residual = false;
    const first = stackStart[si]!;
    for (let k = stackStart[si + 1]! - 1; k >= first; k--) {
      const nodes = locNodes[locIndex[k]!]!;
      for (let ni = nodes.length - 1; ni >= 0; ni--) {
        const node = nodes[ni]!;
        if (kept !== null && kept[node] === 0) {
          residual = true;
          continue;
        }
        if (seen[node] !== si) {
          seen[node] = si;
          cum[node]! += w;
        }
        if (edges !== null && parent >= 0 && node !== parent && (edgeMask === null || edgeMask[node] === 1 || edgeMask[parent] === 1)) {
          const key = parent * n + node;
          const inline = ni !== nodes.length - 1;
          const e = edges.get(key);
          if (!e) edges.set(key, { src: parent, dest: node, weight: w, residual, inline, lastSample: si });
          else if (e.lastSample !== si) {
            e.lastSample = si;
            e.weight += w;
            if (residual) e.residual = true;
            if (!inline) e.inline = false;
          }
        }
        parent = node;
        residual = false;
      }
    }
    if (parent >= 0 && !residual) flat[parent]! += w;
  }

  const nodes: number[] = [];
  for (let i = 0; i < n; i++) {
    if (flat[i] !== 0 || cum[i] !== 0) nodes.push(i);
  }
  return { table, nodes, flat, cum, edges };
}
