// The reducer transitions users rely on, without a terminal: panes, overlays, Esc, cursors,
// options and drill-down.

import { describe, expect, it } from 'vitest';
import { GRANULARITIES } from '../../src/analysis/graph.js';
import { moveCursor, reducer, resolveCursor, type Action, type CursorTarget } from '../../src/state/reducer.js';
import { initialUiState, PANES, TOP_CURSOR, type Pane, type UiState } from '../../src/state/ui-state.js';

const run = (s: UiState, ...actions: Action[]): UiState => actions.reduce(reducer, s);
const at = (pane: Pane): UiState => initialUiState(pane);

describe('panes', () => {
  it('1–4 go straight to a pane', () => {
    for (const pane of PANES) expect(run(at('overview'), { type: 'set-pane', pane }).pane).toBe(pane);
  });

  it('Tab walks overview → top → goroutines → diff and wraps to overview', () => {
    const seen: Pane[] = [];
    let s = at('overview');
    for (let i = 0; i < 5; i++) {
      s = reducer(s, { type: 'cycle-pane', delta: 1 });
      seen.push(s.pane);
    }
    expect(seen).toEqual(['top', 'goroutines', 'diff', 'overview', 'top']);
  });

  it('Shift-Tab walks backwards and wraps from overview to diff', () => {
    const seen: Pane[] = [];
    let s = at('overview');
    for (let i = 0; i < 5; i++) {
      s = reducer(s, { type: 'cycle-pane', delta: -1 });
      seen.push(s.pane);
    }
    expect(seen).toEqual(['diff', 'goroutines', 'top', 'overview', 'diff']);
  });

  it('switching panes closes an overlay and keeps each pane’s own state', () => {
    let s = run(at('top'), { type: 'set-filter', pane: 'top', which: 'focus', value: 'main' }, { type: 'drill', pane: 'top', name: 'main.f' }, { type: 'open-help' });
    s = run(s, { type: 'set-pane', pane: 'goroutines' });
    expect(s.overlay).toEqual({ kind: 'none' });
    s = run(s, { type: 'show-error', message: 'x' }, { type: 'cycle-pane', delta: -1 });
    expect(s.pane).toBe('top');
    expect(s.overlay).toEqual({ kind: 'none' });
    expect(s.top.focus).toBe('main');
    expect(s.top.drill.map((d) => d.name)).toEqual(['main.f']);
  });
});

describe('overlays: one at a time', () => {
  it('help, error and prompt replace each other; the overlay is one field', () => {
    let s = run(at('top'), { type: 'open-help' });
    expect(s.overlay).toEqual({ kind: 'help', scroll: 0 });
    s = run(s, { type: 'show-error', message: 'bad regexp' });
    expect(s.overlay).toEqual({ kind: 'error', message: 'bad regexp' });
    s = run(s, { type: 'open-prompt', purpose: 'focus', text: 'ma' });
    expect(s.overlay).toEqual({ kind: 'prompt', purpose: 'focus', text: 'ma' });
    s = run(s, { type: 'open-help' });
    expect(s.overlay).toEqual({ kind: 'help', scroll: 0 });
  });

  it('? toggles help', () => {
    const s = run(at('overview'), { type: 'open-help' }, { type: 'open-help' });
    expect(s.overlay).toEqual({ kind: 'none' });
  });

  it('prompt input edits only an open prompt', () => {
    let s = run(at('top'), { type: 'open-prompt', purpose: 'command' }, { type: 'prompt-input', text: 'top 5' });
    expect(s.overlay).toEqual({ kind: 'prompt', purpose: 'command', text: 'top 5' });
    s = run(s, { type: 'close-overlay' });
    expect(run(s, { type: 'prompt-input', text: 'zzz' })).toBe(s);
  });
});

describe('Esc unwinds one layer per press', () => {
  it('Top: overlay → drill level → drill level → ignore → focus → nothing', () => {
    const start = run(
      at('top'),
      { type: 'set-filter', pane: 'top', which: 'focus', value: 'main' },
      { type: 'set-filter', pane: 'top', which: 'ignore', value: 'runtime' },
      { type: 'drill', pane: 'top', name: 'main.retainSmall' },
      { type: 'drill', pane: 'top', name: 'main.main' },
      { type: 'open-help' },
    );
    const s1 = reducer(start, { type: 'escape' });
    expect(s1.overlay.kind).toBe('none');
    expect(s1.top.drill).toHaveLength(2);

    const s2 = reducer(s1, { type: 'escape' });
    expect(s2.top.drill.map((d) => d.name)).toEqual(['main.retainSmall']);
    expect(s2.top.focus).toBe('main');

    const s3 = reducer(s2, { type: 'escape' });
    expect(s3.top.drill).toEqual([]);
    expect([s3.top.focus, s3.top.ignore]).toEqual(['main', 'runtime']);

    // The filters one at a time, the last one set first: the ignore, then the focus.
    const s4 = reducer(s3, { type: 'escape' });
    expect([s4.top.focus, s4.top.ignore]).toEqual(['main', '']);
    const s5 = reducer(s4, { type: 'escape' });
    expect([s5.top.focus, s5.top.ignore]).toEqual(['', '']);
    expect(s5.pane).toBe('top');

    // Nothing left: the same state, so the store does not even re-render.
    expect(reducer(s5, { type: 'escape' })).toBe(s5);
  });

  it('a drill level narrowed by / is unfiltered before it is left', () => {
    let s = run(at('top'), { type: 'drill', pane: 'top', name: 'main.f' }, { type: 'set-list-filter', list: { kind: 'drill', pane: 'top' }, text: 'http' });
    expect(s.top.drill[0]!.filter).toBe('http');
    s = reducer(s, { type: 'escape' });
    expect(s.top.drill.map((d) => [d.name, d.filter])).toEqual([['main.f', '']]);
    s = reducer(s, { type: 'escape' });
    expect(s.top.drill).toEqual([]);
  });

  it('Goroutines: detail → the / filter of the groups → nothing', () => {
    let s = run(at('goroutines'), { type: 'set-list-filter', list: { kind: 'goroutines' }, text: 'net/http' }, { type: 'open-goroutine', key: 'g1' });
    s = reducer(s, { type: 'escape' });
    expect(s.goroutines).toMatchObject({ detail: null, filter: 'net/http' });
    s = reducer(s, { type: 'escape' });
    expect(s.goroutines.filter).toBe('');
    expect(reducer(s, { type: 'escape' })).toBe(s);
  });

  it('Diff unwinds its own drill and filters, not Top’s', () => {
    let s = run(
      at('diff'),
      { type: 'set-filter', pane: 'top', which: 'focus', value: 'keep' },
      { type: 'set-filter', pane: 'diff', which: 'focus', value: 'main' },
      { type: 'drill', pane: 'diff', name: 'main.f' },
    );
    s = run(s, { type: 'escape' });
    expect(s.diff.drill).toEqual([]);
    s = run(s, { type: 'escape' });
    expect(s.diff.focus).toBe('');
    expect(s.top.focus).toBe('keep');
    expect(reducer(s, { type: 'escape' })).toBe(s);
  });

  it('Goroutines: error overlay → detail → nothing', () => {
    let s = run(at('goroutines'), { type: 'open-goroutine', key: 'g1' }, { type: 'scroll-detail', delta: 3, max: 10 }, { type: 'show-error', message: 'x' });
    s = reducer(s, { type: 'escape' });
    expect(s.overlay.kind).toBe('none');
    expect(s.goroutines.detail).toBe('g1');
    s = reducer(s, { type: 'escape' });
    expect(s.goroutines).toMatchObject({ detail: null, detailScroll: 0 });
    expect(reducer(s, { type: 'escape' })).toBe(s);
  });

  it('a prompt is closed by Esc without applying its text', () => {
    const s = run(at('top'), { type: 'open-prompt', purpose: 'focus' }, { type: 'prompt-input', text: 'main' }, { type: 'escape' });
    expect(s.overlay.kind).toBe('none');
    expect(s.top.focus).toBe('');
  });

  it('a status message lasts until the next action, and is not an Esc layer of its own', () => {
    let s = run(at('top'), { type: 'drill', pane: 'top', name: 'main.f' }, { type: 'message', text: 'polling paused (p resumes)' });
    expect(s.message).toBe('polling paused (p resumes)');
    s = reducer(s, { type: 'escape' });
    expect(s.message).toBeNull();
    expect(s.top.drill).toHaveLength(0);
  });

  it('does nothing on the Overview, even with filters set in Top', () => {
    const s = run(at('overview'), { type: 'set-filter', pane: 'top', which: 'focus', value: 'main' });
    expect(reducer(s, { type: 'escape' })).toBe(s);
  });
});

describe('cursor movement', () => {
  it('moveCursor clamps to the rows', () => {
    expect(moveCursor(TOP_CURSOR, -5, 10, 4)).toEqual({ selected: 0, offset: 0 });
    expect(moveCursor(TOP_CURSOR, 99, 10, 4)).toEqual({ selected: 9, offset: 6 });
    expect(moveCursor({ selected: 3, offset: 1 }, 3, 0, 4)).toEqual(TOP_CURSOR);
  });

  it('keeps the selection inside a window of pageSize rows', () => {
    let c = TOP_CURSOR;
    const offsets: number[] = [];
    for (let i = 1; i <= 6; i++) {
      c = moveCursor(c, c.selected + 1, 10, 4);
      offsets.push(c.offset);
    }
    // Rows 0–3 visible until the 5th row is selected, then the window follows the cursor.
    expect(offsets).toEqual([0, 0, 0, 1, 2, 3]);
    expect(c).toEqual({ selected: 6, offset: 3 });
    // Moving up inside the window does not scroll; above it, the window follows.
    c = moveCursor(c, 4, 10, 4);
    expect(c).toEqual({ selected: 4, offset: 3 });
    c = moveCursor(c, 1, 10, 4);
    expect(c).toEqual({ selected: 1, offset: 1 });
  });

  it('resolveCursor: the anchored row wherever it went, else the same position clamped, the window fitted', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f'];
    const keyOf = (rows: string[]) => (i: number) => rows[i];
    // On "d" (row 3); a new poll sorts "d" to row 1.
    const c = { selected: 3, offset: 2, anchor: 'd' };
    expect(resolveCursor(c, 6, keyOf(['a', 'd', 'b', 'c', 'e', 'f']), 3)).toEqual({ selected: 1, offset: 1, anchor: 'd' });
    // "d" is gone and the table shrank to 2 rows: the last row, anchor kept for when it is back.
    expect(resolveCursor(c, 2, keyOf(['a', 'b']), 3)).toEqual({ selected: 1, offset: 0, anchor: 'd' });
    // The terminal shrank under a cursor near the bottom of a tall window: the window follows it.
    expect(resolveCursor({ selected: 5, offset: 0, anchor: 'f' }, 6, keyOf(before), 2)).toEqual({ selected: 5, offset: 4, anchor: 'f' });
    // No anchor (nothing moved yet): position only.
    expect(resolveCursor(TOP_CURSOR, 6, keyOf(before), 3)).toEqual(TOP_CURSOR);
  });

  it('a move starts from where the anchored row is now and anchors the new row', () => {
    const table: CursorTarget = { kind: 'table', pane: 'top' };
    const rows = ['a', 'd', 'b', 'c'];
    let s = initialUiState('top');
    s = { ...s, top: { ...s.top, cursor: { selected: 3, offset: 0, anchor: 'd' } } };
    s = reducer(s, { type: 'move', target: table, delta: 1, rows: 4, pageSize: 10, keyAt: (i) => rows[i] });
    expect(s.top.cursor).toEqual({ selected: 2, offset: 0, anchor: 'b' });
  });

  it('pulls the window back when the table shrinks or the page grows', () => {
    // 20 rows, window at 15; now only 8 rows and a page of 5.
    expect(moveCursor({ selected: 17, offset: 15 }, 17, 8, 5)).toEqual({ selected: 7, offset: 3 });
    // A taller terminal: everything fits, offset back to 0.
    expect(moveCursor({ selected: 9, offset: 6 }, 9, 10, 20)).toEqual({ selected: 9, offset: 0 });
    // A page size of 0 counts as 1.
    expect(moveCursor(TOP_CURSOR, 3, 10, 0)).toEqual({ selected: 3, offset: 3 });
  });

  it('move and move-to act on the table, the drill level or the goroutines list', () => {
    const table: CursorTarget = { kind: 'table', pane: 'top' };
    let s = run(at('top'), { type: 'move', target: table, delta: 3, rows: 10, pageSize: 5 });
    expect(s.top.cursor).toEqual({ selected: 3, offset: 0 });
    s = run(s, { type: 'move-to', target: table, index: 9, rows: 10, pageSize: 5 });
    expect(s.top.cursor).toEqual({ selected: 9, offset: 5 });

    // No drill level: a drill move changes nothing.
    const drill: CursorTarget = { kind: 'drill', pane: 'top' };
    expect(reducer(s, { type: 'move', target: drill, delta: 1, rows: 3, pageSize: 5 })).toStrictEqual(s);
    s = run(s, { type: 'drill', pane: 'top', name: 'main.f' }, { type: 'move', target: drill, delta: 5, rows: 3, pageSize: 5 });
    expect(s.top.drill[0]!.cursor).toEqual({ selected: 2, offset: 0 });
    expect(s.top.cursor).toEqual({ selected: 9, offset: 5 }); // the table underneath stays put

    s = run(s, { type: 'move', target: { kind: 'goroutines' }, delta: -1, rows: 4, pageSize: 2 });
    expect(s.goroutines.cursor).toEqual(TOP_CURSOR);
    s = run(s, { type: 'move-to', target: { kind: 'goroutines' }, index: 3, rows: 4, pageSize: 2 });
    expect(s.goroutines.cursor).toEqual({ selected: 3, offset: 2 });
  });

  it('detail scrolling stays within [0, max]; opening a group starts at the top', () => {
    let s = run(at('goroutines'), { type: 'open-goroutine', key: 'a' }, { type: 'scroll-detail', delta: -3, max: 10 });
    expect(s.goroutines.detailScroll).toBe(0);
    s = run(s, { type: 'scroll-detail', delta: 25, max: 10 });
    expect(s.goroutines.detailScroll).toBe(10);
    s = run(s, { type: 'open-goroutine', key: 'b' });
    expect(s.goroutines).toMatchObject({ detail: 'b', detailScroll: 0 });
  });
});

describe('options reset the cursor and the drill-down', () => {
  const moved = (): UiState =>
    run(
      at('top'),
      { type: 'move', target: { kind: 'table', pane: 'top' }, delta: 4, rows: 10, pageSize: 3 },
      { type: 'drill', pane: 'top', name: 'main.f' },
    );
  const changes: Array<[string, Action, (s: UiState) => unknown, unknown]> = [
    ['sample type', { type: 'set-sample-type', pane: 'top', sampleType: 'alloc_space' }, (s) => s.top.sampleType, 'alloc_space'],
    ['granularity', { type: 'set-granularity', pane: 'top', granularity: 'files' }, (s) => s.top.granularity, 'files'],
    ['granularity cycle', { type: 'cycle-granularity', pane: 'top' }, (s) => s.top.granularity, 'filefunctions'],
    ['sort toggle', { type: 'toggle-sort', pane: 'top' }, (s) => s.top.cumSort, true],
    ['sort set', { type: 'set-cum-sort', pane: 'top', cum: true }, (s) => s.top.cumSort, true],
    ['focus', { type: 'set-filter', pane: 'top', which: 'focus', value: 'main' }, (s) => s.top.focus, 'main'],
    ['ignore', { type: 'set-filter', pane: 'top', which: 'ignore', value: 'runtime' }, (s) => s.top.ignore, 'runtime'],
    ['node count', { type: 'set-node-count', pane: 'top', count: 5 }, (s) => s.top.nodeCount, 5],
  ];
  for (const [what, action, get, want] of changes) {
    it(what, () => {
      const before = moved();
      expect(before.top.cursor.selected).toBe(4);
      expect(before.top.drill).toHaveLength(1);
      const after = reducer(before, action);
      expect(get(after)).toEqual(want);
      expect(after.top.cursor).toEqual(TOP_CURSOR);
      expect(after.top.drill).toEqual([]);
      expect(after.diff).toBe(before.diff); // the other profile pane is untouched
    });
  }

  it('granularity cycles through all four of pprof’s: functions → filefunctions → lines → files → functions', () => {
    const seen: string[] = [];
    let s = at('top');
    for (let i = 0; i < 5; i++) {
      s = reducer(s, { type: 'cycle-granularity', pane: 'top' });
      seen.push(s.top.granularity);
    }
    expect(seen).toEqual(['filefunctions', 'lines', 'files', 'functions', 'filefunctions']);
    expect(new Set(seen)).toEqual(new Set(GRANULARITIES));
  });

  it('a negative node count means all rows', () => {
    expect(run(at('top'), { type: 'set-node-count', pane: 'diff', count: -3 }).diff.nodeCount).toBe(0);
  });
});

describe('drill-down', () => {
  it('Enter pushes a level that starts on callers/callees at the top', () => {
    const s = run(at('top'), { type: 'drill', pane: 'top', name: 'main.retainSmall' }, { type: 'drill', pane: 'top', name: 'main.main' });
    expect(s.top.drill).toEqual([
      { name: 'main.retainSmall', section: 'peek', cursor: TOP_CURSOR, filter: '' },
      { name: 'main.main', section: 'peek', cursor: TOP_CURSOR, filter: '' },
    ]);
  });

  it('sections cycle peek → lines → stacks → peek (and back), each from the top', () => {
    let s = run(at('top'), { type: 'drill', pane: 'top', name: 'main.f' }, { type: 'move', target: { kind: 'drill', pane: 'top' }, delta: 2, rows: 5, pageSize: 5 });
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      s = reducer(s, { type: 'drill-section', pane: 'top', delta: 1 });
      seen.push(s.top.drill[0]!.section);
      expect(s.top.drill[0]!.cursor).toEqual(TOP_CURSOR);
    }
    expect(seen).toEqual(['lines', 'stacks', 'peek', 'lines']);
    s = run(s, { type: 'drill-section', pane: 'top', delta: -1 }, { type: 'drill-section', pane: 'top', delta: -1 });
    expect(s.top.drill[0]!.section).toBe('stacks');
  });

  it('only the innermost level changes section', () => {
    const s = run(at('diff'), { type: 'drill', pane: 'diff', name: 'a' }, { type: 'drill', pane: 'diff', name: 'b' }, { type: 'drill-section', pane: 'diff', delta: 1 });
    expect(s.diff.drill.map((d) => d.section)).toEqual(['peek', 'lines']);
  });

  it('changing section without a drill level does nothing', () => {
    const s = at('top');
    expect(reducer(s, { type: 'drill-section', pane: 'top', delta: 1 }).top).toBe(s.top);
  });
});
