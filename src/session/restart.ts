// Restart detection, in one place: was the process answering this poll the same one as before?
// The signs are another pid, the same pid with another start time (a container's pid 1), another
// process start time in /metrics, another command line, or cumulative counters going backwards.
// Collect feeds it what each poll saw; everything downstream reads `record.restarted`.

import type { PollRecord } from '../analysis/poll-record.js';

/** What one poll learned about the process's identity. */
export interface IdentitySeen {
  pid: number | null;
  /** /proc/PID/stat start time (clock ticks since boot). */
  pidStartTime: number | null;
  /** process_start_time_seconds from /metrics. */
  metricsStartTime: number | null;
  /** The target's command line, read at (re)discovery only. */
  cmdline: string[] | null;
  /** Was the command line read this poll? */
  rediscovered: boolean;
}

export class RestartWatch {
  private pid: number | null = null;
  private pidStartTime: number | null = null;
  private metricsStartTime: number | null = null;
  private cmdline: string[] | null = null;
  private prev: PollRecord | null = null;

  /**
   * Compares this poll with the last good one; marks `r.restarted` with every reason found.
   * Returns true on a restart, so the caller drops what it knew of the old process.
   */
  observe(r: PollRecord, seen: IdentitySeen): boolean {
    const reasons: string[] = [];
    const prev = this.prev;
    if (seen.pid !== null && this.pid !== null && seen.pid !== this.pid) reasons.push(`pid changed from ${this.pid} to ${seen.pid}`);
    else if (seen.pid !== null && seen.pid === this.pid && seen.pidStartTime !== null && this.pidStartTime !== null && seen.pidStartTime !== this.pidStartTime) {
      reasons.push(`process ${seen.pid} has a new start time (the same pid, another process)`);
    }
    if (seen.metricsStartTime !== null && this.metricsStartTime !== null && seen.metricsStartTime !== this.metricsStartTime) {
      reasons.push('process start time changed');
    }
    if (prev) {
      if (prev.numGC !== null && r.numGC !== null && r.numGC < prev.numGC) reasons.push(`NumGC went backwards (${prev.numGC} → ${r.numGC})`);
      else if (prev.totalAlloc !== null && r.totalAlloc !== null && r.totalAlloc < prev.totalAlloc) reasons.push('TotalAlloc went backwards');
    }
    if (seen.rediscovered && prev && seen.cmdline && this.cmdline && this.cmdline.join('\0') !== seen.cmdline.join('\0')) {
      reasons.push('command line changed');
    }

    if (seen.pid !== null) {
      this.pid = seen.pid;
      this.pidStartTime = seen.pidStartTime ?? this.pidStartTime;
    }
    if (seen.metricsStartTime !== null) this.metricsStartTime = seen.metricsStartTime;
    if (seen.cmdline) this.cmdline = seen.cmdline;
    if (r.ok) this.prev = r;
    if (reasons.length === 0) return false;
    r.restarted = true;
    r.restartReason = reasons.join('; ');
    return true;
  }
}
