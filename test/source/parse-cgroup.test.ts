// Memory cgroup parsing. v1: bytes captured on this project's machine (fixtures/cgroup-v1: a
// target in a 256 MiB cgroup nested in a 96 MiB one, OOM-killed; a cgroup holding page cache and
// /dev/shm). v2: this machine has no v2 memory controller, so those bytes follow the format that
// Documentation/admin-guide/cgroup-v2.rst documents (flat-keyed `key value` files, `max` for no
// limit, PSI lines) and a real kubelet layout; v2 is not exercised live.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  cgroupAncestry,
  effectiveLimit,
  locateMemoryCgroup,
  locateUnifiedCgroup,
  parseCgroupMounts,
  parseMemoryStat,
  parseOomKills,
  parsePressure,
  parseProcCgroup,
  parseV1Limit,
  parseV2Limit,
  summarizeCgroupMemory,
  type CgroupSnapshot,
} from '../../src/source/parse-cgroup.js';

const v1 = (name: string) => readFileSync(new URL(`./fixtures/cgroup-v1/${name}`, import.meta.url), 'utf8');

describe('cgroup v1 (real bytes)', () => {
  const membership = parseProcCgroup(v1('proc-pid-cgroup.txt'));
  const mounts = parseCgroupMounts(v1('mountinfo.txt'));
  const memoryLine = membership.find((m) => m.controllers.includes('memory'))!;

  it('finds the memory hierarchy in mountinfo and the process in it', () => {
    expect(mounts.find((m) => m.controllers.includes('memory'))).toEqual({ version: 1, mountPoint: '/sys/fs/cgroup/memory', root: '/', controllers: ['memory'] });
    expect(mounts.find((m) => m.version === 2)?.mountPoint).toBe('/sys/fs/cgroup/unified');
    const loc = locateMemoryCgroup(membership, mounts)!;
    expect(loc).toMatchObject({ version: 1, path: memoryLine.path, dir: `/sys/fs/cgroup/memory${memoryLine.path}`, topDir: '/sys/fs/cgroup/memory' });
    // child, parent, the hierarchy's root
    const chain = cgroupAncestry(loc);
    expect(chain.map((c) => c.path)).toEqual([memoryLine.path, memoryLine.path.slice(0, memoryLine.path.lastIndexOf('/')), '/']);
    expect(chain[2]!.dir).toBe('/sys/fs/cgroup/memory');
    // The hybrid host also puts it in the v2 tree (for memory.pressure).
    expect(locateUnifiedCgroup(membership, mounts)).toMatchObject({ version: 2, path: '/', dir: '/sys/fs/cgroup/unified' });
  });

  it('"unlimited" (9223372036854771712) is not a limit; a number is', () => {
    expect(v1('root.memory.limit_in_bytes').trim()).toBe('9223372036854771712');
    expect(parseV1Limit(v1('root.memory.limit_in_bytes'))).toBeNull();
    expect(parseV1Limit(v1('child.memory.limit_in_bytes'))).toBe(256 * 2 ** 20);
    expect(parseV1Limit('garbage')).toBeNull();
  });

  it('the effective limit is the lowest over the cgroup and its ancestors (the 96 MiB parent, not the 256 MiB child)', () => {
    const [child, parent] = cgroupAncestry(locateMemoryCgroup(membership, mounts)!);
    const levels = [
      { path: child!.path, files: { 'memory.limit_in_bytes': v1('child.memory.limit_in_bytes') } },
      { path: parent!.path, files: { 'memory.limit_in_bytes': v1('parent.memory.limit_in_bytes') } },
      { path: '/', files: { 'memory.limit_in_bytes': v1('root.memory.limit_in_bytes') } },
    ];
    expect(effectiveLimit(1, levels)).toEqual({ path: parent!.path, limit: 96 * 2 ** 20, file: 'memory.limit_in_bytes' });
    // The kernel's own hierarchical_memory_limit agrees.
    expect(parseMemoryStat(v1('child.memory.stat'), 1).hierarchicalLimit).toBe(96 * 2 ** 20);
  });

  it('memory.stat: the hierarchical total_* names', () => {
    const stat = parseMemoryStat(v1('page-cache.memory.stat'), 1);
    const total = (k: string) => Number(new RegExp(`^total_${k} (\\d+)$`, 'm').exec(v1('page-cache.memory.stat'))![1]);
    expect(stat).toMatchObject({ anon: total('rss'), file: total('cache'), shmem: total('shmem'), inactiveFile: total('inactive_file'), activeFile: total('active_file') });
    expect(stat.file).toBeGreaterThan(stat.inactiveFile!); // the /dev/shm file is cache but never inactive_file
  });

  it('working set = usage − inactive_file, shown only under a limit', () => {
    const snap = (name: string, limit: string): CgroupSnapshot => ({
      version: 1,
      path: '/cache',
      levels: [{ path: '/cache', files: { 'memory.limit_in_bytes': limit } }],
      limiting: { path: '/cache', files: { 'memory.usage_in_bytes': v1(`${name}.memory.usage_in_bytes`), 'memory.stat': v1(`${name}.memory.stat`) } },
      oomFile: v1('child.memory.oom_control'),
      procs: 1,
      pressure: null,
    });
    const limited = summarizeCgroupMemory(snap('page-cache', v1('child.memory.limit_in_bytes')));
    const usage = Number(v1('page-cache.memory.usage_in_bytes'));
    expect(limited).toMatchObject({ limit: 256 * 2 ** 20, usage, workingSet: usage - limited.stat.inactiveFile!, oomKills: 0 });
    expect(limited.workingSet).toBeLessThan(usage - 20 * 2 ** 20); // 24 MB just written, not read again
    // A cgroup without a limit anywhere (its hierarchical_memory_limit says unlimited too).
    const unlimited = summarizeCgroupMemory(snap('unlimited', v1('root.memory.limit_in_bytes')));
    expect(unlimited).toMatchObject({ limit: null, workingSet: null, usage: Number(v1('unlimited.memory.usage_in_bytes')) });
    expect(unlimited.usage).toBeGreaterThan(0);
  });

  it('oom_kill from memory.oom_control counts on the killed process\'s own cgroup, not the limiting parent', () => {
    expect(parseOomKills(v1('child.memory.oom_control'))).toBe(0);
    expect(parseOomKills(v1('child.after-oom.memory.oom_control'))).toBe(1);
    expect(parseOomKills(v1('parent.after-oom.memory.oom_control'))).toBe(0);
  });
});

// ---- v2, in the documented format ---------------------------------------------------------------

const V2_CGROUP = '0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f2a.slice/cri-containerd-9b1c.scope\n';
const V2_MOUNTINFO = '30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';
// cgroup-v2.rst: memory.stat entries, in bytes, "new entries can show up in the middle".
const V2_STAT = [
  'anon 201326592',
  'file 67108864',
  'kernel 3145728',
  'kernel_stack 327680',
  'pagetables 1048576',
  'sec_pagetables 0',
  'percpu 0',
  'sock 4096',
  'vmalloc 0',
  'shmem 4194304',
  'zswap 0',
  'zswapped 0',
  'file_mapped 8388608',
  'file_dirty 0',
  'file_writeback 0',
  'swapcached 0',
  'anon_thp 0',
  'file_thp 0',
  'shmem_thp 0',
  'inactive_anon 201326592',
  'active_anon 4194304',
  'inactive_file 50331648',
  'active_file 12582912',
  'unevictable 0',
  'slab_reclaimable 1048576',
  'slab_unreclaimable 524288',
  'slab 1572864',
  'workingset_refault_anon 0',
  'pgfault 123456',
  'pgmajfault 12',
  '',
].join('\n');
const V2_EVENTS = 'low 0\nhigh 0\nmax 41\noom 2\noom_kill 2\noom_group_kill 0\nsock_throttled 0\n';
const V2_PRESSURE = 'some avg10=1.52 avg60=0.40 avg300=0.08 total=1234567\nfull avg10=0.75 avg60=0.20 avg300=0.04 total=600000\n';

describe('cgroup v2 (documented format; not exercised live on this machine)', () => {
  it('finds a kubelet container cgroup under the cgroup2 mount', () => {
    const loc = locateMemoryCgroup(parseProcCgroup(V2_CGROUP), parseCgroupMounts(V2_MOUNTINFO))!;
    expect(loc.version).toBe(2);
    expect(loc.dir).toBe('/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f2a.slice/cri-containerd-9b1c.scope');
    expect(cgroupAncestry(loc).map((l) => l.dir).at(-1)).toBe('/sys/fs/cgroup');
    expect(cgroupAncestry(loc)).toHaveLength(5);
  });

  it('a container whose mount shows only its own subtree maps paths under the mount root', () => {
    const mountinfo = '1500 1499 0:26 /kubepods.slice/pod /sys/fs/cgroup ro,nosuid - cgroup2 cgroup rw\n';
    const loc = locateMemoryCgroup(parseProcCgroup('0::/kubepods.slice/pod/ctr\n'), parseCgroupMounts(mountinfo))!;
    expect(loc).toMatchObject({ dir: '/sys/fs/cgroup/ctr', topDir: '/sys/fs/cgroup' });
    expect(locateMemoryCgroup(parseProcCgroup('0::/system.slice/other\n'), parseCgroupMounts(mountinfo))).toBeNull();
  });

  it('memory.max "max" is no limit; memory.high stands in only without a hard limit, named as such', () => {
    expect(parseV2Limit('max\n')).toBeNull();
    expect(parseV2Limit('536870912\n')).toBe(512 * 2 ** 20);
    const pod = { path: '/pod', files: { 'memory.max': '536870912\n', 'memory.high': 'max\n' } };
    const ctr = { path: '/pod/ctr', files: { 'memory.max': 'max\n', 'memory.high': '402653184\n' } };
    expect(effectiveLimit(2, [ctr, pod])).toEqual({ path: '/pod', limit: 512 * 2 ** 20, file: 'memory.max' });
    expect(effectiveLimit(2, [ctr, { path: '/pod', files: { 'memory.max': 'max\n' } }])).toEqual({ path: '/pod/ctr', limit: 384 * 2 ** 20, file: 'memory.high' });
  });

  it('usage, working set (memory.current − inactive_file), OOM kills from memory.events, pressure', () => {
    const s = summarizeCgroupMemory({
      version: 2,
      path: '/pod/ctr',
      levels: [
        { path: '/pod/ctr', files: { 'memory.max': '268435456\n', 'memory.high': '251658240\n' } },
        { path: '/pod', files: { 'memory.max': 'max\n', 'memory.high': 'max\n' } },
      ],
      limiting: { path: '/pod/ctr', files: { 'memory.current': '272629760\n', 'memory.stat': V2_STAT } },
      oomFile: V2_EVENTS,
      procs: 1,
      pressure: { path: '/pod/ctr', text: V2_PRESSURE },
    });
    expect(s).toMatchObject({
      limit: 256 * 2 ** 20,
      limitFile: 'memory.max',
      high: 240 * 2 ** 20,
      usage: 260 * 2 ** 20,
      workingSet: 260 * 2 ** 20 - 48 * 2 ** 20,
      oomKills: 2,
      stat: { anon: 192 * 2 ** 20, file: 64 * 2 ** 20, shmem: 4 * 2 ** 20, inactiveFile: 48 * 2 ** 20 },
      pressure: { someAvg10: 1.52, someAvg60: 0.4, fullAvg10: 0.75, fullAvg60: 0.2 },
    });
  });

  it('pressure without a full line (older kernels) and garbage', () => {
    expect(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n')).toEqual({ someAvg10: 0, someAvg60: 0, fullAvg10: null, fullAvg60: null });
    expect(parsePressure('')).toBeNull();
  });
});
