// The fleet table's own state (what the user looks at: cursor, sort, `/` filter, a marked row,
// one overlay) and its reducer. Pure, tested without a terminal; the cursor logic and the `/`
// narrowing are the target view's own (reducer.ts, list-filter.ts).

import { FLEET_SORT_KEYS, fleetRowText, sortFleetRows, type FleetRow, type FleetSortKey } from '../analysis/fleet.js';
import { narrow } from './list-filter.js';
import { moveCursor, overlayAfter, resolveCursor, withOverlay, type OverlayAction, type RowKey } from './reducer.js';
import { TOP_CURSOR, type Overlay, type TableCursor } from './ui-state.js';

export interface FleetUi {
  overlay: Overlay;
  cursor: TableCursor;
  sort: FleetSortKey;
  /** `/` narrows the rows (empty: all). */
  filter: string;
  /** The key of a row marked with `m`: the next row marked is compared with it. */
  marked: string | null;
  message: string | null;
}

export function initialFleetUi(): FleetUi {
  return { overlay: { kind: 'none' }, cursor: TOP_CURSOR, sort: 'growth', filter: '', marked: null, message: null };
}

export type FleetAction =
  | OverlayAction
  | { type: 'open-filter' }
  | { type: 'prompt-input'; text: string }
  | { type: 'set-filter'; text: string }
  | { type: 'move'; delta: number; rows: number; pageSize: number; keyAt: RowKey }
  | { type: 'move-to'; index: number; rows: number; pageSize: number; keyAt: RowKey }
  | { type: 'sort'; delta: 1 | -1 }
  | { type: 'mark'; key: string | null }
  | { type: 'escape' }
  | { type: 'message'; text: string | null };

/** Esc unwinds one layer: the overlay, then the mark, then the filter. */
function escape(s: FleetUi): FleetUi {
  if (s.overlay.kind !== 'none') return { ...s, overlay: { kind: 'none' } };
  if (s.marked !== null) return { ...s, marked: null };
  if (s.filter) return { ...s, filter: '' };
  return s;
}

function apply(s: FleetUi, a: FleetAction): FleetUi {
  switch (a.type) {
    case 'open-help':
    case 'close-overlay':
    case 'show-error':
    case 'scroll-help':
      return withOverlay(s, overlayAfter(s.overlay, a));
    case 'open-filter':
      return { ...s, overlay: { kind: 'prompt', purpose: 'filter', text: s.filter } };
    case 'prompt-input':
      return s.overlay.kind === 'prompt' ? { ...s, overlay: { ...s.overlay, text: a.text } } : s;
    case 'set-filter':
      return { ...s, overlay: { kind: 'none' }, filter: a.text.trim() };
    case 'move':
    case 'move-to': {
      const c = resolveCursor(s.cursor, a.rows, a.keyAt, a.pageSize);
      const moved = moveCursor(c, a.type === 'move' ? c.selected + a.delta : a.index, a.rows, a.pageSize);
      const anchor = a.keyAt(moved.selected);
      return { ...s, cursor: anchor !== undefined ? { ...moved, anchor } : moved };
    }
    case 'sort': {
      const i = FLEET_SORT_KEYS.indexOf(s.sort);
      // A new order: the cursor stays on its row (anchored), wherever that row goes.
      return { ...s, sort: FLEET_SORT_KEYS[(i + a.delta + FLEET_SORT_KEYS.length) % FLEET_SORT_KEYS.length]! };
    }
    case 'mark':
      return { ...s, marked: a.key };
    case 'escape':
      return escape(s);
    case 'message':
      return { ...s, message: a.text };
  }
}

export function fleetReducer(s: FleetUi, a: FleetAction): FleetUi {
  const next = apply(s, a);
  // A status message lasts until the next thing the user does.
  if (next.message !== null && a.type !== 'message' && next !== s) return { ...next, message: null };
  return next;
}

/** The filter as the user sees it: the text being typed into `/` (it narrows live), else the applied one. */
export function fleetFilter(ui: FleetUi): string {
  return ui.overlay.kind === 'prompt' && ui.overlay.purpose === 'filter' ? ui.overlay.text : ui.filter;
}

/** The rows on screen: sorted, then narrowed by `/`. */
export function visibleFleetRows(rows: readonly FleetRow[], ui: FleetUi): readonly FleetRow[] {
  return narrow(sortFleetRows(rows, ui.sort), fleetFilter(ui), fleetRowText);
}

export const fleetRowKey =
  (rows: readonly FleetRow[]): RowKey =>
  (i) =>
    rows[i]?.key;
