// The matrix judge's own rules: lenient before a deadline, strict after, thrash flags, changes
// per regime, GCs counted from the process's log, and calibration weights per run.

import { describe, expect, it } from 'vitest';
import { judgeRun } from './judge.js';
import { calibration, shapeRows } from './report.js';
import type { RunOutcome } from './runner.js';
import { makeRun } from './shapes.js';
import type { Kind, PollLine, Regime, Truth } from './truth.js';

const T0 = Date.UTC(2026, 0, 1);

function regime(r: Partial<Regime> & Pick<Regime, 'start' | 'expected'>): Regime {
  return { end: null, startTime: '', label: r.expected, accept: [r.expected], deadline: null, gcThrash: false, flags: [], why: '', ...r };
}

function truth(regimes: Regime[], gcLog: Array<[number, number]> = [[0, 0]]): Truth {
  return { pid: 1, goVersion: 'go1.26', metrics: 'classic', t0: T0, plan: { activities: [] }, knobs: { gogc: 100, memLimit: 0, madvFree: false }, regimes, gcLog, numGC: 0 };
}

/** One poll per second from t = 1 s, each showing the given kind (thrash when suffixed '+t'). */
function polls(kinds: string[], confidence = 0.8): PollLine[] {
  return kinds.map((k, i) => ({
    time: new Date(T0 + (i + 1) * 1000).toISOString(),
    ok: true,
    numGC: null,
    verdict: { kind: k.replace('+t', '') as Kind, confidence, summary: '', ...(k.endsWith('+t') ? { gcThrash: true } : {}) },
  }));
}

/** A GC every second. */
const everySecond: Array<[number, number]> = Array.from({ length: 200 }, (_, i) => [i * 1000, i]);

describe('judgeRun', () => {
  it('before the deadline accepts insufficient-data and the previous kind; from the deadline only the expected one', () => {
    const t = truth(
      [regime({ start: 0, end: 5, expected: 'healthy', deadline: { from: 0, polls: 2, seconds: 0, gcs: 0 } }), regime({ start: 5, expected: 'heap-leak', deadline: { from: 5, polls: 3, seconds: 0, gcs: 0 } })],
      everySecond,
    );
    // t=1..4 healthy regime; t=5.. leak regime: polls at 5,6 before its deadline, 7.. after.
    const j = judgeRun(t, polls(['insufficient-data', 'healthy', 'healthy', 'healthy', 'healthy', 'healthy', 'heap-leak', 'heap-leak', 'healthy']));
    expect(j.polls.map((p) => p.correct)).toEqual([true, true, true, true, true, true, true, true, false]);
    expect(j.polls.map((p) => p.settled)).toEqual([false, true, true, true, false, false, true, true, true]);
    expect(j.regimes[1]).toMatchObject({ detect: true, outcome: 'on-time', toRight: { polls: 3, gcs: 2, seconds: 2 }, changes: 2 });
    expect(j.failures).toEqual([expect.stringContaining('settled accuracy 83.3% (5/6; wrong: healthy×1 where heap-leak was due)'), expect.stringContaining('2 verdict changes')]);
  });

  it('counts GCs from the process log, as a poller tells them apart: a GC deadline holds the regime unsettled until they happen', () => {
    const t = truth([regime({ start: 0, expected: 'heap-leak', deadline: { from: 0, polls: 1, seconds: 0, gcs: 3 } })], [
      [0, 10],
      [1500, 11],
      [2500, 12],
      // Two more GCs 100 ms later (a batch's allocation triggering them back to back): a poller
      // every second sees one new GC state, so they count as one.
      [2600, 14],
      [4500, 15],
    ]);
    const j = judgeRun(t, polls(['healthy', 'healthy', 'healthy', 'healthy', 'healthy', 'healthy']));
    expect(j.polls.map((p) => p.settled)).toEqual([false, false, false, false, true, true]);
    expect(j.regimes[0]).toMatchObject({ outcome: 'missed', toRight: null });
  });

  it('counts the GCs of a batch deadline from the first drop (gcsFrom), not from the regime start', () => {
    const deadline = { from: 0, polls: 1, seconds: 0, gcs: 2 };
    const log: Array<[number, number]> = [
      [0, 0],
      [500, 1],
      [2500, 2],
      [4500, 3],
    ];
    const fromStart = judgeRun(truth([regime({ start: 0, expected: 'healthy', deadline })], log), polls(['insufficient-data', 'insufficient-data', 'insufficient-data', 'healthy', 'healthy']));
    const fromDrop = judgeRun(truth([regime({ start: 0, expected: 'healthy', deadline: { ...deadline, gcsFrom: 1 } })], log), polls(['insufficient-data', 'insufficient-data', 'insufficient-data', 'healthy', 'healthy']));
    expect(fromStart.polls.map((p) => p.settled)).toEqual([false, false, true, true, true]);
    expect(fromDrop.polls.map((p) => p.settled)).toEqual([false, false, false, false, true]);
    expect(fromStart.failures).toEqual([expect.stringContaining('insufficient-data×1'), expect.stringContaining(': late')]);
    expect(fromDrop.failures).toEqual([]);
  });

  it('under periodic batches a leak deadline counts GCs of one kind (gcsAlike): during a batch, or between batches', () => {
    // A batch every 4 s from 0 s, held 1 s: it affects GCs in [0, 2], [4, 6], [8, 10] s.
    const deadline = { from: 0, polls: 1, seconds: 0, gcs: 3 };
    const log: Array<[number, number]> = [
      [0, 0],
      [1000, 1], // batch
      [3000, 2], // between
      [5000, 3], // batch
      [7000, 4], // between
      [9000, 5], // batch: the third of its kind
    ];
    const t = (alike: boolean) => ({
      ...truth([regime({ start: 0, expected: 'heap-leak', deadline: { ...deadline, ...(alike ? { gcsAlike: true } : {}) } })], log),
      plan: { activities: [{ kind: 'batch' as const, start: 0, bytes: 64 << 20, period: 4, hold: 1 }] },
    });
    const kinds = Array.from({ length: 10 }, () => 'insufficient-data');
    expect(judgeRun(t(false), polls(kinds)).polls.findIndex((p) => p.settled)).toBe(4); // any 3 GCs: at 5 s
    expect(judgeRun(t(true), polls(kinds)).polls.findIndex((p) => p.settled)).toBe(8); // 3 batch GCs: at 9 s
  });

  it('a late verdict is late, one never due is open, and leaving insufficient-data at the start is no change', () => {
    const t = truth([regime({ start: 0, expected: 'goroutine-leak', deadline: { from: 0, polls: 2, seconds: 0, gcs: 0 } })]);
    const late = judgeRun(t, polls(['insufficient-data', 'healthy', 'goroutine-leak']));
    expect(late.regimes[0]).toMatchObject({ outcome: 'late', changes: 1, toRight: { polls: 3 } });
    const open = judgeRun(truth([regime({ start: 0, expected: 'heap-leak', deadline: { from: 0, polls: 50, seconds: 0, gcs: 0 } })]), polls(['healthy']));
    expect(open.regimes[0]!.outcome).toBe('open');
    expect(open.settled).toBe(0);
  });

  it('gcThrash must be true from the thrash deadline, and false where no thrash is expected', () => {
    const t = truth([
      regime({ start: 0, end: 3, expected: 'heap-leak', deadline: { from: 0, polls: 1, seconds: 0, gcs: 0 } }),
      regime({ start: 3, expected: 'heap-leak', gcThrash: true, deadline: { from: 0, polls: 1, seconds: 0, gcs: 0 }, thrashDeadline: { from: 3, polls: 2, seconds: 0, gcs: 0 } }),
    ]);
    const j = judgeRun(t, polls(['heap-leak+t', 'heap-leak', 'heap-leak', 'heap-leak', 'heap-leak+t']));
    expect(j.polls.map((p) => p.correct)).toEqual([false, true, true, false, true]);
    expect(j.regimes[1]).toMatchObject({ detect: true, outcome: 'late', toRight: { polls: 3 } });
  });

  it('a regime without a deadline demands nothing: every accepted kind is right throughout', () => {
    const t = truth([regime({ start: 0, expected: 'heap-leak', accept: ['healthy', 'heap-leak'], deadline: null })]);
    const j = judgeRun(t, polls(['healthy', 'heap-leak', 'healthy']));
    expect(j.polls.every((p) => p.correct && !p.settled)).toBe(true);
    expect(j.regimes[0]!.detect).toBe(false);
  });
});

describe('calibration', () => {
  it('weighs every run equally, however many polls it has', () => {
    const t = truth([regime({ start: 0, expected: 'healthy', deadline: { from: 0, polls: 1, seconds: 0, gcs: 0 } })]);
    const spec = makeRun('steady', 1, 0);
    const right = judgeRun(t, polls(Array(30).fill('healthy'), 0.9));
    const wrong = judgeRun(t, polls(Array(3).fill('heap-leak'), 0.9));
    const outcomes: RunOutcome[] = [right, wrong].map((judgement) => ({ spec, truth: t, lines: [], judgement, error: null }));
    const c = calibration(outcomes, 'settled');
    const top = c.bins.find((b) => b.polls > 0)!;
    expect(top.polls).toBe(33);
    expect(top.weight).toBeCloseTo(2, 9);
    expect(top.observed).toBeCloseTo(0.5, 9);
    expect(c.brier).toBeCloseTo((0.1 ** 2 + 0.9 ** 2) / 2, 6);
    expect(shapeRows(outcomes)[0]).toMatchObject({ runs: 2, settled: 33, settledCorrect: 30, failingRuns: 1 });
  });
});

describe('the generator', () => {
  it('makes the same run from the same id, and different runs from different seeds', () => {
    expect(makeRun('fast-leak', 7, 3)).toEqual(makeRun('fast-leak', 7, 3));
    expect(makeRun('fast-leak', 7, 3).plan).not.toEqual(makeRun('fast-leak', 8, 3).plan);
  });
});
