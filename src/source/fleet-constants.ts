// Series that hardly ever change over a fleet's window (a process's start time, its GOGC and
// GOMEMLIMIT, go_info's version) are a quarter of what a range query per step would return for
// 1,000 instances, and a quarter of Prometheus's work (its cost is per point it writes). They are
// read once instead: one instant query gives, per instance, the last value of each one that did
// not change over the window, and /api/v1/series (asked anyway to learn the instances) gives
// go_info's version. Range queries ask for them only where they changed (a restart, a
// debug.SetGCPercent) or are unknown, and the constants are laid on the instance's own sample
// times, so the records are what the range queries would have made of them.

import type { InstantSample, RangeSeries } from './prometheus.js';
import { GO_INFO } from './prometheus-records.js';
import { SERIES_RECORD_NAMES } from './series-record.js';

export const SLOW_NAMES: readonly string[] = [SERIES_RECORD_NAMES.startTime, SERIES_RECORD_NAMES.gogc, SERIES_RECORD_NAMES.memoryLimit];

/** The label the constants query names each answer's metric with (functions drop __name__). */
const NAME_LABEL = 'livepprof_metric';

/** An instance's series in one answer: instance and job (the fleet's key joins on these). */
const keyOf = (labels: Record<string, string>) => `${labels.instance ?? ''}\u0000${labels.job ?? ''}`;

/**
 * One instant query (at the window's end) for the last value of every SLOW_NAMES series that did
 * not change over the window, each answer labelled with its metric's name.
 */
export function constantsQuery(match: string, windowMs: number): string {
  const w = `${Math.max(1, Math.round(windowMs / 1000))}s`;
  return SLOW_NAMES.map((n) => {
    const sel = `${n}{${match}}[${w}]`;
    return `label_replace(last_over_time(${sel}) and changes(${sel}) == 0, "${NAME_LABEL}", "${n}", "", "")`;
  }).join(' or ');
}

export interface Constants {
  /** By instance (keyOf), name → value over the whole window. */
  values: Map<string, Map<string, number>>;
  /** By instance, go_info's versions over the window (from the series' label sets). */
  versions: Map<string, Set<string>>;
}

export function constantsFrom(samples: readonly InstantSample[], labelSets: ReadonlyArray<Record<string, string>>): Constants {
  const values = new Map<string, Map<string, number>>();
  for (const s of samples) {
    const name = s.labels[NAME_LABEL];
    if (name === undefined || !SLOW_NAMES.includes(name)) continue;
    const k = keyOf(s.labels);
    let m = values.get(k);
    if (!m) values.set(k, (m = new Map()));
    m.set(name, s.value);
  }
  const versions = new Map<string, Set<string>>();
  for (const l of labelSets) {
    if (l.__name__ !== GO_INFO) continue;
    const k = keyOf(l);
    let v = versions.get(k);
    if (!v) versions.set(k, (v = new Set()));
    v.add(l.version ?? '');
  }
  return { values, versions };
}

/**
 * The slow names (and go_info) a range query over these label sets (instance, job) must still
 * ask for: those some instance has no constant for.
 */
export function namesStillAsked(labelSets: ReadonlyArray<Record<string, string>>, c: Constants): string[] {
  const keys = [...new Set(labelSets.map(keyOf))];
  const out = SLOW_NAMES.filter((n) => keys.some((k) => !c.values.get(k)?.has(n)));
  if (keys.some((k) => c.versions.get(k)?.size !== 1)) out.push(GO_INFO);
  return out;
}

/**
 * The answer with each instance's constants added as series on its own sample times (the union
 * of its series' times), where the answer lacks that name: what a range query would have given.
 */
export function withConstants(series: readonly RangeSeries[], c: Constants): RangeSeries[] {
  const groups = new Map<string, RangeSeries[]>();
  for (const s of series) {
    const k = keyOf(s.labels);
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  const out = series.slice();
  for (const [k, g] of groups) {
    const have = new Set(g.map((s) => s.labels.__name__));
    const times = timesOf(g);
    const { __name__: _, ...labels } = g[0]!.labels;
    const add = (name: string, value: number, extra: Record<string, string> = {}) => {
      if (!have.has(name)) out.push({ labels: { ...labels, ...extra, __name__: name }, times, values: new Float64Array(times.length).fill(value) });
    };
    for (const [name, value] of c.values.get(k) ?? []) add(name, value);
    const versions = c.versions.get(k);
    if (versions?.size === 1) add(GO_INFO, 1, { version: [...versions][0]! });
  }
  return out;
}

/** Every time any of the series has a sample, in order (the series' own array when they agree). */
function timesOf(g: readonly RangeSeries[]): Float64Array {
  const first = g[0]!.times;
  if (g.every((s) => s.times === first || (s.times.length === first.length && s.times.every((t, j) => t === first[j])))) return first;
  const set = new Set<number>();
  for (const s of g) for (const t of s.times) set.add(t);
  return Float64Array.from([...set].sort((a, b) => a - b));
}
