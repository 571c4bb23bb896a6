// The goroutine-leak profile (Go 1.26 built with GOEXPERIMENT=goroutineleakprofile; on by
// default from Go 1.27): goroutines blocked on something no running goroutine can reach, proved
// by a leak-detecting GC that each fetch of the profile runs in the target. Where the plain
// goroutine count only suggests a leak by growing, this names the leaked goroutines outright.

import type { CountProfile } from '../profile/goroutine-text.js';
import { goroutineRows, type GoroutineGroupRow } from './goroutines.js';

/** The pprof index entry that serves the profile (`/debug/pprof/goroutineleak`). */
export const GOROUTINE_LEAK_PROFILE = 'goroutineleak';

/** Does the target's pprof index list the goroutine-leak profile? */
export function hasGoroutineLeakProfile(profiles: ReadonlyArray<{ name: string }>): boolean {
  return profiles.some((p) => p.name === GOROUTINE_LEAK_PROFILE);
}

/** One group of leaked goroutines: same stack and labels (the same key as a Goroutines pane row). */
export type LeakedGroup = Omit<GoroutineGroupRow, 'delta'>;

/** The profile's groups, largest first, keyed like the Goroutines pane's rows (goroutineRows). */
export function leakedGroups(leak: CountProfile): LeakedGroup[] {
  return goroutineRows(leak, null).map(({ delta: _delta, ...group }) => group);
}

/** Leaked goroutines per Goroutines-pane row key. */
export function leakedCountByKey(leak: CountProfile): Map<string, number> {
  return new Map(leakedGroups(leak).map((g) => [g.key, g.count]));
}
