// (UiState, Action) → UiState. Pure: tested without a terminal.

import { GRANULARITIES, type Granularity } from '../analysis/graph.js';
import type { DrillSection, Overlay, Pane, ProfileView, PromptPurpose, TableCursor, UiState } from './ui-state.js';
import { DRILL_SECTIONS, PANES, TOP_CURSOR } from './ui-state.js';
import type { ListId } from './list-filter.js';

export type ProfilePane = 'top' | 'diff';

export type Action =
  | { type: 'set-pane'; pane: Pane }
  | { type: 'cycle-pane'; delta: 1 | -1 }
  | { type: 'open-help' }
  | { type: 'close-overlay' }
  | { type: 'show-error'; message: string }
  | { type: 'open-prompt'; purpose: PromptPurpose; text?: string }
  | { type: 'prompt-input'; text: string }
  | { type: 'move'; target: CursorTarget; delta: number; rows: number; pageSize: number; keyAt?: RowKey }
  | { type: 'move-to'; target: CursorTarget; index: number; rows: number; pageSize: number; keyAt?: RowKey }
  | { type: 'set-sample-type'; pane: ProfilePane; sampleType: string | null }
  | { type: 'set-granularity'; pane: ProfilePane; granularity: Granularity }
  | { type: 'cycle-granularity'; pane: ProfilePane }
  | { type: 'toggle-sort'; pane: ProfilePane }
  | { type: 'set-cum-sort'; pane: ProfilePane; cum: boolean }
  | { type: 'set-filter'; pane: ProfilePane; which: 'focus' | 'ignore'; value: string }
  | { type: 'set-node-count'; pane: ProfilePane; count: number }
  | { type: 'set-list-filter'; list: ListId; text: string }
  | { type: 'drill'; pane: ProfilePane; name: string }
  | { type: 'drill-section'; pane: ProfilePane; delta: 1 | -1 }
  | { type: 'open-goroutine'; key: string }
  | { type: 'scroll-detail'; delta: number; max: number }
  | { type: 'scroll-help'; delta: number; max: number }
  | { type: 'escape' }
  | { type: 'message'; text: string | null };

/** Which cursor a movement applies to. */
export type CursorTarget = { kind: 'table'; pane: ProfilePane } | { kind: 'drill'; pane: ProfilePane } | { kind: 'goroutines' };

/** The key of row i of the table a cursor moves over (undefined past its end). */
export type RowKey = (i: number) => string | undefined;

/**
 * Where a cursor is on the table as it is now: on its anchored row wherever a new poll sorted
 * it, else on the same position clamped to the rows there are, with the window fitted around
 * it (the table may have shrunk, or the terminal). Views draw and commands act on this.
 */
export function resolveCursor(c: TableCursor, rows: number, keyAt: RowKey, pageSize: number): TableCursor {
  let index = c.selected;
  if (c.anchor !== undefined && keyAt(index) !== c.anchor) {
    for (let i = 0; i < rows; i++) {
      if (keyAt(i) === c.anchor) {
        index = i;
        break;
      }
    }
  }
  const moved = moveCursor(c, index, rows, pageSize);
  return c.anchor !== undefined ? { ...moved, anchor: c.anchor } : moved;
}

/** Moves a cursor within [0, rows) and keeps it inside a window of pageSize rows. */
export function moveCursor(c: TableCursor, index: number, rows: number, pageSize: number): TableCursor {
  if (rows <= 0) return TOP_CURSOR;
  const selected = Math.max(0, Math.min(rows - 1, index));
  const page = Math.max(1, pageSize);
  let offset = c.offset;
  if (selected < offset) offset = selected;
  if (selected >= offset + page) offset = selected - page + 1;
  offset = Math.max(0, Math.min(offset, Math.max(0, rows - page)));
  return { selected, offset };
}

function updateProfile(s: UiState, pane: ProfilePane, f: (v: ProfileView) => ProfileView): UiState {
  return { ...s, [pane]: f(s[pane]) };
}

/** Options changed: the table is another table, so the cursor goes back to the top. */
function withOptions(v: ProfileView, patch: Partial<ProfileView>): ProfileView {
  return { ...v, ...patch, cursor: TOP_CURSOR, drill: [] };
}

function applyToCursor(s: UiState, target: CursorTarget, f: (c: TableCursor) => TableCursor): UiState {
  if (target.kind === 'goroutines') return { ...s, goroutines: { ...s.goroutines, cursor: f(s.goroutines.cursor) } };
  return updateProfile(s, target.pane, (v) => {
    if (target.kind === 'table') return { ...v, cursor: f(v.cursor) };
    const drill = v.drill.slice();
    const top = drill[drill.length - 1];
    if (!top) return v;
    drill[drill.length - 1] = { ...top, cursor: f(top.cursor) };
    return { ...v, drill };
  });
}

function currentCursor(s: UiState, target: CursorTarget): TableCursor {
  if (target.kind === 'goroutines') return s.goroutines.cursor;
  const v = s[target.pane];
  return target.kind === 'table' ? v.cursor : (v.drill[v.drill.length - 1]?.cursor ?? TOP_CURSOR);
}

/**
 * Esc unwinds one layer per press, the last thing done first: close the overlay → leave the
 * goroutine details → clear the `/` narrowing of the list → leave the drill level → clear the
 * ignore → clear the focus → nothing.
 */
function escape(s: UiState): UiState {
  if (s.overlay.kind !== 'none') return { ...s, overlay: { kind: 'none' } };
  if (s.pane === 'goroutines') {
    const g = s.goroutines;
    if (g.detail !== null) return { ...s, goroutines: { ...g, detail: null, detailScroll: 0 } };
    if (g.filter) return { ...s, goroutines: { ...g, filter: '' } };
  }
  if (s.pane === 'top' || s.pane === 'diff') {
    const v = s[s.pane];
    const level = v.drill.at(-1);
    if (level?.filter) return setListFilter(s, { kind: 'drill', pane: s.pane }, '');
    if (level) return updateProfile(s, s.pane, (x) => ({ ...x, drill: x.drill.slice(0, -1) }));
    if (v.ignore) return updateProfile(s, s.pane, (x) => withOptions(x, { ignore: '' }));
    if (v.focus) return updateProfile(s, s.pane, (x) => withOptions(x, { focus: '' }));
  }
  return s;
}

/** Narrows a list; the cursor stays anchored on its row (it comes back there when the filter is cleared). */
function setListFilter(s: UiState, list: ListId, text: string): UiState {
  if (list.kind === 'goroutines') return { ...s, goroutines: { ...s.goroutines, filter: text } };
  return updateProfile(s, list.pane, (v) => {
    const top = v.drill.at(-1);
    return top ? { ...v, drill: [...v.drill.slice(0, -1), { ...top, filter: text }] } : v;
  });
}

export function reducer(s: UiState, a: Action): UiState {
  const next = apply(s, a);
  // A status message lasts until the next thing the user does.
  if (next.message !== null && a.type !== 'message' && next !== s) return { ...next, message: null };
  return next;
}

/** The actions on the one overlay, the same wherever there is one (a target's panes, the fleet table). */
export type OverlayAction = { type: 'open-help' } | { type: 'close-overlay' } | { type: 'show-error'; message: string } | { type: 'scroll-help'; delta: number; max: number };

/** The overlay after one of those actions: help toggles, an error opens, help scrolls within its length. */
export function overlayAfter(o: Overlay, a: OverlayAction): Overlay {
  switch (a.type) {
    case 'open-help':
      return o.kind === 'help' ? { kind: 'none' } : { kind: 'help', scroll: 0 };
    case 'close-overlay':
      return { kind: 'none' };
    case 'show-error':
      return { kind: 'error', message: a.message };
    case 'scroll-help':
      return o.kind === 'help' ? { kind: 'help', scroll: Math.max(0, Math.min(a.max, o.scroll + a.delta)) } : o;
  }
}

/** The state with this overlay; the same state when nothing changed. */
export function withOverlay<S extends { overlay: Overlay }>(s: S, overlay: Overlay): S {
  return overlay === s.overlay ? s : { ...s, overlay };
}

function sameCursor(a: TableCursor, b: TableCursor): boolean {
  return a.selected === b.selected && a.offset === b.offset && a.anchor === b.anchor;
}

function apply(s: UiState, a: Action): UiState {
  switch (a.type) {
    case 'set-pane':
      return { ...s, pane: a.pane, overlay: { kind: 'none' } };
    case 'cycle-pane': {
      const i = PANES.indexOf(s.pane);
      return { ...s, pane: PANES[(i + a.delta + PANES.length) % PANES.length]!, overlay: { kind: 'none' } };
    }
    case 'open-help':
    case 'close-overlay':
    case 'show-error':
    case 'scroll-help':
      return withOverlay(s, overlayAfter(s.overlay, a));
    case 'open-prompt':
      return { ...s, overlay: { kind: 'prompt', purpose: a.purpose, text: a.text ?? '' } };
    case 'prompt-input':
      return s.overlay.kind === 'prompt' ? { ...s, overlay: { ...s.overlay, text: a.text } as Overlay } : s;
    case 'move':
    case 'move-to': {
      const keyAt = a.keyAt ?? (() => undefined);
      const stored = currentCursor(s, a.target);
      const c = resolveCursor(stored, a.rows, keyAt, a.pageSize);
      const moved = moveCursor(c, a.type === 'move' ? c.selected + a.delta : a.index, a.rows, a.pageSize);
      const anchor = keyAt(moved.selected);
      if (anchor !== undefined) moved.anchor = anchor;
      return sameCursor(stored, moved) ? s : applyToCursor(s, a.target, () => moved);
    }
    case 'set-sample-type':
      return updateProfile(s, a.pane, (v) => withOptions(v, { sampleType: a.sampleType }));
    case 'set-granularity':
      return updateProfile(s, a.pane, (v) => withOptions(v, { granularity: a.granularity }));
    case 'cycle-granularity':
      return updateProfile(s, a.pane, (v) => {
        // All four of pprof's, in its order: functions → filefunctions → lines → files → functions.
        const i = GRANULARITIES.indexOf(v.granularity);
        return withOptions(v, { granularity: GRANULARITIES[(i + 1) % GRANULARITIES.length]! });
      });
    case 'toggle-sort':
      return updateProfile(s, a.pane, (v) => withOptions(v, { cumSort: !v.cumSort }));
    case 'set-cum-sort':
      return updateProfile(s, a.pane, (v) => withOptions(v, { cumSort: a.cum }));
    case 'set-filter':
      return updateProfile(s, a.pane, (v) => withOptions(v, { [a.which]: a.value }));
    case 'set-node-count':
      return updateProfile(s, a.pane, (v) => withOptions(v, { nodeCount: Math.max(0, a.count) }));
    case 'set-list-filter':
      return setListFilter(s, a.list, a.text);
    case 'drill':
      return updateProfile(s, a.pane, (v) => ({ ...v, drill: [...v.drill, { name: a.name, section: 'peek', cursor: TOP_CURSOR, filter: '' }] }));
    case 'drill-section':
      return updateProfile(s, a.pane, (v) => {
        const top = v.drill[v.drill.length - 1];
        if (!top) return v;
        const i = DRILL_SECTIONS.indexOf(top.section);
        const section: DrillSection = DRILL_SECTIONS[(i + a.delta + DRILL_SECTIONS.length) % DRILL_SECTIONS.length]!;
        return { ...v, drill: [...v.drill.slice(0, -1), { ...top, section, cursor: TOP_CURSOR, filter: '' }] };
      });
    case 'open-goroutine':
      return { ...s, goroutines: { ...s.goroutines, detail: a.key, detailScroll: 0 } };
    case 'scroll-detail':
      return { ...s, goroutines: { ...s.goroutines, detailScroll: Math.max(0, Math.min(a.max, s.goroutines.detailScroll + a.delta)) } };
    case 'escape':
      return escape(s);
    case 'message':
      return { ...s, message: a.text };
  }
}

export { currentCursor };
