// The terminal going away under livepprof — what a dropped SSH connection or a killed tmux
// server does (issue 15). Killing the tmux server takes the pty away; the wrapper shell traps
// SIGHUP, so (as under a supervisor or a wrapper script) no hang-up signal reaches livepprof and
// it must notice the terminal itself. It must then exit 129 — read from its exit status, which
// the wrapper writes to a file, not from a screen that is gone — within 2 s: no crash (Node's
// exit-time tty reset used to abort and segfault on the dead terminal), no polling on.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, waitFor } from '../helpers/cli.js';
import { startTarget, type Target } from '../helpers/go-target.js';
import { CLI } from '../helpers/paths.js';
import { requireTool } from '../helpers/require-tool.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

/** The bound: the process is gone within 2 s of its terminal. */
const GONE_WITHIN_MS = 2_000;

const haveTmux = requireTool('tmux', 'the hang-up tests in a real terminal');
const haveGoAndTmux = haveTmux && requireTool('go', 'the hang-up tests against a live Go target');

const work = mkdtempSync(join(tmpdir(), 'livepprof-hang-up-'));
const sessions: TmuxSession[] = [];
const targets: Target[] = [];
const pids: number[] = [];
let runs = 0;
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.kill()));
  // A livepprof that failed to notice its terminal going away would poll on for ever.
  for (const pid of pids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
});
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
  rmSync(work, { recursive: true, force: true });
});

interface Running {
  tmux: TmuxSession;
  pid: number;
  statusFile: string;
}

/** Starts livepprof with `args` in an 80×24 terminal whose wrapper shell traps SIGHUP. */
async function start(args: string[], ready: (s: TmuxSession) => Promise<unknown>): Promise<Running> {
  const statusFile = join(work, `status-${runs++}`);
  const tmux = await startTmux({ command: [process.execPath, CLI, ...args], width: 80, height: 24, statusFile });
  sessions.push(tmux);
  await ready(tmux);
  const pid = await tmux.commandPid(/livepprof\.js/);
  pids.push(pid);
  return { tmux, pid, statusFile };
}

/** Takes the terminal away (optionally also sending SIGHUP, as the kernel does to a session leader); gives back the exit status. */
async function hangUp(r: Running, alsoSignal = false): Promise<number> {
  await r.tmux.kill();
  if (alsoSignal) process.kill(r.pid, 'SIGHUP');
  await waitFor(() => existsSync(r.statusFile) && readFileSync(r.statusFile, 'utf8').trim() !== '', GONE_WITHIN_MS, `livepprof to exit within ${GONE_WITHIN_MS} ms of its terminal going away`);
  expect(alive(r.pid), 'the livepprof process is gone').toBe(false);
  return Number(readFileSync(r.statusFile, 'utf8').trim());
}

/** Running (and not a zombie). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

const fullScreenUp = async (s: TmuxSession) => {
  await s.waitFor(/\[1 Overview\]/);
  await s.waitForRawMode();
};

describe.skipIf(!haveTmux)('the terminal goes away under the full-screen view of the demo', () => {
  it('while it replays: exit status 129, no crash, gone within 2 s — though no SIGHUP reached it', async () => {
    const r = await start(['demo'], async (s) => {
      await fullScreenUp(s);
      await s.waitFor(/DEMO: a recorded replay/);
    });
    expect(await hangUp(r)).toBe(129);
  });

  it('with the SIGHUP arriving too (livepprof as the session leader): still 129, nothing written', async () => {
    const r = await start(['demo'], fullScreenUp);
    expect(await hangUp(r, true)).toBe(129);
  });
});

describe.skipIf(!haveGoAndTmux)('the terminal goes away under livepprof polling a live Go target', () => {
  let t: Target;
  beforeAll(async () => {
    t = await startTarget({ scenario: 'heap-leak' });
    targets.push(t);
  });

  it('the full-screen view: exit status 129 within 2 s, polling stopped', async () => {
    const r = await start([`127.0.0.1:${t.port}`, '--interval', '200ms'], async (s) => {
      await fullScreenUp(s);
      await s.waitFor(/^R rss \d/m); // a poll arrived
      await s.waitFor(/● every /); // and polling goes on
    });
    expect(await hangUp(r)).toBe(129);
  });

  it('record: exit status 129 within 2 s, and the recording so far replays', async () => {
    const out = join(work, 'rec');
    const timeline = join(out, 'timeline.jsonl');
    const polls = () => (existsSync(timeline) ? readFileSync(timeline, 'utf8').split('\n').filter(Boolean).length : 0);
    const r = await start(['record', `127.0.0.1:${t.port}`, '--out', out, '--interval', '200ms'], () => waitFor(() => polls() >= 3, 20_000, 'three recorded polls'));
    expect(await hangUp(r)).toBe(129);
    const recorded = polls();
    const replay = await runCli(['replay', out, '--speed', '0', '--json']);
    expect(replay.stderr).toBe('');
    expect(replay.code, 'every recorded poll replays as it succeeded').toBe(0);
    const lines = replay.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; seq: number });
    expect(lines).toHaveLength(recorded);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: recorded }, (_, i) => i + 1));
  });

  it('watch printing to the terminal: exit status 129 within 2 s', async () => {
    const r = await start(['watch', `127.0.0.1:${t.port}`, '--interval', '200ms'], (s) => s.waitFor(/^\d\d:\d\d:\d\d\s+\S+\s+proc\s/m));
    expect(await hangUp(r)).toBe(129);
  });
});
