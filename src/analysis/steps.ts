// Long analyses of big profiles (a diff, a top over 100,000 stacks) are written as generators
// that yield every few thousand samples. Scripts run them to the end at once; the full-screen
// view runs them a few milliseconds at a time (state/deferred.ts), so a key pressed meanwhile
// still gets its frame.

/** A computation that yields now and then; its return value is the result. */
export type Steps<R> = Generator<void, R, void>;

/** Yield after this many samples (a mask: 2,048 samples, about a millisecond of work). */
export const YIELD_MASK = 2047;

/** Runs the steps to the end, at once. */
export function runSteps<R>(steps: Steps<R>): R {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Steps that do all their work in one go (for analyses not worth slicing). */
export function* atOnce<R>(compute: () => R): Steps<R> {
  return compute();
}
