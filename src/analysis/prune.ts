// drop_frames / keep_frames: profiles from some tools (gperftools, C++) name allocator frames
// to cut from the stacks. pprof applies them to every profile it loads (RemoveUninteresting);
// Go's runtime never sets them, so for Go profiles this is a no-op.

import type { Location, Profile } from '../profile/model.js';
import { SamplesBuilder, newProfileId } from '../profile/model.js';

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

  const src = p.samples;
  const out = new SamplesBuilder(src.nTypes, src.count);
  for (let i = 0; i < src.count; i++) {
    let from = src.stackStart[i]!;
    const to = src.stackStart[i + 1]!;
    // From the root towards the leaf; frames before the first user frame are never pruned.
    let foundUser = false;
    for (let k = to - 1; k >= from; k--) {
      const id = src.locIndex[k]!;
      if (!prune[id] && !pruneBeneath[id]) {
        foundUser = true;
        continue;
      }
      if (!foundUser) continue;
      if (prune[id]) {
        from = k + 1;
        break;
      }
      if (pruneBeneath[id]) {
        from = k;
        break;
      }
    }
    out.beginSample();
    for (let k = from; k < to; k++) out.addLocation(src.locIndex[k]!);
    out.copyValuesAndLabels(src, i);
    out.endSample();
  }
  const samples = out.build();
  return { ...p, id: newProfileId(), locations, samples };
}
