// What the heap keeps: a heap profile counts, for each allocation stack, the bytes allocated
// since the process started and the bytes still in use at the last GC. A stack that leaks keeps
// nearly all it allocated; one that serves requests or batches frees nearly all of it, whatever
// it held at the moment a GC marked the heap. The in-use of the keepers is the part of the live
// heap that can leak; the rest is memory in flight. Pure.

import type { Profile } from '../profile/model.js';

/**
 * A stack still holding at least this share of all it allocated is a keeper. One that frees
 * nothing holds exactly all of it (its in-use and allocated figures scale the same sampled
 * objects); a batch stack caught mid-batch can hold half of all it ever allocated, but it has
 * freed the batches before.
 */
export const KEEP_SHARE = 0.9;

/** In-use bytes of the stacks that keep at least KEEP_SHARE of what they allocated; null without both sample types. */
export function keptInuse(p: Profile): number | null {
  const alloc = p.sampleTypes.findIndex((t) => t.type === 'alloc_space');
  const inuse = p.sampleTypes.findIndex((t) => t.type === 'inuse_space');
  if (alloc < 0 || inuse < 0) return null;
  const { count, nTypes, values } = p.samples;
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const held = values[i * nTypes + inuse]!;
    if (held > 0 && held >= KEEP_SHARE * values[i * nTypes + alloc]!) kept += held;
  }
  return kept;
}
