import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Total bytes of the files under a directory (for "recorded … (3.2MB)"). */
export async function diskUsage(dir: string): Promise<{ size: number; files: number }> {
  let size = 0;
  let files = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const sub = await diskUsage(p);
      size += sub.size;
      files += sub.files;
    } else {
      size += (await stat(p)).size;
      files++;
    }
  }
  return { size, files };
}
