// The verdict matrix in the suite (docs/matrix.md): (a) the recordings in
// fixtures/recordings/matrix (seven shapes from the live matrix of 2026-12-06, seeds 7/8, Go 1.19
// and 1.26, and a leak under periodic batches, combo:12:0 of 2026-12-07 on Go 1.19) replayed through the current engine and judged against their truth, per shape: a
// regression guard, not the accuracy measurement (that is `npm run matrix`, live, on fresh seeds);
// (b) the Must-show cases live against the Go fixture, four at once.

import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';
import { requireTool } from '../helpers/require-tool.js';
import { MUST_SHOW } from '../matrix/cases.js';
import { ACCURACY_TARGET, MAX_CHANGES, type RegimeResult, type RunJudgement } from '../matrix/judge.js';
import { failureList, pollTrace, shapeRows, shapeTable } from '../matrix/report.js';
import { findRecordings, pool, runLive, runReplay, type RunOutcome } from '../matrix/runner.js';
import type { RunSpec } from '../matrix/shapes.js';

const RECORDINGS = path.join(REPO_ROOT, 'fixtures', 'recordings', 'matrix');

describe('recorded matrix: each shape, replayed through the current engine', () => {
  let outcomes: RunOutcome[] = [];
  beforeAll(async () => {
    outcomes = await pool(await findRecordings(RECORDINGS), 2, runReplay);
    if (outcomes.length) console.log(`${shapeTable(shapeRows(outcomes))}\n\n${failureList(outcomes)}`);
  }, 600_000);

  it('replays every recording without error', () => {
    expect(outcomes.length).toBeGreaterThanOrEqual(8);
    expect(outcomes.filter((o) => o.error).map((o) => `${o.spec.id}: ${o.error}`)).toEqual([]);
  });

  it(`is right on at least ${ACCURACY_TARGET * 100}% of settled polls, per shape`, () => {
    const misses = shapeRows(outcomes)
      .filter((r) => r.settled > 0 && r.settledCorrect / r.settled < ACCURACY_TARGET)
      .map((r) => `${r.shape}: ${r.settledCorrect}/${r.settled}`);
    expect(misses, failureList(outcomes)).toEqual([]);
  });

  it(`changes its verdict at most ${MAX_CHANGES} time per regime, per shape`, () => {
    const misses = shapeRows(outcomes)
      .filter((r) => r.maxChanges > MAX_CHANGES)
      .map((r) => `${r.shape}: ${r.maxChanges}`);
    expect(misses, failureList(outcomes)).toEqual([]);
  });
});

describe.skipIf(!requireTool('go', 'the live Must-show cases'))('live Must-show cases (four at once, busy background)', () => {
  // it.concurrent: the four runs share the wall clock (each is mostly waiting for polls).
  // A live run is not recorded (the suite keeps no files): a failure prints the run's own figures.
  const traces = new WeakMap<RunJudgement, string>();
  async function judged(spec: RunSpec): Promise<RunJudgement> {
    const o = await runLive(spec, { intervalMs: 1000 });
    expect(o.error).toBeNull();
    traces.set(o.judgement!, pollTrace(o.lines));
    return o.judgement!;
  }
  /** The regime was shown its expected verdict by the deadline and held it on every settled poll. */
  function onTimeAndHeld(r: RegimeResult, j: RunJudgement) {
    const detail = `${r.label}: ${JSON.stringify(r.shown)}; ${j.failures.join('; ')}\n${traces.get(j) ?? ''}`;
    expect(r.outcome, detail).toBe('on-time');
    expect(r.settled, detail).toBeGreaterThan(0);
    expect(r.settledCorrect, detail).toBe(r.settled);
    expect(r.changes, detail).toBeLessThanOrEqual(MAX_CHANGES);
  }

  it.concurrent('a 4 MiB/s leak: heap-leak within 10 polls / 4 GCs; healthy within 60 s / 10 GCs once it stops', async () => {
    const j = await judged(MUST_SHOW.fastLeakThenPlateau);
    expect(j.regimes.map((r) => r.expected)).toEqual(['heap-leak', 'healthy']);
    for (const r of j.regimes) onTimeAndHeld(r, j);
  }, 200_000);

  it.concurrent('a 256 KiB/s leak on a 3 MB heap: heap-leak within 30 polls / 8 GCs', async () => {
    const j = await judged(MUST_SHOW.slowLeak);
    onTimeAndHeld(j.regimes[0]!, j);
  }, 200_000);

  it.concurrent('a GOGC=400 sawtooth is never called runtime-retention, and healthy once settled', async () => {
    const j = await judged(MUST_SHOW.sawtooth);
    expect(j.polls.filter((p) => p.kind === 'runtime-retention').map((p) => p.t.toFixed(0))).toEqual([]);
    onTimeAndHeld(j.regimes[0]!, j);
  }, 200_000);

  it.concurrent('GC thrash under GOMEMLIMIT is named (gcThrash) by its deadline', async () => {
    const j = await judged(MUST_SHOW.thrash);
    const thrash = j.regimes.find((r) => r.gcThrash)!;
    onTimeAndHeld(thrash, j);
  }, 200_000);
});

