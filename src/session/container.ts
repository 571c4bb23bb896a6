// The poll steps about which process the target is and the container it runs in: proving the
// pid (process-identity.ts, through forwarders and namespaces), reading its memory cgroup, and
// noticing OOM kills. collect.ts calls these; each fills its part of the PollRecord.

import { oomKillReason, type ContainerPoint } from '../analysis/container-memory.js';
import type { PollRecord } from '../analysis/poll-record.js';
import { errorMessage } from '../errors.js';
import type { Fetcher } from '../source/fetcher.js';
import { summarizeCgroupMemory, type CgroupSnapshot } from '../source/parse-cgroup.js';
import type { ServiceIdentity } from '../source/process-identity.js';

const text = (bytes: Uint8Array) => new TextDecoder('utf-8', { fatal: false }).decode(bytes);

export interface Identified {
  /** The proven pid, or null: then nothing of /proc may be read. */
  pid: number | null;
  /** How it was proven, or why not (one line). */
  note: string;
  /** When (ms since the epoch: the poll's own time, never a second clock reading, which a recording would keep instead). */
  at: number;
}

/** Without a proven pid, the target is traced again after this long. */
const REIDENTIFY_MS = 60_000;

export function reidentifyDue(id: Identified | null, now: number): boolean {
  return id !== null && id.pid === null && now - id.at >= REIDENTIFY_MS;
}

/**
 * Which pid serves the target. A pid is used only when proven (behind a forwarder, the
 * service's, never the forwarder's). The live fetcher always answers `identity` (an unproven one
 * says why); a fetcher without it (a recording made before identities were recorded) has only
 * the listener's pid, which is taken as it was then.
 */
export async function identify(f: Fetcher, seq: number, at: number): Promise<Identified> {
  try {
    const id = JSON.parse(text(await f.fetch(seq, 'identity'))) as ServiceIdentity;
    return id.proven ? { pid: id.pid, note: id.summary, at } : { pid: null, note: id.reason, at };
  } catch {
    // no identity in this source: the pid as it knows it
  }
  try {
    return { pid: Number(text(await f.fetch(seq, 'pid'))), note: 'the pid listening on the port (an older recording)', at };
  } catch (e) {
    return { pid: null, note: errorMessage(e), at };
  }
}

/** Where RSS came from when no pid was proven, appended to the identity note. */
export function identityNote(r: PollRecord, id: Identified | null): string | null {
  if (!id) return null;
  if (id.pid !== null) return id.note;
  const from = r.rssSource === 'metrics' ? 'RSS from /metrics' : r.rssSource === 'estimate' ? 'RSS estimated as Sys − HeapReleased' : 'no RSS';
  return `${id.note}: ${from}`;
}

/**
 * The service's memory cgroup: usage, the effective limit, and, only under a limit, the working
 * set. Without a limit the cgroup is usually shared with the rest of the host, so its usage says
 * nothing about this service: a note says so instead.
 */
export async function readContainerMemory(f: Fetcher, seq: number, pid: number | null, r: PollRecord): Promise<void> {
  if (pid === null) return;
  let snapshot: CgroupSnapshot;
  try {
    snapshot = JSON.parse(text(await f.fetch(seq, 'cgroup', pid))) as CgroupSnapshot;
  } catch (e) {
    r.cgroupNote = `no cgroup figures: ${errorMessage(e)}`;
    return;
  }
  const m = summarizeCgroupMemory(snapshot);
  r.cgroupVersion = m.version;
  r.cgroupPath = m.path;
  r.oomKills = m.oomKills;
  r.memoryPressure = m.pressure?.someAvg10 ?? null;
  const shared = m.procs === null ? 'many processes' : `${m.procs} process${m.procs === 1 ? '' : 'es'}`;
  if (m.limit === null) {
    r.cgroupNote = `no memory limit on cgroup ${m.path} (v${m.version}, shared by ${shared}): no working set shown`;
    return;
  }
  r.cgroupProcs = m.procs;
  r.memoryUsage = m.usage;
  r.workingSet = m.workingSet;
  r.memoryLimit = m.limit;
  r.memoryLimitSource = `${m.limitFile} of ${m.limitPath}`;
  r.cgroupAnon = m.stat.anon;
  r.cgroupFile = m.stat.file;
  r.cgroupShmem = m.stat.shmem;
  r.cgroupInactiveFile = m.stat.inactiveFile;
  if (m.limitPath !== m.path) r.cgroupNote = `the limit is set on ${m.limitPath}, shared by ${shared}; working set and usage are that cgroup's`;
  else if (m.procs !== null && m.procs > 1) r.cgroupNote = `cgroup ${m.path} is shared by ${shared}: working set and usage are all of theirs`;
}

/**
 * An OOM kill, noticed from the cgroup's oom_kill counter or from a restart right after the
 * working set stood at ≥ 90% of the limit; added to the restart reason as such.
 */
export function noticeOomKill(prev: ContainerPoint | null, r: PollRecord): void {
  const reason = oomKillReason(prev, r, r.restarted === true);
  if (!reason) return;
  r.oomKill = reason;
  if (r.restarted) r.restartReason = r.restartReason ? `${r.restartReason}; ${reason}` : reason;
}
