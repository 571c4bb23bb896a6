// Judges every poll of one run against the fixture's truth. Pure: truth + poll lines in,
// per-poll and per-regime results out (docs/matrix.md states the rules in words).
//
// A poll belongs to the regime its time falls in. Before the regime's deadline any of
// {insufficient-data, what the previous regime accepted (healthy before the first), what this
// one accepts} is correct; from the deadline on only what this regime accepts. gcThrash must be
// true from a thrash regime's thrash deadline, and false where no thrash is expected (a missing
// field is false). GCs are counted from the process's own log, not from what livepprof saw, as
// a poller at the run's interval can tell them apart (GCs within one interval count once).

import type { Deadline, Kind, PollLine, Regime, Truth } from './truth.js';

export interface PollJudgement {
  /** Seconds after t0. */
  t: number;
  regime: number;
  kind: Kind;
  confidence: number | null;
  gcThrash: boolean;
  pending: boolean;
  /** What livepprof said, for reading a failure in results.json. */
  summary: string;
  /** Past this regime's deadline (kind or thrash): counted in settled accuracy. */
  settled: boolean;
  correct: boolean;
  /** The primary kind exactly (and the thrash flag right). */
  primary: boolean;
  /** Kind in the regime's accepted set and thrash flag as the regime says, deadline or not: for calibration. */
  accepted: boolean;
}

export type Outcome = 'on-time' | 'late' | 'missed' | 'open';

export interface RegimeResult {
  index: number;
  label: string;
  expected: Kind;
  accept: Kind[];
  gcThrash: boolean;
  start: number;
  end: number | null;
  polls: number;
  settled: number;
  settledCorrect: number;
  /** Changes of the shown kind within the regime (leaving insufficient-data at the run's start is not one). */
  changes: number;
  /** The regime asks for something new (a different kind, or thrash), with a deadline. */
  detect: boolean;
  outcome: Outcome | null;
  /** From the deadline's `from` to the first poll showing an accepted kind (and gcThrash where due). */
  toRight: { polls: number; gcs: number; seconds: number } | null;
  /** What the deadline was, in polls/GCs (for messages). */
  deadline: Deadline | null;
  shown: Record<string, number>;
}

export interface RunJudgement {
  polls: PollJudgement[];
  regimes: RegimeResult[];
  settled: number;
  settledCorrect: number;
  settledPrimary: number;
  failedPolls: number;
  /** Why this run misses a target (empty: it meets them all). */
  failures: string[];
}

export const ACCURACY_TARGET = 0.95;
export const MAX_CHANGES = 1;

const PREVIOUS_OF_FIRST: Kind[] = ['healthy'];

/** NumGC at `t` seconds after t0, from the process's own log (else from the poll lines). */
/**
 * GCs up to time t, counted from the process's log as a poller at the run's interval can tell
 * them apart: GCs closer than one interval to the last one counted are one (a batch that
 * triggers four GCs within a second gives any poller one new GC state, not four).
 */
function gcCounter(truth: Truth, lines: PollLine[], times: number[], only: (ms: number) => boolean = () => true): (t: number) => number {
  const log = truth.gcLog ?? [];
  const intervalMs = pollIntervalMs(times);
  const counted: number[] = [];
  if (log.length > 0) {
    let before = log[0]![1];
    let lastMs = -Infinity;
    for (const [ms, c] of log.slice(1)) {
      if (c > before && only(ms) && ms - lastMs >= intervalMs) {
        counted.push(ms);
        lastMs = ms;
      }
      before = c;
    }
  } else {
    // No log: the polls' own NumGC, one change per poll at most anyway.
    let before: number | null = null;
    lines.forEach((l, i) => {
      if (l.numGC === null) return;
      if (before !== null && l.numGC > before) counted.push(times[i]! * 1000);
      before = l.numGC;
    });
  }
  return (t) => {
    let n = 0;
    while (n < counted.length && counted[n]! <= t * 1000) n++;
    return n;
  };
}

/** A batch's effect on a GC: from its start to a second after its drop (ms after t0), over the run. */
const BATCH_SLACK_MS = 1000;

function batchWindows(truth: Truth): Array<[number, number]> {
  const end = Math.max(0, ...(truth.gcLog ?? []).map(([ms]) => ms)) + 1;
  const out: Array<[number, number]> = [];
  for (const a of truth.plan?.activities ?? []) {
    if (a.kind !== 'batch' || !a.period || a.period <= 0) continue;
    for (let at = (a.start ?? 0) * 1000; at < end && (!a.stop || at < a.stop * 1000); at += a.period * 1000) {
      out.push([at, at + (a.hold ?? 0) * 1000 + BATCH_SLACK_MS]);
    }
  }
  return out;
}

/** The median time between polls (ms); 1 s with fewer than two. */
function pollIntervalMs(times: readonly number[]): number {
  const d = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
  return d.length > 0 ? d[d.length >> 1]! * 1000 : 1000;
}

export function judgeRun(truth: Truth, lines: PollLine[]): RunJudgement {
  const regimes = truth.regimes;
  const times = lines.map((l) => (Date.parse(l.time) - truth.t0) / 1000);
  const gcAt = gcCounter(truth, lines, times);
  // Deadlines that count GCs of one kind: during a batch, or between batches (see Deadline).
  const windows = batchWindows(truth);
  const inBatch = (ms: number) => windows.some(([a, b]) => ms >= a && ms <= b);
  const gcsOfAKind = [gcCounter(truth, lines, times, inBatch), gcCounter(truth, lines, times, (ms) => !inBatch(ms))];
  const gcsSince = (d: Deadline, t: number) => {
    const from = d.gcsFrom ?? d.from;
    if (!d.gcsAlike) return gcAt(t) - gcAt(from);
    return Math.max(...gcsOfAKind.map((at) => at(t) - at(from)));
  };
  const regimeOf = (t: number) => {
    let r = 0;
    regimes.forEach((x, i) => {
      if (x.start <= t) r = i;
    });
    return r;
  };
  const reached = (d: Deadline | null | undefined, i: number): boolean => {
    if (!d) return false;
    const t = times[i]!;
    let polls = 0;
    for (let j = 0; j <= i; j++) if (times[j]! >= d.from) polls++;
    return polls >= d.polls && t - d.from >= d.seconds && gcsSince(d, t) >= d.gcs;
  };

  const polls: PollJudgement[] = [];
  let shownAny = false;
  let prevKind: Kind | null = null;
  const changes = regimes.map(() => 0);
  let failedPolls = 0;
  lines.forEach((line, i) => {
    if (!line.ok) failedPolls++;
    const ri = regimeOf(times[i]!);
    const r = regimes[ri]!;
    const prev: Regime | null = ri > 0 ? regimes[ri - 1]! : null;
    const kind: Kind = line.verdict?.kind ?? 'insufficient-data';
    const thrash = line.verdict?.gcThrash === true;
    const kindSettled = reached(r.deadline, i);
    const thrashSettled = r.gcThrash && reached(r.thrashDeadline, i);
    const lenient = new Set<Kind>([...r.accept, ...(prev?.accept ?? PREVIOUS_OF_FIRST), 'insufficient-data']);
    const kindOk = kindSettled ? r.accept.includes(kind) : lenient.has(kind);
    let thrashOk: boolean;
    if (r.gcThrash) thrashOk = thrashSettled ? thrash : true;
    else thrashOk = prev?.gcThrash && !kindSettled ? true : !thrash;
    polls.push({
      t: times[i]!,
      regime: ri,
      kind,
      confidence: typeof line.verdict?.confidence === 'number' ? line.verdict.confidence : null,
      gcThrash: thrash,
      pending: line.verdict?.pending === true,
      summary: line.verdict?.summary ?? (line.ok ? '' : 'poll failed'),
      settled: kindSettled || thrashSettled,
      correct: kindOk && thrashOk,
      primary: kind === r.expected && thrashOk,
      accepted: r.accept.includes(kind) && thrash === r.gcThrash,
    });
    if (prevKind !== null && kind !== prevKind && !(prevKind === 'insufficient-data' && !shownAny)) changes[ri]!++;
    if (kind !== 'insufficient-data') shownAny = true;
    prevKind = kind;
  });

  const results: RegimeResult[] = regimes.map((r, ri) => {
    const prev = ri > 0 ? regimes[ri - 1]! : null;
    const mine = polls.map((p, i) => ({ p, i })).filter(({ p }) => p.regime === ri);
    const shown: Record<string, number> = {};
    for (const { p } of mine) shown[p.kind + (p.gcThrash ? '+thrash' : '')] = (shown[p.kind + (p.gcThrash ? '+thrash' : '')] ?? 0) + 1;
    const newThrash = r.gcThrash && !prev?.gcThrash;
    const deadline = newThrash ? (r.thrashDeadline ?? null) : r.deadline;
    const detect = deadline !== null && (prev === null || r.expected !== prev.expected || newThrash);
    let outcome: Outcome | null = null;
    let toRight: RegimeResult['toRight'] = null;
    if (detect && deadline) {
      // Right: a kind the regime accepts (the primary one, or another it accepts as well).
      const right = mine.find(({ p }) => r.accept.includes(p.kind) && (!r.gcThrash || p.gcThrash));
      const due = mine.find(({ i }) => reached(deadline, i));
      if (right) {
        const t = right.p.t;
        const n = polls.filter((p) => p.t >= deadline.from && p.t <= t).length;
        toRight = { polls: n, gcs: gcAt(t) - gcAt(deadline.from), seconds: Math.round((t - deadline.from) * 10) / 10 };
      }
      outcome = right ? (!due || right.i <= due.i ? 'on-time' : 'late') : due ? 'missed' : 'open';
    }
    const settled = mine.filter(({ p }) => p.settled);
    return {
      index: ri,
      label: r.label,
      expected: r.expected,
      accept: r.accept,
      gcThrash: r.gcThrash,
      start: r.start,
      end: r.end,
      polls: mine.length,
      settled: settled.length,
      settledCorrect: settled.filter(({ p }) => p.correct).length,
      changes: changes[ri]!,
      detect,
      outcome,
      toRight,
      deadline,
      shown,
    };
  });

  const settled = polls.filter((p) => p.settled);
  const run: RunJudgement = {
    polls,
    regimes: results,
    settled: settled.length,
    settledCorrect: settled.filter((p) => p.correct).length,
    settledPrimary: settled.filter((p) => p.primary).length,
    failedPolls,
    failures: [],
  };
  run.failures = failuresOf(run);
  return run;
}

function describeShown(shown: Record<string, number>): string {
  return Object.entries(shown)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}×${n}`)
    .join(' ');
}

function describeDeadline(d: Deadline | null): string {
  if (!d) return 'no deadline';
  const parts = [d.polls ? `${d.polls} polls` : '', d.seconds ? `${d.seconds} s` : '', d.gcs ? `${d.gcs} GCs` : ''].filter(Boolean);
  return `${parts.join(' / ') || 'at once'} after ${d.from} s`;
}

function failuresOf(run: RunJudgement): string[] {
  const out: string[] = [];
  if (run.settled > 0 && run.settledCorrect / run.settled < ACCURACY_TARGET) {
    const wrong = new Map<string, number>();
    for (const p of run.polls.filter((x) => x.settled && !x.correct)) {
      const r = run.regimes[p.regime]!;
      const k = `${p.kind}${p.gcThrash ? '+thrash' : ''}×N where ${r.expected}${r.gcThrash ? '+thrash' : ''} was due`;
      wrong.set(k, (wrong.get(k) ?? 0) + 1);
    }
    const list = [...wrong].map(([k, n]) => k.replace('×N', `×${n}`)).join(', ');
    out.push(`settled accuracy ${pct(run.settledCorrect / run.settled)} (${run.settledCorrect}/${run.settled}; wrong: ${list})`);
  }
  for (const r of run.regimes) {
    const what = `regime ${r.index} [${r.start}s–${r.end ?? 'end'}] "${r.label}"`;
    if (r.changes > MAX_CHANGES) out.push(`${what}: ${r.changes} verdict changes (${describeShown(r.shown)})`);
    if (r.outcome === 'late' || r.outcome === 'missed') {
      const want = r.expected + (r.gcThrash ? ' with gcThrash' : '');
      const took = r.toRight ? `, shown after ${r.toRight.polls} polls / ${r.toRight.gcs} GCs` : '';
      out.push(`${what}: ${want} due ${describeDeadline(r.deadline)}: ${r.outcome}${took} (shown: ${describeShown(r.shown)})`);
    }
  }
  return out;
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(x === 1 ? 0 : 1)}%`;
}
