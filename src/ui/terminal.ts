// Terminal hygiene for the full-screen view. Ink 6 has no alternate-screen option, so we enter
// and leave it ourselves, and restore the terminal (raw mode off, cursor shown, main screen
// back) on every way out: quit, Ctrl-C, SIGTERM, SIGHUP (the SSH session dropped) and crashes
// — after which the error is printed as one line on the restored screen.

const ENTER_ALT = '\u001b[?1049h\u001b[H';
const LEAVE_ALT = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';
const HIDE_CURSOR = '\u001b[?25l';

export interface TerminalStreams {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
}

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGTERM: 143, SIGHUP: 129, SIGINT: 130, SIGQUIT: 131 };

export class TerminalGuard {
  private active = false;
  private readonly handlers: Array<[string, (...args: unknown[]) => void]> = [];

  constructor(
    private readonly io: TerminalStreams,
    /** Called before the process exits on a signal or crash (stop polling, unmount). */
    private readonly beforeExit: () => void = () => undefined,
  ) {}

  enter(): void {
    if (this.active) return;
    this.active = true;
    this.io.stdout.write(ENTER_ALT + HIDE_CURSOR);
    this.on('exit', () => this.restore());
    for (const [sig, code] of Object.entries(SIGNAL_EXIT) as Array<[NodeJS.Signals, number]>) {
      this.on(sig, () => this.die(code, null));
    }
    this.on('uncaughtException', (e) => this.die(70, e));
    this.on('unhandledRejection', (e) => this.die(70, e));
  }

  private on(event: string, handler: (...args: unknown[]) => void): void {
    process.on(event as 'exit', handler);
    this.handlers.push([event, handler]);
  }

  /** Puts the terminal back as it was. Safe to call more than once. */
  restore(): void {
    if (!this.active) return;
    this.active = false;
    try {
      if (this.io.stdin.isTTY && this.io.stdin.isRaw) this.io.stdin.setRawMode(false);
    } catch {
      // stdin already closed (SSH hang-up): nothing to restore there
    }
    try {
      this.io.stdout.write(SHOW_CURSOR + LEAVE_ALT);
    } catch {
      // stdout gone with the terminal
    }
    for (const [event, handler] of this.handlers) process.off(event as 'exit', handler);
    this.handlers.length = 0;
  }

  private die(code: number, error: unknown): void {
    try {
      this.beforeExit();
    } catch {
      // exiting anyway
    }
    this.restore();
    if (error !== null) {
      const message = error instanceof Error ? error.message : String(error);
      try {
        this.io.stderr.write(`livepprof: crashed: ${message.split('\n')[0]} (this is a bug; LIVEPPROF_DEBUG=1 shows details)\n`);
        if (process.env.LIVEPPROF_DEBUG && error instanceof Error && error.stack) this.io.stderr.write(error.stack + '\n');
      } catch {
        // no terminal left to tell
      }
    }
    process.exit(code);
  }
}
