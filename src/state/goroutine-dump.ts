// goroutine?debug=2 for the details of a group. It stops the target's world and can be
// megabytes, so it is fetched only when the user opens a group, one at a time, and a dump a few
// seconds old serves every group opened meanwhile. The fetch is injected: live, it goes to the
// target (and into a recording, with --record); in a replay, it comes from the recording.

import { errorMessage } from '../errors.js';
import { parseGoroutineDebug2 } from '../profile/goroutine-text.js';
import type { Store } from './store.js';

/** How long a dump is reused for the groups opened after it. */
export const DUMP_REUSE_MS = 10_000;

export interface DumpSource {
  /** The dump, and the time it shows (the session's clock: the recorded time in a replay). */
  fetch(): Promise<{ bytes: Uint8Array; at: number }>;
}

/** The loader behind opening a group; `null` for a static profile, which has no goroutines. */
export function goroutineDumpLoader(store: Store, source: DumpSource | null, now: () => number = Date.now): () => void {
  let inFlight = false;
  let fetchedAt = -Infinity;
  return () => {
    if (!source) {
      store.setGoroutineDump({ status: 'error', message: 'a static profile has no live goroutines' });
      return;
    }
    const current = store.getSnapshot().goroutineDump;
    if (inFlight || (current.status === 'ready' && now() - fetchedAt < DUMP_REUSE_MS)) return;
    inFlight = true;
    store.setGoroutineDump({ status: 'loading', since: now() });
    source
      .fetch()
      .then(
        ({ bytes, at }) => {
          fetchedAt = now();
          const parsed = parseGoroutineDebug2(new TextDecoder().decode(bytes));
          store.setGoroutineDump(parsed.ok ? { status: 'ready', value: parsed.value, at } : { status: 'error', message: parsed.error });
        },
        (e: unknown) => store.setGoroutineDump({ status: 'error', message: errorMessage(e) }),
      )
      .finally(() => (inFlight = false));
  };
}
