// Profile merging with pprof's identity rules (google/pprof profile/merge.go), and the diff
// built on it: `--base` is the current profile merged with the base scaled by −1, so
// identical stacks cancel out and what is left is growth (positive) and shrinkage (negative).

import { LivepprofError } from '../errors.js';
import type { LabelSet, Location, Mapping, Profile, ProfileFunction, Samples } from '../profile/model.js';
import { NO_LABELS, SamplesBuilder, newProfileId } from '../profile/model.js';
import { runSteps, YIELD_MASK, type Steps } from './steps.js';
import { isKnownUnit, scale } from './units.js';

/** The current profile minus the base (pprof -base). */
export function diffProfiles(current: Profile, base: Profile): Profile {
  return runSteps(diffProfilesSteps(current, base));
}

/** diffProfiles, yielding every few thousand samples (steps.ts). */
export function* diffProfilesSteps(current: Profile, base: Profile): Steps<Profile> {
  checkCompatible(current, base);
  const [cur, b] = scaleToCommonUnits(current, base);
  const negated = yield* scaleEachSteps(b, b.sampleTypes.map(() => -1));
  return yield* mergeProfilesSteps([cur, negated]);
}

function typeName(t: string): string {
  return t.endsWith('s') ? t.slice(0, -1) : t;
}

function compatibleUnits(a: string, b: string): boolean {
  return a === b || (isKnownUnit(a) && isKnownUnit(b) && scale(1, a, b)[1] !== '' && sameFamily(a, b));
}

function sameFamily(a: string, b: string): boolean {
  // Bytes convert to bytes and time to time; scale() falls back to the default unit otherwise.
  const [, ua] = scale(1, a, 'minimum');
  const [, ub] = scale(1, b, 'minimum');
  const bytes = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  return bytes.includes(ua) === bytes.includes(ub);
}

function checkCompatible(p: Profile, b: Profile): void {
  const describe = (x: Profile) => x.sampleTypes.map((t) => `${t.type}/${t.unit}`).join(', ');
  const same =
    p.sampleTypes.length === b.sampleTypes.length &&
    p.sampleTypes.every((t, i) => typeName(t.type) === typeName(b.sampleTypes[i]!.type) && compatibleUnits(t.unit, b.sampleTypes[i]!.unit));
  const samePeriod =
    !p.periodType || !b.periodType || (p.periodType.type === b.periodType.type && compatibleUnits(p.periodType.unit, b.periodType.unit));
  if (!same || !samePeriod) {
    throw new LivepprofError(
      'incompatible',
      `the base profile is of another kind (${describe(b)}) than the profile (${describe(p)}): diff profiles of the same type`,
    );
  }
}

/** Converts both profiles' values to the finer of each pair of units (pprof ScaleProfiles). */
function scaleToCommonUnits(p: Profile, b: Profile): [Profile, Profile] {
  const ratiosP: number[] = [];
  const ratiosB: number[] = [];
  let any = false;
  p.sampleTypes.forEach((t, i) => {
    const u = b.sampleTypes[i]!.unit;
    if (t.unit === u) {
      ratiosP.push(1);
      ratiosB.push(1);
      return;
    }
    any = true;
    const [r] = scale(1, u, t.unit); // one base unit in the profile's units
    if (r < 1) {
      ratiosP.push(scale(1, t.unit, u)[0]);
      ratiosB.push(1);
    } else {
      ratiosP.push(1);
      ratiosB.push(r);
    }
  });
  if (!any) return [p, b];
  const unitOf = (i: number) => (ratiosP[i] === 1 ? p.sampleTypes[i]!.unit : b.sampleTypes[i]!.unit);
  const withUnits = (x: Profile): Profile => ({ ...x, sampleTypes: x.sampleTypes.map((t, i) => ({ ...t, unit: unitOf(i) })) });
  return [withUnits(scaleEach(p, ratiosP)), withUnits(scaleEach(b, ratiosB))];
}

/** pprof ScaleN: multiply and round each value; samples whose scaled values are all 0 go. */
function scaleEach(p: Profile, ratios: number[]): Profile {
  return runSteps(scaleEachSteps(p, ratios));
}

function* scaleEachSteps(p: Profile, ratios: number[]): Steps<Profile> {
  if (ratios.every((r) => r === 1)) return p;
  const src = p.samples;
  const out = new SamplesBuilder(src.nTypes, src.count);
  for (let i = 0; i < src.count; i++) {
    if ((i & YIELD_MASK) === YIELD_MASK) yield;
    out.beginSample();
    let keep = false;
    for (let t = 0; t < src.nTypes; t++) {
      const v = src.values[i * src.nTypes + t]!;
      const x = ratios[t] === 1 ? v : Math.round(v * ratios[t]!) + 0; // + 0 turns -0 into 0
      if (ratios[t] !== 1 && x !== 0) keep = true;
      out.setValue(t, x);
    }
    if (!keep) {
      out.abandonSample();
      continue;
    }
    for (let k = src.stackStart[i]!; k < src.stackStart[i + 1]!; k++) out.addLocation(src.locIndex[k]!);
    if (src.labelIndex) out.setLabels(src.labelSets[src.labelIndex[i]!]!);
    out.endSample();
  }
  return { ...p, id: newProfileId(), samples: out.build() };
}

function isZeroSample(s: Samples, i: number): boolean {
  for (let t = 0; t < s.nTypes; t++) if (s.values[i * s.nTypes + t] !== 0) return false;
  return true;
}

/**
 * Merges profiles of the same type: identical stacks (same code locations, same labels) are
 * added up, zero samples dropped, functions/locations/mappings deduplicated.
 */
export function mergeProfiles(srcs: Profile[]): Profile {
  return runSteps(mergeProfilesSteps(srcs));
}

function* mergeProfilesSteps(srcs: Profile[]): Steps<Profile> {
  const first = srcs[0]!;
  let timeNanos = 0;
  let durationNanos = 0;
  let period = 0;
  const comments: string[] = [];
  let defaultSampleType = '';
  let docUrl = '';
  for (const s of srcs) {
    if (timeNanos === 0 || s.timeNanos < timeNanos) timeNanos = s.timeNanos;
    durationNanos += s.durationNanos;
    if (period === 0 || period < s.period) period = s.period;
    for (const c of s.comments) if (!comments.includes(c)) comments.push(c);
    if (!defaultSampleType) defaultSampleType = s.defaultSampleType;
    if (!docUrl) docUrl = s.docUrl;
  }

  const mappings: Mapping[] = [];
  const functions: ProfileFunction[] = [];
  const locations: Location[] = [];
  const out = new SamplesBuilder(first.samples.nTypes, first.samples.count);
  const mappingByKey = new Map<string, Mapping>();
  const functionByKey = new Map<string, ProfileFunction>();
  const locationByKey = new Map<string, Location>();
  const sampleByKey = new Map<string, number>();
  const labelKeys = new Map<LabelSet, string>();

  const mapMapping = (m: Mapping | null): Mapping | null => {
    if (!m) return null;
    const key = mappingKey(m);
    let out = mappingByKey.get(key);
    if (!out) {
      out = { ...m, index: mappings.length };
      mappings.push(out);
      mappingByKey.set(key, out);
    }
    return out;
  };
  const mapFunction = (f: ProfileFunction | null): ProfileFunction | null => {
    if (!f) return null;
    const key = `${f.startLine}\u0000${f.name}\u0000${f.systemName}\u0000${f.filename}`;
    let out = functionByKey.get(key);
    if (!out) {
      out = { ...f, index: functions.length };
      functions.push(out);
      functionByKey.set(key, out);
    }
    return out;
  };

  for (const src of srcs) {
    const locMemo = new Array<Location | undefined>(src.locations.length);
    const mapLocation = (l: Location): Location => {
      const memo = locMemo[l.index];
      if (memo) return memo;
      const mapping = mapMapping(l.mapping);
      const lines = l.lines.map((ln) => ({ fn: mapFunction(ln.fn), line: ln.line }));
      // Addresses are compared relative to their mapping, which absorbs ASLR differences.
      const rel = l.mapping ? l.address - l.mapping.start : l.address;
      const key = `${rel}\u0000${mapping ? mapping.index : -1}\u0000${lines.map((x) => `${x.fn ? x.fn.index : -1}:${x.line}`).join('|')}\u0000${l.isFolded ? 1 : 0}`;
      let out = locationByKey.get(key);
      if (!out) {
        const address = mapping && l.mapping ? l.address + (mapping.start - l.mapping.start) : l.address;
        out = { index: locations.length, mapping, address, lines, isFolded: l.isFolded };
        locations.push(out);
        locationByKey.set(key, out);
      }
      locMemo[l.index] = out;
      return out;
    };
    if (mappings.length === 0 && src.mappings.length > 0) mapMapping(src.mappings[0]!);
    const ss = src.samples;
    const locs: Location[] = [];
    for (let i = 0; i < ss.count; i++) {
      if ((i & YIELD_MASK) === YIELD_MASK) yield;
      if (isZeroSample(ss, i)) continue;
      locs.length = 0;
      for (let k = ss.stackStart[i]!; k < ss.stackStart[i + 1]!; k++) locs.push(mapLocation(src.locations[ss.locIndex[k]!]!));
      const labels = ss.labelIndex ? ss.labelSets[ss.labelIndex[i]!]! : NO_LABELS;
      const key = sampleKey(locs, labels, labelKeys);
      const existing = sampleByKey.get(key);
      if (existing !== undefined) {
        for (let t = 0; t < ss.nTypes; t++) out.addValue(existing, t, ss.values[i * ss.nTypes + t]!);
        continue;
      }
      sampleByKey.set(key, out.count);
      out.beginSample();
      for (const l of locs) out.addLocation(l.index);
      out.copyValuesAndLabels(ss, i);
      out.endSample();
    }
  }

  let anyZero = false;
  for (let i = 0; i < out.count && !anyZero; i++) anyZero = out.isZero(i);
  const merged: Profile = {
    ...first,
    id: newProfileId(),
    sampleTypes: first.sampleTypes.slice(),
    timeNanos,
    durationNanos,
    period,
    comments,
    defaultSampleType,
    docUrl,
    mappings,
    functions,
    locations,
    samples: out.build(),
  };
  // Stacks that cancelled out are garbage-collected, as pprof re-merges to drop them.
  return anyZero ? yield* mergeProfilesSteps([merged]) : merged;
}

function mappingKey(m: Mapping): string {
  // Rounded size + offset + build id (or file): the same binary mapped at another address matches.
  let size = m.limit - m.start;
  size = size + 0xfffn;
  size = size - (size % 0x1000n);
  return `${size}\u0000${m.offset}\u0000${m.buildId || m.file}`;
}

function sampleKey(locs: Location[], labels: LabelSet, labelKeys: Map<LabelSet, string>): string {
  let key = '';
  for (const l of locs) key += l.index.toString(36) + '|';
  if (labels === NO_LABELS) return key;
  let lk = labelKeys.get(labels);
  if (lk === undefined) {
    lk = '';
    const { labels: str, numLabels: num, numUnits } = labels;
    if (str) lk += '\u0000' + Object.keys(str).sort().map((k) => JSON.stringify([k, str[k]])).join('');
    if (num) {
      lk += '\u0001' + Object.keys(num).sort().map((k) => JSON.stringify([k, num[k], numUnits?.[k] ?? []])).join('');
    }
    labelKeys.set(labels, lk);
  }
  return key + lk;
}
