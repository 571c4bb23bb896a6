// Bundles the compiled CLI (dist/) into one file, dist/livepprof.mjs. Measured reason: loading
// Ink and its ~100 modules file by file took the full-screen view's first frame to ~550 ms on
// the development machine; from one file it is ~200 ms (npm run bench -- startup).

import { build } from 'esbuild';

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
      // Ink loads React DevTools only in development; it is not a dependency of ours.
      name: 'no-devtools',
      setup(b) {
        b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'stub' }));
        b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default { initialize() {}, connectToDevTools() {} };' }));
      },
    },
  ],
});
