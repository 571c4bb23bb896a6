// The README's key table is generated from the keymap; this keeps them in step.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { keyTableMarkdown } from '../src/state/keymap.js';
import { memoryPartsMarkdown } from '../src/analysis/memory.js';
import { REPO_ROOT } from './helpers/paths.js';

it('README key table equals the one generated from KEYMAP', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const m = /<!-- keys:start -->\n([\s\S]*?)\n<!-- keys:end -->/.exec(readme);
  expect(m, 'README has the keys markers').not.toBeNull();
  expect(m![1]).toBe(keyTableMarkdown());
});

it('README shows the two set-up commands that .ci/run and a newcomer use', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  expect(readme).toMatch(/^npm install && npx livepprof/m);
  expect(readme).toMatch(/^npm test/m);
  expect(readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8')).toMatch(/^npm test$/m);
});

it('README memory figures table equals the parts and meanings the breakdown uses', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const m = /<!-- memory-parts:start -->\n([\s\S]*?)\n<!-- memory-parts:end -->/.exec(readme);
  expect(m, 'README has the memory-parts markers').not.toBeNull();
  expect(m![1]).toBe(memoryPartsMarkdown());
});
