// History before the first poll: the attached target's series from Prometheus over the window,
// downsampled, as PollRecords for the timeline's Prometheus part. The target's own address is
// rarely its `instance` label, so the selector is the user's (--match), else the active scrape
// target whose scrape URL has the target's host and port.

import type { PollRecord } from '../analysis/poll-record.js';
import { formatDuration } from '../analysis/format.js';
import { LivepprofError } from '../errors.js';
import type { ActiveTarget, PrometheusClient } from './prometheus.js';
import { fetchFleet, normalizeMatch } from './prometheus-fleet.js';
import type { Target } from './target.js';

/** Sample times of history: 6 hours at 30 s. */
export const HISTORY_POINTS = 720;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function sameHost(a: string, b: string): boolean {
  return a === b || (LOOPBACK.has(a) && LOOPBACK.has(b));
}

/** The active target that scrapes this address (its scrape URL's host and port), if exactly one does. */
export function scrapeTargetFor(targets: readonly ActiveTarget[], target: Pick<Target, 'hostname' | 'port'>): ActiveTarget | null {
  const found = targets.filter((t) => {
    try {
      const u = new URL(t.scrapeUrl);
      const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
      return port === target.port && sameHost(u.hostname, target.hostname);
    } catch {
      return false;
    }
  });
  return found.length === 1 ? found[0]! : null;
}

const quote = (v: string) => JSON.stringify(v);

export interface HistoryOptions {
  /** --match; null: found from the active targets. */
  match: string | null;
  windowMs: number;
  nowMs: number;
}

/** The history of the one instance the selector names; an error says why there is none. */
export async function loadHistory(client: PrometheusClient, target: Target, o: HistoryOptions): Promise<{ records: PollRecord[]; note: string }> {
  let match: string;
  if (o.match !== null) match = normalizeMatch(o.match);
  else {
    const t = scrapeTargetFor((await client.targets()).data, target);
    if (!t) {
      throw new LivepprofError('no-series', `no target Prometheus scrapes has the address ${target.hostname}:${target.port}; name the instance with --match '{instance="…"}'`);
    }
    match = `instance=${quote(t.labels.instance ?? '')},job=${quote(t.labels.job ?? '')}`;
  }
  const f = await fetchFleet(client, { match, windowMs: o.windowMs, points: HISTORY_POINTS, atMs: null }, o.nowMs);
  if (f.instances.length > 1) {
    const names = f.instances.slice(0, 3).map((i) => i.key).join(', ');
    throw new LivepprofError('usage', `--match {${match}} matches ${f.instances.length} instances (${names}${f.instances.length > 3 ? ', …' : ''}): name one, e.g. '{instance="${f.instances[0]!.key}"}'`);
  }
  const inst = f.instances[0]!;
  // Numbered before the first poll (seq 1), so that no history record shares a seq with a poll.
  const records = inst.records.map((r, i) => ({ ...r, seq: i - inst.records.length }));
  const span = records.length > 1 ? records[records.length - 1]!.time - records[0]!.time : 0;
  const missing = inst.missing.length ? `; not exported: ${inst.missing.map((m) => m.split(' (')[0]).join(', ')}` : '';
  return { records, note: `${formatDuration(span)} of history from Prometheus for {${match}} (${records.length} points, every ${formatDuration(f.stepMs)})${missing}` };
}
