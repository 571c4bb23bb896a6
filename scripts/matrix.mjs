// `npm run matrix`: bundles the TypeScript harness in test/matrix/ with esbuild (already a dev
// dependency) and runs it. Each module keeps its own import.meta.url, so the harness finds the
// repository (fixtures/, bin/) from wherever the bundle is written.

import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = path.join(os.tmpdir(), `livepprof-matrix-${process.pid}.mjs`);

await build({
  entryPoints: [path.join(root, 'test/matrix/main.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
  plugins: [
    {
      name: 'own-import-meta-url',
      setup(b) {
        b.onLoad({ filter: /\.ts$/ }, async (args) => ({
          contents: (await readFile(args.path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
          loader: 'ts',
        }));
      },
    },
  ],
});
process.on('exit', () => rmSync(out, { force: true }));
await import(pathToFileURL(out).href);
