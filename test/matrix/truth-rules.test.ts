// The fixture's ground truth (fixtures/target/truth.go), read from the real binary with
// -print-truth: each documented rule, and the deadlines, for the plans that state them.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGoProgram, startTarget } from '../helpers/go-target.js';
import { requireTool } from '../helpers/require-tool.js';
import type { Plan, Regime } from './truth.js';

const KiB = 1024;
const MiB = 1024 * KiB;
let bin = '';

async function truthOf(plan: Plan | { scenario: string }, env: Record<string, string> = {}): Promise<Regime[]> {
  const args = 'scenario' in plan ? ['-scenario', plan.scenario] : ['-plan', JSON.stringify(plan)];
  const { stdout } = await promisify(execFile)(bin, ['-print-truth', ...args], { env: { ...process.env, GOGC: '', GOMEMLIMIT: '', GODEBUG: '', ...env } });
  return JSON.parse(stdout) as Regime[];
}

const churn = { kind: 'churn', rate: 16 * MiB, objSize: 1024 } as const;

describe.skipIf(!requireTool('go', 'the fixture\'s truth rules'))('the fixture states the expected verdict of each regime from its own schedule', () => {
  beforeAll(async () => {
    bin = await buildGoProgram('target');
  });

  it('a 256 KiB/s leak on a 3 MiB heap must show within 30 polls and 8 GCs; 4 MiB/s within 10 polls and 4 GCs', async () => {
    const [slow] = await truthOf({ liveBytes: 2 * MiB, activities: [churn, { kind: 'leak', rate: 256 * KiB }] });
    expect(slow).toMatchObject({ expected: 'heap-leak', accept: ['heap-leak'], deadline: { from: 0, polls: 10, seconds: 30, gcs: 8 }, gcThrash: false });
    const [fast] = await truthOf({ liveBytes: 2 * MiB, activities: [churn, { kind: 'leak', rate: 4 * MiB }] });
    expect(fast).toMatchObject({ expected: 'heap-leak', deadline: { polls: 10, gcs: 4 } });
    expect(fast!.deadline!.seconds).toBeLessThanOrEqual(10);
    // The same rate on a 50× larger heap needs more evidence, never less.
    const [large] = await truthOf({ liveBytes: 149 * MiB, activities: [churn, { kind: 'leak', rate: 256 * KiB }] });
    expect(large!.deadline!.seconds).toBeGreaterThan(slow!.deadline!.seconds);
    expect(large!.deadline!.gcs).toBeGreaterThanOrEqual(slow!.deadline!.gcs);
  });

  it('a cache filling is heap-leak or healthy with nothing demanded, then healthy within 60 s and 10 GCs of the plateau', async () => {
    const r = await truthOf({ activities: [churn, { kind: 'cache', start: 5, bytes: 60 * MiB, fill: 15 }] });
    expect(r.map((x) => [x.start, x.end, x.expected])).toEqual([
      [0, 5, 'healthy'],
      [5, 20, 'heap-leak'],
      [20, null, 'healthy'],
    ]);
    expect(r[1]).toMatchObject({ accept: ['healthy', 'heap-leak'], deadline: null, flags: ['cache-filling'] });
    expect(r[2]).toMatchObject({ accept: ['healthy'], deadline: { from: 20, seconds: 60, gcs: 10 }, flags: ['plateau'] });
  });

  it('a GOGC=400 sawtooth on a constant live set accepts healthy only (never runtime-retention)', async () => {
    const r = await truthOf({ liveBytes: 54 * MiB, activities: [churn] }, { GOGC: '400' });
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ expected: 'healthy', accept: ['healthy'], deadline: { polls: 10, gcs: 4 } });
    expect(r[0]!.label).toContain('GOGC=400');
  });

  it('a leak heading past GOMEMLIMIT flags GC thrash from when the live heap reaches 85% of the limit', async () => {
    const r = await truthOf({ liveBytes: 40 * MiB, activities: [churn, { kind: 'leak', rate: 2 * MiB }] }, { GOMEMLIMIT: String(96 * MiB) });
    // 40 MiB set + 1 MiB runtime + 2 MiB/s reaches 0.85 × 96 MiB = 81.6 MiB at 20.3 s.
    expect(r.map((x) => [x.start, x.expected, x.gcThrash])).toEqual([
      [0, 'heap-leak', false],
      [20.3, 'heap-leak', true],
    ]);
    expect(r[1]).toMatchObject({ thrashDeadline: { from: 20.3, polls: 10, seconds: 15, gcs: 5 }, flags: ['gc-thrash'] });
    // The limit set in code (debug.SetMemoryLimit) counts the same as the environment's.
    const inCode = await truthOf({ memLimit: 96 * MiB, liveBytes: 40 * MiB, activities: [churn, { kind: 'leak', rate: 2 * MiB }] });
    expect(inCode.map((x) => x.gcThrash)).toEqual([false, true]);
  });

  it('after a burst is freed: runtime-retention, and healthy too unless MADV_FREE keeps the pages in RSS', async () => {
    const plan: Plan = { activities: [churn, { kind: 'burst', start: 10, bytes: 256 * MiB }] };
    const dontneed = await truthOf(plan);
    expect(dontneed.map((x) => x.expected)).toEqual(['healthy', 'runtime-retention']);
    expect(dontneed[1]).toMatchObject({ accept: ['runtime-retention', 'healthy'], deadline: { from: 10, polls: 10 }, flags: ['scavenger-unknown'] });
    const madvFree = await truthOf(plan, { GODEBUG: 'madvdontneed=0' });
    expect(madvFree[1]).toMatchObject({ accept: ['runtime-retention'], flags: ['madv-free'] });
    // Above a GOMEMLIMIT below the burst the pages go back at once: healthy, which needs GCs.
    const limited = await truthOf({ ...plan, memLimit: 96 * MiB });
    expect(limited[1]).toMatchObject({ accept: ['runtime-retention', 'healthy'], deadline: { from: 10, polls: 10, gcs: 4 }, flags: ['scavenger-unknown', 'returned-under-limit'] });
  });

  it('a burst the process has returned within 10 s (its own RSS) leaves nothing kept to see: the deadline also waits for the GCs healthy needs', async () => {
    const target = await startTarget({ args: ['-plan', JSON.stringify({ activities: [{ kind: 'burst', start: 0, bytes: 96 * MiB }] })] });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      // Handed back to the OS at once, as Go 1.19's scavenger often does on its own.
      expect((await fetch(`${target.url}/control/free`)).ok).toBe(true);
      const regimes = async () => ((await (await fetch(`${target.url}/truth`)).json()) as { regimes: Regime[] }).regimes;
      const before = (await regimes()).find((r) => r.flags.includes('scavenger-unknown'));
      expect(before?.deadline).toMatchObject({ polls: 10 });
      expect(before?.deadline?.gcs ?? 0).toBe(0);
      await new Promise((r) => setTimeout(r, 10_000));
      const after = (await regimes()).find((r) => r.flags.includes('scavenger-unknown'));
      expect(after).toMatchObject({ accept: ['runtime-retention', 'healthy'], deadline: { from: 0, polls: 10, gcs: 4 } });
      expect(after?.flags).toContain('returned-at-once');
    } finally {
      await target.stop();
    }
  }, 30_000);

  it('periodic batches are healthy, runtime-retention acceptable, never heap-leak; their GCs count from the first drop', async () => {
    const [, r] = await truthOf({ activities: [churn, { kind: 'batch', start: 5, bytes: 128 * MiB, period: 10, hold: 2 }] });
    expect(r).toMatchObject({ expected: 'healthy', accept: ['healthy', 'runtime-retention'], deadline: { from: 5, seconds: 22, gcs: 4, gcsFrom: 7 } });
  });

  it('two at once: a goroutine leak is primary, and of a heap leak and mmap growth the faster one', async () => {
    const [g] = await truthOf({ activities: [churn, { kind: 'goroutines', rate: 5, held: 64 * KiB }, { kind: 'leak', rate: 4 * MiB }] });
    expect(g).toMatchObject({ expected: 'goroutine-leak', accept: ['goroutine-leak', 'heap-leak'] });
    const [m] = await truthOf({ activities: [churn, { kind: 'leak', rate: 1 * MiB }, { kind: 'mmap', rate: 3 * MiB }] });
    expect(m).toMatchObject({ expected: 'non-go-memory', accept: ['heap-leak', 'non-go-memory'] });
    const [alone] = await truthOf({ activities: [churn, { kind: 'goroutines', rate: 5, held: 64 * KiB }] });
    expect(alone).toMatchObject({ expected: 'goroutine-leak', accept: ['goroutine-leak'] });
  });

  it('growth outranks retention: a burst freed while mmap grows is non-go-memory only', async () => {
    const r = await truthOf({ activities: [churn, { kind: 'burst', start: 5, bytes: 128 * MiB }, { kind: 'mmap', rate: 2 * MiB }] });
    expect(r.map((x) => x.accept)).toEqual([['non-go-memory']]);
  });

  it('the -scenario presets carry regimes too', async () => {
    expect((await truthOf({ scenario: 'heap-leak' })).map((x) => x.expected)).toEqual(['heap-leak']);
    expect((await truthOf({ scenario: 'goroutine-leak' })).map((x) => x.expected)).toEqual(['goroutine-leak']);
    expect((await truthOf({ scenario: 'non-go' })).map((x) => x.expected)).toEqual(['non-go-memory']);
    expect((await truthOf({ scenario: 'steady' })).map((x) => x.expected)).toEqual(['healthy']);
    expect((await truthOf({ scenario: 'burst-free' }, { GODEBUG: 'madvdontneed=0' })).map((x) => x.accept)).toEqual([['runtime-retention']]);
  });

  it('rejects a plan it cannot run with one clear line', async () => {
    const bad = promisify(execFile)(bin, ['-print-truth', '-plan', JSON.stringify({ activities: [{ kind: 'leak' }] })]);
    await expect(bad).rejects.toMatchObject({ code: 2, stderr: '-plan: activity 0 (leak): rate must be > 0\n' });
    const unknown = promisify(execFile)(bin, ['-print-truth', '-plan', '{"activities":[],"gcpercent":1}']);
    await expect(unknown).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/^-plan: json: unknown field "gcpercent"\n$/) });
  });
});
