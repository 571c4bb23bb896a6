// What the heap keeps, on real heap profiles from the fixture target (recorded by the matrix):
// a leak's stacks keep all they allocated; a batch's stacks free each batch, whatever part of the
// current one a GC found live.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { keptInuse } from '../../src/analysis/kept-heap.js';
import { decodeProfile } from '../../src/profile/decode.js';
import { sampleFrames, type Profile } from '../../src/profile/model.js';
import { REPO_ROOT } from '../helpers/paths.js';

const profile = (rec: string, poll: string): Profile => decodeProfile(gunzipSync(readFileSync(join(REPO_ROOT, 'fixtures/recordings', rec, 'polls', poll, 'heap.pb.gz'))));

/** In-use bytes of the samples whose stack passes through `fn`, and of all samples. */
function inuseThrough(p: Profile, fn: string | null): number {
  const t = p.sampleTypes.findIndex((s) => s.type === 'inuse_space');
  let sum = 0;
  for (let i = 0; i < p.samples.count; i++) {
    if (fn === null || sampleFrames(p, i).some((f) => f.name === fn)) sum += p.samples.values[i * p.samples.nTypes + t]!;
  }
  return sum;
}

describe('keptInuse', () => {
  it('a leak under periodic batches: the leak is kept, the batch in flight is not', () => {
    // combo-12-0: a map index leaking 720 kB/s, and 92 MB batches held 2 s every 19 s.
    const p = profile('matrix/combo-12-0', '000076');
    const leak = inuseThrough(p, 'main.(*Index).Add');
    const batch = inuseThrough(p, 'main.processBatch');
    const all = inuseThrough(p, null);
    expect(batch).toBeGreaterThan(leak); // the GC caught a batch live: most of the heap then
    const kept = keptInuse(p)!;
    expect(kept).toBeGreaterThanOrEqual(leak);
    expect(kept).toBeLessThanOrEqual(all - batch);
  });

  it('a plain leak keeps everything it allocated', () => {
    const p = profile('heap-leak', '000024');
    const leak = inuseThrough(p, 'main.(*Cache).Put');
    expect(leak).toBeGreaterThan(0.5 * inuseThrough(p, null));
    expect(keptInuse(p)!).toBeGreaterThanOrEqual(leak);
  });

  it('null for a profile without both alloc_space and inuse_space', () => {
    const p = profile('heap-leak', '000024');
    expect(keptInuse({ ...p, sampleTypes: p.sampleTypes.filter((s) => s.type !== 'alloc_space') })).toBeNull();
  });
});
