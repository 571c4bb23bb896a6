// The verdict on every recorded scenario (replayed through the real poll logic), and on edge
// cases made from those real timelines: a single spike, a GC-less stretch, a restart in the
// middle, no real RSS source, and noise that must not flip it.

import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { judge, judgeOnce, MIN_POLLS, SWITCH_AFTER, type VerdictInput, type VerdictState } from '../../src/analysis/verdict.js';
import { openRecording, ReplayFetcher } from '../../src/source/recording.js';
import type { PollRecord } from '../../src/analysis/poll-record.js';
import { Session, type SessionSnapshot } from '../../src/session/session.js';
import { REPO_ROOT } from '../helpers/paths.js';

const SCENARIOS = ['steady', 'heap-leak', 'goroutine-leak', 'burst-free', 'non-go'] as const;
const replayed = new Map<string, SessionSnapshot>();

async function replay(name: string): Promise<SessionSnapshot> {
  const rec = await openRecording(join(REPO_ROOT, 'fixtures/recordings', name));
  const session = new Session(await new ReplayFetcher(rec).load(), { intervalMs: rec.meta.intervalMs, count: rec.seqs.length, delay: () => 0 });
  await session.start();
  return session.snapshot();
}

beforeAll(async () => {
  for (const s of SCENARIOS) replayed.set(s, await replay(s));
});

const records = (name: string): PollRecord[] => replayed.get(name)!.timeline.toArray();
const input = (recs: PollRecord[], extra: Partial<VerdictInput> = {}): VerdictInput => ({
  records: recs,
  heapGrowth: () => [],
  goroutineGrowth: () => [],
  goVersion: 'go1.19.8',
  ...extra,
});

describe('verdict on each recorded scenario', () => {
  it('steady: healthy', () => {
    const v = replayed.get('steady')!.verdict!;
    expect(v.kind).toBe('healthy');
  });

  it('heap leak: names the leaking function with its growth rate', () => {
    const v = replayed.get('heap-leak')!.verdict!;
    expect(v.kind).toBe('heap-leak');
    expect(v.summary).toMatch(/main\.\(\*Cache\)\.Put/);
    expect(v.evidence.join('\n')).toMatch(/main\.\(\*Cache\)\.Put holds .*MB more than at the baseline \(.*\/s\)/);
    expect(v.confidence).toBeGreaterThan(0.7);
  });

  it('goroutine leak: names the growing group and where it started', () => {
    const v = replayed.get('goroutine-leak')!.verdict!;
    expect(v.kind).toBe('goroutine-leak');
    expect(v.evidence.join('\n')).toMatch(/\+\d+\) waiting in main\.leakWorker, started in main\./);
  });

  it('burst then free with MADV_FREE: runtime retention, explained by LazyFree, not a leak', () => {
    const snap = replayed.get('burst-free')!;
    const v = snap.verdict!;
    expect(v.kind).toBe('runtime-retention');
    const last = snap.lastGood!;
    expect(last.rss!).toBeGreaterThan(300 * 2 ** 20);
    expect(last.heapInuse!).toBeLessThan(10 * 2 ** 20);
    expect(last.lazyFree!).toBeGreaterThan(250 * 2 ** 20);
    expect(v.evidence.join('\n')).toMatch(/LazyFree/);
    expect(v.suggestions.join('\n')).toMatch(/not a leak/);
    expect(v.suggestions.join('\n')).toMatch(/madvdontneed=1/);
  });

  it('non-Go growth: memory outside the Go runtime', () => {
    expect(replayed.get('non-go')!.verdict!.kind).toBe('non-go-memory');
  });

  it('is insufficient-data at first, and says how many more polls it needs', () => {
    const v = judgeOnce(input(records('heap-leak').slice(0, 2)));
    expect(v.kind).toBe('insufficient-data');
    expect(v.summary).toMatch(/need \d+ more polls?/);
  });
});

describe('verdict edge cases (from real timelines)', () => {
  it('a single heap spike is not a leak', () => {
    const steady = records('steady');
    const spiked = steady.map((r, i) =>
      i === Math.floor(steady.length / 2) && r.heapProfileInuse !== null ? { ...r, heapProfileInuse: r.heapProfileInuse + 200 * 2 ** 20, heapAlloc: (r.heapAlloc ?? 0) + 200 * 2 ** 20 } : r,
    );
    expect(judgeOnce(input(spiked)).kind).not.toBe('heap-leak');
  });

  it('a GC-less stretch: the heap cannot be judged without GCs', () => {
    const leak = records('heap-leak');
    const frozen = leak.map((r) => ({ ...r, numGC: leak[0]!.numGC, heapProfileNumGC: leak[0]!.heapProfileNumGC, heapProfileInuse: leak[0]!.heapProfileInuse }));
    const v = judgeOnce(input(frozen));
    expect(v.kind).toBe('insufficient-data');
    expect(v.summary).toMatch(/GC cycle/);
  });

  it('a restart in the middle: only the new process counts', () => {
    const leak = records('heap-leak');
    const cut = leak.length - 3;
    const restarted = leak.map((r, i) => (i === cut ? { ...r, restarted: true, restartReason: 'pid changed' } : r));
    const v = judgeOnce(input(restarted));
    expect(v.kind).toBe('insufficient-data');
    expect(v.summary).toMatch(/restarted/);
  });

  it('without a real RSS source (an estimate from MemStats), no retention or non-Go verdict', () => {
    const burst = records('burst-free').map((r) => ({ ...r, rss: (r.sys ?? 0) - (r.heapReleased ?? 0), rssSource: 'estimate' as const, lazyFree: null }));
    const v = judgeOnce(input(burst));
    expect(['runtime-retention', 'non-go-memory']).not.toContain(v.kind);
  });

  it('does not flip back and forth on noise', () => {
    const leak = records('heap-leak');
    // Evaluate after each poll, as the session does, then alternate good and "noisy" timelines.
    let state: VerdictState | null = null;
    for (let n = 1; n <= leak.length; n++) state = judge(input(leak.slice(0, n)), state);
    expect(state!.verdict.kind).toBe('heap-leak');
    const steady = records('steady');
    const kinds: string[] = [];
    for (let i = 0; i < 6; i++) {
      state = judge(input(i % 2 ? leak : steady), state);
      kinds.push(state.verdict.kind);
    }
    expect(new Set(kinds)).toEqual(new Set(['heap-leak']));
    // A real change wins after SWITCH_AFTER evaluations in a row.
    for (let i = 0; i < SWITCH_AFTER; i++) state = judge(input(steady), state);
    expect(state!.verdict.kind).toBe('healthy');
  });

  it('a heap leak needs growth over 3 GC cycles, not 2', () => {
    // Five real polls, relabelled: the live heap after each GC grows 20 → 30 → 40 MB.
    const base = records('heap-leak').slice(0, 5);
    const MB = 2 ** 20;
    const shape = (gcs: number[], heaps: number[]) =>
      base.map((r, i) => ({ ...r, numGC: gcs[i]!, heapProfileNumGC: gcs[i]!, heapProfileInuse: heaps[i]! * MB, heapAlloc: heaps[i]! * MB }));
    const twoCycles = judgeOnce(input(shape([10, 10, 11, 11, 12], [20, 20, 30, 30, 40])));
    expect(twoCycles.kind).toBe('insufficient-data');
    expect(twoCycles.summary).toMatch(/1 more GC cycle/);
    expect(judgeOnce(input(shape([10, 11, 11, 12, 13], [20, 30, 30, 40, 50]))).kind).toBe('heap-leak');
  });

  it('counts GC cycles from the first poll that knows NumGC, and says when the target reports none', () => {
    const steady = records('steady');
    const firstUnknown = steady.map((r, i) => (i === 0 ? { ...r, numGC: null } : r));
    expect(judgeOnce(input(firstUnknown)).kind).toBe('healthy');
    const none = steady.map((r) => ({ ...r, numGC: null, heapProfileNumGC: null }));
    const v = judgeOnce(input(none));
    expect(v.kind).toBe('insufficient-data');
    expect(v.summary).toMatch(/reports no GC count/);
  });

  it('memory outside Go as a level needs the anonymous RSS; from total RSS only growth counts', () => {
    // A flat service whose total RSS (e.g. from /metrics: binary pages included) stands well above Go's figure.
    const flat = records('steady').map((r) => ({ ...r, rssSource: 'metrics' as const, rssAnon: null, rss: (r.sys ?? 0) - (r.heapReleased ?? 0) + 100 * 2 ** 20 }));
    expect(judgeOnce(input(flat)).kind).not.toBe('non-go-memory');
    expect(judgeOnce(input(records('non-go'))).kind).toBe('non-go-memory');
  });

  it('after a restart the old process’s verdict is dropped at once', () => {
    const leak = records('heap-leak');
    let state: VerdictState | null = null;
    for (let n = 1; n <= leak.length; n++) state = judge(input(leak.slice(0, n)), state);
    expect(state!.verdict.kind).toBe('heap-leak');
    const last = leak[leak.length - 1]!;
    state = judge(input([...leak, { ...last, seq: last.seq + 1, time: last.time + 1000, restarted: true, restartReason: 'pid changed' }]), state);
    expect(state.verdict.kind).toBe('insufficient-data');
  });

  it('needs at least MIN_POLLS polls for any trend', () => {
    expect(judgeOnce(input(records('goroutine-leak').slice(0, MIN_POLLS - 1))).kind).toBe('insufficient-data');
  });

  it('suggests what fits the Go version', () => {
    const burst = records('burst-free');
    const old = judgeOnce(input(burst, { goVersion: 'go1.14.15' }));
    expect(old.suggestions.join('\n')).toMatch(/Go go1\.14\.15 releases memory with MADV_FREE: run it with GODEBUG=madvdontneed=1/);
  });
});
