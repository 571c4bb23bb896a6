/**
 * Reading a process's memory cgroup (v1 or v2) as a snapshot of raw texts (parse-cgroup.ts says
 * what they mean). Local file reads only; nothing here costs the target anything. Files that
 * cannot be read are left out of the snapshot (another user's cgroup, an old kernel), and a
 * cgroup that cannot be found is a one-line reason, never an exception.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  cgroupAncestry,
  countProcs,
  effectiveLimit,
  limitFilesOf,
  locateMemoryCgroup,
  locateUnifiedCgroup,
  parseCgroupMounts,
  parseProcCgroup,
  type CgroupLevel,
  type CgroupLocation,
  type CgroupSnapshot,
} from './parse-cgroup.js';
import { DEFAULT_PROC_ROOT, readRawFile } from './proc.js';

/** Directories walked when counting the processes under a cgroup (a node-level cgroup has thousands). */
const MAX_COUNTED_CGROUPS = 256;

export type CgroupRead = { ok: true; snapshot: CgroupSnapshot } | { ok: false; reason: string };

export interface CgroupReadOptions {
  procRoot?: string;
  /** Whose mountinfo says where the hierarchies are mounted: ours (`self`). */
  mountinfoOf?: string;
}

/** Where the process's memory cgroup is; a reason when it cannot be found. */
export async function locateProcessCgroup(
  pid: number,
  opts: CgroupReadOptions = {},
): Promise<{ memory: CgroupLocation; unified: CgroupLocation | null } | { reason: string }> {
  const root = opts.procRoot ?? DEFAULT_PROC_ROOT;
  const cgroupText = await readRawFile(join(root, String(pid), 'cgroup'));
  if (cgroupText === null) return { reason: `cannot read /proc/${pid}/cgroup` };
  const mountinfo = await readRawFile(join(root, opts.mountinfoOf ?? 'self', 'mountinfo'));
  if (mountinfo === null) return { reason: 'cannot read /proc/self/mountinfo' };
  const memberships = parseProcCgroup(cgroupText);
  const mounts = parseCgroupMounts(mountinfo);
  const memory = locateMemoryCgroup(memberships, mounts);
  if (!memory) {
    const any = memberships.find((m) => m.controllers.includes('memory') || m.hierarchy === 0);
    return {
      reason: any
        ? `the memory cgroup ${any.path} of pid ${pid} is not mounted where this livepprof can see it`
        : `pid ${pid} has no memory cgroup`,
    };
  }
  return { memory, unified: locateUnifiedCgroup(memberships, mounts) };
}

async function readFiles(dir: string, names: readonly string[]): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  await Promise.all(
    names.map(async (name) => {
      const text = await readRawFile(join(dir, name));
      if (text !== null) files[name] = text;
    }),
  );
  return files;
}

/** Processes in `dir` and the cgroups below it, or null past MAX_COUNTED_CGROUPS directories. */
export async function countCgroupProcs(dir: string): Promise<number | null> {
  let total = 0;
  let seen = 0;
  const queue = [dir];
  while (queue.length > 0) {
    const d = queue.shift()!;
    if (++seen > MAX_COUNTED_CGROUPS) return null;
    const procs = await readRawFile(join(d, 'cgroup.procs'));
    if (procs === null) return null;
    total += countProcs(procs);
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) queue.push(join(d, e.name));
  }
  return total;
}

/** One poll's reading of the cgroup at `loc` (found once by locateProcessCgroup). */
export async function readCgroupSnapshot(loc: CgroupLocation, unified: CgroupLocation | null): Promise<CgroupRead> {
  const limitNames = limitFilesOf(loc.version);
  const levels: CgroupLevel[] = await Promise.all(
    cgroupAncestry(loc).map(async (l) => ({ path: l.path, files: await readFiles(l.dir, limitNames) })),
  );
  if (Object.keys(levels[0]!.files).length === 0 && loc.version === 1) {
    return { ok: false, reason: `cannot read ${join(loc.dir, 'memory.limit_in_bytes')} (the cgroup is gone, or not ours to read)` };
  }
  const binding = effectiveLimit(loc.version, levels);
  const limitingPath = binding?.path ?? loc.path;
  const limitingDir = cgroupAncestry(loc).find((l) => l.path === limitingPath)!.dir;
  const usageName = loc.version === 1 ? 'memory.usage_in_bytes' : 'memory.current';
  const oomName = loc.version === 1 ? 'memory.oom_control' : 'memory.events';
  const [files, oomFile, procs, pressureText] = await Promise.all([
    readFiles(limitingDir, [usageName, 'memory.stat']),
    readRawFile(join(loc.dir, oomName)),
    countCgroupProcs(limitingDir),
    unified ? readRawFile(join(unified.dir, 'memory.pressure')) : Promise.resolve(null),
  ]);
  if (files[usageName] === undefined) {
    return { ok: false, reason: `cannot read ${join(limitingDir, usageName)} (the cgroup is gone, or not ours to read)` };
  }
  return {
    ok: true,
    snapshot: {
      version: loc.version,
      path: loc.path,
      levels,
      limiting: { path: limitingPath, files },
      oomFile,
      procs,
      pressure: unified && pressureText !== null ? { path: unified.path, text: pressureText } : null,
    },
  };
}

/** Locate and read in one go: for discovery and tests. */
export async function readProcessCgroup(pid: number, opts: CgroupReadOptions = {}): Promise<CgroupRead> {
  const where = await locateProcessCgroup(pid, opts);
  if ('reason' in where) return { ok: false, reason: where.reason };
  return readCgroupSnapshot(where.memory, where.unified);
}
