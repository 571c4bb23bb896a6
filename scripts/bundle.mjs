// Bundles the compiled CLI (dist/) into one file, dist/livepprof.mjs. Measured reason: loading
// Ink and its ~100 modules file by file took the full-screen view's first frame to ~550 ms on
// the development machine; from one file it is ~200 ms (npm run bench -- startup).

import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { boundInkCache, INK_CACHE_FILES } from './ink-patches.mjs';

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/livepprof.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  // React's production build: the development one checks and records every render, and a frame
  // of the full-screen view took about twice as long with it (npm run bench -- keys).
  define: { 'process.env.NODE_ENV': '"production"' },
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: { js: "import { createRequire as __livepprofRequire } from 'node:module'; const require = __livepprofRequire(import.meta.url);" },
  plugins: [
    {
      // Ink's two module-level caches, bounded (scripts/ink-patches.mjs: they grew for as long as the view ran).
      name: 'bounded-ink-caches',
      setup(b) {
        b.onLoad({ filter: INK_CACHE_FILES }, async (args) => ({ contents: boundInkCache(args.path, await readFile(args.path, 'utf8')), loader: 'js' }));
      },
    },
    {
      // Ink loads React DevTools only in development; it is not a dependency of ours.
      name: 'no-devtools',
      setup(b) {
        b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'stub' }));
        b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default { initialize() {}, connectToDevTools() {} };' }));
      },
    },
  ],
});
