/**
 * Memory cgroup texts, v1 and v2 (docs/formats.md#memory-cgroups):
 * where a process's memory cgroup is (/proc/PID/cgroup + /proc/self/mountinfo), its limits, usage,
 * memory.stat, OOM counters and pressure. Pure functions over file contents; sizes in bytes.
 *
 * `summarizeCgroupMemory` turns a snapshot of raw file texts (what cgroup.ts reads and a recording
 * keeps) into the figures livepprof shows: the effective limit (the lowest over the cgroup and its
 * ancestors), usage and working set of the cgroup that holds that limit, and the OOM-kill count.
 */

// ---------------------------------------------------------------------------------------------
// /proc/PID/cgroup and mountinfo

export interface CgroupMembership {
  /** Hierarchy id; 0 is the v2 (unified) hierarchy. */
  hierarchy: number;
  /** Controllers of a v1 hierarchy (`memory`, `cpu,cpuacct`, `name=systemd`); [] for v2. */
  controllers: string[];
  /** Path inside the hierarchy, relative to the reader's cgroup namespace (`/docker/abc…`). */
  path: string;
}

/** `4:memory:/docker/abc` and `0::/system.slice/x.service` lines. The path may itself contain `:`. */
export function parseProcCgroup(text: string): CgroupMembership[] {
  const out: CgroupMembership[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d{1,6}):([^:]*):(\/.*)$/.exec(line);
    if (!m) continue;
    out.push({ hierarchy: Number(m[1]), controllers: m[2] === '' ? [] : m[2]!.split(','), path: m[3]! });
  }
  return out;
}

export interface CgroupMount {
  version: 1 | 2;
  /** Where it is mounted (`/sys/fs/cgroup/memory`). */
  mountPoint: string;
  /** The hierarchy path shown at the mount point (`/` unless a container bind-mounted a subtree). */
  root: string;
  /** v1 controllers from the super options (`memory`); [] for v2. */
  controllers: string[];
}

/**
 * cgroup and cgroup2 mounts from /proc/self/mountinfo:
 * `35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory`.
 * Paths are octal-escaped by the kernel (`\040` for a space).
 */
export function parseCgroupMounts(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const before = line.slice(0, dash).split(' ');
    const after = line.slice(dash + 3).split(' ');
    const fstype = after[0];
    if ((fstype !== 'cgroup' && fstype !== 'cgroup2') || before.length < 5) continue;
    const superOptions = (after[2] ?? '').split(',');
    mounts.push({
      version: fstype === 'cgroup2' ? 2 : 1,
      mountPoint: unescapeMountPath(before[4]!),
      root: unescapeMountPath(before[3]!),
      controllers: fstype === 'cgroup2' ? [] : superOptions.filter((o) => o === 'memory' || o === 'cpu' || o.startsWith('name=')),
    });
  }
  return mounts;
}

function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export interface CgroupLocation {
  version: 1 | 2;
  /** The cgroup path as /proc/PID/cgroup names it. */
  path: string;
  /** Directory of that cgroup in the file system. */
  dir: string;
  /** Directory of the top of the mounted hierarchy: ancestors are read up to here. */
  topDir: string;
  /** The path of topDir inside the hierarchy (`/` unless the mount shows a subtree). */
  topPath: string;
}

/**
 * Where a process's memory cgroup lives on disk. v1's memory hierarchy wins when it is mounted
 * (a hybrid host accounts memory there); else the v2 hierarchy. Null when neither is mounted
 * where we can see it, or the process's cgroup is outside the mounted subtree (a container that
 * sees only its own).
 */
export function locateMemoryCgroup(memberships: CgroupMembership[], mounts: CgroupMount[]): CgroupLocation | null {
  const v1 = memberships.find((m) => m.controllers.includes('memory'));
  const v1Mount = mounts.find((m) => m.version === 1 && m.controllers.includes('memory'));
  if (v1 && v1Mount) return placeIn(1, v1.path, v1Mount);
  const v2 = memberships.find((m) => m.hierarchy === 0 && m.controllers.length === 0);
  const v2Mount = mounts.find((m) => m.version === 2);
  if (v2 && v2Mount) return placeIn(2, v2.path, v2Mount);
  return null;
}

/** The v2 cgroup of a process (for memory.pressure, which exists there even on a v1 host). */
export function locateUnifiedCgroup(memberships: CgroupMembership[], mounts: CgroupMount[]): CgroupLocation | null {
  const v2 = memberships.find((m) => m.hierarchy === 0 && m.controllers.length === 0);
  const v2Mount = mounts.find((m) => m.version === 2);
  return v2 && v2Mount ? placeIn(2, v2.path, v2Mount) : null;
}

function placeIn(version: 1 | 2, path: string, mount: CgroupMount): CgroupLocation | null {
  const root = mount.root === '/' ? '' : mount.root.replace(/\/$/, '');
  if (path !== root && !path.startsWith(root + '/') && root !== '') return null;
  const rel = path.slice(root.length);
  if (rel.split('/').includes('..')) return null;
  const top = mount.mountPoint.replace(/\/$/, '');
  return { version, path, dir: top + (rel === '/' ? '' : rel), topDir: top, topPath: mount.root };
}

/** `/a/b/c` → `/a/b` → `/a` → `/`, each with its directory, from the cgroup up to the mount's top. */
export function cgroupAncestry(loc: CgroupLocation): Array<{ path: string; dir: string }> {
  const chain: Array<{ path: string; dir: string }> = [];
  let path = loc.path;
  let dir = loc.dir;
  for (;;) {
    chain.push({ path, dir });
    if (dir === loc.topDir || path === '/' || chain.length > 64) break;
    path = path.slice(0, path.lastIndexOf('/')) || '/';
    dir = dir.slice(0, dir.lastIndexOf('/'));
  }
  return chain;
}

// ---------------------------------------------------------------------------------------------
// Single values

/**
 * v1 prints "no limit" as the largest page-aligned counter, PAGE_COUNTER_MAX × PAGE_SIZE
 * (9223372036854771712 with 4 kB pages); other page sizes give other huge numbers. Anything
 * from 2^62 up is no limit.
 */
const V1_UNLIMITED_FROM = 2 ** 62;

/** A v1 byte count (`memory.limit_in_bytes`, `memory.usage_in_bytes`); null when unreadable. */
export function parseV1Bytes(text: string): number | null {
  const t = text.trim();
  return /^\d{1,20}$/.test(t) ? Number(t) : null;
}

/** v1 `memory.limit_in_bytes`: null for "unlimited" (or unreadable). */
export function parseV1Limit(text: string): number | null {
  const n = parseV1Bytes(text);
  return n === null || n >= V1_UNLIMITED_FROM ? null : n;
}

/** v2 `memory.max` / `memory.high`: `max` → null, else bytes. */
export function parseV2Limit(text: string): number | null {
  const t = text.trim();
  if (t === 'max') return null;
  return /^\d{1,20}$/.test(t) ? Number(t) : null;
}

// ---------------------------------------------------------------------------------------------
// Flat-keyed files: memory.stat, memory.events, memory.oom_control

/** `key value` lines into a map; values that are not integers are dropped. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_][a-z0-9_]*)\s+(\d{1,20})\s*$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

export interface CgroupMemoryStat {
  /** Anonymous memory (v2 `anon`, v1 `total_rss`): the heap, stacks, mmap(MAP_ANONYMOUS). */
  anon: number | null;
  /** Page cache (v2 `file`, v1 `total_cache`), including tmpfs/shmem. */
  file: number | null;
  /** tmpfs, shm segments and shared anonymous maps (v2 `shmem`, v1 `total_shmem`): cache that cannot simply be dropped. */
  shmem: number | null;
  /** Page cache on the inactive list: the first thing reclaim drops. */
  inactiveFile: number | null;
  activeFile: number | null;
  /** v1 only: the limit the kernel applies, already the lowest over the ancestors. */
  hierarchicalLimit: number | null;
}

/**
 * memory.stat. v1 has per-cgroup names (`rss`, `cache`) and hierarchical ones (`total_rss`,
 * `total_cache`, …) that include descendants, as usage_in_bytes does: the totals are used when
 * present. v2 entries are always hierarchical.
 */
export function parseMemoryStat(text: string, version: 1 | 2): CgroupMemoryStat {
  const kv = parseFlatKeyed(text);
  const get = (name: string) => kv.get(name) ?? null;
  if (version === 2) {
    return {
      anon: get('anon'),
      file: get('file'),
      shmem: get('shmem'),
      inactiveFile: get('inactive_file'),
      activeFile: get('active_file'),
      hierarchicalLimit: null,
    };
  }
  const v1 = (name: string) => kv.get(`total_${name}`) ?? kv.get(name) ?? null;
  const hierarchical = get('hierarchical_memory_limit');
  return {
    anon: v1('rss'),
    file: v1('cache'),
    shmem: v1('shmem'),
    inactiveFile: v1('inactive_file'),
    activeFile: v1('active_file'),
    hierarchicalLimit: hierarchical === null || hierarchical >= V1_UNLIMITED_FROM ? null : hierarchical,
  };
}

/** v2 memory.events `oom_kill`, v1 memory.oom_control `oom_kill` (Linux 4.13+); null when absent. */
export function parseOomKills(text: string): number | null {
  return parseFlatKeyed(text).get('oom_kill') ?? null;
}

export interface Pressure {
  /** Share of wall time (0–100) in which some task stalled on memory, over 10 s and 60 s. */
  someAvg10: number;
  someAvg60: number;
  /** … in which all non-idle tasks stalled at once. Null on kernels that print no `full` line. */
  fullAvg10: number | null;
  fullAvg60: number | null;
}

/** PSI (`some avg10=0.00 avg60=0.00 avg300=0.00 total=0` and a `full` line). */
export function parsePressure(text: string): Pressure | null {
  const line = (kind: string) => {
    const m = new RegExp(`^${kind} avg10=(\\d{1,3}\\.\\d\\d) avg60=(\\d{1,3}\\.\\d\\d) avg300=\\d{1,3}\\.\\d\\d total=\\d+$`, 'm').exec(text);
    return m ? { avg10: Number(m[1]), avg60: Number(m[2]) } : null;
  };
  const some = line('some');
  if (!some) return null;
  const full = line('full');
  return { someAvg10: some.avg10, someAvg60: some.avg60, fullAvg10: full?.avg10 ?? null, fullAvg60: full?.avg60 ?? null };
}

/** `cgroup.procs`: one pid per line. */
export function countProcs(text: string): number {
  return text.split('\n').filter((l) => /^\d+$/.test(l.trim())).length;
}

// ---------------------------------------------------------------------------------------------
// A snapshot of raw files and what it says

/** Limit files of one cgroup level, as read (absent files are left out). */
export interface CgroupLevel {
  path: string;
  /** v1: memory.limit_in_bytes; v2: memory.max and memory.high. */
  files: Record<string, string>;
}

/** Everything read for one poll, as raw texts: what a recording keeps and a replay re-reads. */
export interface CgroupSnapshot {
  version: 1 | 2;
  /** The service's own cgroup. */
  path: string;
  /** The cgroup and its ancestors up to the top we can see, leaf first. */
  levels: CgroupLevel[];
  /** The cgroup whose limit binds (or the leaf when none does): its usage and memory.stat. */
  limiting: { path: string; files: Record<string, string> };
  /** The leaf's OOM file (v2 memory.events, v1 memory.oom_control): a kill is counted where the victim lived. */
  oomFile: string | null;
  /** Processes in the limiting cgroup and below (null when not counted). */
  procs: number | null;
  /** memory.pressure of the service's v2 cgroup, where the kernel has PSI. */
  pressure: { path: string; text: string } | null;
}

export interface CgroupMemory {
  version: 1 | 2;
  /** The service's cgroup. */
  path: string;
  /** The cgroup whose limit is the effective one (the service's own or an ancestor's). */
  limitPath: string | null;
  /** The effective hard limit: the lowest over the cgroup and its ancestors; null = none. */
  limit: number | null;
  /** Which file it came from: `memory.max`, `memory.high` (v2, throttles, never OOM-kills) or `memory.limit_in_bytes`. */
  limitFile: string | null;
  /** v2 memory.high below the hard limit (reclaim throttling starts there). */
  high: number | null;
  /** usage of the limiting cgroup (v2 memory.current, v1 memory.usage_in_bytes), including page cache. */
  usage: number | null;
  /** usage − inactive_file: what `docker stats` and `kubectl top` show, and what the OOM killer's limit is measured against in practice. */
  workingSet: number | null;
  stat: CgroupMemoryStat;
  oomKills: number | null;
  procs: number | null;
  pressure: Pressure | null;
  pressurePath: string | null;
}

const LIMIT_FILES = { 1: ['memory.limit_in_bytes'], 2: ['memory.max', 'memory.high'] } as const;
export function limitFilesOf(version: 1 | 2): readonly string[] {
  return LIMIT_FILES[version];
}

/**
 * The lowest hard limit over the levels (v2 memory.max, v1 memory.limit_in_bytes) and where it
 * is. v2's memory.high stands in only where no level has a hard limit: it throttles rather than
 * kills, which the file name says.
 */
export function effectiveLimit(version: 1 | 2, levels: CgroupLevel[]): { path: string; limit: number; file: string } | null {
  const hardFile = version === 1 ? 'memory.limit_in_bytes' : 'memory.max';
  const parse = version === 1 ? parseV1Limit : parseV2Limit;
  const lowest = (file: string) => {
    let best: { path: string; limit: number; file: string } | null = null;
    for (const level of levels) {
      const text = level.files[file];
      const limit = text === undefined ? null : parse(text);
      if (limit !== null && (best === null || limit < best.limit)) best = { path: level.path, limit, file };
    }
    return best;
  };
  return lowest(hardFile) ?? (version === 2 ? lowest('memory.high') : null);
}

export function summarizeCgroupMemory(s: CgroupSnapshot): CgroupMemory {
  const eff = effectiveLimit(s.version, s.levels);
  const stat = parseMemoryStat(s.limiting.files['memory.stat'] ?? '', s.version);
  const usageFile = s.version === 1 ? 'memory.usage_in_bytes' : 'memory.current';
  const usageText = s.limiting.files[usageFile];
  const usage = usageText === undefined ? null : parseV1Bytes(usageText);
  let limit = eff?.limit ?? null;
  let limitPath = eff?.path ?? null;
  let limitFile = eff?.file ?? null;
  // v1's own view of the effective limit also covers ancestors we cannot see (a container's mount).
  if (stat.hierarchicalLimit !== null && (limit === null || stat.hierarchicalLimit < limit)) {
    limit = stat.hierarchicalLimit;
    limitPath = s.limiting.path;
    limitFile = 'memory.stat hierarchical_memory_limit';
  }
  const highText = s.version === 2 ? s.levels.find((l) => l.path === s.path)?.files['memory.high'] : undefined;
  const high = highText === undefined ? null : parseV2Limit(highText);
  const workingSet = limit !== null && usage !== null && stat.inactiveFile !== null ? Math.max(0, usage - stat.inactiveFile) : null;
  return {
    version: s.version,
    path: s.path,
    limitPath,
    limit,
    limitFile,
    high: high !== null && (limit === null || high < limit) ? high : null,
    usage,
    workingSet,
    stat,
    oomKills: s.oomFile === null ? null : parseOomKills(s.oomFile),
    procs: s.procs,
    pressure: s.pressure ? parsePressure(s.pressure.text) : null,
    pressurePath: s.pressure?.path ?? null,
  };
}
