// The full-screen view leaves the terminal as it found it, however it ends: SIGTERM, SIGHUP (an
// SSH session dropping), Ctrl-C typed as a key, a crash inside the TUI, and the terminal itself
// going away. "As it found it" means: alternate screen off, cursor visible, the tty out of raw
// mode, and the main screen showing what was there before (a preamble line) plus at most the
// one-line crash message — no leftover frame of the view.
//
// A static profile file is the target: no Go needed, and nothing polls in the background.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, GO119 } from '../helpers/paths.js';
import { framed, startTmux, type TmuxSession } from '../helpers/tmux.js';
import { requireTool } from '../helpers/require-tool.js';


const HEAP = join(GO119, 'heap.pb.gz');
const PREAMBLE = 'shell line before livepprof';

const sessions: TmuxSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.kill()));
});

/** Starts the view on the static heap profile and waits until it is up and reading keys. */
async function startView(env: Record<string, string> = {}): Promise<TmuxSession> {
  const s = await startTmux({ command: [process.execPath, CLI, HEAP], env, width: 80, height: 24, preamble: PREAMBLE });
  sessions.push(s);
  await s.waitFor(/Showing nodes accounting for/);
  await s.waitFor(/^Enter drill .* \? help\s*$/m); // the footer: the whole frame is drawn
  expect(await s.alternateOn(), 'the view runs on the alternate screen').toBe(true);
  expect(await s.cursorVisible(), 'the view hides the cursor').toBe(false);
  await s.waitForRawMode();
  return s;
}

/**
 * After the command has exited: the terminal is back to normal and the main screen holds the
 * preamble, then `extra` lines (matched in order), then `EXIT=n` — and nothing else.
 */
async function expectRestored(s: TmuxSession, extra: RegExp[] = []): Promise<number> {
  const status = await s.waitForExit();
  const screen = await s.capture();
  const lines = await s.lines();
  const context = `main screen after exit:\n${framed(screen)}`;
  expect(await s.alternateOn(), `alternate screen still on; ${context}`).toBe(false);
  expect(await s.cursorVisible(), `cursor still hidden; ${context}`).toBe(true);
  const modes = await s.ttyModes();
  expect(modes.icanon && modes.echo && modes.isig, `tty left in raw mode:\n${modes.text}`).toBe(true);
  expect(screen, `frame left on the main screen; ${context}`).not.toMatch(/Showing nodes|Overview|q quit/);
  expect(lines[0], `the screen from before the view is gone; ${context}`).toBe(PREAMBLE);
  expect(lines, context).toHaveLength(2 + extra.length);
  extra.forEach((re, i) => expect(lines[1 + i], context).toMatch(re));
  expect(lines[lines.length - 1], `EXIT=n must be on a line of its own; ${context}`).toBe(`EXIT=${status}`);
  return status;
}

describe.skipIf(!requireTool('tmux', 'the terminal-restore tests'))('the terminal is restored on every way out of the full-screen view', () => {
  it('q: exit status 0, a clean main screen', async () => {
    const s = await startView();
    await s.sendKeys('q');
    expect(await expectRestored(s)).toBe(0);
  });

  it('Ctrl-C typed as a key quits like q', async () => {
    const s = await startView();
    await s.sendKeys('C-c');
    expect(await expectRestored(s)).toBe(0);
  });

  it('SIGTERM to the livepprof process: exit status 143', async () => {
    const s = await startView();
    process.kill(await s.commandPid(/livepprof\.js/), 'SIGTERM');
    expect(await expectRestored(s)).toBe(143);
  });

  it('SIGHUP while the terminal stays (kill -HUP): restored, exit status 129', async () => {
    const s = await startView();
    process.kill(await s.commandPid(/livepprof\.js/), 'SIGHUP');
    expect(await expectRestored(s)).toBe(129);
  });

  it('a crash inside the TUI: one line "livepprof: crashed: …", no stack trace, a non-zero exit', async () => {
    const s = await startView({ LIVEPPROF_CRASH_AFTER_MS: '1500' });
    const status = await expectRestored(s, [/^livepprof: crashed: /]);
    expect(status, 'internal error').toBe(70);
    const screen = await s.capture({ joinWrapped: true });
    expect(screen.match(/livepprof: crashed:/g), framed(screen)).toHaveLength(1);
    expect(screen, `no stack trace:\n${framed(screen)}`).not.toMatch(/^\s+at /m);
  });

  it('an exception thrown while rendering: same clean exit, not a hung screen', async () => {
    const s = await startView({ LIVEPPROF_CRASH_IN_RENDER_AFTER_MS: '1200' });
    const status = await expectRestored(s, [/^livepprof: crashed: /]);
    expect(status).toBe(70);
    const screen = await s.capture({ joinWrapped: true });
    expect(screen).toMatch(/livepprof: crashed: injected crash in render/);
    expect(screen, `no stack trace:\n${framed(screen)}`).not.toMatch(/^\s+at /m);
  });

  it('a crash before the first frame (the alternate screen already on): restored, one line, exit 70, not left running', async () => {
    const s = await startTmux({ command: [process.execPath, CLI, HEAP], env: { LIVEPPROF_CRASH_AT_START: '1' }, width: 80, height: 24, preamble: PREAMBLE });
    sessions.push(s);
    const status = await expectRestored(s, [/^livepprof: crashed: injected crash before the first frame/]);
    expect(status).toBe(70);
  });

  it('the terminal going away (the pty closes under it) ends the process', async () => {
    const s = await startView();
    const pid = await s.commandPid(/livepprof\.js/);
    await s.kill();
    const until = Date.now() + 5_000;
    while (alive(pid)) {
      if (Date.now() > until) throw new Error(`livepprof (pid ${pid}) still running 5 s after its terminal closed`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});

/** Running, and not a zombie waiting for a parent that may never reap it. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): kill(0) is all we know
  }
}
