// What the goroutine-leak profile adds to the Goroutines pane: a note in the header (available,
// or how many leaked as of when), a "leaked" tag on the groups it names, and lines in a group's
// details. Kept apart from goroutines-view.ts, which only calls these.

import { formatClock } from '../../analysis/format.js';
import type { GroupDumpSummary } from '../../analysis/goroutines.js';
import type { SessionSnapshot } from '../../analysis/session-snapshot.js';
import { selectCanFindLeaks, selectLeakedCounts } from '../../state/goroutine-leak-selectors.js';
import type { Line, Segment } from '../lines.js';
import { seg } from '../lines.js';
import type { Theme } from '../theme.js';

/** The tag before the function of a row the profile names (text, not only colour). */
export const LEAKED_TAG = 'leaked ';

/** ` · 6 leaked as of 20:40:01` once fetched; ` · L finds leaked` where the target can tell; else nothing. */
export function leakHeaderSegments(data: SessionSnapshot, theme: Theme): Segment[] {
  const leak = data.leakedGoroutines;
  if (leak) {
    const n = leak.profile.total;
    return [seg(` · ${n} leaked`, { color: n > 0 ? theme.bad : theme.good, bold: n > 0 }), seg(` as of ${formatClock(leak.time)}`, { color: theme.dim })];
  }
  return selectCanFindLeaks(data) ? [seg(' · L finds leaked', { color: theme.accent })] : [];
}

/** How many goroutines of the row with this key the profile proved leaked (0: none, or not fetched). */
export function leakedInRow(data: SessionSnapshot, key: string): number {
  return selectLeakedCounts(data)?.get(key) ?? 0;
}

/** The details' line from the goroutine-leak profile: how many of this group leaked, as of when. */
export function leakProfileLines(data: SessionSnapshot, key: string, theme: Theme): Line[] {
  const leak = data.leakedGoroutines;
  if (!leak) return [];
  const n = leakedInRow(data, key);
  if (n === 0) return [[seg(`none leaked as of ${formatClock(leak.time)} (goroutine-leak profile)`, { color: theme.dim })]];
  return [[seg(`${n} leaked`, { bold: true, color: theme.bad }), seg(` (goroutine-leak profile as of ${formatClock(leak.time)}): nothing can ever wake them`)]];
}

/** From goroutine?debug=2: the members marked (leaked), and the labels in their headers (GODEBUG=tracebacklabels=1). */
export function dumpLeakAndLabelLines(sum: GroupDumpSummary, theme: Theme): Line[] {
  const out: Line[] = [];
  if (sum.leaked > 0) out.push([seg(`  ${sum.leaked} marked (leaked)`, { color: theme.bad })]);
  if (sum.labelSets.length === 0) return out;
  out.push([seg('  labels in their headers:', { color: theme.dim })]);
  for (const s of sum.labelSets.slice(0, 5)) {
    out.push([seg(`    ${s.n} × `), seg(Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(' '))]);
  }
  if (sum.labelSets.length > 5) out.push([seg(`    … ${sum.labelSets.length - 5} more label sets`, { color: theme.dim })]);
  return out;
}
