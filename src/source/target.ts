// What the user names as a target, turned into the URLs livepprof talks to: the pprof handler
// base (`…/debug/pprof/`) and the service's origin (for /metrics and /debug/vars).

import { LivepprofError } from '../errors.js';

export interface Target {
  /** As typed, for display. */
  input: string;
  /** Base of the pprof handlers, always ending in '/': http://127.0.0.1:6060/debug/pprof/ */
  pprofBase: string;
  /** http://127.0.0.1:6060 */
  origin: string;
  hostname: string;
  port: number;
  secure: boolean;
}

/** Names under the pprof base; a URL ending in one of them points at a profile, not the base. */
const PPROF_LEAVES = new Set([
  'heap',
  'allocs',
  'goroutine',
  'block',
  'mutex',
  'threadcreate',
  'profile',
  'trace',
  'cmdline',
  'symbol',
]);

export const DEFAULT_PPROF_PATH = '/debug/pprof/';

/**
 * Accepts `6060`, `:6060`, `host:port`, `http(s)://host:port`, a full `…/debug/pprof/` base, a
 * profile URL (`…/debug/pprof/heap`, whose base is used) or a custom prefix (`…/admin/pprof`).
 */
export function parseTarget(input: string): Target {
  const text = input.trim();
  if (text === '') throw new LivepprofError('usage', 'the target is empty; give host:port or a URL, e.g. 127.0.0.1:6060');
  let withScheme = text;
  if (/^\d{1,5}$/.test(text)) withScheme = `http://127.0.0.1:${text}`;
  else if (/^:\d{1,5}(\/.*)?$/.test(text)) withScheme = `http://127.0.0.1${text}`;
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) withScheme = `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new LivepprofError('usage', `cannot read target ${JSON.stringify(input)}: give host:port or a URL such as http://127.0.0.1:6060`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LivepprofError('usage', `target ${JSON.stringify(input)} must be http:// or https://`);
  }
  if (url.username || url.password) {
    // Not echoed: the point is to keep the password out of sight (argv is readable by every user).
    throw new LivepprofError(
      'usage',
      'the target URL carries a user name or password, which livepprof does not send (argv is visible to every user of the host): put "Authorization: Basic …" in a file and pass --header @FILE, or set LIVEPPROF_HEADERS',
    );
  }
  const secure = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  let path = url.pathname;
  if (path === '' || path === '/') path = DEFAULT_PPROF_PATH;
  else {
    const segments = path.replace(/\/+$/, '').split('/');
    const last = segments[segments.length - 1] ?? '';
    if (PPROF_LEAVES.has(last) && !path.endsWith('/')) segments.pop();
    path = segments.join('/') + '/';
  }
  const origin = `${url.protocol}//${url.host}`;
  return { input: text, pprofBase: origin + path, origin, hostname: url.hostname.replace(/^\[|\]$/g, ''), port, secure };
}

/** The origin's /metrics (Prometheus text), the usual place for process_resident_memory_bytes. */
export function defaultMetricsUrl(t: Target): string {
  return `${t.origin}/metrics`;
}

export function expvarUrl(t: Target): string {
  return `${t.origin}/debug/vars`;
}

/** Short form for headers and status lines: host:port plus the prefix when it is not the default. */
export function describeTarget(t: Target): string {
  const path = t.pprofBase.slice(t.origin.length);
  const host = new URL(t.origin).host;
  return path === DEFAULT_PPROF_PATH ? host : host + path.replace(/\/$/, '');
}
