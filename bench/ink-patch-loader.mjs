// An ESM loader hook for the benches: Ink's two text caches loaded as the bundle loads them
// (scripts/ink-patches.mjs), so that a bench run from dist/ file by file measures what users run.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { boundInkCache, INK_CACHE_FILES } from '../scripts/ink-patches.mjs';

export async function load(url, context, next) {
  if (url.startsWith('file:') && INK_CACHE_FILES.test(fileURLToPath(url))) {
    const path = fileURLToPath(url);
    return { format: 'module', source: boundInkCache(path, await readFile(path, 'utf8')), shortCircuit: true };
  }
  return next(url, context);
}
