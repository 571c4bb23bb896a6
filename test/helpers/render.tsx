// A small render helper in the spirit of ink-testing-library, but with a terminal size: the fake
// stdout has `columns` and `rows` (Ink and useTerminalSize read them) and `resize()` changes them
// and emits 'resize'. Keys are written to the fake stdin as the bytes a terminal sends, then the
// helper yields to React 19's scheduler (setImmediate, then setTimeout 0) before a frame is read.

import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import { render as inkRender, type Instance } from 'ink';
import React from 'react';
import type { Session } from '../../src/session/session.js';
import type { Store, StoreSnapshot } from '../../src/state/store.js';
import { App, type AppProps } from '../../src/ui/App.js';
import { makeTheme } from '../../src/ui/theme.js';
import { verdictView } from '../../src/ui/views/verdict-view.js';

class FakeStdout extends EventEmitter {
  isTTY = true;
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (chunk: string): boolean => {
    this.frames.push(chunk);
    return true;
  };
}

class FakeStderr extends EventEmitter {
  isTTY = true;
  frames: string[] = [];
  write = (chunk: string): boolean => {
    this.frames.push(chunk);
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write = (data: string): void => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

/** The bytes a terminal sends for each key name of the keymap (see keyName in src/state/keymap.ts). */
export const KEY_SEQUENCES: Record<string, string> = {
  up: '\u001b[A',
  down: '\u001b[B',
  right: '\u001b[C',
  left: '\u001b[D',
  enter: '\r',
  escape: '\u001b',
  tab: '\t',
  'shift-tab': '\u001b[Z',
  pageup: '\u001b[5~',
  pagedown: '\u001b[6~',
  home: '\u001b[H',
  end: '\u001b[F',
  backspace: '\u007f',
  'ctrl-c': '\u0003',
  'ctrl-f': '\u0006',
  'ctrl-b': '\u0002',
  'ctrl-u': '\u0015',
};

/** Lets React 19 and Ink finish the work a key or a store change scheduled. */
export async function settle(): Promise<void> {
  // Ink holds a lone Esc back until its own setImmediate (queued by the write, so it runs first).
  await new Promise<void>((r) => setImmediate(r));
  await new Promise<void>((r) => setTimeout(r, 0));
}

export interface Rendered {
  stdout: FakeStdout;
  stdin: FakeStdin;
  stderr: FakeStderr;
  /** The last frame Ink wrote, ANSI codes included. */
  rawFrame(): string;
  /** The last frame as plain text. */
  lastFrame(): string;
  /** The last frame's lines as plain text. */
  lines(): string[];
  /** Sends keys one after the other (names from KEY_SEQUENCES, or literal text), settling after each. */
  press(...keys: string[]): Promise<void>;
  /** Sends text in one chunk (like a paste or fast typing), then settles. */
  type(text: string): Promise<void>;
  resize(columns: number, rows: number): Promise<void>;
  unmount(): void;
}

export interface Size {
  columns?: number;
  rows?: number;
}

export function renderSized(tree: React.ReactElement, { columns = 80, rows = 24 }: Size = {}): Rendered {
  const stdout = new FakeStdout(columns, rows);
  const stderr = new FakeStderr();
  const stdin = new FakeStdin();
  const instance: Instance = inkRender(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    // Every render writes the whole frame, unthrottled: the last write is the screen.
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const rawFrame = () => stdout.frames[stdout.frames.length - 1] ?? '';
  const lastFrame = () => stripVTControlCharacters(rawFrame());
  return {
    stdout,
    stdin,
    stderr,
    rawFrame,
    lastFrame,
    lines: () => lastFrame().split('\n'),
    async press(...keys) {
      for (const k of keys) {
        stdin.write(KEY_SEQUENCES[k] ?? k);
        await settle();
      }
    },
    async type(text) {
      stdin.write(text);
      await settle();
    },
    async resize(c, r) {
      stdout.columns = c;
      stdout.rows = r;
      stdout.emit('resize');
      await settle();
    },
    unmount() {
      instance.unmount();
      instance.cleanup();
    },
  };
}

export interface AppOptions extends Size {
  store: Store;
  session?: Session | null;
  title?: string;
  banner?: string;
  /** NO_COLOR by default: plain frames. */
  color?: boolean;
  /** Default: the verdict view, as runFullScreen shows it. */
  verdict?: AppProps['verdict'];
  quit?: () => void;
  exportProfiles?: AppProps['exportProfiles'];
  loadGoroutineDump?: () => void;
}

/** The App's props as runFullScreen (src/cli/tui-command.ts) builds them. */
export function appProps(o: AppOptions): AppProps {
  const session = o.session ?? null;
  const theme = makeTheme(o.color ? {} : { NO_COLOR: '1' });
  return {
    store: o.store,
    session,
    info: { title: o.title ?? 'heap.pb.gz', isStatic: session === null, banner: o.banner },
    theme,
    verdict: o.verdict ?? ((snap: StoreSnapshot, width: number, maxLines: number) => verdictView(snap, theme, width, maxLines)),
    quit: o.quit ?? (() => undefined),
    exportProfiles: o.exportProfiles ?? (async () => []),
    loadGoroutineDump: o.loadGoroutineDump ?? (() => undefined),
  };
}

/** Renders the App at a size and lets the first frame settle. */
export async function renderApp(o: AppOptions): Promise<Rendered> {
  const r = renderSized(<App {...appProps(o)} />, o);
  await settle();
  return r;
}
