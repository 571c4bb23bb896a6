// README's runtime-matrix table (written by scripts/runtime-matrix.mjs from a test run) names every
// Go of the matrix the tests use, with the date of the run: it cannot drift from the matrix.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GO_RUNTIMES } from './helpers/go-runtimes.js';
import { REPO_ROOT } from './helpers/paths.js';

describe('README runtime matrix', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('<!-- matrix:start -->'), readme.indexOf('<!-- matrix:end -->'));

  it('has one row per Go of the matrix, in order, and says when it was run', () => {
    expect(section).toMatch(/on \d{4}-\d{2}-\d{2} \(\d+ passed, \d+ failed\)/);
    const rows = section.split('\n').filter((l) => /^\| go\d/.test(l));
    expect(rows.map((r) => /^\| (go\d+\.\d+)/.exec(r)![1])).toEqual(GO_RUNTIMES.map((rt) => rt.name));
  });
});
