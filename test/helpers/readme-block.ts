// The README's generated blocks (between `<!-- NAME:start -->` and `<!-- NAME:end -->`): read one
// to compare with what the code generates, or rewrite it with UPDATE_README=1.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

const README = join(REPO_ROOT, 'README.md');

const markers = (name: string) => new RegExp(`(<!-- ${name}:start -->\\n)([\\s\\S]*?)(\\n<!-- ${name}:end -->)`);

/** The block as the README has it (null without its markers); with UPDATE_README=1, first rewritten to `generated`. */
export function readmeBlock(name: string, generated: string): string | null {
  const text = readFileSync(README, 'utf8');
  if (process.env.UPDATE_README && markers(name).test(text)) {
    writeFileSync(README, text.replace(markers(name), (_, start: string, _old: string, end: string) => start + generated + end));
  }
  return markers(name).exec(readFileSync(README, 'utf8'))?.[2] ?? null;
}
