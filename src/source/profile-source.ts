// Where `top` reads its profile from: a file, or a URL fetched once.

import { readFile, stat } from 'node:fs/promises';
import { LivepprofError, errorMessage } from '../errors.js';
import { decodeProfile, type DecodeLimits } from '../profile/decode.js';
import type { Profile } from '../profile/model.js';
import type { HttpClientOptions } from './http-options.js';

export function isUrl(arg: string): boolean {
  return /^https?:\/\//i.test(arg);
}

/** `host:port/path` without a scheme: what people paste from `go tool pprof` habits. */
export function looksLikeHostPort(arg: string): boolean {
  return /^(\[[0-9a-f:]+\]|[a-z0-9.-]+):\d{1,5}(\/.*)?$/i.test(arg);
}

export async function readProfileFile(path: string, limits: DecodeLimits = {}): Promise<Profile> {
  let bytes: Uint8Array;
  try {
    const st = await stat(path);
    if (st.isDirectory()) {
      throw new LivepprofError('usage', `${path} is a directory, not a profile file`);
    }
    bytes = await readFile(path);
  } catch (e) {
    if (e instanceof LivepprofError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LivepprofError('io', `no such file: ${path}`);
    if (code === 'EACCES') throw new LivepprofError('io', `permission denied reading ${path}`);
    throw new LivepprofError('io', `cannot read ${path}: ${errorMessage(e)}`);
  }
  try {
    return decodeProfile(bytes, limits);
  } catch (e) {
    if (e instanceof LivepprofError) throw new LivepprofError(e.kind, `${path}: ${e.message}`);
    throw e;
  }
}

/** A CPU profile (or any ?seconds=N delta) streams for N seconds: the deadline must outlast it. */
export function timeoutFor(url: string, timeoutMs: number): number {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return timeoutMs;
  }
  const seconds = Number(u.searchParams.get('seconds') ?? (u.pathname.endsWith('/profile') ? 30 : 0));
  return Number.isFinite(seconds) && seconds > 0 ? Math.max(timeoutMs, seconds * 1000 + timeoutMs) : timeoutMs;
}

export async function fetchProfile(url: string, opts: HttpClientOptions, limits: DecodeLimits = {}): Promise<Profile> {
  const { HttpClient } = await import('./http.js');
  const { DEFAULT_TIMEOUT_MS } = await import('./http-options.js');
  const client = new HttpClient({ ...opts, timeoutMs: timeoutFor(url, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
  try {
    const res = await client.get(url);
    try {
      return decodeProfile(res.bytes, limits);
    } catch (e) {
      if (e instanceof LivepprofError) throw new LivepprofError(e.kind, `${url}: ${e.message}`);
      throw e;
    }
  } finally {
    await client.close();
  }
}

/** A profile from a file path, a URL, or host:port/path. */
export async function loadProfile(arg: string, http: HttpClientOptions, limits: DecodeLimits = {}): Promise<Profile> {
  if (isUrl(arg)) return fetchProfile(arg, http, limits);
  try {
    return await readProfileFile(arg, limits);
  } catch (e) {
    if (e instanceof LivepprofError && e.kind === 'io' && e.message.startsWith('no such file') && looksLikeHostPort(arg)) {
      return fetchProfile(`http://${arg}`, http, limits);
    }
    throw e;
  }
}
