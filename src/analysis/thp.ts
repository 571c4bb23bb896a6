// Transparent huge pages as a cause of RSS that Go's own figures do not explain. With huge pages
// the kernel backs whole 2 MB pages: a fault in a huge-page region, or khugepaged collapsing a
// range (khugepaged/max_ptes_none at its default, 511, lets it fill in up to 511 missing 4 kB
// pages), brings back memory Go had released, which Go keeps counting as released (HeapReleased).
// Go 1.21.0–1.21.3 asked for huge pages on its heap itself; later releases do not, but with the
// host's THP mode `always` every anonymous mapping gets them. The fixes are Go's
// (GODEBUG=disablethp=1, Go ≥ 1.21.6) or the host's (the Go GC guide's THP settings).

import { formatBytes } from './format.js';
import { nonGoBytes } from './gc-model.js';
import type { PollRecord } from './poll-record.js';

/** Below this, huge pages holding released memory is noise (8 huge pages). */
export const THP_MIN_BYTES = 16 * 2 ** 20;
/** Huge pages must explain at least this share of the RSS Go does not account for. */
export const THP_MIN_SHARE = 0.5;

export interface ThpFinding {
  /** Released heap that huge pages hold resident (an upper bound; the breakdown's `thp` part, taken off its `not Go`). */
  heldBytes: number;
  /** All anonymous memory in huge pages (smaps_rollup AnonHugePages). */
  hugePageBytes: number;
  /** The anonymous RSS Go's figures do not explain (nonGoBytes), which heldBytes is part of. */
  unexplainedBytes: number;
  /** One sentence with the figures and where they come from. */
  evidence: string;
  /** What to do, for this Go version. */
  suggestion: string;
}

/** `go1.21.3`, `go1.22`, `go1.26.8 X:goroutineleakprofile` → [1, 21, 3]; null when not a release. */
export function goRelease(version: string | null): [number, number, number] | null {
  const m = version ? /^go(\d+)\.(\d+)(?:\.(\d+))?(?![\w.])/.exec(version) : null;
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

const atLeast = (v: [number, number, number], minor: number, patch: number) => v[0] > 1 || v[1] > minor || (v[1] === minor && v[2] >= patch);

const HOST_FIX =
  'on the host, set /sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none to 0 and transparent_hugepage/defrag to defer or defer+madvise (the Go GC guide\'s THP settings)';

/** The fix that fits the target's Go version. */
function thpSuggestion(goVersion: string | null): string {
  const v = goRelease(goVersion);
  if (!v) return `If it runs Go ≥ 1.21.6, set GODEBUG=disablethp=1 (keeps the Go heap off huge pages); otherwise ${HOST_FIX}`;
  if (!atLeast(v, 21, 0)) return `Go ${goVersion} has no GODEBUG for this: ${HOST_FIX}`;
  if (!atLeast(v, 21, 4)) return `Upgrade Go: 1.21.4 stops asking for huge pages on the heap, and from 1.21.6 GODEBUG=disablethp=1 keeps the heap off them; or ${HOST_FIX}`;
  if (!atLeast(v, 21, 6)) return `Upgrade to Go ≥ 1.21.6 and set GODEBUG=disablethp=1 (keeps the Go heap off huge pages); or ${HOST_FIX}`;
  return `Set GODEBUG=disablethp=1 (keeps the Go heap off huge pages); or ${HOST_FIX}`;
}

/**
 * Do transparent huge pages account for the RSS gap of this poll? The gap is the anonymous memory
 * Go does not account for (gc-model.ts nonGoBytes); huge pages can hold at most AnonHugePages of
 * it, and only memory Go released (HeapReleased). They account for it when that bound is at least
 * THP_MIN_BYTES and THP_MIN_SHARE of the gap. Null when they do not, when AnonHugePages or the
 * MemStats are unknown, or when GODEBUG=disablethp=1 already keeps the heap off huge pages.
 * An upper bound: cgo memory in huge pages looks the same (named mappings tell them apart).
 */
export function thpHolds(r: PollRecord): { heldBytes: number; unexplainedBytes: number } | null {
  if (r.anonHugePages === null || r.heapReleased === null) return null;
  if (/(^|,)\s*disablethp=1\s*(,|$)/.test(r.godebug ?? '')) return null;
  const gap = nonGoBytes(r);
  if (gap === null || gap <= 0) return null;
  const held = Math.min(gap, r.anonHugePages, r.heapReleased);
  if (held < THP_MIN_BYTES || held < THP_MIN_SHARE * gap) return null;
  return { heldBytes: held, unexplainedBytes: gap };
}

/** thpHolds, said: the evidence with its figures and source, and the fix for this Go version. */
export function thpFinding(r: PollRecord, goVersion: string | null): ThpFinding | null {
  const holds = thpHolds(r);
  if (!holds || r.anonHugePages === null || r.heapReleased === null) return null;
  const v = goRelease(goVersion);
  const asked = v && atLeast(v, 21, 0) && !atLeast(v, 21, 4) ? ` Go ${goVersion} asks the kernel for huge pages on its heap.` : '';
  return {
    ...holds,
    hugePageBytes: r.anonHugePages,
    evidence:
      `${formatBytes(r.anonHugePages)} of RSS is in transparent huge pages (AnonHugePages, smaps_rollup); up to ` +
      `${formatBytes(holds.heldBytes)} of it is heap Go released (HeapReleased ${formatBytes(r.heapReleased)}) that huge pages keep resident.${asked}`,
    suggestion: thpSuggestion(goVersion),
  };
}
