// The resolved, read-only profile model every analysis works on. Strings are resolved,
// ids are replaced by object references, int64 values are plain numbers (exact below 2^53).
// Functions and locations are shared between samples, as in the protobuf, so a profile with
// 100,000 stacks stays compact; `sampleFrames` expands a stack into frames on demand.

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

export interface Sample {
  /** Leaf first, as in the protobuf. */
  locations: Location[];
  values: number[];
  /** String labels (pprof.Do labels); null when none. */
  labels: Record<string, string[]> | null;
  /** Numeric labels (heap: bytes = object size); null when none. */
  numLabels: Record<string, number[]> | null;
  numUnits: Record<string, string[]> | null;
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
  dropFrames: string;
  keepFrames: string;
  mappings: Mapping[];
  locations: Location[];
  functions: ProfileFunction[];
  samples: Sample[];
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

/** Expands a sample's stack into frames, leaf first, inlined frames in order (as pprof does). */
export function sampleFrames(sample: Sample): Frame[] {
  const frames: Frame[] = [];
  for (const loc of sample.locations) {
    const n = loc.lines.length;
    if (n === 0) {
      frames.push({ name: '', file: loc.mapping?.file ?? '', line: 0, inlined: false });
      continue;
    }
    for (let i = 0; i < n; i++) {
      const ln = loc.lines[i]!;
      frames.push({ name: ln.fn?.name ?? '', file: ln.fn?.filename ?? '', line: ln.line, inlined: i < n - 1 });
    }
  }
  return frames;
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
