// Ink's module-level caches of measured and wrapped text grew for as long as the full-screen view
// ran (every new figure on screen is a new string). The bundle loads them through
// scripts/ink-patches.mjs; here the patches are applied to the Ink that is installed, loaded
// beside the originals, and driven with far more distinct strings than the bound.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, without types
import { boundInkCache, INK_CACHE_LIMIT } from '../../scripts/ink-patches.mjs';
import { REPO_ROOT } from '../helpers/paths.js';

const inkBuild = dirname(createRequire(join(REPO_ROOT, 'package.json')).resolve('ink'));
const scratch = join(inkBuild, `.livepprof-test-${process.pid}`);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Ink's file, patched, plus an export of its cache's size, loaded from Ink's own directory (its imports resolve as in Ink). */
async function loadPatched(name: string, sizeExpr: string): Promise<{ fn: (...a: unknown[]) => unknown; size: () => number; original: (...a: unknown[]) => unknown }> {
  mkdirSync(scratch, { recursive: true });
  const source = readFileSync(join(inkBuild, name), 'utf8');
  const patched = (boundInkCache(join(inkBuild, name), source) as string).replace(/from '\.\//g, "from '../");
  const file = join(scratch, name);
  writeFileSync(file, `${patched}\nexport const __size = () => ${sizeExpr};\n`);
  const mod = (await import(pathToFileURL(file).href)) as { default: (...a: unknown[]) => unknown; __size: () => number };
  const original = ((await import(pathToFileURL(join(inkBuild, name)).href)) as { default: (...a: unknown[]) => unknown }).default;
  return { fn: mod.default, size: mod.__size, original };
}

describe("Ink's text caches in the bundle", () => {
  it('measure-text: the same sizes as Ink gives, from a cache that never holds more than the bound', async () => {
    const m = await loadPatched('measure-text.js', 'cache.size');
    for (const s of ['', 'RSS 12.3MB', 'a\nbb\nccc', '▁▂▃▅▇ heap', '日本語']) expect(m.fn(s)).toEqual(m.original(s));
    let max = 0;
    for (let i = 0; i < 3 * INK_CACHE_LIMIT; i++) {
      m.fn(`RSS ${(i * 1.37).toFixed(1)}MB at 12:00:${i}`);
      max = Math.max(max, m.size());
    }
    expect(max).toBe(INK_CACHE_LIMIT);
    expect(m.size()).toBeLessThanOrEqual(INK_CACHE_LIMIT);
  });

  it('wrap-text: the same text as Ink gives, from a cache that never holds more than the bound', async () => {
    const w = await loadPatched('wrap-text.js', 'Object.keys(cache).length');
    for (const [s, width, how] of [
      ['a long line of text to cut', 10, 'truncate'],
      ['a long line of text to wrap', 10, 'wrap'],
      ['short', 10, 'truncate-middle'],
    ] as const) {
      expect(w.fn(s, width, how)).toEqual(w.original(s, width, how));
    }
    let max = 0;
    for (let i = 0; i < 2 * INK_CACHE_LIMIT + 5; i++) {
      w.fn(`instance 10.0.0.${i}:8080 heap leak 99%`, 12, 'truncate');
      if (i % 500 === 0) max = Math.max(max, w.size()); // counting keys is O(n): sampled
    }
    // It still caches (up to the bound), and never beyond.
    expect(max).toBeGreaterThan(INK_CACHE_LIMIT - 1000);
    expect(max).toBeLessThanOrEqual(INK_CACHE_LIMIT);
  });

  it('a source whose patched lines moved fails the build, rather than leaving the cache unbounded', () => {
    expect(() => boundInkCache('/x/ink/build/measure-text.js', 'const cache = new Map();\nexport default (t) => t;\n')).toThrow(/no longer has/);
    expect(() => boundInkCache('/x/ink/build/wrap-text.js', 'const cache = {};\n')).toThrow(/no longer has/);
  });

  it('the built bundle carries both bounds', () => {
    const bundle = readFileSync(join(REPO_ROOT, 'dist/livepprof.mjs'), 'utf8');
    expect(bundle).toContain(`cache.size >= ${INK_CACHE_LIMIT.toExponential().replace('e+', 'e')}`);
    expect(bundle).toMatch(/\+\+cacheEntries > 1e4/);
  });
});
