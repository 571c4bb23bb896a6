// The verdict: what the memory is doing, how sure we are, the evidence, what to do next, how
// long until memory runs out, and the story so far. Pure: it reads the poll timeline (and growth
// evidence the caller derives from the heap and goroutine profiles) and returns a value.
//
// The rules (verdict-rules.ts) are built on the runtime's own arithmetic (gc-model.ts) and robust
// trend statistics (trend.ts). Noise does not flip the verdict: a shown kind holds at looser
// evidence than it needs to enter, and a new kind must win SWITCH_AFTER evaluations in a row
// before it replaces the shown one; meanwhile the change is shown as pending.

import { formatBytes, formatClock, formatDuration, plural } from './format.js';
import type { PollRecord } from './poll-record.js';
import {
  MIN_POLLS,
  MIN_TREND_POINTS,
  buildModel,
  footprintNote,
  goroutineLeak,
  goroutinesHoldingHeap,
  mostlyInFlight,
  heapLeak,
  interimStatement,
  nonGoMemory,
  plateauNote,
  flatTail,
  floorOf,
  plateauOf,
  trendOf,
  runtimeRetention,
  spikeNote,
  thrashNote,
  type Finding,
  type GoroutineGrowth,
  type HeapGrowth,
  type LeakedGoroutines,
  type Model,
  type Runway,
  type Suggestion,
  type VerdictKind,
} from './verdict-rules.js';
import { comparablePairs, mannKendall, type Point } from './trend.js';
import { HEAP_MINIMUM, allocatedSinceLastGc } from './gc-model.js';

export type { GoroutineGrowth, HeapGrowth, LeakedGoroutines, Runway, Suggestion, VerdictAction, VerdictKind } from './verdict-rules.js';
export { MIN_POLLS, MIN_TREND_POINTS } from './verdict-rules.js';

/** One span of the verdict's history: a kind shown from `from` until `to` (null: still shown). */
export interface VerdictChange {
  kind: VerdictKind;
  from: number;
  to: number | null;
  /** How it ended, e.g. "growth stopped at 61MB". */
  note: string | null;
}

export interface Verdict {
  kind: VerdictKind;
  /** 0–1: from the statistics behind the finding. */
  confidence: number;
  summary: string;
  evidence: string[];
  suggestions: Suggestion[];
  /** The GC runs back to back against GOMEMLIMIT. */
  gcThrash: boolean;
  /** Time until memory runs out, for a growing verdict whose limit is known. */
  runway: Runway | null;
  /** A different kind is winning and waits for confirmation (the shown kind still holds). */
  pending: VerdictKind | null;
  /** The kinds shown so far in this session, oldest first (bounded). */
  history: VerdictChange[];
}

export interface VerdictInput {
  /** Poll records, oldest first. */
  records: readonly PollRecord[];
  /** Computed only when a heap leak is being reported. */
  heapGrowth: () => readonly HeapGrowth[];
  goroutineGrowth: () => readonly GoroutineGrowth[];
  /** e.g. "go1.19.8", when the target says (go_info). */
  goVersion: string | null;
  /** Where heap growth is measured from, for the evidence ("than at the first profile"). */
  baselineLabel?: string;
  /** The runtime's goroutine-leak profile, when fetched (on demand) for this process. */
  leakedGoroutines?: LeakedGoroutines | null;
  /** Clock times in evidence (local time by default; tests pass a fixed zone). */
  formatTime?: (ms: number) => string;
}

/** Evaluations a new kind must win in a row before it replaces the shown one. */
export const SWITCH_AFTER = 2;
/**
 * Healthy without a trend, from the runtime's arithmetic: between two GCs the live heap can grow
 * by at most what is allocated meanwhile. When the GCs seen show no rise and what was allocated
 * since the last one is a few percent of the live heap, no leak worth the name can be hiding,
 * however few GCs a quiet service runs.
 */
function quietHeap(m: Model): { summary: string; evidence: string[]; confidence: number } | null {
  const pts = m.live.points;
  const allocated = allocatedSinceLastGc(m.run);
  if (pts.length < 2 || allocated === null) return null;
  const level = pts[pts.length - 1]!.v;
  const rose = pts[pts.length - 1]!.v - pts[0]!.v;
  if (level <= 0 || rose > QUIET_RISE * level || allocated > QUIET_ALLOCATED * level) return null;
  const r = m.last;
  return {
    summary: `healthy: quiet heap: at most ${formatBytes(allocated)} allocated since the last GC, ${Math.round((100 * allocated) / level)}% of the ${formatBytes(level)} live heap; RSS ${formatBytes(r.rss)}`,
    evidence: [
      `live heap at the ${pts.length} GCs seen: ${formatBytes(pts[0]!.v)} → ${formatBytes(level)}; between GCs it can grow by no more than is allocated (TotalAlloc)`,
      ...interimStatement(m, 0, 0).evidence.slice(1),
    ],
    confidence: Math.max(0.5, Math.min(0.95, 1 - allocated / (QUIET_ALLOCATED * level) / 2)),
  };
}

/** A heap that rose less than this share across the GCs seen… */
const QUIET_RISE = 0.05;
/** …and allocated less than this share of itself since the last GC cannot be leaking much. */
const QUIET_ALLOCATED = 0.05;

/** Healthy is only claimed when the evidence that nothing grows reaches this confidence. */
const HEALTHY_MIN_CONFIDENCE = 0.8;
/** History entries kept. */
const HISTORY = 20;

/** The records that describe one process: since the last restart, good polls only. */
export function currentRun(records: readonly PollRecord[]): PollRecord[] {
  let start = 0;
  records.forEach((r, i) => {
    if (r.restarted) start = i;
  });
  return records.slice(start).filter((r) => r.ok);
}

/** Priority when several hold: a goroutine leak also grows the heap, so it comes first. */
const PRIORITY: Finding['kind'][] = ['goroutine-leak', 'heap-leak', 'non-go-memory', 'runtime-retention', 'healthy'];

/**
 * Findings in the order told. A goroutine leak leads whenever found (its count is unambiguous
 * and explains the memory it holds); a heap leak and memory outside Go growing together are told
 * fastest first, as that is what fills memory: a live heap creeping 1 kB/s beside a 1.4 MB/s mmap
 * growth is the lesser story, however significant its trend.
 */
function byPriority(a: Finding, b: Finding): number {
  const growth = (f: Finding) => f.kind === 'heap-leak' || f.kind === 'non-go-memory';
  if (growth(a) && growth(b)) return (b.growthRate ?? 0) - (a.growthRate ?? 0);
  return PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind);
}

/**
 * Confidence that nothing grows: the evidence that the live heap rises slower than a 10% rise
 * over the run (Mann–Kendall on the series minus that rise), so it grows with the number of GC
 * cycles seen and falls with their noise.
 */
function flatConfidence(pts: readonly Point[], runSpanMs?: number): number {
  if (pts.length < 3) return 0.5;
  const t0 = pts[0]!.t;
  // The rise ruled out is 10% of the level over the whole run, also when judging its flat end.
  const span = (runSpanMs ?? pts[pts.length - 1]!.t - t0) / 1000 || 1;
  // Below the runtime's 4 MB minimum heap goal a live heap's growth does not move the footprint:
  // 200 kB → 400 kB is no rise to rule out.
  const level = Math.max(HEAP_MINIMUM, ...pts.map((p) => p.v));
  const r0 = (0.1 * level) / span;
  const shifted = pts.map((p) => ({ ...p, v: p.v - (r0 * (p.t - t0)) / 1000 }));
  return Math.max(0.5, Math.min(0.99, 1 - mannKendall(shifted).pFalling));
}

/**
 * The flat end of the live heap (verdict-rules flatTail) as evidence that nothing grows now,
 * holding it to the whole run's 10% rise: a start-up step followed by GCs that find the same
 * live heap is flat, a slow leak's last few points are not.
 */
function flatEndConfidence(pts: readonly Point[]): number {
  if (pts.length < 2) return 0.5;
  return flatConfidence(flatTail(pts), pts[pts.length - 1]!.t - pts[0]!.t);
}

/**
 * The flat end of the live heap has the GC points a "no rise" needs and shows not even a weak
 * sign of rising (one-sided Mann–Kendall p ≥ P_NO_SIGN). Few and noisy points (GCs that batches
 * trigger catch a part of each batch live) cannot rule out a slow leak with confidence, but
 * nothing says one is there: healthy is then said at the low confidence the statistics give,
 * rather than "watching" for minutes.
 */
function noSignOfRise(m: Model): boolean {
  const tail = flatTail(m.livePts);
  // As many pairs to compare as 4 points give: GCs during bursts are compared only with each other.
  const need = MIN_TREND_POINTS - 1;
  return comparablePairs(tail) >= (need * (need - 1)) / 2 && mannKendall(tail).pRising >= P_NO_SIGN;
}
const P_NO_SIGN = 0.2;

/**
 * Healthy, while the totals at each GC still rise and fall, when they are mostly memory in flight
 * (mostlyInFlight, with as many kept points as "no sign of a rise" needs: checked by the caller)
 * and what the heap keeps shows no sign of rising (a leak is kept memory). Returns the evidence,
 * or null.
 */
function memoryInFlight(m: Model): string | null {
  if (mannKendall(m.kept).pRising < P_NO_SIGN) return null;
  const first = m.kept[0]!;
  const last = m.keptRecent[m.keptRecent.length - 1]!;
  return (
    `the live heap at each GC is mostly memory in flight: stacks that free what they allocate held ${Math.floor((100 * (last.inuse - last.v)) / last.inuse)}% of the ${formatBytes(last.inuse)} live at the last GC; ` +
    `what the heap keeps went ${formatBytes(first.v)} → ${formatBytes(last.v)} over ${plural(m.kept.length, 'GC')} (heap profile)`
  );
}

function healthy(m: Model): Finding {
  const r = m.last;
  const evidence: string[] = [];
  // A rise the Mann–Kendall test finds significant, too small or too slow to call a leak, is
  // not evidence of health: said, and the confidence says so. It must also lift the level by
  // more than twice the series' own scatter (robust SD around the fit): on a flat, noisy heap
  // one judgement in twenty is "significant" at p<0.05, by a fraction of the noise. Under the
  // 4 MB minimum heap goal a creep does not move the footprint (a leak there is heapLeak's).
  const tr = trendOf(m.livePts);
  const creeping = tr !== null && tr.slope > 0 && tr.pRising < 0.05 && !tr.stopped && tr.to - tr.from > 2 * tr.scatter && tr.to > HEAP_MINIMUM;
  if (creeping) evidence.push(`the live heap creeps up ${formatBytes(tr.slope * 3600)}/h (Mann–Kendall p=${tr.pRising.toPrecision(2)}): too little to call a leak yet; watch it`);
  const plateau = plateauNote(m);
  const pts = m.live.points;
  if (plateau) evidence.push(plateau);
  else if (pts.length >= 2) evidence.push(`live heap after GC: ${formatBytes(pts[0]!.v)} → ${formatBytes(pts[pts.length - 1]!.v)} over ${plural(pts.length, 'GC')}, no steady growth`);
  const note = footprintNote(m);
  if (note) evidence.push(note);
  // After growth stopped, the evidence that nothing grows is the flat part alone. A leak lifts
  // the floor of the live heap; batches held across some GCs only lift its peaks, so the floor
  // (the least of each few GCs) is evidence too.
  const flat = plateauOf(m)?.points ?? m.livePts;
  const knob =
    m.gogc && m.gogc.value > 100
      ? [{ text: `For a smaller footprint, lower GOGC (now ${m.gogc.value}) or set GOMEMLIMIT: the GC then runs more often` }]
      : [];
  const confidence = creeping ? Math.min(0.5, tr!.pRising * 10) : Math.max(flatConfidence(flat), flatConfidence(floorOf(flat)), flatEndConfidence(m.livePts));
  // Said at low confidence (noSignOfRise), and not a creep, which says why itself: say why.
  if (!creeping && confidence < HEALTHY_MIN_CONFIDENCE) {
    evidence.push(`no sign of a rise at the ${plural(pts.length, 'GC')} seen, but too few, or too noisy, to rule out a slow leak yet: watch the confidence grow`);
  }
  return {
    kind: 'healthy',
    confidence,
    summary: `healthy: ${plateau ? `${plateau.split(':')[0]}; ` : ''}live heap ${formatBytes(m.live.points[m.live.points.length - 1]?.v ?? r.heapInuse)}, RSS ${formatBytes(r.rss)}, ${r.goroutines !== null ? plural(r.goroutines, 'goroutine') : '? goroutines'}, no steady growth`,
    evidence,
    suggestions: knob,
  };
}

function emptyVerdict(kind: VerdictKind, summary: string, evidence: string[], suggestions: Suggestion[] = []): Verdict {
  return { kind, confidence: 0, summary, evidence, suggestions, gcThrash: false, runway: null, pending: null, history: [] };
}

/** Judges the timeline as it is now; `current` is the shown kind, which holds at looser evidence. */
export function judgeOnce(input: VerdictInput, current: VerdictKind | null = null, shownSince: number | null = null, heldFrom: number | null = null): Verdict {
  const run = currentRun(input.records);
  const restarted = input.records.some((r) => r.restarted);
  if (run.length === 0) return emptyVerdict('insufficient-data', 'watching: waiting for a good poll', []);
  const m = buildModel(run);
  const fmt = input.formatTime ?? formatClock;
  const ruleInput = {
    run,
    heapGrowth: input.heapGrowth,
    goroutineGrowth: input.goroutineGrowth,
    leakedGoroutines: input.leakedGoroutines ?? null,
    goVersion: input.goVersion,
    baselineLabel: input.baselineLabel ?? 'than at the first profile',
    shownSince: current === null || current === 'insufficient-data' ? null : shownSince,
    heldFrom,
  };
  const holding = (k: VerdictKind) => current === k;
  const findings = [
    goroutineLeak(m, ruleInput, holding('goroutine-leak')),
    heapLeak(m, ruleInput, holding('heap-leak')),
    nonGoMemory(m, holding('non-go-memory'), ruleInput.shownSince, heldFrom),
  ].filter((f): f is Finding => f !== null);
  if (!findings.some((f) => f.kind === 'heap-leak')) {
    const rr = runtimeRetention(m, ruleInput, holding('runtime-retention'));
    if (rr) findings.push(rr);
  }
  if (!findings.some((f) => f.kind === 'goroutine-leak')) {
    // A goroutine leak told from the heap it holds is held while that heap still rises (judged
    // as a shown leak is), though no heap leak is shown.
    const heap = holding('goroutine-leak') ? heapLeak(m, ruleInput, true) : findings.find((f) => f.kind === 'heap-leak');
    const held = heap ? goroutinesHoldingHeap(m, ruleInput, heap.since ?? run[0]!.time) : null;
    if (held) findings.push(held);
  }

  const thrash = thrashNote(m);
  const spike = spikeNote(run, fmt);
  const gcKnown = run.some((r) => r.numGC !== null);
  // No rise needs fewer points to say than a rise does (4 GC points, 3 cycles, vs 5).
  const needGcs = Math.max(0, MIN_TREND_POINTS - 1 - m.live.points.length);
  const needPolls = Math.max(0, MIN_POLLS - run.length);
  if (findings.length === 0 && (!gcKnown || needGcs > 0 || needPolls > 0)) {
    if (!gcKnown && run.length >= MIN_POLLS) {
      return emptyVerdict(
        'insufficient-data',
        'cannot judge the heap: the target serves no GC count (NumGC) — not in its MemStats source, and no heap?debug=1',
        [`${plural(run.length, 'good poll')}; MemStats from ${m.last.memstatsSource ?? 'nowhere'}`],
        [{ text: 'Serve /debug/vars (import _ "expvar"), or /metrics from client_golang (go_gc_duration_seconds), or net/http/pprof\'s heap?debug=1' }],
      );
    }
    const quiet = needPolls === 0 && gcKnown ? quietHeap(m) : null;
    if (quiet) return { ...emptyVerdict('healthy', quiet.summary, quiet.evidence), confidence: quiet.confidence };
    const interim = interimStatement(m, needGcs, needPolls);
    // Healthy once shown stays healthy while GCs are few: nothing since says otherwise. So does
    // retention that ended: the memory the runtime kept is back, and that was all there was.
    if ((current === 'healthy' || current === 'runtime-retention') && !restarted) {
      const what = current === 'healthy' ? 'nothing grows' : 'the memory the runtime kept is back (it was transient)';
      return {
        ...emptyVerdict('healthy', `healthy: ${what}; ${interim.summary.replace(/^watching: /, '')}`, spike ? [spike, ...interim.evidence] : interim.evidence),
        confidence: Math.max(flatConfidence(m.livePts), flatConfidence(floorOf(m.livePts))),
      };
    }
    const v = emptyVerdict('insufficient-data', interim.summary + (restarted ? ' (the target restarted: counting again)' : ''), interim.evidence);
    if (thrash) v.evidence.unshift(thrash.evidence);
    if (spike) v.evidence.push(spike);
    return v;
  }
  if (findings.length === 0) {
    const h = healthy(m);
    // With the heap at each GC mostly in flight its totals say nothing either way: what the
    // heap keeps must show no sign of rising, once it has the points to say so.
    const inFlight = mostlyInFlight(m) && m.kept.length >= MIN_TREND_POINTS - 1;
    const keptFlat = inFlight ? memoryInFlight(m) : null;
    if (keptFlat) {
      h.evidence.push(keptFlat);
      // The evidence of health is then what the heap keeps being flat, not the totals.
      h.confidence = Math.max(h.confidence, flatConfidence(m.kept));
    }
    const firstClaim = current === null || current === 'insufficient-data';
    // "Healthy" is a first claim too: until the flat live heap is good evidence, keep watching.
    // Once something was shown, going back to "watching" would only add a change.
    if (firstClaim && (inFlight ? !keptFlat : h.confidence < HEALTHY_MIN_CONFIDENCE && !noSignOfRise(m))) {
      const interim = interimStatement(m, 0, 0);
      const pts = inFlight ? m.kept : m.live.points;
      const what = inFlight ? 'the live heap at each GC is mostly memory in flight; what the heap keeps' : 'the live heap';
      const moved = pts.length >= 2 ? `${what} went ${formatBytes(pts[0]!.v)} → ${formatBytes(pts[pts.length - 1]!.v)} over ${plural(pts.length, 'GC')}, not yet enough to tell a trend from noise` : 'no trend in the live heap yet';
      return emptyVerdict('insufficient-data', `watching: ${moved}; ${interim.summary.replace(/^watching: need [^;]*;? ?/, '')}`, interim.evidence);
    }
    findings.push(h);
  }
  findings.sort(byPriority);
  const top = findings[0]!;
  const evidence = [...top.evidence, ...findings.slice(1).map((f) => `also: ${f.summary}`)];
  if (spike) evidence.push(spike);
  let summary = top.summary;
  if (thrash) {
    evidence.unshift(thrash.evidence);
    summary = `${thrash.prefix}: ${summary}`;
  }
  return {
    kind: top.kind,
    confidence: top.confidence,
    summary,
    evidence,
    suggestions: top.suggestions,
    gcThrash: thrash !== null,
    runway: top.runway ?? null,
    pending: null,
    history: [],
  };
}

/** The verdict with hysteresis: what is shown, the kind trying to replace it, and the history. */
export interface VerdictState {
  verdict: Verdict;
  candidate: VerdictKind | null;
  streak: number;
  history: VerdictChange[];
}

/** How a shown kind ended, for the history. */
function endNote(shown: Verdict, next: Verdict): string | null {
  if (shown.kind === 'heap-leak' && next.kind === 'healthy') {
    const plateau = next.evidence.find((e) => e.startsWith('grew to'));
    return plateau ? `growth stopped: ${plateau.split(':')[0]!.replace('grew to', 'at')}` : 'growth stopped';
  }
  if (shown.kind === 'runtime-retention' && next.kind === 'healthy') return 'transient: the memory was returned';
  return null;
}

function withHistory(v: Verdict, history: VerdictChange[], pending: VerdictKind | null): Verdict {
  return { ...v, pending, history };
}

/** Re-judges after a poll. A different kind replaces the shown one only after SWITCH_AFTER wins in a row. */
export function judge(input: VerdictInput, previous: VerdictState | null): VerdictState {
  const last = input.records[input.records.length - 1];
  const now = last?.time ?? 0;
  // After a restart the old process's verdict (and its looser hold) no longer applies.
  const restarted = last?.restarted === true;
  const shown = restarted ? null : (previous?.verdict.kind ?? null);
  const openSince = previous?.history.findLast((h) => h.to === null)?.from ?? null;
  // The shown kind's evidence is held on the points it was found on: since the kind before it.
  const past = previous?.history ?? [];
  const heldFrom = past.length >= 2 && past[past.length - 1]!.to === null ? past[past.length - 2]!.from : null;
  const fresh = judgeOnce(input, shown, openSince, heldFrom);
  let history = previous?.history ?? [];
  const open = (v: Verdict, note: string | null): VerdictChange[] => {
    const closed = history.map((h) => (h.to === null ? { ...h, to: now, note: h.note ?? note } : h));
    return [...closed, { kind: v.kind, from: now, to: null, note: null }].slice(-HISTORY);
  };
  if (!previous || restarted || shown === 'insufficient-data') {
    if (!previous || fresh.kind !== shown || restarted) history = open(fresh, restarted ? 'the target restarted' : null);
    return { verdict: withHistory(fresh, history, null), candidate: null, streak: 0, history };
  }
  if (fresh.kind === shown) return { verdict: withHistory(fresh, history, null), candidate: null, streak: 0, history };
  const streak = previous.candidate === fresh.kind ? previous.streak + 1 : 1;
  if (streak >= SWITCH_AFTER) {
    history = open(fresh, endNote(previous.verdict, fresh));
    return { verdict: withHistory(fresh, history, null), candidate: null, streak: 0, history };
  }
  // Pending: the shown kind stays, but never with stale figures: the text is the fresh one's,
  // marked as a change being confirmed.
  const held: Verdict = {
    ...fresh,
    kind: shown!,
    summary: `${VERDICT_WORDS[shown!]}, changing to ${VERDICT_WORDS[fresh.kind]}? ${fresh.summary}`,
  };
  return { verdict: withHistory(held, history, fresh.kind), candidate: fresh.kind, streak, history };
}

/** The history as one line: "heap leak 12:01–12:02 (growth stopped at 61MB), healthy since 12:02". */
export function historyLine(history: readonly VerdictChange[], formatTime: (ms: number) => string = formatClock): string {
  return history
    .filter((h) => h.kind !== 'insufficient-data')
    .map((h) =>
      h.to === null
        ? `${VERDICT_WORDS[h.kind]} since ${formatTime(h.from)}`
        : `${VERDICT_WORDS[h.kind]} ${formatTime(h.from)}–${formatTime(h.to)} (${formatDuration(h.to - h.from)}${h.note ? `; ${h.note}` : ''})`,
    )
    .join(', ');
}

export const VERDICT_WORDS: Record<VerdictKind, string> = {
  healthy: 'healthy',
  'heap-leak': 'HEAP LEAK',
  'goroutine-leak': 'GOROUTINE LEAK',
  'runtime-retention': 'runtime retention',
  'non-go-memory': 'non-Go memory',
  'insufficient-data': 'watching…',
};
