// Ink keeps two module-level caches that never forget: measure-text.js (every distinct string a
// <Text> ever held → its size) and wrap-text.js (every string it wrapped or cut). A full-screen
// view redrawn at each poll for days puts new strings in them all the time (sizes, times, counts):
// measured, ~70 bytes per string (11 MB per 160,000), without end. The bundle (scripts/bundle.mjs)
// loads these two files through boundInkCache, which starts each cache afresh past
// INK_CACHE_LIMIT entries (a screen holds a few hundred strings: re-measuring them is cheap).
// A change in Ink that moves the lines patched here fails the build, not silently the bound.

import { basename } from 'node:path';

export const INK_CACHE_LIMIT = 10_000;

/** The files patched, as esbuild's onLoad filter. */
export const INK_CACHE_FILES = /[\\/]ink[\\/]build[\\/](measure-text|wrap-text)\.js$/;

const PATCHES = {
  'measure-text.js': [
    ['    cache.set(text, dimensions);', `    if (cache.size >= ${INK_CACHE_LIMIT}) cache.clear(); // livepprof: bounded\n    cache.set(text, dimensions);`],
  ],
  'wrap-text.js': [
    ['const cache = {};', 'let cache = {};\nlet cacheEntries = 0;'],
    ['    cache[cacheKey] = wrappedText;', `    if (++cacheEntries > ${INK_CACHE_LIMIT}) { cache = {}; cacheEntries = 1; } // livepprof: bounded\n    cache[cacheKey] = wrappedText;`],
  ],
};

/** Ink's `file` (its path) with its cache bounded; throws when the source is not the one these patches were written for. */
export function boundInkCache(file, source) {
  const name = basename(file);
  const patches = PATCHES[name];
  if (!patches) throw new Error(`boundInkCache: no patch for ${name}`);
  let out = source;
  for (const [from, to] of patches) {
    const at = out.indexOf(from);
    if (at < 0 || out.indexOf(from, at + 1) >= 0) {
      throw new Error(`Ink's build/${name} no longer has ${JSON.stringify(from)} once: update scripts/ink-patches.mjs (its cache must stay bounded)`);
    }
    out = out.replace(from, to);
  }
  return out;
}
