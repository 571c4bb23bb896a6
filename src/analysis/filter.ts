// pprof's focus / ignore / hide / show, with its semantics (google/pprof profile/filter.go):
// focus and ignore select whole samples by any frame; hide and show remove frames. A frame
// matches when the regexp matches its function name, its file name, or its binary's name.
// Profiles are read-only: the result is a new profile sharing everything it did not change.

import type { Line, Location, Profile, Sample } from '../profile/model.js';
import { newProfileId } from '../profile/model.js';
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

  const samples: Sample[] = [];
  for (const s of p.samples) {
    if (!focusedAndNotIgnored(s.locations, focusOrIgnore)) continue;
    let locs = s.locations;
    if (anyHidden) {
      locs = locs.filter((l) => !hidden[l.index]);
      if (locs.length === 0) continue;
    }
    samples.push({ ...s, locations: locs.map((l) => newLocations[l.index]!) });
  }
  return { profile: { ...p, id: newProfileId(), locations: newLocations, samples }, matched };
}

function focusedAndNotIgnored(locs: Location[], focusOrIgnore: Array<boolean | undefined>): boolean {
  let focused = false;
  for (const loc of locs) {
    const f = focusOrIgnore[loc.index];
    if (f === false) return false;
    if (f === true) focused = true;
  }
  return focused;
}
