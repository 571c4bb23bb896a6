// Parity with `go tool pprof -top` on real profiles written by the project's Go fixture:
// `livepprof top --json` must list the same nodes, in the same order, with the same raw
// values, across sample types, granularities, focus, ignore and a --base diff (and RE2-only
// regexp forms, and a profile whose stacks cancel out).

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pako from 'pako';
import { Profile as PbProfile } from 'pprof-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeProfiles } from '../helpers/go-target.js';
import { requireGoRuntime, requireTool } from '../helpers/require-tool.js';
import { GO_RUNTIMES } from '../helpers/go-runtimes.js';
import { CLI } from '../helpers/paths.js';

const run = promisify(execFile);
const haveGo = requireTool('go', 'parity with go tool pprof');

interface Row {
  name: string;
  flat: number;
  cum: number;
}

interface Table {
  total: number;
  rows: Row[];
}

/** The pprof -unit that prints a sample type's raw integers unrounded. */
const RAW_UNIT: Record<string, string> = { bytes: 'B', nanoseconds: 'ns', count: '' };

function parsePprofTop(text: string, unitSuffix: string): Table {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => /^\s+flat\s+flat%\s+sum%\s+cum\s+cum%$/.test(l));
  if (header < 0) throw new Error(`no table in pprof output:\n${text}`);
  const value = (s: string) => (s === '0' ? 0 : Number(unitSuffix && s.endsWith(unitSuffix) ? s.slice(0, -unitSuffix.length) : s));
  const totalMatch = / of (\S+) total$/m.exec(text);
  const rows = lines
    .slice(header + 1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const m = /^\s*(\S+)\s+\S+%\s+\S+%\s+(\S+)\s+\S+%\s{2}(.*?)( \((?:partial-)?inline\))?$/.exec(l);
      if (!m) throw new Error(`unparsed pprof row: ${l}`);
      return { name: m[3]!, flat: value(m[1]!), cum: value(m[2]!) };
    });
  return { total: value(totalMatch![1]!), rows };
}

interface Case {
  file: string;
  sampleIndex: string;
  unit: string;
  flags: string[];
}

async function pprofTop(dir: string, c: Case): Promise<Table> {
  const unit = RAW_UNIT[c.unit] ?? '';
  const args = ['tool', 'pprof', '-top', '-symbolize=none', `-sample_index=${c.sampleIndex}`];
  if (unit) args.push(`-unit=${unit}`);
  for (const f of c.flags) {
    const [k, v] = f.split('=');
    if (k === 'granularity') args.push(`-${v}`);
    else if (k === 'base') args.push(`-base=${join(dir, v!)}`);
    else args.push(`-${f}`);
  }
  const { stdout } = await run('go', [...args, join(dir, c.file)], { maxBuffer: 64 << 20 });
  return parsePprofTop(stdout, unit);
}

async function livepprofTop(dir: string, c: Case): Promise<Table & { unit: string }> {
  const args = [CLI, 'top', join(dir, c.file), '--json', '--sample-index', c.sampleIndex];
  for (const f of c.flags) {
    const [k, v] = f.split('=');
    args.push(`--${k}${v === undefined ? '' : `=${k === 'base' ? join(dir, v) : v}`}`);
  }
  const { stdout } = await run(process.execPath, args, { maxBuffer: 64 << 20 });
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1); // exactly one JSON object
  const json = JSON.parse(lines[0]!) as { total: number; unit: string; rows: Row[] };
  return { total: json.total, unit: json.unit, rows: json.rows.map(({ name, flat, cum }) => ({ name, flat, cum })) };
}

const HEAP_TYPES: Array<[string, string]> = [
  ['inuse_space', 'bytes'],
  ['inuse_objects', 'count'],
  ['alloc_space', 'bytes'],
  ['alloc_objects', 'count'],
];

const CASES: Case[] = [
  ...HEAP_TYPES.flatMap(([si, unit]) =>
    ['granularity=functions', 'granularity=lines'].map((g) => ({ file: 'heap.pb.gz', sampleIndex: si, unit, flags: [g] })),
  ),
  { file: 'heap.pb.gz', sampleIndex: 'inuse_space', unit: 'bytes', flags: ['granularity=files'] },
  { file: 'heap.pb.gz', sampleIndex: 'alloc_space', unit: 'bytes', flags: ['granularity=filefunctions', 'cum'] },
  { file: 'heap.pb.gz', sampleIndex: 'inuse_space', unit: 'bytes', flags: ['focus=Cache'] },
  { file: 'heap.pb.gz', sampleIndex: 'alloc_space', unit: 'bytes', flags: ['ignore=Noise', 'granularity=lines'] },
  { file: 'heap.pb.gz', sampleIndex: 'alloc_objects', unit: 'count', flags: ['hide=runtime', 'nodecount=5'] },
  { file: 'heap2.pb.gz', sampleIndex: 'inuse_space', unit: 'bytes', flags: ['base=heap.pb.gz'] },
  { file: 'heap2.pb.gz', sampleIndex: 'inuse_objects', unit: 'count', flags: ['base=heap.pb.gz', 'granularity=lines'] },
  { file: 'heap2.pb.gz', sampleIndex: 'alloc_space', unit: 'bytes', flags: ['base=heap.pb.gz', 'focus=Cache'] },
  { file: 'allocs.pb.gz', sampleIndex: 'alloc_space', unit: 'bytes', flags: [] },
  { file: 'cpu.pb.gz', sampleIndex: 'cpu', unit: 'nanoseconds', flags: [] },
  { file: 'cpu.pb.gz', sampleIndex: 'samples', unit: 'count', flags: ['granularity=lines', 'cum'] },
  { file: 'goroutine.pb.gz', sampleIndex: 'goroutine', unit: 'count', flags: [] },
  { file: 'goroutine.pb.gz', sampleIndex: 'goroutine', unit: 'count', flags: ['granularity=lines', 'hide=runtime'] },
  { file: 'mutex.pb.gz', sampleIndex: 'delay', unit: 'nanoseconds', flags: [] },
  { file: 'block.pb.gz', sampleIndex: 'contentions', unit: 'count', flags: ['granularity=lines'] },
  // RE2 forms JavaScript would read differently.
  { file: 'heap.pb.gz', sampleIndex: 'alloc_space', unit: 'bytes', flags: ['hide=\\Aruntime'] },
  { file: 'heap.pb.gz', sampleIndex: 'alloc_space', unit: 'bytes', flags: ['focus=Put\\z'] },
  { file: 'heap.pb.gz', sampleIndex: 'alloc_space', unit: 'bytes', flags: ['focus=main\\.[[:lower:]]'] },
  // Identical stacks of opposite sign in one profile (a hand-merged delta): pprof merges them first.
  { file: 'cancelling.pb.gz', sampleIndex: 'inuse_space', unit: 'bytes', flags: [] },
];

/** heap.pb.gz plus, for its first samples in use, copies carrying minus half their values. */
function writeCancelling(dir: string): void {
  const pb = PbProfile.decode(pako.inflate(readFileSync(join(dir, 'heap.pb.gz'))));
  const Sample = pb.sample[0]!.constructor as new (x: unknown) => (typeof pb.sample)[number];
  for (const smp of pb.sample.filter((x) => Number(x.value[1]) > 0).slice(0, 5)) {
    pb.sample.push(new Sample({ ...smp, value: smp.value.map((v) => -Math.floor(Number(v) / 2)) }));
  }
  writeFileSync(join(dir, 'cancelling.pb.gz'), pako.gzip(pb.encode()));
}

// Profiles written by the target built with each Go of the runtime matrix (all at once); pprof is
// always the machine's (Go 1.26), as the one format `top` follows.
const runtimes = haveGo ? GO_RUNTIMES.filter((r) => requireGoRuntime(r, `top parity on ${r.name}'s profiles`)) : [];
const dirs = new Map<string, Promise<string>>();
beforeAll(() => {
  for (const rt of runtimes) {
    const dir = mkdtempSync(join(tmpdir(), `livepprof-parity-${rt.name}-`));
    const written = writeProfiles(dir, rt).then(() => (writeCancelling(dir), dir));
    written.catch(() => {}); // reported by the suite that awaits it
    dirs.set(rt.name, written);
  }
});
afterAll(async () => {
  for (const d of dirs.values()) rmSync(await d.catch(() => ''), { recursive: true, force: true });
});

for (const rt of runtimes) {
  describe(`parity with go tool pprof -top on the profiles of the fixture program built by ${rt.name}`, () => {
    let dir = '';
    beforeAll(async () => {
      dir = await dirs.get(rt.name)!;
    }, 240_000);

    for (const c of CASES) {
      it.concurrent(`${rt.name} ${c.file} ${c.sampleIndex} ${c.flags.join(' ')}`, async () => {
        const [want, got] = await Promise.all([pprofTop(dir, c), livepprofTop(dir, c)]);
        expect(got.unit).toBe(c.unit);
        expect(want.rows.length).toBeGreaterThan(0);
        expect(got.total).toBe(want.total);
        expect(got.rows).toEqual(want.rows);
      });
    }
  });
}
