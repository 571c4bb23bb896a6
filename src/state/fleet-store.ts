// The fleet table's store (its UI state + the fleet source's data, the visible rows memoized on
// both) and what each of its keymap commands does. Pure: attaching and comparing, which fetch,
// are the caller's (FleetContext), so that tests run every command without a terminal.

import type { FleetRow, FleetSnapshot } from '../analysis/fleet.js';
import { FLEET_SORT_WORDS } from '../analysis/fleet.js';
import { tableHandlers } from './commands.js';
import type { CommandId } from './keymap.js';
import { fleetReducer, fleetRowKey, initialFleetUi, visibleFleetRows, type FleetAction, type FleetUi } from './fleet-state.js';
import { resolveCursor } from './reducer.js';

export interface FleetDataSource {
  snapshot(): FleetSnapshot;
  subscribe(listener: () => void): () => void;
}

export interface FleetStoreSnapshot {
  ui: FleetUi;
  data: FleetSnapshot;
  /** Sorted and narrowed: what the table shows, in order. */
  rows: readonly FleetRow[];
}

export class FleetStore {
  private ui: FleetUi = initialFleetUi();
  private snap: FleetStoreSnapshot;
  private memo: { rows: readonly FleetRow[]; sort: string; filter: string; filterText: string; out: readonly FleetRow[] } | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: () => void;

  constructor(readonly source: FleetDataSource) {
    this.snap = this.snapshotOf();
    this.unsubscribe = source.subscribe(() => this.publish());
  }

  getSnapshot = (): FleetStoreSnapshot => this.snap;

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  dispatch = (a: FleetAction): void => {
    const next = fleetReducer(this.ui, a);
    if (next === this.ui) return;
    this.ui = next;
    this.publish();
  };

  tick(): void {
    this.publish();
  }

  private publish(): void {
    this.snap = this.snapshotOf();
    for (const l of this.listeners) l();
  }

  /** Sorting and narrowing 1,000 rows happens when they, the order or the filter change: not on every cursor move. */
  private snapshotOf(): FleetStoreSnapshot {
    const data = this.source.snapshot();
    const ui = this.ui;
    const filterText = ui.overlay.kind === 'prompt' ? ui.overlay.text : '';
    const m = this.memo;
    if (!m || m.rows !== data.rows || m.sort !== ui.sort || m.filter !== ui.filter || m.filterText !== filterText) {
      this.memo = { rows: data.rows, sort: ui.sort, filter: ui.filter, filterText, out: visibleFleetRows(data.rows, ui) };
    }
    return { ui, data, rows: this.memo!.out };
  }

  close(): void {
    this.unsubscribe();
  }
}

export interface FleetContext {
  store: FleetStore;
  /** Rows that fit on screen (for paging), and how far the help can scroll. */
  pageSize: number;
  scrollMax: number;
  quit(): void;
  /** Opens the full single-target view of this instance, live. */
  attach(row: FleetRow): void;
  /** The heap of `a` minus the heap of `b`, in the Diff pane. */
  compare(a: FleetRow, b: FleetRow): void;
  refreshNow(): void;
}

/** The row under the cursor. */
export function selectedFleetRow(snap: FleetStoreSnapshot, pageSize: number): FleetRow | undefined {
  const { rows, ui } = snap;
  return rows[resolveCursor(ui.cursor, rows.length, fleetRowKey(rows), pageSize).selected];
}

function move(ctx: FleetContext, delta: number | 'first' | 'last'): void {
  const { rows } = ctx.store.getSnapshot();
  const base = { rows: rows.length, pageSize: ctx.pageSize, keyAt: fleetRowKey(rows) };
  if (delta === 'first' || delta === 'last') ctx.store.dispatch({ type: 'move-to', index: delta === 'first' ? 0 : rows.length - 1, ...base });
  else ctx.store.dispatch({ type: 'move', delta, ...base });
}

/** m: mark this row; on a second row, compare the two (the first marked minus this one). */
function mark(ctx: FleetContext): void {
  const snap = ctx.store.getSnapshot();
  const row = selectedFleetRow(snap, ctx.pageSize);
  if (!row) return;
  const marked = snap.ui.marked;
  if (marked === null || marked === row.key) {
    ctx.store.dispatch({ type: 'mark', key: marked === row.key ? null : row.key });
    if (marked === null) ctx.store.dispatch({ type: 'message', text: `marked ${row.key}: m on another row shows ${row.key}'s heap minus that row's` });
    return;
  }
  const first = snap.data.rows.find((r) => r.key === marked);
  ctx.store.dispatch({ type: 'mark', key: null });
  if (first) ctx.compare(first, row);
}

/** What each command active in the fleet table does (the keymap's fleet scopes; a test checks they match). */
export const FLEET_HANDLERS: Partial<Record<CommandId, (ctx: FleetContext) => void>> = {
  'fleet-attach': (ctx) => {
    const row = selectedFleetRow(ctx.store.getSnapshot(), ctx.pageSize);
    if (row) ctx.attach(row);
  },
  'fleet-sort': (ctx) => {
    ctx.store.dispatch({ type: 'sort', delta: 1 });
    ctx.store.dispatch({ type: 'message', text: `sorted by ${FLEET_SORT_WORDS[ctx.store.getSnapshot().ui.sort]}` });
  },
  'fleet-sort-back': (ctx) => {
    ctx.store.dispatch({ type: 'sort', delta: -1 });
    ctx.store.dispatch({ type: 'message', text: `sorted by ${FLEET_SORT_WORDS[ctx.store.getSnapshot().ui.sort]}` });
  },
  'fleet-mark': (ctx) => mark(ctx),
  'fleet-refresh': (ctx) => {
    ctx.refreshNow();
    ctx.store.dispatch({ type: 'message', text: 'querying Prometheus now…' });
  },
  quit: (ctx) => ctx.quit(),
  'force-quit': (ctx) => ctx.quit(),
  help: (ctx) => ctx.store.dispatch({ type: 'open-help' }),
  escape: (ctx) => ctx.store.dispatch({ type: 'escape' }),
  ...tableHandlers<FleetContext>(move),
  filter: (ctx) => ctx.store.dispatch({ type: 'open-filter' }),
  'prompt-apply': (ctx) => {
    const o = ctx.store.getSnapshot().ui.overlay;
    if (o.kind === 'prompt') ctx.store.dispatch({ type: 'set-filter', text: o.text });
  },
  'prompt-cancel': (ctx) => ctx.store.dispatch({ type: 'close-overlay' }),
  'prompt-clear': (ctx) => ctx.store.dispatch({ type: 'prompt-input', text: '' }),
  // No `:` commands in the fleet: nothing to complete.
  'prompt-complete': () => undefined,
};

/** The fleet table's handler of a command, when the command means something there. */
export function fleetHandler(id: CommandId): ((ctx: FleetContext) => void) | undefined {
  return FLEET_HANDLERS[id];
}
