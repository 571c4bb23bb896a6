// Bytes → resolved Profile: gzip sniffed by magic bytes, then profile.proto decoded straight
// into the model (ids and string indices resolved and checked). Anything that is not a
// profile becomes a LivepprofError with one line saying what it looks like.
//
// Why not pprof-format's decoder: on a 100,000-stack heap profile it allocates an object per
// sample, label and value list before we can resolve them (219 ms and ~80 MB on the bench
// profile, more than the whole budget); decoding straight into the model is ~4x faster and
// keeps the tool within 0.3x of pprof's memory. pprof-format remains the encoder.

import pako from 'pako';
import { LivepprofError } from '../errors.js';
import type { LabelSet, Line, Location, Mapping, Profile, ProfileFunction, Samples, ValueType } from './model.js';
import { SamplesBuilder, newProfileId } from './model.js';
import { ProtoReader, WIRE_BYTES, WIRE_VARINT, decodeString } from './proto-reader.js';
import { describeNonProfile } from './sniff.js';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The most a gzip body may inflate to by default: far above real profiles (a 183,000-stack heap
 * inflates to 7 MB), far below what a gzip bomb would cost (4 MiB can inflate to 4 GiB).
 */
export const DEFAULT_MAX_INFLATED = 256 * 1024 * 1024;

export interface DecodeLimits {
  /** Refuse gzip data that inflates to more bytes than this (--max-inflated). */
  maxInflated?: number;
}

/**
 * Output kept while inflating the first time. Past it the first pass only counts (a bomb then
 * costs this much memory, not the cap), and a second pass fills a buffer of the exact size.
 * Real profiles stay under it: a 183,000-stack heap inflates to 7 MB.
 */
const KEPT_WHILE_COUNTING = 32 * 1024 * 1024;

/**
 * Inflates gzip data, streaming, and stops as soon as the output passes `maxInflated`; other
 * bytes are returned as they are (as a plain Uint8Array, which decodes faster than a Buffer).
 */
export function gunzipIfNeeded(bytes: Uint8Array, maxInflated = DEFAULT_MAX_INFLATED): Uint8Array {
  if (!isGzip(bytes)) return plain(bytes);
  let chunks: Uint8Array[] | null = [];
  let size = 0;
  inflateChunks(bytes, (chunk) => {
    size += chunk.length;
    if (size > maxInflated) {
      throw new LivepprofError(
        'too-large',
        `gzip data inflates to more than the --max-inflated limit of ${formatLimit(maxInflated)} (a gzip bomb, or a huge profile: raise --max-inflated)`,
      );
    }
    if (size > KEPT_WHILE_COUNTING) chunks = null;
    else chunks?.push(chunk);
  });
  if (chunks) return concat(chunks, size);
  const out = new Uint8Array(size);
  let off = 0;
  inflateChunks(bytes, (chunk) => {
    out.set(chunk, off);
    off += chunk.length;
  });
  return out;
}

/** Runs pako's streaming inflate, handing each output chunk to `onChunk` (which may throw to stop). */
function inflateChunks(bytes: Uint8Array, onChunk: (chunk: Uint8Array) => void): void {
  const inflator = new pako.Inflate();
  inflator.onData = (data) => onChunk(data as Uint8Array); // binary output: always a Uint8Array
  inflator.push(bytes, true);
  if (inflator.err) {
    const why = inflator.msg || `zlib error ${inflator.err}`;
    const truncated = /unexpected end|buffer error|incomplete/i.test(why) || inflator.err === BUF_ERROR;
    throw new LivepprofError(
      truncated ? 'truncated' : 'not-profile',
      truncated
        ? `gzip data is truncated (${bytes.length} bytes received): the transfer was cut off or the file is incomplete`
        : `gzip data is corrupt (${why}): not a readable profile`,
    );
  }
}

/** zlib's Z_BUF_ERROR: pako's verdict on input that ends before the gzip stream does. */
const BUF_ERROR = -5;

/** "256 MiB" for a round size, else the exact bytes. */
function formatLimit(n: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return plain(chunks[0]!);
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function plain(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes a pprof profile (gzipped or not). Throws LivepprofError for anything else. */
export function decodeProfile(input: Uint8Array, limits: DecodeLimits = {}): Profile {
  if (input.length === 0) throw new LivepprofError('not-profile', 'empty input (0 bytes), not a profile');
  const bytes = gunzipIfNeeded(input, limits.maxInflated);
  if (bytes.length === 0) throw new LivepprofError('not-profile', 'gzip data holds nothing (0 bytes), not a profile');
  try {
    return decodeProto(bytes);
  } catch (e) {
    if (!(e instanceof LivepprofError)) throw e;
    // Not a profile after all: say what it looks like (a login page, the debug=1 text, JSON).
    const looks = describeNonProfile(bytes);
    if (looks) throw new LivepprofError('not-profile', `input is ${looks}`);
    throw e;
  }
}

// ---- profile.proto --------------------------------------------------------------------------

function malformed(what: string): LivepprofError {
  return new LivepprofError('malformed', `malformed profile: ${what}`);
}

function expectWire(wire: number, want: number, field: string): void {
  if (wire !== want) {
    throw new LivepprofError('not-profile', `not a pprof profile: field ${field} has protobuf wire type ${wire}, expected ${want}`);
  }
}

interface RawValueType {
  type: number;
  unit: number;
}
interface RawMapping {
  id: number;
  start: bigint;
  limit: bigint;
  offset: bigint;
  file: number;
  buildId: number;
  hasFunctions: boolean;
}
interface RawFunction {
  id: number;
  name: number;
  systemName: number;
  filename: number;
  startLine: number;
}
interface RawLocation {
  id: number;
  mappingId: number;
  address: bigint;
  /** function id, line, function id, line, … innermost first */
  lines: number[];
  isFolded: boolean;
}

function readValueType(r: ProtoReader, [start, end]: [number, number]): RawValueType {
  r.reset(start, end);
  const vt: RawValueType = { type: 0, unit: 0 };
  while (!r.done()) {
    const tag = r.uint();
    const wire = tag & 7;
    switch (Math.floor(tag / 8)) {
      case 1:
        expectWire(wire, WIRE_VARINT, 'ValueType.type');
        vt.type = r.int64();
        break;
      case 2:
        expectWire(wire, WIRE_VARINT, 'ValueType.unit');
        vt.unit = r.int64();
        break;
      default:
        r.skip(wire);
    }
  }
  return vt;
}

function readMapping(r: ProtoReader, [start, end]: [number, number]): RawMapping {
  r.reset(start, end);
  const m: RawMapping = { id: 0, start: 0n, limit: 0n, offset: 0n, file: 0, buildId: 0, hasFunctions: false };
  while (!r.done()) {
    const tag = r.uint();
    const wire = tag & 7;
    const field = Math.floor(tag / 8);
    if (field >= 1 && field <= 10) expectWire(wire, WIRE_VARINT, `Mapping.${field}`);
    switch (field) {
      case 1:
        m.id = r.uint();
        break;
      case 2:
        m.start = r.uint64();
        break;
      case 3:
        m.limit = r.uint64();
        break;
      case 4:
        m.offset = r.uint64();
        break;
      case 5:
        m.file = r.int64();
        break;
      case 6:
        m.buildId = r.int64();
        break;
      case 7:
        m.hasFunctions = r.uint() !== 0;
        break;
      default:
        r.skip(wire);
    }
  }
  return m;
}

function readFunction(r: ProtoReader, [start, end]: [number, number]): RawFunction {
  r.reset(start, end);
  const f: RawFunction = { id: 0, name: 0, systemName: 0, filename: 0, startLine: 0 };
  while (!r.done()) {
    const tag = r.uint();
    const wire = tag & 7;
    const field = Math.floor(tag / 8);
    if (field >= 1 && field <= 5) expectWire(wire, WIRE_VARINT, `Function.${field}`);
    switch (field) {
      case 1:
        f.id = r.uint();
        break;
      case 2:
        f.name = r.int64();
        break;
      case 3:
        f.systemName = r.int64();
        break;
      case 4:
        f.filename = r.int64();
        break;
      case 5:
        f.startLine = r.int64();
        break;
      default:
        r.skip(wire);
    }
  }
  return f;
}

function readLocation(r: ProtoReader, [start, end]: [number, number]): RawLocation {
  r.reset(start, end);
  const loc: RawLocation = { id: 0, mappingId: 0, address: 0n, lines: [], isFolded: false };
  while (!r.done()) {
    const tag = r.uint();
    const wire = tag & 7;
    switch (Math.floor(tag / 8)) {
      case 1:
        expectWire(wire, WIRE_VARINT, 'Location.id');
        loc.id = r.uint();
        break;
      case 2:
        expectWire(wire, WIRE_VARINT, 'Location.mapping_id');
        loc.mappingId = r.uint();
        break;
      case 3:
        expectWire(wire, WIRE_VARINT, 'Location.address');
        loc.address = r.uint64();
        break;
      case 4: {
        expectWire(wire, WIRE_BYTES, 'Location.line');
        const [ls, le] = r.bytes();
        const lr = new ProtoReader(r.buf, ls, le);
        let fn = 0;
        let line = 0;
        while (!lr.done()) {
          const t = lr.uint();
          const w = t & 7;
          const f = Math.floor(t / 8);
          if (f === 1 || f === 2) expectWire(w, WIRE_VARINT, 'Line');
          if (f === 1) fn = lr.uint();
          else if (f === 2) line = lr.int64();
          else lr.skip(w);
        }
        loc.lines.push(fn, line);
        break;
      }
      case 5:
        expectWire(wire, WIRE_VARINT, 'Location.is_folded');
        loc.isFolded = r.uint() !== 0;
        break;
      default:
        r.skip(wire);
    }
  }
  return loc;
}

/** Looks entities up by protobuf id: an array for the usual dense 1..N ids, a map otherwise. */
class IdIndex<T> {
  private readonly dense: Array<T | undefined> = [];
  private readonly sparse = new Map<number, T>();
  constructor(
    private readonly denseLimit: number,
    private readonly what: string,
  ) {}
  set(id: number, v: T): void {
    // As pprof's CheckValid: which one a reference meant would be a guess.
    if (this.get(id) !== undefined) throw malformed(`multiple ${this.what} with the same id ${id}`);
    if (id < this.denseLimit) this.dense[id] = v;
    else this.sparse.set(id, v);
  }
  get(id: number): T | undefined {
    return id < this.denseLimit ? this.dense[id] : this.sparse.get(id);
  }
}

function decodeProto(buf: Uint8Array): Profile {
  const r = new ProtoReader(buf);
  const sampleTypeRanges: Array<[number, number]> = [];
  const sampleRanges: number[] = [];
  const mappingRanges: Array<[number, number]> = [];
  const locationRanges: Array<[number, number]> = [];
  const functionRanges: Array<[number, number]> = [];
  const strings: string[] = [];
  const comments: number[] = [];
  let periodTypeRange: [number, number] | null = null;
  let dropFrames = 0;
  let keepFrames = 0;
  let timeNanos = 0;
  let durationNanos = 0;
  let period = 0;
  let defaultSampleType = 0;

  while (!r.done()) {
    const tag = r.uint();
    const wire = tag & 7;
    const field = Math.floor(tag / 8);
    switch (field) {
      case 0:
        throw new LivepprofError('not-profile', `binary data that is not a pprof profile (field number 0 at byte ${r.pos})`);
      case 1:
      case 2:
      case 3:
      case 4:
      case 5:
      case 6:
      case 11: {
        expectWire(wire, WIRE_BYTES, `Profile.${field}`);
        const range = r.bytes();
        if (field === 1) sampleTypeRanges.push(range);
        else if (field === 2) sampleRanges.push(range[0], range[1]);
        else if (field === 3) mappingRanges.push(range);
        else if (field === 4) locationRanges.push(range);
        else if (field === 5) functionRanges.push(range);
        else if (field === 6) strings.push(decodeString(buf, range[0], range[1]));
        else periodTypeRange = range;
        break;
      }
      case 13:
        r.repeated(wire, (x) => x.int64(), (v) => comments.push(v));
        break;
      case 7:
      case 8:
      case 9:
      case 10:
      case 12:
      case 14:
      case 15: {
        expectWire(wire, WIRE_VARINT, `Profile.${field}`);
        const v = r.int64();
        if (field === 7) dropFrames = v;
        else if (field === 8) keepFrames = v;
        else if (field === 9) timeNanos = v;
        else if (field === 10) durationNanos = v;
        else if (field === 12) period = v;
        else if (field === 14) defaultSampleType = v;
        break;
      }
      default:
        r.skip(wire);
    }
  }

  if (strings.length === 0 || strings[0] !== '') {
    throw malformed('the string table must start with an empty string (this does not look like a pprof profile)');
  }
  const str = (i: number, what: string): string => {
    const s = strings[i];
    if (s === undefined) throw malformed(`${what} refers to string ${i}, outside the table of ${strings.length}`);
    return s;
  };

  const sampleTypes: ValueType[] = sampleTypeRanges.map((range, i) => {
    const vt = readValueType(r, range);
    return { type: str(vt.type, `sample type ${i}`), unit: str(vt.unit, `sample type ${i}`) };
  });
  if (sampleTypes.length === 0) throw new LivepprofError('not-profile', 'not a pprof profile: it declares no sample types');

  const mappingsById = new IdIndex<Mapping>(mappingRanges.length * 2 + 16, 'mappings');
  const mappings: Mapping[] = mappingRanges.map((range, index) => {
    const m = readMapping(r, range);
    const mapping: Mapping = {
      index,
      start: m.start,
      limit: m.limit,
      offset: m.offset,
      file: str(m.file, 'a mapping'),
      buildId: str(m.buildId, 'a mapping'),
      hasFunctions: m.hasFunctions,
    };
    if (m.id === 0) throw malformed('a mapping has the reserved id 0');
    mappingsById.set(m.id, mapping);
    return mapping;
  });

  const functionsById = new IdIndex<ProfileFunction>(functionRanges.length * 2 + 16, 'functions');
  const functions: ProfileFunction[] = functionRanges.map((range, index) => {
    const f = readFunction(r, range);
    const fn: ProfileFunction = {
      index,
      name: str(f.name, 'a function'),
      systemName: str(f.systemName, 'a function'),
      filename: str(f.filename, 'a function'),
      startLine: f.startLine,
    };
    if (f.id === 0) throw malformed('a function has the reserved id 0');
    functionsById.set(f.id, fn);
    return fn;
  });

  const locationsById = new IdIndex<Location>(locationRanges.length * 2 + 16, 'locations');
  const locations: Location[] = locationRanges.map((range, index) => {
    const l = readLocation(r, range);
    const lines: Line[] = [];
    for (let i = 0; i < l.lines.length; i += 2) {
      const fid = l.lines[i]!;
      let fn: ProfileFunction | null = null;
      if (fid !== 0) {
        fn = functionsById.get(fid) ?? null;
        if (!fn) throw malformed(`location ${l.id} refers to function ${fid}, which does not exist`);
      }
      lines.push({ fn, line: l.lines[i + 1]! });
    }
    // A mapping id that names no mapping leaves the location without one, as pprof does.
    const mapping: Mapping | null = l.mappingId !== 0 ? (mappingsById.get(l.mappingId) ?? null) : null;
    if (l.id === 0) throw malformed('a location has the reserved id 0');
    const loc: Location = { index, mapping, address: l.address, lines, isFolded: l.isFolded };
    locationsById.set(l.id, loc);
    return loc;
  });

  const samples = decodeSamples(buf, sampleRanges, sampleTypes.length, locationsById, str);

  return {
    id: newProfileId(),
    sampleTypes,
    defaultSampleType: str(defaultSampleType, 'default_sample_type'),
    periodType: periodTypeRange
      ? (() => {
          const vt = readValueType(r, periodTypeRange);
          return { type: str(vt.type, 'period type'), unit: str(vt.unit, 'period type') };
        })()
      : null,
    period,
    timeNanos,
    durationNanos,
    comments: comments.map((c) => str(c, 'a comment')),
    dropFrames: str(dropFrames, 'drop_frames'),
    keepFrames: str(keepFrames, 'keep_frames'),
    mappings,
    locations,
    functions,
    samples,
  };
}

/**
 * Samples are decoded last (they need every location) in one tight pass straight into the
 * column table; identical label sets (heap: one `bytes` label per size class) are shared.
 */
function decodeSamples(
  buf: Uint8Array,
  ranges: number[],
  nTypes: number,
  locationsById: IdIndex<Location>,
  str: (i: number, what: string) => string,
): Samples {
  const count = ranges.length / 2;
  // Every sample carries nTypes values, and every frame a location id, of at least a byte each:
  // allocations sized from the input stay a small multiple of it, however hostile the counts.
  if (count * nTypes > buf.length) throw malformed(`${count} samples of ${nTypes} values cannot fit in ${buf.length} bytes`);
  const out = new SamplesBuilder(nTypes, count, Math.min(count * 8, buf.length));
  const r = new ProtoReader(buf);
  const inner = new ProtoReader(buf);
  const labelSets = new Map<string, LabelSet>();
  const rawLabels: number[] = [];
  for (let si = 0; si < count; si++) {
    r.reset(ranges[2 * si]!, ranges[2 * si + 1]!);
    out.beginSample();
    let nValues = 0;
    rawLabels.length = 0;
    while (!r.done()) {
      const tag = r.uint();
      const wire = tag & 7;
      switch (Math.floor(tag / 8)) {
        case 1: {
          if (wire === WIRE_VARINT) {
            out.addLocation(locationOf(r.uint(), si, locationsById));
          } else {
            expectWire(wire, WIRE_BYTES, 'Sample.location_id');
            const [s, e] = r.bytes();
            inner.reset(s, e);
            while (!inner.done()) out.addLocation(locationOf(inner.uint(), si, locationsById));
          }
          break;
        }
        case 2: {
          if (wire === WIRE_VARINT) {
            if (nValues < nTypes) out.setValue(nValues, r.int64());
            else r.int64();
            nValues++;
          } else {
            expectWire(wire, WIRE_BYTES, 'Sample.value');
            const [s, e] = r.bytes();
            inner.reset(s, e);
            while (!inner.done()) {
              const v = inner.int64();
              if (nValues < nTypes) out.setValue(nValues, v);
              nValues++;
            }
          }
          break;
        }
        case 3: {
          expectWire(wire, WIRE_BYTES, 'Sample.label');
          const [s, e] = r.bytes();
          inner.reset(s, e);
          let key = 0;
          let sv = 0;
          let num = 0;
          let unit = 0;
          while (!inner.done()) {
            const t = inner.uint();
            const w = t & 7;
            const f = Math.floor(t / 8);
            if (f >= 1 && f <= 4) expectWire(w, WIRE_VARINT, 'Label');
            if (f === 1) key = inner.int64();
            else if (f === 2) sv = inner.int64();
            else if (f === 3) num = inner.int64();
            else if (f === 4) unit = inner.int64();
            else inner.skip(w);
          }
          rawLabels.push(key, sv, num, unit);
          break;
        }
        default:
          r.skip(wire);
      }
    }
    if (nValues !== nTypes) {
      throw malformed(`sample ${si} has ${nValues} values but the profile declares ${nTypes} sample types`);
    }
    if (rawLabels.length > 0) out.setLabels(internLabels(rawLabels, labelSets, str));
    out.endSample();
  }
  return out.build();
}

function locationOf(id: number, si: number, index: IdIndex<Location>): number {
  const loc = index.get(id);
  if (!loc) throw malformed(`sample ${si} refers to location ${id}, which does not exist`);
  return loc.index;
}

/** pprof semantics: a label with a string value is a string label, else a numeric one (with optional unit). */
function internLabels(raw: number[], cache: Map<string, LabelSet>, str: (i: number, what: string) => string): LabelSet {
  const cacheKey = raw.join(',');
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  let labels: Record<string, string[]> | null = null;
  let numLabels: Record<string, number[]> | null = null;
  let numUnits: Record<string, string[]> | null = null;
  for (let i = 0; i < raw.length; i += 4) {
    const key = str(raw[i]!, 'a label');
    const sv = raw[i + 1]!;
    const num = raw[i + 2]!;
    const unit = raw[i + 3]!;
    if (sv !== 0) {
      labels ??= {};
      (labels[key] ??= []).push(str(sv, 'a label'));
    } else if (num !== 0 || unit !== 0) {
      numLabels ??= {};
      const values = (numLabels[key] ??= []);
      if (unit !== 0) {
        numUnits ??= {};
        const units = (numUnits[key] ??= []);
        while (units.length < values.length) units.push('');
        units.push(str(unit, 'a label'));
      }
      values.push(num);
    }
  }
  const out: LabelSet = { labels, numLabels, numUnits };
  cache.set(cacheKey, out);
  return out;
}
