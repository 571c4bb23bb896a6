// The terminal going away under livepprof (a dropped SSH connection, a killed tmux server): how
// to notice it, and how to let go of it.
//
// Why letting go matters: on every exit Node 20 puts back the tty modes it saw at start, and
// aborts when tcsetattr fails — which it does, with EIO, on a hung-up terminal; the abort then
// crashes printing its backtrace (a segfault in libgcc_s, nodejs/node#51519, fixed in later
// Node by #58200). Node skips a stdio descriptor that no longer refers to the file it saw at
// start, so a process whose terminal is gone points its stdio at /dev/null before it exits.
//
// Noticing: a hung-up terminal answers reads with end-of-file, writes and ioctls with EIO, so
// isatty() turns false on every descriptor that was it. The kernel sends SIGHUP only to the
// session leader; a wrapper shell that traps it (or a supervisor) keeps it from livepprof, so
// the terminal itself is watched too.

import { closeSync, openSync } from 'node:fs';
import { isatty } from 'node:tty';

/** The stdio descriptors that were terminals when livepprof started. */
const STARTED_ON_TTY: readonly number[] = [0, 1, 2].filter((fd) => isatty(fd));

/** How often the terminal is checked when no read or write would notice it going away. */
const PROBE_MS = 250;

/** Was any of `fds` a terminal when livepprof started? */
export function startedOnTerminal(fds: readonly number[] = [0, 1, 2]): boolean {
  return fds.some((fd) => STARTED_ON_TTY.includes(fd));
}

/** A stdio descriptor that was a terminal at start is one no more: the terminal hung up. */
export function terminalGone(): boolean {
  return STARTED_ON_TTY.some((fd) => !isatty(fd));
}

let letGo = false;

/**
 * After the terminal is gone: nothing more is written to it or asked of it, and stdio points at
 * /dev/null (see the top of this file). Safe to call more than once; `stdin` only where the
 * process reads it (touching process.stdin would open it).
 */
export function letGoOfTerminal(stdin?: NodeJS.ReadStream): void {
  if (letGo) return;
  letGo = true;
  for (const out of [process.stdout, process.stderr]) mute(out);
  if (stdin) {
    stdin.on('error', ignore);
    if (stdin.isTTY) stdin.setRawMode = () => stdin;
  }
  for (const fd of STARTED_ON_TTY) pointAtDevNull(fd);
}

/** Writes to `stream` succeed and go nowhere from now on: the reader or the terminal is gone. */
export function mute(stream: NodeJS.WriteStream): void {
  stream.on('error', ignore);
  stream.write = ((_chunk: unknown, encoding?: unknown, callback?: unknown) => {
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }) as typeof stream.write;
}

function ignore(): void {
  // the terminal (or the reader) is gone: nobody to tell
}

function pointAtDevNull(fd: number): void {
  try {
    closeSync(fd);
    const got = openSync('/dev/null', fd === 0 ? 'r' : 'w');
    // Another thread took the slot in between: Node skips it all the same (not the file it saw).
    if (got !== fd) closeSync(got);
  } catch {
    // already closed: Node skips a closed descriptor too
  }
}

/**
 * Calls `onGone` once, soon after the terminal livepprof started on goes away: at once when
 * `stdin` (read by the caller) ends or fails, or a write to `outputs` fails, else within
 * PROBE_MS. Never calls it when no stdio was a terminal at start (cron, CI, `</dev/null >log`).
 * Returns a function that stops watching.
 */
export function watchTerminal(onGone: () => void, o: { stdin?: NodeJS.ReadStream; outputs?: NodeJS.WriteStream[] } = {}): () => void {
  if (STARTED_ON_TTY.length === 0) return () => undefined;
  let fired = false;
  const check = (): void => {
    if (fired || !terminalGone()) return;
    fired = true;
    stop();
    onGone();
  };
  const probe = setInterval(check, PROBE_MS);
  probe.unref(); // never the reason the process stays alive
  const emitters: NodeJS.EventEmitter[] = [...(o.stdin ? [o.stdin] : []), ...(o.outputs ?? [])];
  for (const e of emitters) e.on('error', check);
  o.stdin?.on('end', check);
  const stop = (): void => {
    clearInterval(probe);
    for (const e of emitters) e.off('error', check);
    o.stdin?.off('end', check);
  };
  return stop;
}
