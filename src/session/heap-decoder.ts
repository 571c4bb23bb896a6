// Turning a heap profile's bytes into a Profile: on this thread (scripts, tests), or in a worker
// thread so a big profile (100,000 stacks: ~100 ms) never stalls the full-screen view's input.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LivepprofError, type ErrorKind } from '../errors.js';
import { decodeProfile, type DecodeLimits } from '../profile/decode.js';
import { parseHeapDebug1Profile } from '../profile/legacy-heap.js';
import type { Profile } from '../profile/model.js';
import { NO_LABELS, newProfileId } from '../profile/model.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { flatByFunction, type FlatSummary } from '../analysis/flat-summary.js';

export type HeapFormat = 'proto' | 'heap-debug1';

export interface HeapDecoder {
  /** Decodes a heap profile; rejects with a LivepprofError for bytes that are not one. */
  decode(bytes: Uint8Array, format: HeapFormat): Promise<Profile>;
  close(): Promise<void>;
}

/** The plain decoders, shared by both ways of running them. */
export function decodeHeap(bytes: Uint8Array, format: HeapFormat, limits: DecodeLimits = {}): Profile {
  if (format === 'proto') return decodeProfile(bytes, limits);
  const r = parseHeapDebug1Profile(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
  if (!r.ok) throw new LivepprofError('not-profile', `heap?debug=1: ${r.error}`);
  return r.value;
}

/**
 * Flat per function of a decoded heap (flatByFunction): computed where the profile was decoded
 * (in the worker, off the main thread) and kept beside the profile; computed here for a profile
 * that came without one.
 */
const summaries = new WeakMap<Profile, FlatSummary>();

export function flatSummaryOf(p: Profile): FlatSummary {
  let flat = summaries.get(p);
  if (!flat) summaries.set(p, (flat = flatByFunction(p)));
  return flat;
}

/** Decodes on this thread, within `limits` (--max-inflated). */
export function inlineDecoderWith(limits: DecodeLimits): HeapDecoder {
  return {
    decode: async (bytes, format) => decodeHeap(bytes, format, limits),
    close: async () => undefined,
  };
}

export const inlineDecoder: HeapDecoder = inlineDecoderWith({});

interface Reply {
  id: number;
  profile?: Profile;
  flat?: FlatSummary;
  error?: { kind: ErrorKind | 'internal'; message: string };
}

/** The compiled worker script (dist/); absent when running from source, e.g. under tests. */
export const WORKER_SCRIPT = join(PACKAGE_ROOT, 'dist/session/heap-decoder-worker.js');

/** Decodes in one long-lived worker thread; falls back to this thread when it cannot start one. */
export function workerDecoder(limits: DecodeLimits = {}, script = WORKER_SCRIPT): HeapDecoder {
  if (!existsSync(script)) return limits.maxInflated === undefined ? inlineDecoder : inlineDecoderWith(limits);
  type Pending = { resolve: (p: Profile) => void; reject: (e: unknown) => void };
  type Running = { worker: Worker; waiting: Map<number, Pending> };
  let current: Running | null = null;
  let nextId = 1;
  const start = (): Running => {
    if (current) return current;
    const run: Running = { worker: new Worker(script), waiting: new Map() };
    // A crashed worker fails its own requests, never those of the one that replaces it.
    const failAll = (e: unknown) => {
      for (const p of run.waiting.values()) p.reject(e);
      run.waiting.clear();
      if (current === run) current = null;
    };
    run.worker.unref(); // never the reason the process stays alive
    run.worker.on('message', (m: Reply) => {
      const pending = run.waiting.get(m.id);
      if (!pending) return;
      run.waiting.delete(m.id);
      if (m.profile) {
        // Ids are per thread: give the profile one from this thread, where memo caches key on it.
        m.profile.id = newProfileId();
        // Cloning copied the shared "no labels" set; analyses compare against it by identity.
        m.profile.samples.labelSets[0] = NO_LABELS;
        if (m.flat) summaries.set(m.profile, m.flat);
        pending.resolve(m.profile);
      } else {
        const kind = m.error?.kind ?? 'internal';
        pending.reject(kind === 'internal' ? new Error(m.error?.message) : new LivepprofError(kind, m.error!.message));
      }
    });
    run.worker.on('error', failAll);
    run.worker.on('exit', () => failAll(new Error('the decoding worker exited')));
    return (current = run);
  };
  return {
    decode: (bytes, format) =>
      new Promise<Profile>((resolve, reject) => {
        const id = nextId++;
        const run = start();
        run.waiting.set(id, { resolve, reject });
        const copy = bytes.slice(); // transferred: the caller keeps its own
        run.worker.postMessage({ id, bytes: copy, format, limits }, [copy.buffer]);
      }),
    close: async () => {
      const run = current;
      current = null;
      if (run) await run.worker.terminate();
    },
  };
}
