#!/usr/bin/env node
// Thin shim: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm install`).
import('../dist/cli/main.js').then(
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
