// File-name cleanup pprof applies before reporting (report.trimPath, then filepath.Clean).

/** Drops the /proc/self/cwd prefixes that bazel-style builds leave in file names. */
export function trimPath(path: string): string {
  for (const prefix of ['/proc/self/cwd/./', '/proc/self/cwd/']) {
    if (path.startsWith(prefix)) return path.slice(prefix.length);
  }
  return path;
}

/** Go's path/filepath.Clean for slash-separated paths. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}
