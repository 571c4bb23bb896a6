// `heap?debug=1` / `allocs?debug=1` (the legacy text heap format, docs/formats.md#heap-text) → the same Profile
// the protobuf `heap` endpoint gives for the same moment (docs/formats.md#heap-profile):
//  - values: raw sampled (count, bytes) pairs unsampled with runtime/pprof's scaleHeapSample,
//    bit for bit (Go's float64 ops, Go's amd64 math.Exp, int64() truncation);
//  - stacks: one location per physical frame, inlined frames folded into it innermost first,
//    leading runtime frames and runtime.goexit left out — what runtime/pprof's proto writer
//    (appendLocsForStack + pcDeck) produces;
//  - a numeric `bytes` label with the object size, as protomem.go sets it.
// What the text cannot carry: mappings (none), time_nanos (0), and the default sample type
// (heap and allocs print the same text; allocs' proto has default_sample_type=alloc_space).
//
// Pure and linear: lines are found with indexOf, fields with a cursor; regexes are anchored
// or a single character class, none with nested quantifiers. Never throws.

import type { LabelSet, Line, Location, Profile, ProfileFunction } from './model.js';
import { SamplesBuilder, newProfileId } from './model.js';
import { TRAILER_MARKER } from './memstats.js';
import { parseFail, snippet } from './parse-result.js';

/**
 * A ParseResult<Profile> that also says whether the body was cut off: `truncated` is true when
 * the `# runtime.MemStats` trailer (which Go always prints after the last record) was not
 * reached, so records after the cut are missing. A record whose frames were cut is left out.
 */
export type HeapDebug1Result = { ok: true; value: Profile; truncated: boolean } | HeapDebug1Failure;
type HeapDebug1Failure = { ok: false; error: string };

/** parseFail (one line, same wording rules as the other parsers) as the failure arm. */
function fail(error: string): HeapDebug1Failure {
  return parseFail(error) as HeapDebug1Failure;
}

/** The sample types of runtime/pprof's heap proto, in its order. */
const SAMPLE_TYPES = [
  { type: 'alloc_objects', unit: 'count' },
  { type: 'alloc_space', unit: 'bytes' },
  { type: 'inuse_objects', unit: 'count' },
  { type: 'inuse_space', unit: 'bytes' },
];

const HEADER_PREFIX = 'heap profile:';

/**
 * The body of `/debug/pprof/heap?debug=1` (or `allocs?debug=1`) as the Profile its protobuf
 * form would decode to. Garbage fails with one line; a cut body gives the records before the cut.
 */
export function parseHeapDebug1Profile(text: string): HeapDebug1Result {
  try {
    return parseText(text);
  } catch (e) {
    // Not expected (every step is checked); a bug must still not take the live poller down.
    return fail(`heap?debug=1 parser failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parseText(text: string): HeapDebug1Result {
  const lines = new LineReader(text);
  let first = lines.next();
  while (first !== null && first.text.trim() === '') first = lines.next();
  if (first === null) return fail(`empty heap?debug=1 body (${text.length} bytes)`);
  // An unterminated header may have lost digits of its rate: no profile rather than a wrong one.
  const header = first.terminated ? parseHeader(first.text) : null;
  if (header === null) return fail(headerError(first.text, first.terminated));

  const builder = new ProfileBuilder(header.rate);
  const frameLines = new FrameLineCache();
  let pending: RawRecord | null = null;
  let sawTrailer = false;
  for (let line = lines.next(); line !== null; line = lines.next()) {
    const t = line.text;
    if (t === '' || t.trim() === '') {
      if (pending) builder.addRecord(pending);
      pending = null;
    } else if (t.startsWith('#\t')) {
      const frame = frameLines.parse(t);
      if (frame === null || pending === null) {
        if (!line.terminated) break; // the body was cut inside this line
        return fail(`line ${lines.lineNo}: ${frame === null ? 'malformed frame line' : 'frame line outside a record'} ${snippet(t)}`);
      }
      pending.frames.push(frame);
    } else if (t.startsWith('#')) {
      // A cut inside the marker line still means every record was read.
      if (t.trimEnd() === TRAILER_MARKER || (!line.terminated && t.startsWith('# ') && TRAILER_MARKER.startsWith(t))) {
        sawTrailer = true;
        break;
      }
      // Other comments carry nothing for the profile (pprof skips them too).
    } else {
      const record = parseRecordLine(t);
      if (typeof record === 'string') {
        if (!line.terminated) break;
        return fail(`line ${lines.lineNo}: ${record}: ${snippet(t)}`);
      }
      if (pending) builder.addRecord(pending); // tolerate a missing blank line
      pending = record;
    }
  }
  // Without the trailer a pending record may miss frames (the cut can fall between them).
  if (pending && sawTrailer) builder.addRecord(pending);
  return { ok: true, value: builder.build(), truncated: !sawTrailer };
}

// ---- lines ----------------------------------------------------------------------------------

interface TextLine {
  text: string;
  /** False for a last line without '\n': the body may have been cut inside it. */
  terminated: boolean;
}

class LineReader {
  private pos = 0;
  lineNo = 0;
  constructor(private readonly text: string) {}

  next(): TextLine | null {
    if (this.pos >= this.text.length) return null;
    const nl = this.text.indexOf('\n', this.pos);
    const end = nl < 0 ? this.text.length : nl;
    let text = this.text.slice(this.pos, end);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    this.pos = end + 1;
    this.lineNo++;
    return { text, terminated: nl >= 0 };
  }
}

/** Reads one line left to right: integers, literal characters, spaces. */
class Cursor {
  pos = 0;
  constructor(readonly s: string) {}

  skipSpaces(): void {
    while (this.s.charCodeAt(this.pos) === 0x20) this.pos++;
  }

  eat(literal: string): boolean {
    this.skipSpaces();
    if (!this.s.startsWith(literal, this.pos)) return false;
    this.pos += literal.length;
    return true;
  }

  /** A decimal int64 (at most 19 digits; an optional '-' when allowed); null when absent. */
  int(allowMinus: boolean): number | null {
    this.skipSpaces();
    const start = this.pos;
    if (allowMinus && this.s.charCodeAt(this.pos) === 0x2d) this.pos++;
    const digitsStart = this.pos;
    while (isDigit(this.s.charCodeAt(this.pos))) this.pos++;
    const nDigits = this.pos - digitsStart;
    if (nDigits === 0 || nDigits > 19) return null;
    return Number(this.s.slice(start, this.pos));
  }

  rest(): string {
    return this.s.slice(this.pos);
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

// ---- header ---------------------------------------------------------------------------------

interface Header {
  /** runtime.MemProfileRate: the header prints 2×rate (a C++ heap-profiler convention). */
  rate: number;
}

/**
 * `heap profile: <inuse objects>: <inuse bytes> [<alloc objects>: <alloc bytes>] @ heap/<2×rate>`.
 * The totals are not needed: they are sums of the records. (pprof's legacy parser reads a header
 * whose alloc totals equal the in-use ones, or are 0, as the old 2-column C++ format and keeps
 * only in-use values; Go prints all four numbers per record regardless, and equal totals just mean
 * alloc == in-use in every record, so the proto's four types lose nothing here.)
 */
function parseHeader(line: string): Header | null {
  const c = new Cursor(line);
  if (!c.eat(HEADER_PREFIX)) return null;
  const ok =
    c.int(false) !== null && c.eat(':') && c.int(false) !== null && c.eat('[') &&
    c.int(false) !== null && c.eat(':') && c.int(false) !== null && c.eat(']') && c.eat('@') && c.eat('heap/');
  if (!ok) return null;
  const twiceRate = c.int(false);
  if (twiceRate === null || c.rest().trim() !== '') return null;
  return { rate: Math.floor(twiceRate / 2) }; // Go's integer division, as pprof does
}

function headerError(line: string, terminated: boolean): string {
  if (!terminated && (line.startsWith(HEADER_PREFIX) || HEADER_PREFIX.startsWith(line.trimStart()))) {
    return `heap?debug=1 body cut off inside its header line ${snippet(line)}`;
  }
  if (line.startsWith(HEADER_PREFIX)) {
    return `malformed heap?debug=1 header ${snippet(line)}, expected "heap profile: N: N [N: N] @ heap/N"`;
  }
  return `not a heap?debug=1 profile: first line is ${snippet(line)}, expected "heap profile: N: N [N: N] @ heap/N"`;
}

// ---- records and frame lines ----------------------------------------------------------------

interface RawRecord {
  inuseObjects: number;
  inuseBytes: number;
  allocObjects: number;
  allocBytes: number;
  /** Return PCs after '@', in canonical hex (as Go prints them). */
  pcs: string[];
  frames: RawFrame[];
}

/** One parsed `#` line; shared by every record that prints the same line. */
interface RawFrame {
  /** The call PC (return PC − 1) Go printed: the proto's Location.address. */
  addr: bigint;
  /** `addr` and `addr + 1` as canonical hex, to find the return PC it was printed for. */
  addrHex: string;
  returnPcHex: string;
  /** '' for a PC Go could not symbolize (`#\t0x…` alone). */
  name: string;
  file: string;
  line: number;
  /** Entry of the physical function (addr − offset); null when unknown. Inlined frames share their caller's entry. */
  entry: bigint | null;
}

const HEX_ADDR = /^0x[0-9a-fA-F]{1,16}$/;
const CANONICAL_HEX = /^0x(?:0|[1-9a-f][0-9a-f]{0,15})$/;

/** Lower case without leading zeros (as Go's %#x prints), so PCs compare as strings; null if not hex. */
function canonicalHex(token: string): string | null {
  if (CANONICAL_HEX.test(token)) return token;
  return HEX_ADDR.test(token) ? `0x${BigInt(token).toString(16)}` : null;
}

/** `<inuse objs>: <inuse bytes> [<alloc objs>: <alloc bytes>] @ 0x… 0x…`; a string says what is wrong. */
function parseRecordLine(line: string): RawRecord | string {
  const c = new Cursor(line);
  // pprof's heapSampleRE allows negative in-use numbers; keep its leniency.
  const inuseObjects = c.int(true);
  if (inuseObjects === null || !c.eat(':')) return 'not a heap record line';
  const inuseBytes = c.int(true);
  if (inuseBytes === null || !c.eat('[')) return 'malformed heap record';
  const allocObjects = c.int(false);
  if (allocObjects === null || !c.eat(':')) return 'malformed heap record';
  const allocBytes = c.int(false);
  if (allocBytes === null || !c.eat(']') || !c.eat('@')) return 'malformed heap record';
  const pcs: string[] = [];
  for (const token of c.rest().split(' ')) {
    if (token === '') continue;
    const pc = canonicalHex(token);
    if (pc === null) return `bad PC ${snippet(token, 20)} in heap record`;
    pcs.push(pc);
  }
  return { inuseObjects, inuseBytes, allocObjects, allocBytes, pcs, frames: [] };
}

/**
 * Frame lines repeat across records (shared callers): each distinct line is parsed once. Real
 * profiles have a few thousand at most; past the cap, lines are parsed without being kept.
 */
class FrameLineCache {
  private static readonly MAX_LINES = 1 << 16;
  private readonly frames = new Map<string, RawFrame | null>();

  parse(line: string): RawFrame | null {
    let frame = this.frames.get(line);
    if (frame === undefined) {
      frame = parseFrameLine(line);
      if (this.frames.size < FrameLineCache.MAX_LINES) this.frames.set(line, frame);
    }
    return frame;
  }
}

/** `#\t<pc-1>\t<func>+<0xoff>\t<file>:<line>` (tabwriter pads with extra tabs), or `#\t<pc-1>` alone. */
function parseFrameLine(line: string): RawFrame | null {
  const fields = line.slice(2).split(/\t+/);
  const addrHex = canonicalHex(fields[0] ?? '');
  if (addrHex === null) return null;
  const addr = BigInt(addrHex);
  const returnPcHex = `0x${(addr + 1n).toString(16)}`;
  const frame: RawFrame = { addr, addrHex, returnPcHex, name: '', file: '', line: 0, entry: null };
  const fn = fields[1];
  if (fn === undefined || fn === '') return frame;
  const plus = fn.lastIndexOf('+0x');
  const offset = plus > 0 ? fn.slice(plus + 1) : '';
  if (HEX_ADDR.test(offset) && BigInt(offset) <= addr) {
    frame.name = fn.slice(0, plus);
    frame.entry = addr - BigInt(offset);
  } else {
    frame.name = fn;
  }
  const where = fields.slice(2).join('\t');
  const colon = where.lastIndexOf(':');
  const lineText = colon >= 0 ? where.slice(colon + 1) : '';
  if (/^\d{1,9}$/.test(lineText)) {
    frame.file = where.slice(0, colon);
    frame.line = Number(lineText);
  } else {
    frame.file = where;
  }
  return frame;
}

// ---- stacks ---------------------------------------------------------------------------------

/** A run of PCs that becomes one Location, with its frames innermost first (empty: no `#` lines). */
interface LocationGroup {
  pcs: string[];
  frames: RawFrame[];
}

/**
 * The proto's locations for one record. Go prints `#` lines only from the first frame that is
 * not runtime.* on (all frames when every one is), never for runtime.goexit — the same frames the
 * proto keeps — so PCs without a `#` line are dropped. A record without any `#` line keeps every
 * PC as an unsymbolized location, as does one whose frames do not fit its PCs.
 */
function locationGroups(rec: RawRecord): LocationGroup[] {
  const perPc = rec.frames.length === 0 ? null : framesPerPc(rec.pcs, rec.frames);
  if (perPc === null) return rec.pcs.map((pc) => ({ pcs: [pc], frames: [] }));
  const shown: LocationGroup[] = [];
  rec.pcs.forEach((pc, i) => {
    const frames = perPc[i];
    if (frames) shown.push({ pcs: [pc], frames });
  });
  return foldInlined(shown);
}

/**
 * Assigns the frames to the PCs they were printed for (frame address = PC − 1). Go 1.19 prints
 * one frame per PC (inlined calls have PCs of their own); several consecutive frames with one
 * address go to one PC only when the next PC is not that same PC again (recursion repeats PCs).
 * Null when the frames do not fit the PCs.
 */
function framesPerPc(pcs: string[], frames: RawFrame[]): Array<RawFrame[] | null> | null {
  const out: Array<RawFrame[] | null> = new Array<RawFrame[] | null>(pcs.length).fill(null);
  // Frames.Next prints PC − 1, or the PC itself when it is a function's entry.
  const printedFor = (i: number, f: RawFrame): boolean => pcs[i] === f.returnPcHex || pcs[i] === f.addrHex;
  let i = 0;
  let j = 0;
  while (j < frames.length && i < pcs.length) {
    if (!printedFor(i, frames[j]!)) {
      i++; // a hidden frame: a leading runtime one, or runtime.goexit
      continue;
    }
    const group = [frames[j++]!];
    while (j < frames.length && frames[j]!.addr === group[0]!.addr && !(i + 1 < pcs.length && printedFor(i + 1, frames[j]!))) {
      group.push(frames[j++]!);
    }
    out[i++] = group;
  }
  return j === frames.length ? out : null;
}

/**
 * runtime/pprof's pcDeck: consecutive PCs become one location while the frame so far is an
 * inlined one and the next frame belongs to the same physical function (same entry) under
 * another name (same name = recursion). The text does not say which frames were inlined; a
 * frame is the real (non-inlined) one when its name is that of the last frame of its run of
 * same-entry frames, since a function cannot be inlined into itself.
 */
function foldInlined(shown: LocationGroup[]): LocationGroup[] {
  const lastIsReal = lastFrameIsReal(shown);
  const out: LocationGroup[] = [];
  for (let g = 0; g < shown.length; g++) {
    const group = shown[g]!;
    const cur = out[out.length - 1];
    if (cur && g > 0 && !lastIsReal[g - 1] && inlinedInto(lastOf(shown[g - 1]!.frames), group.frames[0]!)) {
      cur.pcs.push(...group.pcs);
      cur.frames.push(...group.frames);
    } else {
      out.push(group);
    }
  }
  return out;
}

function lastOf(frames: RawFrame[]): RawFrame {
  return frames[frames.length - 1]!;
}

/** `callee` → `caller` can be an inlined call: same physical function, different names. */
function inlinedInto(callee: RawFrame, caller: RawFrame): boolean {
  return callee.entry !== null && callee.entry === caller.entry && callee.name !== caller.name;
}

/** Per group, whether its last frame is a real one (see foldInlined); walks from the root. */
function lastFrameIsReal(groups: LocationGroup[]): boolean[] {
  const real = new Array<boolean>(groups.length).fill(true);
  let owner = '';
  let next: RawFrame | null = null;
  for (let g = groups.length - 1; g >= 0; g--) {
    const frames = groups[g]!.frames;
    for (let k = frames.length - 1; k >= 0; k--) {
      const f = frames[k]!;
      if (next === null || f.entry === null || f.entry !== next.entry) owner = f.name;
      if (k === frames.length - 1) real[g] = f.name === owner;
      next = f;
    }
  }
  return real;
}

// ---- values ---------------------------------------------------------------------------------

/**
 * runtime/pprof's scaleHeapSample (protomem.go; google/pprof's legacy parser has the same):
 * each sampled (count, bytes) pair divided by the probability 1 − exp(−avg/rate) that an object
 * of the average size was sampled, converted back with Go's int64().
 */
export function scaleHeapSample(count: number, size: number, rate: number, cache?: Map<number, number>): [number, number] {
  if (count === 0 || size === 0) return [0, 0];
  if (rate <= 1) return [count, size]; // 1: everything recorded; 0 (heap/0) or less: unknown, unscaled
  const x = -(size / count) / rate;
  let scale = cache?.get(x);
  if (scale === undefined) {
    scale = 1 / (1 - goExp(x));
    cache?.set(x, scale);
  }
  return [goInt64(count * scale), goInt64(size * scale)];
}

/** Go's int64(f) on amd64 (CVTTSD2SQ): truncation; NaN and out-of-range give MinInt64. */
function goInt64(f: number): number {
  if (!(Math.abs(f) < 2 ** 63)) return -(2 ** 63);
  return Math.trunc(f) + 0; // + 0 turns -0 into 0
}

// Go's math.Exp is assembly on amd64 (math/exp_amd64.s, used when the CPU has AVX and FMA, i.e.
// any x86-64 since ~2013), and its result differs from V8's Math.exp in the last bit for ~11% of
// arguments — enough to move int64() of a scaled 10^10-byte value by one (8 in 3,000,000 random
// records). So the same operations are done here, with the fused multiply-adds rounded once.
// (Go's non-FMA branch differs from this one in 6% of exp results but in none of those 3,000,000
// scaled records; arm64's exp_arm64.s is another algorithm, not reproduced.)
const LOG2E = 1.442695040888963407359924681001892;
const LN2U = 0.69314718055966295651160180568695068359375;
const LN2L = 0.28235290563031577122588448175013436025525412068e-12;
const EXP_OVERFLOW = 7.09782712893384e2;
/** Taylor coefficients 1/8! … 1/3!, then 1/2 and 1, Horner order. */
const EXP_TAYLOR = [
  2.4801587301587301587e-5, 1.984126984126984127e-4, 1.3888888888888888889e-3, 8.3333333333333333333e-3,
  4.1666666666666666667e-2, 1.6666666666666666667e-1, 0.5, 1.0,
];

/** Go 1.19 math.Exp on amd64 with FMA (exp_amd64.s, the avxfma branch), operation for operation. */
export function goExp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === -Infinity) return 0;
  if (x > EXP_OVERFLOW) return Infinity;
  const k = cvtsd2sl(LOG2E * x);
  // r = (x − k·ln2)/16 (ln2 in two parts); e^x = (e^r)^16 · 2^k, squaring e^r − 1 four times.
  let r = fma(-LN2U, k, x);
  r = fma(-LN2L, k, r);
  r *= 0.0625;
  let p = EXP_TAYLOR[0]!;
  for (let i = 1; i < EXP_TAYLOR.length; i++) p = fma(r, p, EXP_TAYLOR[i]!);
  let y = r * p; // e^r − 1
  for (let i = 0; i < 3; i++) y *= y + 2; // (e^r − 1)(e^r + 1) = e^2r − 1
  y = fma(y + 2, y, 1);
  return goLdexp(y, k);
}

/** CVTSD2SL: round half to even into an int32; NaN and out-of-range give MinInt32. */
function cvtsd2sl(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r >= -(2 ** 31) && r < 2 ** 31 ? r : -(2 ** 31);
}

/** exp_amd64.s's ldexp tail: y·2^k, with its two-step scaling into the subnormal range. */
function goLdexp(y: number, k: number): number {
  const biased = k + 0x3ff;
  if (biased >= 0x7ff) return Infinity;
  if (biased > 0) return y * 2 ** k;
  if (biased < -52) return 0;
  return y * 2 ** (k + 1022) * 2 ** -1022;
}

/** a·b + c rounded once (an FMA instruction), exactly, via BigInt. */
function fma(a: number, b: number, c: number): number {
  if (a === 0 || b === 0 || c === 0 || !Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) {
    return a * b + c; // one rounding at most here too, or a special value
  }
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const sum = ((ma * mb) << BigInt(ep - e)) + (mc << BigInt(ec - e));
  return timesPow2(Number(sum), e); // Number(bigint) rounds half to even, like the FPU
}

const f64 = new DataView(new ArrayBuffer(8));

/** x = m·2^e with an integer m (x finite, non-zero). */
function decompose(x: number): [bigint, number] {
  f64.setFloat64(0, x);
  const hi = f64.getUint32(0);
  const lo = f64.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) m |= 1n << 52n;
  if (hi >>> 31) m = -m;
  return [m, (biased === 0 ? 1 : biased) - 1075];
}

/** v·2^e, exact while the result is a normal number (always so for exp's intermediate values). */
function timesPow2(v: number, e: number): number {
  let out = v;
  let rest = e;
  while (rest < -1000) {
    out *= 2 ** -1000;
    rest += 1000;
  }
  while (rest > 1000) {
    out *= 2 ** 1000;
    rest -= 1000;
  }
  return out * 2 ** rest;
}

// ---- the profile ----------------------------------------------------------------------------

/** Accumulates records into the model, sharing functions, locations and label sets like the proto. */
class ProfileBuilder {
  private readonly samples = new SamplesBuilder(SAMPLE_TYPES.length);
  private readonly functions: ProfileFunction[] = [];
  private readonly functionIds = new Map<string, ProfileFunction>();
  private readonly locations: Location[] = [];
  private readonly locationIds = new Map<string, Location>();
  private readonly labelSets = new Map<number, LabelSet>();
  private readonly scaleCache = new Map<number, number>();

  constructor(private readonly rate: number) {}

  addRecord(rec: RawRecord): void {
    const s = this.samples;
    s.beginSample();
    for (const group of locationGroups(rec)) s.addLocation(this.location(group).index);
    const [allocObjects, allocBytes] = scaleHeapSample(rec.allocObjects, rec.allocBytes, this.rate, this.scaleCache);
    const [inuseObjects, inuseBytes] = scaleHeapSample(rec.inuseObjects, rec.inuseBytes, this.rate, this.scaleCache);
    s.setValue(0, allocObjects);
    s.setValue(1, allocBytes);
    s.setValue(2, inuseObjects);
    s.setValue(3, inuseBytes);
    // protomem.go: the unscaled alloc bytes / alloc objects, no label when that is 0.
    const blockSize = rec.allocObjects > 0 ? Math.trunc(rec.allocBytes / rec.allocObjects) : 0;
    if (blockSize !== 0) s.setLabels(this.bytesLabel(blockSize));
    s.endSample();
  }

  build(): Profile {
    return {
      id: newProfileId(),
      sampleTypes: SAMPLE_TYPES.map((t) => ({ ...t })),
      defaultSampleType: '',
      periodType: { type: 'space', unit: 'bytes' },
      period: this.rate,
      timeNanos: 0,
      durationNanos: 0,
      comments: [],
      docUrl: '',
      dropFrames: '',
      keepFrames: '',
      mappings: [],
      locations: this.locations,
      functions: this.functions,
      samples: this.samples.build(),
    };
  }

  /** One location per distinct PC run, as the proto keys them (by address). */
  private location(group: LocationGroup): Location {
    const key = group.pcs.length === 1 ? group.pcs[0]! : group.pcs.join(' ');
    let loc = this.locationIds.get(key);
    if (loc) return loc;
    const first = group.frames[0];
    const pc = BigInt(group.pcs[0] ?? '0x1');
    loc = {
      index: this.locations.length,
      mapping: null,
      address: first ? first.addr : pc > 0n ? pc - 1n : 0n,
      // An unsymbolized frame gets no line: same node in every report as the proto's nameless function.
      lines: group.frames.filter((f) => f.name !== '').map((f): Line => ({ fn: this.fn(f), line: f.line })),
      isFolded: false,
    };
    this.locations.push(loc);
    this.locationIds.set(key, loc);
    return loc;
  }

  private fn(f: RawFrame): ProfileFunction {
    const key = `${f.name}\u0000${f.file}`;
    let fn = this.functionIds.get(key);
    if (!fn) {
      fn = { index: this.functions.length, name: f.name, systemName: f.name, filename: f.file, startLine: 0 };
      this.functions.push(fn);
      this.functionIds.set(key, fn);
    }
    return fn;
  }

  private bytesLabel(size: number): LabelSet {
    let set = this.labelSets.get(size);
    if (!set) {
      set = { labels: null, numLabels: { bytes: [size] }, numUnits: null };
      this.labelSets.set(size, set);
    }
    return set;
  }
}
