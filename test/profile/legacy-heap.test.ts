// heap?debug=1 text → Profile, checked against two oracles on real bytes:
//  1. `go tool pprof -raw` on the same text (google/pprof's own legacy parser) for values,
//     scaling and labels, on the Go 1.19 captures and on a generated stress file;
//  2. the protobuf the fixture program wrote for the same GC cycle, for everything: samples,
//     stacks, addresses, labels, and `top` at every heap sample type.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Granularity } from '../../src/analysis/graph.js';
import { topReport, type TopOptions } from '../../src/analysis/top.js';
import { decodeProfile } from '../../src/profile/decode.js';
import { goExp, parseHeapDebug1Profile, scaleHeapSample, type HeapDebug1Result } from '../../src/profile/legacy-heap.js';
import { sampleFrames, sampleLabels, sampleLocations, type Profile } from '../../src/profile/model.js';
import { writeProfiles } from '../helpers/go-target.js';
import { requireTool } from '../helpers/require-tool.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GO119 = join(REPO_ROOT, '..', 'shared', 'fixtures', 'go1.19');
const CAPTURES = ['heap.debug1.txt', 'heap-gc1.debug1.txt', 'allocs.debug1.txt', 'heap-after-freeosmemory.debug1.txt'];

const haveGo = requireTool('go', 'the go tool pprof and protobuf oracles of legacy-heap');

const readCapture = (name: string): string => readFileSync(join(GO119, name), 'utf8');

function mustParse(text: string): Profile & { truncated: boolean } {
  const r = parseHeapDebug1Profile(text);
  if (!r.ok) throw new Error(`expected a profile, got: ${r.error}`);
  return Object.assign(r.value, { truncated: r.truncated });
}

const valuesOf = (p: Profile, i: number): number[] => Array.from(p.samples.values.subarray(i * 4, i * 4 + 4));
const bytesLabel = (p: Profile, i: number): number | undefined => sampleLabels(p, i).numLabels?.bytes?.[0];

// ---- go tool pprof -raw ---------------------------------------------------------------------

interface RawSample {
  values: number[];
  locations: number[];
  bytes: number | undefined;
}

interface RawProfile {
  period: number;
  types: string[];
  samples: RawSample[];
  addresses: Map<number, bigint>;
}

function pprofRaw(file: string): RawProfile {
  const out = execFileSync('go', ['tool', 'pprof', '-raw', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
  const lines = out.split('\n');
  const period = Number(/^Period: (\d+)$/m.exec(out)?.[1]);
  const start = lines.indexOf('Samples:');
  const types = lines[start + 1]!.trim().split(/\s+/).map((t) => t.split('/')[0]!);
  const samples: RawSample[] = [];
  const addresses = new Map<number, bigint>();
  let section = 'samples';
  for (const line of lines.slice(start + 2)) {
    if (line === 'Locations' || line === 'Mappings') {
      section = line;
      continue;
    }
    if (section === 'samples') {
      const sample = /^\s*(-?\d+(?:\s+-?\d+)*): ([\d ]*)$/.exec(line);
      const label = /^\s+bytes:\[(-?\d+)\]$/.exec(line);
      if (sample) {
        samples.push({ values: sample[1]!.trim().split(/\s+/).map(Number), locations: sample[2]!.trim().split(' ').map(Number), bytes: undefined });
      } else if (label) {
        samples[samples.length - 1]!.bytes = Number(label[1]);
      }
    } else if (section === 'Locations') {
      const loc = /^\s+(\d+): 0x([0-9a-f]+) /.exec(line);
      if (loc) addresses.set(Number(loc[1]), BigInt(`0x${loc[2]}`));
    }
  }
  return { period, types, samples, addresses };
}

/**
 * Our samples must equal pprof's one for one, in order. Go 1.26's pprof keeps every record, the
 * all-zero ones too (older releases merged a single profile and dropped them); for a header whose
 * alloc totals equal the in-use ones it reads only the in-use pair (the old 2-column format), so
 * then only those are compared.
 */
function expectSameAsPprof(p: Profile, raw: RawProfile): number {
  const twoColumns = raw.types.length === 2;
  expect(raw.types).toEqual(twoColumns ? ['objects', 'space'] : p.sampleTypes.map((t) => t.type));
  expect(p.period).toBe(raw.period);
  const ours: number[] = [];
  for (let i = 0; i < p.samples.count; i++) {
    const v = valuesOf(p, i);
    if (twoColumns) expect(v.slice(0, 2), 'equal header totals ⇒ alloc == in-use in every record').toEqual(v.slice(2));
    ours.push(i);
  }
  expect(ours.length).toBe(raw.samples.length);
  ours.forEach((i, k) => {
    const want = raw.samples[k]!;
    const v = valuesOf(p, i);
    expect(twoColumns ? v.slice(2) : v, `sample ${k}`).toEqual(want.values);
    // An all-zero record has no size: pprof's legacy reader labels it bytes:[0], the proto (and
    // we, who follow the proto) no label at all.
    const wantBytes = want.bytes === 0 && v.every((x) => x === 0) ? undefined : want.bytes;
    expect(bytesLabel(p, i), `sample ${k} bytes label`).toBe(wantBytes);
    // pprof keeps a location per PC; ours are the proto's (hidden frames gone, inlined folded),
    // each at the address of its first PC: an ordered subsequence of pprof's.
    const all = want.locations.map((id) => raw.addresses.get(id)!);
    let at = 0;
    for (const loc of sampleLocations(p, i)) {
      at = all.indexOf(loc.address, at);
      expect(at, `sample ${k}: address 0x${loc.address.toString(16)} in pprof's stack order`).toBeGreaterThanOrEqual(0);
      at++;
    }
  });
  return ours.length;
}

describe('parseHeapDebug1Profile on the Go 1.19 captures', () => {
  it('keeps every record (all-zero ones too) with the proto\'s header', () => {
    for (const name of CAPTURES) {
      const text = readCapture(name);
      const p = mustParse(text);
      expect(p.truncated, name).toBe(false);
      expect(p.samples.count, name).toBe(text.split('\n').filter((l) => / @ 0x/.test(l) && !l.startsWith('heap')).length);
      expect(p.sampleTypes.map((t) => `${t.type}/${t.unit}`)).toEqual(['alloc_objects/count', 'alloc_space/bytes', 'inuse_objects/count', 'inuse_space/bytes']);
      expect(p.periodType).toEqual({ type: 'space', unit: 'bytes' });
      expect(p.period).toBe(524288);
      expect(p.mappings).toEqual([]);
      expect(p.timeNanos).toBe(0);
    }
    // heap.debug1.txt was taken before the GC that publishes retainLarge: `0: 0 [0: 0]`, kept.
    const heap = mustParse(readCapture('heap.debug1.txt'));
    const large = [...Array(heap.samples.count).keys()].find((i) => sampleFrames(heap, i)[0]?.name === 'main.retainLarge');
    expect(valuesOf(heap, large!)).toEqual([0, 0, 0, 0]);
  });

  it('names frames: heap-gc1\'s 8 MiB record is main.retainLarge at main.go:53, scaled as the proto is', () => {
    const p = mustParse(readCapture('heap-gc1.debug1.txt'));
    // Text `4: 8388608 [4: 8388608]` of 2 MiB objects at rate 524288; heap-gc1.pb.gz has these values.
    const i = [...Array(p.samples.count).keys()].find((k) => bytesLabel(p, k) === 2097152)!;
    expect(valuesOf(p, i)).toEqual([4, 8545117, 4, 8545117]);
    expect(sampleFrames(p, i)).toEqual([
      { name: 'main.retainLarge', file: '/src/capture/main.go', line: 53, inlined: false },
      { name: 'main.main', file: '/src/capture/main.go', line: 192, inlined: false },
      { name: 'runtime.main', file: '/usr/lib/go-1.19/src/runtime/proc.go', line: 250, inlined: false },
    ]);
    expect(sampleLocations(p, i).map((l) => l.address)).toEqual([0x685c44n, 0x687a04n, 0x43d1b1n]);

    // Leading runtime PCs (mallocgc…) without `#` lines are gone; recursion keeps one location
    // per PC (six runtime.doInit at one address), as in heap-gc1.pb.gz.
    const init = [...Array(p.samples.count).keys()].find((k) => sampleFrames(p, k)[0]?.name === 'unicode.init')!;
    expect(sampleFrames(p, init).map((f) => f.name)).toEqual(['unicode.init', ...Array(7).fill('runtime.doInit'), 'runtime.main']);
    expect(new Set(sampleLocations(p, init).slice(2, 8)).size).toBe(1);

    // A stack of runtime frames only is printed (and kept) whole.
    const malg = [...Array(p.samples.count).keys()].find((k) => sampleFrames(p, k)[0]?.name === 'runtime.malg')!;
    expect(sampleFrames(p, malg).map((f) => f.name)).toEqual(['runtime.malg', 'runtime.newproc1', 'runtime.newproc.func1', 'runtime.systemstack']);

    // Functions are shared by (name, file) and locations by PC.
    expect(new Set(p.functions.map((f) => `${f.name} ${f.filename}`)).size).toBe(p.functions.length);
    expect(p.functions.find((f) => f.name === 'runtime.doInit')).toMatchObject({ systemName: 'runtime.doInit', startLine: 0 });
  });

  it.skipIf(!haveGo)('gives the values go tool pprof -raw reads from the same files, sample for sample', () => {
    const counts: Record<string, number> = {};
    for (const name of CAPTURES) {
      counts[name] = expectSameAsPprof(mustParse(readCapture(name)), pprofRaw(join(GO119, name)));
    }
    // Every record of each file, as `grep -c ' @ 0x'` counts them.
    expect(counts).toEqual(Object.fromEntries(CAPTURES.map((n) => [n, readCapture(n).split('\n').filter((l) => / @ 0x/.test(l) && !l.startsWith('heap')).length])));
    expect(counts['heap.debug1.txt']).toBe(5);
  });
});

// ---- scaling --------------------------------------------------------------------------------

// (count, bytes, rate) → Go's scaleHeapSample; with Math.exp the bytes come out one off.
const GO_SCALED: Array<[number, number, number, number, number]> = [
  [53432, 120008272, 1048576, 24972189, 56087538389],
  [50281, 10760134, 524288, 123210772, 26367105361],
  [80106, 1095689868, 524288, 3110750, 42548841529],
  [67945, 28182023265, 1048576, 207974, 86263072857],
  [92594, 19815116, 524288, 226896407, 48555831304],
  [71644, 30663632, 1048576, 175559607, 75139511803],
  [73978, 63399146, 1048576, 90552227, 77603259218],
  [80710, 34543880, 1048576, 197775331, 84647842075],
];

describe('scaleHeapSample', () => {
  // Go 1.19 linux/amd64 math.Exp (exp_amd64.s) results where V8's Math.exp is one unit off.
  const GO_EXP: Array<[number, number]> = [
    [-2.3229767482308437, 0.09798148485316503],
    [-9.429385261202006, 0.00008032856584729634],
    [-8.570554903294997, 0.00018960740683992072],
    [-23.792343907322504, 4.646397162926279e-11],
    [-7.316996658156337, 0.0006641539000526235],
    [-145.35252863209368, 7.485122018872137e-64],
    [-0.48197115384615385, 0.617564875879164],
    [-4.344466908730814, 0.012978425089053008],
  ];

  it('computes exp as Go does on amd64, bit for bit', () => {
    for (const [x, want] of GO_EXP) {
      expect(Math.exp(x)).not.toBe(want);
      expect(goExp(x)).toBe(want);
    }
    expect([goExp(0), goExp(-Infinity), goExp(710), goExp(-800)]).toEqual([1, 0, Infinity, 0]);
  });

  it('scales like protomem.go, truncating with int64()', () => {
    for (const [count, size, rate, c, s] of GO_SCALED) {
      expect(scaleHeapSample(count, size, rate)).toEqual([c, s]);
      expect(Math.trunc(size * (1 / (1 - Math.exp(-(size / count) / rate))))).not.toBe(s); // V8 exp
    }
    // docs/formats.md#heap-profile: 16 objects of 4096 bytes at 512 KiB → 2056 objects, 8421418 bytes.
    expect(scaleHeapSample(16, 65536, 524288)).toEqual([2056, 8421418]);
    expect(scaleHeapSample(3, 300, 1)).toEqual([3, 300]); // rate 1: everything was recorded
    expect(scaleHeapSample(3, 300, 0)).toEqual([3, 300]); // heap/0: profiling off, unscaled
    expect(scaleHeapSample(0, 0, 524288)).toEqual([0, 0]);
    expect(scaleHeapSample(3, 0, 524288)).toEqual([0, 0]);
  });
});

/** A generated legacy file: distinct stacks (pprof would merge equal ones), varied sizes. */
function stressText(rate: number, extra: Array<[number, number]>, headerRate = 2 * rate): string {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const records: Array<[number, number, number, number]> = [];
  for (let i = 0; i < 4000; i++) {
    const size = (8 << rand(22)) + rand(4096);
    const alloc = rand(100000) + 1;
    const inuse = rand(3) === 0 ? 0 : rand(alloc) + 1;
    records.push([inuse, inuse * size, alloc, alloc * size]);
  }
  for (const [count, bytes] of extra) records.push([count, bytes, count, bytes]);
  const sum = (k: number) => records.reduce((n, r) => n + r[k]!, 0);
  const lines = [`heap profile: ${sum(0)}: ${sum(1)} [${sum(2)}: ${sum(3)}] @ heap/${headerRate}`];
  records.forEach((r, i) => {
    const pc = (0x400000 + 16 * i).toString(16);
    lines.push(`${r[0]}: ${r[1]} [${r[2]}: ${r[3]}] @ 0x${pc} 0x401000`, `#\t0x${(0x400000 + 16 * i - 1).toString(16)}\tmain.site${i}+0xf\t/src/x.go:${i + 1}`, `#\t0x400fff\tmain.main+0x1f\t/src/x.go:1`, '');
  });
  return `${lines.join('\n')}\n# runtime.MemStats\n# Alloc = 1\n`;
}

describe.skipIf(!haveGo)('generated heap?debug=1 files against go tool pprof -raw', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'livepprof-legacy-heap-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // The GO_SCALED records go in on amd64 only: pprof runs on this machine, and Go's arm64 exp
  // (exp_arm64.s) is another algorithm (see legacy-heap.ts).
  const amd64 = process.arch === 'x64';
  it.each([1048576, 524288, 4096, 2, 0])('4000 random records at rate %i', (rate) => {
    const extra = amd64 ? GO_SCALED.filter((r) => r[2] === rate).map(([count, bytes]): [number, number] => [count, bytes]) : [];
    const file = join(dir, `stress-${rate}.txt`);
    writeFileSync(file, stressText(rate, extra));
    const p = mustParse(readFileSync(file, 'utf8'));
    expect(p.samples.count).toBe(4000 + extra.length);
    expect(expectSameAsPprof(p, pprofRaw(file))).toBe(p.samples.count);
  });

  it('halves an odd heap/N with Go\'s integer division, as pprof -raw does', () => {
    const file = join(dir, 'stress-odd.txt');
    writeFileSync(file, stressText(524288, [], 1048577));
    const p = mustParse(readFileSync(file, 'utf8'));
    expect(expectSameAsPprof(p, pprofRaw(file))).toBe(4000);
    // Scaling at 524288.5 instead would move some values: the rounding is observable.
    const half = mustParse(stressText(524288, [], 1048576));
    expect(p.samples.values).toEqual(half.samples.values);
  });
});

// ---- the protobuf of the same GC cycle ------------------------------------------------------

interface KeyedSample {
  /** Locations with their addresses and lines, and the bytes label. */
  exact: string;
  /** Frames after hiding leading runtime.* ones the way the text does, and the bytes label. */
  shown: string;
  values: number[];
}

/**
 * The text form names a generic instantiation `F[...]` (runtime.FuncForPC); since Go 1.21 the
 * proto names its shape, `F[go.shape.[]uint8,go.shape.uint8]`. The text cannot know the shape,
 * so both are compared as the text names them.
 */
function elideTypeArgs(name: string): string {
  let out = '';
  let depth = 0;
  for (const ch of name) {
    if (ch === '[') {
      if (depth++ === 0) out += '[...';
    } else if (ch === ']') {
      if (--depth === 0) out += ']';
    } else if (depth === 0) out += ch;
  }
  return out;
}

/** Hidden in both forms' leading frames: the runtime, and (Go 1.26) the profile writers' own. */
const HIDDEN_LEAF = /^runtime[./]/;

function keyedSamples(p: Profile): KeyedSample[] {
  const out: KeyedSample[] = [];
  for (let i = 0; i < p.samples.count; i++) {
    const label = ` | bytes=${bytesLabel(p, i) ?? '-'}`;
    const exact = sampleLocations(p, i)
      .map((l) => `0x${l.address.toString(16)}[${l.lines.map((ln) => `${elideTypeArgs(ln.fn?.name ?? '')} ${ln.fn?.filename}:${ln.line}`).join(', ')}]`)
      .join(' ');
    const frames = sampleFrames(p, i);
    const firstShown = frames.findIndex((f) => !HIDDEN_LEAF.test(f.name));
    const shown = frames.slice(Math.max(firstShown, 0)).map((f) => `${elideTypeArgs(f.name)} ${f.file}:${f.line}`).join(' ');
    out.push({ exact: exact + label, shown: shown + label, values: valuesOf(p, i) });
  }
  return out;
}

/** The samples of `a` with no equal sample (same key and values) in `b`, as a multiset. */
function unmatched(a: KeyedSample[], b: KeyedSample[], key: 'exact' | 'shown'): KeyedSample[] {
  const pool = new Map<string, number>();
  for (const s of b) pool.set(`${s[key]} = ${s.values}`, (pool.get(`${s[key]} = ${s.values}`) ?? 0) + 1);
  return a.filter((s) => {
    const k = `${s[key]} = ${s.values}`;
    const n = pool.get(k) ?? 0;
    if (n > 0) pool.set(k, n - 1);
    return n === 0;
  });
}

const nonZero = (samples: KeyedSample[]) => samples.filter((s) => s.values.some((v) => v !== 0));

const HEAP_TYPES = ['inuse_space', 'inuse_objects', 'alloc_space', 'alloc_objects'];
const GRANULARITIES: Granularity[] = ['functions', 'lines'];

function topRows(p: Profile, sampleType: string, granularity: Granularity, nodeFraction?: number) {
  const opts: TopOptions = {
    sampleIndex: p.sampleTypes.findIndex((t) => t.type === sampleType),
    granularity,
    nodeCount: 0,
    cumSort: false,
    filters: {},
    ...(nodeFraction === undefined ? {} : { nodeFraction, edgeFraction: 0 }),
  };
  const r = topReport(p, opts);
  return { total: r.total, rows: r.rows.map(({ name, flat, cum, inline }) => ({ name, flat, cum, inline })) };
}

describe.skipIf(!haveGo)('against heap.pb.gz written by the fixture program in the same GC cycle', () => {
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'livepprof-legacy-heap-pair-'));
    await writeProfiles(dir);
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // heap: MemProfileRate=1 (values unscaled); heap-rate512k: the same heap read at 512 KiB, so
  // the text is unsampled by our code and the proto by runtime/pprof.
  for (const base of ['heap', 'heap-rate512k']) {
    describe(base, () => {
      let text: Profile & { truncated: boolean };
      let proto: Profile;
      /** Per sample type, the value of the samples whose stacks differ (see below). */
      let bound: number[];

      beforeAll(() => {
        text = mustParse(readFileSync(join(dir, `${base}.debug1.txt`), 'utf8'));
        proto = decodeProfile(readFileSync(join(dir, `${base}.pb.gz`)));
        // Name generic instantiations as the text does (see elideTypeArgs), so top rows compare.
        for (const f of proto.functions) f.name = elideTypeArgs(f.name);
      });

      it('has the same samples: stacks, addresses, labels and values, but for hidden runtime frames', () => {
        expect(text.truncated).toBe(false);
        expect(text.period).toBe(proto.period);
        expect(text.sampleTypes).toEqual(proto.sampleTypes);
        const ours = keyedSamples(text);
        const theirs = keyedSamples(proto);
        expect(nonZero(ours).length).toBeGreaterThan(40);
        // The proto, written second, also has zero records for sites the text writer first
        // allocated at (its allocations are not published: no GC ran in between), so only
        // non-zero samples are compared both ways, and our zero records must exist there.
        expect(unmatched(ours, theirs, 'shown').filter((s) => s.values.every((v) => v === 0))).toEqual([]);
        const onlyOurs = unmatched(nonZero(ours), nonZero(theirs), 'exact');
        const onlyTheirs = unmatched(nonZero(theirs), nonZero(ours), 'exact');
        // Unavoidable: Go hides leading runtime frames in both forms but decides differently.
        // The text tests each printed frame's name (at PC−1); the proto tests FuncForPC(PC),
        // which for an inlining PC names the function inlined there. A runtime-only stack with a
        // linknamed frame inlined into it (time.resetTimer in the scavenger's timer allocation)
        // is cut at that frame in the text and kept whole in the proto. Go 1.26's proto also
        // drops an inlined leaf frame of runtime/pprof's own allocations (printStackRecord inlined
        // into writeHeapInternal) that the text prints. Such samples only agree once both are cut
        // past those frames, and their values bound every difference in the top rows below.
        expect(unmatched(onlyOurs, onlyTheirs, 'shown')).toEqual([]);
        expect(unmatched(onlyTheirs, onlyOurs, 'shown')).toEqual([]);
        for (const s of onlyTheirs) expect(s.exact, 'the proto kept or dropped leading runtime frames').toMatch(/^0x[0-9a-f]+\[runtime[./]/);
        expect(onlyTheirs.length).toBeLessThanOrEqual(8);
        bound = text.sampleTypes.map((_, t) => onlyTheirs.reduce((n, s) => n + Math.abs(s.values[t]!), 0));
        if (onlyTheirs.length > 0) {
          console.info(`${base}: ${onlyTheirs.length} sample(s) keep runtime frames only in the proto; top may differ by ${bound.join(' / ')} (${text.sampleTypes.map((t) => t.type).join(' / ')})`);
        }
      });

      it('gives the same top rows for every heap sample type, by function and by line', () => {
        expect(bound).toBeDefined();
        for (const sampleType of HEAP_TYPES) {
          const limit = bound[text.sampleTypes.findIndex((t) => t.type === sampleType)]!;
          for (const g of GRANULARITIES) {
            const what = `${sampleType} ${g}`;
            if (limit === 0) {
              // Defaults (node fraction 0.5%) as `livepprof top` shows them, then every node.
              for (const fraction of [undefined, 0]) {
                const want = topRows(proto, sampleType, g, fraction);
                expect(want.rows.length).toBeGreaterThan(0);
                expect(topRows(text, sampleType, g, fraction), `${what} nodeFraction=${fraction}`).toEqual(want);
              }
              continue;
            }
            // Every node, matched by name: no flat or cum moves by more than the bound.
            const want = topRows(proto, sampleType, g, 0);
            const got = topRows(text, sampleType, g, 0);
            expect(got.total, what).toBe(want.total);
            const byName = new Map(want.rows.map((r) => [r.name, r]));
            for (const r of got.rows) {
              const w = byName.get(r.name) ?? { flat: 0, cum: 0 };
              byName.delete(r.name);
              expect(Math.abs(r.flat - w.flat), `${what} ${r.name} flat`).toBeLessThanOrEqual(limit);
              expect(Math.abs(r.cum - w.cum), `${what} ${r.name} cum`).toBeLessThanOrEqual(limit);
            }
            for (const w of byName.values()) expect(w.cum, `${what} ${w.name} only in the proto`).toBeLessThanOrEqual(limit);
          }
        }
      });
    });
  }

  it('folds inlined frames into one location, as the proto does', () => {
    const text = mustParse(readFileSync(join(dir, 'heap.debug1.txt'), 'utf8'));
    // newRecord is inlined into parseRecords (profiles.go): one location, callee first.
    const loc = text.locations.find((l) => l.lines[0]?.fn?.name === 'main.newRecord');
    expect(loc?.lines.map((l) => l.fn?.name)).toEqual(['main.newRecord', 'main.parseRecords']);
    const i = [...Array(text.samples.count).keys()].find((k) => sampleLocations(text, k)[0] === loc)!;
    expect(sampleFrames(text, i).slice(0, 2).map((f) => [f.name, f.inlined])).toEqual([
      ['main.newRecord', true],
      ['main.parseRecords', false],
    ]);
  });
});

// ---- bad input ------------------------------------------------------------------------------

function expectOneLineError(r: HeapDebug1Result, pattern: RegExp): void {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error).toMatch(pattern);
  expect(r.error).not.toMatch(/[\r\n]/);
}

describe('bad input', () => {
  it('rejects empty and foreign bodies with one line', () => {
    expectOneLineError(parseHeapDebug1Profile(''), /^empty heap\?debug=1 body/);
    expectOneLineError(parseHeapDebug1Profile('\n \n'), /^empty heap\?debug=1 body/);
    expectOneLineError(parseHeapDebug1Profile(readCapture('goroutine.debug1.txt')), /^not a heap\?debug=1 profile: first line is "goroutine profile: total 63"/);
    expectOneLineError(parseHeapDebug1Profile('<html>\n<body>404 page not found</body>\n'), /^not a heap\?debug=1 profile/);
    expectOneLineError(parseHeapDebug1Profile(readFileSync(join(GO119, 'heap-gc1.pb.gz'), 'latin1')), /^not a heap\?debug=1 profile/);
    expectOneLineError(parseHeapDebug1Profile('heap profile: 1: 2 [3: 4] @ heap_v2/524288\n'), /^malformed heap\?debug=1 header/);
    expectOneLineError(parseHeapDebug1Profile('heap profile: 25: 84'), /cut off inside its header line/);
  });

  it('accepts the header Go 1.23 prints with profiling disabled (MemProfileRate=0)', () => {
    const r = parseHeapDebug1Profile('heap profile: 0: 0 [0: 1] @ heap/0\n\n# runtime.MemStats\n');
    expect(r.ok && r.value.samples.count === 0 && !r.truncated).toBe(true);
  });

  it('rejects garbage between records, naming the line', () => {
    const text = readCapture('heap-gc1.debug1.txt').replace('\n17: 69632', '\nhello world\n17: 69632');
    expectOneLineError(parseHeapDebug1Profile(text), /^line 7: not a heap record line: "hello world"$/);
    const badPc = readCapture('heap-gc1.debug1.txt').replace('0x685b07', '0xzz');
    expectOneLineError(parseHeapDebug1Profile(badPc), /^line 7: bad PC "0xzz"/);
    const badFrame = readCapture('heap-gc1.debug1.txt').replace('#\t0x685b06', '#\tmain');
    expectOneLineError(parseHeapDebug1Profile(badFrame), /^line 8: malformed frame line/);
  });

  it('returns the records before any cut, flagged truncated, and never throws', () => {
    const text = readCapture('heap-gc1.debug1.txt');
    const full = mustParse(text);
    const trailer = text.indexOf('# runtime.MemStats');
    let partial = 0;
    for (let cut = 0; cut <= text.length; cut += 3) {
      const r = parseHeapDebug1Profile(text.slice(0, cut));
      if (!r.ok) {
        expect(cut, r.error).toBeLessThanOrEqual(text.indexOf('\n'));
        expect(r.error).toMatch(/^(empty heap|heap\?debug=1 body cut off inside its header line)/);
        expect(r.error).not.toMatch(/[\r\n]/);
        continue;
      }
      const p = r.value;
      expect(r.truncated, `cut at ${cut}`).toBe(cut < trailer + 2);
      // The records read are the full profile's first ones, identical; a record whose frames
      // may have been cut is left out.
      expect(p.samples.count).toBeLessThanOrEqual(full.samples.count);
      for (let i = 0; i < p.samples.count; i++) {
        expect(valuesOf(p, i)).toEqual(valuesOf(full, i));
        expect(sampleFrames(p, i)).toEqual(sampleFrames(full, i));
      }
      if (p.samples.count > 0 && p.samples.count < full.samples.count) partial++;
    }
    expect(partial).toBeGreaterThan(100);
    // A record cut after its values line but before its frames is not kept.
    const mid = text.indexOf('#\t0x685b06');
    expect(mustParse(text.slice(0, mid)).samples.count).toBe(1);
    expect(mustParse(text.slice(0, text.indexOf('\n\n17: ') + 2)).samples.count).toBe(1);
  });

  it('survives hostile input in linear time', () => {
    const header = 'heap profile: 1: 1 [1: 1] @ heap/1048576\n';
    const hostile = [
      header + '1'.repeat(1 << 20),
      header + `1: 1 [1: 1] @${' 0x1'.repeat(200_000)}\n${'#\t0x0\tf+0x0\ta.go:1\n'.repeat(200_000)}\n# runtime.MemStats\n`,
      header + `1: 8 [1: 8] @ 0x2\n${'#\t0x1\tf+0x1\ta.go:1\n'.repeat(100_000)}\n# runtime.MemStats\n`,
      header + `1: 1 [1: 1] @ 0x2\n#${'\t'.repeat(1 << 20)}x\n`,
      header + '\n'.repeat(1 << 20),
      '#\t'.repeat(1 << 19),
      `heap profile: ${'9'.repeat(1 << 20)}`,
    ];
    for (const text of hostile) {
      const t0 = performance.now();
      const r = parseHeapDebug1Profile(text);
      expect(performance.now() - t0).toBeLessThan(3000);
      if (!r.ok) expect(r.error).not.toMatch(/[\r\n]/);
    }
    // 100,000 frames at one address for one PC: one location with every frame.
    const many = parseHeapDebug1Profile(hostile[2]!);
    expect(many.ok && many.value.locations[0]!.lines.length).toBe(100_000);
  });

  it('reads heap/0 (profiling off) unscaled, with period 0', () => {
    const p = mustParse('heap profile: 1: 64 [2: 128] @ heap/0\n1: 64 [2: 128] @ 0x1001\n#\t0x1000\tmain.f+0x10\t/a.go:3\n\n');
    expect(p.period).toBe(0);
    expect(valuesOf(p, 0)).toEqual([2, 128, 1, 64]);
    expect(p.truncated).toBe(true); // no MemStats trailer: Go always prints one
  });
});
