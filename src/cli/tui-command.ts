// `livepprof [target]`: the full-screen view. The target is a live service (host:port, URL), a
// recording directory (replayed), or a profile file (a static Top view).

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { LivepprofError, errorMessage } from '../errors.js';
import { encodeProfile } from '../profile/encode.js';
import type { Profile } from '../profile/model.js';
import { writeExports } from '../source/export.js';
import { readProfileFile } from '../source/profile-source.js';
import { isRecordingDir, RecordingWriter } from '../source/recording.js';
import { describeTarget } from '../source/target.js';
import { workerDecoder } from '../session/heap-decoder.js';
import type { SessionSnapshot } from '../analysis/session-snapshot.js';
import { Session, emptySnapshot } from '../session/session.js';
import type { CommandContext } from '../state/commands.js';
import { goroutineDumpLoader, type DumpSource } from '../state/goroutine-dump.js';
import type { DataSource, StoreSnapshot } from '../state/store.js';
import { Store } from '../state/store.js';
import type { Pane } from '../state/ui-state.js';
import type { Io } from './io.js';
import type { PickerChoice } from '../ui/Picker.js';
import type { CommandDef, OptionDef, ParsedArgs } from './options.js';
import { stringOption } from './options.js';
import { decodeLimitsFrom } from './http-options.js';
import type { Ending } from '../ui/terminal.js';
import type { Theme } from '../ui/theme.js';
import type { ReactElement } from 'react';
import { TARGET_OPTIONS, openTarget, recordingWriter } from './session-options.js';
import { EXIT, SIGNAL_EXIT } from './exit-codes.js';
import { letGoOfTerminal, watchTerminal } from '../hang-up.js';
import { STOP_GRACE_MS, within } from './signals.js';

export const NO_TTY_MESSAGE =
  'livepprof: the interactive view needs a terminal; for scripts use `livepprof watch TARGET --json` (a line per poll) or `livepprof top FILE|URL`';

export function tuiCommand(io: Io): CommandDef {
  return {
    name: 'open',
    summary: 'The full-screen view of a target, a recording or a profile file (the default command).',
    usage: 'livepprof [open] [host:port|url|recording-dir|profile-file] [options]',
    description:
      'Panes: 1 Overview (RSS vs Go heap, verdict), 2 Top, 3 Goroutines, 4 Diff. Press ? for the keys of the pane you are in.',
    positionals: { min: 0, max: 1 },
    options: [...TARGET_OPTIONS, ...VIEW_OPTIONS, { name: 'help', type: 'boolean', short: 'h', description: 'show this help' }],
    examples: ['livepprof 127.0.0.1:6060', 'livepprof 127.0.0.1:6060 --record ./rec --export-dir ./profiles', 'livepprof ./recording', 'livepprof heap.pb.gz'],
    run: (args) => runTui(io, args),
  };
}

/** Options of the full-screen view alone. */
const VIEW_OPTIONS: OptionDef[] = [
  {
    name: 'record',
    type: 'string',
    value: 'DIR',
    description:
      'record what the view shows into DIR, as `record --out` does (0700, files 0600), and also each goroutine?debug=2 dump fetched when a group is opened: `livepprof replay DIR` shows them',
  },
  { name: 'force', type: 'boolean', description: 'with --record: write into a non-empty directory' },
  { name: 'export-dir', type: 'string', value: 'DIR', description: 'where `e` writes profiles (`:export DIR` for one export)', defaultText: 'the current directory' },
];

/** A data source for one profile file: no polling, the profile as both latest and first. */
export function staticSource(p: Profile): DataSource {
  const heap = { profile: p, seq: 0, time: p.timeNanos ? p.timeNanos / 1e6 : Date.now(), numGC: null };
  const snap: SessionSnapshot = { ...emptySnapshot(0, 1), status: 'stopped', firstHeap: heap, latestHeap: heap };
  return { snapshot: () => snap, subscribe: () => () => undefined };
}


/** The recording `livepprof demo` plays: the incident livepprof was born from. */
export const DEMO_RECORDING = join(PACKAGE_ROOT, 'fixtures/recordings/burst-free');
export const DEMO_BANNER = 'DEMO: a recorded replay (Go 1.19, a 320 MB burst freed, GODEBUG=madvdontneed=0) — not a live target';

async function runTui(io: Io, args: ParsedArgs): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    io.warn(NO_TTY_MESSAGE);
    return EXIT.usage;
  }
  const arg = args.positionals[0];
  if (arg !== undefined) return openTui(io, arg, args);
  const choice = await pickTarget();
  if (choice === 'hung-up') return EXIT.hangUp;
  if (choice.kind === 'quit') return EXIT.ok;
  if (choice.kind === 'demo') return openTui(io, DEMO_RECORDING, { ...args, values: { ...args.values, speed: args.values.speed ?? '2' } }, DEMO_BANNER);
  return openTui(io, choice.url, args);
}

/** `livepprof` alone: choose among the local pprof targets, or the demo (or the terminal goes away). */
async function pickTarget(): Promise<PickerChoice | 'hung-up'> {
  allowInteractiveInk();
  const [{ render }, React, { Picker }, { makeTheme }, { findPprofTargets }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../ui/Picker.js'),
    import('../ui/theme.js'),
    import('../source/discover.js'),
  ]);
  let choose!: (c: PickerChoice | 'hung-up') => void;
  const chosen = new Promise<PickerChoice | 'hung-up'>((r) => (choose = r));
  const stopWatching = watchTerminal(
    () => {
      letGoOfTerminal(process.stdin);
      choose('hung-up');
    },
    { stdin: process.stdin, outputs: [process.stdout] },
  );
  const app = render(React.createElement(Picker, { find: () => findPprofTargets({ timeoutMs: 1000 }), theme: makeTheme(), onChoose: (c: PickerChoice) => choose(c) }), {
    exitOnCtrlC: false,
  });
  const c = await chosen;
  stopWatching();
  app.clear();
  app.unmount();
  return c;
}

/** Opens the full-screen view on a target, a recording or a profile file. */
export async function openTui(io: Io, arg: string, args: ParsedArgs, banner?: string): Promise<number> {
  let session: Session | null = null;
  let source: DataSource;
  let title: string;
  let initialPane: Pane = 'overview';
  let closeDecoder: () => Promise<void> = async () => undefined;
  let closeFetcher: () => Promise<void> = async () => undefined;
  let dumps: DumpSource | null = null;
  let recording: RecordingWriter | null = null;
  const recordDir = stringOption(args, 'record');
  if (existsSync(arg) && !isRecordingDir(arg) && statSync(arg).isFile()) {
    if (recordDir) throw new LivepprofError('usage', '--record records polls of a live target; a profile file has none');
    const p = await readProfileFile(arg, decodeLimitsFrom(args));
    source = staticSource(p);
    title = arg.split('/').pop() ?? arg;
    initialPane = 'top';
  } else {
    const opened = await openTarget(arg, args, io.warn);
    if (recordDir && opened.recording) throw new LivepprofError('usage', '--record: the target is already a recording');
    recording = recordDir ? await recordingWriter(recordDir, opened, args) : null;
    // Everything the view fetches goes through the recording, on-demand dumps included.
    const fetcher = recording ? recording.wrap(opened.fetcher) : opened.fetcher;
    // Heap profiles decode in a worker thread: a big one must not stall the keys.
    const decoder = workerDecoder(opened.limits);
    const writer = recording;
    session = new Session(fetcher, {
      ...opened.session,
      decoder,
      ...(writer ? { onRecord: (r) => writer.appendRecord(r).catch((e: unknown) => recordingFailed(e)) } : {}),
    });
    source = session;
    title = banner ? 'demo' : describeTarget(opened.fetcher.target) + (opened.recording ? ' (recording)' : '');
    closeDecoder = () => decoder.close();
    closeFetcher = () => fetcher.close();
    const s = session;
    dumps = {
      fetch: async () => {
        const seq = Math.max(1, s.snapshot().polls);
        // The time it shows is the session's: the recorded one in a replay (now() of the recording writer would rewrite it).
        return { bytes: await fetcher.fetch(seq, 'goroutine-debug2'), at: opened.fetcher.now(seq) };
      },
    };
  }
  const store = new Store(source, initialPane);
  let recordingError = false;
  function recordingFailed(e: unknown): void {
    if (recordingError) return; // once: a full disk fails every poll
    recordingError = true;
    store.dispatch({ type: 'show-error', message: `recording into ${recordDir} failed: ${errorMessage(e)}` });
  }
  const label = title.replace(/ \(recording\)$/, '');
  const exportProfiles = paneExporter(label, stringOption(args, 'export-dir'));
  const code = await runFullScreen({ store, session, title, initialPane, exportProfiles, loadGoroutineDump: goroutineDumpLoader(store, dumps), closeDecoder, closeFetcher, ...(banner ? { banner } : {}) });
  if (recording) io.warn(`recorded ${session?.snapshot().polls ?? 0} polls into ${recordDir}; replay: livepprof replay ${recordDir} (or livepprof ${recordDir})`);
  return code;
}

/** What `e` and `:export DIR` do: encode the pane's profiles and write them, 0600, named after the target. */
export function paneExporter(label: string, exportDir?: string): CommandContext['exportProfiles'] {
  return (items, dir) => writeExports(label, items.map((i) => ({ what: i.what, bytes: encodeProfile(i.profile) })), dir ?? exportDir);
}

/** The status message that makes the App throw while rendering (a test hook, see runFullScreen). */
export const RENDER_CRASH_MESSAGE = '__livepprof_render_crash__';

export interface FullScreenOptions {
  store: Store;
  session: Session | null;
  title: string;
  initialPane: Pane;
  banner?: string;
  exportProfiles: CommandContext['exportProfiles'];
  loadGoroutineDump(): void;
  /** Ends the heap-decoding worker thread. */
  closeDecoder(): Promise<void>;
  /** Closes the connections to the target. */
  closeFetcher(): Promise<void>;
}

/**
 * Ink renders nothing interactive when CI or CONTINUOUS_INTEGRATION is set (is-in-ci, read once
 * when Ink is first loaded), but the full-screen view only runs on a real terminal: clear them
 * before the first import of Ink.
 */
export function allowInteractiveInk(): void {
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
}

/** Renders the App on the alternate screen until the user quits; always restores the terminal. */
export async function runFullScreen(o: FullScreenOptions): Promise<number> {
  allowInteractiveInk(); // before the App's first import of Ink
  const [React, { App }, { verdictView }] = await Promise.all([import('react'), import('../ui/App.js'), import('../ui/views/verdict-view.js')]);
  return runInkScreen({
    element: (theme, quit) => {
      // Test hook (test/e2e/terminal.test.ts): the view failing before its first frame.
      if (process.env.LIVEPPROF_CRASH_AT_START) throw new Error('injected crash before the first frame (LIVEPPROF_CRASH_AT_START)');
      return React.createElement(App, {
        store: o.store,
        session: o.session,
        info: { title: o.title, isStatic: o.session === null, banner: o.banner },
        theme,
        verdict: (snap: StoreSnapshot, width: number, maxLines: number) => verdictView(snap, theme, width, maxLines),
        quit,
        exportProfiles: o.exportProfiles,
        loadGoroutineDump: o.loadGoroutineDump,
      });
    },
    tick: () => o.store.tick(),
    running: o.session?.start() ?? null,
    shutDown: (hurry) => shutDown(o, hurry),
    close: () => o.store.close(),
    injectRenderCrash: () => o.store.dispatch({ type: 'message', text: RENDER_CRASH_MESSAGE }),
  });
}

export interface InkScreen {
  /** What to render, given the theme and the function that quits. */
  element(theme: Theme, quit: () => void): ReactElement;
  /** Repaints relative times once a second. */
  tick(): void;
  /** The loop feeding the screen: it only ends in error on a bug. */
  running: Promise<void> | null;
  /** Stops what feeds the screen; `hurry` after a signal or a hang-up. */
  shutDown(hurry: boolean): Promise<void>;
  close(): void;
  /** Makes the view throw while rendering (the LIVEPPROF_CRASH_IN_RENDER_AFTER_MS test hook). */
  injectRenderCrash?: () => void;
}

/** Any full-screen view (a target's, the fleet's) on the alternate screen until quit; the terminal always restored. */
export async function runInkScreen(o: InkScreen): Promise<number> {
  allowInteractiveInk();
  const [{ render }, { makeTheme }, { TerminalGuard }] = await Promise.all([import('ink'), import('../ui/theme.js'), import('../ui/terminal.js')]);
  const theme = makeTheme();
  let resolveQuit!: () => void;
  const quitting = new Promise<void>((r) => (resolveQuit = r));
  // A signal, the terminal going away or a crash: the guard says how the view must end.
  let guardEnded!: (e: Ending) => void;
  const ended = new Promise<Ending>((r) => (guardEnded = r));
  const guard = new TerminalGuard(
    { stdout: process.stdout, stdin: process.stdin, stderr: process.stderr },
    { signals: SIGNAL_EXIT, hangUp: EXIT.hangUp, crash: EXIT.internal },
    guardEnded,
  );
  guard.enter();
  let app: ReturnType<typeof render> | null = null;
  let tick: ReturnType<typeof setInterval> | undefined;
  let ending: Ending = { code: EXIT.internal };
  try {
    // Inside the try: a view that throws before its first frame (a broken import, Ink failing to
    // start) must restore the terminal and stop what feeds it too, or the raw-mode stdin the guard
    // opened keeps the process alive for ever (seen: processes left sleeping for hours).
    app = render(o.element(theme, () => resolveQuit()), { exitOnCtrlC: false, patchConsole: true, maxFps: 60 });
    // A render error ends the app from inside Ink: treat it as the crash it is.
    const inkExit = app.waitUntilExit().then(
      (): Ending => ({ code: EXIT.ok }),
      (e: unknown): Ending => ({ code: EXIT.internal, error: e }),
    );
    // The poll loop only ends in error on a bug: show it as the crash it is, terminal restored.
    const sessionCrash = new Promise<Ending>((resolve) => void o.running?.catch((e: unknown) => resolve({ code: EXIT.internal, error: e })));
    // Test hooks: prove a crash leaves the terminal restored (test/e2e/terminal.test.ts), thrown
    // from a timer (LIVEPPROF_CRASH_AFTER_MS) or from inside a render (LIVEPPROF_CRASH_IN_RENDER_AFTER_MS).
    const crashAfter = Number(process.env.LIVEPPROF_CRASH_AFTER_MS);
    if (crashAfter > 0) {
      setTimeout(() => {
        throw new Error('injected crash (LIVEPPROF_CRASH_AFTER_MS)');
      }, crashAfter);
    }
    const renderCrashAfter = Number(process.env.LIVEPPROF_CRASH_IN_RENDER_AFTER_MS);
    if (renderCrashAfter > 0 && o.injectRenderCrash) setTimeout(o.injectRenderCrash, renderCrashAfter);
    // Repaint the header's "retrying in Ns" and relative times even when nothing arrives.
    tick = setInterval(() => o.tick(), 1000);
    ending = await Promise.race([quitting.then((): Ending => ({ code: EXIT.ok })), inkExit, sessionCrash, ended]);
  } catch (e) {
    ending = { code: EXIT.internal, error: e };
  } finally {
    clearInterval(tick);
    // Unmount Ink before restoring: its exit hook would otherwise paint a last frame over the
    // restored screen and the error line. After a hang-up both write nothing.
    app?.unmount();
    guard.restore();
    await o.shutDown(ending.code !== EXIT.ok && ending.code !== EXIT.internal);
    o.close();
  }
  if (ending.error !== undefined && !guard.hungUp) {
    process.stderr.write(`livepprof: crashed: ${errorMessage(ending.error)} (this is a bug; LIVEPPROF_DEBUG=1 shows details)\n`);
    if (process.env.LIVEPPROF_DEBUG && ending.error instanceof Error) process.stderr.write(`${ending.error.stack}\n`);
  }
  return ending.code;
}

/**
 * Stops polling, ends the decoding worker, closes the connections — each step on its own, so
 * one failing leaves no worker or connection behind. The worker ends first and always: exiting
 * while it runs is a known crash. After a signal or a hang-up the worker and the poll in flight
 * get STOP_GRACE_MS each (a hung target must not keep the process alive).
 */
async function shutDown(o: FullScreenOptions, hurry: boolean): Promise<void> {
  const stopped = o.session?.stop().catch(() => undefined);
  if (!hurry) {
    await stopped;
    await o.closeDecoder().catch(() => undefined);
    await o.closeFetcher().catch(() => undefined);
    return;
  }
  // Bounded too: a worker asked to end while it is still starting may never say it has, and a
  // process whose terminal is gone must not wait for ever (seen: replays left sleeping for hours).
  await within(o.closeDecoder().catch(() => undefined), STOP_GRACE_MS);
  const closed = (async () => {
    await stopped;
    await o.closeFetcher().catch(() => undefined);
  })();
  await within(closed, STOP_GRACE_MS);
}
