// Writing profiles the user asked to save: mode 0600 (profiles reveal code and data shapes),
// never overwriting an existing file, in the current directory or else the temp directory.

import { open } from 'node:fs/promises';
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
