// The Must-show cases as fixed runs (not drawn), each with a busy background: the live
// subset that test/e2e/verdict-matrix.test.ts asserts.

import type { RunSpec } from './shapes.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const ENV = { GOGC: '', GOMEMLIMIT: '', GODEBUG: '', GOMAXPROCS: '1' };

function fixed(shape: string, summary: string, durationS: number, plan: RunSpec['plan'], env: Record<string, string> = {}): RunSpec {
  return { id: `${shape}:0:0`, shape, seed: 0, index: 0, go: '1.26', plan, env: { ...ENV, ...env }, metrics: 'modern', durationS, summary };
}

export const MUST_SHOW = {
  /**
   * 4 MiB/s for 28 s: heap-leak within 10 polls / 4 GCs; then healthy within 60 s / 10 GCs of the
   * plateau. livepprof stretches its interval when the target answers slowly (its 1% budget), so
   * the leak lasts long enough for 10 polls even at one per 2.5 s.
   */
  fastLeakThenPlateau: fixed('must-fast-leak', 'leak 4MiB/s 0–28s then flat; churn 24MiB/s', 105, {
    activities: [
      { kind: 'churn', rate: 24 * MiB, objSize: 4 * KiB },
      { kind: 'leak', rate: 4 * MiB, stop: 28, objSize: 64 * KiB },
    ],
  }),
  /** 256 KiB/s on a 3 MB heap: heap-leak within 30 polls / 8 GCs. */
  slowLeak: fixed('must-slow-leak', 'leak 256KiB/s on a 3MiB heap; churn 16MiB/s', 60, {
    liveBytes: 2 * MiB,
    activities: [
      { kind: 'churn', rate: 16 * MiB, objSize: 1 * KiB },
      { kind: 'leak', rate: 256 * KiB, objSize: 1 * KiB, store: 'map' },
    ],
  }),
  /** A constant 51 MiB live set under GOGC=400: never runtime-retention. */
  sawtooth: fixed('must-sawtooth', 'GOGC=400 on a 51MiB live set; churn 24MiB/s', 60, { liveBytes: 51 * MiB, activities: [{ kind: 'churn', rate: 24 * MiB, objSize: 4 * KiB }] }, { GOGC: '400' }),
  /** A 2 MiB/s leak toward GOMEMLIMIT=96 MiB: GC thrash named (gcThrash) by its deadline. */
  thrash: fixed(
    'must-gc-thrash',
    'leak 2MiB/s toward GOMEMLIMIT 96MiB from a 40MiB live set; churn 8MiB/s',
    // A thrashing target on one P answers slowly and livepprof stretches its interval (1% budget).
    90,
    {
      liveBytes: 40 * MiB,
      activities: [
        { kind: 'churn', rate: 8 * MiB, objSize: 1 * KiB },
        { kind: 'leak', rate: 2 * MiB, objSize: 16 * KiB },
      ],
    },
    { GOMEMLIMIT: String(96 * MiB) },
  ),
} satisfies Record<string, RunSpec>;
