// Flat value per function for every sample type, in one pass over the samples: flat is the
// value of the samples whose leaf is the function, so only the innermost frame matters. Cheap
// enough to keep one per heap profile for the per-row sparklines.

import type { Profile } from '../profile/model.js';

/** name → flat per sample type (index as in p.sampleTypes). */
export type FlatSummary = Map<string, Float64Array>;

/** Only the `limit` heaviest by the last type are kept. */
export function flatByFunction(p: Profile, limit = 300): FlatSummary {
  const { count, nTypes, values, stackStart, locIndex } = p.samples;
  const leafName: string[] = p.locations.map((loc) => {
    const ln = loc.lines[0];
    return ln?.fn?.name ?? '';
  });
  const byName = new Map<string, Float64Array>();
  for (let i = 0; i < count; i++) {
    if (stackStart[i + 1] === stackStart[i]) continue;
    const name = leafName[locIndex[stackStart[i]!]!]!;
    let acc = byName.get(name);
    if (!acc) byName.set(name, (acc = new Float64Array(nTypes)));
    for (let t = 0; t < nTypes; t++) acc[t]! += values[i * nTypes + t]!;
  }
  if (byName.size <= limit) return byName;
  const last = nTypes - 1;
  const kept = [...byName.entries()].sort((a, b) => Math.abs(b[1][last]!) - Math.abs(a[1][last]!)).slice(0, limit);
  return new Map(kept);
}
