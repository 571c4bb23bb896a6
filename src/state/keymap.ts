// Every key binding is data. Input handling resolves keys against this table, and the help
// overlay and the footer hints are generated from it — never typed by hand.

import { GRANULARITIES } from '../analysis/graph.js';
import type { UiState } from './ui-state.js';

export type Scope =
  | 'always' // Ctrl-C: even inside a text prompt
  | 'prompt' // a text prompt is open: other keys are typed into it
  | 'global' // q, ?, Esc: a target's panes and the fleet
  | 'panes' // a target's panes: switching, polling, export, `:`
  | 'fleet' // the fleet table (livepprof fleet)
  | 'help'
  | 'error'
  | 'table' // any list with a cursor
  | 'list' // a list that `/` narrows (goroutine groups, drill-downs, the fleet table)
  | 'profile' // Top and Diff tables
  | 'diff'
  | 'drill'
  | 'peek' // the callers/callees view of a drill-down
  | 'goroutines'
  | 'goroutine-detail';

export type CommandId =
  | 'quit'
  | 'force-quit'
  | 'help'
  | 'escape'
  | 'pane-overview'
  | 'pane-top'
  | 'pane-goroutines'
  | 'pane-diff'
  | 'next-pane'
  | 'prev-pane'
  | 'pause'
  | 'poll-now'
  | 'export'
  | 'command'
  | 'close-help'
  | 'help-down'
  | 'help-up'
  | 'dismiss-error'
  | 'down'
  | 'up'
  | 'page-down'
  | 'page-up'
  | 'first'
  | 'last'
  | 'open'
  | 'sample-type'
  | 'granularity'
  | 'sort'
  | 'focus'
  | 'ignore'
  | 'baseline-now'
  | 'baseline-reset'
  | 'prompt-apply'
  | 'prompt-cancel'
  | 'prompt-clear'
  | 'prompt-complete'
  | 'filter'
  | 'drill-open'
  | 'drill-next-section'
  | 'drill-prev-section'
  | 'goroutine-open'
  | 'goroutine-leaks'
  | 'detail-down'
  | 'detail-up'
  | 'detail-page-down'
  | 'detail-page-up'
  | FleetOnlyCommandId;

/** Commands of the fleet table alone. */
export type FleetOnlyCommandId = 'fleet-attach' | 'fleet-sort' | 'fleet-sort-back' | 'fleet-mark' | 'fleet-refresh';

export interface Binding {
  id: CommandId;
  /** Normalized key names (see keyName): 'q', 'G', 'enter', 'up', 'shift-tab', 'ctrl-c', 'pagedown'. */
  keys: string[];
  scope: Scope;
  group: 'General' | 'Prompt' | 'Panes' | 'Polling' | 'Navigation' | 'Profile' | 'Diff' | 'Drill-down' | 'Goroutines' | 'Fleet';
  description: string;
  /** Short label for the footer; bindings without one stay out of it. */
  hint?: string;
}

export const KEYMAP: Binding[] = [
  { id: 'force-quit', keys: ['ctrl-c'], scope: 'always', group: 'General', description: 'Quit (always)' },
  { id: 'prompt-apply', keys: ['enter'], scope: 'prompt', group: 'Prompt', description: 'Apply', hint: 'apply' },
  { id: 'prompt-cancel', keys: ['escape'], scope: 'prompt', group: 'Prompt', description: 'Cancel', hint: 'cancel' },
  { id: 'prompt-clear', keys: ['ctrl-u'], scope: 'prompt', group: 'Prompt', description: 'Clear the text', hint: 'clear' },
  { id: 'prompt-complete', keys: ['tab'], scope: 'prompt', group: 'Prompt', description: 'Complete a : command' },
  { id: 'quit', keys: ['q'], scope: 'global', group: 'General', description: 'Quit', hint: 'quit' },
  { id: 'help', keys: ['?'], scope: 'global', group: 'General', description: 'Keys of this pane', hint: 'help' },
  { id: 'escape', keys: ['escape'], scope: 'global', group: 'General', description: 'Back: one layer per press' },
  { id: 'command', keys: [':'], scope: 'panes', group: 'General', description: ':top 20 :focus=RE :lines …' },
  { id: 'pane-overview', keys: ['1'], scope: 'panes', group: 'Panes', description: 'Overview: RSS vs heap' },
  { id: 'pane-top', keys: ['2'], scope: 'panes', group: 'Panes', description: 'Top: heap profile' },
  { id: 'pane-goroutines', keys: ['3'], scope: 'panes', group: 'Panes', description: 'Goroutines by stack' },
  { id: 'pane-diff', keys: ['4'], scope: 'panes', group: 'Panes', description: 'Diff: now − baseline' },
  { id: 'next-pane', keys: ['tab'], scope: 'panes', group: 'Panes', description: 'Next pane', hint: 'pane' },
  { id: 'prev-pane', keys: ['shift-tab'], scope: 'panes', group: 'Panes', description: 'Previous pane' },
  { id: 'pause', keys: ['p'], scope: 'panes', group: 'Polling', description: 'Pause / resume polling', hint: 'pause' },
  { id: 'poll-now', keys: ['r'], scope: 'panes', group: 'Polling', description: 'Poll now' },
  { id: 'export', keys: ['e'], scope: 'panes', group: 'Polling', description: 'Save profile(s) .pb.gz', hint: 'export' },
  { id: 'close-help', keys: ['escape', '?'], scope: 'help', group: 'General', description: 'Close help' },
  { id: 'help-down', keys: ['down', 'j', 'pagedown'], scope: 'help', group: 'General', description: 'Scroll the help down', hint: 'more' },
  { id: 'help-up', keys: ['up', 'k', 'pageup'], scope: 'help', group: 'General', description: 'Scroll the help up' },
  { id: 'dismiss-error', keys: ['escape', 'enter'], scope: 'error', group: 'General', description: 'Dismiss the error' },
  { id: 'down', keys: ['down', 'j'], scope: 'table', group: 'Navigation', description: 'Next row', hint: 'move' },
  { id: 'up', keys: ['up', 'k'], scope: 'table', group: 'Navigation', description: 'Previous row' },
  { id: 'page-down', keys: ['pagedown', 'ctrl-f'], scope: 'table', group: 'Navigation', description: 'Next page' },
  { id: 'page-up', keys: ['pageup', 'ctrl-b'], scope: 'table', group: 'Navigation', description: 'Previous page' },
  { id: 'first', keys: ['g', 'home'], scope: 'table', group: 'Navigation', description: 'First row' },
  { id: 'last', keys: ['G', 'end'], scope: 'table', group: 'Navigation', description: 'Last row' },
  { id: 'filter', keys: ['/'], scope: 'list', group: 'Navigation', description: 'Filter the list by words', hint: 'filter' },
  { id: 'open', keys: ['enter'], scope: 'profile', group: 'Profile', description: 'Callers, callees, lines', hint: 'drill' },
  { id: 'sample-type', keys: ['s'], scope: 'profile', group: 'Profile', description: 'Next sample type', hint: 'type' },
  { id: 'granularity', keys: ['f'], scope: 'profile', group: 'Profile', description: `Next granularity (of ${GRANULARITIES.length})`, hint: 'gran' },
  { id: 'sort', keys: ['c'], scope: 'profile', group: 'Profile', description: 'Sort by flat or cum', hint: 'sort' },
  { id: 'focus', keys: ['/'], scope: 'profile', group: 'Profile', description: 'Focus on a regexp', hint: 'focus' },
  { id: 'ignore', keys: ['\\'], scope: 'profile', group: 'Profile', description: 'Ignore a regexp', hint: 'ignore' },
  { id: 'baseline-now', keys: ['b'], scope: 'diff', group: 'Diff', description: 'Baseline = now', hint: 'base' },
  { id: 'baseline-reset', keys: ['B'], scope: 'diff', group: 'Diff', description: 'Baseline = first poll' },
  { id: 'drill-open', keys: ['enter'], scope: 'peek', group: 'Drill-down', description: 'Follow caller/callee', hint: 'follow' },
  { id: 'drill-next-section', keys: ['right', 'l'], scope: 'drill', group: 'Drill-down', description: 'Next view (lines, stacks)', hint: 'view' },
  { id: 'drill-prev-section', keys: ['left', 'h'], scope: 'drill', group: 'Drill-down', description: 'Previous view' },
  { id: 'goroutine-open', keys: ['enter'], scope: 'goroutines', group: 'Goroutines', description: 'Stack, states, waits', hint: 'details' },
  { id: 'goroutine-leaks', keys: ['L'], scope: 'goroutines', group: 'Goroutines', description: 'Find leaks (runs one GC)', hint: 'leaks' },
  { id: 'detail-down', keys: ['down', 'j'], scope: 'goroutine-detail', group: 'Goroutines', description: 'Scroll down', hint: 'scroll' },
  { id: 'detail-up', keys: ['up', 'k'], scope: 'goroutine-detail', group: 'Goroutines', description: 'Scroll up' },
  { id: 'detail-page-down', keys: ['pagedown', 'ctrl-f'], scope: 'goroutine-detail', group: 'Goroutines', description: 'Page down' },
  { id: 'detail-page-up', keys: ['pageup', 'ctrl-b'], scope: 'goroutine-detail', group: 'Goroutines', description: 'Page up' },
  { id: 'fleet-attach', keys: ['enter'], scope: 'fleet', group: 'Fleet', description: 'Attach live to this instance (Esc comes back)', hint: 'attach' },
  { id: 'fleet-mark', keys: ['m', ' '], scope: 'fleet', group: 'Fleet', description: 'Mark a row; on a second: heap of the first − the second', hint: 'compare' },
  { id: 'fleet-sort', keys: ['s'], scope: 'fleet', group: 'Fleet', description: 'Sort by the next column', hint: 'sort' },
  { id: 'fleet-sort-back', keys: ['S'], scope: 'fleet', group: 'Fleet', description: 'Sort by the previous column' },
  { id: 'fleet-refresh', keys: ['r'], scope: 'fleet', group: 'Fleet', description: 'Query Prometheus now' },
];

/** The scopes of an open overlay, before the view's own (null: no overlay). */
function overlayScopes(overlay: UiState['overlay']): Scope[] | null {
  if (overlay.kind === 'prompt') return ['always', 'prompt'];
  if (overlay.kind === 'help') return ['always', 'help', 'global', 'panes'];
  if (overlay.kind === 'error') return ['always', 'error', 'global', 'panes'];
  return null;
}

/** The fleet table's scopes: its overlays (no pane keys there), else its own keys over the list's. */
export function fleetScopes(overlay: UiState['overlay']): Scope[] {
  const o = overlayScopes(overlay);
  if (o) return o.filter((s) => s !== 'panes');
  return ['always', 'fleet', 'list', 'table', 'global'];
}

/** Scopes in precedence order for the current state (the first binding found wins). */
export function activeScopes(s: UiState): Scope[] {
  const o = overlayScopes(s.overlay);
  if (o) return o;
  switch (s.pane) {
    case 'overview':
      return ['always', 'global', 'panes'];
    case 'top':
    case 'diff': {
      const drill = s[s.pane].drill;
      const diff: Scope[] = s.pane === 'diff' ? ['diff'] : [];
      if (drill.length === 0) return ['always', ...diff, 'profile', 'table', 'global', 'panes'];
      const peek: Scope[] = drill[drill.length - 1]!.section === 'peek' ? ['peek'] : [];
      return ['always', ...peek, 'drill', 'list', ...diff, 'table', 'global', 'panes'];
    }
    case 'goroutines':
      return s.goroutines.detail !== null ? ['always', 'goroutine-detail', 'global', 'panes'] : ['always', 'goroutines', 'list', 'table', 'global', 'panes'];
  }
}

export function resolveKey(s: UiState, key: string): Binding | undefined {
  return resolveKeyIn(activeScopes(s), key);
}

/** The binding of `key` in the first of these scopes that has one. */
export function resolveKeyIn(scopes: readonly Scope[], key: string): Binding | undefined {
  for (const scope of scopes) {
    const b = KEYMAP.find((x) => x.scope === scope && x.keys.includes(key));
    if (b) return b;
  }
  return undefined;
}

/** Bindings that apply right now, in precedence order, without the ones shadowed by an earlier scope. */
export function activeBindings(s: UiState): Binding[] {
  return activeBindingsIn(activeScopes(s));
}

export function activeBindingsIn(scopes: readonly Scope[]): Binding[] {
  const seen = new Set<string>();
  const out: Binding[] = [];
  for (const scope of scopes) {
    for (const b of KEYMAP.filter((x) => x.scope === scope)) {
      const keys = b.keys.filter((k) => !seen.has(k));
      if (keys.length === 0) continue;
      for (const k of keys) seen.add(k);
      out.push({ ...b, keys });
    }
  }
  return out;
}

const KEY_LABELS: Record<string, string> = {
  down: '↓',
  up: '↑',
  left: '←',
  right: '→',
  enter: 'Enter',
  escape: 'Esc',
  tab: 'Tab',
  'shift-tab': 'S-Tab',
  pagedown: 'PgDn',
  pageup: 'PgUp',
  home: 'Home',
  end: 'End',
  'ctrl-c': 'C-c',
  'ctrl-f': 'C-f',
  'ctrl-b': 'C-b',
  'ctrl-u': 'C-u',
  ' ': 'Space',
};

export function keyLabel(k: string): string {
  return KEY_LABELS[k] ?? k;
}

/** Footer hints: "↓/j move  Enter drill  s type  …" from the active bindings that have a hint. */
export function footerHints(s: UiState): Array<{ id: CommandId; keys: string; hint: string }> {
  return footerHintsIn(activeScopes(s));
}

export function footerHintsIn(scopes: readonly Scope[]): Array<{ id: CommandId; keys: string; hint: string }> {
  return activeBindingsIn(scopes)
    .filter((b) => b.hint)
    .map((b) => ({ id: b.id, keys: b.keys.slice(0, 2).map(keyLabel).join('/'), hint: b.hint! }));
}

/** Ink's (input, key) → one normalized key name, or null for keys we never bind. */
export function keyName(
  input: string,
  key: {
    upArrow?: boolean;
    downArrow?: boolean;
    leftArrow?: boolean;
    rightArrow?: boolean;
    pageUp?: boolean;
    pageDown?: boolean;
    home?: boolean;
    end?: boolean;
    return?: boolean;
    escape?: boolean;
    ctrl?: boolean;
    shift?: boolean;
    tab?: boolean;
    backspace?: boolean;
    delete?: boolean;
  },
): string | null {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input) return `ctrl-${input.toLowerCase()}`;
  return input && [...input].length === 1 ? input : null;
}

/**
 * A run of typed keys that arrived as one input (typing ahead over SSH, a paste, `j` then Enter):
 * one key name per character. Ink has already split off escape sequences (arrows, Esc).
 */
export function typedKeys(input: string): string[] {
  return [...input].map((ch) => {
    if (ch === '\r' || ch === '\n') return 'enter';
    if (ch === '\t') return 'tab';
    if (ch === '\u007f' || ch === '\b') return 'backspace';
    const code = ch.charCodeAt(0);
    if (code >= 1 && code <= 26) return `ctrl-${String.fromCharCode(code + 96)}`;
    return ch;
  });
}

const SCOPE_TITLES: Record<Scope, string> = {
  always: 'everywhere',
  prompt: 'in a / \\ or : prompt',
  global: 'everywhere but a prompt',
  panes: "a target's panes",
  fleet: 'the fleet table',
  help: 'help overlay',
  error: 'error overlay',
  table: 'any table',
  list: 'goroutine groups, drill-down, fleet',
  profile: 'Top and Diff',
  diff: 'Diff',
  drill: 'drill-down',
  peek: 'drill-down callers/callees',
  goroutines: 'Goroutines',
  'goroutine-detail': 'goroutine details',
};

/** The key table for the README, generated from KEYMAP (a test keeps the README in step). */
export function keyTableMarkdown(): string {
  const rows = KEYMAP.map((b) => `| ${b.keys.map((k) => '`' + keyLabel(k).replace('|', '\\|') + '`').join(' ')} | ${SCOPE_TITLES[b.scope]} | ${b.description} |`);
  return ['| keys | where | does |', '|---|---|---|', ...rows].join('\n');
}
