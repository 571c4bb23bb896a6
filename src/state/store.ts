// The one store the TUI reads: UI state (reducer) + the session's data + on-demand fetches
// (goroutine?debug=2). Views subscribe to it; commands dispatch into it.

import { advanceGroupTrail, type GroupTrail } from '../analysis/goroutines.js';
import type { GoroutineDump } from '../profile/goroutine-text.js';
import type { SessionSnapshot } from '../analysis/session-snapshot.js';
import type { Action } from './reducer.js';
import { reducer } from './reducer.js';
import { Selectors } from './selectors.js';
import type { UiState } from './ui-state.js';
import { initialUiState, type Pane } from './ui-state.js';

export type LoadState<T> =
  | { status: 'idle' }
  | { status: 'loading'; since: number }
  | { status: 'ready'; value: T; at: number }
  | { status: 'error'; message: string };

/** Where the data comes from: a live/replayed session, or one static profile. */
export interface DataSource {
  snapshot(): SessionSnapshot;
  subscribe(listener: () => void): () => void;
}

export interface StoreSnapshot {
  ui: UiState;
  data: SessionSnapshot;
  goroutineDump: LoadState<GoroutineDump>;
  /** The goroutine groups as watched poll after poll: the latest ones and the recently gone. */
  goroutineTrail: GroupTrail | null;
  /** The store's memoized selectors (the same object in every snapshot). */
  selectors: Selectors;
}

export class Store {
  private ui: UiState;
  private dump: LoadState<GoroutineDump> = { status: 'idle' };
  private trail: GroupTrail | null = null;
  private snap: StoreSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: () => void;
  /** Its own caches: a finished deferred analysis re-renders this store only. */
  readonly selectors = new Selectors(() => this.publish());

  constructor(
    readonly source: DataSource,
    initialPane: Pane = 'overview',
  ) {
    this.ui = initialUiState(initialPane);
    this.snap = this.snapshotOf(source.snapshot());
    this.unsubscribe = source.subscribe(() => this.publish());
  }

  getSnapshot = (): StoreSnapshot => this.snap;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  dispatch = (action: Action): void => {
    const next = reducer(this.ui, action);
    if (next === this.ui) return;
    this.ui = next;
    this.publish();
  };

  /** Re-renders without a change (clocks in the header move on). */
  tick(): void {
    this.publish();
  }

  setGoroutineDump(dump: LoadState<GoroutineDump>): void {
    this.dump = dump;
    this.publish();
  }

  private publish(): void {
    this.snap = this.snapshotOf(this.source.snapshot());
    for (const l of this.listeners) l();
  }

  private snapshotOf(data: SessionSnapshot): StoreSnapshot {
    // Gone groups are only known by watching poll after poll: the store remembers them.
    const latest = data.latestGoroutines;
    this.trail = latest ? advanceGroupTrail(this.trail, latest, data.firstGoroutines) : null;
    return { ui: this.ui, data, goroutineDump: this.dump, goroutineTrail: this.trail, selectors: this.selectors };
  }

  close(): void {
    this.unsubscribe();
  }
}
