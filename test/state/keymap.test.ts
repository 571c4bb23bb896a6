// Keymap invariants: every command has keys, a description and a handler; no key is bound twice
// in a scope; every key is one Ink can deliver; footer and help come from the table; key
// resolution follows the scope precedence.

import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HANDLERS } from '../../src/state/commands.js';
import { FLEET_HANDLERS } from '../../src/state/fleet-store.js';
import { activeBindings, activeBindingsIn, activeScopes, fleetScopes, footerHints, KEYMAP, keyLabel, keyName, resolveKey, resolveKeyIn, typedKeys, type CommandId, type Scope } from '../../src/state/keymap.js';
import { reducer, type Action } from '../../src/state/reducer.js';
import { initialUiState, type UiState } from '../../src/state/ui-state.js';
import { lineText } from '../../src/ui/lines.js';
import { makeTheme } from '../../src/ui/theme.js';
import { helpLines } from '../../src/ui/views/help-view.js';

/** Every CommandId, checked by the compiler: a missing or unknown id fails `tsc`. */
const ALL_COMMANDS: Record<CommandId, true> = {
  quit: true,
  'force-quit': true,
  help: true,
  'help-down': true,
  'help-up': true,
  escape: true,
  'pane-overview': true,
  'pane-top': true,
  'pane-goroutines': true,
  'pane-diff': true,
  'next-pane': true,
  'prev-pane': true,
  pause: true,
  'poll-now': true,
  export: true,
  command: true,
  'close-help': true,
  'dismiss-error': true,
  down: true,
  up: true,
  'page-down': true,
  'page-up': true,
  first: true,
  last: true,
  open: true,
  'sample-type': true,
  granularity: true,
  sort: true,
  focus: true,
  ignore: true,
  'baseline-now': true,
  'baseline-reset': true,
  'prompt-apply': true,
  'prompt-cancel': true,
  'prompt-clear': true,
  'prompt-complete': true,
  filter: true,
  'drill-open': true,
  'drill-next-section': true,
  'drill-prev-section': true,
  'goroutine-open': true,
  'goroutine-leaks': true,
  'detail-down': true,
  'detail-up': true,
  'detail-page-down': true,
  'detail-page-up': true,
  'fleet-attach': true,
  'fleet-sort': true,
  'fleet-sort-back': true,
  'fleet-mark': true,
  'fleet-refresh': true,
};
const COMMAND_IDS = Object.keys(ALL_COMMANDS).sort();

/** Ink's Key object as useInput builds it, all flags off unless given. */
type InkKey = Parameters<typeof keyName>[1] & { meta?: boolean };
const ink = (k: Partial<InkKey> = {}): InkKey => ({
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageUp: false,
  pageDown: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  ...k,
});

/** What Ink's useInput hands over for each key a terminal can send: [input, key]. */
const INK_EVENTS: Record<string, [string, InkKey]> = {
  up: ['', ink({ upArrow: true })],
  down: ['', ink({ downArrow: true })],
  left: ['', ink({ leftArrow: true })],
  right: ['', ink({ rightArrow: true })],
  pageup: ['', ink({ pageUp: true })],
  pagedown: ['', ink({ pageDown: true })],
  home: ['', ink({ home: true })],
  end: ['', ink({ end: true })],
  enter: ['', ink({ return: true })],
  escape: ['', ink({ escape: true, meta: true })],
  tab: ['', ink({ tab: true })],
  'shift-tab': ['', ink({ tab: true, shift: true })],
  backspace: ['', ink({ backspace: true })],
};

/** The Ink event for a key name of the table, or null when Ink cannot deliver such a key. */
function inkEventFor(name: string): [string, InkKey] | null {
  if (INK_EVENTS[name]) return INK_EVENTS[name];
  const ctrl = /^ctrl-([a-z])$/.exec(name);
  if (ctrl) return [ctrl[1]!, ink({ ctrl: true })];
  // A printable character: Ink passes it as input (and sets shift for capitals).
  if ([...name].length === 1 && name >= ' ' && name !== '\u007f') return [name, ink({ shift: /[A-Z]/.test(name) })];
  return null;
}

/** States a user can be in, built through the reducer. */
const STATES: Record<string, UiState> = (() => {
  const s = (pane: UiState['pane'], ...actions: Action[]) => actions.reduce(reducer, initialUiState(pane));
  return {
    overview: s('overview'),
    top: s('top'),
    'top drill': s('top', { type: 'drill', pane: 'top', name: 'main.f' }),
    diff: s('diff'),
    'diff drill': s('diff', { type: 'drill', pane: 'diff', name: 'main.f' }),
    goroutines: s('goroutines'),
    'goroutine detail': s('goroutines', { type: 'open-goroutine', key: 'k' }),
    help: s('top', { type: 'open-help' }),
    error: s('top', { type: 'show-error', message: 'x' }),
    prompt: s('top', { type: 'open-prompt', purpose: 'focus' }),
  };
})();

const ALL_KEYS = [...new Set(KEYMAP.flatMap((b) => b.keys))];

describe('completeness', () => {
  it('every command has exactly one binding, with keys and a description', () => {
    for (const id of COMMAND_IDS) {
      const bindings = KEYMAP.filter((b) => b.id === id);
      expect(bindings, id).toHaveLength(1);
      expect(bindings[0]!.keys.length, id).toBeGreaterThan(0);
      expect(bindings[0]!.description.trim(), id).not.toBe('');
    }
    expect(KEYMAP.map((b) => b.id).sort()).toEqual(COMMAND_IDS);
  });

  it('every command has a handler where it can be pressed (a target\'s view, the fleet table), and there are no handlers for unknown commands', () => {
    const reachable = (scopes: Scope[][]) => [...new Set(scopes.flatMap((sc) => activeBindingsIn(sc).map((b) => b.id)))].sort();
    const targetIds = reachable(Object.values(STATES).map(activeScopes));
    const fleetIds = reachable(FLEET_OVERLAYS.map(fleetScopes));
    expect(Object.keys(HANDLERS).sort()).toEqual(targetIds);
    expect(Object.keys(FLEET_HANDLERS).sort()).toEqual(fleetIds);
    expect([...new Set([...targetIds, ...fleetIds])].sort()).toEqual(COMMAND_IDS);
    for (const id of targetIds) expect(typeof HANDLERS[id as keyof typeof HANDLERS], id).toBe('function');
  });

  it('footer hints are short labels', () => {
    for (const b of KEYMAP) if (b.hint !== undefined) expect(b.hint, b.id).toMatch(/^\S{1,8}$/);
  });
});

/** The fleet table's states: its overlays. */
const FLEET_OVERLAYS: UiState['overlay'][] = [{ kind: 'none' }, { kind: 'help', scroll: 0 }, { kind: 'error', message: 'x' }, { kind: 'prompt', purpose: 'filter', text: '' }];

describe('the fleet table', () => {
  it('has no pane keys, its own keys over the list\'s, and q, ?, Esc, / like a target\'s lists', () => {
    const id = (k: string) => resolveKeyIn(fleetScopes({ kind: 'none' }), k)?.id;
    expect(id('enter')).toBe('fleet-attach');
    expect(id('m')).toBe('fleet-mark');
    expect(id(' ')).toBe('fleet-mark');
    expect(id('s')).toBe('fleet-sort');
    expect(id('/')).toBe('filter');
    expect(id('j')).toBe('down');
    expect(id('q')).toBe('quit');
    expect(id('escape')).toBe('escape');
    for (const k of ['1', '2', 'tab', 'p', 'e', ':']) expect(id(k), k).toBeUndefined();
    expect(resolveKeyIn(fleetScopes({ kind: 'help', scroll: 0 }), '2')).toBeUndefined();
  });

  it('within each of its states, each key resolves to one command', () => {
    for (const o of FLEET_OVERLAYS) {
      const keys = activeBindingsIn(fleetScopes(o)).flatMap((b) => b.keys);
      expect(new Set(keys).size, o.kind).toBe(keys.length);
    }
  });
});

describe('conflicts', () => {
  it('no key is bound twice in one scope (nor twice in one binding)', () => {
    const seen = new Map<string, CommandId>();
    for (const b of KEYMAP) {
      expect(new Set(b.keys).size, b.id).toBe(b.keys.length);
      for (const k of b.keys) {
        const where = `${b.scope}:${k}`;
        expect(seen.get(where), `${where} is bound to ${seen.get(where)} and ${b.id}`).toBeUndefined();
        seen.set(where, b.id);
      }
    }
  });

  it('within the scopes active together, each key resolves to one command', () => {
    for (const [name, s] of Object.entries(STATES)) {
      const bindings = activeBindings(s);
      const keys = bindings.flatMap((b) => b.keys);
      expect(new Set(keys).size, name).toBe(keys.length);
    }
  });
});

describe('every key in the table is one keyName() produces', () => {
  for (const k of ALL_KEYS) {
    it(k, () => {
      const ev = inkEventFor(k);
      expect(ev, `${k}: no terminal key maps to this name`).not.toBeNull();
      expect(keyName(...ev!)).toBe(k);
    });
  }
});

describe('keyName for Ink key objects', () => {
  it.each([
    ['up arrow', '', { upArrow: true }, 'up'],
    ['down arrow', '', { downArrow: true }, 'down'],
    ['left arrow', '', { leftArrow: true }, 'left'],
    ['right arrow', '', { rightArrow: true }, 'right'],
    ['Enter', '', { return: true }, 'enter'],
    ['Esc', '', { escape: true, meta: true }, 'escape'],
    ['Tab', '', { tab: true }, 'tab'],
    ['Shift-Tab', '', { tab: true, shift: true }, 'shift-tab'],
    ['PgUp', '', { pageUp: true }, 'pageup'],
    ['PgDn', '', { pageDown: true }, 'pagedown'],
    ['Home', '', { home: true }, 'home'],
    ['End', '', { end: true }, 'end'],
    ['Ctrl-C', 'c', { ctrl: true }, 'ctrl-c'],
    ['Ctrl-F', 'f', { ctrl: true }, 'ctrl-f'],
    ['Ctrl-U', 'u', { ctrl: true }, 'ctrl-u'],
    ['Backspace', '', { backspace: true }, 'backspace'],
    ['Delete (what many terminals send for Backspace)', '', { delete: true }, 'backspace'],
    ['q', 'q', {}, 'q'],
    ['G (shifted)', 'G', { shift: true }, 'G'],
    ['?', '?', {}, '?'],
    ['/', '/', {}, '/'],
    ['backslash', '\\', {}, '\\'],
    ['a digit', '2', {}, '2'],
  ] as const)('%s', (_what, input, key, want) => {
    expect(keyName(input, ink(key))).toBe(want);
  });

  it('ignores what it never binds: pasted runs of text, and nothing at all', () => {
    expect(keyName('main', ink())).toBeNull();
    expect(keyName('', ink())).toBeNull();
  });
});

describe('typedKeys: a run of keys that arrived as one input', () => {
  it('one key per character, control characters by name', () => {
    expect(typedKeys('jj')).toEqual(['j', 'j']);
    expect(typedKeys('j\r')).toEqual(['j', 'enter']);
    expect(typedKeys('/a\u007fb\t')).toEqual(['/', 'a', 'backspace', 'b', 'tab']);
    expect(typedKeys('x\u0003')).toEqual(['x', 'ctrl-c']);
    expect(typedKeys('é😀')).toEqual(['é', '😀']);
  });
});

describe('resolveKey precedence', () => {
  const id = (state: string, key: string) => resolveKey(STATES[state]!, key)?.id;

  it('drill over profile over global in Top', () => {
    expect(id('top', 'enter')).toBe('open');
    expect(id('top drill', 'enter')).toBe('drill-open');
    expect(id('top', 'down')).toBe('down');
    // A drill-down is a table too: the same navigation keys, resolved against its rows.
    expect(id('top drill', 'j')).toBe('down');
    expect(id('top drill', 'pagedown')).toBe('page-down');
    expect(id('top drill', 'G')).toBe('last');
    expect(id('top drill', 'right')).toBe('drill-next-section');
    // Enter follows a caller/callee; in the lines and stacks views there is nothing to follow.
    const linesView = reducer(STATES['top drill']!, { type: 'drill-section', pane: 'top', delta: 1 });
    expect(resolveKey(linesView, 'enter')).toBeUndefined();
    expect(footerHints(linesView).map((h) => h.hint)).not.toContain('follow');
    expect(id('top', 'right')).toBeUndefined();
    // The profile keys are not active in a drill-down; the global ones are.
    expect(id('top', 's')).toBe('sample-type');
    expect(id('top drill', 's')).toBeUndefined();
    expect(id('top drill', '2')).toBe('pane-top');
    expect(id('top drill', 'escape')).toBe('escape');
  });

  it('/ narrows any list (goroutine groups, drill-downs) and is pprof’s focus in the Top and Diff tables', () => {
    expect(id('goroutines', '/')).toBe('filter');
    expect(id('top drill', '/')).toBe('filter');
    expect(id('diff drill', '/')).toBe('filter');
    expect(id('top', '/')).toBe('focus');
    expect(id('diff', '/')).toBe('focus');
    expect(id('goroutine detail', '/')).toBeUndefined();
    expect(id('overview', '/')).toBeUndefined();
    for (const state of ['goroutines', 'top drill']) expect(footerHints(STATES[state]!).map((h) => h.hint)).toContain('filter');
  });

  it('the Diff pane adds its baseline keys, Top does not have them', () => {
    expect(id('diff', 'b')).toBe('baseline-now');
    expect(id('diff drill', 'B')).toBe('baseline-reset');
    expect(id('top', 'b')).toBeUndefined();
  });

  it('overlays take their keys before the global ones', () => {
    expect(id('help', '?')).toBe('close-help');
    expect(id('help', 'escape')).toBe('close-help');
    expect(id('help', 'enter')).toBeUndefined(); // the pane underneath does not get keys
    expect(id('help', 'q')).toBe('quit');
    expect(id('error', 'enter')).toBe('dismiss-error');
    expect(id('error', 'escape')).toBe('dismiss-error');
    expect(id('error', 's')).toBeUndefined();
  });

  it('the goroutine detail scrolls where the list moves', () => {
    expect(id('goroutines', 'down')).toBe('down');
    expect(id('goroutines', 'enter')).toBe('goroutine-open');
    expect(id('goroutine detail', 'down')).toBe('detail-down');
    expect(id('goroutine detail', 'pagedown')).toBe('detail-page-down');
    expect(id('goroutine detail', 'enter')).toBeUndefined();
  });

  it('a text prompt takes every key as text but Ctrl-C, Enter, Esc, C-u and Tab (completion)', () => {
    const claimed: Record<string, string> = { 'ctrl-c': 'force-quit', enter: 'prompt-apply', escape: 'prompt-cancel', 'ctrl-u': 'prompt-clear', tab: 'prompt-complete' };
    for (const k of ALL_KEYS) expect(id('prompt', k), k).toBe(claimed[k]);
  });

  it('Ctrl-C quits from everywhere; q from everywhere but a prompt', () => {
    for (const state of Object.keys(STATES)) {
      expect(id(state, 'ctrl-c'), state).toBe('force-quit');
      expect(id(state, 'q'), state).toBe(state === 'prompt' ? undefined : 'quit');
    }
  });

  it('resolves every key to the binding of the first active scope that has it', () => {
    for (const [name, s] of Object.entries(STATES)) {
      const scopes = activeScopes(s);
      expect(scopes[0], name).toBe('always');
      for (const k of ALL_KEYS) {
        const first = scopes.map((sc) => KEYMAP.find((b) => b.scope === sc && b.keys.includes(k))).find(Boolean);
        expect(resolveKey(s, k), `${name} ${k}`).toBe(first);
      }
    }
  });
});

describe('footer and help are generated from the table', () => {
  it('each state’s footer lists exactly the hinted bindings of its active scopes', () => {
    for (const [name, s] of Object.entries(STATES)) {
      const scopes = new Set<Scope>(activeScopes(s));
      const hints = footerHints(s);
      const expected = activeBindings(s).filter((b) => b.hint);
      expect(hints.map((h) => h.id), name).toEqual(expected.map((b) => b.id));
      for (const h of hints) {
        const b = KEYMAP.find((x) => x.id === h.id)!;
        expect(scopes.has(b.scope), `${name}: ${h.id}`).toBe(true);
        expect(h.hint).toBe(b.hint);
        expect(h.keys).toBe(
          b.keys
            .filter((k) => resolveKey(s, k)?.id === b.id)
            .slice(0, 2)
            .map(keyLabel)
            .join('/'),
        );
      }
    }
  });

  it('footers say what the pane does', () => {
    const hints = (state: string) => footerHints(STATES[state]!).map((h) => `${h.keys} ${h.hint}`);
    expect(hints('overview')).toEqual(['q quit', '? help', 'Tab pane', 'p pause', 'e export']);
    expect(hints('top')).toEqual(expect.arrayContaining(['Enter drill', 's type', 'f gran', 'c sort', '/ focus', '↓/j move']));
    expect(hints('top')).not.toContain('b base');
    expect(hints('diff')).toEqual(expect.arrayContaining(['b base', 'Enter drill']));
    expect(hints('top drill')).toEqual(expect.arrayContaining(['Enter follow', '→/l view', '↓/j move']));
    expect(hints('top drill')).not.toContain('Enter drill');
    expect(hints('goroutines')).toEqual(expect.arrayContaining(['Enter details', '↓/j move']));
    expect(hints('goroutine detail')).toEqual(expect.arrayContaining(['↓/j scroll']));
    expect(hints('prompt')).toEqual(['Enter apply', 'Esc cancel', 'C-u clear']);
  });

  it('help lists the keys and descriptions of the pane underneath, and nothing else', () => {
    const theme = makeTheme({ NO_COLOR: '1' });
    for (const [name, s] of Object.entries(STATES)) {
      if (s.overlay.kind !== 'none') continue;
      const withHelp = reducer(s, { type: 'open-help' });
      const text = helpLines(withHelp, 200, 200, theme)
        .map((l) => stripVTControlCharacters(lineText(l)))
        .join('\n');
      const active = activeBindings(s);
      for (const b of active) {
        expect(text, `${name}: ${b.id}`).toContain(b.description);
        expect(text, `${name}: ${b.id}`).toContain(b.keys.map(keyLabel).join(' '));
      }
      const activeIds = new Set(active.map((b) => b.id));
      for (const b of KEYMAP) {
        if (!activeIds.has(b.id) && !KEYMAP.some((x) => activeIds.has(x.id) && x.description === b.description)) {
          expect(text, `${name}: ${b.id} is not active here`).not.toContain(b.description);
        }
      }
    }
  });
});
