// `livepprof watch <target>`: one line per poll — RSS next to the Go heap — as a table or as
// JSON lines. Keeps going when polls fail; stops after --count polls or on Ctrl-C.

import { containerAdviceFor, describeRunway, limitRunway } from '../analysis/container-memory.js';
import { formatBytes, formatClock, formatCount, formatDuration } from '../analysis/format.js';
import type { PollRecord } from '../analysis/poll-record.js';
import { recordToJson } from '../analysis/poll-record.js';
import { Session } from '../session/session.js';
import { describeTarget } from '../source/target.js';
import type { Io } from './io.js';
import type { CommandDef, ParsedArgs } from './options.js';
import { boolOption, intOption } from './options.js';
import { TARGET_OPTIONS, openTarget } from './session-options.js';
import { pollsExitCode } from './exit-codes.js';
import { STOP_GRACE_MS, untilEnded, within } from './signals.js';
import type { Verdict } from '../analysis/verdict.js';
import { suggestionText } from '../state/suggestions.js';

/** The verdict in `watch --json`: what is shown, a change being confirmed, the runway and the history. */
export function verdictJson(v: Verdict): Record<string, unknown> {
  return {
    kind: v.kind,
    confidence: Number(v.confidence.toFixed(2)),
    summary: v.summary,
    evidence: v.evidence,
    suggestions: v.suggestions.map(suggestionText),
    gcThrash: v.gcThrash,
    pending: v.pending,
    runway: v.runway ? { seconds: Math.round(v.runway.seconds), limit: v.runway.limit, limitSource: v.runway.limitSource, rate: Math.round(v.runway.rate) } : null,
    history: v.history.map((h) => ({ kind: h.kind, from: new Date(h.from).toISOString(), to: h.to === null ? null : new Date(h.to).toISOString(), note: h.note })),
  };
}

export function watchCommand(io: Io): CommandDef {
  return {
    name: 'watch',
    summary: 'Poll a target and print RSS next to the Go heap, one line per poll (no TTY needed).',
    usage: 'livepprof watch <host:port|url|recording-dir> [options]',
    description:
      'Each poll reads MemStats from the cheapest source the target has (/metrics, /debug/vars, else heap?debug=1),\n' +
      'RSS from /proc when the target runs on this host (else /metrics, else an estimate), the goroutine count,\n' +
      'and a heap profile only when a GC has completed since the last one. Failed polls are printed and retried.\n' +
      'The verdict needs at least 3 polls, and the live heap at 4 GCs to say nothing grows, 5 to show a trend (one\n' +
      'point per GC a poll sees: GCs between two polls count once). At --interval 1s a busy service is judged within\n' +
      "seconds; a quiet one whose GC runs only every 2 minutes (the runtime's forced GC) takes up to 10 minutes, and\n" +
      'says meanwhile what the last GC found and when the next is due.\n' +
      'A new kind replaces the shown one after winning 2 polls in a row (`verdict.pending` says which is winning).\n' +
      'Exit status: 0 when every poll succeeded, 1 when none did, 3 when some failed; 129/130/143 when stopped by\n' +
      'SIGHUP (or the terminal going away) / SIGINT / SIGTERM.',
    positionals: { min: 1, max: 1 },
    options: [
      { name: 'json', type: 'boolean', description: 'one JSON object per poll' },
      { name: 'count', type: 'string', value: 'N', description: 'stop after N polls' },
      ...TARGET_OPTIONS,
      { name: 'help', type: 'boolean', short: 'h', description: 'show this help' },
    ],
    examples: [
      'livepprof watch 127.0.0.1:6060',
      'livepprof watch http://127.0.0.1:6060/debug/pprof/ --json --interval 1s --count 10',
      'livepprof watch ./incident-recording --speed 0',
    ],
    run: (args) => runWatch(io, args),
  };
}

const COLUMNS = ['time', 'rss', 'src', 'heap inuse', 'idle kept', 'released', 'lazyfree', 'goroutines', 'GCs'];
const WIDTHS = [8, 8, 8, 10, 9, 8, 8, 10, 5];

function row(cells: string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(WIDTHS[i]!) : c.padStart(WIDTHS[i]!))).join('  ');
}

/** A readable one-line summary of a poll for humans. */
export function formatWatchLine(r: PollRecord, nextPollInMs: number | null): string {
  const idleKept = r.heapIdle !== null && r.heapReleased !== null ? r.heapIdle - r.heapReleased : null;
  const cells = [
    formatClock(r.time),
    formatBytes(r.rss),
    r.rssSource ?? '-',
    formatBytes(r.heapInuse),
    formatBytes(idleKept),
    formatBytes(r.heapReleased),
    formatBytes(r.lazyFree),
    formatCount(r.goroutines),
    formatCount(r.numGC),
  ];
  let line = row(cells);
  if (r.restarted) line += `  restarted: ${r.restartReason}`;
  if (!r.ok && r.error) {
    line = `${formatClock(r.time).padEnd(WIDTHS[0]!)}  poll failed: ${r.error.message}${nextPollInMs !== null ? ` (retrying in ${formatDuration(nextPollInMs)})` : ''}`;
  }
  return line;
}

/** The working set's headroom to the cgroup's limit and, when it grows, the time left at that rate. */
function limitRunwayJson(records: PollRecord[]): Record<string, unknown> | null {
  const last = records[records.length - 1];
  const r = limitRunway(records);
  if (!r || !last || last.workingSet === null || last.memoryLimit === null) return null;
  return {
    headroom: r.headroom,
    growthPerSec: r.growthPerSec === null ? null : Math.round(r.growthPerSec),
    secondsLeft: r.secondsLeft === null ? null : Math.round(r.secondsLeft),
    summary: describeRunway(r, last.memoryLimit, last.workingSet),
  };
}

async function runWatch(io: Io, args: ParsedArgs): Promise<number> {
  const opened = await openTarget(args.positionals[0]!, args, io.warn);
  const json = boolOption(args, 'json');
  const count = intOption(args, 'count', 0, 1) || undefined;
  let printedHeader = false;
  let shownVerdict: string | null = null;
  const polls = { ok: 0, failed: 0 };
  let shownIdentity: string | null = null;
  const session: Session = new Session(opened.fetcher, {
    ...opened.session,
    ...(count !== undefined ? { count: Math.min(count, opened.session.count ?? Infinity) } : {}),
    onRecord: (r) => {
      const first = polls.ok + polls.failed === 0;
      polls[r.ok ? 'ok' : 'failed']++;
      // The history from Prometheus (--prometheus), said once: what the first verdict stands on.
      const { prometheusHistory: history, prometheusNote: note } = session.snapshot();
      const historyJson = first && note !== null ? { prometheusHistory: { points: history.length, note } } : {};
      if (json) {
        const snap = session.snapshot();
        const v = snap.verdict;
        const limitRunway = r.ok ? limitRunwayJson(snap.timeline.toArray()) : null;
        const advice = containerAdviceFor(r);
        io.out(
          recordToJson(r, {
            ...(v ? { verdict: verdictJson(v) } : {}),
            ...(limitRunway ? { limitRunway } : {}),
            ...(advice.length > 0 ? { containerAdvice: advice } : {}),
            ...historyJson,
          }) + '\n',
        );
        return;
      }
      if (first && note !== null) io.warn(note);
      if (!printedHeader) {
        io.out(row(COLUMNS) + '\n');
        printedHeader = true;
      }
      const { nextPollAt: next, verdict } = session.snapshot();
      io.out(formatWatchLine(r, next === null || opened.recording ? null : Math.max(0, next - Date.now())) + '\n');
      if (r.identity && r.identity !== shownIdentity) {
        shownIdentity = r.identity;
        io.out(`          ${r.identity}\n`);
      }
      if (verdict && verdict.kind !== shownVerdict) {
        shownVerdict = verdict.kind;
        io.out(`          verdict: ${verdict.summary}\n`);
      }
    },
  });
  if (!json) {
    io.warn(`watching ${describeTarget(opened.fetcher.target)} every ${formatDuration(opened.intervalMs)}${opened.recording ? ' (replaying a recording)' : ''}; Ctrl-C stops`);
  }
  let ending = null;
  try {
    ending = await untilEnded(session.start(), () => session.stop());
  } finally {
    await within(opened.fetcher.close(), STOP_GRACE_MS);
  }
  return ending ?? pollsExitCode(polls.ok, polls.failed);
}
