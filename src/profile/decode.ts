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

/** How one field is read into the value being built; `r` stands at the field's value. */
interface Field<T> {
  wire: typeof WIRE_VARINT | typeof WIRE_BYTES;
  /** A repeated number, which Go packs into one length-delimited run when there are more than two. */
  packed?: true;
  read(r: ProtoReader, into: T): void;
}

/** A message of profile.proto: its name (for errors) and its known fields by number. */
interface Message<T> {
  name: string;
  fields: ReadonlyArray<Field<T> | undefined>;
}

function message<T>(name: string, byNumber: Record<number, Field<T>>): Message<T> {
  const fields: Array<Field<T> | undefined> = [];
  for (const [n, f] of Object.entries(byNumber)) fields[Number(n)] = f;
  return { name, fields };
}

function varint<T>(read: (r: ProtoReader, into: T) => void): Field<T> {
  return { wire: WIRE_VARINT, read };
}
function packed<T>(read: (r: ProtoReader, into: T) => void): Field<T> {
  return { wire: WIRE_VARINT, packed: true, read };
}
/** A length-delimited field: `read` gets the [start, end) of its bytes. */
function bytes<T>(read: (r: ProtoReader, into: T, start: number, end: number) => void): Field<T> {
  return {
    wire: WIRE_BYTES,
    read: (r, into) => {
      const [start, end] = r.bytes();
      read(r, into, start, end);
    },
  };
}
/** A field whose wire type is checked but whose value this tool does not use. */
const unused: Field<unknown> = varint((r) => r.uint64());

/**
 * The one loop over a message's fields: reads the message in [start, end) of r's buffer into
 * `into`, and leaves r where it was, so a field may read a nested message with the same reader.
 * Unknown fields are skipped, as protobuf requires; a known field with another wire type, or the
 * invalid field number 0, means the bytes are not a profile.
 */
function readMessage<T>(r: ProtoReader, start: number, end: number, msg: Message<T>, into: T): T {
  const resumeAt = r.pos;
  const resumeEnd = r.end;
  r.reset(start, end);
  while (!r.done()) {
    const tag = r.uint();
    const wire = tag & 7;
    const number = Math.floor(tag / 8);
    const field = msg.fields[number];
    if (field !== undefined && wire === field.wire) {
      field.read(r, into);
    } else if (field?.packed && wire === WIRE_BYTES) {
      const [s, e] = r.bytes();
      r.reset(s, e);
      while (!r.done()) field.read(r, into);
      r.reset(e, end);
    } else if (field !== undefined) {
      throw new LivepprofError('not-profile', `not a pprof profile: field ${msg.name}.${number} has protobuf wire type ${wire}, expected ${field.wire}`);
    } else if (number === 0) {
      throw new LivepprofError('not-profile', `binary data that is not a pprof profile (field number 0 in ${msg.name} at byte ${r.pos})`);
    } else {
      r.skip(wire);
    }
  }
  r.reset(resumeAt, resumeEnd);
  return into;
}

type Range = [start: number, end: number];

/** The top level, read first: messages that refer to others are kept as ranges and read in order. */
interface RawProfile {
  sampleTypes: Range[];
  /** start, end, start, end, … (one pair per sample: there are many). */
  samples: number[];
  mappings: Range[];
  locations: Range[];
  functions: Range[];
  strings: string[];
  comments: number[];
  periodType: Range | null;
  dropFrames: number;
  keepFrames: number;
  timeNanos: number;
  durationNanos: number;
  period: number;
  defaultSampleType: number;
  docUrl: number;
}

const PROFILE = message<RawProfile>('Profile', {
  1: bytes((_, p, s, e) => p.sampleTypes.push([s, e])),
  2: bytes((_, p, s, e) => p.samples.push(s, e)),
  3: bytes((_, p, s, e) => p.mappings.push([s, e])),
  4: bytes((_, p, s, e) => p.locations.push([s, e])),
  5: bytes((_, p, s, e) => p.functions.push([s, e])),
  6: bytes((r, p, s, e) => p.strings.push(decodeString(r.buf, s, e))),
  7: varint((r, p) => (p.dropFrames = r.int64())),
  8: varint((r, p) => (p.keepFrames = r.int64())),
  9: varint((r, p) => (p.timeNanos = r.int64())),
  10: varint((r, p) => (p.durationNanos = r.int64())),
  11: bytes((_, p, s, e) => (p.periodType = [s, e])),
  12: varint((r, p) => (p.period = r.int64())),
  13: packed((r, p) => p.comments.push(r.int64())),
  14: varint((r, p) => (p.defaultSampleType = r.int64())),
  15: varint((r, p) => (p.docUrl = r.int64())),
});

interface RawValueType {
  type: number;
  unit: number;
}
const VALUE_TYPE = message<RawValueType>('ValueType', {
  1: varint((r, vt) => (vt.type = r.int64())),
  2: varint((r, vt) => (vt.unit = r.int64())),
});

interface RawMapping {
  id: number;
  start: bigint;
  limit: bigint;
  offset: bigint;
  file: number;
  buildId: number;
  hasFunctions: boolean;
}
const MAPPING = message<RawMapping>('Mapping', {
  1: varint((r, m) => (m.id = r.uint())),
  2: varint((r, m) => (m.start = r.uint64())),
  3: varint((r, m) => (m.limit = r.uint64())),
  4: varint((r, m) => (m.offset = r.uint64())),
  5: varint((r, m) => (m.file = r.int64())),
  6: varint((r, m) => (m.buildId = r.int64())),
  7: varint((r, m) => (m.hasFunctions = r.uint() !== 0)),
  8: unused, // has_filenames
  9: unused, // has_line_numbers
  10: unused, // has_inline_frames
});

interface RawFunction {
  id: number;
  name: number;
  systemName: number;
  filename: number;
  startLine: number;
}
const FUNCTION = message<RawFunction>('Function', {
  1: varint((r, f) => (f.id = r.uint())),
  2: varint((r, f) => (f.name = r.int64())),
  3: varint((r, f) => (f.systemName = r.int64())),
  4: varint((r, f) => (f.filename = r.int64())),
  5: varint((r, f) => (f.startLine = r.int64())),
});

interface RawLocation {
  id: number;
  mappingId: number;
  address: bigint;
  /** function id, line, function id, line, … innermost first */
  lines: number[];
  isFolded: boolean;
}
/** A Line is read into the last (function id, line) pair of its location. */
const LINE = message<RawLocation>('Line', {
  1: varint((r, l) => (l.lines[l.lines.length - 2] = r.uint())),
  2: varint((r, l) => (l.lines[l.lines.length - 1] = r.int64())),
});
const LOCATION = message<RawLocation>('Location', {
  1: varint((r, l) => (l.id = r.uint())),
  2: varint((r, l) => (l.mappingId = r.uint())),
  3: varint((r, l) => (l.address = r.uint64())),
  4: bytes((r, l, s, e) => {
    l.lines.push(0, 0);
    readMessage(r, s, e, LINE, l);
  }),
  5: varint((r, l) => (l.isFolded = r.uint() !== 0)),
});

/** What reading one sample needs: it goes straight into the column table. */
interface SampleReader {
  out: SamplesBuilder;
  index: number;
  nTypes: number;
  nValues: number;
  /** key, str, num, num_unit of each label, in order. */
  labels: number[];
  locationsById: IdIndex<Location>;
}
/** A Label is read into the last four numbers of its sample's labels. */
const LABEL = message<number[]>('Label', {
  1: varint((r, l) => (l[l.length - 4] = r.int64())),
  2: varint((r, l) => (l[l.length - 3] = r.int64())),
  3: varint((r, l) => (l[l.length - 2] = r.int64())),
  4: varint((r, l) => (l[l.length - 1] = r.int64())),
});
const SAMPLE = message<SampleReader>('Sample', {
  1: packed((r, s) => s.out.addLocation(locationOf(r.uint(), s.index, s.locationsById))),
  2: packed((r, s) => {
    const v = r.int64();
    if (s.nValues < s.nTypes) s.out.setValue(s.nValues, v);
    s.nValues++;
  }),
  3: bytes((r, s, start, end) => {
    s.labels.push(0, 0, 0, 0);
    readMessage(r, start, end, LABEL, s.labels);
  }),
});

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
  const raw = readMessage<RawProfile>(r, 0, buf.length, PROFILE, {
    sampleTypes: [],
    samples: [],
    mappings: [],
    locations: [],
    functions: [],
    strings: [],
    comments: [],
    periodType: null,
    dropFrames: 0,
    keepFrames: 0,
    timeNanos: 0,
    durationNanos: 0,
    period: 0,
    defaultSampleType: 0,
    docUrl: 0,
  });
  const strings = raw.strings;

  if (strings.length === 0 || strings[0] !== '') {
    throw malformed('the string table must start with an empty string (this does not look like a pprof profile)');
  }
  const str = (i: number, what: string): string => {
    const s = strings[i];
    if (s === undefined) throw malformed(`${what} refers to string ${i}, outside the table of ${strings.length}`);
    return s;
  };

  const valueType = ([start, end]: Range, what: string): ValueType => {
    const vt = readMessage(r, start, end, VALUE_TYPE, { type: 0, unit: 0 });
    return { type: str(vt.type, what), unit: str(vt.unit, what) };
  };

  const sampleTypes: ValueType[] = raw.sampleTypes.map((range, i) => valueType(range, `sample type ${i}`));
  if (sampleTypes.length === 0) throw new LivepprofError('not-profile', 'not a pprof profile: it declares no sample types');

  const mappingsById = new IdIndex<Mapping>(raw.mappings.length * 2 + 16, 'mappings');
  const mappings: Mapping[] = raw.mappings.map(([start, end], index) => {
    const m = readMessage<RawMapping>(r, start, end, MAPPING, {
      id: 0, start: 0n, limit: 0n, offset: 0n, file: 0, buildId: 0, hasFunctions: false,
    });
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

  const functionsById = new IdIndex<ProfileFunction>(raw.functions.length * 2 + 16, 'functions');
  const functions: ProfileFunction[] = raw.functions.map(([start, end], index) => {
    const f = readMessage<RawFunction>(r, start, end, FUNCTION, { id: 0, name: 0, systemName: 0, filename: 0, startLine: 0 });
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

  const locationsById = new IdIndex<Location>(raw.locations.length * 2 + 16, 'locations');
  const locations: Location[] = raw.locations.map(([start, end], index) => {
    const l = readMessage<RawLocation>(r, start, end, LOCATION, { id: 0, mappingId: 0, address: 0n, lines: [], isFolded: false });
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

  const samples = decodeSamples(r, raw.samples, sampleTypes.length, locationsById, str);

  return {
    id: newProfileId(),
    sampleTypes,
    defaultSampleType: str(raw.defaultSampleType, 'default_sample_type'),
    periodType: raw.periodType ? valueType(raw.periodType, 'period type') : null,
    period: raw.period,
    timeNanos: raw.timeNanos,
    durationNanos: raw.durationNanos,
    comments: raw.comments.map((c) => str(c, 'a comment')),
    docUrl: str(raw.docUrl, 'doc_url'),
    dropFrames: str(raw.dropFrames, 'drop_frames'),
    keepFrames: str(raw.keepFrames, 'keep_frames'),
    mappings,
    locations,
    functions,
    samples,
  };
}

/**
 * Samples are decoded last (they need every location), straight into the column table;
 * identical label sets (heap: one `bytes` label per size class) are shared.
 */
function decodeSamples(
  r: ProtoReader,
  ranges: number[],
  nTypes: number,
  locationsById: IdIndex<Location>,
  str: (i: number, what: string) => string,
): Samples {
  const count = ranges.length / 2;
  const size = r.buf.length;
  // Every sample carries nTypes values, and every frame a location id, of at least a byte each:
  // allocations sized from the input stay a small multiple of it, however hostile the counts.
  if (count * nTypes > size) throw malformed(`${count} samples of ${nTypes} values cannot fit in ${size} bytes`);
  const out = new SamplesBuilder(nTypes, count, Math.min(count * 8, size));
  const labelSets = new Map<string, LabelSet>();
  const sample: SampleReader = { out, index: 0, nTypes, nValues: 0, labels: [], locationsById };
  for (let si = 0; si < count; si++) {
    sample.index = si;
    sample.nValues = 0;
    sample.labels.length = 0;
    out.beginSample();
    readMessage(r, ranges[2 * si]!, ranges[2 * si + 1]!, SAMPLE, sample);
    if (sample.nValues !== nTypes) {
      throw malformed(`sample ${si} has ${sample.nValues} values but the profile declares ${nTypes} sample types`);
    }
    if (sample.labels.length > 0) out.setLabels(internLabels(sample.labels, labelSets, str));
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
