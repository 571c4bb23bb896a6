// The heaviest stacks through one function: pprof's `-traces` samples (report.printTraces)
// restricted to those with a frame of that function, identical stacks merged. Pure; callers
// memoize.

import type { Profile } from '../profile/model.js';
import type { NameFilters } from './filter.js';
import { filterByName, hasNameFilters } from './filter.js';
import { nodeTable } from './graph.js';

export interface TracesOptions {
  sampleIndex: number;
  filters: NameFilters;
  /**
   * The function: a name as `-traces` prints frames at functions granularity (the function
   * name; "[binary]" or "<unknown>" for unsymbolized frames).
   */
  functionName: string;
  /** At most this many stacks (Infinity: all). */
  limit: number;
}

export interface TraceFrame {
  name: string;
  /** Cleaned like the node names (pprof's trimPath + filepath.Clean); '' when unknown. */
  file: string;
  line: number;
  /** Inlined into the next (outer) frame: pprof's " (inline)". */
  inlined: boolean;
}

export interface Trace {
  /** Sum of the merged samples' values. */
  value: number;
  /** Leaf first, as -traces prints them; file/line from the heaviest merged sample. */
  frames: TraceFrame[];
}

/**
 * Distinct stacks containing the function, heaviest first. Stacks are identical when their
 * frames have the same function names and inline marks (what -traces prints at its default
 * functions granularity), so samples differing only in line numbers or labels merge. Ordered
 * by |value| descending (a --base diff's biggest drops are as telling as its growth), ties
 * in sample order; stacks summing to 0 are left out.
 */
export function tracesThrough(p: Profile, opts: TracesOptions): Trace[] {
  const profile = hasNameFilters(opts.filters) ? filterByName(p, opts.filters).profile : p;
  const fnTable = nodeTable(profile, 'functions');
  // Unsymbolized frames of two binaries with the same base name share a printable name.
  const isTarget = fnTable.names.map((n) => n === opts.functionName);
  if (!isTarget.includes(true) || opts.limit <= 0) return [];

  // Per location: whether it holds the function, and an id for its list of function nodes
  // (equal lists, equal ids). A stack at functions granularity is the sequence of those ids:
  // the grouping into locations carries the inline marks.
  const nLocs = profile.locations.length;
  const holds = new Uint8Array(nLocs);
  const group = new Int32Array(nLocs);
  const groupIds = new Map<string, number>();
  for (let l = 0; l < nLocs; l++) {
    const nodes = fnTable.locNodes[l]!;
    const key = nodes.join(',');
    let id = groupIds.get(key);
    if (id === undefined) groupIds.set(key, (id = groupIds.size));
    group[l] = id;
    for (const n of nodes) if (isTarget[n]) holds[l] = 1;
  }

  interface Merged {
    value: number;
    /** First sample with this stack: the one others are compared with. */
    first: number;
    /** The heaviest sample with this stack: where file and line numbers come from. */
    sample: number;
    sampleWeight: number;
    /** Next stack with the same hash. */
    next: Merged | null;
  }
  const { count, nTypes, values, stackStart, locIndex } = profile.samples;
  const sameStack = (a: number, b: number): boolean => {
    const la = stackStart[a + 1]! - stackStart[a]!;
    if (la !== stackStart[b + 1]! - stackStart[b]!) return false;
    const oa = stackStart[a]!;
    const ob = stackStart[b]!;
    for (let k = 0; k < la; k++) if (group[locIndex[oa + k]!] !== group[locIndex[ob + k]!]) return false;
    return true;
  };
  // Hashing the id sequences (and comparing on collision) avoids building 100,000 key strings.
  const byHash = new Map<number, Merged>();
  const order: Merged[] = [];
  for (let si = 0; si < count; si++) {
    const w = values[si * nTypes + opts.sampleIndex]!;
    if (w === 0) continue;
    const from = stackStart[si]!;
    const to = stackStart[si + 1]!;
    let through = false;
    let h = 0x811c9dc5;
    for (let k = from; k < to; k++) {
      const l = locIndex[k]!;
      if (holds[l]) through = true;
      h = Math.imul(h ^ group[l]!, 0x01000193);
    }
    if (!through) continue;
    let m = byHash.get(h) ?? null;
    while (m !== null && !sameStack(m.first, si)) m = m.next;
    if (m === null) {
      const added: Merged = { value: w, first: si, sample: si, sampleWeight: Math.abs(w), next: byHash.get(h) ?? null };
      byHash.set(h, added);
      order.push(added);
    } else {
      m.value += w;
      if (Math.abs(w) > m.sampleWeight) {
        m.sample = si;
        m.sampleWeight = Math.abs(w);
      }
    }
  }

  // `order` is first-seen order and the sort is stable: ties stay in sample order.
  const heaviest = order
    .filter((m) => m.value !== 0)
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, opts.limit);
  const lineTable = nodeTable(profile, 'lines');
  return heaviest.map((m) => {
    const frames: TraceFrame[] = [];
    for (let k = stackStart[m.sample]!; k < stackStart[m.sample + 1]!; k++) {
      const l = locIndex[k]!;
      const fnNodes = fnTable.locNodes[l]!;
      const lineNodes = lineTable.locNodes[l]!;
      for (let j = 0; j < fnNodes.length; j++) {
        const info = lineTable.infos[lineNodes[j]!]!;
        frames.push({ name: fnTable.names[fnNodes[j]!]!, file: info.file, line: info.lineno, inlined: j < fnNodes.length - 1 });
      }
    }
    return { value: m.value, frames };
  });
}
