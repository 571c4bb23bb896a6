// The live fetcher's view of which process serves the target and where its memory cgroup is:
// process-identity.ts proves the pid, cgroup.ts reads the cgroup. Both answers are kept while
// they hold, so a rediscovery does not open a new probe connection and the cgroup is located
// once per pid. Answers are plain JSON values, which is what recordings keep.

import { readFile } from 'node:fs/promises';
import { LivepprofError, errorMessage } from '../errors.js';
import { locateProcessCgroup, readCgroupSnapshot } from './cgroup.js';
import { parseCmdline } from './parse-index.js';
import type { CgroupSnapshot } from './parse-cgroup.js';
import { parseProcStatStartTime } from './parse-proc.js';
import { parsePrometheusText } from './parse-prometheus.js';
import { DEFAULT_PROC_ROOT } from './proc.js';
import { resolveServiceProcess, type ServiceIdentity } from './process-identity.js';
import type { Target } from './target.js';

/** The target's latest /debug/pprof/cmdline and /metrics bodies, as the fetcher saw them. */
export interface TargetSays {
  cmdline: Uint8Array | null;
  metrics: Uint8Array | null;
}

export interface ServiceLocatorOptions {
  /** --pid: taken as given. */
  pid?: number;
  /** The target is reached over this unix socket: its process is not traced. */
  unixSocket?: string;
  procRoot?: string;
}

type Proven = ServiceIdentity & { proven: true };

/** An unproven answer for the same process is not asked again (a probe connection) for this long. */
const UNPROVEN_RETRY_MS = 60_000;

export class ServiceLocator {
  private proven: { id: Proven; cmdline: string | null; startTicks: number } | null = null;
  private unproven: { id: ServiceIdentity; key: string; at: number } | null = null;
  private cgroupOf: { pid: number; where: Awaited<ReturnType<typeof locateProcessCgroup>> } | null = null;

  constructor(
    private readonly target: Target,
    private readonly opts: ServiceLocatorOptions,
  ) {}

  private get root(): string {
    return this.opts.procRoot ?? DEFAULT_PROC_ROOT;
  }

  /**
   * The process serving the target, checked against what the target says about itself; behind
   * a forwarder the service, never the forwarder. A proven answer is kept while that process
   * lives (same start time) and the target names the same command line.
   */
  async identify(says: TargetSays): Promise<ServiceIdentity> {
    const given = this.opts.pid;
    if (given !== undefined) return { proven: true, pid: given, how: 'given', forwarders: [], checks: [], summary: `pid ${given}, as given with --pid` };
    if (this.opts.unixSocket) {
      return { proven: false, pid: null, forwarders: [], reason: `the target is reached over the unix socket ${this.opts.unixSocket}, whose process is not traced; pass --pid` };
    }
    const cmdline = says.cmdline ? new TextDecoder().decode(says.cmdline) : null;
    const metrics = says.metrics ? parsePrometheusText(new TextDecoder().decode(says.metrics)) : null;
    const startTime = metrics?.get('process_start_time_seconds')?.[0]?.value ?? null;
    const kept = this.proven;
    if (kept && kept.cmdline === cmdline && (await this.startTicks(kept.id.pid)) === kept.startTicks) return kept.id;
    // Unproven: asked again only once the target says it is another process, or after a while.
    const miss = this.unproven;
    const key = `${cmdline}\0${startTime}`;
    if (miss && miss.key === key && Date.now() - miss.at < UNPROVEN_RETRY_MS) return miss.id;
    const id = await this.resolve(cmdline === null ? null : parseCmdline(cmdline), startTime);
    const ticks = id.proven ? await this.startTicks(id.pid) : null;
    this.proven = id.proven && ticks !== null ? { id, cmdline, startTicks: ticks } : null;
    this.unproven = id.proven ? null : { id, key, at: Date.now() };
    return id;
  }

  private async resolve(cmdline: string[] | null, startTime: number | null): Promise<ServiceIdentity> {
    try {
      return await resolveServiceProcess({ host: this.target.hostname, port: this.target.port, cmdline, startTime, procRoot: this.root });
    } catch (e) {
      // Never the listener's pid instead: unproven is the honest answer.
      return { proven: false, pid: null, forwarders: [], reason: `cannot trace the process behind port ${this.target.port}: ${errorMessage(e)}` };
    }
  }

  private async startTicks(pid: number): Promise<number | null> {
    const stat = await readFile(`${this.root}/${pid}/stat`, 'utf8').catch(() => null);
    return stat === null ? null : parseProcStatStartTime(stat);
  }

  /** The pid's memory cgroup files; a one-line not-local error when they cannot be found or read. */
  async cgroup(pid: number | undefined): Promise<CgroupSnapshot> {
    if (pid === undefined) throw new LivepprofError('not-local', 'no pid known for its cgroup');
    if (this.cgroupOf?.pid !== pid) this.cgroupOf = { pid, where: await locateProcessCgroup(pid, { procRoot: this.root }) };
    const where = this.cgroupOf.where;
    const read = 'reason' in where ? { ok: false as const, reason: where.reason } : await readCgroupSnapshot(where.memory, where.unified);
    if (!read.ok) {
      this.cgroupOf = null;
      throw new LivepprofError('not-local', read.reason);
    }
    return read.snapshot;
  }
}
