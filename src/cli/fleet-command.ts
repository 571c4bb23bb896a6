// `livepprof fleet --prometheus URL [--match 'job="api"'] [--window 6h]`: every instance of a
// service at once, from the history in Prometheus, each judged by the same verdict engine as a
// live target. Full-screen by default; `--json` prints one object per instance and exits.

import { FLEET_SORT_KEYS, fleetRowFigures, sortFleetRows, type FleetRow } from '../analysis/fleet.js';
import { LivepprofError } from '../errors.js';
import { FleetSource, normalizeMatch, type FleetQuery } from '../source/prometheus-fleet.js';
import { EXIT } from './exit-codes.js';
import { HTTP_OPTIONS } from './http-options.js';
import type { Io } from './io.js';
import type { CommandDef, OptionDef, ParsedArgs } from './options.js';
import { boolOption, durationOption, stringOption } from './options.js';
import { DEFAULT_WINDOW_MS, PROMETHEUS_OPTIONS, prometheusClientFrom } from './session-options.js';
import { verdictJson } from './watch-command.js';

/**
 * Sample times per instance over the window (--step overrides): 60 keeps the first table of 1,000
 * instances, verdicts included, within 2 s; attaching (Enter) judges one instance at full resolution.
 */
export const FLEET_POINTS = 60;
const DEFAULT_REFRESH_MS = 30_000;

export const FLEET_OPTIONS: OptionDef[] = [
  { name: 'json', type: 'boolean', description: 'print one JSON object per instance (its figures and verdict), most growing first, and exit' },
  { name: 'at', type: 'string', value: 'TIME', description: 'judge the window ending at TIME (RFC 3339 or Unix seconds) instead of now: a night to look back on' },
  { name: 'step', type: 'string', value: 'DURATION', description: 'time between the samples each instance is judged on (finer: more points per verdict, up to the 120 it uses; slower)', defaultText: 'window/60' },
  { name: 'refresh', type: 'string', value: 'DURATION', description: 'time between queries to Prometheus', defaultText: '30s' },
  { name: 'interval', type: 'string', value: 'DURATION', description: 'time between polls of an instance attached with Enter', defaultText: '5s' },
  {
    name: 'pprof-url',
    type: 'string',
    value: 'TEMPLATE',
    description: "where Enter attaches, e.g. 'http://{instance}/debug/pprof/' ({instance} and any {label}); default: the host of the instance's scrape URL",
  },
];

export function fleetCommand(io: Io): CommandDef {
  return {
    name: 'fleet',
    summary: 'Every instance of a service at once, from Prometheus: who grows, since when, and the verdict for each.',
    usage: "livepprof fleet --prometheus URL [--match 'job=\"api\"'] [--window 6h] [options]",
    description:
      'One row per instance (the `instance` label): RSS, working set/limit (cAdvisor, joined on pod), live heap, heap goal,\n' +
      'memory the runtime keeps, goroutines, growth per hour of the live heap and of RSS, runway, sparklines and the verdict,\n' +
      "from the same engine as a live target, fed with each instance's series over the window. A handful of queries\n" +
      'cover all instances. Enter attaches to an instance live (its pprof address from the scrape URL, or --pprof-url);\n' +
      'Esc comes back. m marks a row; marking a second shows the heap of the first minus the second in the Diff pane.\n' +
      'Headers for Prometheus: --prometheus-header; for the instances: --header. Exit status: 0, or 1 when Prometheus failed.',
    positionals: { min: 0, max: 0 },
    options: [...PROMETHEUS_OPTIONS, ...FLEET_OPTIONS, ...HTTP_OPTIONS, { name: 'help', type: 'boolean', short: 'h', description: 'show this help' }],
    examples: [
      "livepprof fleet --prometheus http://prometheus:9090 --match 'job=\"api\"'",
      "livepprof fleet --prometheus http://mimir/prometheus --prometheus-header @tenant.txt --match 'namespace=\"prod\",app=\"api\"' --window 12h --json",
    ],
    run: (args) => runFleet(io, args),
  };
}

/** `--at`: RFC 3339, or Unix seconds. */
export function parseAt(text: string | undefined): number | null {
  if (text === undefined) return null;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (!Number.isFinite(ms)) throw new LivepprofError('usage', `--at ${JSON.stringify(text)} is not a time; give RFC 3339 (2026-01-02T03:04:05Z) or Unix seconds`);
  return ms;
}

export function fleetQueryFrom(args: ParsedArgs): FleetQuery {
  const windowMs = durationOption(args, 'window', DEFAULT_WINDOW_MS, 1000);
  const stepMs = durationOption(args, 'step', Math.ceil(windowMs / FLEET_POINTS), 100);
  return {
    match: normalizeMatch(stringOption(args, 'match') ?? ''),
    windowMs,
    points: Math.max(3, Math.floor(windowMs / stepMs)),
    atMs: parseAt(stringOption(args, 'at')),
  };
}

/** One line per instance: its figures, then the verdict as `watch --json` prints it. */
export function fleetJsonLine(r: FleetRow): string {
  return JSON.stringify({ ...fleetRowFigures(r), runway: r.runway ? { seconds: Math.round(r.runway.seconds), limit: r.runway.limit, limitSource: r.runway.limitSource } : null, verdict: verdictJson(r.verdict) });
}

async function runFleet(io: Io, args: ParsedArgs): Promise<number> {
  const client = await prometheusClientFrom(args, io.warn);
  if (!client) throw new LivepprofError('usage', 'fleet needs --prometheus URL (a server with the Prometheus HTTP API)');
  const query = fleetQueryFrom(args);
  const source = new FleetSource(client, query, { refreshMs: durationOption(args, 'refresh', DEFAULT_REFRESH_MS, 1000) });
  try {
    if (boolOption(args, 'json')) {
      const ok = await source.refresh();
      const snap = source.snapshot();
      if (!ok) {
        io.warn(`livepprof: ${snap.lastError?.message ?? 'Prometheus failed'}`);
        return EXIT.targetFailed;
      }
      for (const w of snap.warnings) io.warn(`livepprof: warning from Prometheus (a partial answer): ${w}`);
      for (const r of sortFleetRows(snap.rows, FLEET_SORT_KEYS[0]!)) io.out(fleetJsonLine(r) + '\n');
      return EXIT.ok;
    }
    const { runFleetScreen } = await import('./fleet-screen.js');
    return await runFleetScreen(io, args, source, client);
  } finally {
    await source.stop();
    await client.close();
  }
}
