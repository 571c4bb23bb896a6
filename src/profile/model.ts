// The resolved, read-only profile model every analysis works on. Strings are resolved,
// ids are replaced by object references or indices, int64 values are plain numbers (exact
// below 2^53). Functions and locations are objects shared between samples, as in the
// protobuf; the samples themselves are columns of typed arrays (a 100,000-stack heap profile
// takes ~10 MB instead of ~35 MB as objects, and analyses loop over them without allocating).
// `sampleFrames` expands one stack into frames on demand.

export interface ValueType {
  type: string;
  unit: string;
}

export interface Mapping {
  /** Position in Profile.mappings. */
  index: number;
  start: bigint;
  limit: bigint;
  offset: bigint;
  file: string;
  buildId: string;
  hasFunctions: boolean;
}

export interface ProfileFunction {
  /** Position in Profile.functions. */
  index: number;
  name: string;
  systemName: string;
  filename: string;
  startLine: number;
}

export interface Line {
  fn: ProfileFunction | null;
  line: number;
}

export interface Location {
  /** Position in Profile.locations (stable identity within one profile). */
  index: number;
  mapping: Mapping | null;
  address: bigint;
  /** Innermost first: lines[0] is the inlined callee, the last line the real frame. */
  lines: Line[];
  isFolded: boolean;
}

/** A sample's labels; identical sets are shared between samples. */
export interface LabelSet {
  /** String labels (pprof.Do labels); null when none. */
  labels: Record<string, string[]> | null;
  /** Numeric labels (heap: bytes = object size); null when none. */
  numLabels: Record<string, number[]> | null;
  numUnits: Record<string, string[]> | null;
}

export const NO_LABELS: LabelSet = Object.freeze({ labels: null, numLabels: null, numUnits: null });

/**
 * The samples, column-wise. Sample i has values `values[i * nTypes + t]` and the stack
 * `locIndex[stackStart[i]] … locIndex[stackStart[i + 1] - 1]` (Profile.locations indices,
 * leaf first, as in the protobuf).
 */
export interface Samples {
  count: number;
  nTypes: number;
  values: Float64Array;
  stackStart: Uint32Array;
  locIndex: Uint32Array;
  /** Index into labelSets per sample (0 = none); null when no sample has labels. */
  labelIndex: Uint32Array | null;
  /** labelSets[0] is NO_LABELS. */
  labelSets: LabelSet[];
}

export interface Profile {
  /** Unique per decoded/derived profile: the memoization key for analyses. */
  id: number;
  sampleTypes: ValueType[];
  /** The profile's default_sample_type, '' when absent. */
  defaultSampleType: string;
  periodType: ValueType | null;
  period: number;
  /** Nanoseconds since the epoch; 0 when absent (a number: sub-µs precision is not needed). */
  timeNanos: number;
  durationNanos: number;
  comments: string[];
  /** doc_url (field 15): where the profile's kind is documented; '' when absent (pprof prints `Doc:`). */
  docUrl: string;
  dropFrames: string;
  keepFrames: string;
  mappings: Mapping[];
  locations: Location[];
  functions: ProfileFunction[];
  samples: Samples;
}

export interface Frame {
  name: string;
  file: string;
  line: number;
  /** True when this frame was inlined into the next (outer) frame of the same location. */
  inlined: boolean;
}

let nextProfileId = 1;

/** A fresh id for a newly built profile (decoded or derived by a filter, diff or merge). */
export function newProfileId(): number {
  return nextProfileId++;
}

/** The locations of sample i, leaf first (allocates: not for hot loops). */
export function sampleLocations(p: Profile, i: number): Location[] {
  const s = p.samples;
  const out: Location[] = [];
  for (let k = s.stackStart[i]!; k < s.stackStart[i + 1]!; k++) out.push(p.locations[s.locIndex[k]!]!);
  return out;
}

export function sampleValue(p: Profile, i: number, type: number): number {
  return p.samples.values[i * p.samples.nTypes + type]!;
}

export function sampleLabels(p: Profile, i: number): LabelSet {
  const s = p.samples;
  return s.labelIndex ? s.labelSets[s.labelIndex[i]!]! : NO_LABELS;
}

/** Expands sample i's stack into frames, leaf first, inlined frames in order (as pprof does). */
export function sampleFrames(p: Profile, i: number): Frame[] {
  const frames: Frame[] = [];
  for (const loc of sampleLocations(p, i)) {
    const n = loc.lines.length;
    if (n === 0) {
      frames.push({ name: '', file: loc.mapping?.file ?? '', line: 0, inlined: false });
      continue;
    }
    for (let j = 0; j < n; j++) {
      const ln = loc.lines[j]!;
      frames.push({ name: ln.fn?.name ?? '', file: ln.fn?.filename ?? '', line: ln.line, inlined: j < n - 1 });
    }
  }
  return frames;
}

/** Builds a Samples table one sample at a time (decoding, filtering, merging). */
export class SamplesBuilder {
  private values: Float64Array;
  private stackStart: Uint32Array;
  private locIndex: Uint32Array;
  private labelIndex: Uint32Array | null = null;
  private readonly labelSets: LabelSet[] = [NO_LABELS];
  private readonly labelSetIds = new Map<LabelSet, number>([[NO_LABELS, 0]]);
  count = 0;
  private nLocs = 0;

  constructor(
    readonly nTypes: number,
    capacity = 64,
    /** Stack frames expected in all (8 per sample when not given). */
    frames = capacity * 8,
  ) {
    this.values = new Float64Array(Math.max(1, capacity * nTypes));
    this.stackStart = new Uint32Array(capacity + 1);
    this.locIndex = new Uint32Array(Math.max(16, frames));
  }

  /** Starts sample `count`; then call addLocation per frame and finish with endSample. */
  beginSample(): void {
    if (this.count + 2 > this.stackStart.length) {
      this.stackStart = grow(this.stackStart, this.stackStart.length * 2);
      this.values = growF(this.values, this.stackStart.length * this.nTypes);
      if (this.labelIndex) this.labelIndex = grow(this.labelIndex, this.stackStart.length);
    }
    this.stackStart[this.count] = this.nLocs;
  }

  addLocation(index: number): void {
    if (this.nLocs === this.locIndex.length) this.locIndex = grow(this.locIndex, this.locIndex.length * 2);
    this.locIndex[this.nLocs++] = index;
  }

  setValue(type: number, v: number): void {
    this.values[this.count * this.nTypes + type] = v;
  }

  setLabels(set: LabelSet): void {
    if (set === NO_LABELS) return;
    let id = this.labelSetIds.get(set);
    if (id === undefined) {
      id = this.labelSets.length;
      this.labelSets.push(set);
      this.labelSetIds.set(set, id);
    }
    this.labelIndex ??= new Uint32Array(this.stackStart.length);
    this.labelIndex[this.count] = id;
  }

  endSample(): void {
    this.count++;
    this.stackStart[this.count] = this.nLocs;
  }

  /** Copies sample i's values and labels from another table (the stack is added separately). */
  copyValuesAndLabels(from: Samples, i: number): void {
    for (let t = 0; t < this.nTypes; t++) this.values[this.count * this.nTypes + t] = from.values[i * from.nTypes + t]!;
    if (from.labelIndex) this.setLabels(from.labelSets[from.labelIndex[i]!]!);
  }

  /** Adds v to value t of an already finished sample (merging identical stacks). */
  addValue(i: number, t: number, v: number): void {
    this.values[i * this.nTypes + t]! += v;
  }

  /** True when every value of finished sample i is zero. */
  isZero(i: number): boolean {
    for (let t = 0; t < this.nTypes; t++) if (this.values[i * this.nTypes + t] !== 0) return false;
    return true;
  }

  /** Drops the sample being built (its locations and values are overwritten by the next). */
  abandonSample(): void {
    this.nLocs = this.stackStart[this.count]!;
    for (let t = 0; t < this.nTypes; t++) this.values[this.count * this.nTypes + t] = 0;
    if (this.labelIndex) this.labelIndex[this.count] = 0;
  }

  /** The finished table, trimmed to size. */
  build(): Samples {
    return {
      count: this.count,
      nTypes: this.nTypes,
      values: this.values.slice(0, this.count * this.nTypes),
      stackStart: this.stackStart.slice(0, this.count + 1),
      locIndex: this.locIndex.slice(0, this.nLocs),
      labelIndex: this.labelIndex ? this.labelIndex.slice(0, this.count) : null,
      labelSets: this.labelSets,
    };
  }
}

function grow(a: Uint32Array, size: number): Uint32Array {
  const b = new Uint32Array(size);
  b.set(a);
  return b;
}

function growF(a: Float64Array, size: number): Float64Array {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}

/**
 * The sample type index pprof uses by default: `default_sample_type` when present, else the
 * last type (google/pprof profile/index.go).
 */
export function defaultSampleIndex(p: Profile): number {
  if (p.defaultSampleType) {
    const i = p.sampleTypes.findIndex((t) => t.type === p.defaultSampleType);
    if (i >= 0) return i;
  }
  return p.sampleTypes.length - 1;
}

/**
 * Resolves a --sample-index value (a name, a number, or pprof's legacy `inuse_` alias) to an
 * index; returns an error message when it names nothing in this profile.
 */
export function resolveSampleIndex(p: Profile, value: string | undefined): number | string {
  if (value === undefined || value === '') return defaultSampleIndex(p);
  const names = p.sampleTypes.map((t) => t.type);
  if (/^-?\d+$/.test(value)) {
    const i = Number(value);
    if (i < 0 || i >= p.sampleTypes.length) {
      return `sample index ${value} is outside the range [0..${p.sampleTypes.length - 1}]`;
    }
    return i;
  }
  const noInuse = value.startsWith('inuse_') ? value.slice('inuse_'.length) : value;
  const i = names.findIndex((n) => n === value || n === noInuse);
  if (i >= 0) return i;
  return `sample index "${value}" is not in this profile; it has: ${names.join(', ')}`;
}
