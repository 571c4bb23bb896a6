// Expensive analyses of big profiles (a diff, a top over 100,000 stacks) run after the frame
// that answers the key, not before it: the view shows the previous result marked "computing…"
// and is told to re-render when the new one is ready. Small profiles compute at once. They run
// in slices of a few milliseconds (their steps: analysis/steps.ts), so keys pressed meanwhile get
// their frames: a new 100,000-stack heap every poll must not freeze the screen for the diff's 0.5 s.

import { runSteps, type Steps } from '../analysis/steps.js';

/** At or below this many samples an analysis is cheap enough to run inside a render. */
export const SYNC_SAMPLES = 20_000;
/** Deferred computations work this long per turn of the event loop, then let keys and frames in. */
export const SLICE_MS = 4;

export interface Pending<T> {
  pending: true;
  /** The latest finished result of the same family (e.g. the Top table before the option changed). */
  stale: T | null;
}

export function isPending<T>(x: T | Pending<T>): x is Pending<T> {
  return typeof x === 'object' && x !== null && (x as Pending<T>).pending === true;
}

export class DeferredMemo<R> {
  private readonly cache = new Map<string, R>();
  private readonly pending = new Set<string>();
  private readonly latestByFamily = new Map<string, R>();
  /** The key each family asked for last: keys pressed in a row (s s s) compute only the last. */
  private readonly wanted = new Map<string, string>();

  /** `onReady` is called whenever a deferred computation finishes (its store re-renders). */
  constructor(
    private readonly size = 8,
    private readonly onReady: () => void = () => {},
  ) {}

  get(key: string, family: string, samples: number, compute: () => Steps<R>): R | Pending<R> {
    this.wanted.set(family, key);
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.latestByFamily.set(family, hit);
      return hit;
    }
    if (samples <= SYNC_SAMPLES) return this.store(key, family, runSteps(compute()));
    if (!this.pending.has(key)) {
      this.pending.add(key);
      // Started after this frame; dropped between steps once another key of the family is wanted.
      runSliced(
        compute(),
        () => {
          const superseded = this.wanted.get(family) !== key;
          if (superseded) this.pending.delete(key);
          return superseded;
        },
        (value) => {
          this.pending.delete(key);
          this.store(key, family, value);
          this.onReady();
        },
        (e) => {
          this.pending.delete(key);
          throw e;
        },
      );
    }
    return { pending: true, stale: this.latestByFamily.get(family) ?? null };
  }

  private store(key: string, family: string, value: R): R {
    this.cache.set(key, value);
    if (this.cache.size > this.size) this.cache.delete(this.cache.keys().next().value as string);
    this.latestByFamily.set(family, value);
    return value;
  }
}

interface SlicedTask {
  steps: Steps<unknown>;
  cancelled: () => boolean;
  done: (r: unknown) => void;
  failed: (e: unknown) => void;
}

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
function runSliced<R>(steps: Steps<R>, cancelled: () => boolean, done: (r: R) => void, failed: (e: unknown) => void): void {
  queue.push({ steps, cancelled, done: done as (r: unknown) => void, failed });
  if (!scheduled) {
    scheduled = true;
    setImmediate(turn);
  }
}
