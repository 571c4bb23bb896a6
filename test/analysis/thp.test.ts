// Transparent huge pages in the RSS breakdown and the THP finding. This machine's THP mode is
// `madvise`, where Go ≥ 1.21.4 never gets huge pages and go1.21.0's heap in huge pages leaves no
// gap (test/e2e/thp-live.test.ts shows both live), so the case where huge pages hold released
// heap is built here from smaps_rollup text in the kernel's documented format
// (Documentation/filesystems/proc.rst: one "Field: N kB" line per field, as in smaps).

import { describe, expect, it } from 'vitest';
import { memoryBreakdown } from '../../src/analysis/memory.js';
import { emptyRecord, type PollRecord } from '../../src/analysis/poll-record.js';
import { goRelease, thpFinding, THP_MIN_BYTES } from '../../src/analysis/thp.js';
import { parseSmapsRollup } from '../../src/source/parse-proc.js';

const MiB = 2 ** 20;
const KiB = 1024;

/** smaps_rollup in the documented layout (fields in the kernel's order, values in kB). */
function smapsRollup(kB: { rss: number; anonymous: number; lazyFree?: number; anonHugePages: number }): string {
  const f = (name: string, v: number) => `${`${name}:`.padEnd(16)}${String(v).padStart(8)} kB`;
  return [
    '00400000-7fff9a5ff000 ---p 00000000 00:00 0                              [rollup]',
    f('Rss', kB.rss), f('Pss', kB.rss), f('Pss_Dirty', kB.anonymous), f('Pss_Anon', kB.anonymous), f('Pss_File', kB.rss - kB.anonymous), f('Pss_Shmem', 0),
    f('Shared_Clean', 0), f('Shared_Dirty', 0), f('Private_Clean', kB.rss - kB.anonymous), f('Private_Dirty', kB.anonymous), f('Referenced', kB.rss),
    f('Anonymous', kB.anonymous), f('KSM', 0), f('LazyFree', kB.lazyFree ?? 0), f('AnonHugePages', kB.anonHugePages), f('ShmemPmdMapped', 0), f('FilePmdMapped', 0),
    f('Shared_Hugetlb', 0), f('Private_Hugetlb', 0), f('Swap', 0), f('SwapPss', 0), f('Locked', 0),
    '',
  ].join('\n');
}

/** A poll: RSS from /proc, the MemStats a Go service reports, LazyFree and AnonHugePages from smaps_rollup. */
function poll(o: { heapInuse: number; heapIdle: number; heapReleased: number; stackSys: number; runtimeSys: number; fileRss: number; smaps: string; godebug?: string }): PollRecord {
  const smaps = parseSmapsRollup(o.smaps);
  const r = emptyRecord(1, 0);
  return {
    ...r,
    rss: smaps.rss,
    rssSource: 'proc',
    rssAnon: smaps.anonymous,
    rssFile: o.fileRss,
    lazyFree: smaps.lazyFree,
    anonHugePages: smaps.anonHugePages,
    memstatsSource: 'metrics',
    heapInuse: o.heapInuse,
    heapIdle: o.heapIdle,
    heapReleased: o.heapReleased,
    heapSys: o.heapInuse + o.heapIdle,
    stackSys: o.stackSys,
    runtimeSys: o.runtimeSys,
    sys: o.heapInuse + o.heapIdle + o.stackSys + o.runtimeSys,
    godebug: o.godebug ?? null,
  };
}

// A service after a burst: 20 MiB of heap in use, 300 MiB released, yet 230 MiB of anonymous
// RSS of which 200 MiB in huge pages (khugepaged filled released ranges back in).
const heldBack = () =>
  poll({
    heapInuse: 20 * MiB, heapIdle: 302 * MiB, heapReleased: 300 * MiB, stackSys: 1 * MiB, runtimeSys: 9 * MiB, fileRss: 6 * MiB,
    smaps: smapsRollup({ rss: 236 * 1024, anonymous: 230 * 1024, anonHugePages: 200 * 1024 }),
  });

const part = (r: PollRecord, key: string) => memoryBreakdown(r).parts.find((p) => p.key === key)!;

describe('huge pages in the RSS breakdown', () => {
  it('reads AnonHugePages from documented smaps_rollup text', () => {
    const r = heldBack();
    expect(r.anonHugePages).toBe(200 * 1024 * KiB);
    expect(memoryBreakdown(r).hugePages).toEqual({ bytes: 200 * MiB, source: 'smaps_rollup' });
  });

  it('shows released heap held by huge pages as its own part, labelled, taken off "not Go"; the parts still add up to RSS', () => {
    const r = heldBack();
    const b = memoryBreakdown(r);
    // Go accounts for 20 + 2 + 1 + 9 = 32 MiB; the anonymous RSS beyond it is 230 − 32 = 198 MiB.
    expect(part(r, 'thp')).toMatchObject({ key: 'thp', label: 'huge pages', bytes: 198 * MiB, source: 'smaps_rollup' });
    expect(part(r, 'thp').meaning).toMatch(/transparent huge pages .*AnonHugePages of smaps_rollup/);
    // Nothing is left outside Go; the binary's file pages are their own part.
    expect(part(r, 'other').bytes).toBe(0);
    expect(part(r, 'file').bytes).toBe(6 * MiB);
    expect(b.parts.reduce((n, p) => n + (p.bytes ?? 0), 0)).toBe(r.rss);
  });

  it('a heap legitimately in huge pages leaves no such part (nothing unexplained)', () => {
    // go1.21.0 madvises its heap: 140 MiB in use, all in huge pages, RSS matches Go's figures.
    const r = poll({
      heapInuse: 140 * MiB, heapIdle: 3 * MiB, heapReleased: 2 * MiB, stackSys: 1 * MiB, runtimeSys: 6 * MiB, fileRss: 4 * MiB,
      smaps: smapsRollup({ rss: 150 * 1024, anonymous: 146 * 1024, anonHugePages: 138 * 1024 }),
    });
    expect(part(r, 'thp').bytes).toBe(0);
    expect(memoryBreakdown(r).hugePages.bytes).toBe(138 * MiB);
    expect(thpFinding(r, 'go1.21.0')).toBeNull();
  });

  it('without smaps_rollup the part is unknown and the remainder is left alone', () => {
    const r = { ...heldBack(), anonHugePages: null };
    expect(part(r, 'thp')).toMatchObject({ bytes: null, source: 'unknown' });
    expect(part(r, 'other').bytes).toBe(198 * MiB);
    expect(memoryBreakdown(r).hugePages).toEqual({ bytes: null, source: 'unknown' });
  });
});

describe('thpFinding: when huge pages account for the RSS gap, and the fix', () => {
  it('explains the gap with the figures and their source', () => {
    const f = thpFinding(heldBack(), 'go1.22.12')!;
    expect(f).toMatchObject({ heldBytes: 198 * MiB, hugePageBytes: 200 * MiB, unexplainedBytes: 198 * MiB });
    expect(f.evidence).toBe(
      '200MB of RSS is in transparent huge pages (AnonHugePages, smaps_rollup); up to 198MB of it is heap Go released (HeapReleased 300MB) that huge pages keep resident.',
    );
  });

  it('fits the fix to the Go version', () => {
    const fix = (v: string | null) => thpFinding(heldBack(), v)!.suggestion;
    expect(fix('go1.22.12')).toMatch(/^Set GODEBUG=disablethp=1 .*max_ptes_none to 0 and transparent_hugepage\/defrag to defer or defer\+madvise/);
    expect(fix('go1.21.6')).toMatch(/^Set GODEBUG=disablethp=1/);
    expect(fix('go1.21.5')).toMatch(/^Upgrade to Go ≥ 1\.21\.6 and set GODEBUG=disablethp=1/);
    expect(fix('go1.21.3')).toMatch(/^Upgrade Go: 1\.21\.4 stops asking for huge pages/);
    expect(thpFinding(heldBack(), 'go1.21.0')!.evidence).toMatch(/Go go1\.21\.0 asks the kernel for huge pages on its heap\.$/);
    expect(fix('go1.19.8')).toMatch(/^Go go1\.19\.8 has no GODEBUG for this: on the host, set .*max_ptes_none to 0/);
    expect(fix(null)).toMatch(/^If it runs Go ≥ 1\.21\.6, set GODEBUG=disablethp=1/);
  });

  it('stays silent when huge pages explain little of the gap (cgo memory, say), or too little to matter', () => {
    // 200 MiB unexplained, 20 MiB in huge pages: something else holds the memory.
    const cgo = poll({
      heapInuse: 20 * MiB, heapIdle: 302 * MiB, heapReleased: 300 * MiB, stackSys: 1 * MiB, runtimeSys: 9 * MiB, fileRss: 6 * MiB,
      smaps: smapsRollup({ rss: 236 * 1024, anonymous: 230 * 1024, anonHugePages: 20 * 1024 }),
    });
    expect(thpFinding(cgo, 'go1.22.12')).toBeNull();
    // Then the memory stays "not Go", where the non-Go verdict judges it.
    expect(part(cgo, 'thp').bytes).toBe(0);
    expect(part(cgo, 'other').bytes).toBe(198 * MiB);
    const small = poll({
      heapInuse: 20 * MiB, heapIdle: 302 * MiB, heapReleased: 300 * MiB, stackSys: 1 * MiB, runtimeSys: 9 * MiB, fileRss: 6 * MiB,
      smaps: smapsRollup({ rss: 46 * 1024, anonymous: 40 * 1024, anonHugePages: 10 * 1024 }),
    });
    expect(Math.min(small.anonHugePages!, small.rssAnon! - 32 * MiB)).toBeLessThan(THP_MIN_BYTES);
    expect(thpFinding(small, 'go1.22.12')).toBeNull();
    expect(part(small, 'thp').bytes).toBe(0);
  });

  it('stays silent when GODEBUG=disablethp=1 already keeps the heap off huge pages, or AnonHugePages is unknown', () => {
    expect(thpFinding({ ...heldBack(), godebug: 'madvdontneed=1,disablethp=1' }, 'go1.22.12')).toBeNull();
    expect(thpFinding({ ...heldBack(), godebug: 'disablethp=0' }, 'go1.22.12')).not.toBeNull();
    expect(thpFinding({ ...heldBack(), anonHugePages: null }, 'go1.22.12')).toBeNull();
  });
});

describe('goRelease', () => {
  it('reads the release runtime.Version() and go_info print', () => {
    expect(goRelease('go1.21.3')).toEqual([1, 21, 3]);
    expect(goRelease('go1.19')).toEqual([1, 19, 0]);
    expect(goRelease('go1.26.8 X:goroutineleakprofile')).toEqual([1, 26, 8]);
    expect(goRelease('go1.21rc2')).toBeNull();
    expect(goRelease('devel go1.27-4b2a1c3 Mon Jan 5')).toBeNull();
    expect(goRelease(null)).toBeNull();
  });
});
