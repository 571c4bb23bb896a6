/**
 * Property-style robustness test for the protobuf decoder: thousands of seeded mutations of the
 * real profiles under ../shared/fixtures (byte flips, truncations, insertions, duplicated and
 * deleted ranges, varint stretching, swapped length prefixes, and structure-aware edits that
 * keep the protobuf valid but put hostile values into ids, string indices, lengths and sample
 * values), fed raw, re-gzipped, and as corrupted gzip. Properties:
 *  - decodeProfile either returns a Profile or throws a LivepprofError with a decoder kind and a
 *    one-line message, never anything else, and what it returns is no bigger than its input;
 *  - every Profile that decodes is internally consistent, and the `top` pipeline over it
 *    (drop_frames, topReport for every sample type at functions and lines granularity, the
 *    text table) and diffProfiles(p, p) never throw and only produce finite numbers.
 *  - every decoded mutant survives encodeProfile → decodeProfile with the same samples and values
 *    (except the few pprof-format cannot encode, see pprofFormatCannotEncode).
 * Plus: encodeProfile → decodeProfile round-trips every real fixture, and int64 extremes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import pako from 'pako';
import { afterAll, describe, expect, it } from 'vitest';
import { diffProfiles } from '../../src/analysis/merge.js';
import { removeUninteresting } from '../../src/analysis/prune.js';
import { topReport, type TopReport } from '../../src/analysis/top.js';
import { formatTopText } from '../../src/analysis/top-text.js';
import type { Granularity } from '../../src/analysis/graph.js';
import { LivepprofError } from '../../src/errors.js';
import { decodeProfile } from '../../src/profile/decode.js';
import { encodeProfile } from '../../src/profile/encode.js';
import type { Profile } from '../../src/profile/model.js';
import { SHARED_FIXTURES } from '../helpers/paths.js';
import { seededRandom, type Random } from '../helpers/random.js';

const MUTATIONS_PER_FIXTURE = 800;
/** Fixtures decoded in ~200 ms are round-tripped but not mutated thousands of times. */
const MAX_FUZZ_INPUT_BYTES = 64 * 1024;
const DECODER_KINDS = ['not-profile', 'malformed', 'truncated'];
const GRANULARITIES: Granularity[] = ['functions', 'lines'];


const pick = <T,>(rnd: Random, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
const below = (rnd: Random, n: number): number => Math.floor(rnd() * n);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

interface Fixture {
  name: string;
  gz: Uint8Array;
  raw: Uint8Array;
}

/** Every gzipped protobuf under the shared fixtures (the raw protobuf is its inflated body). */
const FIXTURES: Fixture[] = walk(SHARED_FIXTURES)
  .sort()
  .map((path) => ({ path, bytes: new Uint8Array(readFileSync(path)) }))
  .filter(({ bytes }) => bytes[0] === 0x1f && bytes[1] === 0x8b)
  .map(({ path, bytes }) => ({ name: relative(SHARED_FIXTURES, path), gz: bytes, raw: pako.inflate(bytes) }));
const FUZZED = FIXTURES.filter((f) => f.raw.length <= MAX_FUZZ_INPUT_BYTES);

// ---- protobuf wire helpers (test-side, deliberately independent of src/profile/proto-reader) ----

const U64 = (1n << 64n) - 1n;

function encodeVarint(value: bigint, extra = 0): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  } while (v > 0n);
  // Non-canonical but legal (up to 10 bytes): 0x80 continuation bytes then a final 0x00.
  for (let i = 0; i < extra; i++) out.push(0x80);
  if (extra > 0) out.push(0x00);
  else out[out.length - 1]! &= 0x7f;
  return out;
}

/** A varint starting at pos, or null when it runs past end or over 10 bytes. */
function readVarint(buf: Uint8Array, pos: number, end: number): { value: bigint; next: number } | null {
  let value = 0n;
  let shift = 0n;
  for (let i = 0; i < 10 && pos < end; i++) {
    const c = buf[pos++]!;
    value |= BigInt(c & 0x7f) << shift;
    if (c < 0x80) return { value: value & U64, next: pos };
    shift += 7n;
  }
  return null;
}

interface Field {
  num: bigint;
  wire: number;
  /** Start of the tag. */
  start: number;
  /** End of the tag. */
  tagEnd: number;
  /** Start of the value (after the length prefix for wire type 2). */
  valueStart: number;
  end: number;
  /** Varint value (wire 0) or length (wire 2). */
  value: bigint;
}

/** Splits a message into fields; null when the bytes are not a well-formed protobuf message. */
function parseFields(buf: Uint8Array, start: number, end: number): Field[] | null {
  const fields: Field[] = [];
  let pos = start;
  while (pos < end) {
    const tag = readVarint(buf, pos, end);
    if (!tag || tag.value >> 3n === 0n) return null;
    const wire = Number(tag.value & 7n);
    const f: Field = { num: tag.value >> 3n, wire, start: pos, tagEnd: tag.next, valueStart: tag.next, end: tag.next, value: 0n };
    if (wire === 0) {
      const v = readVarint(buf, tag.next, end);
      if (!v) return null;
      f.value = v.value;
      f.end = v.next;
    } else if (wire === 2) {
      const len = readVarint(buf, tag.next, end);
      if (!len || len.value > BigInt(end - len.next)) return null;
      f.value = len.value;
      f.valueStart = len.next;
      f.end = len.next + Number(len.value);
    } else if (wire === 1 || wire === 5) {
      f.end = tag.next + (wire === 1 ? 8 : 4);
      if (f.end > end) return null;
    } else return null;
    fields.push(f);
    pos = f.end;
  }
  return fields;
}

function parsePacked(buf: Uint8Array, start: number, end: number): bigint[] | null {
  const out: bigint[] = [];
  let pos = start;
  while (pos < end) {
    const v = readVarint(buf, pos, end);
    if (!v) return null;
    out.push(v.value);
    pos = v.next;
  }
  return out;
}

function concat(parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Values that break ids, string indices, lengths and sample sums in interesting ways. */
function interestingValue(rnd: Random, old: bigint): bigint {
  return pick(rnd, [
    0n,
    1n,
    2n,
    BigInt(below(rnd, 64)),
    old + 1n,
    old > 0n ? old - 1n : 0n,
    old * 2n,
    127n,
    128n,
    (1n << 31n) - 1n,
    1n << 32n,
    (1n << 53n) - 1n,
    1n << 53n,
    (1n << 53n) + 1n,
    1n << 62n,
    (1n << 62n) + 12345n,
    (1n << 63n) - 1n,
    1n << 63n, // int64 min
    U64, // int64 -1
    U64 - 1n, // int64 -2
    (1n << 64n) - (1n << 62n), // int64 -2^62
  ]);
}

// ---- mutations --------------------------------------------------------------------------------

const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x08, 0x0a, 0x12, 0x7f, 0x80, 0xff, 0x1f, 0x8b];

const BYTE_MUTATIONS: Array<(b: Uint8Array, rnd: Random) => Uint8Array> = [
  // byte flip
  (b, r) => {
    if (b.length === 0) return b;
    const out = b.slice();
    out[below(r, b.length)] = r() < 0.5 ? below(r, 256) : pick(r, INTERESTING_BYTES);
    return out;
  },
  // bit flip
  (b, r) => {
    if (b.length === 0) return b;
    const out = b.slice();
    out[below(r, b.length)]! ^= 1 << below(r, 8);
    return out;
  },
  // truncation (often near the end, where a gzip trailer or the last sample lives)
  (b, r) => b.subarray(0, r() < 0.3 ? Math.max(0, b.length - 1 - below(r, 16)) : below(r, b.length + 1)),
  // insertion
  (b, r) => {
    const at = below(r, b.length + 1);
    const ins = Array.from({ length: 1 + below(r, 8) }, () => (r() < 0.5 ? below(r, 256) : pick(r, INTERESTING_BYTES)));
    return concat([b.subarray(0, at), ins, b.subarray(at)]);
  },
  // deletion of a range
  (b, r) => {
    const at = below(r, b.length + 1);
    return concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + below(r, 64)))]);
  },
  // a range duplicated elsewhere (sometimes many times in place)
  (b, r) => {
    const from = below(r, b.length + 1);
    const chunk = b.subarray(from, from + 1 + below(r, 96));
    const at = below(r, b.length + 1);
    const times = r() < 0.1 ? 2 + below(r, 200) : 1;
    return concat([b.subarray(0, at), ...Array<Uint8Array>(times).fill(chunk), b.subarray(at)]);
  },
  // varint stretching at an arbitrary offset (no length fix-up: enclosing messages go out of step)
  (b, r) => {
    const at = below(r, b.length);
    const v = readVarint(b, at, b.length);
    if (!v) return b;
    const extra = Math.max(1, Math.min(11 - (v.next - at), 1 + below(r, 9)));
    return concat([b.subarray(0, at), encodeVarint(v.value, extra), b.subarray(v.next)]);
  },
];

/**
 * Structure-aware: rewrites one field somewhere in the message tree (descending into nested
 * messages and packed lists) and re-encodes every enclosing length, so the result is still
 * well-formed protobuf that reaches the decoder's resolution and the analyses.
 */
function mutateMessage(b: Uint8Array, rnd: Random, depth: number): Uint8Array {
  const fields = parseFields(b, 0, b.length);
  if (!fields || fields.length === 0) {
    const packed = parsePacked(b, 0, b.length);
    if (!packed || packed.length === 0) return pick(rnd, BYTE_MUTATIONS)(b, rnd);
    const i = below(rnd, packed.length);
    packed[i] = interestingValue(rnd, packed[i]!);
    return concat(packed.map((v) => encodeVarint(v)));
  }
  const parts: ArrayLike<number>[] = fields.map((f) => b.subarray(f.start, f.end));
  const i = below(rnd, fields.length);
  const f = fields[i]!;
  const tagOf = (x: Field, wire = x.wire) => encodeVarint((x.num << 3n) | BigInt(wire));
  const op = rnd();
  if (f.wire === 2 && depth < 3 && op < 0.45) {
    const inner = mutateMessage(b.subarray(f.valueStart, f.end), rnd, depth + 1);
    parts[i] = concat([tagOf(f), encodeVarint(BigInt(inner.length)), inner]);
  } else if (f.wire === 0 && op < 0.6) {
    parts[i] = concat([tagOf(f), encodeVarint(interestingValue(rnd, f.value))]);
  } else if (op < 0.65) {
    // Stretch the tag and the value/length varints: same meaning, longer encoding.
    const tag = encodeVarint((f.num << 3n) | BigInt(f.wire), below(rnd, 4));
    if (f.wire === 0) parts[i] = concat([tag, encodeVarint(f.value, 1 + below(rnd, 5))]);
    else if (f.wire === 2) parts[i] = concat([tag, encodeVarint(f.value, 1 + below(rnd, 5)), b.subarray(f.valueStart, f.end)]);
    else parts[i] = concat([tag, b.subarray(f.tagEnd, f.end)]);
  } else if (op < 0.72) {
    // Swap the length prefixes of two length-delimited fields (contents stay in place).
    const others = fields.filter((x) => x.wire === 2 && x !== f);
    if (f.wire === 2 && others.length > 0) {
      const g = pick(rnd, others);
      const j = fields.indexOf(g);
      parts[i] = concat([tagOf(f), encodeVarint(g.value), b.subarray(f.valueStart, f.end)]);
      parts[j] = concat([tagOf(g), encodeVarint(f.value), b.subarray(g.valueStart, g.end)]);
    } else {
      parts[i] = concat([tagOf(f), encodeVarint(interestingValue(rnd, f.value))]);
    }
  } else if (op < 0.77) {
    // Same field, another wire type.
    const wire = pick(rnd, [0, 1, 2, 3, 5, 7].filter((w) => w !== f.wire));
    const payload = wire === 0 ? encodeVarint(f.value) : wire === 1 ? new Array(8).fill(0) : wire === 2 ? encodeVarint(0n) : wire === 5 ? [0, 0, 0, 0] : [];
    parts[i] = concat([tagOf(f, wire), payload]);
  } else if (op < 0.83) {
    parts.splice(i, 1); // drop a field
  } else if (op < 0.9) {
    parts.splice(i, 0, ...Array<ArrayLike<number>>(rnd() < 0.1 ? 50 : 1).fill(parts[i]!)); // duplicate it
  } else if (op < 0.95) {
    const j = below(rnd, parts.length);
    [parts[i], parts[j]] = [parts[j]!, parts[i]!]; // reorder
  } else {
    // Another field number (e.g. a location where a function was).
    parts[i] = concat([encodeVarint((BigInt(1 + below(rnd, 16)) << 3n) | BigInt(f.wire)), b.subarray(f.tagEnd, f.end)]);
  }
  return concat(parts);
}

type Form = 'raw' | 'gzip of mutated raw' | 'mutated gzip';

function mutant(fx: Fixture, rnd: Random): { form: Form; bytes: Uint8Array } {
  const roll = rnd();
  const form: Form = roll < 0.45 ? 'raw' : roll < 0.8 ? 'gzip of mutated raw' : 'mutated gzip';
  let b = form === 'mutated gzip' ? fx.gz : fx.raw;
  const count = 1 + below(rnd, 3);
  for (let k = 0; k < count; k++) {
    b = form !== 'mutated gzip' && rnd() < 0.55 ? mutateMessage(b, rnd, 0) : pick(rnd, BYTE_MUTATIONS)(b, rnd);
  }
  return { form, bytes: form === 'gzip of mutated raw' ? pako.gzip(b) : b };
}

// ---- properties -------------------------------------------------------------------------------

function expectFinite(what: string, v: number): void {
  if (!Number.isFinite(v)) throw new Error(`${what} is not finite: ${v}`);
}

/** Plain checks (not expect) in the loops: this runs on thousands of profiles. */
function checkConsistent(p: Profile): void {
  const s = p.samples;
  const fail = (what: string) => {
    throw new Error(`inconsistent profile: ${what}`);
  };
  if (p.sampleTypes.length === 0 || s.nTypes !== p.sampleTypes.length) fail(`${s.nTypes} value columns for ${p.sampleTypes.length} sample types`);
  if (s.values.length !== s.count * s.nTypes) fail(`${s.values.length} values for ${s.count} samples`);
  if (s.stackStart.length !== s.count + 1 || s.stackStart[s.count] !== s.locIndex.length) fail('stackStart does not cover locIndex');
  for (let i = 0; i < s.count; i++) if (s.stackStart[i]! > s.stackStart[i + 1]!) fail(`stack ${i} ends before it starts`);
  for (const l of s.locIndex) if (l >= p.locations.length) fail(`location index ${l} of ${p.locations.length}`);
  for (const v of s.values) expectFinite('a sample value', v);
  if (s.labelIndex) for (const l of s.labelIndex) if (l >= s.labelSets.length) fail(`label set ${l} of ${s.labelSets.length}`);
}

function checkReport(r: TopReport, what: string): void {
  expectFinite(`${what} total`, r.total);
  expectFinite(`${what} shownFlat`, r.shownFlat);
  if (r.total < 0) throw new Error(`${what} total is negative: ${r.total}`);
  for (const row of r.rows) {
    expectFinite(`${what} flat of ${row.name}`, row.flat);
    expectFinite(`${what} cum of ${row.name}`, row.cum);
  }
  if (!Number.isInteger(r.origCount) || !Number.isInteger(r.droppedNodes)) throw new Error(`${what} node counts are not integers`);
}

/** What `top` does with a profile: drop_frames, then a report per sample type and granularity. */
function analyse(p: Profile): { reports: number; lines: number } {
  const pruned = removeUninteresting(p);
  let reports = 0;
  let lines = 0;
  for (let sampleIndex = 0; sampleIndex < pruned.sampleTypes.length; sampleIndex++) {
    for (const granularity of GRANULARITIES) {
      const report = topReport(pruned, { sampleIndex, granularity, nodeCount: 0, cumSort: false, filters: {} });
      checkReport(report, `${granularity}/${sampleIndex}`);
      const text = formatTopText(pruned, report, {});
      if (/NaN|Infinity|undefined/.test(text)) throw new Error(`${granularity}/${sampleIndex} table prints ${JSON.stringify(text)}`);
      lines += text.split('\n').length;
      reports++;
    }
  }
  const diff = diffProfiles(p, p);
  checkConsistent(diff);
  for (let sampleIndex = 0; sampleIndex < diff.sampleTypes.length; sampleIndex++) {
    checkReport(topReport(diff, { sampleIndex, granularity: 'functions', nodeCount: 0, cumSort: false, filters: {} }), `diff/${sampleIndex}`);
    reports++;
  }
  return { reports, lines };
}

/**
 * pprof-format 2.3.2 sizes an all-zero sub-message (a Line with no function and no line number,
 * a ValueType whose type and unit are both "") as 0 bytes but still writes its tag and length,
 * so encode() overruns its buffer: a corrupt protobuf or a RangeError. Real profiles never hold
 * one; mutants can. Counted and skipped here rather than hidden.
 */
function pprofFormatCannotEncode(p: Profile): boolean {
  const emptyType = (t: { type: string; unit: string } | null) => t !== null && t.type === '' && t.unit === '';
  return p.sampleTypes.some(emptyType) || emptyType(p.periodType) || p.locations.some((l) => l.lines.some((ln) => ln.fn === null && ln.line === 0));
}

function expectRoundTrip(p: Profile, back: Profile): void {
  expect(back.sampleTypes).toEqual(p.sampleTypes);
  expect(back.samples.count).toBe(p.samples.count);
  expect(Array.from(back.samples.values)).toEqual(Array.from(p.samples.values));
  expect(Array.from(back.samples.stackStart)).toEqual(Array.from(p.samples.stackStart));
  expect(back.locations.length).toBe(p.locations.length);
  expect(back.functions.map((f) => f.name)).toEqual(p.functions.map((f) => f.name));
  expect(back.periodType).toEqual(p.periodType);
  expect(back.period).toBe(p.period);
  expect(back.defaultSampleType).toBe(p.defaultSampleType);
}

interface Tally {
  mutations: number;
  decoded: number;
  roundTrips: number;
  notEncodable: number;
  errors: Record<string, number>;
  reports: number;
  slowestDecodeMs: number;
  slowestAnalysisMs: number;
}
const emptyTally = (): Tally => ({ mutations: 0, decoded: 0, roundTrips: 0, notEncodable: 0, errors: {}, reports: 0, slowestDecodeMs: 0, slowestAnalysisMs: 0 });

function addTally(into: Tally, t: Tally): void {
  for (const k of ['mutations', 'decoded', 'roundTrips', 'notEncodable', 'reports'] as const) into[k] += t[k];
  for (const [kind, n] of Object.entries(t.errors)) into.errors[kind] = (into.errors[kind] ?? 0) + n;
  into.slowestDecodeMs = Math.max(into.slowestDecodeMs, t.slowestDecodeMs);
  into.slowestAnalysisMs = Math.max(into.slowestAnalysisMs, t.slowestAnalysisMs);
}

/**
 * A decoded profile is no bigger than the protobuf it came from: every sample, location,
 * function and location reference costs the input at least a byte. This bounds the work of
 * decoding and of every analysis after it by the input, which a wall-clock limit on a shared
 * machine cannot do reliably (a hang is still caught by the test timeout).
 */
function checkLinear(p: Profile, bytes: Uint8Array, where: string): void {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? pako.inflate(bytes) : bytes;
  const sizes = { samples: p.samples.count, 'location references': p.samples.locIndex.length, locations: p.locations.length, functions: p.functions.length };
  for (const [what, n] of Object.entries(sizes)) {
    if (n > raw.length) throw new Error(`${where}: ${n} ${what} out of a ${raw.length}-byte protobuf`);
  }
}

/** Mutates one fixture `n` times from `seed`, checking every property on each mutant. */
function fuzz(fx: Fixture, seed: number, n: number): Tally {
  const tally = emptyTally();
  const rnd = seededRandom(seed);
  for (let i = 0; i < n; i++) {
    const { form, bytes } = mutant(fx, rnd);
    const where = `${fx.name} mutation #${i} (seed ${seed}, ${form}, ${bytes.length} bytes)`;
    let p: Profile | null = null;
    const t0 = performance.now();
    try {
      p = decodeProfile(bytes);
    } catch (e) {
      if (!(e instanceof LivepprofError)) {
        throw new Error(`decodeProfile threw a non-LivepprofError on ${where}: ${e instanceof Error ? e.stack : String(e)}`);
      }
      if (!DECODER_KINDS.includes(e.kind) || e.message === '' || /[\r\n]/.test(e.message)) {
        throw new Error(`bad LivepprofError on ${where}: kind ${e.kind}, message ${JSON.stringify(e.message)}`);
      }
      tally.errors[e.kind] = (tally.errors[e.kind] ?? 0) + 1;
    }
    tally.slowestDecodeMs = Math.max(tally.slowestDecodeMs, performance.now() - t0);
    tally.mutations++;
    if (!p) continue;
    tally.decoded++;
    const t1 = performance.now();
    try {
      checkConsistent(p);
      checkLinear(p, bytes, where);
      tally.reports += analyse(p).reports;
      if (pprofFormatCannotEncode(p)) tally.notEncodable++;
      else {
        expectRoundTrip(p, decodeProfile(encodeProfile(p)));
        tally.roundTrips++;
      }
    } catch (e) {
      throw new Error(`analysing the decoded ${where} failed: ${e instanceof Error ? e.stack : String(e)}`);
    }
    tally.slowestAnalysisMs = Math.max(tally.slowestAnalysisMs, performance.now() - t1);
  }
  return tally;
}

/** Mutations per fixture for the outcome check: enough to reach every outcome, seeded apart. */
const COVERAGE_MUTATIONS = 80;

describe('decodeProfile survives mutated real profiles', () => {
  /** For the summary line only (times are reported, never asserted). */
  const seen = emptyTally();

  it('has real protobuf fixtures to mutate', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(10);
    expect(FUZZED.length).toBeGreaterThanOrEqual(10);
  });

  FUZZED.forEach((fx, index) => {
    const seed = 0xdec0de + index;
    it(`${fx.name}: ${MUTATIONS_PER_FIXTURE} seeded mutations (seed ${seed})`, () => {
      const t = fuzz(fx, seed, MUTATIONS_PER_FIXTURE);
      expect(t.mutations).toBe(MUTATIONS_PER_FIXTURE);
      addTally(seen, t);
    });
  });

  it('the mutator reaches every outcome: profiles that still decode and each kind of rejection', () => {
    const t = emptyTally();
    FUZZED.forEach((fx, index) => addTally(t, fuzz(fx, 0xc0ffee + index, COVERAGE_MUTATIONS)));
    expect(t.decoded).toBeGreaterThan(t.mutations / 10);
    expect(t.roundTrips).toBeGreaterThan(t.decoded * 0.9);
    for (const kind of DECODER_KINDS) expect(t.errors[kind] ?? 0, kind).toBeGreaterThan(0);
  });

  afterAll(() => {
    const errors = Object.entries(seen.errors).map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(
      `decode fuzz: ${seen.mutations} mutations of ${FUZZED.length} fixtures; ` +
        `${seen.decoded} decoded (${seen.reports} reports, ${seen.roundTrips} encode round trips, ${seen.notEncodable} not encodable by pprof-format), rejected: ${errors}; ` +
        `slowest decode ${seen.slowestDecodeMs.toFixed(1)} ms, slowest analysis ${seen.slowestAnalysisMs.toFixed(1)} ms`,
    );
  });
});

describe('encodeProfile → decodeProfile round-trips every real fixture', () => {
  for (const fx of FIXTURES) {
    it(fx.name, () => {
      const p = decodeProfile(fx.gz);
      expectRoundTrip(p, decodeProfile(encodeProfile(p)));
    });
  }

  it('keeps int64 extremes, and their signs', () => {
    // The int64 maximum decodes to the double 2^63 (the nearest one); it must not come back as -2^63.
    const p = decodeProfile(FIXTURES.find((f) => f.name.endsWith('go1.19/heap.pb.gz'))!.gz);
    const extremes = [2 ** 63, -(2 ** 63), 2 ** 62, -(2 ** 62), 2 ** 53 + 2, -1];
    const values = p.samples.values.slice();
    extremes.forEach((v, k) => (values[k % values.length] = v));
    const edited: Profile = { ...p, samples: { ...p.samples, values } };
    const back = decodeProfile(encodeProfile(edited));
    expect(Array.from(back.samples.values)).toEqual(Array.from(values));
  });
});
