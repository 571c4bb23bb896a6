import { describe, expect, it } from 'vitest';
import { containerAdvice, describeRunway, limitRunway, oomKillReason, type ContainerPoint } from '../../src/analysis/container-memory.js';

const MiB = 2 ** 20;
const point = (t: number, ws: number | null, over: Partial<ContainerPoint> = {}): ContainerPoint => ({
  time: t * 1000,
  ok: true,
  workingSet: ws === null ? null : ws * MiB,
  memoryLimit: 256 * MiB,
  oomKills: 0,
  ...over,
});

describe('limitRunway', () => {
  it('headroom and the time to the limit at the recent growth rate; it shrinks as the working set grows', () => {
    const polls = [0, 10, 20, 30].map((t, i) => point(t, 100 + 10 * i)); // 1 MiB/s
    const r = limitRunway(polls)!;
    expect(r.headroom).toBe(126 * MiB);
    expect(r.growthPerSec).toBeCloseTo(MiB, 0);
    expect(r.secondsLeft).toBeCloseTo(126, 0);
    const later = limitRunway([...polls, point(40, 140), point(50, 150)])!;
    expect(later.headroom).toBeLessThan(r.headroom);
    expect(later.secondsLeft!).toBeLessThan(r.secondsLeft!);
    expect(describeRunway(later, 256 * MiB, 150 * MiB)).toBe('working set 150MB of 256MB limit (59%): 106MB left, reached in 1m46s at 1.00MB/s');
  });

  it('no forecast from a flat or falling working set, or too short a history', () => {
    expect(limitRunway([point(0, 100), point(60, 100)])!.secondsLeft).toBeNull();
    expect(limitRunway([point(0, 120), point(60, 100)])!.secondsLeft).toBeNull();
    expect(limitRunway([point(0, 100), point(1, 120)])!.growthPerSec).toBeNull();
    expect(limitRunway([point(0, null)])).toBeNull();
    expect(limitRunway([point(0, 100, { memoryLimit: null })])).toBeNull();
  });

  it('measures only since the last restart', () => {
    const r = limitRunway([point(0, 250), point(30, 255), point(40, 20, { restarted: true }), point(50, 30)])!;
    expect(r.growthPerSec).toBeCloseTo(MiB, 0);
    expect(r.headroom).toBe(226 * MiB);
  });
});

describe('oomKillReason', () => {
  it('the oom_kill counter moving is proof', () => {
    expect(oomKillReason(point(0, 250), point(10, 20, { oomKills: 1 }), true)).toBe(
      "OOM-killed: the cgroup's oom_kill counter went 0 → 1 (1 process killed at the memory limit)",
    );
  });
  it("a kill the old process's last poll already counted (it answered, then the kernel killed it) explains the restart that follows", () => {
    const proof = "OOM-killed: the cgroup's oom_kill counter went 0 → 1 (1 process killed at the memory limit)";
    const last = point(5, 200, { oomKills: 1 });
    expect(oomKillReason(point(0, 180), last, false)).toBe(proof);
    expect(oomKillReason({ ...last, oomKill: proof }, point(10, 20, { oomKills: 1 }), true)).toBe(proof);
    // Not carried to a poll that is no restart, nor from a restart poll to the next one.
    expect(oomKillReason({ ...last, oomKill: proof }, point(10, 201, { oomKills: 1 }), false)).toBeNull();
    expect(oomKillReason({ ...point(10, 20, { oomKills: 1 }), oomKill: proof, restarted: true }, point(12, 20, { oomKills: 1 }), true)).toBeNull();
  });
  it('without the counter (a new container, a new cgroup), a restart after a working set ≥ 90% of the limit is probable', () => {
    const before = point(0, 240, { oomKills: 3 });
    expect(oomKillReason(before, point(10, 20, { oomKills: 0 }), true)).toBe('probably OOM-killed: its last working set 240MB was 94% of the 256MB limit');
    expect(oomKillReason(point(0, 200), point(10, 20), true)).toBeNull(); // 78%: a plain restart
    expect(oomKillReason(before, point(10, 241, { oomKills: 3 }), false)).toBeNull();
    expect(oomKillReason(null, point(10, 20, { oomKills: 2 }), true)).toBeNull();
  });
});

describe('containerAdvice', () => {
  const base = { limit: 256 * MiB, goMemLimitSource: 'environ' as const, usage: null, anon: null, file: null, shmem: null, inactiveFile: null };
  it('advises when a limited container has no GOMEMLIMIT or one above the limit, and says nothing without a limit', () => {
    expect(containerAdvice({ ...base, goMemLimit: null, goMemLimitSource: null })).toEqual([]); // unknown: no claim
    expect(containerAdvice({ ...base, goMemLimit: null, goMemLimitSource: 'none' })[0]).toMatch(/^no GOMEMLIMIT in a container limited to 256MB: .*set GOMEMLIMIT to about 90% of it \(230MB\)$/);
    expect(containerAdvice({ ...base, goMemLimit: 512 * MiB })[0]).toMatch(/^GOMEMLIMIT 512MB \(its environment\) is not below the container's 256MB limit/);
    expect(containerAdvice({ ...base, goMemLimit: 200 * MiB })).toEqual([]);
    expect(containerAdvice({ ...base, limit: null, goMemLimit: null })).toEqual([]);
  });

  it('tells page cache (droppable) from anon memory', () => {
    const [line] = containerAdvice({ ...base, goMemLimit: 200 * MiB, usage: 200 * MiB, anon: 120 * MiB, file: 80 * MiB, shmem: 8 * MiB, inactiveFile: 60 * MiB });
    expect(line).toBe(
      'of the 200MB charged to the cgroup, 120MB is anon (heap, stacks, mmap: only freeing it helps) and 80.0MB page cache (8.00MB tmpfs/shm, which cannot be dropped); 60.0MB of the cache is inactive, dropped before any OOM kill and left out of the working set',
    );
  });
});
