// Frames of the full-screen view at 80×24 and 120×40, driven by keys from a realistic session
// (four polls of real Go 1.19 captures through the real poll logic; see fixture-session.ts).
// Every frame is exactly the terminal's size; the content a user relies on is there.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

// Let chalk emit styles although stdout is a pipe here, so the colour tests see real codes.
vi.hoisted(() => {
  process.env.FORCE_COLOR = '3';
});

import { useInput } from 'ink';
import React, { useState } from 'react';
import { paneExporter } from '../../src/cli/tui-command.js';
import type { Session } from '../../src/session/session.js';
import { activeBindings, KEYMAP, keyLabel, keyName } from '../../src/state/keymap.js';
import { Store } from '../../src/state/store.js';
import { PANE_TITLES, PANES, type UiState } from '../../src/state/ui-state.js';
import { fitLine, lineText } from '../../src/ui/lines.js';
import { makeTheme } from '../../src/ui/theme.js';
import { footerLine, MAX_STATUS_LINES } from '../../src/ui/views/frame-view.js';
import { overviewLines } from '../../src/ui/views/overview-view.js';
import { KEY_SEQUENCES, renderApp, renderSized, settle, type Rendered } from '../helpers/render.js';
import { goroutineDumpLoader, GOROUTINE_LEAK_RECORDING, polledSession, replayedStore, type FixtureFetcher } from './fixture-session.js';
import { Session as LiveSession } from '../../src/session/session.js';
import { LiveFetcher } from '../../src/source/fetcher.js';
import { parseTarget } from '../../src/source/target.js';

let session: Session;
let fetcher: FixtureFetcher;
beforeAll(async () => {
  ({ session, fetcher } = await polledSession(4));
});
afterAll(async () => {
  await session.stop();
});

const mounted: Rendered[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const r of mounted.splice(0)) r.unmount();
  for (const s of stores.splice(0)) s.close();
});

async function open(columns: number, rows: number, color = false): Promise<{ r: Rendered; store: Store }> {
  const store = new Store(session);
  const r = await renderApp({ store, session, title: '127.0.0.1:6060', columns, rows, color, loadGoroutineDump: goroutineDumpLoader(store, fetcher) });
  mounted.push(r);
  stores.push(store);
  return { r, store };
}

const plainTheme = makeTheme({ NO_COLOR: '1' });

/** Frame invariants: the size, the header, the pane tabs, the footer from the keymap. Returns the lines, right-trimmed. */
function frame(r: Rendered, store: Store, columns: number, rows: number): string[] {
  const raw = r.lines();
  expect(raw, r.lastFrame()).toHaveLength(rows);
  for (const l of raw) expect([...l].length, `wider than ${columns}: ${l}`).toBeLessThanOrEqual(columns);
  const lines = raw.map((l) => l.trimEnd());
  const snap = store.getSnapshot();
  expect(lines[0]).toMatch(/^livepprof 127\.0\.0\.1:6060  /);
  if (columns >= 80) expect(lines[0]).toContain('pid 21360');
  const tabs = PANES.map((p, i) => (p === snap.ui.pane ? `[${i + 1} ${PANE_TITLES[p]}]` : `${i + 1} ${PANE_TITLES[p]}`)).join(' │ ');
  expect(lines[1]).toBe(tabs.slice(0, columns));
  const footer = lineText(fitLine(footerLine(snap, columns, plainTheme), columns)).trimEnd();
  expect(lines[rows - 1]).toBe(footer);
  if (snap.ui.overlay.kind !== 'prompt') expect(footer).toMatch(/q quit {2}\? help|q quit/);
  return lines;
}

/** Waits (a few scheduler turns) until the frame shows `text`. */
async function until(r: Rendered, text: string): Promise<void> {
  for (let i = 0; i < 50 && !r.lastFrame().includes(text); i++) await settle();
  expect(r.lastFrame()).toContain(text);
}

const body = (lines: string[]) => lines.slice(2, -2).join('\n');

/** The expected Top rows, from the same profile the view shows (rows before text). */
function topRows(store: Store, ui: UiState = store.getSnapshot().ui) {
  const pp = store.selectors.readyPaneProfile(store.getSnapshot().data, 'top')!;
  const t = store.selectors.settledTop(pp.profile, ui.top, 'top')!;
  if (!t.ok) throw new Error(t.error);
  return t.report.rows;
}

describe.each([
  [80, 24],
  [120, 40],
])('%i×%i', (columns, rows) => {
  const check = (r: Rendered, store: Store) => frame(r, store, columns, rows);

  it('Overview: RSS against the Go heap, goroutines, where the RSS goes', async () => {
    const { r, store } = await open(columns, rows);
    const lines = check(r, store);
    expect(lines[1]).toContain('[1 Overview]');
    // The GC's arithmetic: RSS, the goal the pacer set, the live heap the last GC found, memory kept beyond.
    expect(lines[2]).toMatch(/^R rss 99\.4MB\(proc\) G goal 35\.2MB L live 18\.7MB K kept 0B/);
    expect(lines.some((l) => /┤.*R$|┼.*R$/.test(l))).toBe(true); // the chart, its series lettered
    expect(lines.some((l) => /[┤┼].* G$/.test(l))).toBe(true);
    const text = body(lines);
    expect(text).toContain('goroutines 83');
    expect(text).toContain('+20 since the first poll');
    expect(text).toContain('L from heap profile (sampled)'); // expvar says no GOGC, and 4 GCs are too few to infer it
    expect(text.replace(/\s+/g, ' ')).toMatch(/RSS 99\.4MB = heap in use 23\.1MB \+ free kept 6\.28MB \+ stacks\+metadata 11\.4MB \+ binary\+files 5\.98MB \+ not Go 52\.7MB/);
  });

  it('Overview: the chart keeps its height whatever the verdict says', async () => {
    const { store } = await open(columns, rows);
    const snap = store.getSnapshot();
    const text = (verdictLines: number) =>
      overviewLines(snap, columns, rows - 4, plainTheme, Array.from({ length: verdictLines }, (_, i) => [{ text: `verdict line ${i}` }])).map(lineText);
    const at = (ls: string[]) => ls.findIndex((l) => l.startsWith('goroutines '));
    expect(at(text(1))).toBe(at(text(12)));
    expect(at(text(1))).toBeGreaterThan(5);
    expect(text(40).length).toBeLessThanOrEqual(rows - 4);
  });

  it('Top: the heaviest function of the capture, its flat value and share as pprof gives them', async () => {
    const { r, store } = await open(columns, rows);
    await r.press('2');
    const lines = check(r, store);
    expect(lines[2]).toBe('inuse_space · functions · by flat');
    expect(lines[3]).toMatch(/^heap as of GC #\d+/);
    // pprof: "Showing nodes accounting for 19132.37kB, 100% of 19132.37kB total" for heap-gc1.pb.gz.
    expect(lines[4]).toBe('Showing nodes accounting for 19132.37kB, 100% of 19132.37kB total');
    expect(lines[5]).toMatch(/^ +flat +flat% +sum% +cum +cum% trend +name$/);
    // `go tool pprof -top`: 8738.04kB 45.67% 45.67% 8738.04kB 45.67% main.retainSmall (auto unit: 8.53MB).
    expect(lines[6]).toMatch(/^› +8\.53MB +45\.67% +45\.67% +8\.53MB +45\.67% [▁-█ ]+ main\.retainSmall$/);
    expect(lines[7]).toMatch(/^ +8\.15MB +43\.62% +89\.29% +8\.15MB +43\.62% .* main\.retainLarge$/);
    const want = topRows(store);
    const visible = want.slice(0, rows - 4 - 4);
    visible.forEach((row, i) => expect(lines[6 + i]!.endsWith(` ${row.name}`), lines[6 + i]).toBe(true));
  });

  it('Top drill-down: callers/callees, lines and stacks of the selected function', async () => {
    const { r, store } = await open(columns, rows);
    await r.press('2', 'enter');
    let lines = check(r, store);
    expect(lines[2]).toBe('▸ main.retainSmall   [callers/callees] lines stacks');
    expect(lines[3]).toBe('  flat 8.53MB (45.67%)   cum 8.53MB (45.67%)   of 18.68MB inuse_space');
    expect(lines[4]).toContain('caller ↑ / callee ↓  (Enter follows)');
    expect(lines[5]).toMatch(/^› +100\.0% +8\.53MB +↑ main\.main$/);

    await r.press('right');
    lines = check(r, store);
    expect(lines[2]).toBe('▸ main.retainSmall   callers/callees [lines] stacks');
    expect(lines[3]).toMatch(/^ +flat +cum  file:line$/);
    expect(lines[4]).toMatch(/^› +8\.53MB +8\.53MB {2}\/src\/capture\/main\.go:44$/);

    await r.press('right');
    lines = check(r, store);
    expect(lines[2]).toBe('▸ main.retainSmall   callers/callees lines [stacks]');
    expect(lines[4]).toMatch(/^› +8\.53MB {2}main\.retainSmall ← main\.main ← runtime\.main$/);
    expect(body(lines)).toContain('frames of the selected stack:');
    expect(body(lines)).toMatch(/ {4}main\.main {2}\/src\/capture\/main\.go:191/);

    // Round the cycle, then follow the caller: a second level.
    await r.press('right', 'enter');
    lines = check(r, store);
    expect(lines[2]).toBe('▸▸ main.main   [callers/callees] lines stacks');
    expect(body(lines)).toMatch(/↑ runtime\.main/);
    expect(body(lines)).toMatch(/↓ main\.retainSmall/);
    expect(body(lines)).toMatch(/↓ main\.retainLarge/);

    await r.press('escape', 'escape');
    lines = check(r, store);
    expect(lines[2]).toBe('inuse_space · functions · by flat');
  });

  it('Goroutines: groups by stack, largest first, with the growth since the first poll', async () => {
    const { r, store } = await open(columns, rows);
    await r.press('3');
    const lines = check(r, store);
    expect(lines[2]).toMatch(/^83 goroutines \(\+20 since the first poll\) · 10 groups · as of /);
    expect(lines[3]).toMatch(/^ +count +Δ {2}waiting in/);
    expect(lines[4]).toMatch(/^› +70 +\+20 {2}main\.leakGoroutines\.func1/);
    // The labelled group: the function first, the labels after it.
    expect(body(lines)).toMatch(/\n +5 +0 {2}time\.Sleep [{…]/);
  });

  it('Goroutine detail: the stack, and states and wait times from goroutine?debug=2', async () => {
    const { r, store } = await open(columns, rows);
    await r.press('3', 'enter');
    await until(r, '70 × chan receive');
    const lines = check(r, store);
    expect(lines[2]).toBe('70 goroutines waiting in main.leakGoroutines.func1  (+20 since the first poll)');
    expect(lines[3]).toBe('stack (innermost first):');
    expect(lines[4]).toBe('  main.leakGoroutines.func1  /src/capture/main.go:64');
    const text = body(lines);
    expect(text).toContain('70 × chan receive, waiting up to 1 min');
    expect(text).toContain('created by main.leakGoroutines at /src/capture/main.go:64');
    await r.press('escape');
    expect(check(r, store)[2]).toMatch(/^83 goroutines/);
  });

  it('Diff: the latest profile minus the first, growth first', async () => {
    const { r, store } = await open(columns, rows);
    await r.press('4');
    const lines = check(r, store);
    expect(lines[2]).toBe('inuse_space · functions · by flat');
    expect(lines[3]).toMatch(/^now \(poll 4\) minus first profile \(poll 1, [\d:]+\): \+ grew, − shrank$/);
    // heap-gc1 minus heap: retainLarge is new (8344.84kB), retainSmall +514kB, malg +512.20kB.
    expect(lines[4]).toBe('Showing nodes accounting for 9371.05kB, 100% of 9371.05kB total');
    expect(lines[6]).toMatch(/^› +8\.15MB +89\.05% +89\.05% +8\.15MB +89\.05% .* main\.retainLarge$/);
    expect(lines[7]).toMatch(/^ +514kB +5\.49% .* main\.retainSmall$/);
    expect(lines[rows - 1]).toContain('b base');
  });

  it('e in Diff: both exported file names in full, the message wrapped over the status lines until the next key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'livepprof-frames-export-'));
    try {
      const store = new Store(session);
      stores.push(store);
      const r = await renderApp({ store, session, title: '127.0.0.1:6060', columns, rows, exportProfiles: paneExporter('127.0.0.1:6060', dir) });
      mounted.push(r);
      await r.press('4', 'e');
      const names = readdirSync(dir).sort(); // …-base.pb.gz, …-heap.pb.gz
      for (let i = 0; i < 50 && names.length < 2; i++) {
        await settle();
        names.splice(0, names.length, ...readdirSync(dir).sort());
      }
      expect(names).toHaveLength(2);
      await until(r, 'wrote ');
      // The status lines above the footer hold the whole message (it wraps, never cut).
      const bottom = r.lines().slice(-1 - MAX_STATUS_LINES, -1).map((l) => l.trim()).join('');
      for (const name of names) expect(bottom.replace(/\s/g, '')).toContain(name);
      expect(r.lines()).toHaveLength(rows);
      await r.press('j'); // the next key: the footer is back
      check(r, store);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('help overlay: the keys of the pane the user is in, from KEYMAP', () => {
    const cases: Array<[string, string[], string]> = [
      ['Overview', [], 'Keys in Overview'],
      ['Top', ['2'], 'Keys in Top'],
      ['Top drill-down', ['2', 'enter'], 'Keys in Top (drill-down)'],
      ['Goroutines', ['3'], 'Keys in Goroutines'],
      ['Diff', ['4'], 'Keys in Diff'],
    ];
    for (const [what, keys, title] of cases) {
      it(what, async () => {
        const { r, store } = await open(columns, rows);
        await r.press(...keys);
        const under = store.getSnapshot().ui;
        await r.press('?');
        const lines = check(r, store);
        expect(lines[2]).toBe(`${title}   Esc or ? closes`);
        const text = body(lines);
        for (const b of activeBindings(under)) {
          expect(text, b.id).toContain(b.description);
          expect(text, b.id).toMatch(new RegExp(`(^|\\s)${b.keys.map(keyLabel).join(' ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`, 'm'));
        }
        // Keys of other panes are not listed.
        const shown = new Set(activeBindings(under).map((b) => b.description));
        for (const b of KEYMAP) if (!shown.has(b.description) && b.scope !== 'help' && b.scope !== 'error') expect(text).not.toContain(b.description);
        await r.press('?');
        expect(check(r, store)[2]).not.toContain('Keys in');
      });
    }
  });

  it('help taller than a small terminal scrolls, and every key of the pane can be read', async () => {
    const { r, store } = await open(60, 20);
    await r.press('2');
    const under = store.getSnapshot().ui;
    await r.press('?');
    let lines = r.lines();
    expect(lines.some((l) => /↓ \d+ more lines?: j or PgDn/.test(l))).toBe(true);
    let seen = lines.join('\n');
    for (let i = 0; i < 10 && lines.some((l) => l.includes('more line')); i++) {
      await r.press('j');
      lines = r.lines();
      seen += '\n' + lines.join('\n');
    }
    expect(lines.some((l) => l.includes('more line'))).toBe(false);
    for (const b of activeBindings(under)) expect(seen, b.id).toContain(b.description);
    await r.press('k');
    expect(store.getSnapshot().ui.overlay).toMatchObject({ kind: 'help' });
  });

  it('error overlay: the whole message with its hint, then back with Esc', async () => {
    const { r, store } = await open(columns, rows);
    await r.press('2', ':');
    await r.type('bogus');
    await r.press('enter');
    let lines = check(r, store);
    expect(lines[2]).toBe('Error');
    const text = body(lines).replace(/\n/g, ' ');
    expect(text).toContain(
      'unknown command :bogus (try :top 20, :sample_index=alloc_space, :focus=RE, :ignore=RE, :granularity=lines, :cum, :flat, :export DIR)',
    );
    expect(body(lines)).toContain('Enter or Esc dismisses');
    await r.press('escape');
    lines = check(r, store);
    expect(lines[2]).toBe('inuse_space · functions · by flat');
  });

  it('prompt overlay: / types a focus in the status line; Enter applies it; Esc clears it', async () => {
    const { r, store } = await open(columns, rows);
    await r.press('2', '/');
    let lines = check(r, store);
    expect(lines[rows - 2]).toBe('focus (regexp, Enter applies, empty clears): /█');
    expect(lines[rows - 1]).toBe('Enter apply  Esc cancel  C-u clear'); // the prompt's own keys, from the keymap
    await r.type('retain');
    await r.press('q'); // typed, not quit
    await r.press('backspace');
    lines = check(r, store);
    expect(lines[rows - 2]).toBe('focus (regexp, Enter applies, empty clears): /retain█');
    expect(lines[2]).toBe('inuse_space · functions · by flat'); // the table stays on screen
    await r.press('enter');
    lines = check(r, store);
    expect(lines[2]).toBe('inuse_space · functions · by flat · focus=retain');
    const names = body(lines);
    expect(names).toContain('main.retainSmall');
    expect(names).toContain('main.retainLarge');
    expect(names).not.toContain('runtime.malg');
    await r.press('escape');
    expect(check(r, store)[2]).toBe('inuse_space · functions · by flat');
  });

  it('prompt overlay: a : command', async () => {
    const { r, store } = await open(columns, rows);
    await r.press(':');
    await r.type('top 3');
    let lines = check(r, store);
    expect(lines[rows - 2]).toBe(':top 3█');
    await r.press('enter');
    lines = check(r, store);
    expect(lines[1]).toContain('[2 Top]');
    expect(lines[2]).toBe('inuse_space · functions · by flat · top 3');
    expect(lines.filter((l) => /^[› ] +\S+ +[\d.]+% /.test(l))).toHaveLength(3);
  });
  it('Overview legend: the chart’s window and the poll number', async () => {
    const { r, store } = await open(columns, rows);
    const lines = check(r, store);
    // Four polls 5 s apart: the chart spans 15 s, and this is poll 4.
    expect(lines[2]).toMatch(/ {2}last 15s · poll 4$/);
    // Goroutines 63 → 83 on the zero-based scale: three quarters high, then full; not ▁███.
    expect(body(lines)).toMatch(/^goroutines 83 ▇███ {2}\+20 since the first poll/m);
  });

  it('Top and Diff draw the same trend for the same function, on a zero-based scale', async () => {
    const { r, store } = await open(columns, rows);
    const trendOf = (lines: string[], name: string) => {
      const header = lines.find((l) => / trend +name$/.test(l))!;
      const row = lines.find((l) => l.endsWith(` ${name}`))!;
      return row.slice(header.indexOf('trend'), header.indexOf('name')).trim();
    };
    await r.press('2');
    const top = trendOf(check(r, store), 'main.retainSmall');
    await r.press('4');
    const diff = trendOf(check(r, store), 'main.retainSmall');
    expect(top).toMatch(/^[▁-█]{2,}$/);
    expect(diff).toBe(top);
    // runtime.malg: 1MB in the first profile, 1.5MB after: ⅔ of the height, then full.
    await r.press('2');
    expect(trendOf(check(r, store), 'runtime.malg')).toMatch(/^▆█+$/);
  });

  it('Goroutine detail: one goroutine is "1 goroutine", and goroutine?debug=2 finds it (the main goroutine)', async () => {
    const { r, store } = await open(columns, rows);
    await r.press('3');
    const groups = store.selectors.goroutineRows(store.getSnapshot());
    const main = groups.findIndex((g) => g.entry === 'runtime.main');
    expect(groups[main]!.count).toBe(1);
    for (let i = 0; i < main; i++) await r.press('j');
    await r.press('enter');
    await until(r, 'from goroutine?debug=2');
    const lines = check(r, store);
    expect(lines[2]).toMatch(/^1 goroutine waiting in internal\/poll\.runtime_pollWait {2}\(0 since the first poll\)$/);
    expect(body(lines)).toMatch(/from goroutine\?debug=2 at [\d:]+: 1 goroutine$/m);
    expect(body(lines)).toContain('1 × IO wait');
    expect(body(lines)).not.toMatch(/\b1 goroutines\b|\b0 goroutines\b/);
  });

  it('/ narrows the goroutine groups as it is typed; Enter keeps it; Esc clears it', async () => {
    const { r, store } = await open(columns, rows);
    await r.press('3');
    const all = store.selectors.goroutineRows(store.getSnapshot()).length;
    await r.press('/');
    await r.type('sync');
    let lines = check(r, store);
    expect(lines[rows - 2]).toBe('narrow to rows with (words): /sync█');
    const shown = lines.filter((l) => /^[› ] +\d+ +[-+\d]+ {2}\S/.test(l));
    // Three groups wait in sync.runtime_*: the table shows them, and only them.
    expect(shown.map((l) => l.replace(/^[› ] +\d+ +[-+\d]+ {2}(\S+).*$/, '$1')).sort()).toEqual([
      'sync.runtime_Semacquire',
      'sync.runtime_SemacquireMutex',
      'sync.runtime_notifyListWait',
    ]);
    expect(lines[2]).toContain(` · /sync: 3 of ${all} groups`);
    await r.press('enter');
    lines = check(r, store);
    expect(store.getSnapshot().ui.goroutines.filter).toBe('sync');
    expect(lines[2]).toContain(` · /sync: 3 of ${all} groups`);
    expect(lines.filter((l) => l.startsWith('›'))).toHaveLength(1);
    await r.press('escape');
    lines = check(r, store);
    expect(lines[2]).not.toContain('/sync');
    expect(store.selectors.goroutineRows(store.getSnapshot())).toHaveLength(all);
  });

  it(': shows the commands that fit what is typed, and Tab completes them', async () => {
    const { r, store } = await open(columns, rows);
    await r.press(':');
    let lines = check(r, store);
    expect(lines[rows - 1]).toMatch(/^Tab completes: top N {2}sample_index=TYPE {2}focus=RE/);
    await r.type('gr');
    lines = check(r, store);
    expect(lines[rows - 1]).toMatch(/^Tab completes: granularity=functions\|filefunctions\|lines\|files/);
    await r.press('tab');
    lines = check(r, store);
    expect(lines[rows - 2]).toBe(':granularity=█');
    expect(lines[rows - 1]).toMatch(/^granularity=functions\|filefunctions\|lines\|files {2}merge rows/);
    await r.type('li');
    await r.press('tab', 'enter');
    expect(check(r, store)[2]).toBe('inuse_space · lines · by flat');
  });

});

describe('panes by key', () => {
  it('1–4, Tab and Shift-Tab switch panes and wrap', async () => {
    const { r, store } = await open(80, 24);
    const pane = () => store.getSnapshot().ui.pane;
    await r.press('tab');
    expect(pane()).toBe('top');
    await r.press('tab', 'tab', 'tab');
    expect(pane()).toBe('overview');
    await r.press('shift-tab');
    expect(pane()).toBe('diff');
    expect(frame(r, store, 80, 24)[1]).toContain('[4 Diff]');
    await r.press('3');
    expect(pane()).toBe('goroutines');
  });

  it('moves the cursor with j/k, PgDn and G, keeping the marker on the selected row', async () => {
    const { r, store } = await open(80, 24);
    await r.press('2', 'j', 'down');
    let lines = frame(r, store, 80, 24);
    expect(lines.filter((l) => l.startsWith('›'))).toHaveLength(1);
    expect(lines[8]).toMatch(/^› .* runtime\.malg$/);
    await r.press('G');
    lines = frame(r, store, 80, 24);
    const last = topRows(store).at(-1)!.name;
    expect(lines.find((l) => l.startsWith('›'))).toMatch(new RegExp(` ${last.replace(/\./g, '\\.')}$`));
    await r.press('k', 'up', 'g');
    expect(frame(r, store, 80, 24)[6]).toMatch(/^› .* main\.retainSmall$/);
  });
});

describe('the keys of the table arrive through Ink as their names', () => {
  it('every key in KEYMAP, sent as the bytes a terminal sends', async () => {
    const got: Array<string | null> = [];
    function Probe(): React.ReactElement {
      const [, set] = useState(0);
      useInput((input, key) => {
        got.push(keyName(input, key));
        set((n) => n + 1);
      });
      return <></>;
    }
    const r = renderSized(<Probe />, { columns: 80, rows: 24 });
    mounted.push(r);
    await settle();
    const keys = [...new Set(KEYMAP.flatMap((b) => b.keys))];
    for (const k of keys) await r.press(k);
    expect(got).toEqual(keys);
    expect(Object.keys(KEY_SEQUENCES)).toEqual(expect.arrayContaining(keys.filter((k) => k.length > 1)));
  });
});

describe('keys that arrive together', () => {
  it('each character is its own key (a held j over SSH moves twice, "2j" switches pane then moves)', async () => {
    const { r, store } = await open(80, 24);
    await r.type('2jj');
    expect(store.getSnapshot().ui.pane).toBe('top');
    expect(store.getSnapshot().ui.top.cursor.selected).toBe(2);
    expect(r.lines().some((l) => l.startsWith('›'))).toBe(true);
  });

  it('"j" and Enter together move, then drill into that row', async () => {
    const { r, store } = await open(80, 24);
    await r.press('2');
    const second = topRows(store)[1]!.name;
    await r.type('j\r');
    expect(store.getSnapshot().ui.top.drill.map((d) => d.name)).toEqual([second]);
  });

  it('typed ahead into a prompt: "/" opens it and the rest of the run is its text', async () => {
    const { r, store } = await open(80, 24);
    await r.press('2');
    await r.type('/retain');
    const overlay = store.getSnapshot().ui.overlay;
    expect(overlay).toEqual({ kind: 'prompt', purpose: 'focus', text: 'retain' });
    expect(r.lines().some((l) => l.includes('retain█'))).toBe(true);
  });

  it('a regexp longer than the line keeps its end and the cursor in view', async () => {
    const { r } = await open(80, 24);
    await r.press('2');
    const long = 'main\\.(retainSmall|retainLarge|leakGoroutines|labeledWorkers)$';
    await r.type('/' + long);
    const status = r.lines().find((l) => l.startsWith('focus ('))!;
    expect(status.length).toBeLessThanOrEqual(80);
    expect(status).toMatch(/…[^…]*labeledWorkers\)\$█$/);
  });
});

describe('the cursor across polls', () => {
  it('stays on the function it was on when a new poll re-sorts the table, and Enter drills into that one', async () => {
    // Poll 1 (heap.pb.gz): runtime.malg is row 2; poll 2 (heap-gc1.pb.gz) puts main.retainLarge above it.
    const own = await polledSession(1);
    try {
      const store = new Store(own.session);
      stores.push(store);
      const r = await renderApp({ store, session: own.session, title: '127.0.0.1:6060', columns: 80, rows: 24, color: false, loadGoroutineDump: () => undefined });
      mounted.push(r);
      await r.press('2', 'j');
      const marked = () => r.lines().find((l) => l.startsWith('›')) ?? '';
      expect(marked()).toContain('runtime.malg');
      own.session.pollNow();
      await vi.waitFor(() => expect(store.getSnapshot().data.latestHeap?.seq).toBe(2));
      await settle();
      expect(topRows(store)[1]!.name).toBe('main.retainLarge');
      expect(marked()).toContain('runtime.malg');
      await r.press('enter');
      expect(store.getSnapshot().ui.top.drill.map((d) => d.name)).toEqual(['runtime.malg']);
    } finally {
      await own.session.stop();
    }
  });
});

describe('resizing', () => {
  /** Name cells of the table rows, cut where the header's "name" starts. */
  function nameCells(lines: string[]): string[] {
    const header = lines.findIndex((l) => /^ +flat +flat%/.test(l));
    const at = lines[header]!.indexOf('name');
    return lines.slice(header + 1).filter((l) => /^[› ] +\S/.test(l)).map((l) => l.slice(at).trimEnd());
  }

  /** A cut name keeps the function: whole, or its detail cut from the left, or the function's own tail. */
  function fair(cell: string, full: string): boolean {
    if (cell === full) return true;
    const sp = full.indexOf(' ');
    const fn = sp > 0 ? full.slice(0, sp) : full;
    if (cell === fn) return true;
    if (cell.startsWith(`${fn} …`)) return full.endsWith(cell.slice(fn.length + 2));
    return cell.startsWith('…') && fn.endsWith(cell.slice(1)) && cell.length > 4;
  }

  it('120×40 → 80×24 → 60×20: fewer columns, names cut from the left keeping the function', async () => {
    const { r, store } = await open(120, 40);
    await r.press('2');
    for (const [c, h] of [
      [120, 40],
      [80, 24],
      [60, 20],
    ] as const) {
      await r.resize(c, h);
      let lines = frame(r, store, c, h);
      const header = lines[5]!;
      expect(header.includes('sum%'), `${c}: sum%`).toBe(c >= 80);
      expect(header.includes('trend'), `${c}: trend`).toBe(c >= 80);
      expect(header).toMatch(/ flat .* cum .* name$/);
      expect(nameCells(lines)[0]).toBe('main.retainSmall');

      // Lines granularity: "main.retainSmall /src/capture/main.go:44" and longer names.
      await r.press('f', 'f'); // functions → filefunctions → lines
      lines = frame(r, store, c, h);
      const full = topRows(store).map((x) => x.name);
      const cells = nameCells(lines);
      expect(cells.length).toBeGreaterThan(5);
      cells.forEach((cell, i) => expect(fair(cell, full[i]!), `${c}×${h}: "${cell}" for "${full[i]}"`).toBe(true));
      if (c < 120) expect(cells.some((x) => x !== full[cells.indexOf(x)])).toBe(true); // some were cut
      expect(cells[0]!.startsWith('main.retainSmall ')).toBe(true);
      await r.press('f', 'f'); // lines → files → functions

      // Goroutines: every "waiting in" cell starts with its function (or a cut of it).
      await r.press('3');
      lines = frame(r, store, c, h);
      expect(lines.some((l) => /^ +5 +0 {2}time\.Sleep /.test(l))).toBe(true);
      await r.press('2');
    }
  });

  it('below 40×10 it says the terminal is too small', async () => {
    const { r } = await open(80, 24);
    await r.resize(30, 8);
    const lines = r.lines();
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^terminal too small \(30×8\)/);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(30);
    await r.resize(80, 24);
    expect(r.lines()).toHaveLength(24);
  });
});

describe('colour', () => {
  /** SGR parameters that set a colour (foreground/background, 8/16/256/truecolor). */
  function colourCodes(raw: string): string[] {
    const found: string[] = [];
    for (const m of raw.matchAll(/\u001b\[([\d;]*)m/g)) {
      const params = m[1]!.split(';').map(Number);
      if (params.some((p) => (p >= 30 && p <= 49) || (p >= 90 && p <= 107))) found.push(m[0]);
    }
    return found;
  }

  async function tour(r: Rendered): Promise<string> {
    const raw: string[] = [r.rawFrame()];
    for (const keys of [['2'], ['enter'], ['escape', '3'], ['4'], ['?'], ['?', ':', 'x'], ['enter']]) {
      await r.press(...keys);
      raw.push(r.rawFrame());
    }
    return raw.join('\n');
  }

  it('NO_COLOR: no colour codes anywhere; styles that are not colour may stay', async () => {
    const { r } = await open(80, 24, false);
    const raw = await tour(r);
    expect(raw).toContain('\u001b['); // chalk is on: bold and inverse are still drawn
    expect(colourCodes(raw)).toEqual([]);
  });

  it('with colour on, colour is used, and the selected row still has its › marker', async () => {
    const { r, store } = await open(80, 24, true);
    expect(colourCodes(await tour(r)).length).toBeGreaterThan(0);
    await r.press('escape', '2', 'j');
    const lines = frame(r, store, 80, 24);
    const sel = lines.findIndex((l) => l.startsWith('›'));
    expect(lines[sel]).toMatch(/ main\.retainLarge$/);
    expect(lines.filter((l) => l.startsWith('›'))).toHaveLength(1);
    // The raw line is drawn inverse as well.
    expect(r.rawFrame().split('\n')[sel]).toContain('\u001b[7m');
  });
});

describe('the goroutine-leak recording (the Go fixture target at 1 s), replayed poll by poll', () => {
  /** The frame after replaying `polls` polls, at a size, with the keys pressed. */
  let dumpsFetched = 0;
  async function replayed(polls: number, columns: number, rows: number, ...keys: string[]): Promise<{ r: Rendered; store: Store; lines: string[] }> {
    const { session, store } = await replayedStore(GOROUTINE_LEAK_RECORDING, polls);
    stores.push(store);
    dumpsFetched = 0;
    const r = await renderApp({ store, session, title: '127.0.0.1:39993 (recording)', columns, rows, loadGoroutineDump: () => void dumpsFetched++ });
    mounted.push(r);
    await r.press(...keys);
    const lines = r.lines().map((l) => l.trimEnd());
    expect(lines).toHaveLength(rows);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(columns);
    return { r, store, lines };
  }

  /** The goroutine rows: [count, Δ, waiting in]. */
  const groupRows = (lines: string[]) =>
    lines.flatMap((l) => {
      const m = /^[› ] +(\d+|gone) +([-+]?\d+) {2}(.+?)(?: {2,}|$)/.exec(l);
      return m ? [[m[1]!, m[2]!, m[3]!]] : [];
    });

  describe.each([
    [80, 24],
    [120, 40],
  ])('%i×%i', (columns, rows) => {
    it('a group that just went stays in its place, marked gone; the rows around it do not move', async () => {
      const one = groupRows((await replayed(1, columns, rows, '3')).lines);
      const two = (await replayed(2, columns, rows, '3')).lines;
      const after = groupRows(two);
      // Poll 1's goroutine that had not started yet has gone by poll 2 (and an HTTP connection's reader came).
      const was = one.findIndex((g) => g[2] === 'not started yet (no stack)');
      expect(was).toBeGreaterThan(0);
      expect(after[was]).toEqual(['gone', expect.stringMatching(/^-?\d+$/), 'not started yet (no stack)']);
      one.forEach((g, i) => expect(after[i]![2], `row ${i}`).toBe(g[2]));
      expect(after.length).toBe(one.length + 1);
      expect(two[2]).toMatch(/ · \d+ groups \(\+1 just gone\) · as of /);
    });

    it('the details of a gone group say when it went and what it was, and fetch no dump', async () => {
      const { r, store } = await replayed(2, columns, rows, '3');
      const at = store.selectors.goroutineRows(store.getSnapshot()).findIndex((g) => g.goneAt !== null);
      expect(at).toBeGreaterThan(0);
      for (let i = 0; i < at; i++) await r.press('j');
      await r.press('enter');
      const lines = r.lines().map((l) => l.trimEnd());
      expect(lines[2]).toMatch(/^gone by \d\d:\d\d:\d\d {2}\(-?\d+ since the first poll\)$/);
      expect(lines[3]).toMatch(/^1 goroutine not started yet at the poll before: since started/);
      expect(body(lines)).not.toContain('goroutine?debug=2');
      expect(dumpsFetched).toBe(0); // it would stop the target's world for nothing
    });

    it('no row says "?  ?": a group without a stack says it has not started', async () => {
      const { lines } = await replayed(1, columns, rows, '3');
      const g = groupRows(lines);
      expect(g.some((x) => x[2] === 'not started yet (no stack)')).toBe(true);
      expect(body(lines).split('\n').filter((l) => /(^|\s)\?(\s|$)/.test(l))).toEqual([]);
    });

    it('Diff: every column stands apart, negative values included ("75.86%-512.05kB" before)', async () => {
      const { lines } = await replayed(2, columns, rows, '4');
      const table = lines.slice(lines.findIndex((l) => /^ +flat +flat% +sum% +cum +cum%/.test(l)) + 1).filter((l) => /^[› ] +\S/.test(l));
      expect(table.some((l) => /-512\.\d\dkB/.test(l))).toBe(true);
      const value = '(?:-?[\\d.]+(?:B|kB|MB|GB)|0)';
      const pct = '-?[\\d.]+%';
      for (const l of table) expect(l).toMatch(new RegExp(`^[› ] +${value} +${pct} +${pct} +${value} +${pct} `));
    });
  });
});

describe('a target that refuses the connection', () => {
  it.each([
    [80, 24],
    [60, 20],
  ])('%i×%i: the error is shown whole, wrapped, never cut mid-sentence', async (columns, rows) => {
    const fetcher = new LiveFetcher(parseTarget('127.0.0.1:1'), { http: { timeoutMs: 2000 } });
    const session = new LiveSession(fetcher, { intervalMs: 5000, delay: () => 3_600_000 });
    void session.start();
    await vi.waitFor(() => expect(session.snapshot().lastError).not.toBeNull());
    try {
      const store = new Store(session);
      stores.push(store);
      const r = await renderApp({ store, session, title: '127.0.0.1:1', columns, rows });
      mounted.push(r);
      const message = session.snapshot().lastError!.message;
      expect(message.length).toBeGreaterThan(columns - 20); // long enough to have been cut before
      const lines = r.lines();
      expect(lines).toHaveLength(rows);
      for (const l of lines) expect([...l].length).toBeLessThanOrEqual(columns);
      // Below the header (whose state word may be cut at 60 columns), nothing is cut.
      const text = lines.slice(2).map((l) => l.trim()).join(' ');
      expect(text).not.toContain('…');
      expect(text).toContain(`waiting for the target: ${message}`);
      expect(text).toContain(`poll failed: ${message}`);
      await r.press('2');
      expect(r.lines().map((l) => l.trim()).join(' ')).toContain(`waiting for the target: ${message}`);
    } finally {
      await session.stop();
      await fetcher.close();
    }
  });
});
