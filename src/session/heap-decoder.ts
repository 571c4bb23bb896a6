// Turning a heap profile's bytes into a Profile: on this thread (scripts, tests), or in a worker
// thread so a big profile (100,000 stacks: ~100 ms) never stalls the full-screen view's input.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LivepprofError, type ErrorKind } from '../errors.js';
import { decodeProfile } from '../profile/decode.js';
import { parseHeapDebug1Profile } from '../profile/legacy-heap.js';
import type { Profile } from '../profile/model.js';
import { NO_LABELS, newProfileId } from '../profile/model.js';
import { PACKAGE_ROOT } from '../package-root.js';

export type HeapFormat = 'proto' | 'heap-debug1';

export interface HeapDecoder {
  /** Decodes a heap profile; rejects with a LivepprofError for bytes that are not one. */
  decode(bytes: Uint8Array, format: HeapFormat): Promise<Profile>;
  close(): Promise<void>;
}

/** The plain decoders, shared by both ways of running them. */
export function decodeHeap(bytes: Uint8Array, format: HeapFormat): Profile {
  if (format === 'proto') return decodeProfile(bytes);
  const r = parseHeapDebug1Profile(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
  if (!r.ok) throw new LivepprofError('not-profile', `heap?debug=1: ${r.error}`);
  return r.value;
}

export const inlineDecoder: HeapDecoder = {
  decode: async (bytes, format) => decodeHeap(bytes, format),
  close: async () => undefined,
};

interface Reply {
  id: number;
  profile?: Profile;
  error?: { kind: ErrorKind | 'internal'; message: string };
}

/** The compiled worker script (dist/); absent when running from source, e.g. under tests. */
export const WORKER_SCRIPT = join(PACKAGE_ROOT, 'dist/session/heap-decoder-worker.js');

/** Decodes in one long-lived worker thread; falls back to this thread when it cannot start one. */
export function workerDecoder(script = WORKER_SCRIPT): HeapDecoder {
  if (!existsSync(script)) return inlineDecoder;
  let worker: Worker | null = null;
  let nextId = 1;
  const waiting = new Map<number, { resolve: (p: Profile) => void; reject: (e: unknown) => void }>();
  const failAll = (e: unknown) => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
    worker = null;
  };
  const get = (): Worker => {
    if (worker) return worker;
    const w = new Worker(script);
    w.unref(); // never the reason the process stays alive
    w.on('message', (m: Reply) => {
      const pending = waiting.get(m.id);
      if (!pending) return;
      waiting.delete(m.id);
      if (m.profile) {
        // Ids are per thread: give the profile one from this thread, where memo caches key on it.
        m.profile.id = newProfileId();
        // Cloning copied the shared "no labels" set; analyses compare against it by identity.
        m.profile.samples.labelSets[0] = NO_LABELS;
        pending.resolve(m.profile);
      } else {
        const kind = m.error?.kind ?? 'internal';
        pending.reject(kind === 'internal' ? new Error(m.error?.message) : new LivepprofError(kind, m.error!.message));
      }
    });
    w.on('error', failAll);
    w.on('exit', () => failAll(new Error('the decoding worker exited')));
    return (worker = w);
  };
  return {
    decode: (bytes, format) =>
      new Promise<Profile>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        const copy = bytes.slice(); // transferred: the caller keeps its own
        get().postMessage({ id, bytes: copy, format }, [copy.buffer]);
      }),
    close: async () => {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
