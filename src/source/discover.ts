/**
 * Finding Go services on this host (docs/formats.md#port-to-pid): which process listens on a loopback TCP port,
 * and which loopback listeners answer `GET /debug/pprof/` with the pprof index.
 *
 * Linux only: it reads /proc/net/tcp{,6} for listening sockets and /proc/PID/fd links
 * (`socket:[inode]`) to map a socket to its process. The /proc root is injectable for tests.
 * Nothing here ever talks to a non-loopback address.
 */
import { join } from 'node:path';
import { parseCmdline, parsePprofIndex } from './parse-index.js';
import { parseProcNetTcp } from './parse-proc.js';
import { DEFAULT_PROC_ROOT, readCmdline, readRawFile } from './proc.js';
import { holdersOfSockets, readNamespaces, unmapIPv4, type SocketScanStats } from './proc-sockets.js';
import { resolveServiceProcess, type Hop } from './process-identity.js';
import type { HttpClient } from './http.js';

export { socketInode, type SocketScanStats } from './proc-sockets.js';

export interface ListeningSocket {
  /** Dotted IPv4 or RFC 5952 IPv6 as printed by parseProcNetTcp (`127.0.0.1`, `::`, `::1`). */
  address: string;
  port: number;
  inode: number;
  family: 4 | 6;
}

export interface PprofTarget {
  /**
   * The process that serves the port, proven (process-identity.ts): behind a forwarder, the
   * service's pid, not the forwarder's. Null when it cannot be proven (why in `note`).
   */
  pid: number | null;
  port: number;
  /** `http://127.0.0.1:PORT/debug/pprof/`, or `http://[::1]:PORT/debug/pprof/` for an IPv6-only listener. */
  url: string;
  /** The service's command line (/proc/PID/cmdline, else its /debug/pprof/cmdline); null when neither can be read. */
  cmdline: string[] | null;
  profiles: Array<{ name: string; count: number }>;
  /** Forwarders between the port and the service, outermost first. */
  via: Hop[];
  /** Why no pid is given, in one line. */
  note: string | null;
}

const DEFAULT_PROBE_TIMEOUT_MS = 1_000;
/** Probes in flight at once: enough to finish a busy host in a few timeouts, few enough to be polite. */
const PROBE_CONCURRENCY = 8;
/** The index page is a few kB; a cap keeps a misidentified streaming endpoint from costing memory. */
const PROBE_MAX_BYTES = 1 << 20;

// ---------------------------------------------------------------------------------------------
// Sockets and their processes

/** LISTEN sockets from /proc/net/tcp and /proc/net/tcp6 (tcp6 is absent when IPv6 is disabled). */
export async function listListeningSockets(root: string = DEFAULT_PROC_ROOT): Promise<ListeningSocket[]> {
  const sockets: ListeningSocket[] = [];
  for (const family of [4, 6] as const) {
    const text = await readRawFile(join(root, 'net', family === 4 ? 'tcp' : 'tcp6'));
    if (text === null) continue;
    for (const s of parseProcNetTcp(text, family)) {
      // Inode 0: a socket being torn down, which no fd refers to any more.
      if (s.listening && s.inode !== 0) sockets.push({ address: s.address, port: s.port, inode: s.inode, family });
    }
  }
  return sockets;
}

/**
 * inode → pid for the given socket inodes, by reading `/proc/[0-9]*\/fd/*` links. Processes that
 * cannot be read are skipped quietly. Stops as soon as every inode is found. A socket shared by
 * several processes (inherited across fork) maps to the lowest pid, usually the parent.
 */
export async function pidsBySocketInode(
  inodes: Set<number>,
  root: string = DEFAULT_PROC_ROOT,
  stats?: SocketScanStats,
): Promise<Map<number, number>> {
  const holders = await holdersOfSockets(inodes, root, stats ? { stats } : {});
  return new Map([...holders].map(([inode, pids]) => [inode, pids[0]!]));
}

// ---------------------------------------------------------------------------------------------
// Loopback hosts and which listeners serve them

/**
 * A host, canonicalised: `localhost`, a dotted IPv4 address, or an IPv6 address without brackets
 * (RFC 5952). IPv4-mapped IPv6 (`::ffff:127.0.0.1`) becomes the IPv4 address. Null for anything
 * that is not an IP literal or `localhost` (other names would need DNS, which could say anything).
 */
function canonicalHost(host: string): string | null {
  let h = host.trim().toLowerCase().replace(/\.$/, '');
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost') return h;
  let hostname: string;
  try {
    // The WHATWG URL parser canonicalises IP literals the way undici will see them.
    hostname = new URL(`http://${h.includes(':') ? `[${h}]` : h}/`).hostname;
  } catch {
    return null;
  }
  if (hostname.startsWith('[')) return unmapIPv4(hostname.slice(1, -1));
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) ? hostname : null;
}

function isLoopbackIPv4(address: string): boolean {
  return address.startsWith('127.');
}

/** 127.0.0.0/8, ::1, `[::1]`, `localhost` (and IPv4-mapped 127/8). Names other than localhost are not. */
export function isLoopbackHost(host: string): boolean {
  const h = canonicalHost(host);
  return h !== null && (h === 'localhost' || h === '::1' || isLoopbackIPv4(h));
}

/**
 * How specifically a listener serves a connection to `target` (a canonical loopback IP):
 * 0 = not at all, 3 = bound to that address, 2 = wildcard of the same family, 1 = IPv6 `::`
 * taking IPv4 (dual-stack, e.g. Go's `":6060"`). The kernel delivers to the most specific one.
 */
function listenerRank(listener: ListeningSocket, target: string): number {
  const address = listener.family === 6 ? unmapIPv4(listener.address) : listener.address;
  if (address === target) return 3;
  const targetIsV4 = !target.includes(':');
  if (targetIsV4) {
    if (address === '0.0.0.0') return 2;
    return listener.family === 6 && address === '::' ? 1 : 0;
  }
  return listener.family === 6 && address === '::' ? 2 : 0;
}

/**
 * The pid listening on `host:port`, where host is a loopback host (127.0.0.1, localhost, ::1).
 * Listeners on the exact address, on 0.0.0.0 and on `::` all count; the most specific wins, as
 * in the kernel. Null for a non-loopback host, when nothing listens, or when the owner cannot be
 * seen (another user's process, another PID namespace).
 */
export async function findPidForPort(port: number, host: string, root: string = DEFAULT_PROC_ROOT): Promise<number | null> {
  const canonical = canonicalHost(host);
  if (canonical === null || !isLoopbackHost(canonical)) return null;
  const targets = canonical === 'localhost' ? ['127.0.0.1', '::1'] : [canonical];
  const ranked = (await listListeningSockets(root))
    .filter((s) => s.port === port)
    .map((s) => ({ inode: s.inode, rank: Math.max(...targets.map((t) => listenerRank(s, t))) }))
    .filter((c) => c.rank > 0);
  if (ranked.length === 0) return null;
  const best = Math.max(...ranked.map((c) => c.rank));
  const inodes = new Set(ranked.filter((c) => c.rank === best).map((c) => c.inode));
  // Only the most specific listener(s): reporting a less specific one's pid would name a
  // process that does not receive the connection.
  const pids = await pidsBySocketInode(inodes, root);
  for (const inode of inodes) {
    const pid = pids.get(inode);
    if (pid !== undefined) return pid;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Probing loopback listeners for the pprof index

/**
 * Hosts to reach a listener at, in URL form, or [] when it is not reachable over loopback.
 * `::` is tried over IPv4 first (dual-stack sockets take it), then over ::1 in case it is IPV6_V6ONLY.
 */
function probeHosts(s: ListeningSocket): string[] {
  const address = s.family === 6 ? unmapIPv4(s.address) : s.address;
  if (address.includes(':')) {
    if (address === '::1') return ['[::1]'];
    return address === '::' ? ['127.0.0.1', '[::1]'] : [];
  }
  if (address === '0.0.0.0') return ['127.0.0.1'];
  return isLoopbackIPv4(address) ? [address] : [];
}

function indexUrl(host: string, port: number): string {
  return `http://${host}:${port}/debug/pprof/`;
}

interface ProbeHit {
  socket: ListeningSocket;
  url: string;
  cmdline: string[] | null;
  profiles: Array<{ name: string; count: number }>;
}

/**
 * Loopback (and wildcard) TCP listeners on this host that serve the net/http/pprof index, with
 * their pid and command line. Each listener gets one `GET /debug/pprof/` (a `::` listener that
 * refuses IPv4 gets a second over ::1) with a short timeout (default 1 s), at most 8 at once, so
 * n silent listeners cost about n/8 timeouts. The URL uses the listener's own address when it is
 * bound to one (127.0.0.5 is not reachable at 127.0.0.1). Each hit is then traced to the process
 * that serves it (through forwarders). Only listeners of this network namespace are probed, so
 * only services this host can reach are listed. Sorted by port.
 */
export async function findPprofTargets(opts: { timeoutMs?: number; root?: string } = {}): Promise<PprofTarget[]> {
  const root = opts.root ?? DEFAULT_PROC_ROOT;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const candidates = uniqueBy(
    (await listListeningSockets(root)).map((socket) => ({ socket, hosts: probeHosts(socket) })).filter((c) => c.hosts.length > 0),
    (c) => `${c.hosts.join(',')}|${c.socket.port}`,
  );
  if (candidates.length === 0) return [];

  // Loaded here, not at the top: discovery by port alone should not pay for undici.
  const { HttpClient: Client } = await import('./http.js');
  const client = new Client({ timeoutMs, maxBytes: PROBE_MAX_BYTES });
  let hits: ProbeHit[];
  try {
    const results = await mapLimit(candidates, PROBE_CONCURRENCY, (c) => probeListener(client, c.socket, c.hosts));
    hits = uniqueBy(results.filter((r): r is ProbeHit => r !== null), (h) => h.url);
  } finally {
    await client.close();
  }

  // A listener is often a forwarder (docker-proxy, kubectl port-forward, ssh -L): list each hit
  // under the pid that really serves it, or under none with the reason. One at a time: each
  // opens a probe connection and reads /proc.
  const targets: PprofTarget[] = [];
  const namespaces = hits.length > 0 ? await readNamespaces(root) : undefined;
  for (const hit of hits) {
    const host = new URL(hit.url).hostname;
    const id = await resolveServiceProcess({ host, port: hit.socket.port, cmdline: hit.cmdline, startTime: null, procRoot: root, ...(namespaces ? { namespaces } : {}) });
    const cmdline = id.proven ? ((await readCmdline(id.pid, root)) ?? hit.cmdline) : hit.cmdline;
    targets.push({
      pid: id.pid,
      port: hit.socket.port,
      url: hit.url,
      cmdline,
      profiles: hit.profiles,
      via: id.forwarders,
      note: id.proven ? null : id.reason,
    });
  }
  return targets.sort((a, b) => a.port - b.port || a.url.localeCompare(b.url));
}

/** The first host that answers with a pprof index; a refused connection moves on to the next host. */
async function probeListener(client: HttpClient, socket: ListeningSocket, hosts: string[]): Promise<ProbeHit | null> {
  for (const host of hosts) {
    const url = indexUrl(host, socket.port);
    // Belt and braces: whatever a /proc file says, only loopback is ever contacted.
    if (!isLoopbackHost(host)) return null;
    try {
      const res = await client.get(url);
      const index = parsePprofIndex(new TextDecoder('utf-8').decode(res.bytes));
      if (!index.ok) return null;
      // The service's own command line: what proves which process is behind a forwarder.
      const cmdline = await client.get(`${url}cmdline`).then((r) => parseCmdline(r.bytes), () => null);
      return { socket, url, cmdline, profiles: index.value.map((e) => ({ name: e.name, count: e.count })) };
    } catch (e) {
      // Only "nobody at this address" is worth another host; a timeout or HTTP error is an answer.
      if ((e as { kind?: string }).kind !== 'refused') return null;
    }
  }
  return null;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
