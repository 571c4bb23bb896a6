// The Go runtime's knobs as a process's environment sets them (GOGC, GOMEMLIMIT, GODEBUG), and
// the host's available memory. Pure parsers over the bytes the fetcher reads.

export interface GoEnv {
  /** GOGC percent; -1 for "off"; null when unset or unreadable (the runtime's default is 100). */
  gogc: number | null;
  /** GOMEMLIMIT in bytes; null when unset or "off". */
  memoryLimit: number | null;
  /** Was GOMEMLIMIT set at all (set to "off" counts)? */
  memoryLimitSet: boolean;
  godebug: string | null;
}

const UNITS: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };

/** GOMEMLIMIT's syntax (runtime.parseByteCount): digits with an optional B/KiB/MiB/GiB/TiB suffix. */
export function parseByteCount(s: string): number | null {
  const m = /^(\d+)(B|KiB|MiB|GiB|TiB)?$/.exec(s.trim());
  if (!m) return null;
  const v = Number(m[1]) * UNITS[m[2] ?? 'B']!;
  return Number.isFinite(v) ? v : null;
}

/** NUL-separated KEY=VALUE pairs (as /proc/PID/environ, filtered to the Go keys). */
export function parseGoEnv(text: string): GoEnv {
  const env = new Map<string, string>();
  for (const kv of text.split('\0')) {
    const eq = kv.indexOf('=');
    if (eq > 0) env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  const gogcText = env.get('GOGC');
  let gogc: number | null = null;
  if (gogcText !== undefined) {
    // The runtime reads "off" as -1 and an unparsable value as the default.
    if (gogcText === 'off') gogc = -1;
    else if (/^-?\d+$/.test(gogcText)) gogc = Number(gogcText);
  }
  const limitText = env.get('GOMEMLIMIT');
  const memoryLimit = limitText === undefined || limitText === 'off' ? null : parseByteCount(limitText);
  return { gogc, memoryLimit, memoryLimitSet: limitText !== undefined, godebug: env.get('GODEBUG') ?? null };
}

/** MemAvailable of /proc/meminfo in bytes, or null. */
export function parseMemAvailable(text: string): number | null {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}
