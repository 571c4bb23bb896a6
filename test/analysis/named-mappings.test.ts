// Named mappings (Go ≥ 1.25 names its mappings; the kernel prints `[anon:NAME]` with
// CONFIG_ANON_VMA_NAME). This machine's kernel lacks that option, so the named smaps here is
// fixtures/smaps/go126-named.smaps.txt: the real smaps of the Go 1.26 fixture target (32 MiB of
// retained heap, 48 MiB mmapped behind Go's back) with the names the runtime asked for applied
// in the kernel's documented format (how: capture-named.mjs there). Its /truth and /metrics are
// of the same moment.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namedMappingSplit, nonGoEvidence, smapsFullDue, SMAPS_FULL_MIN_INTERVAL_MS } from '../../src/analysis/named-mappings.js';
import { isSmapsLineUsed, parseSmaps, parseSmapsRollup } from '../../src/source/parse-proc.js';
import { REPO_ROOT } from '../helpers/paths.js';

const fixture = (name: string) => readFileSync(join(REPO_ROOT, 'fixtures/smaps', name), 'utf8');
const smaps = fixture('go126-named.smaps.txt');
const truth = JSON.parse(fixture('go126-named.truth.json')) as { rssBytes: number; rssAnonBytes: number; sys: number; heapReleased: number; heapInuse: number; mmapBytes: number };
const MiB = 2 ** 20;
const KiB = 1024;

describe('parseSmaps', () => {
  const mappings = parseSmaps(smaps);

  it('reads every mapping with its name and counters; they add up to the process RSS of that moment', () => {
    expect(mappings).toHaveLength(smaps.split('\n').filter((l) => /^[0-9a-f]+-[0-9a-f]+ /.test(l)).length);
    const heap = mappings.find((m) => m.pathname === '[anon: Go: heap]')!;
    expect(heap).toMatchObject({ perms: 'rw-p', inode: 0, size: 45056 * KiB, rss: 34312 * KiB, lazyFree: 0, anonHugePages: 0, swap: 0 });
    expect(mappings.find((m) => m.pathname === '[vsyscall]')).toMatchObject({ start: 'ffffffffff600000', end: 'ffffffffff601000' });
    const rss = mappings.reduce((n, m) => n + (m.rss ?? 0), 0);
    // /truth read VmRSS a moment after smaps: within 1%.
    expect(Math.abs(rss - truth.rssBytes) / truth.rssBytes).toBeLessThan(0.01);
  });

  it('reads the same from the lines the fetcher keeps (a quarter of the text)', () => {
    const used = smaps.split('\n').filter(isSmapsLineUsed).join('\n');
    expect(used.length).toBeLessThan(smaps.length / 2);
    expect(parseSmaps(used)).toEqual(mappings);
  });

  it('skips garbage, unknown fields and fields before any header', () => {
    const text = ['Rss: 4 kB', 'not a mapping', '00400000-00401000 r-xp 00000000 fe:00 12 /bin/with space (deleted)', 'Rss: 8 kB', 'FancyNew: 3 kB', 'VmFlags: rd ex', 'THPeligible: 0'].join('\n');
    expect(parseSmaps(text)).toEqual([
      { start: '00400000', end: '00401000', perms: 'r-xp', inode: 12, pathname: '/bin/with space (deleted)', size: null, rss: 8 * KiB, anonymous: null, lazyFree: null, anonHugePages: null, swap: null },
    ]);
  });
});

describe('namedMappingSplit on named smaps', () => {
  const split = namedMappingSplit(parseSmaps(smaps));

  it('splits RSS exactly into Go\'s mappings and the rest, naming Go\'s parts', () => {
    expect(split.named).toBe(true);
    expect(split.go.rss + split.nonGo.rss).toBe(parseSmaps(smaps).reduce((n, m) => n + (m.rss ?? 0), 0));
    expect(split.go.byName[0]).toMatchObject({ name: 'heap', mappings: 1 });
    // The heap mapping holds the heap in use (32 MiB retained + the rest of the live heap).
    expect(split.go.byName[0]!.rss).toBeGreaterThanOrEqual(truth.heapInuse * 0.8);
    expect(split.go.byName.map((u) => u.name)).toEqual(expect.arrayContaining(['immortal metadata', 'gc bits', 'page alloc', 'heap index']));
    // Go's resident memory is within what MemStats says it obtained and kept (Sys − HeapReleased).
    expect(split.go.rss).toBeLessThanOrEqual(truth.sys - truth.heapReleased);
    expect(split.go.rss).toBeGreaterThan(0.7 * (truth.sys - truth.heapReleased));
  });

  it('names the biggest non-Go mapping: the 48 MiB the target mmapped behind Go\'s back, every page of it', () => {
    expect(split.biggestNonGo[0]).toEqual({ name: expect.stringMatching(/^anonymous [0-9a-f]+$/), rss: truth.mmapBytes, anonymous: truth.mmapBytes, mappings: 1 });
    expect(truth.mmapBytes).toBe(48 * MiB);
    // The binary's .bss and the main thread's stack are the other anonymous non-Go memory.
    expect(split.biggestNonGo.map((u) => u.name)).toEqual(expect.arrayContaining([expect.stringMatching(/\/target \(bss\)$/), '[stack]']));
    expect(split.nonGo.anonymous).toBeGreaterThanOrEqual(truth.mmapBytes);
    expect(split.nonGo.anonymous + split.go.rss).toBe(parseSmaps(smaps).reduce((n, m) => n + (m.anonymous ?? 0), 0));
  });

  it('says it in one evidence line, with the source', () => {
    expect(nonGoEvidence(split)).toMatch(/^\d+(\.\d+)?MB of anonymous memory is outside Go's named mappings \(smaps\): anonymous [0-9a-f]+ 48\.0MB, \S+\/target \(bss\) \S+, /);
    expect(nonGoEvidence(namedMappingSplit(parseSmaps(smaps.replace(/\[anon:[^\]\n]*\]/g, ''))))).toBeNull();
  });

  it('keeps the top N', () => {
    expect(namedMappingSplit(parseSmaps(smaps), 2).biggestNonGo).toHaveLength(2);
  });
});

describe('namedMappingSplit where nothing is named', () => {
  it('says so on this machine\'s own smaps (no Go names: not exact, not to be used)', () => {
    const own = readFileSync('/proc/self/smaps', 'utf8');
    const split = namedMappingSplit(parseSmaps(own));
    expect(split.named).toBe(false);
    expect(split.go.rss).toBe(0);
    // Parsed completely: the mappings add up to the rollup's RSS.
    const rollup = parseSmapsRollup(readFileSync('/proc/self/smaps_rollup', 'utf8'));
    expect(Math.abs(split.nonGo.rss - rollup.rss!) / rollup.rss!).toBeLessThan(0.05);
  });

  it('the same smaps with the names taken out (as this kernel prints it)', () => {
    const unnamed = smaps.replace(/\[anon:[^\]\n]*\]/g, '');
    expect(namedMappingSplit(parseSmaps(unnamed)).named).toBe(false);
  });
});

describe('smapsFullDue: read smaps only while a non-Go suspicion stands, and not often', () => {
  const base = { nonGoSuspected: true, lastReadAt: null, lastCostMs: null, named: null, now: 1_000_000 };

  it('reads once a suspicion stands, and not without one', () => {
    expect(smapsFullDue(base)).toBe(true);
    expect(smapsFullDue({ ...base, nonGoSuspected: false })).toBe(false);
  });

  it('never again for a process whose smaps had no Go names', () => {
    expect(smapsFullDue({ ...base, named: false, lastReadAt: 0, lastCostMs: 1 })).toBe(false);
  });

  it('waits the minimum interval, or 100× what the last read cost when that is longer', () => {
    const read = { ...base, named: true, lastReadAt: base.now };
    expect(smapsFullDue({ ...read, lastCostMs: 5, now: base.now + SMAPS_FULL_MIN_INTERVAL_MS - 1 })).toBe(false);
    expect(smapsFullDue({ ...read, lastCostMs: 5, now: base.now + SMAPS_FULL_MIN_INTERVAL_MS })).toBe(true);
    expect(smapsFullDue({ ...read, lastCostMs: 2_000, now: base.now + SMAPS_FULL_MIN_INTERVAL_MS })).toBe(false);
    expect(smapsFullDue({ ...read, lastCostMs: 2_000, now: base.now + 200_000 })).toBe(true);
  });
});
