// The fleet's data: queries with the user's matchers (never one per instance: one to learn
// the instances, one per 100 of them, one for cAdvisor), turned into one row per instance with
// its verdict, refreshed on an interval. A failed refresh gets a one-line error and backoff, as a
// target's poll does, and the table keeps its last good rows, marked stale.

import { fleetRow, type FleetInstance, type FleetSnapshot, type FleetWindow } from '../analysis/fleet.js';
import type { VerdictState } from '../analysis/verdict.js';
import { errorMessage, isLivepprofError, LivepprofError } from '../errors.js';
import type { ActiveTarget, PrometheusClient, RangeSeries } from './prometheus.js';
import { GO_INFO, goVersionsOf, instancesFromSeries, MEMORY_LIMIT, RECORD_METRIC_NAMES, WORKING_SET } from './prometheus-records.js';

export interface FleetQuery {
  /** Label matchers, as in a selector's braces: `job="api"`, `namespace="prod",app=~"api-.*"`. */
  match: string;
  windowMs: number;
  /** Sample times per instance over the window: the step is window / points (the verdict reduces to 120 anyway). */
  points: number;
  /** The end of the window (ms); null: now, at each refresh. */
  atMs: number | null;
}

/** Metric names per query: a few queries, each small enough to parse without a memory spike. */
const NAMES_PER_QUERY = 8;
/** Queries in flight at once: all of them (a handful), as Prometheus evaluates them in parallel. */
const CONCURRENCY = 5;
/** Smallest step asked for (a 200 ms scrape interval in tests). */
const MIN_STEP_MS = 100;

/** The user's matchers as they go inside a selector's braces; `{…}` around them is accepted. */
export function normalizeMatch(match: string): string {
  const m = match.trim().replace(/^\{([\s\S]*)\}$/, '$1').trim();
  if (m !== '' && !/^[a-zA-Z_][a-zA-Z0-9_]*\s*(=~|!~|!=|=)\s*"/.test(m)) {
    throw new LivepprofError('usage', `--match ${JSON.stringify(match)} is not a list of label matchers; write e.g. --match 'job="api"' or 'namespace="prod",app=~"api-.*"'`);
  }
  return m;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `{__name__=~"a|b",job="api"}`: one selector for several metric names. */
export function selectorFor(names: readonly string[], match: string): string {
  const re = names.map(escapeRegex).join('|');
  return `{__name__=~"${re}"${match ? `,${match}` : ''}}`;
}

export function stepFor(q: Pick<FleetQuery, 'windowMs' | 'points'>): number {
  return Math.max(MIN_STEP_MS, Math.ceil(q.windowMs / Math.max(1, q.points)));
}

/** The sample times a refresh at `nowMs` asks for: aligned to the step, so that two refreshes sample the same times. */
function fleetWindow(q: FleetQuery, nowMs: number): FleetWindow & { startMs: number } {
  const stepMs = stepFor(q);
  const endMs = Math.floor((q.atMs ?? nowMs) / stepMs) * stepMs;
  return { startMs: endMs - Math.floor(q.windowMs / stepMs) * stepMs, endMs, stepMs };
}

/** Runs `tasks` at most `n` at a time, results in order. */
async function limited<T>(tasks: Array<() => Promise<T>>, n: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]!();
      }
    }),
  );
  return out;
}

export interface FleetFetch<T = FleetInstance> {
  /** One per instance, in the order of their keys. */
  instances: T[];
  warnings: string[];
  /** Queries sent. */
  queries: number;
  endMs: number;
  stepMs: number;
}

/** Instances per query once they are known: each answer holds whole instances. */
const INSTANCES_PER_QUERY = 100;

/** A literal as an alternative of a regex inside a PromQL string ("…"): its backslashes and quotes escaped again. */
const quoteRegexForPromql = (s: string) => escapeRegex(s).replace(/[\\"]/g, '\\$&');

/**
 * Every Go process client_golang instruments has one of these (GoCollector, ProcessCollector):
 * their label sets (/api/v1/series, the index alone: no samples read) name the instances.
 */
const DISCOVERY_NAMES = [GO_INFO, 'process_start_time_seconds'];

/** One refresh's data: the Go runtime's series of every matching instance, and cAdvisor's where pods are named. */
export function fetchFleet(client: PrometheusClient, q: FleetQuery, nowMs: number): Promise<FleetFetch> {
  return fetchFleetEach(client, q, nowMs, (inst) => inst);
}

/**
 * fetchFleet, with `each` applied to every instance (and the window its series cover) as soon as its series are all in. The
 * instances are learnt first from the label sets of go_info and process_start_time_seconds; then
 * each query asks for every name of INSTANCES_PER_QUERY of them, so that the first ones are
 * judged while Prometheus still reads the rest. Where those series lack the instance label
 * (some remote-write setups), the names are asked for in groups over all instances instead.
 */
export async function fetchFleetEach<T>(client: PrometheusClient, q: FleetQuery, nowMs: number, each: (inst: FleetInstance, window: FleetWindow) => T): Promise<FleetFetch<T>> {
  const { startMs: start, endMs: end, stepMs } = fleetWindow(q, nowMs);
  const window = { endMs: end, stepMs };
  let queries = 0;
  const range = (expr: string) => {
    queries++;
    return client.queryRange(expr, start, end, stepMs);
  };
  const warnings: string[] = [];
  // cAdvisor's figures for the pods of these instances: one query over their namespaces, sent
  // as soon as an answer names them, alongside the rest.
  const cad: { answer: Promise<{ data: RangeSeries[]; warnings: string[] } | null> | null } = { answer: null };
  const startCadvisor = (found: ReadonlyArray<Record<string, string>>) => {
    if (cad.answer) return;
    const namespaces = [...new Set(found.filter((l) => l.pod).map((l) => l.namespace ?? ''))];
    if (found.length > 0 && namespaces.length === 0) cad.answer = Promise.resolve(null);
    if (namespaces.length === 0) return;
    const ns = namespaces.every((n) => n !== '') ? `namespace=~"${namespaces.map(escapeRegex).join('|')}",` : '';
    cad.answer = range(`{__name__=~"${WORKING_SET}|${MEMORY_LIMIT}",${ns}container!="",container!="POD"}`);
  };
  const containers = async (): Promise<RangeSeries[]> => {
    const c = await cad.answer;
    if (c) warnings.push(...c.warnings);
    return c?.data ?? [];
  };
  const noSeries = () =>
    new LivepprofError('no-series', `no Go runtime series match ${q.match ? `{${q.match}}` : 'the server'} between ${new Date(start).toISOString()} and ${new Date(end).toISOString()}: check --match (e.g. job="api") and --window`);

  queries++;
  const info = await client.series([selectorFor(DISCOVERY_NAMES, q.match)], start, end);
  warnings.push(...info.warnings);
  const known = [...new Set(info.data.map((l) => l.instance))];
  const out: Array<{ key: string; item: T }> = [];
  if (known.length > 0 && known.every((i): i is string => i !== undefined)) {
    startCadvisor(info.data);
    const chunks: string[][] = [];
    for (let i = 0; i < known.length; i += INSTANCES_PER_QUERY) chunks.push(known.slice(i, i + INSTANCES_PER_QUERY));
    // go_info's version is in the label sets already: its samples (a 1 at every step) are not asked for.
    const versions = goVersionsOf(info.data);
    const selectors = chunks.map((c) => selectorFor(RECORD_METRIC_NAMES, `${q.match ? `${q.match},` : ''}instance=~"${c.map(quoteRegexForPromql).join('|')}"`));
    const pods = containers(); // in flight with the first chunks
    await limited(
      selectors.map((sel, k) => async () => {
        const a = await range(sel);
        warnings.push(...a.warnings);
        // Only the instances this query asked for.
        const mine = new Set(chunks[k]);
        const series = a.data.filter((s) => mine.has(s.labels.instance ?? ''));
        const cadvisor = await pods;
        for (const inst of instancesFromSeries(series, cadvisor, versions)) out.push({ key: inst.key, item: each(inst, window) });
      }),
      CONCURRENCY,
    );
  } else {
    const names = [...RECORD_METRIC_NAMES, GO_INFO];
    const groups: string[][] = [];
    for (let i = 0; i < names.length; i += NAMES_PER_QUERY) groups.push(names.slice(i, i + NAMES_PER_QUERY));
    const answers = await limited(
      groups.map((g) => async () => {
        const a = await range(selectorFor(g, q.match));
        startCadvisor(a.data.map((s) => s.labels));
        return a;
      }),
      CONCURRENCY,
    );
    const series: RangeSeries[] = answers.flatMap((a) => a.data);
    warnings.push(...answers.flatMap((a) => a.warnings));
    if (series.length === 0) throw noSeries();
    startCadvisor(series.map((s) => s.labels));
    const pods = await containers();
    for (const inst of instancesFromSeries(series, pods)) out.push({ key: inst.key, item: each(inst, window) });
  }
  if (out.length === 0) throw noSeries();
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { instances: out.map((o) => o.item), warnings: [...new Set(warnings)], queries, endMs: end, stepMs };
}

export interface FleetSourceOptions {
  refreshMs: number;
  /** Backoff cap while Prometheus fails. */
  maxBackoffMs?: number;
  /** Sparkline width (values per row). */
  sparkWidth?: number;
  now?: () => number;
}

/** The fleet's data source: refreshes, keeps the last good rows, backs off on failure. */
export class FleetSource {
  private snap: FleetSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly states = new Map<string, VerdictState>();
  private stopped = false;
  private wake: (() => void) | null = null;
  private loopDone: Promise<void> | null = null;

  constructor(
    private readonly client: PrometheusClient,
    private readonly query: FleetQuery,
    private readonly opts: FleetSourceOptions,
  ) {
    this.snap = {
      version: 0,
      status: 'loading',
      rows: [],
      at: null,
      stepMs: stepFor(query),
      windowMs: query.windowMs,
      match: query.match,
      server: client.base,
      stale: false,
      failures: 0,
      lastError: null,
      nextRefreshAt: null,
      warnings: [],
      queries: 0,
    };
  }

  snapshot = (): FleetSnapshot => this.snap;

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  private update(patch: Partial<FleetSnapshot>): void {
    this.snap = { ...this.snap, ...patch, version: this.snap.version + 1 };
    for (const l of this.listeners) l();
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** One refresh: the rows, or the failure recorded (the last good rows stay, marked stale). */
  async refresh(): Promise<boolean> {
    try {
      // Each instance judged as its series arrive, while Prometheus reads the next ones.
      const f = await fetchFleetEach(this.client, this.query, this.now(), (inst, window) => fleetRow(inst, this.states.get(inst.key) ?? null, { sparkWidth: this.opts.sparkWidth, window }));
      const rows = f.instances;
      this.states.clear();
      for (const r of rows) this.states.set(r.key, r.verdictState);
      this.update({ status: 'ready', rows, at: f.endMs, stepMs: f.stepMs, stale: false, failures: 0, lastError: null, warnings: f.warnings, queries: this.snap.queries + f.queries, nextRefreshAt: null });
      return true;
    } catch (e) {
      const err = isLivepprofError(e) ? { kind: e.kind, message: e.message } : { kind: 'internal', message: errorMessage(e) };
      this.update({ status: 'failing', stale: this.snap.at !== null, failures: this.snap.failures + 1, lastError: err, nextRefreshAt: null });
      return false;
    }
  }

  /** Refreshes until stop(): every refreshMs, doubling while Prometheus fails (capped). A fixed --at refreshes once. */
  start(): Promise<void> {
    this.loopDone ??= (async () => {
      while (!this.stopped) {
        await this.refresh();
        if (this.query.atMs !== null && this.snap.failures === 0) break;
        const f = this.snap.failures;
        const delay = f === 0 ? this.opts.refreshMs : Math.min(this.opts.refreshMs * 2 ** (f - 1), Math.max(this.opts.refreshMs, this.opts.maxBackoffMs ?? 300_000));
        this.update({ nextRefreshAt: this.now() + delay });
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, delay);
          function done() {
            clearTimeout(t);
            resolve();
          }
          this.wake = done;
        });
        this.wake = null;
      }
      this.update({ status: this.snap.status === 'failing' ? 'failing' : 'stopped', nextRefreshAt: null });
    })();
    return this.loopDone;
  }

  refreshNow(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loopDone;
  }
}

/**
 * Where an instance's pprof handlers are: the --pprof-url template with its {instance} and any
 * {label} filled in, else the host of the active scrape target with that instance (and job)
 * under /debug/pprof/.
 */
export function pprofBaseFor(labels: Record<string, string>, template: string | null, targets: readonly ActiveTarget[]): string {
  if (template !== null) {
    return template.replace(/\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g, (_, name: string) => {
      const v = labels[name];
      if (v === undefined) throw new LivepprofError('usage', `--pprof-url uses {${name}}, which instance ${labels.instance ?? '?'} has no label for (it has: ${Object.keys(labels).join(', ')})`);
      return v;
    });
  }
  const t = targets.find((x) => x.labels.instance === labels.instance && (labels.job === undefined || x.labels.job === labels.job));
  if (!t) {
    throw new LivepprofError('no-series', `Prometheus scrapes no active target with instance ${labels.instance ?? '?'}: give its address with --pprof-url 'http://{instance}/debug/pprof/'`);
  }
  const u = new URL(t.scrapeUrl);
  return `${u.protocol}//${u.host}/debug/pprof/`;
}
