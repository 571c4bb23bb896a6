// The one-way layering of architecture.md, checked on every import in src/:
//   profile/, analysis/  pure: each other and pure libraries (no I/O, no UI)
//   source/, session/    may do I/O; nothing from Ink/React, the UI or the state
//   state/               pure: no I/O, no Ink/React
//   ui/                  the only layer that imports ink/react
//   cli/                 wires everything
// Type-only imports are erased at run time and may cross a layer (analysis reads the shape of a
// PollRecord; the store reads a SessionSnapshot's).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/paths.js';

const SRC = join(REPO_ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

interface Import {
  spec: string;
  typeOnly: boolean;
}

function importsOf(text: string): Import[] {
  const out: Import[] = [];
  for (const m of text.matchAll(/^\s*import\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) out.push({ spec: m[2]!, typeOnly: !!m[1] });
  for (const m of text.matchAll(/^\s*export\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) out.push({ spec: m[2]!, typeOnly: !!m[1] });
  for (const m of text.matchAll(/import\('([^']+)'\)/g)) out.push({ spec: m[1]!, typeOnly: false });
  return out;
}

/** The layer of a module: its first directory under src/ ('' for src/*.ts). */
function layerOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? rel.split('/')[0]! : '';
}

function target(file: string, spec: string): { layer: string } | { pkg: string } {
  if (!spec.startsWith('.')) return { pkg: spec.startsWith('node:') ? spec : spec.split('/')[0]! };
  return { layer: layerOf(join(file, '..', spec)) };
}

const PURE_PACKAGES = new Set(['pako', 'pprof-format', 'asciichart']);
const UI_PACKAGES = new Set(['ink', 'react', 'ink-select-input']);
const IO_NODE = /^node:(fs|fs\/promises|net|http|https|child_process|os|worker_threads|dgram|tls|readline)$/;

const RULES: Record<string, { layers: string[]; packages: (p: string) => boolean }> = {
  profile: { layers: ['profile', 'analysis', ''], packages: (p) => PURE_PACKAGES.has(p) || (p.startsWith('node:') && !IO_NODE.test(p)) },
  analysis: { layers: ['profile', 'analysis', ''], packages: (p) => PURE_PACKAGES.has(p) || (p.startsWith('node:') && !IO_NODE.test(p)) },
  state: { layers: ['state', 'analysis', 'profile', ''], packages: (p) => PURE_PACKAGES.has(p) || (p.startsWith('node:') && !IO_NODE.test(p)) },
  source: { layers: ['source', 'profile', 'analysis', ''], packages: (p) => !UI_PACKAGES.has(p) },
  session: { layers: ['session', 'source', 'profile', 'analysis', ''], packages: (p) => !UI_PACKAGES.has(p) },
  ui: { layers: ['ui', 'state', 'analysis', 'profile', 'session', 'source', ''], packages: () => true },
  cli: { layers: ['cli', 'ui', 'state', 'analysis', 'profile', 'session', 'source', ''], packages: () => true },
  '': { layers: [''], packages: (p) => p.startsWith('node:') },
};

describe('the layering of src/', () => {
  const all = files(SRC);
  it('finds the modules', () => expect(all.length).toBeGreaterThan(40));
  for (const file of all) {
    const layer = layerOf(file);
    it(relative(REPO_ROOT, file), () => {
      const rule = RULES[layer];
      expect(rule, `no rule for layer ${layer}`).toBeDefined();
      for (const imp of importsOf(readFileSync(file, 'utf8'))) {
        const t = target(file, imp.spec);
        if ('pkg' in t) {
          expect(rule!.packages(t.pkg), `${layer || 'src'}/ must not import ${t.pkg} (${imp.spec})`).toBe(true);
        } else if (!imp.typeOnly) {
          expect(rule!.layers, `${layer || 'src'}/ must not import ${t.layer}/ at run time (${imp.spec})`).toContain(t.layer);
        }
      }
    });
  }
});
