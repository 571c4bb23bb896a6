/**
 * Reading /proc files for discovery. The root is injectable so tests can point it at a directory
 * of captured files laid out like /proc. A read never throws for file-system reasons (process
 * exited, file hidden by permissions or a container): it yields null, "no figure this time".
 * (A poll reads /proc through the Fetcher, source/fetcher.ts.)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCmdline } from './parse-index.js';

export const DEFAULT_PROC_ROOT = '/proc';

/** /proc/PID/cmdline as argv (empty for zombies and kernel threads); null when it cannot be read. */
export async function readCmdline(pid: number, root: string = DEFAULT_PROC_ROOT): Promise<string[] | null> {
  const raw = await readRawFile(join(root, String(pid), 'cmdline'));
  return raw === null ? null : parseCmdline(raw);
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
