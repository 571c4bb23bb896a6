// Long analyses of big profiles (a diff, a top over 100,000 stacks) are written as generators
// that yield every few thousand samples. Scripts run them to the end at once; the full-screen
// view runs them a few milliseconds at a time, so a key pressed meanwhile still gets its frame.

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

interface SlicedTask {
  steps: Steps<unknown>;
  cancelled: () => boolean;
  done: (r: unknown) => void;
  failed: (e: unknown) => void;
}

/** Sliced computations work this long per turn of the event loop, then let keys and frames in. */
export const SLICE_MS = 4;

/** Every sliced computation of the process, sharing one budget per turn of the event loop. */
const queue: SlicedTask[] = [];
let scheduled = false;

function turn(): void {
  scheduled = false;
  const end = performance.now() + SLICE_MS;
  while (queue.length > 0 && performance.now() < end) {
    const task = queue[0]!;
    if (task.cancelled()) {
      queue.shift();
      continue;
    }
    try {
      const r = task.steps.next();
      if (r.done) {
        queue.shift();
        task.done(r.value);
      }
    } catch (e) {
      queue.shift();
      task.failed(e);
    }
  }
  if (queue.length > 0 && !scheduled) {
    scheduled = true;
    setImmediate(turn);
  }
}

/**
 * Runs the steps a slice at a time, letting the event loop run between slices (setImmediate:
 * after pending I/O such as a key press). All sliced computations share one budget of SLICE_MS
 * per turn, oldest first, so three panes recomputing at once cost one slice, not three.
 * `cancelled` is asked before each step.
 */
export function runSliced<R>(steps: Steps<R>, cancelled: () => boolean, done: (r: R) => void, failed: (e: unknown) => void): void {
  queue.push({ steps, cancelled, done: done as (r: unknown) => void, failed });
  if (!scheduled) {
    scheduled = true;
    setImmediate(turn);
  }
}
