// Reading a process's memory cgroup on the real kernel: the fixture target in a v1 memory cgroup
// made for the test (and removed after), in its own PID namespace as a container's process is.
import { readFileSync } from 'node:fs';
import { requireTool } from '../helpers/require-tool.js';
import { afterEach, describe, expect, it } from 'vitest';
import { readProcessCgroup } from '../../src/source/cgroup.js';
import { summarizeCgroupMemory, type CgroupMemory } from '../../src/source/parse-cgroup.js';
import { createMemoryCgroup, startContained, type Contained, type MemoryCgroup } from '../helpers/sandbox.js';

const MiB = 2 ** 20;
const run = requireTool(['root', 'memcg-v1', 'pidns', 'go'], 'the memory cgroup tests');

async function memoryOf(pid: number): Promise<CgroupMemory> {
  const read = await readProcessCgroup(pid);
  if (!read.ok) throw new Error(read.reason);
  return summarizeCgroupMemory(read.snapshot);
}


describe.runIf(run)('memory cgroup v1 on the real kernel', () => {
  const made: Array<{ stop?: () => Promise<void>; remove?: () => void }> = [];
  const cgroup = (limit: number | null, parent: MemoryCgroup | null = null) => {
    const cg = createMemoryCgroup(limit, parent);
    made.push(cg);
    return cg;
  };
  const contain = async (cg: MemoryCgroup): Promise<Contained> => {
    const t = await startContained({ cgroup: cg, pidns: true });
    made.push(t);
    return t;
  };
  afterEach(async () => {
    // Processes first, then cgroups innermost first.
    for (const m of made.splice(0).reverse()) {
      await m.stop?.();
      m.remove?.();
    }
  });

  it('usage, working set and limit of the target\'s cgroup; a leak raises usage and working set', async () => {
    const cg = cgroup(128 * MiB);
    const t = await contain(cg);
    const before = await memoryOf(t.pid);
    expect(before).toMatchObject({ version: 1, path: cg.path, limitPath: cg.path, limit: 128 * MiB, limitFile: 'memory.limit_in_bytes', oomKills: 0 });
    // unshare (the PID namespace's parent) and the target
    expect(before.procs).toBe(2);
    expect(before.workingSet).toBe(before.usage! - before.stat.inactiveFile!);
    await fetch(`${t.url}/control/leak?mb=32`);
    const after = await memoryOf(t.pid);
    expect(after.usage! - before.usage!).toBeGreaterThan(30 * MiB);
    expect(after.workingSet! - before.workingSet!).toBeGreaterThan(30 * MiB);
    expect(after.stat.anon! - before.stat.anon!).toBeGreaterThan(30 * MiB);
    // The kernel's figure, read independently, agrees within what one poll of a live process can move.
    const usageNow = Number(cg.read('memory.usage_in_bytes'));
    expect(Math.abs(usageNow - after.usage!) / usageNow).toBeLessThan(0.05);
  });

  it('the effective limit is the lowest of the cgroup and its ancestors', async () => {
    const parent = cgroup(96 * MiB);
    const child = cgroup(512 * MiB, parent);
    const t = await contain(child);
    const m = await memoryOf(t.pid);
    expect(m).toMatchObject({ path: child.path, limit: 96 * MiB, limitPath: parent.path });
    expect(m.procs).toBe(2);
  });

  it('no limit anywhere: no limit and no working set (this test process\'s own cgroup)', async () => {
    const own = /^\d+:memory:(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
    const m = await memoryOf(process.pid);
    expect(m.path).toBe(own);
    expect(m).toMatchObject({ limit: null, workingSet: null });
    expect(m.usage).toBeGreaterThan(0);
  });

  it('a leak into the limit: the kernel kills the target and oom_kill counts it', async () => {
    const cg = cgroup(64 * MiB);
    const t = await contain(cg);
    expect((await memoryOf(t.pid)).oomKills).toBe(0);
    for (let i = 0; i < 16; i++) {
      const ok = await fetch(`${t.url}/control/leak?mb=8`).then(
        () => true,
        () => false,
      );
      if (!ok) break;
    }
    await t.exited;
    // The process is gone; its cgroup keeps the count, which the restarted one (as a container
    // runtime restarts it, in the same cgroup) shows.
    expect(await readProcessCgroup(t.pid)).toEqual({ ok: false, reason: `cannot read /proc/${t.pid}/cgroup` });
    const again = await contain(cg);
    expect(await memoryOf(again.pid)).toMatchObject({ oomKills: 1, limit: 64 * MiB });
  });
});
