// The TUI's own state (what the user is looking at), kept apart from the session's data (what
// the target said). One reducer owns it; views derive everything else through selectors.

import type { Granularity } from '../analysis/graph.js';

export type Pane = 'overview' | 'top' | 'goroutines' | 'diff';
export const PANES: Pane[] = ['overview', 'top', 'goroutines', 'diff'];
export const PANE_TITLES: Record<Pane, string> = { overview: 'Overview', top: 'Top', goroutines: 'Goroutines', diff: 'Diff' };

/** focus/ignore: pprof's filters of a Top or Diff table; filter: narrow the list on screen; command: `:`. */
export type PromptPurpose = 'focus' | 'ignore' | 'filter' | 'command';

/** Exactly one overlay at a time. */
export type Overlay =
  | { kind: 'none' }
  | { kind: 'help'; scroll: number }
  | { kind: 'error'; message: string }
  | { kind: 'prompt'; purpose: PromptPurpose; text: string };

export interface TableCursor {
  selected: number;
  /** First visible row. */
  offset: number;
  /**
   * The key (name) of the row the user put the cursor on: a new poll re-sorts the table, and the
   * cursor follows the row rather than staying on a position (see resolveCursor).
   */
  anchor?: string;
}

/** Drill-down into one function: pprof's peek, its lines, and the heaviest stacks through it. */
export type DrillSection = 'peek' | 'lines' | 'stacks';
export const DRILL_SECTIONS: DrillSection[] = ['peek', 'lines', 'stacks'];

export interface DrillLevel {
  name: string;
  section: DrillSection;
  cursor: TableCursor;
  /** `/` narrows the rows of this level (empty: all). */
  filter: string;
}

/** What a Top or Diff table shows: pprof's options, plus where the cursor is. */
export interface ProfileView {
  /** Sample type name; null = the profile's default. */
  sampleType: string | null;
  granularity: Granularity;
  cumSort: boolean;
  focus: string;
  ignore: string;
  /** :top N — 0 shows every node that survives trimming. */
  nodeCount: number;
  cursor: TableCursor;
  drill: DrillLevel[];
}

export interface GoroutinesView {
  cursor: TableCursor;
  /** `/` narrows the groups (empty: all). */
  filter: string;
  /** Group key whose details are open, or null. */
  detail: string | null;
  detailScroll: number;
}

export interface UiState {
  pane: Pane;
  overlay: Overlay;
  top: ProfileView;
  diff: ProfileView;
  goroutines: GoroutinesView;
  /** A transient line in the status bar ("saved /tmp/…pb.gz"). */
  message: string | null;
}

export const TOP_CURSOR: TableCursor = { selected: 0, offset: 0 };

export function initialProfileView(): ProfileView {
  return { sampleType: null, granularity: 'functions', cumSort: false, focus: '', ignore: '', nodeCount: 0, cursor: TOP_CURSOR, drill: [] };
}

export function initialUiState(pane: Pane = 'overview'): UiState {
  return {
    pane,
    overlay: { kind: 'none' },
    top: initialProfileView(),
    diff: initialProfileView(),
    goroutines: { cursor: TOP_CURSOR, filter: '', detail: null, detailScroll: 0 },
    message: null,
  };
}
