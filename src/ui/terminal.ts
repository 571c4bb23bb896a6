// Terminal hygiene for the full-screen view. Ink 6 has no alternate-screen option, so we enter
// and leave it ourselves, and restore the terminal (raw mode off, cursor shown, main screen
// back) on every way out: quit, Ctrl-C, SIGTERM, SIGHUP and crashes — after which the error is
// printed as one line on the restored screen.
//
// Two kinds of hang-up: a SIGHUP while the terminal is still there (`kill -HUP`) restores it
// like any signal; the terminal itself going away (a dropped SSH connection, a killed tmux
// server, with or without a SIGHUP reaching us) is noticed on stdin's end-of-file, a failed
// write or a periodic check, and then nothing more is written to it (src/hang-up.ts).
//
// The guard never exits the process itself: it tells the view how it must end, and the view
// stops polling, ends the decoding worker and closes its connections first.

import { letGoOfTerminal, terminalGone, watchTerminal } from '../hang-up.js';

const ENTER_ALT = '\u001b[?1049h\u001b[H';
const LEAVE_ALT = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';
const HIDE_CURSOR = '\u001b[?25l';

export interface TerminalStreams {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
}

/** How the view must end, when something other than the user's `q` ends it. */
export interface Ending {
  /** The exit code (the signal's, 129 for a hang-up, 70 for a crash). */
  code: number;
  /** The crash, for its one-line message. */
  error?: unknown;
}

/** The signals the view ends on, and their exit codes (the cli's table, given by the caller). */
export type SignalCodes = Partial<Record<NodeJS.Signals, number>>;

export class TerminalGuard {
  private active = false;
  private gone = false;
  private ending = false;
  private stopWatching: () => void = () => undefined;
  private readonly handlers: Array<[string, (...args: unknown[]) => void]> = [];

  constructor(
    private readonly io: TerminalStreams,
    private readonly codes: { signals: SignalCodes; hangUp: number; crash: number },
    /** Called once, on a signal, a hang-up or a crash: the view then ends with this code. */
    private readonly onEnd: (ending: Ending) => void,
  ) {}

  /** Has the terminal gone away (nothing may be written to it)? */
  get hungUp(): boolean {
    return this.gone;
  }

  enter(): void {
    if (this.active) return;
    this.active = true;
    this.io.stdout.write(ENTER_ALT + HIDE_CURSOR);
    this.on('exit', () => this.restore());
    // The signal handlers stay until the process exits: a second SIGHUP (the kernel's, then
    // tmux's) must not kill it halfway through closing, a second Ctrl-C from outside ends it.
    for (const [signal, code] of Object.entries(this.codes.signals)) {
      process.on(signal, () => (terminalGone() || code === this.codes.hangUp ? this.hangUp(code) : this.end({ code })));
    }
    this.on('uncaughtException', (e) => this.end({ code: this.codes.crash, error: e }));
    this.on('unhandledRejection', (e) => this.end({ code: this.codes.crash, error: e }));
    this.stopWatching = watchTerminal(() => this.hangUp(), { stdin: this.io.stdin, outputs: [this.io.stdout, this.io.stderr] });
  }

  private on(event: string, handler: (...args: unknown[]) => void): void {
    process.on(event as 'exit', handler);
    this.handlers.push([event, handler]);
  }

  /** Puts the terminal back as it was, unless it has gone. Safe to call more than once. */
  restore(): void {
    if (this.active && !this.gone && !terminalGone()) {
      try {
        if (this.io.stdin.isTTY && this.io.stdin.isRaw) this.io.stdin.setRawMode(false);
      } catch {
        // stdin already closed: nothing to restore there
      }
      try {
        this.io.stdout.write(SHOW_CURSOR + LEAVE_ALT);
      } catch {
        // stdout gone with the terminal
      }
    }
    this.active = false;
    this.stopWatching();
    for (const [event, handler] of this.handlers) process.off(event as 'exit', handler);
    this.handlers.length = 0;
  }

  /** A SIGHUP, or the terminal gone (then nothing more is written to it). Once is enough. */
  private hangUp(code = this.codes.hangUp): void {
    if (terminalGone() && !this.gone) {
      this.gone = true;
      letGoOfTerminal(this.io.stdin);
    }
    if (!this.ending) this.end({ code });
    // A SIGTERM or Ctrl-C from outside while the view winds down after a hang-up: stop waiting
    // (a second SIGHUP is the kernel's and tmux's, and must not cut the winding down short).
    else if (code !== this.codes.hangUp) process.exit(code);
  }

  private end(ending: Ending): void {
    if (this.ending) {
      // Asked again while the view winds down (a second Ctrl-C from outside): stop waiting.
      if (ending.error === undefined) process.exit(ending.code);
      return;
    }
    this.ending = true;
    this.onEnd(ending);
  }
}
