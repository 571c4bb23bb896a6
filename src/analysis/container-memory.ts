// The container's view of memory, as pure functions over poll records: how far the working set
// is from the cgroup's limit and how fast it closes in (the runway), whether a restart was an
// OOM kill, GOMEMLIMIT against the limit, and page cache against anon memory.

import { formatBytes, formatDuration } from './format.js';
import type { PollRecord } from './poll-record.js';

/** What these functions read from a poll (a PollRecord has these fields). */
export interface ContainerPoint {
  time: number;
  ok: boolean;
  restarted?: boolean;
  workingSet: number | null;
  memoryLimit: number | null;
  oomKills: number | null;
  /** The oom_kill counter belongs to this cgroup: a restart into another one starts a new count. */
  cgroupPath?: string | null;
  /** An OOM kill this point noticed (oomKillReason), if any. */
  oomKill?: string | null;
}

// ---------------------------------------------------------------------------------------------
// Runway

/** Growth is measured over at most this much of the most recent history. */
const RUNWAY_WINDOW_MS = 10 * 60_000;
/** …and needs at least this much of it, so two noisy polls do not make a forecast. */
const RUNWAY_MIN_SPAN_MS = 5_000;

export interface Runway {
  /** limit − working set now (negative when over it: the kernel is reclaiming or about to kill). */
  headroom: number;
  /** working set / limit, 0–1+. */
  used: number;
  /** Working-set growth over the window, bytes per second (≤ 0: not closing in). */
  growthPerSec: number | null;
  /** Time until the working set reaches the limit at that rate; null when it is not growing. */
  secondsLeft: number | null;
  /** Over how much history the rate was measured. */
  spanMs: number;
}

/**
 * Headroom to the cgroup limit and, when the working set grows, when it reaches the limit at
 * the rate of the last few minutes (first and last point of the window since the last restart).
 * Null without a working set and a limit in the latest good poll.
 */
export function limitRunway(records: readonly ContainerPoint[]): Runway | null {
  const run = sinceRestart(records).filter((r) => r.workingSet !== null && r.memoryLimit !== null);
  const last = run[run.length - 1];
  if (!last) return null;
  const ws = last.workingSet!;
  const limit = last.memoryLimit!;
  const window = run.filter((r) => r.time >= last.time - RUNWAY_WINDOW_MS && r.memoryLimit === limit);
  const first = window[0]!;
  const spanMs = last.time - first.time;
  const growthPerSec = spanMs >= RUNWAY_MIN_SPAN_MS ? ((ws - first.workingSet!) * 1000) / spanMs : null;
  const headroom = limit - ws;
  const secondsLeft = growthPerSec !== null && growthPerSec > 0 ? Math.max(0, headroom) / growthPerSec : null;
  return { headroom, used: ws / limit, growthPerSec, secondsLeft, spanMs };
}

function sinceRestart<T extends ContainerPoint>(records: readonly T[]): T[] {
  let start = 0;
  records.forEach((r, i) => {
    if (r.restarted) start = i;
  });
  return records.slice(start).filter((r) => r.ok);
}

/** `working set 201MB of 256MB limit (79%): 55.0MB left, reached in 3m20s at 280kB/s`. */
export function describeRunway(r: Runway, limit: number, ws: number): string {
  const base = `working set ${formatBytes(ws)} of ${formatBytes(limit)} limit (${Math.round(r.used * 100)}%)`;
  if (r.headroom <= 0) return `${base}: at the limit`;
  const left = `${formatBytes(r.headroom)} left`;
  if (r.secondsLeft === null || r.growthPerSec === null) return `${base}: ${left}, not growing`;
  return `${base}: ${left}, reached in ${formatDuration(r.secondsLeft * 1000)} at ${formatBytes(r.growthPerSec)}/s`;
}

// ---------------------------------------------------------------------------------------------
// OOM kills

/** A restart whose last working set was at least this share of the limit is called an OOM kill. */
export const OOM_NEAR_LIMIT = 0.9;

/**
 * Why a restart (or a counter move) looks like an OOM kill, or null. The cgroup's oom_kill
 * counter is proof; without it (a new container gets a new cgroup, whose counter starts at 0)
 * a restart right after a working set at ≥ 90% of the limit is stated as likely.
 */
export function oomKillReason(prev: ContainerPoint | null, now: ContainerPoint, restarted: boolean): string | null {
  const sameCgroup = !prev?.cgroupPath || !now.cgroupPath || prev.cgroupPath === now.cgroupPath;
  if (prev && sameCgroup && prev.oomKills !== null && now.oomKills !== null && now.oomKills > prev.oomKills) {
    const n = now.oomKills - prev.oomKills;
    return `OOM-killed: the cgroup's oom_kill counter went ${prev.oomKills} → ${now.oomKills} (${n} process${n === 1 ? '' : 'es'} killed at the memory limit)`;
  }
  // The old process's last poll raced its kill (it answered; by the time the cgroup was read the
  // kernel had counted the kill): that poll holds the proof, and the restart it explains is this one.
  if (restarted && prev?.oomKill && sameCgroup && !prev.restarted) return prev.oomKill;
  if (restarted && prev && prev.workingSet !== null && prev.memoryLimit !== null && prev.workingSet >= OOM_NEAR_LIMIT * prev.memoryLimit) {
    return `probably OOM-killed: its last working set ${formatBytes(prev.workingSet)} was ${Math.round((prev.workingSet / prev.memoryLimit) * 100)}% of the ${formatBytes(prev.memoryLimit)} limit`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// GOMEMLIMIT against the limit, page cache against anon

export interface ContainerAdviceInput {
  limit: number | null;
  /** GOMEMLIMIT in bytes (null: none set) and where it was read (PollRecord.memoryLimitGo/Source); source null: unknown. */
  goMemLimit: number | null;
  goMemLimitSource: 'metrics' | 'environ' | 'none' | null;
  usage: number | null;
  anon: number | null;
  file: number | null;
  shmem: number | null;
  inactiveFile: number | null;
}

/** The share of the limit GOMEMLIMIT is usually set to: room for what Go does not count. */
const SUGGESTED_GOMEMLIMIT_SHARE = 0.9;

/**
 * Plain-language notes on a limited container: GOMEMLIMIT missing or above the limit, and how
 * much of the usage is page cache (which the kernel drops before it kills) against anon memory
 * (which it cannot drop without swap). Empty without a limit.
 */
export function containerAdvice(a: ContainerAdviceInput): string[] {
  if (a.limit === null) return [];
  const out: string[] = [];
  const suggest = formatBytes(Math.floor(a.limit * SUGGESTED_GOMEMLIMIT_SHARE));
  const from = a.goMemLimitSource === 'metrics' ? 'go_gc_gomemlimit_bytes' : 'its environment';
  if (a.goMemLimitSource === null) {
    // Neither /metrics nor the environment said: nothing to advise on.
  } else if (a.goMemLimit === null) {
    out.push(
      `no GOMEMLIMIT in a container limited to ${formatBytes(a.limit)}: the Go GC paces by GOGC alone, blind to the limit; set GOMEMLIMIT to about 90% of it (${suggest})`,
    );
  } else if (a.goMemLimit >= a.limit) {
    out.push(
      `GOMEMLIMIT ${formatBytes(a.goMemLimit)} (${from}) is not below the container's ${formatBytes(a.limit)} limit: the OOM killer acts before the GC tries hard; set it to about ${suggest}`,
    );
  }
  if (a.usage !== null && a.file !== null && a.anon !== null && a.file > 0) {
    const droppable = a.inactiveFile ?? 0;
    out.push(
      `of the ${formatBytes(a.usage)} charged to the cgroup, ${formatBytes(a.anon)} is anon (heap, stacks, mmap: only freeing it helps) and ${formatBytes(a.file)} page cache${a.shmem ? ` (${formatBytes(a.shmem)} tmpfs/shm, which cannot be dropped)` : ''}; ${formatBytes(droppable)} of the cache is inactive, dropped before any OOM kill and left out of the working set`,
    );
  }
  return out;
}

/** containerAdvice over a poll's own figures. */
export function containerAdviceFor(r: PollRecord): string[] {
  return containerAdvice({
    limit: r.memoryLimit,
    goMemLimit: r.memoryLimitGo,
    goMemLimitSource: r.memoryLimitGoSource,
    usage: r.memoryUsage,
    anon: r.cgroupAnon,
    file: r.cgroupFile,
    shmem: r.cgroupShmem,
    inactiveFile: r.cgroupInactiveFile,
  });
}
