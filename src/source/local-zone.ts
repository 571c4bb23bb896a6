// The local time zone's abbreviation as Go prints it ("CET", "IST", "-03", "MSK"): from the
// tzdata (TZif) file Go reads — $TZ, else /etc/localtime — since the Intl API only knows
// "GMT+1" for most zones, and `top` must print pprof's Time line byte for byte.

import { readFileSync } from 'node:fs';

interface Zone {
  /** Transition times (seconds since the epoch) and the type index from each on. */
  times: number[];
  typeOf: number[];
  types: Array<{ offset: number; isDst: boolean; name: string }>;
  /** The POSIX TZ rule for times after the last transition ("CET-1CEST,M3.5.0,M10.5.0/3"). */
  footer: string;
}

const ZONEINFO = '/usr/share/zoneinfo';
const cache = new Map<string, Zone | null>();

/** Parses a TZif file (the 64-bit v2+ block when there is one). null when it is not one. */
export function parseTzif(b: Uint8Array): Zone | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const header = (at: number) => {
    if (at + 44 > b.length || String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!) !== 'TZif') return null;
    const n = (i: number) => dv.getUint32(at + 20 + 4 * i);
    return { version: b[at + 4]!, isut: n(0), isstd: n(1), leap: n(2), time: n(3), type: n(4), chars: n(5) };
  };
  const v1 = header(0);
  if (!v1) return null;
  let at = 44;
  let h = v1;
  let timeSize = 4;
  if (v1.version >= 0x32) {
    // Skip the 32-bit block to the 64-bit one.
    at += v1.time * 5 + v1.type * 6 + v1.chars + v1.leap * 8 + v1.isstd + v1.isut;
    const v2 = header(at);
    if (!v2) return null;
    h = v2;
    at += 44;
    timeSize = 8;
  }
  const need = h.time * (timeSize + 1) + h.type * 6 + h.chars;
  if (at + need > b.length) return null;
  const times: number[] = [];
  for (let i = 0; i < h.time; i++) times.push(timeSize === 8 ? Number(dv.getBigInt64(at + 8 * i)) : dv.getInt32(at + 4 * i));
  at += h.time * timeSize;
  const typeOf = Array.from(b.subarray(at, at + h.time));
  at += h.time;
  const raw = Array.from({ length: h.type }, (_, i) => ({ offset: dv.getInt32(at + 6 * i), isDst: b[at + 6 * i + 4] !== 0, idx: b[at + 6 * i + 5]! }));
  at += h.type * 6;
  const chars = b.subarray(at, at + h.chars);
  const nameAt = (i: number) => {
    let end = i;
    while (end < chars.length && chars[end] !== 0) end++;
    return String.fromCharCode(...chars.subarray(i, end));
  };
  const types = raw.map((t) => ({ offset: t.offset, isDst: t.isDst, name: nameAt(t.idx) }));
  at += h.chars + h.leap * (timeSize + 4) + h.isstd + h.isut;
  let footer = '';
  if (timeSize === 8 && b[at] === 0x0a) {
    const end = b.indexOf(0x0a, at + 1);
    if (end > at) footer = String.fromCharCode(...b.subarray(at + 1, end));
  }
  if (types.length === 0) return null;
  return { times, typeOf, types, footer };
}

/** The abbreviation in force at `ms` (epoch milliseconds). */
export function abbreviationAt(zone: Zone, ms: number): string {
  const t = Math.floor(ms / 1000);
  const { times, typeOf, types } = zone;
  if (times.length === 0 || t < times[0]!) {
    // Before the first transition: Go uses the first standard-time type.
    return (types.find((x) => !x.isDst) ?? types[0]!).name;
  }
  if (t >= times[times.length - 1]! && zone.footer) {
    // After the last transition the rule applies; without daylight saving it names one zone.
    const m = /^(<[^>]+>|[A-Za-z]+)[-+]?\d{1,2}(?::\d{2}){0,2}(.*)$/.exec(zone.footer);
    if (m && m[2] === '') return m[1]!.replace(/^<|>$/g, '');
  }
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return types[typeOf[lo]!]?.name ?? types[0]!.name;
}

function loadZone(path: string): Zone | null {
  if (!cache.has(path)) {
    let zone: Zone | null = null;
    try {
      zone = parseTzif(new Uint8Array(readFileSync(path)));
    } catch {
      zone = null;
    }
    cache.set(path, zone);
  }
  return cache.get(path)!;
}

/** Go's time.Local abbreviation at `ms`; null when the zone file cannot be read (the caller falls back). */
export function localZoneAbbreviation(ms: number, env: NodeJS.ProcessEnv = process.env): string | null {
  const tz = env.TZ;
  if (tz === '' || tz === 'UTC') return 'UTC';
  let path = '/etc/localtime';
  if (tz !== undefined) {
    const name = tz.startsWith(':') ? tz.slice(1) : tz;
    path = name.startsWith('/') ? name : `${ZONEINFO}/${name}`;
  }
  const zone = loadZone(path);
  // Go: a $TZ it cannot load means UTC.
  if (!zone) return tz !== undefined ? 'UTC' : null;
  return abbreviationAt(zone, ms);
}
