// `/` narrows the list on screen, as in k9s and lazygit: the goroutine groups, the rows of a
// drill-down, and any list added later (a fleet table: give it a ListId, a filter field and a
// text for its rows). In the Top and Diff tables `/` stays pprof's focus, which changes the
// numbers rather than hiding rows.

import type { ProfilePane } from './reducer.js';
import type { UiState } from './ui-state.js';

/** A list that `/` can narrow. */
export type ListId = { kind: 'goroutines' } | { kind: 'drill'; pane: ProfilePane };

/** The list `/` narrows where the user is, or null where `/` means something else (or nothing). */
export function filterableList(ui: UiState): ListId | null {
  if (ui.pane === 'goroutines') return ui.goroutines.detail === null ? { kind: 'goroutines' } : null;
  if (ui.pane === 'top' || ui.pane === 'diff') return ui[ui.pane].drill.length > 0 ? { kind: 'drill', pane: ui.pane } : null;
  return null;
}

function sameList(a: ListId | null, b: ListId): boolean {
  return a !== null && a.kind === b.kind && (a.kind === 'goroutines' || a.pane === (b as { pane: ProfilePane }).pane);
}

/** The filter a list has applied. */
export function appliedFilter(ui: UiState, list: ListId): string {
  if (list.kind === 'goroutines') return ui.goroutines.filter;
  return ui[list.pane].drill.at(-1)?.filter ?? '';
}

/** The filter of a list as the user sees it: the text being typed into `/` (it narrows live), else the applied one. */
export function listFilter(ui: UiState, list: ListId): string {
  const o = ui.overlay;
  if (o.kind === 'prompt' && o.purpose === 'filter' && sameList(filterableList(ui), list)) return o.text;
  return appliedFilter(ui, list);
}

/** The words of a query, lower-cased: a row matches when its text contains every one of them. */
export function queryWords(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

/** The rows whose text contains every word of the query, ignoring case; all rows for an empty query. */
export function narrow<T>(rows: readonly T[], query: string, text: (row: T) => string): readonly T[] {
  const words = queryWords(query);
  if (words.length === 0) return rows;
  return rows.filter((r) => {
    const t = text(r).toLowerCase();
    return words.every((w) => t.includes(w));
  });
}
