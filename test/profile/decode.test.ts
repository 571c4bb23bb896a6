import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import pako from 'pako';
import { Profile as PbProfile } from 'pprof-format';
import { describe, expect, it } from 'vitest';
import { LivepprofError } from '../../src/errors.js';
import { DEFAULT_MAX_INFLATED, decodeProfile } from '../../src/profile/decode.js';
import { defaultSampleIndex, resolveSampleIndex, sampleFrames, sampleLabels, type Profile } from '../../src/profile/model.js';
import { GO119, PEER, SHARED_FIXTURES } from '../helpers/paths.js';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const indices = (p: Profile) => Array.from({ length: p.samples.count }, (_, i) => i);
const valuesOf = (p: Profile, i: number) => Array.from(p.samples.values.subarray(i * p.samples.nTypes, (i + 1) * p.samples.nTypes));

function read(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

function decodeError(bytes: Uint8Array): LivepprofError {
  try {
    decodeProfile(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(LivepprofError);
    return e as LivepprofError;
  }
  throw new Error('expected decodeProfile to fail');
}

describe('decodeProfile on every shared fixture', () => {
  const files = walk(SHARED_FIXTURES);
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThan(50);
  });
  for (const file of files) {
    it(`decodes or clearly rejects ${relative(SHARED_FIXTURES, file)}`, () => {
      const bytes = read(file);
      let result: 'ok' | LivepprofError;
      try {
        const p = decodeProfile(bytes);
        expect(p.sampleTypes.length).toBeGreaterThan(0);
        expect(p.samples.nTypes).toBe(p.sampleTypes.length);
        expect(p.samples.stackStart).toHaveLength(p.samples.count + 1);
        for (const loc of p.samples.locIndex) expect(loc).toBeLessThan(p.locations.length);
        result = 'ok';
      } catch (e) {
        expect(e).toBeInstanceOf(LivepprofError);
        result = e as LivepprofError;
      }
      if (result !== 'ok') {
        // One line that says what it is, never a stack trace or a raw parser message.
        expect(result.message).not.toContain('\n');
        expect(result.message).toMatch(/not a profile|not a pprof profile|not the protobuf|does not read|empty input/);
        expect(result.message).not.toMatch(/at .*\.js:\d+/);
      }
      // Every protobuf profile in the fixtures must decode.
      const isProto = bytes[0] === 0x1f && bytes[1] === 0x8b;
      if (isProto) expect(result).toBe('ok');
    });
  }
});

describe('known values of the Go 1.19 captures', () => {
  it('heap.pb.gz: four sample types, no default type (so inuse_space), scaled values', () => {
    const p = decodeProfile(read(join(GO119, 'heap.pb.gz')));
    expect(p.sampleTypes).toEqual([
      { type: 'alloc_objects', unit: 'count' },
      { type: 'alloc_space', unit: 'bytes' },
      { type: 'inuse_objects', unit: 'count' },
      { type: 'inuse_space', unit: 'bytes' },
    ]);
    expect(p.defaultSampleType).toBe('');
    expect(defaultSampleIndex(p)).toBe(3);
    expect(p.periodType).toEqual({ type: 'space', unit: 'bytes' });
    expect(p.period).toBe(524288);
    expect(p.timeNanos).toBeCloseTo(1795671719072896548, -4);
    expect(p.samples.count).toBe(4);
    const small = indices(p).find((i) => sampleFrames(p, i)[0]!.name === 'main.retainSmall')!;
    expect(valuesOf(p, small)).toEqual([2056, 8421418, 2056, 8421418]);
    expect(sampleLabels(p, small).numLabels).toEqual({ bytes: [4096] });
    expect(sampleFrames(p, small).map((f) => `${f.name}:${f.line}`)).toEqual([
      'main.retainSmall:44',
      'main.main:191',
      'runtime.main:250',
    ]);
    expect(p.mappings[0]!.file).toBe('/src/bin/capturedemo');
    expect(p.mappings[0]!.start).toBe(0x400000n);
  });

  it('allocs.pb.gz carries default_sample_type alloc_space', () => {
    const p = decodeProfile(read(join(GO119, 'allocs.pb.gz')));
    expect(p.defaultSampleType).toBe('alloc_space');
    expect(p.sampleTypes[defaultSampleIndex(p)]!.type).toBe('alloc_space');
  });

  it('goroutine-delta.pb.gz keeps negative int64 values', () => {
    const p = decodeProfile(read(join(GO119, 'goroutine-delta.pb.gz')));
    const values = indices(p).map((i) => valuesOf(p, i)[0]!);
    expect(values).toContain(20);
    expect(values).toContain(-1);
    expect(p.durationNanos).toBeGreaterThan(1e9);
  });

  it('cpu.pb.gz: samples/cpu types, 10ms period, pprof labels', () => {
    const p = decodeProfile(read(join(GO119, 'cpu.pb.gz')));
    expect(p.sampleTypes.map((t) => t.type)).toEqual(['samples', 'cpu']);
    expect(p.period).toBe(10_000_000);
    expect(indices(p).some((i) => sampleLabels(p, i).labels?.phase?.[0] === 'cpu-burn')).toBe(true);
  });

  it('mutex.pb.gz expands the inlined sync.(*Mutex).Unlock before its caller', () => {
    const p = decodeProfile(read(join(GO119, 'mutex.pb.gz')));
    const frames = sampleFrames(p, 0);
    const i = frames.findIndex((f) => f.name === 'sync.(*Mutex).Unlock');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(frames[i]!.inlined).toBe(true);
    expect(frames[i + 1]!.name).toBe('main.contend.func1');
  });

  it('reads uncompressed protobuf too', () => {
    const raw = pako.inflate(read(join(GO119, 'heap.pb.gz')));
    expect(decodeProfile(raw).samples.count).toBe(4);
  });

  it('reads a large real profile (pprof large.cpu)', () => {
    const p = decodeProfile(read(join(PEER, 'internal/proftest/testdata/large.cpu')));
    expect(p.samples.count).toBe(20430);
    expect(p.locations.length).toBe(23355);
  });
});

describe('sample index resolution', () => {
  const p = decodeProfile(read(join(GO119, 'heap.pb.gz')));
  it('accepts names, numbers and the legacy inuse_ prefix', () => {
    expect(resolveSampleIndex(p, 'alloc_space')).toBe(1);
    expect(resolveSampleIndex(p, '2')).toBe(2);
    expect(resolveSampleIndex(p, undefined)).toBe(3);
  });
  it('explains a wrong name with the available types', () => {
    expect(resolveSampleIndex(p, 'cpu')).toMatch(/alloc_objects, alloc_space, inuse_objects, inuse_space/);
    expect(resolveSampleIndex(p, '9')).toMatch(/outside the range \[0\.\.3\]/);
  });
});

describe('inputs that are not profiles', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['heap?debug=1 text', 'heap.debug1.txt', /legacy text heap format \(heap\?debug=1\).*without \?debug=1/],
    ['goroutine?debug=1 text', 'goroutine.debug1.txt', /legacy text goroutine format/],
    ['goroutine?debug=2 dump', 'goroutine.debug2.txt', /goroutine stack dump/],
    ['the index page', 'index.html', /pprof index page.*add the profile name/],
    ['expvar JSON', 'vars.json', /expvar JSON/],
    ['an execution trace', 'trace.bin', /execution trace/],
    ['mutex?debug=1 text', 'mutex.debug1.txt', /block\/mutex format/],
  ];
  for (const [what, file, re] of cases) {
    it(`names ${what}`, () => {
      const err = decodeError(read(join(GO119, file)));
      expect(err.kind).toBe('not-profile');
      expect(err.message).toMatch(re);
    });
  }

  it('names an HTML login page', () => {
    const err = decodeError(new TextEncoder().encode('<!DOCTYPE html><html><title>Sign in</title><form>…</form></html>'));
    expect(err.message).toMatch(/HTML page/);
  });

  it('says a cut-off gzip transfer is truncated', () => {
    const bytes = read(join(GO119, 'heap.pb.gz'));
    const err = decodeError(bytes.subarray(0, bytes.length / 2));
    expect(err.kind).toBe('truncated');
    expect(err.message).toMatch(/truncated/);
  });

  it('says a cut-off raw protobuf is truncated', () => {
    const raw = pako.inflate(read(join(GO119, 'heap.pb.gz')));
    const err = decodeError(raw.subarray(0, raw.length - 7));
    expect(err.kind).toBe('truncated');
  });

  it('rejects valid gzip of garbage', () => {
    const garbage = new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 251);
    const err = decodeError(pako.gzip(garbage));
    expect(['not-profile', 'malformed', 'truncated']).toContain(err.kind);
    expect(err.message).not.toContain('\n');
  });

  it('rejects a profile whose sample points at a missing location', () => {
    // Re-encode a real profile with one location removed: its samples now dangle.
    const raw = pako.inflate(read(join(GO119, 'heap.pb.gz')));
    const err = decodeError(dropFirstLocation(raw));
    expect(err.kind).toBe('malformed');
    expect(err.message).toMatch(/refers to location \d+, which does not exist/);
  });
});

describe('--max-inflated: how far gzip data may inflate', () => {
  /** The real heap profile followed by an unknown field (99) of `padding` zero bytes, which decoders skip. */
  function padded(padding: number): Uint8Array {
    const raw = pako.inflate(read(join(GO119, 'heap.pb.gz')));
    const tag = [0x9a, 0x06]; // field 99, wire type 2
    const len: number[] = [];
    for (let n = padding; ; n >>>= 7) {
      if (n < 0x80) {
        len.push(n);
        break;
      }
      len.push((n & 0x7f) | 0x80);
    }
    const out = new Uint8Array(raw.length + tag.length + len.length + padding);
    out.set(raw);
    out.set([...tag, ...len], raw.length);
    return out;
  }
  const samplesOf = (p: Profile) => Array.from(p.samples.values);
  const original = decodeProfile(read(join(GO119, 'heap.pb.gz')));

  it('defaults to 256 MiB', () => expect(DEFAULT_MAX_INFLATED).toBe(256 * 2 ** 20));

  it('a profile that inflates past the limit is refused with one line naming the limit and the flag', () => {
    const gz = read(join(GO119, 'heap.pb.gz'));
    let err: unknown = null;
    try {
      decodeProfile(gz, { maxInflated: 1024 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LivepprofError);
    expect((err as LivepprofError).kind).toBe('too-large');
    expect((err as LivepprofError).message).toBe(
      'gzip data inflates to more than the --max-inflated limit of 1 KiB (a gzip bomb, or a huge profile: raise --max-inflated)',
    );
    // Exactly its own size fits.
    expect(samplesOf(decodeProfile(gz, { maxInflated: pako.inflate(gz).length }))).toEqual(samplesOf(original));
  });

  it('past 32 MiB the bytes are counted, then inflated again into one buffer: the same profile, and the limit still holds', () => {
    const big = pako.gzip(padded(40 * 2 ** 20), { level: 1 });
    expect(samplesOf(decodeProfile(big))).toEqual(samplesOf(original));
    expect(() => decodeProfile(big, { maxInflated: 36 * 2 ** 20 })).toThrow(/more than the --max-inflated limit of 36 MiB/);
  });
});

describe('hostile and unusual protobufs', () => {
  it('rejects two locations with the same id (pprof: "multiple locations with same id")', () => {
    const pb = PbProfile.decode(pako.inflate(read(join(GO119, 'heap.pb.gz'))));
    pb.location.push(pb.location[0]!);
    const err = decodeError(pb.encode());
    expect(err.kind).toBe('malformed');
    expect(err.message).toMatch(/multiple locations with the same id \d+/);
  });

  it('a tiny input claiming 500,000 sample types and 100,000 samples is malformed, not an allocation of 50 billion values', () => {
    // An empty string table entry (field 6), then empty sample_type (field 1) and sample
    // (field 2) messages: two bytes each.
    const bytes = new Uint8Array(2 + 2 * 500_000 + 2 * 100_000);
    bytes.set([0x32, 0x00]);
    for (let i = 0; i < 500_000; i++) bytes.set([0x0a, 0x00], 2 + 2 * i);
    for (let i = 0; i < 100_000; i++) bytes.set([0x12, 0x00], 1_000_002 + 2 * i);
    const err = decodeError(pako.gzip(bytes));
    expect(err.kind).toBe('malformed');
    expect(err.message).toMatch(/cannot fit/);
  });

  it('decodes a profile of deep stacks whose first bytes are mostly ≥ 0x80 (varints), not mistaking it for text', () => {
    // The real CPU profile, grown to 8,000 locations with ids 5,000–12,999 (two-byte varints
    // whose bytes all fall in the "printable" range) and 300-frame stacks, which the encoder
    // packs at the front of the file.
    const pb = PbProfile.decode(pako.inflate(read(join(GO119, 'cpu.pb.gz'))));
    const base = pb.location[0]!;
    const Loc = base.constructor as new (x: unknown) => typeof base;
    const ids = Array.from({ length: 8000 }, (_, i) => 5000 + i);
    for (const id of ids) pb.location.push(new Loc({ ...base, id }));
    pb.sample = pb.sample.map((smp, k) => Object.assign(smp, { locationId: Array.from({ length: 300 }, (_, j) => ids[(k * 37 + j * 101) % ids.length]!) }));
    const p = decodeProfile(pb.encode());
    expect(p.samples.count).toBe(pb.sample.length);
    expect(sampleFrames(p, 0).length).toBeGreaterThanOrEqual(300);
  });
});

/** Removes the first top-level `location` field (field 4) from a raw profile. */
function dropFirstLocation(raw: Uint8Array): Uint8Array {
  let pos = 0;
  const readVarint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const c = raw[pos++]!;
      v += (c & 0x7f) * mul;
      mul *= 128;
      if (c < 0x80) return v;
    }
  };
  while (pos < raw.length) {
    const start = pos;
    const tag = readVarint();
    const wire = tag & 7;
    if (wire === 0) readVarint();
    else if (wire === 2) {
      const len = readVarint();
      pos += len;
    }
    else throw new Error('unexpected wire type in fixture');
    if (tag >> 3 === 4) {
      const out = new Uint8Array(raw.length - (pos - start));
      out.set(raw.subarray(0, start));
      out.set(raw.subarray(pos), start);
      return out;
    }
  }
  throw new Error('no location field');
}

describe('the decoder agrees with pprof-format (an independent decoder) on every protobuf fixture', () => {
  const protos = walk(SHARED_FIXTURES).filter((f) => {
    const b = read(f);
    return b[0] === 0x1f && b[1] === 0x8b;
  });
  for (const file of protos) {
    it(relative(SHARED_FIXTURES, file), () => {
      const bytes = read(file);
      const ours = decodeProfile(bytes);
      const theirs = PbProfile.decode(pako.inflate(bytes));
      const strings = theirs.stringTable.strings;
      const int64 = (v: number | bigint) => (typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v);
      expect(ours.sampleTypes.map((t) => t.type)).toEqual(theirs.sampleType.map((t) => strings[Number(t.type)]));
      expect(ours.samples.count).toBe(theirs.sample.length);
      const fnName = new Map(theirs.function.map((f) => [Number(f.id), strings[Number(f.name)]]));
      const locNames = new Map(theirs.location.map((l) => [Number(l.id), l.line.map((ln) => fnName.get(Number(ln.functionId)) ?? '')]));
      theirs.sample.forEach((s, i) => {
        expect(valuesOf(ours, i)).toEqual(s.value.map(int64));
        const want = s.locationId.map((id) => locNames.get(Number(id)));
        const got = [];
        for (let k = ours.samples.stackStart[i]!; k < ours.samples.stackStart[i + 1]!; k++) {
          got.push(ours.locations[ours.samples.locIndex[k]!]!.lines.map((l) => l.fn?.name ?? ''));
        }
        expect(got).toEqual(want);
      });
    });
  }
});
