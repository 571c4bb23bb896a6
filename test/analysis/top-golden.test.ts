// `top` text against golden files that are `go tool pprof -top`'s own output on the same
// profiles (written by Go 1.26's pprof with TZ=UTC; GO_VERSION beside them says which). Golden names say the options that made them.
// Regenerate with UPDATE_GOLDEN=1 (needs `go`).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProfileFile } from '../../src/source/profile-source.js';
import { prepareProfile, runTopReport, type TopSettings } from '../../src/cli/top-command.js';
import { formatTopText } from '../../src/analysis/top-text.js';
import type { Granularity } from '../../src/analysis/graph.js';
import { GO119, PEER, REPO_ROOT } from '../helpers/paths.js';
import { hasTool } from '../helpers/require-tool.js';
import { goldenGoVersion, recordGoldenGoVersion } from '../helpers/golden.js';

const GOLDEN_DIR = join(REPO_ROOT, 'fixtures/golden/top');

interface Case {
  file: string;
  opts: Record<string, string | true>;
}

const go = (f: string) => join(GO119, f);
const CASES: Case[] = [
  ...['heap.pb.gz', 'heap-gc1.pb.gz', 'allocs.pb.gz', 'goroutine.pb.gz', 'cpu.pb.gz', 'block.pb.gz', 'mutex.pb.gz', 'threadcreate.pb.gz', 'goroutine-delta.pb.gz'].map(
    (f) => ({ file: go(f), opts: {} }),
  ),
  { file: go('heap-gc1.pb.gz'), opts: { granularity: 'lines' } },
  { file: go('heap-gc1.pb.gz'), opts: { granularity: 'files' } },
  { file: go('heap-gc1.pb.gz'), opts: { granularity: 'filefunctions' } },
  { file: go('allocs.pb.gz'), opts: { 'sample_index': 'alloc_objects' } },
  { file: go('allocs.pb.gz'), opts: { 'sample_index': 'inuse_space', cum: true } },
  { file: go('allocs.pb.gz'), opts: { nodecount: '4' } },
  { file: go('allocs.pb.gz'), opts: { focus: 'flate' } },
  { file: go('allocs.pb.gz'), opts: { ignore: 'runtime' } },
  { file: go('allocs.pb.gz'), opts: { hide: 'runtime', granularity: 'lines' } },
  { file: go('allocs.pb.gz'), opts: { show: 'main' } },
  { file: go('allocs.pb.gz'), opts: { base: go('heap.pb.gz') } },
  { file: go('heap-gc1.pb.gz'), opts: { base: go('heap.pb.gz'), granularity: 'lines' } },
  { file: go('goroutine.pb.gz'), opts: { granularity: 'lines', cum: true } },
  { file: go('goroutine.pb.gz'), opts: { focus: 'leak', ignore: 'Labeled' } },
  { file: go('block.pb.gz'), opts: { granularity: 'files' } },
  { file: go('cpu.pb.gz'), opts: { granularity: 'lines' } },
  { file: join(PEER, 'internal/report/testdata/sample.cpu'), opts: {} },
  { file: join(PEER, 'internal/report/testdata/sample.cpu'), opts: { granularity: 'lines' } },
  { file: join(PEER, 'internal/driver/testdata/cppbench.cpu_no_samples_type'), opts: {} },
  { file: join(PEER, 'internal/driver/testdata/go.nomappings.crash'), opts: {} },
  { file: join(PEER, 'internal/proftest/testdata/large.cpu'), opts: {} },
  { file: join(PEER, 'internal/proftest/testdata/large.cpu'), opts: { granularity: 'lines', nodecount: '30' } },
];

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function goldenName(c: Case): string {
  const parts = Object.entries(c.opts).map(([k, v]) => (v === true ? k : `${k}=${k === 'base' ? baseName(v) : v}`));
  return [baseName(c.file), ...parts].join('.') + '.txt';
}

function pprofArgs(c: Case): string[] {
  const args = ['tool', 'pprof', '-top', '-symbolize=none'];
  for (const [k, v] of Object.entries(c.opts)) {
    if (k === 'granularity') args.push(`-${v}`);
    else if (v === true) args.push(`-${k}`);
    else args.push(`-${k}=${v}`);
  }
  return [...args, c.file];
}

function settingsOf(c: Case): TopSettings {
  const o = c.opts;
  const s: TopSettings = {
    nodeCount: o.nodecount ? Number(o.nodecount) : 0,
    granularity: (o.granularity as Granularity | undefined) ?? 'functions',
    cumSort: o.cum === true,
    filters: {
      focus: o.focus as string | undefined,
      ignore: o.ignore as string | undefined,
      hide: o.hide as string | undefined,
      show: o.show as string | undefined,
    },
  };
  if (typeof o.sample_index === 'string') s.sampleIndex = o.sample_index;
  return s;
}

describe('top text matches go tool pprof -top (golden files)', () => {
  if (process.env.UPDATE_GOLDEN) {
    if (!hasTool('go')) throw new Error('UPDATE_GOLDEN needs `go` on PATH');
    mkdirSync(GOLDEN_DIR, { recursive: true });
    for (const c of CASES) {
      const out = execFileSync('go', pprofArgs(c), { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'ignore'] });
      writeFileSync(join(GOLDEN_DIR, goldenName(c)), out);
    }
    recordGoldenGoVersion(GOLDEN_DIR);
  }
  it('were written by a pprof that prints the Time line as Go 1.26 does', () => {
    expect(goldenGoVersion(GOLDEN_DIR)).toMatch(/^go version go1\.(2[6-9]|[3-9]\d)/);
  });
  for (const c of CASES) {
    it(goldenName(c), async () => {
      const goldenPath = join(GOLDEN_DIR, goldenName(c));
      expect(existsSync(goldenPath), `missing golden ${goldenPath}; run with UPDATE_GOLDEN=1`).toBe(true);
      const base = typeof c.opts.base === 'string' ? await readProfileFile(c.opts.base) : null;
      const p = prepareProfile(await readProfileFile(c.file), base);
      const settings = settingsOf(c);
      const report = runTopReport(p, settings);
      const previousTz = process.env.TZ;
      process.env.TZ = 'UTC';
      try {
        expect(formatTopText(p, report, settings.filters)).toBe(readFileSync(goldenPath, 'utf8'));
      } finally {
        process.env.TZ = previousTz;
      }
    });
  }
});
