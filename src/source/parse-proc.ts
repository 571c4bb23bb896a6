/**
 * Linux procfs texts (docs/formats.md#linux-proc-files): /proc/PID/status, smaps_rollup, smaps,
 * stat, and /proc/net/tcp{,6} (docs/formats.md#port-to-pid).
 * Pure functions over the file contents; sizes are returned in bytes. Missing or unreadable
 * fields are null (kernels differ in which lines they print), so none of these fail as a whole.
 */

import type { SmapsMapping } from '../analysis/named-mappings.js';

export type { SmapsMapping };

const KIB = 1024;

// ---------------------------------------------------------------------------------------------
// /proc/PID/status

export interface ProcStatus {
  name: string | null;
  /** `S (sleeping)` → `S`. */
  state: string | null;
  pid: number | null;
  ppid: number | null;
  threads: number | null;
  /** Bytes (the file prints kB = KiB). */
  vmPeak: number | null;
  vmSize: number | null;
  vmHWM: number | null;
  vmRSS: number | null;
  /** RssAnon/RssFile/RssShmem exist since Linux 4.5; VmRSS = their sum. */
  rssAnon: number | null;
  rssFile: number | null;
  rssShmem: number | null;
  vmData: number | null;
  vmStk: number | null;
  vmSwap: number | null;
}

const STATUS_SIZE_FIELDS = {
  VmPeak: 'vmPeak',
  VmSize: 'vmSize',
  VmHWM: 'vmHWM',
  VmRSS: 'vmRSS',
  RssAnon: 'rssAnon',
  RssFile: 'rssFile',
  RssShmem: 'rssShmem',
  VmData: 'vmData',
  VmStk: 'vmStk',
  VmSwap: 'vmSwap',
} as const satisfies Record<string, keyof ProcStatus>;

const STATUS_COUNT_FIELDS = { Pid: 'pid', PPid: 'ppid', Threads: 'threads' } as const satisfies Record<string, keyof ProcStatus>;

/** Lines we read; anything else (and any inherited name like `constructor`) is ignored. */
const KNOWN_KEYS: Record<string, true> = Object.fromEntries(
  ['Name', 'State', ...Object.keys(STATUS_SIZE_FIELDS), ...Object.keys(STATUS_COUNT_FIELDS)].map((k) => [k, true]),
);

export function parseProcStatus(text: string): ProcStatus {
  const status: ProcStatus = {
    name: null, state: null, pid: null, ppid: null, threads: null,
    vmPeak: null, vmSize: null, vmHWM: null, vmRSS: null, rssAnon: null, rssFile: null, rssShmem: null,
    vmData: null, vmStk: null, vmSwap: null,
  };
  for (const [key, value] of keyValueLines(text)) {
    if (key === 'Name') status.name = value;
    else if (key === 'State') status.state = value.split(' ')[0] || null;
    else if (key in STATUS_SIZE_FIELDS) status[STATUS_SIZE_FIELDS[key as keyof typeof STATUS_SIZE_FIELDS]] = parseKiB(value);
    else if (key in STATUS_COUNT_FIELDS) status[STATUS_COUNT_FIELDS[key as keyof typeof STATUS_COUNT_FIELDS]] = parseCount(value);
  }
  return status;
}

/** `Key:<spaces/tabs>value` lines; value trimmed. Own-property lookups only (keys come from input). */
function* keyValueLines(text: string): Generator<[string, string]> {
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon);
    if (!Object.prototype.hasOwnProperty.call(KNOWN_KEYS, key)) continue;
    yield [key, line.slice(colon + 1).trim()];
  }
}

/** `24572 kB` → bytes. */
function parseKiB(value: string): number | null {
  const m = /^(\d{1,15}) kB$/.exec(value);
  return m ? Number(m[1]) * KIB : null;
}

function parseCount(value: string): number | null {
  return /^\d{1,15}$/.test(value) ? Number(value) : null;
}

// ---------------------------------------------------------------------------------------------
// /proc/PID/smaps_rollup

export interface SmapsRollup {
  rss: number | null;
  pss: number | null;
  pssDirty: number | null;
  pssAnon: number | null;
  pssFile: number | null;
  pssShmem: number | null;
  sharedClean: number | null;
  sharedDirty: number | null;
  privateClean: number | null;
  privateDirty: number | null;
  referenced: number | null;
  anonymous: number | null;
  ksm: number | null;
  /** MADV_FREE'd anonymous memory still counted in Rss (reclaimable under pressure). */
  lazyFree: number | null;
  anonHugePages: number | null;
  shmemPmdMapped: number | null;
  filePmdMapped: number | null;
  sharedHugetlb: number | null;
  privateHugetlb: number | null;
  swap: number | null;
  swapPss: number | null;
  locked: number | null;
}

const SMAPS_FIELDS = {
  Rss: 'rss', Pss: 'pss', Pss_Dirty: 'pssDirty', Pss_Anon: 'pssAnon', Pss_File: 'pssFile',
  Pss_Shmem: 'pssShmem', Shared_Clean: 'sharedClean', Shared_Dirty: 'sharedDirty',
  Private_Clean: 'privateClean', Private_Dirty: 'privateDirty', Referenced: 'referenced',
  Anonymous: 'anonymous', KSM: 'ksm', LazyFree: 'lazyFree', AnonHugePages: 'anonHugePages',
  ShmemPmdMapped: 'shmemPmdMapped', FilePmdMapped: 'filePmdMapped', Shared_Hugetlb: 'sharedHugetlb',
  Private_Hugetlb: 'privateHugetlb', Swap: 'swap', SwapPss: 'swapPss', Locked: 'locked',
} as const satisfies Record<string, keyof SmapsRollup>;

/** Values in bytes; the set of lines varies by kernel (missing → null). */
export function parseSmapsRollup(text: string): SmapsRollup {
  const rollup = Object.fromEntries(Object.values(SMAPS_FIELDS).map((name) => [name, null])) as unknown as SmapsRollup;
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d{1,15}) kB\s*$/.exec(line);
    if (!m || !Object.prototype.hasOwnProperty.call(SMAPS_FIELDS, m[1]!)) continue;
    rollup[SMAPS_FIELDS[m[1] as keyof typeof SMAPS_FIELDS]] = Number(m[2]) * KIB;
  }
  return rollup;
}

// ---------------------------------------------------------------------------------------------
// /proc/PID/smaps (one block per mapping; Documentation/filesystems/proc.rst). The mapping's
// shape (SmapsMapping) lives with what reads it, analysis/named-mappings.ts.

const MAPPING_HEADER = /^([0-9a-f]{1,16})-([0-9a-f]{1,16}) ([-r][-w][-x][-sp]) [0-9a-f]{1,16} [0-9a-f]{1,8}:[0-9a-f]{1,8} (\d{1,20}) ?(.*)$/;
const MAPPING_FIELDS = { Size: 'size', Rss: 'rss', Anonymous: 'anonymous', LazyFree: 'lazyFree', AnonHugePages: 'anonHugePages', Swap: 'swap' } as const;

const USED_FIELD_PREFIXES = Object.keys(MAPPING_FIELDS).map((k) => `${k}:`);

/**
 * The lines parseSmaps reads (mapping headers and its fields): the fetcher keeps only these
 * while streaming smaps, a third of its size. Called for every line of a smaps that can be
 * megabytes, so the first character decides most lines without a regex.
 */
export function isSmapsLineUsed(line: string): boolean {
  const c = line.charCodeAt(0);
  // A header starts with a lowercase hex digit; field names start with an uppercase letter.
  if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) return MAPPING_HEADER.test(line);
  if (c !== 65 && c !== 76 && c !== 82 && c !== 83) return false; // A, L, R, S
  return USED_FIELD_PREFIXES.some((p) => line.startsWith(p));
}

/**
 * Every mapping of /proc/PID/smaps, in address order. Lines that are neither a mapping header
 * nor a known `N kB` field (VmFlags, THPeligible, fields of newer kernels, garbage) are skipped;
 * a field before any header is ignored. Linear in the size of the text.
 */
export function parseSmaps(text: string): SmapsMapping[] {
  const out: SmapsMapping[] = [];
  let current: SmapsMapping | null = null;
  for (const line of text.split('\n')) {
    const c = line.charCodeAt(0);
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) {
      const m = MAPPING_HEADER.exec(line);
      if (!m) continue;
      current = {
        start: m[1]!, end: m[2]!, perms: m[3]!, inode: Number(m[4]), pathname: m[5]!.trim(),
        size: null, rss: null, anonymous: null, lazyFree: null, anonHugePages: null, swap: null,
      };
      out.push(current);
      continue;
    }
    // Most lines are fields we do not read: the key decides before any regex runs.
    const colon = line.indexOf(':');
    if (!current || colon <= 0) continue;
    const key = line.slice(0, colon);
    if (!Object.prototype.hasOwnProperty.call(MAPPING_FIELDS, key)) continue;
    const value = /^\s+(\d{1,15}) kB\s*$/.exec(line.slice(colon + 1));
    if (value) current[MAPPING_FIELDS[key as keyof typeof MAPPING_FIELDS]] = Number(value[1]) * KIB;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// /proc/net/tcp and /proc/net/tcp6

export interface TcpSocket {
  /** Local address, dotted IPv4 or RFC 5952 IPv6 (`::1`, `::`, `::ffff:127.0.0.1`). */
  address: string;
  port: number;
  remoteAddress: string;
  remotePort: number;
  /** Kernel TCP state (`st` column, hex): 0x0A = LISTEN, 0x01 = ESTABLISHED, 0x06 = TIME_WAIT. */
  state: number;
  uid: number;
  /** Socket inode: matches `socket:[inode]` links in /proc/PID/fd (0 for TIME_WAIT). */
  inode: number;
  listening: boolean;
}

const TCP_LISTEN = 0x0a;

/**
 * Rows of /proc/net/tcp (family 4) or tcp6 (family 6); header and malformed rows are skipped.
 * Addresses are 32-bit words printed in host byte order; we assume a little-endian host
 * (x86-64, arm64), as the docs do. Ports are printed big-endian.
 */
export function parseProcNetTcp(text: string, family: 4 | 6): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const line of text.split('\n')) {
    const socket = parseTcpRow(line.trim(), family);
    if (socket) sockets.push(socket);
  }
  return sockets;
}

function parseTcpRow(row: string, family: 4 | 6): TcpSocket | null {
  const columns = row.split(/\s+/);
  if (columns.length < 10 || !/^\d+:$/.test(columns[0]!)) return null;
  const local = parseHexEndpoint(columns[1]!, family);
  const remote = parseHexEndpoint(columns[2]!, family);
  const state = /^[0-9A-Fa-f]{2}$/.test(columns[3]!) ? parseInt(columns[3]!, 16) : null;
  const uid = parseCount(columns[7]!);
  const inode = parseCount(columns[9]!);
  if (!local || !remote || state === null || uid === null || inode === null) return null;
  return {
    address: local.address,
    port: local.port,
    remoteAddress: remote.address,
    remotePort: remote.port,
    state,
    uid,
    inode,
    listening: state === TCP_LISTEN,
  };
}

/** `0100007F:17AC` → 127.0.0.1, 6060. */
function parseHexEndpoint(text: string, family: 4 | 6): { address: string; port: number } | null {
  const hexLength = family === 4 ? 8 : 32;
  if (text.length !== hexLength + 5 || text[hexLength] !== ':') return null;
  const addressHex = text.slice(0, hexLength);
  const portHex = text.slice(hexLength + 1);
  if (!/^[0-9A-Fa-f]+$/.test(addressHex) || !/^[0-9A-Fa-f]{4}$/.test(portHex)) return null;
  const bytes = littleEndianWordsToBytes(addressHex);
  return { address: family === 4 ? formatIPv4(bytes) : formatIPv6(bytes), port: parseInt(portHex, 16) };
}

/** Each 8-hex-digit word is a little-endian u32: its bytes in memory order are reversed pairs. */
function littleEndianWordsToBytes(hex: string): number[] {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    for (let pair = 6; pair >= 0; pair -= 2) bytes.push(parseInt(hex.slice(word + pair, word + pair + 2), 16));
  }
  return bytes;
}

function formatIPv4(bytes: readonly number[]): string {
  return bytes.join('.');
}

/** RFC 5952: lowercase, no leading zeros, longest (first) run of ≥2 zero groups as `::`. */
function formatIPv6(bytes: readonly number[]): string {
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${formatIPv4(bytes.slice(12))}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  const run = longestZeroRun(groups);
  const hex = (list: number[]): string => list.map((g) => g.toString(16)).join(':');
  if (run.length < 2) return hex(groups);
  return `${hex(groups.slice(0, run.start))}::${hex(groups.slice(run.start + run.length))}`;
}

function longestZeroRun(groups: readonly number[]): { start: number; length: number } {
  let best = { start: 0, length: 0 };
  let start = -1;
  for (let i = 0; i <= groups.length; i++) {
    if (i < groups.length && groups[i] === 0) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start > best.length) best = { start, length: i - start };
      start = -1;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// /proc/PID/stat

/**
 * Field 22 (`starttime`, clock ticks since boot; divide by `getconf CLK_TCK`, usually 100).
 * Field 2 is `(comm)` and may itself contain spaces and `)`, so fields are counted after the
 * LAST `)`. Null when the text is not a stat line.
 */
export function parseProcStatStartTime(text: string): number | null {
  const close = text.lastIndexOf(')');
  if (close < 0 || text.indexOf('(') < 0 || text.indexOf('(') > close) return null;
  // After `)`, the first field is #3 (state), so #22 is at index 19.
  const fields = text.slice(close + 1).trim().split(/\s+/);
  return parseCount(fields[19] ?? '');
}

// ---------------------------------------------------------------------------------------------
// /proc/stat and /proc/net/nf_conntrack

/** `btime 1733512345` from /proc/stat: boot time, seconds since the epoch. */
export function parseBootTime(text: string): number | null {
  const m = /^btime (\d{1,12})$/m.exec(text);
  return m ? Number(m[1]) : null;
}

export interface ConntrackEntry {
  /** As the client sent it (before NAT). */
  original: { src: string; dst: string; sport: number; dport: number };
  /** As the server answers it (after NAT): `src`/`sport` is the server's own socket address. */
  reply: { src: string; dst: string; sport: number; dport: number };
}

/**
 * TCP rows of /proc/net/nf_conntrack: `ipv4 2 tcp 6 431999 ESTABLISHED src=… dst=… sport=…
 * dport=… src=… dst=… sport=… dport=… [ASSURED] mark=0 use=2`. The first src/dst/sport/dport
 * group is the original direction, the second the reply (where DNAT shows).
 */
export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    if (!/^ipv[46]\s+\d+\s+tcp\s/.test(line)) continue;
    const tuples: Array<Record<string, string>> = [];
    let cur: Record<string, string> = {};
    for (const m of line.matchAll(/\b(src|dst|sport|dport)=(\S+)/g)) {
      if (m[1]! in cur) {
        tuples.push(cur);
        cur = {};
      }
      cur[m[1]!] = m[2]!;
    }
    tuples.push(cur);
    const tuple = (t: Record<string, string> | undefined) =>
      t && t.src && t.dst && /^\d{1,5}$/.test(t.sport ?? '') && /^\d{1,5}$/.test(t.dport ?? '')
        ? { src: t.src, dst: t.dst, sport: Number(t.sport), dport: Number(t.dport) }
        : null;
    const original = tuple(tuples[0]);
    const reply = tuple(tuples[1]);
    if (original && reply) out.push({ original, reply });
  }
  return out;
}
