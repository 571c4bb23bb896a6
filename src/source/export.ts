// Writing profiles the user asked to save: mode 0600 (profiles reveal code and data shapes),
// never overwriting an existing file, in the directory asked for (--export-dir, `:export DIR`),
// else the current directory or, when that is not writable, the temp directory.

import { mkdir, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LivepprofError, errorMessage } from '../errors.js';

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** `livepprof-127.0.0.1_6060-20261126-140307-heap.pb.gz` */
export function exportFileName(label: string, what: string, when = new Date()): string {
  return `livepprof-${label.replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp(when)}-${what}.pb.gz`;
}

async function writeNew(path: string, bytes: Uint8Array): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(bytes);
  } finally {
    await fh.close();
  }
}

/** Writes `bytes` as `name` in the first writable of `dirs`; returns the full path. */
export async function writeProfileFile(name: string, bytes: Uint8Array, dirs: string[] = [process.cwd(), tmpdir()]): Promise<string> {
  let lastError: unknown = null;
  for (const dir of dirs) {
    let path = resolve(join(dir, name));
    for (let n = 2; n < 100; n++) {
      try {
        await writeNew(path, bytes);
        return path;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') {
          path = resolve(join(dir, name.replace(/\.pb\.gz$/, `-${n}.pb.gz`)));
          continue;
        }
        lastError = e;
        break;
      }
    }
  }
  throw new LivepprofError('io', `cannot write ${name}: ${errorMessage(lastError)}`);
}

export interface ExportFile {
  /** What the file holds, the end of its name: heap, base, goroutine. */
  what: string;
  bytes: Uint8Array;
}

/**
 * Writes the files of one export, named alike (same target and time), into `dir` (created 0700
 * when missing), or else the current directory or the temp directory; returns their full paths.
 */
export async function writeExports(label: string, files: ExportFile[], dir?: string, when = new Date()): Promise<string[]> {
  if (dir !== undefined) {
    await mkdir(dir, { recursive: true, mode: 0o700 }).catch((e: unknown) => {
      throw new LivepprofError('io', `cannot create ${dir}: ${errorMessage(e)}`);
    });
  }
  const dirs = dir !== undefined ? [dir] : undefined;
  const paths: string[] = [];
  for (const f of files) paths.push(await writeProfileFile(exportFileName(label, f.what, when), f.bytes, dirs));
  return paths;
}
