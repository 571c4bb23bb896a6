// What each keymap command does. Pure with respect to the terminal: handlers dispatch actions
// to the store and call the session; tests run them without Ink.

import { GRANULARITIES, type Granularity } from '../analysis/graph.js';
import { compileGoRegexp } from '../analysis/regex.js';
import { errorMessage } from '../errors.js';
import type { Session } from '../session/session.js';
import type { CommandId } from './keymap.js';
import type { CursorTarget, ProfilePane } from './reducer.js';
import { nextSampleType, readyPaneProfile, selectGoroutineRows, settledDrill, settledTop } from './selectors.js';
import type { Store } from './store.js';
import type { PromptPurpose } from './ui-state.js';

export interface CommandContext {
  store: Store;
  /** null when the TUI shows one static profile. */
  session: Session | null;
  /** Rows of the current table that fit on screen (for paging). */
  pageSize: number;
  quit(): void;
  /** Writes the profile(s) of the current pane; resolves to the paths written. */
  exportProfiles(): Promise<string[]>;
  /** Fetches goroutine?debug=2 for the details view. */
  loadGoroutineDump(): void;
}

function profilePane(ctx: CommandContext): ProfilePane | null {
  const pane = ctx.store.getSnapshot().ui.pane;
  return pane === 'top' || pane === 'diff' ? pane : null;
}

/** Rows in the current table and which cursor moves over them. */
function currentTable(ctx: CommandContext): { target: CursorTarget; rows: number } | null {
  const { ui, data } = ctx.store.getSnapshot();
  if (ui.pane === 'goroutines') return { target: { kind: 'goroutines' }, rows: selectGoroutineRows(data).length };
  const pane = profilePane(ctx);
  if (!pane) return null;
  const pp = readyPaneProfile(data, pane);
  if (!pp) return { target: { kind: 'table', pane }, rows: 0 };
  const view = ui[pane];
  const drill = view.drill[view.drill.length - 1];
  if (drill) {
    const r = settledDrill(pp.profile, view, drill.name, drill.section);
    return { target: { kind: 'drill', pane }, rows: r?.ok ? r.rows.length : 0 };
  }
  const top = settledTop(pp.profile, view);
  return { target: { kind: 'table', pane }, rows: top?.ok ? top.report.rows.length : 0 };
}

function move(ctx: CommandContext, delta: number | 'first' | 'last'): void {
  const t = currentTable(ctx);
  if (!t) return;
  const pageSize = ctx.pageSize;
  if (delta === 'first' || delta === 'last') {
    ctx.store.dispatch({ type: 'move-to', target: t.target, index: delta === 'first' ? 0 : t.rows - 1, rows: t.rows, pageSize });
  } else {
    ctx.store.dispatch({ type: 'move', target: t.target, delta, rows: t.rows, pageSize });
  }
}

function openPrompt(ctx: CommandContext, purpose: PromptPurpose): void {
  const { ui } = ctx.store.getSnapshot();
  const pane = profilePane(ctx);
  const text = pane && purpose !== 'command' ? ui[pane][purpose] : '';
  ctx.store.dispatch({ type: 'open-prompt', purpose, text });
}

function drillInto(ctx: CommandContext): void {
  const pane = profilePane(ctx);
  if (!pane) return;
  const { ui, data } = ctx.store.getSnapshot();
  const pp = readyPaneProfile(data, pane);
  if (!pp) return;
  const view = ui[pane];
  const drill = view.drill[view.drill.length - 1];
  if (drill) {
    const r = settledDrill(pp.profile, view, drill.name, drill.section);
    if (r?.ok && r.kind === 'peek') {
      const row = r.rows[drill.cursor.selected];
      if (row) ctx.store.dispatch({ type: 'drill', pane, name: row.name });
    }
    return;
  }
  const top = settledTop(pp.profile, view);
  const row = top?.ok ? top.report.rows[view.cursor.selected] : undefined;
  if (row) ctx.store.dispatch({ type: 'drill', pane, name: row.name });
}

async function exportNow(ctx: CommandContext): Promise<void> {
  try {
    const paths = await ctx.exportProfiles();
    ctx.store.dispatch({ type: 'message', text: paths.length ? `wrote ${paths.join(' and ')} (mode 0600)` : 'no heap profile to write yet' });
  } catch (e) {
    ctx.store.dispatch({ type: 'show-error', message: `could not write the profile: ${errorMessage(e)}` });
  }
}

/** A replay that reached its end, or a --count that was reached: p and r have nothing to do. */
const POLLING_FINISHED = 'polling has finished (the replay ended or --count was reached)';

export const HANDLERS: Record<CommandId, (ctx: CommandContext) => void> = {
  quit: (ctx) => ctx.quit(),
  'force-quit': (ctx) => ctx.quit(),
  help: (ctx) => ctx.store.dispatch({ type: 'open-help' }),
  escape: (ctx) => ctx.store.dispatch({ type: 'escape' }),
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
  'close-help': (ctx) => ctx.store.dispatch({ type: 'close-overlay' }),
  'dismiss-error': (ctx) => ctx.store.dispatch({ type: 'close-overlay' }),
  down: (ctx) => move(ctx, 1),
  up: (ctx) => move(ctx, -1),
  'page-down': (ctx) => move(ctx, Math.max(1, ctx.pageSize - 1)),
  'page-up': (ctx) => move(ctx, -Math.max(1, ctx.pageSize - 1)),
  first: (ctx) => move(ctx, 'first'),
  last: (ctx) => move(ctx, 'last'),
  open: (ctx) => drillInto(ctx),
  'sample-type': (ctx) => {
    const pane = profilePane(ctx);
    if (!pane) return;
    const { ui, data } = ctx.store.getSnapshot();
    const pp = readyPaneProfile(data, pane);
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
    const { ui, data } = ctx.store.getSnapshot();
    const row = selectGoroutineRows(data)[ui.goroutines.cursor.selected];
    if (!row) return;
    ctx.store.dispatch({ type: 'open-goroutine', key: row.key });
    ctx.loadGoroutineDump();
  },
  'detail-down': (ctx) => ctx.store.dispatch({ type: 'scroll-detail', delta: 1, max: 10_000 }),
  'detail-up': (ctx) => ctx.store.dispatch({ type: 'scroll-detail', delta: -1, max: 10_000 }),
  'detail-page-down': (ctx) => ctx.store.dispatch({ type: 'scroll-detail', delta: ctx.pageSize - 1, max: 10_000 }),
  'detail-page-up': (ctx) => ctx.store.dispatch({ type: 'scroll-detail', delta: -(ctx.pageSize - 1), max: 10_000 }),
};

// ---- prompt -----------------------------------------------------------------------------------

/** Applies the text of the open prompt (Enter). */
export function submitPrompt(ctx: CommandContext): void {
  const { ui } = ctx.store.getSnapshot();
  if (ui.overlay.kind !== 'prompt') return;
  const { purpose, text } = ui.overlay;
  ctx.store.dispatch({ type: 'close-overlay' });
  if (purpose === 'command') return runColonCommand(ctx, text.trim());
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

const COMMAND_HELP = 'try :top 20, :sample_index=alloc_space, :focus=RE, :ignore=RE, :granularity=lines, :cum, :flat';

/** pprof's interactive vocabulary: `top 20`, `sample_index=alloc_space`, `focus=Cache`, `granularity=lines`. */
export function runColonCommand(ctx: CommandContext, text: string): void {
  if (!text) return;
  const pane: ProfilePane = profilePane(ctx) ?? 'top';
  if (!profilePane(ctx)) ctx.store.dispatch({ type: 'set-pane', pane });
  const m = /^([a-z_]+)\s*(?:=\s*|\s+)?(.*)$/i.exec(text);
  const name = (m?.[1] ?? text).toLowerCase();
  const arg = (m?.[2] ?? '').trim();
  const fail = (msg: string) => ctx.store.dispatch({ type: 'show-error', message: msg });
  switch (name) {
    case 'top':
    case 'nodecount': {
      const n = arg === '' ? 0 : Number(arg);
      if (!Number.isInteger(n) || n < 0) return fail(`:${name} takes a number of rows, e.g. :top 20`);
      return ctx.store.dispatch({ type: 'set-node-count', pane, count: n });
    }
    case 'sample_index':
    case 'si': {
      const { data } = ctx.store.getSnapshot();
      const pp = readyPaneProfile(data, pane);
      const types = pp ? pp.profile.sampleTypes.map((t) => t.type) : [];
      const byNumber = /^\d+$/.test(arg) ? types[Number(arg)] : undefined;
      const chosen = byNumber ?? types.find((t) => t === arg || t === arg.replace(/^inuse_/, ''));
      if (!chosen) return fail(`sample_index ${JSON.stringify(arg)} is not in this profile; it has: ${types.join(', ') || 'nothing yet'}`);
      return ctx.store.dispatch({ type: 'set-sample-type', pane, sampleType: chosen });
    }
    case 'focus':
    case 'ignore':
      return applyFilter(ctx, pane, name, arg);
    case 'granularity':
    case 'functions':
    case 'lines':
    case 'files':
    case 'filefunctions': {
      const g = (name === 'granularity' ? arg : name) as Granularity;
      if (!GRANULARITIES.includes(g)) return fail(`granularity must be one of ${GRANULARITIES.join(', ')}`);
      return ctx.store.dispatch({ type: 'set-granularity', pane, granularity: g });
    }
    case 'cum':
    case 'flat':
      return ctx.store.dispatch({ type: 'set-cum-sort', pane, cum: name === 'cum' });
    case 'help':
      return ctx.store.dispatch({ type: 'open-help' });
    case 'q':
    case 'quit':
    case 'exit':
      return ctx.quit();
    default:
      return fail(`unknown command :${text} (${COMMAND_HELP})`);
  }
}
