// Command handlers over a Store of real captured heap profiles (no terminal, no target): keys go
// through resolveKey → HANDLERS exactly as the input hook sends them.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { paneExporter, staticSource } from '../../src/cli/tui-command.js';
import { topReport } from '../../src/analysis/top.js';
import type { Session } from '../../src/session/session.js';
import { decodeProfile } from '../../src/profile/decode.js';
import type { Profile } from '../../src/profile/model.js';
import { COLON_COMMANDS } from '../../src/state/colon-commands.js';
import { HANDLERS, runColonCommand, submitPrompt, type CommandContext, type TargetCommandId } from '../../src/state/commands.js';
import { resolveKey } from '../../src/state/keymap.js';
import { Store } from '../../src/state/store.js';
import { TOP_CURSOR } from '../../src/state/ui-state.js';
import { requireTool } from '../helpers/require-tool.js';
import { GO119 } from '../helpers/paths.js';
import { polledSession } from '../ui/fixture-session.js';

const heap = decodeProfile(new Uint8Array(readFileSync(join(GO119, 'heap.pb.gz'))));
const haveGo = requireTool('go', 'the goroutine export read back by go tool pprof');

let store: Store;
let ctx: CommandContext;
let quit: ReturnType<typeof vi.fn>;

function makeCtx(p: Profile): void {
  store = new Store(staticSource(p), 'top');
  quit = vi.fn();
  ctx = {
    store,
    session: null,
    pageSize: 4,
    scrollMax: 0,
    quit: quit as unknown as () => void,
    exportProfiles: async (items) => items.map((i) => `/tmp/${i.what}.pb.gz`),
    loadGoroutineDump: () => undefined,
  };
}

beforeEach(() => makeCtx(heap));
afterEach(() => store.close());

const ui = () => store.getSnapshot().ui;

/** One key, as use-keymap handles it outside a prompt. Returns the command it ran. */
function key(name: string): string | undefined {
  const b = resolveKey(ui(), name);
  if (b) HANDLERS[b.id as TargetCommandId](ctx);
  return b?.id;
}

/** Types into the open prompt and presses Enter. */
function prompt(text: string): void {
  const o = ui().overlay;
  expect(o.kind).toBe('prompt');
  store.dispatch({ type: 'prompt-input', text });
  submitPrompt(ctx);
}

/** The Top table the user sees now. */
function top() {
  const pp = store.selectors.readyPaneProfile(store.getSnapshot().data, 'top')!;
  const r = store.selectors.settledTop(pp.profile, ui().top, 'top')!;
  if (!r.ok) throw new Error(r.error);
  return r.report;
}

describe('profile keys', () => {
  it('s cycles inuse_space → inuse_objects → alloc_space → alloc_objects → inuse_space', () => {
    expect(top().sampleType.type).toBe('inuse_space');
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      expect(key('s')).toBe('sample-type');
      seen.push(top().sampleType.type);
      expect(ui().top.sampleType).toBe(seen[i]);
    }
    expect(seen).toEqual(['inuse_objects', 'alloc_space', 'alloc_objects', 'inuse_space']);
  });

  it('s goes back to the top of the table', () => {
    key('j');
    key('j');
    expect(ui().top.cursor.selected).toBe(2);
    key('s');
    expect(ui().top.cursor).toEqual(TOP_CURSOR);
  });

  it('f cycles all four granularities: functions → filefunctions → lines → files → functions', () => {
    const names = () => top().rows.map((r) => r.name);
    expect(names()).toContain('main.retainSmall');
    key('f');
    expect(ui().top.granularity).toBe('filefunctions');
    expect(names()[0]).toMatch(/^main\.retainSmall \S+main\.go$/);
    key('f');
    expect(ui().top.granularity).toBe('lines');
    expect(names()[0]).toMatch(/^main\.retainSmall \S+main\.go:\d+$/);
    key('f');
    expect(ui().top.granularity).toBe('files');
    expect(names()[0]).toMatch(/main\.go$/);
    key('f');
    expect(ui().top.granularity).toBe('functions');
    expect(names()[0]).toBe('main.retainSmall');
  });

  it('c toggles the sort between flat and cum', () => {
    expect(top().rows[0]!.name).toBe('main.retainSmall');
    key('c');
    expect(ui().top.cumSort).toBe(true);
    const cums = top().rows.map((r) => r.cum);
    expect(cums).toEqual([...cums].sort((a, b) => b - a));
    expect(top().rows[0]!.name).toBe('runtime.main');
    key('c');
    expect(ui().top.cumSort).toBe(false);
    expect(top().rows[0]!.name).toBe('main.retainSmall');
  });

  it('/ opens the focus prompt; Enter applies it', () => {
    expect(key('/')).toBe('focus');
    expect(ui().overlay).toEqual({ kind: 'prompt', purpose: 'focus', text: '' });
    prompt('malg');
    expect(ui().overlay.kind).toBe('none');
    expect(ui().top.focus).toBe('malg');
    // pprof's focus: only samples whose stack passes through a match.
    expect(top().rows.map((r) => r.name)).toEqual(expect.arrayContaining(['runtime.malg', 'runtime.newproc1']));
    expect(top().rows.map((r) => r.name)).not.toContain('main.retainSmall');
    // Opening it again starts from the current focus; an empty one clears it.
    key('/');
    expect(ui().overlay).toEqual({ kind: 'prompt', purpose: 'focus', text: 'malg' });
    prompt('  ');
    expect(ui().top.focus).toBe('');
    expect(top().rows.map((r) => r.name)).toContain('main.retainSmall');
  });

  it('\\ opens the ignore prompt', () => {
    key('\\');
    prompt('retain');
    expect(ui().top.ignore).toBe('retain');
    expect(top().rows.map((r) => r.name)).not.toContain('main.retainSmall');
  });

  it('an invalid regexp opens the error overlay and leaves the focus as it was', () => {
    key('/');
    prompt('main');
    key('/');
    prompt('(unclosed');
    expect(ui().overlay.kind).toBe('error');
    expect(ui().overlay.kind === 'error' && ui().overlay).toMatchObject({ message: expect.stringMatching(/focus|regexp|parenthes/i) });
    expect(ui().top.focus).toBe('main');
    // Enter dismisses it.
    expect(key('enter')).toBe('dismiss-error');
    expect(ui().overlay.kind).toBe('none');
  });

  it('q quits, but not from inside a prompt', () => {
    key('/');
    expect(resolveKey(ui(), 'q')).toBeUndefined();
    store.dispatch({ type: 'close-overlay' });
    key('q');
    expect(quit).toHaveBeenCalledTimes(1);
  });

  it('p and r say there is nothing to poll in a static profile', () => {
    key('p');
    expect(ui().message).toMatch(/static profile/);
    store.dispatch({ type: 'message', text: null });
    key('r');
    expect(ui().message).toMatch(/static profile/);
  });

  it('e writes the profile and says where', async () => {
    key('e');
    await vi.waitFor(() => expect(ui().message).toBe('wrote heap.pb.gz in /tmp (mode 0600)'));
  });
});

describe(': commands', () => {
  const colon = (text: string) => {
    expect(key(':')).toBe('command');
    prompt(text);
  };

  it('top 5 keeps five rows', () => {
    expect(top().rows.length).toBeGreaterThan(5);
    colon('top 5');
    expect(ui().top.nodeCount).toBe(5);
    expect(top().rows).toHaveLength(5);
    colon('top');
    expect(ui().top.nodeCount).toBe(0);
  });

  it('sample_index=alloc_space, or by number', () => {
    colon('sample_index=alloc_space');
    expect(top().sampleType.type).toBe('alloc_space');
    colon('si 0');
    expect(ui().top.sampleType).toBe(heap.sampleTypes[0]!.type);
    expect(top().sampleType.type).toBe(heap.sampleTypes[0]!.type);
  });

  it('focus=main', () => {
    colon('focus=main');
    expect(ui().top.focus).toBe('main');
    // runtime.malg's stacks (newproc1 ← systemstack) never pass through a "main".
    expect(top().rows.map((r) => r.name)).not.toContain('runtime.malg');
    expect(top().rows[0]!.name).toBe('main.retainSmall');
  });

  it('granularity=lines, and lines / functions on their own', () => {
    colon('granularity=lines');
    expect(ui().top.granularity).toBe('lines');
    colon('functions');
    expect(ui().top.granularity).toBe('functions');
    colon('files');
    expect(ui().top.granularity).toBe('files');
  });

  it('cum and flat', () => {
    colon('cum');
    expect(ui().top.cumSort).toBe(true);
    colon('flat');
    expect(ui().top.cumSort).toBe(false);
  });

  it('a command from the Overview applies to Top and shows it', () => {
    makeCtx(heap);
    store.dispatch({ type: 'set-pane', pane: 'overview' });
    runColonCommand(ctx, 'top 3');
    expect(ui().pane).toBe('top');
    expect(ui().top.nodeCount).toBe(3);
  });

  it('commands that are not about a profile, and mistakes, leave the pane where it is', () => {
    makeCtx(heap);
    store.dispatch({ type: 'set-pane', pane: 'goroutines' });
    runColonCommand(ctx, 'help');
    expect(ui().pane).toBe('goroutines');
    expect(ui().overlay.kind).toBe('help');
    store.dispatch({ type: 'close-overlay' });
    runColonCommand(ctx, 'bogus');
    runColonCommand(ctx, 'top many');
    expect(ui().pane).toBe('goroutines');
    expect(ui().overlay.kind).toBe('error');
  });

  it.each([
    ['bogus', /unknown command :bogus \(try :top 20, :sample_index=alloc_space/],
    ['top many', /:top takes a number of rows, e\.g\. :top 20/],
    ['top -2', /:top takes a number of rows/],
    ['sample_index=cpu', /sample_index "cpu" is not in this profile; it has: alloc_objects, alloc_space, inuse_objects, inuse_space/],
    ['granularity=words', /granularity must be one of .*functions.*lines.*files/],
    ['focus=(', /./],
  ])(':%s opens the error overlay with a hint', (text, re) => {
    colon(text);
    const o = ui().overlay;
    expect(o.kind).toBe('error');
    expect(o.kind === 'error' ? o.message : '').toMatch(re);
  });

  it('every command in the table the prompt shows is one runColonCommand knows', () => {
    for (const c of COLON_COMMANDS) {
      for (const name of c.names) {
        makeCtx(heap);
        const arg = c.values?.[0] ?? (c.arg === 'N' ? '3' : c.arg === 'TYPE' ? 'alloc_space' : c.arg === 'RE' ? 'main' : '');
        runColonCommand(ctx, arg ? `${name}${c.arg === 'N' ? ' ' : '='}${arg}` : name);
        const o = ui().overlay;
        expect(o.kind === 'error' ? o.message : '', `:${name}`).toBe('');
        store.close();
      }
    }
    makeCtx(heap);
  });

  it('Tab completes the command being typed, then its value', () => {
    expect(key(':')).toBe('command');
    const typed = (text: string) => {
      store.dispatch({ type: 'prompt-input', text });
      expect(key('tab')).toBe('prompt-complete');
      const o = ui().overlay;
      return o.kind === 'prompt' ? o.text : null;
    };
    expect(typed('gr')).toBe('granularity=');
    expect(typed('granularity=fil')).toBe('granularity=file');
    expect(typed('granularity=filef')).toBe('granularity=filefunctions');
    expect(typed('sa')).toBe('sample_index=');
    expect(typed('to')).toBe('top ');
    expect(typed('f')).toBe('f'); // focus, functions, filefunctions, files, flat: nothing to add
    submitPrompt(ctx);
    expect(ui().overlay.kind).toBe('error'); // ":f" is not a command
  });

  it('an empty command does nothing', () => {
    const before = ui().top;
    colon('   ');
    expect(ui().overlay.kind).toBe('none');
    expect(ui().top).toBe(before);
  });
});

describe('Enter: drill-down', () => {
  it('drills into the selected row', () => {
    key('j');
    const row = top().rows[1]!;
    expect(key('enter')).toBe('open');
    expect(ui().top.drill.map((d) => d.name)).toEqual([row.name]);
    expect(ui().top.drill[0]!.section).toBe('peek');
  });

  it('Enter in the drill-down follows the selected caller', () => {
    key('enter'); // main.retainSmall, the heaviest row
    expect(ui().top.drill.map((d) => d.name)).toEqual(['main.retainSmall']);
    const pp = store.selectors.readyPaneProfile(store.getSnapshot().data, 'top')!;
    const r = store.selectors.settledDrill(pp.profile, ui().top, 'main.retainSmall', 'peek')!;
    expect(r.ok && r.kind === 'peek').toBe(true);
    const rows = r.ok && r.kind === 'peek' ? r.rows : [];
    expect(rows.map((x) => `${x.role} ${x.name}`)).toEqual(['caller main.main']);

    expect(key('enter')).toBe('drill-open');
    expect(ui().top.drill.map((d) => d.name)).toEqual(['main.retainSmall', 'main.main']);

    // main.main has a caller (runtime.main) and callees; the cursor stays inside them.
    for (let i = 0; i < 10; i++) key('j');
    const mm = store.selectors.settledDrill(pp.profile, ui().top, 'main.main', 'peek')!;
    const n = mm.ok ? mm.rows.length : 0;
    expect(n).toBeGreaterThan(1);
    expect(ui().top.drill[1]!.cursor.selected).toBe(n - 1);
    key('k');
    expect(ui().top.drill[1]!.cursor.selected).toBe(n - 2);
    expect(ui().top.cursor).toEqual(TOP_CURSOR);
  });

  it('Enter in the lines or stacks section does not drill further', () => {
    key('enter');
    key('right');
    expect(ui().top.drill[0]!.section).toBe('lines');
    key('enter');
    key('l');
    expect(ui().top.drill[0]!.section).toBe('stacks');
    key('enter');
    expect(ui().top.drill).toHaveLength(1);
    key('h');
    key('left');
    expect(ui().top.drill[0]!.section).toBe('peek');
  });

  it('/ narrows the rows of a drill-down as it is typed; Enter keeps it, the cursor moves over what is left, Esc clears it', () => {
    key('enter'); // main.retainSmall
    key('enter'); // its caller, main.main: callers and callees
    const pp = store.selectors.readyPaneProfile(store.getSnapshot().data, 'top')!;
    const names = () => {
      const r = store.selectors.visibleDrill(pp.profile, ui(), 'top')!;
      return r.ok && r.kind === 'peek' ? r.rows.map((x) => x.name) : [];
    };
    expect(names().sort()).toEqual(['main.retainSmall', 'runtime.main']);
    expect(key('/')).toBe('filter');
    store.dispatch({ type: 'prompt-input', text: 'RUNTIME' }); // case does not matter
    expect(names()).toEqual(['runtime.main']);
    store.dispatch({ type: 'prompt-input', text: 'small main' }); // every word, in any order
    expect(names()).toEqual(['main.retainSmall']);
    submitPrompt(ctx);
    expect(ui().top.drill[1]!.filter).toBe('small main');
    expect(names()).toEqual(['main.retainSmall']);
    for (let i = 0; i < 5; i++) key('j');
    expect(ui().top.drill[1]!.cursor.selected).toBe(0); // one row left
    expect(key('enter')).toBe('drill-open'); // follows the row on screen
    expect(ui().top.drill.map((d) => d.name)).toEqual(['main.retainSmall', 'main.main', 'main.retainSmall']);
    key('escape');
    key('escape');
    expect(ui().top.drill.map((d) => [d.name, d.filter])).toEqual([
      ['main.retainSmall', ''],
      ['main.main', ''],
    ]);
    key('escape');
    expect(ui().top.drill).toHaveLength(1);
  });

  it('/ in the Top table itself stays pprof’s focus', () => {
    expect(key('/')).toBe('focus');
  });

  it('Esc comes back out, one level per press', () => {
    key('enter');
    key('enter');
    key('escape');
    expect(ui().top.drill.map((d) => d.name)).toEqual(['main.retainSmall']);
    key('escape');
    expect(ui().top.drill).toEqual([]);
  });
});

describe('table navigation', () => {
  it('j/k, PgDn/PgUp, G/g move within the rows and keep a page in view', () => {
    const rows = top().rows;
    const n = rows.length;
    key('G');
    // The cursor remembers the row it is on (a new poll may sort it elsewhere).
    expect(ui().top.cursor).toEqual({ selected: n - 1, offset: n - 4, anchor: rows[n - 1]!.name });
    key('j');
    expect(ui().top.cursor.selected).toBe(n - 1);
    key('g');
    expect(ui().top.cursor).toEqual({ ...TOP_CURSOR, anchor: rows[0]!.name });
    key('pagedown');
    expect(ui().top.cursor.selected).toBe(3);
    key('pageup');
    expect(ui().top.cursor.selected).toBe(0);
    key('k');
    expect(ui().top.cursor.selected).toBe(0);
  });

  it('the Diff of a static profile against itself is empty but navigable', () => {
    store.dispatch({ type: 'set-pane', pane: 'diff' });
    key('j');
    key('enter');
    expect(ui().diff.cursor).toEqual(TOP_CURSOR);
    expect(ui().diff.drill).toEqual([]);
    expect(key('b')).toBe('baseline-now');
    expect(ui().message).toMatch(/static profile has no baseline/);
  });
});

describe('e and :export write what the pane shows, mode 0600', () => {
  // Four polls of the real captures: the first heap profile differs from the latest, and the
  // goroutine groups are those of goroutine.after1min.debug1.txt.
  let live: Session;
  let work: string;
  beforeAll(async () => {
    ({ session: live } = await polledSession(4));
    work = mkdtempSync(join(tmpdir(), 'livepprof-export-'));
  });
  afterAll(async () => {
    await live.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** The live store on `pane`, exporting like the full-screen view with --export-dir `exportDir`. */
  function liveView(pane: 'top' | 'goroutines' | 'diff', exportDir: string): void {
    store.close();
    store = new Store(live, pane);
    ctx = { ...ctx, store, exportProfiles: paneExporter('127.0.0.1:6060', exportDir) };
  }

  /** Presses e (or runs :export ARGS) and waits for the message; returns the files written, in the order named. */
  async function exportNow(colon?: string): Promise<string[]> {
    store.dispatch({ type: 'message', text: null });
    if (colon === undefined) key('e');
    else {
      key(':');
      prompt(colon);
    }
    await vi.waitFor(() => expect(ui().message).toMatch(/^wrote /));
    const m = /^wrote (.+) in (\/\S+) \(mode 0600\)$/.exec(ui().message!);
    expect(m, ui().message!).not.toBeNull();
    const paths = m![1]!.split(' and ').map((name) => join(m![2]!, name));
    for (const p of paths) expect(statSync(p).mode & 0o777, p).toBe(0o600);
    return paths;
  }

  const decoded = (path: string) => decodeProfile(new Uint8Array(readFileSync(path)));
  const values = (p: Profile) => Array.from(p.samples.values);

  it('from Top: the latest heap profile, into --export-dir', async () => {
    const dir = join(work, 'top');
    liveView('top', dir);
    const [file, ...rest] = await exportNow();
    expect(rest).toEqual([]);
    expect(basename(file!)).toMatch(/^livepprof-127\.0\.0\.1_6060-\d{8}-\d{6}-heap\.pb\.gz$/);
    expect(file!.startsWith(dir + '/')).toBe(true);
    expect(values(decoded(file!))).toEqual(values(live.snapshot().latestHeap!.profile));
  });

  it('from Goroutines: the goroutine profile the pane shows, not the heap', async () => {
    liveView('goroutines', join(work, 'goroutines'));
    const [file, ...rest] = await exportNow();
    expect(rest).toEqual([]);
    expect(basename(file!)).toMatch(/-goroutine\.pb\.gz$/);
    const p = decoded(file!);
    expect(p.sampleTypes).toEqual([{ type: 'goroutine', unit: 'count' }]);
    const groups = live.snapshot().latestGoroutines!.groups.groups;
    expect(p.samples.count).toBe(groups.length);
    const total = groups.reduce((n, g) => n + g.count, 0);
    expect(total).toBe(83); // goroutine.after1min.debug1.txt
    // Each group counts where it waits (its leaf frame), as the pane's "waiting in" column says.
    const report = topReport(p, { sampleIndex: 0, granularity: 'functions', nodeCount: 0, cumSort: false, filters: {} });
    expect(report.total).toBe(total);
    const byLeaf = new Map<string, number>();
    for (const g of groups) byLeaf.set(g.frames[0]!.func, (byLeaf.get(g.frames[0]!.func) ?? 0) + g.count);
    for (const [name, count] of byLeaf) expect(report.rows.find((r) => r.name === name)?.flat, name).toBe(count);
  });

  it.skipIf(!haveGo)('the goroutine export opens in go tool pprof with the same total', async () => {
    liveView('goroutines', join(work, 'pprof'));
    const [file] = await exportNow();
    const r = spawnSync('go', ['tool', 'pprof', '-top', '-symbolize=none', file!], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, PPROF_TMPDIR: work } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Showing nodes accounting for 83, 100% of 83 total$/m);
    expect(r.stdout).toMatch(/^Type: goroutine$/m);
  }, 90_000);

  it('from Diff: both sides, named heap and base, both full names in the message', async () => {
    liveView('diff', join(work, 'diff'));
    const [heapFile, baseFile, ...rest] = await exportNow();
    expect(rest).toEqual([]);
    expect(basename(heapFile!)).toMatch(/-heap\.pb\.gz$/);
    expect(basename(baseFile!)).toMatch(/-base\.pb\.gz$/);
    expect(ui().message).toContain(basename(heapFile!));
    expect(ui().message).toContain(basename(baseFile!));
    const snap = live.snapshot();
    expect(values(decoded(heapFile!))).toEqual(values(snap.latestHeap!.profile));
    expect(values(decoded(baseFile!))).toEqual(values(snap.firstHeap!.profile));
    expect(values(snap.latestHeap!.profile)).not.toEqual(values(snap.firstHeap!.profile)); // two different files
  });

  it(':export DIR writes this one export into DIR (made 0700), e goes back to --export-dir', async () => {
    const usual = join(work, 'usual');
    const other = join(work, 'other', 'nested');
    liveView('top', usual);
    const [file] = await exportNow(`export ${other}`);
    expect(file!.startsWith(other + '/')).toBe(true);
    expect(statSync(other).mode & 0o777).toBe(0o700);
    const [again] = await exportNow();
    expect(again!.startsWith(usual + '/')).toBe(true);
    expect(readdirSync(other)).toHaveLength(1);
  });

  it('with nothing to write yet, says so and writes nothing', async () => {
    key('e');
    await vi.waitFor(() => expect(ui().message).toBe('wrote heap.pb.gz in /tmp (mode 0600)'));
    store.close();
    store = new Store(staticSource(heap), 'goroutines');
    ctx = { ...ctx, store, exportProfiles: paneExporter('x', join(work, 'none')) };
    key('e');
    await vi.waitFor(() => expect(ui().message).toBe('no goroutine profile to write yet'));
    expect(() => readdirSync(join(work, 'none'))).toThrow();
  });
});
