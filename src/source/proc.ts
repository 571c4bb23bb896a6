/**
 * Reading /proc for one process (docs §5.1, §5.2). The root is injectable so tests (and replays)
 * can point it at a directory of captured files laid out like /proc.
 *
 * Every read returns `{ raw, parsed }` or null: the raw text is what a recording saves, the
 * parsed value is what the UI shows, and both come from the same single readFile so they never
 * disagree. Null means "no figure this time" (process exited, file hidden by permissions or a
 * container, kernel too old for smaps_rollup); it never throws for file-system reasons, because a
 * live poller must keep going when the target goes away.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCmdline } from './parse-index.js';
import {
  parseProcStatStartTime,
  parseProcStatus,
  parseSmapsRollup,
  type ProcStatus,
  type SmapsRollup,
} from './parse-proc.js';

export interface ProcRead<T> {
  /** The file's text exactly as read (cmdline keeps its NUL separators). */
  raw: string;
  parsed: T;
}

export const DEFAULT_PROC_ROOT = '/proc';

/** One stat-line state letter per process; these mean the pid no longer runs code. */
const DEAD_STATES = new Set(['Z', 'X', 'x']);

export class ProcReader {
  constructor(
    readonly pid: number,
    readonly root: string = DEFAULT_PROC_ROOT,
  ) {}

  /** /proc/PID/status: VmRSS, RssAnon/RssFile/RssShmem, VmHWM, Threads (bytes). */
  async readStatus(): Promise<ProcRead<ProcStatus> | null> {
    return this.readParsed('status', parseProcStatus);
  }

  /** /proc/PID/smaps_rollup (Linux 4.14+): Rss, Pss, Anonymous, LazyFree… (bytes). Costlier for the kernel than status: it walks every mapping. */
  async readSmapsRollup(): Promise<ProcRead<SmapsRollup> | null> {
    return this.readParsed('smaps_rollup', parseSmapsRollup);
  }

  /**
   * starttime from /proc/PID/stat, in clock ticks since boot. Together with the pid it names a
   * process uniquely, so a caller can tell a restarted service (or a recycled pid) from the one
   * it attached to. Null also when the line has no starttime field.
   */
  async readStartTime(): Promise<ProcRead<number> | null> {
    const read = await this.readParsed('stat', parseProcStatStartTime);
    return read && read.parsed !== null ? { raw: read.raw, parsed: read.parsed } : null;
  }

  /** /proc/PID/cmdline as argv. Empty for zombies and kernel threads. */
  async readCmdline(): Promise<ProcRead<string[]> | null> {
    return this.readParsed('cmdline', parseCmdline);
  }

  /**
   * True while the pid exists and is not a zombie. Reads the one-line stat file rather than
   * checking that /proc/PID exists, because an exited but unreaped child keeps its directory.
   */
  async alive(): Promise<boolean> {
    const raw = await readRawFile(this.path('stat'));
    if (raw === null) return false;
    const state = statState(raw);
    return state !== null && !DEAD_STATES.has(state);
  }

  path(file: string): string {
    return join(this.root, String(this.pid), file);
  }

  private async readParsed<T>(file: string, parse: (raw: string) => T): Promise<ProcRead<T> | null> {
    const raw = await readRawFile(this.path(file));
    return raw === null ? null : { raw, parsed: parse(raw) };
  }
}

/**
 * The whole file as UTF-8, or null when it cannot be read for any file-system reason (ENOENT and
 * ESRCH once the process is gone, EACCES/EPERM for other users' processes or in containers).
 * procfs files report size 0; readFile reads them to EOF anyway.
 */
export async function readRawFile(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if (isFsError(e)) return null;
    throw e;
  }
}

/** Errors from the file system carry a string `code`; anything else is a bug and propagates. */
export function isFsError(e: unknown): e is NodeJS.ErrnoException {
  return typeof (e as NodeJS.ErrnoException | null)?.code === 'string';
}

/** Field 3 of /proc/PID/stat; comm (field 2) may contain `)` so look after the last one. */
function statState(stat: string): string | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  return /^\s+(\S)/.exec(stat.slice(close + 1))?.[1] ?? null;
}
