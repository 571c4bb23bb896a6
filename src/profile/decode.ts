// Bytes → resolved Profile: gzip sniffed by magic bytes, protobuf decoded with pprof-format,
// then ids and string indices resolved and checked. Anything that is not a profile becomes a
// LivepprofError with one line saying what it looks like.

import pako from 'pako';
import { Profile as PbProfile } from 'pprof-format';
import { LivepprofError, errorMessage } from '../errors.js';
import type { Line, Location, Mapping, Profile, ProfileFunction, Sample, ValueType } from './model.js';
import { newProfileId } from './model.js';
import { describeNonProfile, looksLikeText } from './sniff.js';

type Numeric = number | bigint;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Inflates gzip data; other bytes are returned as they are (as a plain Uint8Array, which decodes faster than a Buffer). */
export function gunzipIfNeeded(bytes: Uint8Array): Uint8Array {
  if (!isGzip(bytes)) return plain(bytes);
  try {
    return pako.inflate(bytes);
  } catch (e) {
    const why = errorMessage(e);
    const truncated = /unexpected end|buffer error|incomplete/i.test(why) || why === 'undefined';
    throw new LivepprofError(
      truncated ? 'truncated' : 'not-profile',
      truncated
        ? `gzip data is truncated (${bytes.length} bytes received): the transfer was cut off or the file is incomplete`
        : `gzip data is corrupt (${why}): not a readable profile`,
    );
  }
}

function plain(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes a pprof profile (gzipped or not). Throws LivepprofError for anything else. */
export function decodeProfile(input: Uint8Array): Profile {
  if (input.length === 0) throw new LivepprofError('not-profile', 'empty input (0 bytes), not a profile');
  const bytes = gunzipIfNeeded(input);
  if (bytes.length === 0) throw new LivepprofError('not-profile', 'gzip data holds nothing (0 bytes), not a profile');
  if (looksLikeText(bytes)) {
    throw new LivepprofError('not-profile', `input is ${describeNonProfile(bytes)}`);
  }
  const framing = checkFraming(bytes);
  if (framing) {
    const legacy = describeNonProfile(bytes);
    if (legacy) throw new LivepprofError('not-profile', `input is ${legacy}`);
    throw new LivepprofError(framing.kind, framing.message);
  }
  let pb: PbProfile;
  try {
    pb = PbProfile.decode(bytes);
  } catch (e) {
    throw new LivepprofError('not-profile', `not a pprof profile: protobuf decoding failed (${errorMessage(e)})`);
  }
  return resolve(pb);
}

// ---- protobuf framing ---------------------------------------------------------------------
// pprof-format silently stops at a cut-off field; walking the top-level fields first turns
// a truncated transfer into a clear error, and non-protobuf binary into "not a profile".

interface FramingProblem {
  kind: 'truncated' | 'not-profile';
  message: string;
}

function readVarint(b: Uint8Array, pos: number): [number, number] | null {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= b.length) return null;
    const c = b[pos + i]!;
    value += (c & 0x7f) * mul;
    mul *= 128;
    if (c < 0x80) return [value, pos + i + 1];
  }
  return null;
}

function checkFraming(b: Uint8Array): FramingProblem | null {
  let pos = 0;
  const notProfile = (why: string): FramingProblem => ({
    kind: 'not-profile',
    message: `binary data that is not a pprof profile (${why} at byte ${pos})`,
  });
  while (pos < b.length) {
    const tag = readVarint(b, pos);
    if (!tag) return { kind: 'truncated', message: `profile is truncated: cut off inside a field tag at byte ${pos} of ${b.length}` };
    const field = Math.floor(tag[0] / 8);
    const wire = tag[0] % 8;
    if (field === 0) return notProfile('field number 0');
    let next = tag[1];
    switch (wire) {
      case 0: {
        const v = readVarint(b, next);
        if (!v) return { kind: 'truncated', message: `profile is truncated: cut off inside a number at byte ${next} of ${b.length}` };
        next = v[1];
        break;
      }
      case 1:
        next += 8;
        break;
      case 5:
        next += 4;
        break;
      case 2: {
        const len = readVarint(b, next);
        if (!len) return { kind: 'truncated', message: `profile is truncated: cut off inside a length at byte ${next} of ${b.length}` };
        next = len[1] + len[0];
        if (next > b.length) {
          return {
            kind: 'truncated',
            message: `profile is truncated: field ${field} needs ${len[0]} bytes but only ${b.length - len[1]} remain (${b.length} bytes in all)`,
          };
        }
        break;
      }
      default:
        return notProfile(`invalid protobuf wire type ${wire}`);
    }
    // pprof.proto's top-level fields are 1–15 and never fixed-width.
    if (field > 15 || wire === 1 || wire === 5) return notProfile(`unexpected field ${field} (wire type ${wire})`);
    if (next > b.length) return { kind: 'truncated', message: `profile is truncated at byte ${b.length}` };
    pos = next;
  }
  return null;
}

// ---- resolution ---------------------------------------------------------------------------

function malformed(what: string): LivepprofError {
  return new LivepprofError('malformed', `malformed profile: ${what}`);
}

/** int64 fields arrive as unsigned varints: negatives (saved diffs, deltas) are huge BigInts. */
function int64(v: Numeric | undefined): number {
  if (v === undefined) return 0;
  return typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v;
}

function uint64(v: Numeric | undefined): bigint {
  if (v === undefined) return 0n;
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** An id as a map key: small ids as numbers, others as strings (never lossy). */
function idKey(v: Numeric): number | string {
  if (typeof v === 'number') return v;
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

function resolve(pb: PbProfile): Profile {
  const strings = pb.stringTable?.strings ?? [];
  if (strings.length === 0 || strings[0] !== '') {
    throw malformed('the string table must start with an empty string (this does not look like a pprof profile)');
  }
  const str = (v: Numeric | undefined, what: string): string => {
    const i = typeof v === 'bigint' ? -1 : (v ?? 0);
    const s = strings[i];
    if (s === undefined) throw malformed(`${what} refers to string ${String(v)}, outside the table of ${strings.length}`);
    return s;
  };

  const sampleTypes: ValueType[] = pb.sampleType.map((t, i) => ({
    type: str(t.type, `sample type ${i}`),
    unit: str(t.unit, `sample type ${i}`),
  }));
  if (sampleTypes.length === 0) {
    throw new LivepprofError('not-profile', 'not a pprof profile: it declares no sample types');
  }

  const mappingsById = new Map<number | string, Mapping>();
  const mappings: Mapping[] = pb.mapping.map((m, index) => {
    const mapping: Mapping = {
      index,
      start: uint64(m.memoryStart),
      limit: uint64(m.memoryLimit),
      offset: uint64(m.fileOffset),
      file: str(m.filename, 'a mapping'),
      buildId: str(m.buildId, 'a mapping'),
      hasFunctions: !!m.hasFunctions,
    };
    mappingsById.set(idKey(m.id), mapping);
    return mapping;
  });

  const functionsById = new Map<number | string, ProfileFunction>();
  const functions: ProfileFunction[] = pb.function.map((f, index) => {
    const fn: ProfileFunction = {
      index,
      name: str(f.name, 'a function'),
      systemName: str(f.systemName, 'a function'),
      filename: str(f.filename, 'a function'),
      startLine: int64(f.startLine),
    };
    const key = idKey(f.id);
    if (key === 0) throw malformed('a function has the reserved id 0');
    functionsById.set(key, fn);
    return fn;
  });

  const locationsById = new Map<number | string, Location>();
  const locations: Location[] = pb.location.map((l, index) => {
    const lines: Line[] = l.line.map((ln) => {
      const fid = idKey(ln.functionId);
      let fn: ProfileFunction | null = null;
      if (fid !== 0) {
        fn = functionsById.get(fid) ?? null;
        if (!fn) throw malformed(`location ${String(l.id)} refers to function ${String(ln.functionId)}, which does not exist`);
      }
      return { fn, line: int64(ln.line) };
    });
    const mid = idKey(l.mappingId);
    let mapping: Mapping | null = null;
    if (mid !== 0) {
      mapping = mappingsById.get(mid) ?? null;
      if (!mapping) throw malformed(`location ${String(l.id)} refers to mapping ${String(l.mappingId)}, which does not exist`);
    }
    const loc: Location = { index, mapping, address: uint64(l.address), lines, isFolded: !!l.isFolded };
    const key = idKey(l.id);
    if (key === 0) throw malformed('a location has the reserved id 0');
    locationsById.set(key, loc);
    return loc;
  });

  const nTypes = sampleTypes.length;
  const samples: Sample[] = new Array(pb.sample.length);
  for (let si = 0; si < pb.sample.length; si++) {
    const s = pb.sample[si]!;
    if (s.value.length !== nTypes) {
      throw malformed(`sample ${si} has ${s.value.length} values but the profile declares ${nTypes} sample types`);
    }
    const locs: Location[] = new Array(s.locationId.length);
    for (let i = 0; i < s.locationId.length; i++) {
      const id = s.locationId[i]!;
      const loc = locationsById.get(typeof id === 'number' ? id : idKey(id));
      if (!loc) throw malformed(`sample ${si} refers to location ${String(id)}, which does not exist`);
      locs[i] = loc;
    }
    const values: number[] = new Array(nTypes);
    for (let i = 0; i < nTypes; i++) values[i] = int64(s.value[i]);
    samples[si] = { locations: locs, values, ...resolveLabels(s.label, str) };
  }

  return {
    id: newProfileId(),
    sampleTypes,
    defaultSampleType: str(pb.defaultSampleType, 'default_sample_type'),
    periodType: pb.periodType ? { type: str(pb.periodType.type, 'period type'), unit: str(pb.periodType.unit, 'period type') } : null,
    period: int64(pb.period),
    timeNanos: int64(pb.timeNanos),
    durationNanos: int64(pb.durationNanos),
    comments: pb.comment.map((c) => str(c, 'a comment')),
    dropFrames: str(pb.dropFrames, 'drop_frames'),
    keepFrames: str(pb.keepFrames, 'keep_frames'),
    mappings,
    locations,
    functions,
    samples,
  };
}

type Labels = Pick<Sample, 'labels' | 'numLabels' | 'numUnits'>;

/** pprof semantics: a label with a string value is a string label, else a numeric one (with optional unit). */
function resolveLabels(
  pbLabels: PbProfile['sample'][number]['label'],
  str: (v: Numeric | undefined, what: string) => string,
): Labels {
  if (pbLabels.length === 0) return { labels: null, numLabels: null, numUnits: null };
  let labels: Record<string, string[]> | null = null;
  let numLabels: Record<string, number[]> | null = null;
  let numUnits: Record<string, string[]> | null = null;
  for (const l of pbLabels) {
    const key = str(l.key, 'a label');
    if (l.str) {
      labels ??= {};
      (labels[key] ??= []).push(str(l.str, 'a label'));
    } else if (l.num || l.numUnit) {
      numLabels ??= {};
      const values = (numLabels[key] ??= []);
      if (l.numUnit) {
        numUnits ??= {};
        const units = (numUnits[key] ??= []);
        while (units.length < values.length) units.push('');
        units.push(str(l.numUnit, 'a label'));
      }
      values.push(int64(l.num));
    }
  }
  return { labels, numLabels, numUnits };
}
