// How a long-running headless command (watch, record, replay) ends other than by finishing: a
// signal (Ctrl-C, SIGTERM, SIGHUP), the terminal it was started from going away, or the reader
// of its output going away (`| head`). Each stops the poll loop cleanly — the poll in flight
// finishes and is saved — instead of dying mid-write; a second signal exits at once.

import { letGoOfTerminal, mute, terminalGone, watchTerminal } from '../hang-up.js';
import { EXIT, SIGNAL_EXIT, STOP_SIGNALS, type ExitCode } from './exit-codes.js';

/** How long stopping may wait for the poll in flight once asked to stop. */
export const STOP_GRACE_MS = 1_000;

/** Called when the reader of stdout or stderr goes away (EPIPE). See watchOutputs. */
let onOutputClosed: () => void = () => process.exit(EXIT.ok);

/**
 * Installed once at start: a closed output pipe is not an error worth a message. Writes to it
 * stop; a short command exits at once, a polling one stops (see untilEnded).
 */
export function watchOutputs(): void {
  for (const out of [process.stdout, process.stderr]) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') return;
      mute(out);
      onOutputClosed();
    });
  }
}

/**
 * Resolves when `work` does. On a signal, the terminal going away or the output closing, calls
 * `stop` once and still waits for `work` (at most STOP_GRACE_MS after a signal or hang-up).
 * Gives back the code of the signal or hang-up that stopped it, or null when the work ended by
 * itself or because its reader left.
 */
export async function untilEnded(work: Promise<unknown>, stop: () => Promise<void>): Promise<ExitCode | null> {
  let ending: ExitCode | null = null;
  let stopping = false;
  let stopped: () => void = () => undefined;
  const stoppedBySignal = new Promise<void>((resolve) => (stopped = resolve));
  const end = (code: ExitCode | null): void => {
    if (stopping) return;
    stopping = true;
    ending = code;
    // A failure of the work itself is reported through `work`.
    stop().catch(() => undefined);
    if (code !== null) stopped();
  };
  // The signal handlers stay until the process exits: a second SIGHUP (the kernel's, then a
  // terminal multiplexer's) must not kill it halfway through closing; a second Ctrl-C or SIGTERM
  // says to stop waiting.
  for (const signal of STOP_SIGNALS) {
    const code = SIGNAL_EXIT[signal];
    process.on(signal, () => {
      if (terminalGone()) letGoOfTerminal();
      if (!stopping) end(code);
      else if (code !== EXIT.hangUp) process.exit(code);
    });
  }
  const stopWatching = watchTerminal(
    () => {
      letGoOfTerminal();
      end(EXIT.hangUp);
    },
    { outputs: [process.stdout, process.stderr] },
  );
  const previousOnOutputClosed = onOutputClosed;
  onOutputClosed = () => end(null);
  try {
    // After a signal, the poll in flight gets STOP_GRACE_MS to finish: a hung target must not
    // keep a hung-up process alive.
    await Promise.race([work, stoppedBySignal.then(() => within(work, STOP_GRACE_MS))]);
  } finally {
    stopping = true;
    stopWatching();
    onOutputClosed = previousOnOutputClosed;
  }
  return ending;
}

/** Waits for `p`, but at most `ms` (then resolves with undefined). */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
