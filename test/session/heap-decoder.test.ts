// The full-screen view decodes heap profiles in a worker thread. What comes back must be the
// same profile the inline decoder makes (same `top`), usable by every analysis (shared label
// set identity, a main-thread id), and bad bytes must still fail as "not a profile".
// Runs against the compiled worker script: `npm test` builds dist/ first.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeProfiles } from '../../src/analysis/merge.js';
import { topReport } from '../../src/analysis/top.js';
import { isLivepprofError } from '../../src/errors.js';
import { NO_LABELS, newProfileId, type Profile } from '../../src/profile/model.js';
import { WORKER_SCRIPT, inlineDecoder, workerDecoder } from '../../src/session/heap-decoder.js';
import { GO119 } from '../helpers/paths.js';

const top = (p: Profile, sampleIndex: number) =>
  topReport(p, { sampleIndex, granularity: 'functions', nodeCount: 0, cumSort: false, filters: {} });

describe('worker heap decoder', () => {
  it('the compiled worker script exists (npm test builds it)', () => {
    expect(existsSync(WORKER_SCRIPT)).toBe(true);
  });

  const worker = workerDecoder();
  afterAll(() => worker.close());

  for (const [file, format] of [
    ['heap.pb.gz', 'proto'],
    ['heap.debug1.txt', 'heap-debug1'],
  ] as const) {
    it(`${file}: the same profile as decoding inline`, async () => {
      const bytes = new Uint8Array(readFileSync(join(GO119, file)));
      const [a, b] = await Promise.all([inlineDecoder.decode(bytes, format), worker.decode(bytes, format)]);
      expect(b.sampleTypes).toEqual(a.sampleTypes);
      expect(b.samples.count).toBe(a.samples.count);
      expect(Array.from(b.samples.values)).toEqual(Array.from(a.samples.values));
      for (let t = 0; t < a.sampleTypes.length; t++) expect(top(b, t)).toEqual(top(a, t));
      // The caller's bytes are not moved into the worker.
      expect(bytes.byteLength).toBeGreaterThan(0);
    });
  }

  it('returns profiles analyses can use: shared "no labels" set, fresh main-thread ids', async () => {
    const bytes = new Uint8Array(readFileSync(join(GO119, 'heap.pb.gz')));
    const before = newProfileId();
    const p = await worker.decode(bytes, 'proto');
    const q = await worker.decode(bytes, 'proto');
    expect(p.samples.labelSets[0]).toBe(NO_LABELS);
    expect(p.id).toBeGreaterThan(before);
    expect(q.id).not.toBe(p.id);
    // Two copies of one profile merge stack for stack: same samples, doubled values.
    const merged = mergeProfiles([p, q]);
    expect(merged.samples.count).toBe(mergeProfiles([p]).samples.count);
    expect(top(merged, 1).total).toBe(2 * top(p, 1).total);
  });

  it('bad bytes reject with a "not a profile" error, and the worker keeps serving', async () => {
    const err = await worker.decode(new TextEncoder().encode('<html>hello</html>'), 'proto').catch((e: unknown) => e);
    expect(isLivepprofError(err)).toBe(true);
    const ok = await worker.decode(new Uint8Array(readFileSync(join(GO119, 'heap.pb.gz'))), 'proto');
    expect(ok.samples.count).toBeGreaterThan(0);
  });

  it('a worker that goes away fails only its own requests; the next decode gets a new worker', async () => {
    const own = workerDecoder();
    const bytes = new Uint8Array(readFileSync(join(GO119, 'heap.pb.gz')));
    await own.decode(bytes, 'proto'); // the worker is up
    const lost = own.decode(bytes, 'proto').catch((e: unknown) => e);
    const closing = own.close(); // terminated with a request in flight
    const next = own.decode(bytes, 'proto'); // sent to a replacement, before the old one's exit event
    await closing;
    // The lost one may have been answered before the end; either way it settles.
    const settled = await lost;
    expect(settled instanceof Error || (settled as Profile).samples.count > 0).toBe(true);
    expect((await next).samples.count).toBeGreaterThan(0);
    await own.close();
  });

  it('--max-inflated holds in the worker too: over the cap is one too-large line naming the flag', async () => {
    const bytes = new Uint8Array(readFileSync(join(GO119, 'heap.pb.gz')));
    const capped = workerDecoder({ maxInflated: 1024 });
    try {
      const err = await capped.decode(bytes, 'proto').catch((e: unknown) => e);
      expect(isLivepprofError(err) && err.kind).toBe('too-large');
      expect((err as Error).message).toBe(
        'gzip data inflates to more than the --max-inflated limit of 1 KiB (a gzip bomb, or a huge profile: raise --max-inflated)',
      );
      // The same bytes within a cap that fits them decode as before.
      const roomy = workerDecoder({ maxInflated: 64 * 1024 * 1024 });
      expect((await roomy.decode(bytes, 'proto')).samples.count).toBe((await inlineDecoder.decode(bytes, 'proto')).samples.count);
      await roomy.close();
    } finally {
      await capped.close();
    }
  });

  it('falls back to decoding inline when the worker script is missing (running from source)', () => {
    expect(workerDecoder({}, '/nonexistent/heap-decoder-worker.js')).toBe(inlineDecoder);
  });
});
