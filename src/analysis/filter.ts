// pprof's focus / ignore / hide / show, with its semantics (google/pprof profile/filter.go):
// focus and ignore select whole samples by any frame; hide and show remove frames. A frame
// matches when the regexp matches its function name, its file name, or its binary's name.
// Profiles are read-only: the result is a new profile sharing everything it did not change.

import type { Line, Location, Profile } from '../profile/model.js';
import { SamplesBuilder, newProfileId } from '../profile/model.js';
import { compileGoRegexp } from './regex.js';

export interface NameFilters {
  focus?: string;
  ignore?: string;
  hide?: string;
  show?: string;
}

export interface FilterResult {
  profile: Profile;
  /** Which filters matched at least one frame (pprof warns "… expression matched no samples"). */
  matched: { focus: boolean; ignore: boolean; hide: boolean; show: boolean };
}

export function hasNameFilters(f: NameFilters): boolean {
  return !!(f.focus || f.ignore || f.hide || f.show);
}

function lineMatches(ln: Line, re: RegExp): boolean {
  return ln.fn !== null && (re.test(ln.fn.name) || re.test(ln.fn.filename));
}

function mappingMatches(loc: Location, re: RegExp): boolean {
  return loc.mapping !== null && re.test(loc.mapping.file);
}

function locationMatches(loc: Location, re: RegExp): boolean {
  return loc.lines.some((ln) => lineMatches(ln, re)) || mappingMatches(loc, re);
}

export function filterByName(p: Profile, filters: NameFilters): FilterResult {
  const focus = filters.focus ? compileGoRegexp(filters.focus, 'focus') : null;
  const ignore = filters.ignore ? compileGoRegexp(filters.ignore, 'ignore') : null;
  const hide = filters.hide ? compileGoRegexp(filters.hide, 'hide') : null;
  const show = filters.show ? compileGoRegexp(filters.show, 'show') : null;
  const matched = { focus: false, ignore: false, hide: false, show: false };
  if (!focus && !ignore && !hide && !show) return { profile: p, matched };

  // Per location: true = focused, false = ignored, undefined = neither.
  const focusOrIgnore = new Array<boolean | undefined>(p.locations.length);
  const hidden = new Uint8Array(p.locations.length);
  let anyHidden = false;
  const newLocations: Location[] = p.locations.map((loc) => {
    if (ignore && locationMatches(loc, ignore)) {
      matched.ignore = true;
      focusOrIgnore[loc.index] = false;
    } else if (!focus || locationMatches(loc, focus)) {
      matched.focus = true;
      focusOrIgnore[loc.index] = true;
    }
    let lines = loc.lines;
    if (hide && locationMatches(loc, hide)) {
      matched.hide = true;
      lines = mappingMatches(loc, hide) ? [] : lines.filter((ln) => !lineMatches(ln, hide));
      if (lines.length === 0) hidden[loc.index] = 1;
    }
    if (show) {
      lines = mappingMatches(loc, show) ? lines : lines.filter((ln) => ln.fn === null || lineMatches(ln, show));
      if (lines.length === 0) hidden[loc.index] = 1;
      else matched.show = true;
    }
    if (hidden[loc.index]) anyHidden = true;
    return lines === loc.lines ? loc : { ...loc, lines };
  });

  const src = p.samples;
  const out = new SamplesBuilder(src.nTypes, src.count);
  for (let i = 0; i < src.count; i++) {
    const from = src.stackStart[i]!;
    const to = src.stackStart[i + 1]!;
    if (!focusedAndNotIgnored(src.locIndex, from, to, focusOrIgnore)) continue;
    out.beginSample();
    let n = 0;
    for (let k = from; k < to; k++) {
      const loc = src.locIndex[k]!;
      if (!hidden[loc]) {
        out.addLocation(loc);
        n++;
      }
    }
    if (n === 0 && anyHidden) {
      out.abandonSample(); // pprof drops a sample left without frames
      continue;
    }
    out.copyValuesAndLabels(src, i);
    out.endSample();
  }
  return { profile: { ...p, id: newProfileId(), locations: newLocations, samples: out.build() }, matched };
}

function focusedAndNotIgnored(
  locIndex: Uint32Array,
  from: number,
  to: number,
  focusOrIgnore: Array<boolean | undefined>,
): boolean {
  let focused = false;
  for (let k = from; k < to; k++) {
    const f = focusOrIgnore[locIndex[k]!];
    if (f === false) return false;
    if (f === true) focused = true;
  }
  return focused;
}
