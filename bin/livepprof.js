#!/usr/bin/env node
// Thin shim: the CLI is built into dist/ by `npm run build` (run automatically by `npm install`);
// dist/livepprof.mjs is the one-file bundle (fast start-up), dist/cli/main.js the plain build.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/livepprof.mjs', import.meta.url);
import(existsSync(bundle) ? bundle.href : '../dist/cli/main.js').then(
  (cli) => cli.main(),
  (err) => {
    const notBuilt = err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('main.js');
    process.stderr.write(
      notBuilt
        ? 'livepprof: not built yet; run `npm install` (or `npm run build`) in the package directory.\n'
        : `livepprof: cannot start: ${err && err.message ? err.message : err}\n`,
    );
    process.exitCode = 2;
  },
);
