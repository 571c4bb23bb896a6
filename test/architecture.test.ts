// The one-way layering of docs/architecture.md, checked on every import in src/:
//   profile/             pure: the formats; imports nothing else of ours
//   analysis/            pure: profile/ and itself; also home of the data types the layers above
//                        share (PollRecord, SessionSnapshot), so none of them reaches up for one
//   source/, session/    may do I/O; nothing from Ink/React, the UI or the state
//   state/               pure: no I/O, no Ink/React; what it needs of a session is an interface it
//                        owns (SessionControl in state/commands.ts)
//   ui/                  the only layer that imports ink/react
//   cli/                 wires everything
// Type-only imports count: they are erased at run time, but they still tie a module to the shape of
// a higher layer, and a change there then breaks the lower one.

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

/** Every module a text imports or re-exports: `import type` and `import { type X }` included. */
function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+[^'"]*?from\s+'([^']+)'/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/import\('([^']+)'\)/g)) out.push(m[1]!);
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
const pure = (p: string) => PURE_PACKAGES.has(p) || (p.startsWith('node:') && !IO_NODE.test(p));

const RULES: Record<string, { layers: string[]; packages: (p: string) => boolean }> = {
  profile: { layers: ['profile', ''], packages: pure },
  analysis: { layers: ['profile', 'analysis', ''], packages: pure },
  state: { layers: ['state', 'analysis', 'profile', ''], packages: pure },
  source: { layers: ['source', 'profile', 'analysis', ''], packages: (p) => !UI_PACKAGES.has(p) },
  session: { layers: ['session', 'source', 'profile', 'analysis', ''], packages: (p) => !UI_PACKAGES.has(p) },
  ui: { layers: ['ui', 'state', 'analysis', 'profile', 'session', 'source', ''], packages: () => true },
  cli: { layers: ['cli', 'ui', 'state', 'analysis', 'profile', 'session', 'source', ''], packages: () => true },
  '': { layers: [''], packages: (p) => p.startsWith('node:') },
};

/** What is wrong with the imports of `file` (a path under src/) whose text is `text`; [] when nothing. */
function violations(file: string, text: string): string[] {
  const layer = layerOf(file);
  const rule = RULES[layer];
  if (!rule) return [`no rule for layer ${layer}`];
  const out: string[] = [];
  for (const spec of importsOf(text)) {
    const t = target(file, spec);
    if ('pkg' in t) {
      if (!rule.packages(t.pkg)) out.push(`${layer || 'src'}/ must not import ${t.pkg} (${spec})`);
    } else if (!rule.layers.includes(t.layer)) {
      out.push(`${layer || 'src'}/ must not import ${t.layer || 'src'}/ (${spec})`);
    }
  }
  return out;
}

describe('the layering of src/', () => {
  const all = files(SRC);
  it('finds the modules', () => expect(all.length).toBeGreaterThan(40));
  for (const file of all) {
    it(relative(REPO_ROOT, file), () => {
      expect(violations(file, readFileSync(file, 'utf8'))).toEqual([]);
    });
  }
});

describe('the layering check itself', () => {
  const inState = join(SRC, 'state', 'example.ts');
  const inProfile = join(SRC, 'profile', 'example.ts');

  it('reports a type-only import from a higher layer, in every spelling', () => {
    const text = [
      "import type { SessionSnapshot } from '../session/session.js';",
      "import { type Session, type SessionOptions } from '../session/session.js';",
      'import type {',
      '  HeapSnapshot,',
      "} from '../session/session.js';",
      "export type { Session } from '../session/session.js';",
      "type T = import('../ui/App.js').Props;",
    ].join('\n');
    expect(violations(inState, text)).toEqual([
      'state/ must not import session/ (../session/session.js)',
      'state/ must not import session/ (../session/session.js)',
      'state/ must not import session/ (../session/session.js)',
      'state/ must not import session/ (../session/session.js)',
      'state/ must not import ui/ (../ui/App.js)',
    ]);
  });

  it('reports profile/ importing analysis/, and lets the layers below and pure packages through', () => {
    expect(violations(inProfile, "import type { PollRecord } from '../analysis/poll-record.js';")).toEqual([
      'profile/ must not import analysis/ (../analysis/poll-record.js)',
    ]);
    const allowed = [
      "import type { SessionSnapshot } from '../analysis/session-snapshot.js';",
      "import { decodeProfile } from '../profile/decode.js';",
      "import { errorMessage } from '../errors.js';",
      "import pako from 'pako';",
    ].join('\n');
    expect(violations(inState, allowed)).toEqual([]);
    expect(violations(inState, "import { readFile } from 'node:fs/promises';")).toEqual([
      'state/ must not import node:fs/promises (node:fs/promises)',
    ]);
  });
});
