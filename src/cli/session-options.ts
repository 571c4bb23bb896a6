// Options shared by the commands that poll a target (watch, record, the TUI), and opening a
// target: a live service, or a recording directory played back through the same poll logic.

import { existsSync, statSync } from 'node:fs';
import { LivepprofError } from '../errors.js';
import { LiveFetcher, type Fetcher } from '../source/fetcher.js';
import { isRecordingDir, openRecording, RecordingWriter, ReplayFetcher, type Recording } from '../source/recording.js';
import { parseTarget } from '../source/target.js';
import type { DecodeLimits } from '../profile/decode.js';
import { inlineDecoderWith } from '../session/heap-decoder.js';
import { DEFAULT_INTERVAL_MS, type SessionOptions } from '../session/session.js';
import type { PollRecord } from '../analysis/poll-record.js';
import { HTTP_OPTIONS, collectHeaders, decodeLimitsFrom, httpOptionsFrom } from './http-options.js';
import { PrometheusClient, parsePrometheusUrl } from '../source/prometheus.js';
import type { OptionDef, ParsedArgs } from './options.js';
import { boolOption, durationOption, intOption, listOption, stringOption } from './options.js';

export const POLL_OPTIONS: OptionDef[] = [
  { name: 'interval', type: 'string', value: 'DURATION', description: 'time between polls', defaultText: '5s' },
  { name: 'pid', type: 'string', value: 'N', description: 'read RSS from /proc/N (found from the port for a loopback target)' },
  { name: 'metrics', type: 'string', value: 'URL', description: 'Prometheus metrics URL', defaultText: '/metrics on the target' },
  { name: 'gc', type: 'boolean', description: 'force a GC before each heap profile (heap?gc=1): fresher, but costs the target a full GC' },
  { name: 'speed', type: 'string', value: 'X', description: 'replaying a recording: X times the recorded pace, 0 = as fast as possible', defaultText: '1' },
];

export const PROMETHEUS_OPTIONS: OptionDef[] = [
  {
    name: 'prometheus',
    type: 'string',
    value: 'URL',
    description: "a server with Prometheus's HTTP API (Prometheus, Thanos, Mimir, Cortex, VictoriaMetrics); no user or password in the URL",
  },
  {
    name: 'match',
    type: 'string',
    value: 'MATCHERS',
    description: 'label matchers for the instances, e.g. \'job="api"\' or \'{instance="10.0.0.7:8080"}\'',
  },
  { name: 'window', type: 'string', value: 'DURATION', description: 'how far back to read from Prometheus', defaultText: '6h' },
  {
    name: 'prometheus-header',
    type: 'string',
    multiple: true,
    value: "'NAME: VALUE'|@FILE",
    description: "request header for Prometheus only (a bearer token, Mimir's X-Scope-OrgID), never sent to targets; @FILE keeps it out of argv. Also: LIVEPPROF_PROMETHEUS_HEADERS",
  },
];

export const TARGET_OPTIONS: OptionDef[] = [...POLL_OPTIONS, ...PROMETHEUS_OPTIONS, ...HTTP_OPTIONS];

export interface OpenedTarget {
  fetcher: Fetcher;
  intervalMs: number;
  recording: Recording | null;
  /** How far a heap profile may inflate (--max-inflated): the TUI's worker decoder needs it too. */
  limits: DecodeLimits;
  /** Session options that differ between live and replay (pace, number of polls). */
  session: SessionOptions;
}

function speedOption(args: ParsedArgs): number {
  const v = stringOption(args, 'speed');
  if (v === undefined) return 1;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new LivepprofError('usage', `--speed must be a number ≥ 0, not ${JSON.stringify(v)}`);
  return n;
}

/**
 * A path that is not a recording would otherwise be read as a host name: looked up in DNS and
 * polled with retries forever. Say what it is instead.
 */
function refusePath(arg: string): void {
  // host:port, a port, [v6]:port or a URL: a target even if a file of that name happens to exist.
  if (/^([\w.-]*:\d{1,5}|\d{1,5}|\[[0-9a-f:.]+\](:\d{1,5})?|[a-z][a-z0-9+.-]*:\/\/.*)$/i.test(arg)) return;
  if (existsSync(arg)) {
    const what = statSync(arg).isDirectory() ? 'a directory but not a livepprof recording (no meta.json)' : 'a file, not a target';
    throw new LivepprofError('usage', `${arg} is ${what}; give host:port, a URL or a recording directory (a profile file: livepprof top FILE)`);
  }
  if (/^\.{0,2}\//.test(arg) || /\.(pb|gz|prof|pprof|txt|json)$/i.test(arg)) {
    throw new LivepprofError('usage', `no such file or directory: ${arg}`);
  }
}

export async function openTarget(arg: string, args: ParsedArgs, warn: (line: string) => void): Promise<OpenedTarget> {
  const limits = decodeLimitsFrom(args);
  const decoder = inlineDecoderWith(limits);
  if (isRecordingDir(arg)) {
    if (stringOption(args, 'prometheus') !== undefined) throw new LivepprofError('usage', '--prometheus adds history before the first poll of a live target; a recording replays its own');
    const recording = await openRecording(arg);
    const fetcher = await new ReplayFetcher(recording).load();
    const speed = speedOption(args);
    const records = recording.timeline as PollRecord[];
    const times = new Map(records.map((r) => [r.seq, r.time]));
    return {
      fetcher,
      intervalMs: recording.meta.intervalMs,
      recording,
      limits,
      session: {
        decoder,
        intervalMs: recording.meta.intervalMs,
        count: recording.seqs.length,
        // The recorded gap to the next poll, sped up.
        delay: (r) => {
          if (speed === 0) return 0;
          const next = times.get(r.seq + 1);
          const gap = next !== undefined ? next - r.time : recording.meta.intervalMs;
          return Math.max(0, gap / speed);
        },
      },
    };
  }
  refusePath(arg);
  const target = parseTarget(arg);
  const intervalMs = durationOption(args, 'interval', DEFAULT_INTERVAL_MS, 100);
  const pidText = stringOption(args, 'pid');
  const metricsUrl = stringOption(args, 'metrics');
  const fetcher = new LiveFetcher(target, {
    http: httpOptionsFrom(args, warn),
    ...(pidText !== undefined ? { pid: intOption(args, 'pid', 0, 1) } : {}),
    ...(metricsUrl ? { metricsUrl } : {}),
    gc: boolOption(args, 'gc'),
  });
  const prometheus = await prometheusClientFrom(args, warn);
  const windowMs = durationOption(args, 'window', DEFAULT_WINDOW_MS, 1000);
  const match = stringOption(args, 'match') ?? null;
  const prometheusHistory = prometheus
    ? async () => {
        const { loadHistory } = await import('../source/prometheus-history.js');
        try {
          return await loadHistory(prometheus, target, { match, windowMs, nowMs: Date.now() });
        } finally {
          await prometheus.close();
        }
      }
    : undefined;
  return { fetcher, intervalMs, recording: null, limits, session: { intervalMs, decoder, ...(prometheusHistory ? { prometheusHistory } : {}) } };
}

/** A new recording of `opened` in `dir` (record --out, the full-screen view's --record): 0700, files 0600, --force to reuse a directory. */
export function recordingWriter(dir: string, opened: OpenedTarget, args: ParsedArgs): Promise<RecordingWriter> {
  return RecordingWriter.create(dir, { target: opened.fetcher.target.input, intervalMs: opened.intervalMs, gc: boolOption(args, 'gc') }, boolOption(args, 'force'));
}

// ---- Prometheus: history before the first poll (open, watch, record) and the fleet -----------

export const DEFAULT_WINDOW_MS = 6 * 3_600_000;

/**
 * The Prometheus client the options ask for, or null without --prometheus. Its headers are its
 * own (--prometheus-header): the target's --header never goes to Prometheus, nor the other way;
 * --timeout, --max-bytes, --cacert and --insecure apply to both.
 */
export async function prometheusClientFrom(args: ParsedArgs, warn: (line: string) => void): Promise<PrometheusClient | null> {
  const url = stringOption(args, 'prometheus');
  if (url === undefined) {
    for (const o of ['match', 'prometheus-header']) if (args.values[o] !== undefined) throw new LivepprofError('usage', `--${o} needs --prometheus URL`);
    return null;
  }
  const base = parsePrometheusUrl(url);
  const { headers, exposedOnCommandLine } = collectHeaders(listOption(args, 'prometheus-header'), { LIVEPPROF_HEADERS: process.env.LIVEPPROF_PROMETHEUS_HEADERS });
  if (exposedOnCommandLine.length > 0) {
    warn(`warning: --prometheus-header ${exposedOnCommandLine.join(', ')} is visible to every user of this host (ps, /proc); use --prometheus-header @FILE or LIVEPPROF_PROMETHEUS_HEADERS instead`);
  }
  const { unixSocket: _socket, ...http } = httpOptionsFrom({ ...args, values: { ...args.values, header: [] } }, warn);
  const { HttpClient } = await import('../source/http.js');
  return new PrometheusClient(base, new HttpClient({ ...http, headers }));
}
