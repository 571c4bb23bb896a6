// Compact human formatting for status lines, tables and charts (pprof-style units: 1024-based
// B/kB/MB/GB, as `go tool pprof` prints them).

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** 512B, 900.0kB, 12.5MB, 278MB, 1.21GB: three significant digits at most. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  let u = 0;
  while (v >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${sign}${Math.round(v)}B`;
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${sign}${v.toFixed(digits)}${BYTE_UNITS[u]}`;
}

/** 950ms, 12s, 3m20s, 2h05m. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** 14:03:07 in local time. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((x) => String(x).padStart(2, '0')).join(':');
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return String(n);
}

/**
 * A count with its noun in the right number: "1 goroutine", "0 goroutines", "3 GC cycles". The
 * one helper for it, so no message says "1 goroutines". `many` for irregular plurals.
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${Math.abs(n) === 1 ? one : many}`;
}
