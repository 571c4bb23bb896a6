// The exit codes of every command, in one table: scripts and supervisors branch on them, and the
// README's table is generated from this one (test/cli/exit-codes.test.ts keeps them equal).

export const EXIT = {
  ok: 0,
  targetFailed: 1,
  usage: 2,
  somePollsFailed: 3,
  internal: 70,
  hangUp: 129,
  interrupted: 130,
  quit: 131,
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The signals a command stops cleanly on, and the code it then exits with (128 + the number). */
export const SIGNAL_EXIT = {
  SIGHUP: EXIT.hangUp,
  SIGINT: EXIT.interrupted,
  SIGQUIT: EXIT.quit,
  SIGTERM: EXIT.terminated,
} as const satisfies Partial<Record<NodeJS.Signals, ExitCode>>;

export type StopSignal = keyof typeof SIGNAL_EXIT;
export const STOP_SIGNALS = Object.keys(SIGNAL_EXIT) as StopSignal[];

/** What each code means, for the README. */
export const EXIT_CODE_DOCS: ReadonlyArray<{ code: ExitCode; when: string }> = [
  { code: EXIT.ok, when: 'done: every poll of `watch`/`record`/`replay` succeeded, `top` printed, the view was quit; also when the reader of the output went away (`watch --json | head -1`)' },
  { code: EXIT.targetFailed, when: 'the target or input failed: nothing to read, not a profile, refused, timed out, …; for `watch`/`record`/`replay`: no poll succeeded' },
  { code: EXIT.usage, when: 'bad command line, or the full-screen view without a terminal' },
  { code: EXIT.somePollsFailed, when: '`watch`/`record`/`replay`: some polls succeeded and some failed (the output says which; `--json` lines have `"ok": false`)' },
  { code: EXIT.internal, when: 'a bug in livepprof (one line says so; `LIVEPPROF_DEBUG=1` shows the stack)' },
  { code: EXIT.hangUp, when: 'hang-up: SIGHUP, or the terminal went away (a dropped SSH connection, a killed tmux server); polling stopped, connections closed' },
  { code: EXIT.interrupted, when: 'SIGINT (Ctrl-C on `watch`/`record`; in the full-screen view Ctrl-C is a key and quits with 0)' },
  { code: EXIT.quit, when: 'SIGQUIT' },
  { code: EXIT.terminated, when: 'SIGTERM' },
];

/** The code for a run of polls that ended by itself (count reached, or the output closed). */
export function pollsExitCode(ok: number, failed: number): ExitCode {
  if (failed === 0) return EXIT.ok;
  return ok === 0 ? EXIT.targetFailed : EXIT.somePollsFailed;
}

/** The README's exit-code table (between its exit-codes markers). */
export function exitCodeTableMarkdown(): string {
  return ['| code | when |', '|---|---|', ...EXIT_CODE_DOCS.map((d) => `| ${d.code} | ${d.when.replace(/\|/g, '\\|')} |`)].join('\n');
}
