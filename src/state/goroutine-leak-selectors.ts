// The goroutine-leak profile as the Goroutines pane uses it: leaked goroutines per row key,
// computed once per fetched profile.

import { hasGoroutineLeakProfile, leakedCountByKey } from '../analysis/goroutine-leaks.js';
import type { CountProfile } from '../profile/goroutine-text.js';
import type { SessionSnapshot } from '../analysis/session-snapshot.js';

const byProfile = new WeakMap<CountProfile, Map<string, number>>();

/** Leaked goroutines per Goroutines-pane row key; null until the profile was fetched (L). */
export function selectLeakedCounts(data: SessionSnapshot): Map<string, number> | null {
  const leak = data.leakedGoroutines?.profile;
  if (!leak) return null;
  let counts = byProfile.get(leak);
  if (!counts) byProfile.set(leak, (counts = leakedCountByKey(leak)));
  return counts;
}

/** The target serves the goroutine-leak profile (its pprof index lists it). */
export function selectCanFindLeaks(data: SessionSnapshot): boolean {
  return hasGoroutineLeakProfile(data.profiles);
}
