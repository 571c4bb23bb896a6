// The drill-down analyses against `go tool pprof`'s own output on the same profiles (Go 1.26's pprof,
// TZ=UTC; fixtures/golden/peek/GO_VERSION says which), kept as golden files named by the options that made them:
//   <profile>.peek=<node|all>[.opts].txt          `-peek '^node$'` (all: `-peek .`), compared byte for byte
//   <profile>.top.lines.nodefraction=0[.opts].txt `-top -lines -nodefraction=0` rows: linesReport of every function
//   <profile>.traces[.lines][.opts].txt           `-traces` blocks: tracesThrough of every function
// Values are printed in the base unit (-unit=B / -unit=ns) where parsed, so they are exact.
// Regenerate with UPDATE_GOLDEN=1 (needs `go`).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Profile as PbProfile, StringTable } from 'pprof-format';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { readProfileFile } from '../../src/source/profile-source.js';
import { prepareProfile } from '../../src/cli/top-command.js';
import { formatPeekText, linesReport, peekReport, peekReports, type PeekReport } from '../../src/analysis/peek.js';
import { tracesThrough } from '../../src/analysis/traces.js';
import { topReport } from '../../src/analysis/top.js';
import type { NameFilters } from '../../src/analysis/filter.js';
import type { Granularity } from '../../src/analysis/graph.js';
import { decodeProfile } from '../../src/profile/decode.js';
import { resolveSampleIndex, type Profile } from '../../src/profile/model.js';
import { GO119, PEER, REPO_ROOT } from '../helpers/paths.js';
import { hasTool } from '../helpers/require-tool.js';
import { recordGoldenGoVersion } from '../helpers/golden.js';

const GOLDEN_DIR = join(REPO_ROOT, 'fixtures/golden/peek');
const go = (f: string) => join(GO119, f);
const LARGE = join(PEER, 'internal/proftest/testdata/large.cpu');
/** Built below (not a file): written to a temp file only for pprof when regenerating. */
const SYNTHETIC = 'synthetic.pb';

/**
 * A small CPU profile with what the Go 1.19 captures lack: functions with start lines (so
 * files granularity has several nodes named a.go), a function inlined into a recursive one,
 * and the same functions reached through different lines.
 */
function syntheticProfileBytes(): Uint8Array {
  const st = new StringTable();
  const fn = (id: number, name: string, file: string, startLine: number) => ({ id, name: st.dedup(name), systemName: st.dedup(name), filename: st.dedup(file), startLine });
  const loc = (id: number, address: number, lines: Array<[number, number]>) => ({
    id,
    mappingId: 1,
    address,
    line: lines.map(([functionId, line]) => ({ functionId, line })),
  });
  const sample = (locationId: number[], n: number) => ({ locationId, value: [n, n * 10_000_000] });
  return new PbProfile({
    sampleType: [
      { type: st.dedup('samples'), unit: st.dedup('count') },
      { type: st.dedup('cpu'), unit: st.dedup('nanoseconds') },
    ],
    mapping: [{ id: 1, memoryStart: 0x400000, memoryLimit: 0x800000, filename: st.dedup('/bin/synthetic'), hasFunctions: true }],
    function: [fn(1, 'main.main', '/src/main.go', 3), fn(2, 'main.f', '/src/a.go', 10), fn(3, 'main.g', '/src/a.go', 20), fn(4, 'main.h', '/src/a.go', 30)],
    location: [
      loc(1, 0x401000, [[1, 5]]),
      loc(2, 0x402000, [[2, 12]]),
      loc(3, 0x403000, [[3, 22]]),
      loc(4, 0x404000, [[4, 31], [2, 14]]), // main.h inlined into main.f
      loc(5, 0x405000, [[2, 15]]),
      loc(6, 0x406000, [[3, 23]]),
    ],
    sample: [
      sample([2, 1], 5), // main → f
      sample([3, 2, 1], 3), // main → f → g
      sample([4, 1], 4), // main → f(h inlined)
      sample([4, 3, 2, 1], 2), // main → f → g → f(h inlined)
      sample([3, 5, 3, 2, 1], 1), // main → f → g → f → g
      sample([6, 2, 1], 2), // main → f → g, at another line of g
    ],
    period: 10_000_000,
    periodType: { type: st.dedup('cpu'), unit: st.dedup('nanoseconds') },
    stringTable: st,
  }).encode();
}

type Opts = { granularity?: Granularity; sample_index?: string; focus?: string; hide?: string; base?: string };

interface PeekCase {
  file: string;
  /** A node's printable name, or null for every node (`-peek .`). */
  node: string | null;
  opts: Opts;
}

const PEEK_CASES: PeekCase[] = [
  // Every node of each small profile, in pprof's order.
  ...['cpu.pb.gz', 'heap-gc1.pb.gz', 'allocs.pb.gz', 'goroutine.pb.gz', 'mutex.pb.gz', 'block.pb.gz'].map((f) => ({ file: go(f), node: null, opts: {} })),
  { file: go('goroutine.pb.gz'), node: null, opts: { granularity: 'lines' } },
  { file: go('goroutine-delta.pb.gz'), node: null, opts: { base: go('goroutine.pb.gz') } },
  // One node each.
  { file: go('cpu.pb.gz'), node: 'main.burnCPU', opts: {} },
  { file: go('cpu.pb.gz'), node: 'main.burnCPU.func1', opts: {} },
  { file: go('goroutine.pb.gz'), node: 'runtime.goparkunlock', opts: {} }, // inlined into both callers
  { file: go('goroutine.pb.gz'), node: 'runtime.gopark', opts: {} },
  { file: go('goroutine.pb.gz'), node: 'internal/poll.(*FD).Accept', opts: {} }, // inlined callee
  { file: go('goroutine.pb.gz'), node: '/usr/lib/go-1.19/src/runtime/proc.go', opts: { granularity: 'files' } },
  { file: go('goroutine.pb.gz'), node: 'runtime.gopark', opts: { focus: 'mutexWaiter' } },
  { file: go('mutex.pb.gz'), node: 'sync.(*Mutex).Unlock', opts: {} },
  { file: go('allocs.pb.gz'), node: 'runtime.doInit', opts: {} }, // recursive
  { file: go('allocs.pb.gz'), node: 'runtime.doInit /usr/lib/go-1.19/src/runtime/proc.go:6306', opts: { granularity: 'lines' } },
  { file: go('allocs.pb.gz'), node: 'compress/flate.NewWriter', opts: { sample_index: 'alloc_objects' } },
  { file: go('allocs.pb.gz'), node: 'compress/gzip.(*Writer).Write', opts: { hide: 'flate' } },
  { file: go('heap-gc1.pb.gz'), node: 'main.main', opts: {} },
  { file: go('heap-gc1.pb.gz'), node: 'runtime.main', opts: { base: go('heap.pb.gz') } },
  { file: go('heap-gc1.pb.gz'), node: 'main.main /src/capture/main.go:191', opts: { granularity: 'lines', focus: 'retain' } },
  { file: SYNTHETIC, node: null, opts: {} },
  { file: SYNTHETIC, node: null, opts: { granularity: 'files' } },
  { file: SYNTHETIC, node: null, opts: { granularity: 'lines' } },
  { file: SYNTHETIC, node: '/src/a.go', opts: { granularity: 'files' } }, // three nodes of that name
  // Mutual recursion through main.next in pprof's own large test profile.
  { file: LARGE, node: 'main.setFunctions.func22646', opts: {} },
  { file: LARGE, node: 'main.main', opts: {} },
];

const UNITS: Record<string, string> = {
  'cpu.pb.gz': 'ns',
  'heap-gc1.pb.gz': 'B',
  'allocs.pb.gz': 'B',
  'mutex.pb.gz': 'ns',
  'block.pb.gz': 'ns',
  [SYNTHETIC]: 'ns',
};

interface RowsCase {
  kind: 'lines' | 'traces' | 'traces.lines';
  file: string;
  opts: Opts;
}

const ROWS_CASES: RowsCase[] = [
  ...['cpu.pb.gz', 'heap-gc1.pb.gz', 'allocs.pb.gz', 'goroutine.pb.gz', 'mutex.pb.gz', 'block.pb.gz'].flatMap((f) =>
    (['lines', 'traces', 'traces.lines'] as const).map((kind) => ({ kind, file: go(f), opts: {} })),
  ),
  { kind: 'lines', file: go('allocs.pb.gz'), opts: { hide: 'flate' } },
  { kind: 'lines', file: go('allocs.pb.gz'), opts: { sample_index: 'alloc_objects' } },
  { kind: 'traces', file: go('goroutine.pb.gz'), opts: { hide: 'poll' } },
  { kind: 'traces', file: go('allocs.pb.gz'), opts: { focus: 'pprof' } },
  ...(['lines', 'traces', 'traces.lines'] as const).map((kind) => ({ kind, file: SYNTHETIC, opts: {} })),
];

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function optsSuffix(opts: Opts): string {
  return Object.entries(opts)
    .map(([k, v]) => `.${k}=${fileSafe(k === 'base' ? baseName(v) : v)}`)
    .join('');
}

/** Node names hold '/', spaces and '*'; file names get '_' instead. */
function fileSafe(name: string): string {
  return name.replace(/[^\w.,:=+-]/g, '_');
}

function peekGoldenName(c: PeekCase): string {
  return `${baseName(c.file)}.peek=${c.node === null ? 'all' : fileSafe(c.node)}${optsSuffix(c.opts)}.txt`;
}

function unitOpt(file: string): Opts & { unit?: string } {
  const u = UNITS[baseName(file)];
  return u ? { unit: u } : {};
}

function rowsGoldenName(c: RowsCase): string {
  const kind = c.kind === 'lines' ? 'top.lines.nodefraction=0' : c.kind;
  const unit = UNITS[baseName(c.file)];
  return `${baseName(c.file)}.${kind}${unit ? `.unit=${unit}` : ''}${optsSuffix(c.opts)}.txt`;
}

/** Go's regexp.QuoteMeta. */
function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function optArgs(opts: Opts & { unit?: string }): string[] {
  const args: string[] = [];
  for (const [k, v] of Object.entries(opts)) {
    if (k === 'granularity') args.push(`-${v}`);
    else args.push(`-${k}=${v}`);
  }
  return args;
}

function pprof(args: string[], file: string): Buffer {
  const dir = file === SYNTHETIC ? mkdtempSync(join(tmpdir(), 'peek-golden-')) : null;
  try {
    if (dir) writeFileSync(join(dir, SYNTHETIC), syntheticProfileBytes());
    return execFileSync('go', ['tool', 'pprof', '-symbolize=none', ...args, dir ? join(dir, SYNTHETIC) : file], {
      env: { ...process.env, TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 28,
    });
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

function peekArgs(c: PeekCase): string[] {
  return ['-peek', c.node === null ? '.' : `^${quoteMeta(c.node)}$`, ...optArgs(c.opts)];
}

function rowsArgs(c: RowsCase): string[] {
  const kind = { lines: ['-top', '-lines', '-nodefraction=0'], traces: ['-traces'], 'traces.lines': ['-traces', '-lines'] }[c.kind];
  return [...kind, ...optArgs({ ...unitOpt(c.file), ...c.opts })];
}

if (process.env.UPDATE_GOLDEN) {
  if (!hasTool('go')) throw new Error('UPDATE_GOLDEN needs `go` on PATH');
  mkdirSync(GOLDEN_DIR, { recursive: true });
  for (const c of PEEK_CASES) writeFileSync(join(GOLDEN_DIR, peekGoldenName(c)), pprof(peekArgs(c), c.file));
  for (const c of ROWS_CASES) writeFileSync(join(GOLDEN_DIR, rowsGoldenName(c)), pprof(rowsArgs(c), c.file));
  recordGoldenGoVersion(GOLDEN_DIR);
}

function readGolden(name: string): string {
  const path = join(GOLDEN_DIR, name);
  expect(existsSync(path), `missing golden ${path}; run with UPDATE_GOLDEN=1`).toBe(true);
  return readFileSync(path, 'utf8');
}

const profiles = new Map<string, Promise<Profile>>();
function load(file: string, base?: string): Promise<Profile> {
  const key = `${file}\u0000${base ?? ''}`;
  let p = profiles.get(key);
  if (!p) {
    const read = async (f: string) => (f === SYNTHETIC ? decodeProfile(syntheticProfileBytes()) : readProfileFile(f));
    p = (async () => prepareProfile(await read(file), base ? await read(base) : null))();
    profiles.set(key, p);
  }
  return p;
}

function sampleIndexOf(p: Profile, opts: Opts): number {
  const i = resolveSampleIndex(p, opts.sample_index);
  if (typeof i === 'string') throw new Error(i);
  return i;
}

function filtersOf(opts: Opts): NameFilters {
  return { focus: opts.focus, hide: opts.hide };
}

let previousTz: string | undefined;
beforeAll(() => {
  previousTz = process.env.TZ;
  process.env.TZ = 'UTC'; // the header's Time: line
});
afterAll(() => {
  if (previousTz === undefined) delete process.env.TZ;
  else process.env.TZ = previousTz;
});

describe('formatPeekText matches go tool pprof -peek (golden files)', () => {
  for (const c of PEEK_CASES) {
    it(peekGoldenName(c), async () => {
      const golden = readGolden(peekGoldenName(c));
      const p = await load(c.file, c.opts.base);
      const sampleIndex = sampleIndexOf(p, c.opts);
      const granularity = c.opts.granularity ?? 'functions';
      const filters = filtersOf(c.opts);
      let reports: PeekReport[];
      if (c.node !== null) reports = peekReports(p, { sampleIndex, granularity, filters, nodeName: c.node });
      else {
        // Every node, in pprof's (flat) order: the untrimmed top table's rows; info tells
        // apart nodes that share a name.
        const top = topReport(p, { sampleIndex, granularity, nodeCount: 0, cumSort: false, filters, nodeFraction: 0, edgeFraction: 0 });
        reports = top.rows.map((r) => peekReport(p, { sampleIndex, granularity, filters, nodeName: r.name, info: r.info })!);
      }
      expect(formatPeekText(p, reports, filters)).toBe(golden);
    });
  }
});

// ---- parsing pprof's text ----------------------------------------------------------------

/** A value printed in the base unit ("596999B", "980000000ns", "50"). */
function parseValue(s: string): number {
  const m = /^-?\d+(\.\d+)?/.exec(s);
  if (!m) throw new Error(`not a value: ${s}`);
  return Number(m[0]);
}

interface TopLine {
  fn: string;
  file: string;
  line: number;
  flat: number;
  cum: number;
}

/** Rows of `-top -lines`: "flat flat% sum% cum cum%  fn file:line[ (inline)]". */
function parseTopLines(text: string): TopLine[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^\s+flat\s+flat%/.test(l));
  const rows: TopLine[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l === '') continue;
    const m = /^\s*(\S+)\s+\S+\s+\S+\s+(\S+)\s+\S+ {2}(.*?)(?: \((?:partial-)?inline\))?$/.exec(l);
    if (!m) throw new Error(`unparsed row: ${l}`);
    const name = m[3]!;
    const space = name.lastIndexOf(' ');
    const where = name.slice(space + 1);
    const colon = where.lastIndexOf(':');
    rows.push({ fn: name.slice(0, space), file: where.slice(0, colon), line: Number(where.slice(colon + 1)), flat: parseValue(m[1]!), cum: parseValue(m[2]!) });
  }
  return rows;
}

interface Block {
  value: number;
  frames: Array<{ name: string; inlined: boolean }>;
}

/** Blocks of `-traces`: label lines, then "%10s   frame" lines with the value on the first. */
function parseTraces(text: string): Block[] {
  const blocks: Block[] = [];
  let cur: Block | null = null;
  let inBlocks = false;
  for (const l of text.split('\n')) {
    if (l.startsWith('-----------+')) {
      inBlocks = true;
      cur = null;
      continue;
    }
    if (!inBlocks || l === '') continue;
    const frame = (s: string) => (s.endsWith(' (inline)') ? { name: s.slice(0, -' (inline)'.length), inlined: true } : { name: s, inlined: false });
    if (cur) {
      cur.frames.push(frame(l.slice(13)));
      continue;
    }
    const m = /^ *(-?\d[\w.]*) {3}(.*)$/.exec(l);
    if (!m) continue; // a label line
    cur = { value: parseValue(m[1]!), frames: [frame(m[2]!)] };
    blocks.push(cur);
  }
  return blocks;
}

const stackKey = (frames: Array<{ name: string; inlined: boolean }>) => frames.map((f) => `${f.name}${f.inlined ? '+' : ''}`).join(';');

/** What tracesThrough promises, computed from pprof's per-sample blocks. */
function expectedTraces(blocks: Block[], fn: string): Block[] {
  const merged = new Map<string, Block>();
  for (const b of blocks) {
    if (b.value === 0 || !b.frames.some((f) => f.name === fn)) continue;
    const key = stackKey(b.frames);
    const m = merged.get(key);
    if (m) m.value += b.value;
    else merged.set(key, { value: b.value, frames: b.frames });
  }
  return [...merged.values()].filter((b) => b.value !== 0).sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
}

/** "fn file:line" (a -lines frame) → fn. */
const fnOf = (lineFrame: string) => lineFrame.slice(0, lineFrame.lastIndexOf(' '));

describe('linesReport and tracesThrough match go tool pprof (golden files)', () => {
  for (const c of ROWS_CASES) {
    it(rowsGoldenName(c), async () => {
      const golden = readGolden(rowsGoldenName(c));
      const p = await load(c.file);
      const sampleIndex = sampleIndexOf(p, c.opts);
      const filters = filtersOf(c.opts);
      if (c.kind === 'lines') {
        const rows = parseTopLines(golden);
        const fns = [...new Set(rows.map((r) => r.fn))];
        expect(fns.length).toBeGreaterThan(0);
        for (const fn of fns) {
          const expected = rows
            .filter((r) => r.fn === fn)
            .map(({ file, line, flat, cum }) => ({ file, line, flat, cum }))
            .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
          expect(linesReport(p, { sampleIndex, filters, functionName: fn }), fn).toEqual(expected);
        }
        return;
      }
      const blocks = parseTraces(golden);
      if (c.kind === 'traces') {
        const fns = [...new Set(blocks.flatMap((b) => b.frames.map((f) => f.name)))];
        expect(fns.length).toBeGreaterThan(0);
        for (const fn of fns) {
          const got = tracesThrough(p, { sampleIndex, filters, functionName: fn, limit: Infinity }).map((t) => ({
            value: t.value,
            frames: t.frames.map((f) => ({ name: f.name, inlined: f.inlined })),
          }));
          expect(got, fn).toEqual(expectedTraces(blocks, fn));
        }
        return;
      }
      // traces.lines: each stack's files and lines are those of its heaviest sample.
      const byFunctions = new Map<string, Block[]>();
      for (const b of blocks) {
        if (b.value === 0) continue;
        const key = stackKey(b.frames.map((f) => ({ name: fnOf(f.name), inlined: f.inlined })));
        byFunctions.set(key, [...(byFunctions.get(key) ?? []), b]);
      }
      const fns = [...new Set(blocks.flatMap((b) => b.frames.map((f) => fnOf(f.name))))];
      for (const fn of fns) {
        for (const t of tracesThrough(p, { sampleIndex, filters, functionName: fn, limit: Infinity })) {
          const candidates = byFunctions.get(stackKey(t.frames))!;
          const heaviest = candidates.reduce((best, b) => (Math.abs(b.value) > Math.abs(best.value) ? b : best));
          expect(t.frames.map((f) => ({ name: `${f.name} ${f.file}:${f.line}`, inlined: f.inlined })), fn).toEqual(heaviest.frames);
        }
      }
    });
  }
});

// ---- what the drill-down view relies on -----------------------------------------------------

describe('peekReport', () => {
  it('gives callers and callees with weights, shares of the node cum and inline marks', async () => {
    const p = await load(go('goroutine.pb.gz'));
    const r = peekReport(p, { sampleIndex: 0, granularity: 'functions', filters: {}, nodeName: 'runtime.goparkunlock' })!;
    expect(r.node).toMatchObject({ name: 'runtime.goparkunlock', flat: 0, cum: 3 });
    expect(r.total).toBe(63);
    expect(r.callers.map((e) => [e.name, e.weight, e.inline])).toEqual([
      ['runtime.semacquire1', 2, true],
      ['sync.runtime_notifyListWait', 1, true],
    ]);
    expect(r.callers[0]!.share).toBeCloseTo(66.667, 2);
    expect(r.callees).toEqual([{ name: 'runtime.gopark', weight: 3, share: 100, inline: false }]);
  });

  it('sorts edges by weight, then name', async () => {
    const p = await load(go('goroutine.pb.gz'));
    const r = peekReport(p, { sampleIndex: 0, granularity: 'functions', filters: {}, nodeName: 'runtime.gopark' })!;
    expect(r.node).toMatchObject({ flat: 61, cum: 61 });
    expect(r.callers.map((e) => [e.name, e.weight])).toEqual([
      ['runtime.chanrecv', 51],
      ['time.Sleep', 5],
      ['runtime.goparkunlock', 3],
      ['runtime.netpollblock', 1],
      ['runtime.selectgo', 1],
    ]);
    expect(r.callees).toEqual([]);
  });

  it('counts a recursive function once per stack and draws no self edge', async () => {
    const p = await load(go('allocs.pb.gz'));
    const sampleIndex = resolveSampleIndex(p, 'alloc_space') as number;
    const r = peekReport(p, { sampleIndex, granularity: 'functions', filters: {}, nodeName: 'runtime.doInit' })!;
    // Seven nested doInit frames on the one stack, 525184 B allocated under them.
    expect(r.node).toMatchObject({ flat: 0, cum: 525184 });
    expect(r.callers).toEqual([{ name: 'runtime.main', weight: 525184, share: 100, inline: false }]);
    expect(r.callees).toEqual([{ name: 'unicode.init', weight: 525184, share: 100, inline: false }]);
  });

  it('follows the filters and the granularity', async () => {
    const p = await load(go('goroutine.pb.gz'));
    const focused = peekReport(p, { sampleIndex: 0, granularity: 'functions', filters: { focus: 'mutexWaiter' }, nodeName: 'runtime.gopark' })!;
    expect(focused.node.cum).toBe(4);
    expect(focused.total).toBe(63); // percentages stay of the whole profile, as in pprof
    expect(focused.callers.map((e) => e.name)).toEqual(['runtime.goparkunlock', 'runtime.selectgo']);
    const lines = peekReport(p, { sampleIndex: 0, granularity: 'lines', filters: {}, nodeName: 'runtime.gopark /usr/lib/go-1.19/src/runtime/proc.go:363' })!;
    expect(lines.node.cum).toBe(61);
    expect(peekReport(p, { sampleIndex: 0, granularity: 'lines', filters: {}, nodeName: 'runtime.gopark' })).toBeNull();
  });

  it('returns null for a name with no node and picks by info when asked', async () => {
    const p = await load(go('cpu.pb.gz'));
    const base = { sampleIndex: 1, granularity: 'functions' as const, filters: {} };
    expect(peekReport(p, { ...base, nodeName: 'no.such.function' })).toBeNull();
    const r = peekReport(p, { ...base, nodeName: 'main.burnCPU' })!;
    expect(peekReport(p, { ...base, nodeName: 'main.burnCPU', info: r.node.info })).toEqual(r);
    expect(peekReport(p, { ...base, nodeName: 'main.burnCPU', info: { ...r.node.info, startLine: 7 } })).toBeNull();
    expect(r.callers.map((e) => e.name)).toEqual(['main.main.func6']);
    expect(r.callees.map((e) => e.name)).toEqual(['runtime/pprof.Do']);
  });

  it('tells apart nodes that share a printable name', async () => {
    // At files granularity pprof keeps one node per (file, function start line).
    const p = await load(SYNTHETIC);
    const opts = { sampleIndex: 1, granularity: 'files' as const, filters: {}, nodeName: '/src/a.go' };
    const all = peekReports(p, opts);
    expect(all.map((r) => [r.node.info.startLine, r.node.flat, r.node.cum])).toEqual([
      [20, 60e6, 80e6],
      [30, 60e6, 60e6],
      [10, 50e6, 170e6],
    ]);
    expect(peekReport(p, opts)).toEqual(all[0]);
    expect(peekReport(p, { ...opts, info: all[2]!.node.info })).toEqual(all[2]);
  });

  it('keeps the signs of a diff', async () => {
    const p = await load(go('goroutine-delta.pb.gz'), go('goroutine.pb.gz'));
    const r = peekReport(p, { sampleIndex: 0, granularity: 'functions', filters: {}, nodeName: 'runtime.gopark' })!;
    expect(r.node).toMatchObject({ flat: -40, cum: -40 });
    expect(r.callers[0]).toEqual({ name: 'runtime.chanrecv', weight: -31, share: 77.5, inline: false });
    expect(r.callers.at(-1)).toMatchObject({ name: 'runtime.netpollblock', weight: 0, share: 0 });
  });
});

describe('linesReport', () => {
  it("lists a function's lines in line order with flat and cum", async () => {
    const p = await load(go('allocs.pb.gz'));
    const rows = linesReport(p, { sampleIndex: resolveSampleIndex(p, 'alloc_space') as number, filters: {}, functionName: 'runtime.doInit' });
    expect(rows).toEqual([
      { file: '/usr/lib/go-1.19/src/runtime/proc.go', line: 6306, flat: 0, cum: 525184 },
      { file: '/usr/lib/go-1.19/src/runtime/proc.go', line: 6329, flat: 0, cum: 525184 },
    ]);
  });

  it('only has the lines of that function, not of functions inlined into it', async () => {
    const p = await load(go('goroutine.pb.gz'));
    const rows = linesReport(p, { sampleIndex: 0, filters: {}, functionName: 'internal/poll.(*FD).Accept' });
    expect(rows.map((r) => r.file)).toEqual(['/usr/lib/go-1.19/src/internal/poll/fd_unix.go']);
    expect(linesReport(p, { sampleIndex: 0, filters: {}, functionName: 'no.such.function' })).toEqual([]);
  });
});

describe('tracesThrough', () => {
  it('lists the heaviest stacks through a function, leaf first, with inline marks', async () => {
    const p = await load(go('goroutine.pb.gz'));
    const traces = tracesThrough(p, { sampleIndex: 0, filters: {}, functionName: 'runtime.gopark', limit: 3 });
    expect(traces.map((t) => t.value)).toEqual([50, 5, 1]);
    expect(traces[0]!.frames.map((f) => f.name)).toEqual(['runtime.gopark', 'runtime.chanrecv', 'runtime.chanrecv1', 'main.leakGoroutines.func1']);
    expect(traces[0]!.frames[0]).toMatchObject({ file: '/usr/lib/go-1.19/src/runtime/proc.go', line: 363, inlined: false });

    const accept = tracesThrough(p, { sampleIndex: 0, filters: {}, functionName: 'internal/poll.(*FD).Accept', limit: 10 });
    expect(accept).toHaveLength(1);
    const waitRead = accept[0]!.frames.find((f) => f.name === 'internal/poll.(*pollDesc).waitRead')!;
    expect(waitRead.inlined).toBe(true);
  });

  it('merges stacks that differ only below functions granularity', async () => {
    // cpu.pb.gz has three samples with the same functions: 540ms at main.go:151, 200ms and
    // 240ms at main.go:150 (different addresses).
    const p = await load(go('cpu.pb.gz'));
    const traces = tracesThrough(p, { sampleIndex: 1, filters: {}, functionName: 'main.burnCPU', limit: 10 });
    expect(traces).toHaveLength(1);
    expect(traces[0]!.value).toBe(980_000_000);
    // File and line come from the heaviest sample.
    expect(traces[0]!.frames[0]).toEqual({ name: 'main.burnCPU.func1', file: '/src/capture/main.go', line: 151, inlined: false });
    expect(traces[0]!.frames.map((f) => f.name)).toEqual([
      'main.burnCPU.func1',
      'runtime/pprof.Do',
      'main.burnCPU',
      'main.main.func6',
      'net/http.HandlerFunc.ServeHTTP',
      'net/http.(*ServeMux).ServeHTTP',
      'net/http.serverHandler.ServeHTTP',
      'net/http.(*conn).serve',
    ]);
  });

  it('merges per function stack, even through recursion and inlining', async () => {
    const p = await load(SYNTHETIC);
    const traces = tracesThrough(p, { sampleIndex: 1, filters: {}, functionName: 'main.g', limit: 10 });
    const show = (t: (typeof traces)[number]) => [t.value, t.frames.map((f) => `${f.name}:${f.line}${f.inlined ? '+' : ''}`).join(' ')];
    expect(traces.map(show)).toEqual([
      [50e6, 'main.g:22 main.f:12 main.main:5'], // 30ms at g:22 and 20ms at g:23
      [20e6, 'main.h:31+ main.f:14 main.g:22 main.f:12 main.main:5'],
      [10e6, 'main.g:22 main.f:15 main.g:22 main.f:12 main.main:5'],
    ]);
  });

  it('leaves out stacks worth nothing in the chosen sample type', async () => {
    // heap-gc1's stacks through the HTTP server were freed by the GC: 0 inuse_space, two allocations.
    const p = await load(go('heap-gc1.pb.gz'));
    const through = (type: string) =>
      tracesThrough(p, { sampleIndex: resolveSampleIndex(p, type) as number, filters: {}, functionName: 'net/http.(*conn).serve', limit: Infinity });
    expect(through('inuse_space')).toEqual([]);
    expect(through('alloc_space').map((t) => t.frames[0]!.name)).toEqual(['compress/flate.(*compressor).init', 'runtime/pprof.printStackRecord']);
  });

  it('honours the limit and returns nothing for an unknown function', async () => {
    const p = await load(go('goroutine.pb.gz'));
    expect(tracesThrough(p, { sampleIndex: 0, filters: {}, functionName: 'runtime.gopark', limit: 2 })).toHaveLength(2);
    expect(tracesThrough(p, { sampleIndex: 0, filters: {}, functionName: 'runtime.gopark', limit: 0 })).toEqual([]);
    expect(tracesThrough(p, { sampleIndex: 0, filters: {}, functionName: 'no.such.function', limit: 5 })).toEqual([]);
  });
});
