// drop_frames / keep_frames: profiles from some tools (gperftools, C++) name allocator frames
// to cut from the stacks. pprof applies them to every profile it loads (RemoveUninteresting);
// Go's runtime never sets them, so for Go profiles this is a no-op.

import type { Location, Profile, Sample } from '../profile/model.js';
import { newProfileId } from '../profile/model.js';

const RESERVED = ['(anonymous namespace)', 'operator()'];

/** Strips an argument list from an unsimplified C++ name, sparing names that contain '('. */
function simplifyFunc(f: string): string {
  const name = f.startsWith('.') ? f.slice(1) : f;
  const re = /\(anonymous namespace\)|operator\(\)|\(/g;
  for (let m = re.exec(name); m; m = re.exec(name)) {
    if (!RESERVED.includes(m[0])) return name.slice(0, m.index);
  }
  return name;
}

function anchored(source: string): RegExp | null {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch {
    return null; // pprof ignores a drop_frames it cannot compile
  }
}

export function removeUninteresting(p: Profile): Profile {
  if (!p.dropFrames) return p;
  const drop = anchored(p.dropFrames);
  if (!drop) return p;
  const keep = p.keepFrames ? anchored(p.keepFrames) : null;
  if (p.keepFrames && !keep) return p;

  const prune = new Uint8Array(p.locations.length);
  const pruneBeneath = new Uint8Array(p.locations.length);
  const locations: Location[] = p.locations.map((loc) => {
    let i = loc.lines.length - 1;
    for (; i >= 0; i--) {
      const fn = loc.lines[i]!.fn;
      if (fn && fn.name) {
        const name = simplifyFunc(fn.name);
        if (drop.test(name) && !(keep && keep.test(name))) break;
      }
    }
    if (i < 0) return loc;
    pruneBeneath[loc.index] = 1;
    if (i === loc.lines.length - 1) {
      prune[loc.index] = 1;
      return loc;
    }
    return { ...loc, lines: loc.lines.slice(i + 1) };
  });

  const samples: Sample[] = p.samples.map((s) => {
    let locs = s.locations;
    // From the root towards the leaf; frames before the first user frame are never pruned.
    let foundUser = false;
    for (let i = locs.length - 1; i >= 0; i--) {
      const id = locs[i]!.index;
      if (!prune[id] && !pruneBeneath[id]) {
        foundUser = true;
        continue;
      }
      if (!foundUser) continue;
      if (prune[id]) {
        locs = locs.slice(i + 1);
        break;
      }
      if (pruneBeneath[id]) {
        locs = locs.slice(i);
        break;
      }
    }
    return { ...s, locations: locs.map((l) => locations[l.index]!) };
  });
  return { ...p, id: newProfileId(), locations, samples };
}
