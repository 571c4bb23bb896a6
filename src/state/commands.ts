// What each keymap command does. Pure with respect to the terminal: handlers dispatch actions
// to the store and call the session; tests run them without Ink.

import { basename, dirname } from 'node:path';
import { GRANULARITIES, type Granularity } from '../analysis/graph.js';
import { hasGoroutineLeakProfile } from '../analysis/goroutine-leaks.js';
import type { LeakedGoroutinesSnapshot } from '../analysis/session-snapshot.js';
import { compileGoRegexp } from '../analysis/regex.js';
import { errorMessage } from '../errors.js';
import { countProfileAsProfile } from '../profile/count-profile.js';
import type { Profile } from '../profile/model.js';
import type { CommandId, FleetOnlyCommandId } from './keymap.js';

export type TargetCommandId = Exclude<CommandId, FleetOnlyCommandId>;
import { resolveCursor, type CursorTarget, type OverlayAction, type ProfilePane, type RowKey } from './reducer.js';
import { colonCommandExamples, completeColon } from './colon-commands.js';
import { appliedFilter, filterableList } from './list-filter.js';
import { drillRowKey, goroutineRowKey, nextSampleType, topRowKey } from './selectors.js';
import type { Store, StoreSnapshot } from './store.js';
import type { PromptPurpose } from './ui-state.js';

/** What the commands ask of a live session (session/Session is one); owned here, so state/ needs nothing from session/. */
export interface SessionControl {
  pause(): void;
  resume(): void;
  pollNow(): void;
  /** Pins the latest heap profile as the baseline for diffs. */
  setBaseline(): void;
  /** Drops the pinned baseline: diffs go back to the first profile. */
  resetBaseline(): void;
  /** Fetches the goroutine-leak profile into the snapshot's leakedGoroutines (runs a GC in the target). */
  fetchLeakedGoroutines(): Promise<LeakedGoroutinesSnapshot>;
}

export interface CommandContext {
  store: Store;
  /** null when the TUI shows one static profile. */
  session: SessionControl | null;
  /** Rows of the current table that fit on screen (for paging). */
  pageSize: number;
  /** How far the open detail view can scroll (its lines beyond the screen). */
  scrollMax: number;
  quit(): void;
  /** Writes these profiles (into `dir`, else the default place); resolves to the paths written. */
  exportProfiles(items: PaneExport[], dir?: string): Promise<string[]>;
  /** Fetches goroutine?debug=2 for the details view. */
  loadGoroutineDump(): void;
  /** Leaves this view for the one it was opened from (the fleet table), when there is one. */
  back?: () => void;
}

function profilePane(ctx: CommandContext): ProfilePane | null {
  const pane = ctx.store.getSnapshot().ui.pane;
  return pane === 'top' || pane === 'diff' ? pane : null;
}

/** The current table: which cursor moves over it, its rows and their keys. */
function currentTable(ctx: CommandContext): { target: CursorTarget; rows: number; keyAt: RowKey } | null {
  const snap = ctx.store.getSnapshot();
  const { ui, data } = snap;
  if (ui.pane === 'goroutines') {
    const rows = ctx.store.selectors.goroutineRows(snap);
    return { target: { kind: 'goroutines' }, rows: rows.length, keyAt: goroutineRowKey(rows) };
  }
  const pane = profilePane(ctx);
  if (!pane) return null;
  const pp = ctx.store.selectors.readyPaneProfile(data, pane);
  const none = () => undefined;
  if (!pp) return { target: { kind: 'table', pane }, rows: 0, keyAt: none };
  const view = ui[pane];
  if (view.drill.length > 0) {
    const r = ctx.store.selectors.visibleDrill(pp.profile, ui, pane);
    return { target: { kind: 'drill', pane }, rows: r?.ok ? r.rows.length : 0, keyAt: drillRowKey(r) };
  }
  const top = ctx.store.selectors.settledTop(pp.profile, view, pane);
  return { target: { kind: 'table', pane }, rows: top?.ok ? top.report.rows.length : 0, keyAt: topRowKey(top) };
}

function move(ctx: CommandContext, delta: number | 'first' | 'last'): void {
  const t = currentTable(ctx);
  if (!t) return;
  const { target, rows, keyAt } = t;
  const pageSize = ctx.pageSize;
  if (delta === 'first' || delta === 'last') {
    ctx.store.dispatch({ type: 'move-to', target, index: delta === 'first' ? 0 : rows - 1, rows, pageSize, keyAt });
  } else {
    ctx.store.dispatch({ type: 'move', target, delta, rows, pageSize, keyAt });
  }
}

function openPrompt(ctx: CommandContext, purpose: PromptPurpose): void {
  const { ui } = ctx.store.getSnapshot();
  const pane = profilePane(ctx);
  const list = filterableList(ui);
  if (purpose === 'filter' && !list) return;
  // The prompt starts with what is applied now, to edit it.
  const text = purpose === 'filter' ? appliedFilter(ui, list!) : pane && purpose !== 'command' ? ui[pane][purpose] : '';
  ctx.store.dispatch({ type: 'open-prompt', purpose, text });
}

/** Enter on a table: drill into the row under the cursor (where the view shows it). */
function drillInto(ctx: CommandContext): void {
  const pane = profilePane(ctx);
  if (!pane) return;
  const { ui, data } = ctx.store.getSnapshot();
  const pp = ctx.store.selectors.readyPaneProfile(data, pane);
  if (!pp) return;
  const view = ui[pane];
  const drill = view.drill[view.drill.length - 1];
  if (drill) {
    const r = ctx.store.selectors.visibleDrill(pp.profile, ui, pane);
    if (r?.ok && r.kind === 'peek') {
      const row = r.rows[resolveCursor(drill.cursor, r.rows.length, drillRowKey(r), ctx.pageSize).selected];
      if (row) ctx.store.dispatch({ type: 'drill', pane, name: row.name });
    }
    return;
  }
  const top = ctx.store.selectors.settledTop(pp.profile, view, pane);
  if (!top?.ok) return;
  const row = top.report.rows[resolveCursor(view.cursor, top.report.rows.length, topRowKey(top), ctx.pageSize).selected];
  if (row) ctx.store.dispatch({ type: 'drill', pane, name: row.name });
}

/** A profile to export, and what it is (the end of its file name). */
export interface PaneExport {
  what: 'heap' | 'base' | 'goroutine';
  profile: Profile;
}

/**
 * What the pane on screen shows, as profiles to write: the goroutine groups from Goroutines,
 * both sides from Diff (for `go tool pprof -base`), else the latest heap profile.
 */
export function paneExports(snap: StoreSnapshot): { items: PaneExport[]; none: string } {
  const { ui, data } = snap;
  if (ui.pane === 'goroutines') {
    const g = data.latestGoroutines;
    return { items: g ? [{ what: 'goroutine', profile: countProfileAsProfile(g.groups, g.time) }] : [], none: 'no goroutine profile to write yet' };
  }
  const none = 'no heap profile to write yet';
  const pp = snap.selectors.readyPaneProfile(data, ui.pane === 'diff' ? 'diff' : 'top');
  if (!pp) return { items: [], none };
  const items: PaneExport[] = [{ what: 'heap', profile: pp.latest.profile }];
  if (ui.pane === 'diff' && pp.base) items.push({ what: 'base', profile: pp.base.profile });
  return { items, none };
}

async function exportNow(ctx: CommandContext, dir?: string): Promise<void> {
  try {
    const { items, none } = paneExports(ctx.store.getSnapshot());
    if (items.length === 0) return ctx.store.dispatch({ type: 'message', text: none });
    const paths = await ctx.exportProfiles(items, dir);
    // One directory said once, so that both file names fit in full (the Diff pane writes two).
    const dirs = new Set(paths.map((p) => dirname(p)));
    const where = dirs.size === 1 ? `${paths.map((p) => basename(p)).join(' and ')} in ${[...dirs][0]}` : paths.join(' and ');
    ctx.store.dispatch({ type: 'message', text: `wrote ${where} (mode 0600)` });
  } catch (e) {
    ctx.store.dispatch({ type: 'show-error', message: `could not write the profile: ${errorMessage(e)}` });
  }
}

/** What a screen's commands need to close its overlays and move its table's cursor. */
export interface TableContext {
  store: { dispatch(a: OverlayAction): void };
  pageSize: number;
  scrollMax: number;
}

/**
 * The help and error overlays and the table's cursor keys, the same on every screen (a target's
 * panes, the fleet table); `move` moves that screen's cursor by rows, or to its first or last row.
 */
export function tableHandlers<C extends TableContext>(move: (ctx: C, delta: number | 'first' | 'last') => void) {
  return {
    'close-help': (ctx: C) => ctx.store.dispatch({ type: 'close-overlay' }),
    'help-down': (ctx: C) => ctx.store.dispatch({ type: 'scroll-help', delta: ctx.pageSize - 1, max: ctx.scrollMax }),
    'help-up': (ctx: C) => ctx.store.dispatch({ type: 'scroll-help', delta: -(ctx.pageSize - 1), max: ctx.scrollMax }),
    'dismiss-error': (ctx: C) => ctx.store.dispatch({ type: 'close-overlay' }),
    down: (ctx: C) => move(ctx, 1),
    up: (ctx: C) => move(ctx, -1),
    'page-down': (ctx: C) => move(ctx, Math.max(1, ctx.pageSize - 1)),
    'page-up': (ctx: C) => move(ctx, -Math.max(1, ctx.pageSize - 1)),
    first: (ctx: C) => move(ctx, 'first'),
    last: (ctx: C) => move(ctx, 'last'),
  } satisfies Partial<Record<CommandId, (ctx: C) => void>>;
}

/** A replay that reached its end, or a --count that was reached: p and r have nothing to do. */
const POLLING_FINISHED = 'polling has finished (the replay ended or --count was reached)';

/** What each command of a target's view does (the fleet table's own are in fleet-commands.ts). */
export const HANDLERS: Record<TargetCommandId, (ctx: CommandContext) => void> = {
  quit: (ctx) => ctx.quit(),
  'force-quit': (ctx) => ctx.quit(),
  help: (ctx) => ctx.store.dispatch({ type: 'open-help' }),
  escape: (ctx) => {
    const before = ctx.store.getSnapshot().ui;
    ctx.store.dispatch({ type: 'escape' });
    // Nothing left to unwind: an attached view goes back to where it was opened from (the fleet).
    if (ctx.store.getSnapshot().ui === before) ctx.back?.();
  },
  'pane-overview': (ctx) => ctx.store.dispatch({ type: 'set-pane', pane: 'overview' }),
  'pane-top': (ctx) => ctx.store.dispatch({ type: 'set-pane', pane: 'top' }),
  'pane-goroutines': (ctx) => ctx.store.dispatch({ type: 'set-pane', pane: 'goroutines' }),
  'pane-diff': (ctx) => ctx.store.dispatch({ type: 'set-pane', pane: 'diff' }),
  'next-pane': (ctx) => ctx.store.dispatch({ type: 'cycle-pane', delta: 1 }),
  'prev-pane': (ctx) => ctx.store.dispatch({ type: 'cycle-pane', delta: -1 }),
  pause: (ctx) => {
    if (!ctx.session) return ctx.store.dispatch({ type: 'message', text: 'a static profile: nothing to poll' });
    if (ctx.store.getSnapshot().data.status === 'stopped') return ctx.store.dispatch({ type: 'message', text: POLLING_FINISHED });
    const paused = ctx.store.getSnapshot().data.status === 'paused';
    if (paused) ctx.session.resume();
    else ctx.session.pause();
    ctx.store.dispatch({ type: 'message', text: paused ? 'polling resumed' : 'polling paused (p resumes)' });
  },
  'poll-now': (ctx) => {
    if (!ctx.session) return ctx.store.dispatch({ type: 'message', text: 'a static profile: nothing to poll' });
    if (ctx.store.getSnapshot().data.status === 'stopped') return ctx.store.dispatch({ type: 'message', text: POLLING_FINISHED });
    ctx.session.pollNow();
    ctx.store.dispatch({ type: 'message', text: 'polling now…' });
  },
  export: (ctx) => void exportNow(ctx),
  command: (ctx) => openPrompt(ctx, 'command'),
  ...tableHandlers<CommandContext>(move),
  open: (ctx) => drillInto(ctx),
  'sample-type': (ctx) => {
    const pane = profilePane(ctx);
    if (!pane) return;
    const { ui, data } = ctx.store.getSnapshot();
    const pp = ctx.store.selectors.readyPaneProfile(data, pane);
    if (pp) ctx.store.dispatch({ type: 'set-sample-type', pane, sampleType: nextSampleType(pp.profile, ui[pane]) });
  },
  granularity: (ctx) => {
    const pane = profilePane(ctx);
    if (pane) ctx.store.dispatch({ type: 'cycle-granularity', pane });
  },
  sort: (ctx) => {
    const pane = profilePane(ctx);
    if (pane) ctx.store.dispatch({ type: 'toggle-sort', pane });
  },
  focus: (ctx) => openPrompt(ctx, 'focus'),
  filter: (ctx) => openPrompt(ctx, 'filter'),
  ignore: (ctx) => openPrompt(ctx, 'ignore'),
  'baseline-now': (ctx) => {
    if (!ctx.session) return ctx.store.dispatch({ type: 'message', text: 'a static profile has no baseline to move' });
    ctx.session.setBaseline();
    ctx.store.dispatch({ type: 'message', text: 'baseline set to the latest heap profile: the diff now shows growth from here' });
  },
  'baseline-reset': (ctx) => {
    if (!ctx.session) return;
    ctx.session.resetBaseline();
    ctx.store.dispatch({ type: 'message', text: 'baseline back to the first heap profile' });
  },
  'prompt-apply': (ctx) => submitPrompt(ctx),
  'prompt-cancel': (ctx) => ctx.store.dispatch({ type: 'close-overlay' }),
  'prompt-clear': (ctx) => ctx.store.dispatch({ type: 'prompt-input', text: '' }),
  'prompt-complete': (ctx) => {
    const o = ctx.store.getSnapshot().ui.overlay;
    if (o.kind === 'prompt' && o.purpose === 'command') ctx.store.dispatch({ type: 'prompt-input', text: completeColon(o.text) });
  },
  'drill-open': (ctx) => drillInto(ctx),
  'drill-next-section': (ctx) => {
    const pane = profilePane(ctx);
    if (pane) ctx.store.dispatch({ type: 'drill-section', pane, delta: 1 });
  },
  'drill-prev-section': (ctx) => {
    const pane = profilePane(ctx);
    if (pane) ctx.store.dispatch({ type: 'drill-section', pane, delta: -1 });
  },
  'goroutine-open': (ctx) => {
    const snap = ctx.store.getSnapshot();
    const rows = ctx.store.selectors.goroutineRows(snap);
    const row = rows[resolveCursor(snap.ui.goroutines.cursor, rows.length, goroutineRowKey(rows), ctx.pageSize).selected];
    if (!row) return;
    ctx.store.dispatch({ type: 'open-goroutine', key: row.key });
    // goroutine?debug=2 stops the target's world: only for a group it can tell something about.
    if (row.goneAt === null && row.group.frames.length > 0) ctx.loadGoroutineDump();
  },
  'goroutine-leaks': (ctx) => findLeakedGoroutines(ctx),
  'detail-down': (ctx) => ctx.store.dispatch({ type: 'scroll-detail', delta: 1, max: ctx.scrollMax }),
  'detail-up': (ctx) => ctx.store.dispatch({ type: 'scroll-detail', delta: -1, max: ctx.scrollMax }),
  'detail-page-down': (ctx) => ctx.store.dispatch({ type: 'scroll-detail', delta: ctx.pageSize - 1, max: ctx.scrollMax }),
  'detail-page-up': (ctx) => ctx.store.dispatch({ type: 'scroll-detail', delta: -(ctx.pageSize - 1), max: ctx.scrollMax }),
};

/**
 * L: fetch the goroutine-leak profile (Go ≥ 1.26). Only here, on the user's word: each fetch runs
 * a leak-detecting GC in the target.
 */
function findLeakedGoroutines(ctx: CommandContext): void {
  const say = (text: string) => ctx.store.dispatch({ type: 'message', text });
  if (!ctx.session) return say('a static profile has no live goroutines');
  if (!hasGoroutineLeakProfile(ctx.store.getSnapshot().data.profiles)) {
    return say('no goroutine-leak profile here: it needs Go 1.26 built with GOEXPERIMENT=goroutineleakprofile, or Go ≥ 1.27');
  }
  say('finding leaked goroutines (one GC in the target)…');
  ctx.session.fetchLeakedGoroutines().then(
    (l) => say(l.profile.total === 0 ? 'no leaked goroutines: every blocked goroutine can still be woken' : `${l.profile.total} leaked goroutines, marked "leaked" below`),
    (e: unknown) => ctx.store.dispatch({ type: 'show-error', message: `goroutine-leak profile failed: ${errorMessage(e)}` }),
  );
}

// ---- prompt -----------------------------------------------------------------------------------

/** Applies the text of the open prompt (Enter). */
export function submitPrompt(ctx: CommandContext): void {
  const { ui } = ctx.store.getSnapshot();
  if (ui.overlay.kind !== 'prompt') return;
  const { purpose, text } = ui.overlay;
  ctx.store.dispatch({ type: 'close-overlay' });
  if (purpose === 'command') return runColonCommand(ctx, text.trim());
  if (purpose === 'filter') {
    const list = filterableList(ui);
    if (list) ctx.store.dispatch({ type: 'set-list-filter', list, text: text.trim() });
    return;
  }
  const pane = profilePane(ctx) ?? 'top';
  applyFilter(ctx, pane, purpose, text.trim());
}

function applyFilter(ctx: CommandContext, pane: ProfilePane, which: 'focus' | 'ignore', value: string): void {
  if (value) {
    try {
      compileGoRegexp(value, which);
    } catch (e) {
      ctx.store.dispatch({ type: 'show-error', message: errorMessage(e) });
      return;
    }
  }
  ctx.store.dispatch({ type: 'set-filter', pane, which, value });
}


/** pprof's interactive vocabulary: `top 20`, `sample_index=alloc_space`, `focus=Cache`, `granularity=lines`. */
export function runColonCommand(ctx: CommandContext, text: string): void {
  if (!text) return;
  const pane: ProfilePane = profilePane(ctx) ?? 'top';
  // A profile command typed elsewhere applies to Top, and shows it; the others stay put.
  const toPane = () => {
    if (!profilePane(ctx)) ctx.store.dispatch({ type: 'set-pane', pane });
  };
  const m = /^([a-z_]+)\s*(?:=\s*|\s+)?(.*)$/i.exec(text);
  const name = (m?.[1] ?? text).toLowerCase();
  const arg = (m?.[2] ?? '').trim();
  const fail = (msg: string) => ctx.store.dispatch({ type: 'show-error', message: msg });
  switch (name) {
    case 'top':
    case 'nodecount': {
      const n = arg === '' ? 0 : Number(arg);
      if (!Number.isInteger(n) || n < 0) return fail(`:${name} takes a number of rows, e.g. :top 20`);
      toPane();
      return ctx.store.dispatch({ type: 'set-node-count', pane, count: n });
    }
    case 'sample_index':
    case 'si': {
      const { data } = ctx.store.getSnapshot();
      const pp = ctx.store.selectors.readyPaneProfile(data, pane);
      const types = pp ? pp.profile.sampleTypes.map((t) => t.type) : [];
      const byNumber = /^\d+$/.test(arg) ? types[Number(arg)] : undefined;
      const chosen = byNumber ?? types.find((t) => t === arg || t === arg.replace(/^inuse_/, ''));
      if (!chosen) return fail(`sample_index ${JSON.stringify(arg)} is not in this profile; it has: ${types.join(', ') || 'nothing yet'}`);
      toPane();
      return ctx.store.dispatch({ type: 'set-sample-type', pane, sampleType: chosen });
    }
    case 'focus':
    case 'ignore':
      toPane();
      return applyFilter(ctx, pane, name, arg);
    case 'granularity':
    case 'functions':
    case 'lines':
    case 'files':
    case 'filefunctions': {
      const g = (name === 'granularity' ? arg : name) as Granularity;
      if (!GRANULARITIES.includes(g)) return fail(`granularity must be one of ${GRANULARITIES.join(', ')}`);
      toPane();
      return ctx.store.dispatch({ type: 'set-granularity', pane, granularity: g });
    }
    case 'cum':
    case 'flat':
      toPane();
      return ctx.store.dispatch({ type: 'set-cum-sort', pane, cum: name === 'cum' });
    case 'help':
      return ctx.store.dispatch({ type: 'open-help' });
    case 'export':
      return void exportNow(ctx, arg || undefined);
    case 'q':
    case 'quit':
    case 'exit':
      return ctx.quit();
    default:
      return fail(`unknown command :${text} (${colonCommandExamples()})`);
  }
}
