// Runs a command in a real terminal for end-to-end tests: a detached tmux session of a given
// size on a private server (`tmux -L <unique>`, so tests never touch the user's tmux server and
// can run in parallel), with the pane read back as plain text, keys sent as a user types them,
// and the terminal state (alternate screen, cursor, tty modes) read from tmux and stty.
//
// The command runs in the foreground of a small shell wrapper:
//
//   sh -c '[echo PREAMBLE;] "$@"; echo "EXIT=$?"; exec sleep 600' sh <argv…>
//
// so after it exits the pane stays open, showing what the command left on the main screen
// followed by its exit status on a line of its own.
//
// Tests that take the terminal away (kill the tmux server: what a dropped SSH connection does)
// give a `statusFile`: the wrapper then traps SIGHUP — so the kernel's hang-up signal, sent only
// to the session leader, never reaches the command, as under a supervisor or a wrapper script —
// and writes the command's exit status to that file, since the pane and its EXIT=n line are gone.

import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';

const POLL_MS = 100;
const DEFAULT_WAIT_MS = 10_000;

export interface TmuxOptions {
  /** The program and its arguments, run in the foreground of the pane's shell. */
  command: string[];
  /** Added to the command's environment (on top of process.env and TERM=xterm-256color). */
  env?: Record<string, string>;
  width?: number;
  height?: number;
  cwd?: string;
  /** A line echoed on the main screen before the command starts (to check it survives). */
  preamble?: string;
  /** Trap SIGHUP in the wrapper, and write the command's exit status to this file (see the top). */
  statusFile?: string;
}

export interface TtyModes {
  /** The tty line discipline settings that raw mode turns off. */
  icanon: boolean;
  echo: boolean;
  isig: boolean;
  /** The full `stty -a` output, for failure messages. */
  text: string;
}

export interface TmuxSession {
  /** The private server's socket name (`tmux -L <socket>`). */
  readonly socket: string;
  /** The pane (`%N`). */
  readonly pane: string;
  /**
   * The visible pane as plain text: one line per row, trailing blanks trimmed. With
   * `joinWrapped`, a line the terminal wrapped is given back whole (capture-pane -J).
   */
  capture(opts?: { joinWrapped?: boolean }): Promise<string>;
  /** The lines of the pane (wrapped lines joined, trailing blanks trimmed), without trailing empty ones. */
  lines(): Promise<string[]>;
  /** Sends tmux key names: 'Enter', 'Escape', 'C-c', 'Up', '2', … (one send-keys each). */
  sendKeys(...keys: string[]): Promise<void>;
  /** Types `text` literally (send-keys -l), as one write to the terminal. */
  sendText(text: string): Promise<void>;
  /** Polls the pane every 100 ms until it matches; returns the match. Throws with the last capture. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Polls the pane every 100 ms until `probe(capture)` returns something other than undefined/null/false. */
  waitUntil<T>(probe: (screen: string) => T | undefined | null | false, what: string, timeoutMs?: number): Promise<T>;
  /** Polls until the pane does not match. */
  waitForNo(re: RegExp, timeoutMs?: number): Promise<string>;
  /** `#{alternate_on}`: is the alternate screen active? */
  alternateOn(): Promise<boolean>;
  /** `#{cursor_flag}`: is the cursor visible? */
  cursorVisible(): Promise<boolean>;
  /** Any tmux format of the pane, e.g. '#{pane_pid}'. */
  display(format: string): Promise<string>;
  /** The line discipline of the pane's tty (stty -a): raw mode clears icanon, echo and isig. */
  ttyModes(): Promise<TtyModes>;
  /** Waits until the command has put the terminal in raw mode (so keys arrive as keys). */
  waitForRawMode(timeoutMs?: number): Promise<void>;
  /** The pid of the pane's shell wrapper. */
  shellPid(): Promise<number>;
  /** The pid of the process started from `command`: a descendant of the shell whose args match. */
  commandPid(match?: RegExp): Promise<number>;
  /** The status printed by the wrapper (`EXIT=n`), or null while the command still runs. */
  exitStatus(): Promise<number | null>;
  /** Waits for `EXIT=n` and returns n. */
  waitForExit(timeoutMs?: number): Promise<number>;
  /** Kills the private tmux server (and with it the pane). Safe to call twice. */
  kill(): Promise<void>;
}

// Servers still running (socket name → socket path), killed when this (worker) process exits
// even if a test forgot to. tmux leaves its socket file behind; we remove it.
const liveSockets = new Map<string, string>();
let exitHookInstalled = false;

function tmuxEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SHELL: '/bin/sh' };
  // We never attach, but a tmux started inside tmux must not think it is nested.
  delete env.TMUX;
  delete env.TMUX_PANE;
  return env;
}

function tmux(socket: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('tmux', ['-L', socket, '-f', '/dev/null', ...args], { env: tmuxEnv(), timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`tmux ${args.join(' ')}: ${err.message}${stderr ? `\n${stderr}` : ''}`));
      else resolve(stdout);
    });
  });
}

function exec(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}${stderr ? `\n${stderr}` : ''}`));
      else resolve(stdout);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A capture framed for an error message, so blank rows and the frame's edges stay visible. */
export function framed(screen: string): string {
  const rows = screen.split('\n');
  const width = Math.max(...rows.map((r) => r.length), 10);
  return [`┌${'─'.repeat(width)}┐`, ...rows.map((r) => `│${r.padEnd(width)}│`), `└${'─'.repeat(width)}┘`].join('\n');
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Starts `command` in a detached tmux session of width×height (default 80×24) on a private server. */
export async function startTmux(opts: TmuxOptions): Promise<TmuxSession> {
  const width = opts.width ?? 80;
  const height = opts.height ?? 24;
  const socket = `livepprof-e2e-${process.pid}-${randomBytes(6).toString('hex')}`;
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const [s, path] of liveSockets) {
        spawnSync('tmux', ['-L', s, 'kill-server'], { stdio: 'ignore', env: tmuxEnv(), timeout: 5_000 });
        if (path) rmSync(path, { force: true });
      }
    });
  }
  const script = [
    opts.statusFile !== undefined ? `trap : HUP; ` : '',
    opts.preamble !== undefined ? `echo ${shellQuote(opts.preamble)}; ` : '',
    '"$@"; s=$?; ',
    opts.statusFile !== undefined ? `echo "$s" > ${shellQuote(opts.statusFile)}; ` : '',
    // No terminal left (test -t is false on a hung-up one): nothing to keep the pane open for.
    'echo "EXIT=$s"; [ -t 1 ] && exec sleep 600',
  ].join('');
  // tmux sets TERM in the pane from its default-terminal; `env` puts ours on top of it.
  const envArgs = Object.entries({ TERM: 'xterm-256color', ...opts.env }).map(([k, v]) => `${k}=${v}`);
  const argv = ['env', ...envArgs, '/bin/sh', '-c', script, 'sh', ...opts.command];
  liveSockets.set(socket, '');
  let pane: string;
  try {
    const out = await tmux(socket, [
      'new-session', '-d', '-P', '-F', '#{pane_id} #{socket_path}', '-s', 'e2e', '-x', String(width), '-y', String(height),
      ...(opts.cwd ? ['-c', opts.cwd] : []),
      // More than one argument: tmux executes them directly, no shell parses them.
      '--', ...argv,
    ]);
    const line = out.replace(/\n$/, '');
    const space = line.indexOf(' '); // a pane id has no spaces; a socket path may
    pane = line.slice(0, space);
    liveSockets.set(socket, line.slice(space + 1));
  } catch (e) {
    liveSockets.delete(socket);
    throw e;
  }

  const capture = async (o: { joinWrapped?: boolean } = {}) => {
    const out = await tmux(socket, ['capture-pane', '-p', ...(o.joinWrapped ? ['-J'] : []), '-t', pane]);
    return out.replace(/\n$/, '');
  };
  const display = async (format: string) => (await tmux(socket, ['display-message', '-p', '-t', pane, format])).replace(/\n$/, '');

  async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
    const until = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const got = await probe();
      if (got !== undefined) return got;
      if (Date.now() > until) {
        last = await capture().catch((e: unknown) => `(capture failed: ${String(e)})`);
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last capture:\n${framed(last)}`);
      }
      await sleep(POLL_MS);
    }
  }

  const ttyModes = async (): Promise<TtyModes> => {
    const tty = await display('#{pane_tty}');
    const text = await exec('stty', [process.platform === 'linux' ? '-F' : '-f', tty, '-a']);
    const words = new Set(text.split(/[\s;]+/));
    return { icanon: words.has('icanon'), echo: words.has('echo'), isig: words.has('isig'), text };
  };

  const exitStatus = async () => {
    const m = /EXIT=(\d+)/.exec(await capture());
    return m ? Number(m[1]) : null;
  };

  const session: TmuxSession = {
    socket,
    pane,
    capture,
    async lines() {
      const rows = (await capture({ joinWrapped: true })).split('\n').map((r) => r.trimEnd());
      while (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
      return rows;
    },
    async sendKeys(...keys) {
      for (const k of keys) await tmux(socket, ['send-keys', '-t', pane, k]);
    },
    async sendText(text) {
      await tmux(socket, ['send-keys', '-t', pane, '-l', text]);
    },
    waitFor(re, timeoutMs = DEFAULT_WAIT_MS) {
      return poll(async () => (await capture()).match(re) ?? undefined, timeoutMs, `${re} in the pane`);
    },
    waitUntil<T>(probe: (screen: string) => T | undefined | null | false, what: string, timeoutMs = DEFAULT_WAIT_MS) {
      return poll(async () => {
        const got = probe(await capture());
        return got === undefined || got === null || got === false ? undefined : got;
      }, timeoutMs, what);
    },
    waitForNo(re, timeoutMs = DEFAULT_WAIT_MS) {
      return poll(async () => {
        const s = await capture();
        return re.test(s) ? undefined : s;
      }, timeoutMs, `${re} to leave the pane`);
    },
    alternateOn: async () => (await display('#{alternate_on}')) === '1',
    cursorVisible: async () => (await display('#{cursor_flag}')) === '1',
    display,
    ttyModes,
    async waitForRawMode(timeoutMs = DEFAULT_WAIT_MS) {
      await poll(async () => {
        const m = await ttyModes();
        return !m.icanon && !m.echo ? true : undefined;
      }, timeoutMs, 'the tty to be in raw mode');
    },
    shellPid: async () => Number(await display('#{pane_pid}')),
    async commandPid(match = /./) {
      const root = Number(await display('#{pane_pid}'));
      return poll(async () => {
        const out = await exec('ps', ['-A', '-o', 'pid=,ppid=,args=']);
        const procs = out
          .split('\n')
          .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
        const inTree = new Set([root]);
        for (let grew = true; grew; ) {
          grew = false;
          for (const p of procs) {
            if (!inTree.has(p.pid) && inTree.has(p.ppid)) {
              inTree.add(p.pid);
              grew = true;
            }
          }
        }
        const hit = procs.find((p) => p.pid !== root && inTree.has(p.pid) && match.test(p.args) && !/^sleep /.test(p.args));
        return hit?.pid;
      }, 5_000, `a process matching ${match} under the pane's shell (pid ${root})`);
    },
    exitStatus,
    waitForExit(timeoutMs = DEFAULT_WAIT_MS) {
      return poll(async () => (await exitStatus()) ?? undefined, timeoutMs, 'the command to exit (EXIT=n)');
    },
    async kill() {
      const path = liveSockets.get(socket);
      if (path === undefined) return;
      liveSockets.delete(socket);
      await tmux(socket, ['kill-server']).catch(() => undefined); // already gone
      if (path) rmSync(path, { force: true });
    },
  };
  return session;
}
