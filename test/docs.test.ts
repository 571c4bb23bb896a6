// Comments point at things that exist: every `docs/<file>.md` or `docs/<file>.md#<section>` named
// in the code, the tests, the README or the docs themselves resolves to a file of this repository
// and to a heading in it; and no comment cites a document that is not in the repository.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/paths.js';

const SELF = join(REPO_ROOT, 'test', 'docs.test.ts');

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(name) && p !== SELF ? [p] : [];
  });
}

const SOURCES = [
  ...files(join(REPO_ROOT, 'src'), /\.(ts|tsx)$/),
  ...files(join(REPO_ROOT, 'test'), /\.(ts|tsx)$/),
  ...files(join(REPO_ROOT, 'bench'), /\.m?js$/),
  ...files(join(REPO_ROOT, 'docs'), /\.md$/),
  join(REPO_ROOT, 'README.md'),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

/** The anchors of a Markdown file's headings (those inside fenced code are not headings). */
function anchorsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    else if (!fenced && /^#{1,6} /.test(line)) out.add(slug(line.replace(/^#+ /, '')));
  }
  return out;
}

interface Reference {
  from: string;
  line: number;
  file: string;
  anchor: string | null;
}

function referencesIn(path: string): Reference[] {
  const out: Reference[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      for (const m of text.matchAll(/(?<![\w/])docs\/([\w./-]+\.md)(?:#([\w-]+))?/g)) {
        out.push({ from: relative(REPO_ROOT, path), line: i + 1, file: `docs/${m[1]!}`, anchor: m[2] ?? null });
      }
    });
  return out;
}

describe('references to docs/', () => {
  const refs = SOURCES.flatMap(referencesIn);

  it('are found (the formats notes are cited from the parsers)', () => {
    expect(refs.filter((r) => r.from.startsWith('src/') && r.file === 'docs/formats.md').length).toBeGreaterThanOrEqual(10);
  });

  it('each name a file and a section that exist', () => {
    const broken = refs.filter((r) => {
      const path = join(REPO_ROOT, r.file);
      if (!existsSync(path)) return true;
      return r.anchor !== null && !anchorsOf(readFileSync(path, 'utf8')).has(r.anchor);
    });
    expect(broken.map((r) => `${r.from}:${r.line} → ${r.file}${r.anchor ? `#${r.anchor}` : ''}`)).toEqual([]);
  });

  it('leave no citation of a document outside the repository (numbered §, the old formats reference)', () => {
    const stale = SOURCES.filter((p) => !p.endsWith('.md')).flatMap((p) =>
      readFileSync(p, 'utf8')
        .split('\n')
        .map((text, i) => ({ at: `${relative(REPO_ROOT, p)}:${i + 1}`, text }))
        .filter(({ text }) => /§|go-pprof-formats/.test(text)),
    );
    expect(stale.map((s) => `${s.at}: ${s.text.trim()}`)).toEqual([]);
  });
});

describe('the reference check itself', () => {
  it('reads GitHub anchors the way GitHub writes them, outside fenced code only', () => {
    const md = ['# Where RSS goes', '## Heap text', '### MemStats trailer', '```', '# runtime.MemStats', '```'].join('\n');
    expect([...anchorsOf(md)]).toEqual(['where-rss-goes', 'heap-text', 'memstats-trailer']);
  });
});
