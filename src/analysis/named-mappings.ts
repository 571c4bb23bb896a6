// Go vs non-Go memory from the mappings themselves. Go ≥ 1.25 names each mapping it makes with
// prctl(PR_SET_VMA_ANON_NAME): /proc/PID/smaps prints them as `[anon: Go: heap]`, `[anon: Go:
// immortal metadata]`, … where the kernel has CONFIG_ANON_VMA_NAME (Linux ≥ 5.17). Every other
// anonymous page — C malloc ([heap] and unnamed arenas), mmap by C libraries, thread stacks —
// is not Go's. That split is exact, where MemStats arithmetic (RSS − (Sys − HeapReleased)) is an
// estimate; and the biggest non-Go mappings say where to look.
//
// Reading smaps walks every page table entry of the target (its mmap lock held meanwhile) and
// can be megabytes for a process with many mappings: smapsFullDue() reads it only while a
// non-Go suspicion stands, at a spacing that grows with what the last read cost.

import { formatBytes } from './format.js';

/**
 * One mapping: `start-end perms offset dev inode pathname`, then its `Field: N kB` lines. The
 * pathname is a file, a pseudo-path (`[heap]`, `[stack]`, `[vdso]`), `[anon:NAME]` for an
 * anonymous mapping named with prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME) (Linux ≥ 5.17 with
 * CONFIG_ANON_VMA_NAME; Go ≥ 1.25 names its own as `[anon: Go: heap]` and so on), or empty.
 */
export interface SmapsMapping {
  /** Addresses as printed (hex, no 0x): they can exceed 2^53. */
  start: string;
  end: string;
  perms: string;
  /** Non-zero inode: backed by a file. */
  inode: number;
  pathname: string;
  /** Bytes; null when the kernel did not print the field. */
  size: number | null;
  rss: number | null;
  anonymous: number | null;
  lazyFree: number | null;
  anonHugePages: number | null;
  swap: number | null;
}

/** The prefix the Go runtime gives its mappings' names (runtime.setVMAName: " Go: " + name). */
const GO_NAME = '[anon: Go: ';

export interface MappingUse {
  /** `heap` for a Go mapping; `[heap]`, `[anon:libc_malloc]`, a file path, or `anonymous 7f12a0000000` for others. */
  name: string;
  rss: number;
  /** Anonymous (private, not file-backed) resident bytes. */
  anonymous: number;
  /** How many mappings carry this name. */
  mappings: number;
}

export interface NamedMappingSplit {
  /**
   * Some mapping carries a Go name: the runtime (Go ≥ 1.25, GODEBUG decoratemappings not 0) and
   * the kernel both name mappings. When false nothing below is exact: do not use it.
   */
  named: boolean;
  go: {
    /** Resident bytes of the Go-named mappings (all anonymous). */
    rss: number;
    /** Of it, pages Go released with MADV_FREE that the kernel has not taken back yet. */
    lazyFree: number;
    /** Of it, in transparent huge pages. */
    anonHugePages: number;
    /** Per Go name (`heap`, `immortal metadata`, `page alloc`, …), largest first. */
    byName: MappingUse[];
  };
  nonGo: {
    /** Resident anonymous bytes outside Go's mappings: cgo/C malloc, mmap, thread stacks, .bss. */
    anonymous: number;
    /** Resident bytes outside Go's mappings, file-backed ones (binary, libraries) included. */
    rss: number;
  };
  /** The non-Go mappings holding the most anonymous memory (at most `top`), largest first. */
  biggestNonGo: MappingUse[];
}

/** How a non-Go mapping is named for a person: its path or pseudo-path, or its address when it has none. */
function nonGoName(m: SmapsMapping, previous: SmapsMapping | undefined): string {
  if (m.pathname !== '') return m.pathname;
  // An unnamed mapping right after a file's last mapping is that file's .bss.
  if (previous && previous.end === m.start && previous.inode !== 0 && previous.pathname.startsWith('/')) return `${previous.pathname} (bss)`;
  return `anonymous ${m.start}`;
}

function add(uses: Map<string, MappingUse>, name: string, m: SmapsMapping): void {
  const u = uses.get(name) ?? { name, rss: 0, anonymous: 0, mappings: 0 };
  u.rss += m.rss ?? 0;
  u.anonymous += m.anonymous ?? 0;
  u.mappings++;
  uses.set(name, u);
}

/** Splits a process's resident memory by who made each mapping (see the file comment). */
export function namedMappingSplit(mappings: readonly SmapsMapping[], top = 5): NamedMappingSplit {
  const go = new Map<string, MappingUse>();
  const nonGo = new Map<string, MappingUse>();
  const split: NamedMappingSplit = { named: false, go: { rss: 0, lazyFree: 0, anonHugePages: 0, byName: [] }, nonGo: { anonymous: 0, rss: 0 }, biggestNonGo: [] };
  mappings.forEach((m, i) => {
    if (m.pathname.startsWith(GO_NAME) && m.pathname.endsWith(']')) {
      split.named = true;
      split.go.rss += m.rss ?? 0;
      split.go.lazyFree += m.lazyFree ?? 0;
      split.go.anonHugePages += m.anonHugePages ?? 0;
      add(go, m.pathname.slice(GO_NAME.length, -1), m);
      return;
    }
    split.nonGo.rss += m.rss ?? 0;
    split.nonGo.anonymous += m.anonymous ?? 0;
    if ((m.anonymous ?? 0) > 0) add(nonGo, nonGoName(m, mappings[i - 1]), m);
  });
  split.go.byName = [...go.values()].sort((a, b) => b.rss - a.rss);
  split.biggestNonGo = [...nonGo.values()].sort((a, b) => b.anonymous - a.anonymous).slice(0, top);
  return split;
}

/**
 * The non-Go evidence line: `52.1MB of anonymous memory is outside Go's named mappings (smaps):
 * anonymous 7f072aa00000 48MB, /srv/app (bss) 2.11MB, [stack] 132kB`. Null when the mappings
 * carry no Go names (the split is not exact then).
 */
export function nonGoEvidence(split: NamedMappingSplit, top = 3): string | null {
  if (!split.named) return null;
  const biggest = split.biggestNonGo.slice(0, top).map((u) => `${u.name} ${formatBytes(u.anonymous)}`);
  return `${formatBytes(split.nonGo.anonymous)} of anonymous memory is outside Go's named mappings (smaps)${biggest.length ? `: ${biggest.join(', ')}` : ''}`;
}

// ---- when to read /proc/PID/smaps -------------------------------------------------------------

/** The closest two reads of smaps may be, whatever they cost. */
export const SMAPS_FULL_MIN_INTERVAL_MS = 60_000;
/** Spacing as a multiple of what the last read took: a 20 ms read waits at least 2 s… and then the minimum above. */
export const SMAPS_FULL_COST_FACTOR = 100;

export interface SmapsFullState {
  /** The verdict suspects memory outside Go (the non-Go rule stands, or is about to). */
  nonGoSuspected: boolean;
  /** ms since the epoch of the last read of this process's smaps; null: never. */
  lastReadAt: number | null;
  /** How long that read took (ms, wall). */
  lastCostMs: number | null;
  /** Whether that read found Go-named mappings; null: not read yet. False stays false for the process. */
  named: boolean | null;
  now: number;
}

/**
 * Read /proc/PID/smaps now? Only while a non-Go suspicion stands; never again for a process whose
 * smaps had no Go names (an older Go or a kernel without CONFIG_ANON_VMA_NAME: it will not start
 * naming them); and no sooner than SMAPS_FULL_MIN_INTERVAL_MS, or 100× the last read's cost,
 * after the last read.
 */
export function smapsFullDue(s: SmapsFullState): boolean {
  if (!s.nonGoSuspected || s.named === false) return false;
  if (s.lastReadAt === null) return true;
  const spacing = Math.max(SMAPS_FULL_MIN_INTERVAL_MS, SMAPS_FULL_COST_FACTOR * (s.lastCostMs ?? 0));
  return s.now - s.lastReadAt >= spacing;
}
