// A goroutine?debug=1 count profile (the groups the Goroutines pane shows) as a pprof Profile,
// so exporting that pane writes what it shows in a form `go tool pprof` opens: sample type
// goroutine/count as Go's own goroutine profile has, one sample per group, its labels kept.
// debug=1 prints frames but not which PC each came from, so each frame (function, file, line)
// is its own location; a group whose PCs were not symbolized keeps them as bare addresses.

import type { CountProfile } from './goroutine-text.js';
import type { LabelSet, Line, Location, Profile, ProfileFunction } from './model.js';
import { NO_LABELS, SamplesBuilder, newProfileId } from './model.js';

export function countProfileAsProfile(cp: CountProfile, timeMs = 0): Profile {
  const functions: ProfileFunction[] = [];
  const locations: Location[] = [];
  const fnByKey = new Map<string, ProfileFunction>();
  const locByKey = new Map<string, Location>();
  const labelSets = new Map<string, LabelSet>();
  const location = (key: string, address: bigint, lines: Line[]): Location => {
    let loc = locByKey.get(key);
    if (!loc) {
      loc = { index: locations.length, mapping: null, address, lines, isFolded: false };
      locations.push(loc);
      locByKey.set(key, loc);
    }
    return loc;
  };
  const fn = (name: string, file: string): ProfileFunction => {
    const key = `${name}\0${file}`;
    let f = fnByKey.get(key);
    if (!f) {
      f = { index: functions.length, name, systemName: name, filename: file, startLine: 0 };
      functions.push(f);
      fnByKey.set(key, f);
    }
    return f;
  };
  const labelsOf = (labels: Record<string, string> | null): LabelSet => {
    if (!labels || Object.keys(labels).length === 0) return NO_LABELS;
    const key = JSON.stringify(labels);
    let set = labelSets.get(key);
    if (!set) {
      set = { labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, [v]])), numLabels: null, numUnits: null };
      labelSets.set(key, set);
    }
    return set;
  };

  const samples = new SamplesBuilder(1, cp.groups.length);
  for (const g of cp.groups) {
    samples.beginSample();
    if (g.frames.length > 0) {
      for (const f of g.frames) samples.addLocation(location(`${f.func}\0${f.file}\0${f.line}`, 0n, [{ fn: fn(f.func, f.file), line: f.line }]).index);
    } else {
      for (const pc of g.pcs) samples.addLocation(location(pc, BigInt(pc), []).index);
    }
    samples.setValue(0, g.count);
    samples.setLabels(labelsOf(g.labels));
    samples.endSample();
  }
  const countType = { type: cp.profile, unit: 'count' };
  return {
    id: newProfileId(),
    sampleTypes: [countType],
    defaultSampleType: '',
    periodType: { ...countType },
    period: 1,
    timeNanos: timeMs * 1e6,
    durationNanos: 0,
    comments: [],
    docUrl: '',
    dropFrames: '',
    keepFrames: '',
    mappings: [],
    locations,
    functions,
    samples: samples.build(),
  };
}
