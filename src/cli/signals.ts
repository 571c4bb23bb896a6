// Ctrl-C / SIGTERM / SIGHUP during a long-running command: stop cleanly (finish the poll in
// flight, flush what was asked to be saved) instead of dying mid-write.

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Resolves with `work`; on a signal, calls `stop` once and still waits for `work`. */
export async function untilSignal<T>(work: Promise<T>, stop: () => Promise<void>): Promise<T> {
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(130); // a second Ctrl-C: give up waiting
    stopping = true;
    // A failure of the work itself is reported through `work`.
    stop().catch(() => undefined);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    return await work;
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}
