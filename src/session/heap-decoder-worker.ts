// The worker side of workerDecoder: decode, then hand the profile back, moving its big typed
// arrays instead of copying them.

import { parentPort } from 'node:worker_threads';
import { isLivepprofError, errorMessage } from '../errors.js';
import { flatByFunction } from '../analysis/flat-summary.js';
import type { DecodeLimits } from '../profile/decode.js';
import { decodeHeap, type HeapFormat } from './heap-decoder.js';

parentPort?.on('message', (m: { id: number; bytes: Uint8Array; format: HeapFormat; limits: DecodeLimits }) => {
  try {
    const profile = decodeHeap(m.bytes, m.format, m.limits);
    // The verdict's growth evidence and the sparklines read flat per function: work it out here.
    const flat = flatByFunction(profile);
    const { values, stackStart, locIndex, labelIndex } = profile.samples;
    const transfer = [values.buffer, stackStart.buffer, locIndex.buffer, ...(labelIndex ? [labelIndex.buffer] : [])];
    parentPort!.postMessage({ id: m.id, profile, flat }, transfer as ArrayBuffer[]);
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: isLivepprofError(e) ? { kind: e.kind, message: e.message } : { kind: 'internal', message: errorMessage(e) } });
  }
});
