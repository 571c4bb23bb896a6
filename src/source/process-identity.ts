/**
 * Which process on this host serves the target (docs/formats.md#port-to-pid)? The pid behind a
 * port is often not the service: docker-proxy, `kubectl port-forward`, `ssh -L` or a sidecar
 * listen there and relay to the service in its own network namespace. Reading that pid's /proc
 * would show the forwarder's memory as the service's, so a pid counts only when proven:
 *
 *   1. open one TCP connection to the target (nothing is sent on it) and find, in every network
 *      namespace, the socket that accepted it (its local and remote ends mirror ours; through
 *      NAT, the conntrack entry says how);
 *   2. the process holding that socket is the service when its command line equals the target's
 *      own /debug/pprof/cmdline and, where /metrics has process_start_time_seconds, its start
 *      time is within 1 s;
 *   3. otherwise it is a forwarder: its connection onward, opened for ours, leads to the next
 *      socket (the one whose ends mirror it, in whatever namespace), and so on.
 *
 * Command lines cannot tell replicas apart, so they only confirm what the sockets say. When the
 * chain breaks (the backend is on another host, we are not root, we run in a container's PID
 * namespace) the answer is a one-line reason, and the caller must not read /proc.
 */
import { connect, type Socket } from 'node:net';
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import { parseCmdline } from './parse-index.js';
import { parseBootTime, parseConntrack, parseProcStatStartTime } from './parse-proc.js';
import { DEFAULT_PROC_ROOT, readRawFile } from './proc.js';
import {
  TCP_ESTABLISHED,
  holdersOfSockets,
  readNamespaces,
  readSocketTables,
  socketInodesOf,
  unmapIPv4,
  type Namespaces,
  type NsSocket,
  type SocketScanStats,
} from './proc-sockets.js';

export interface Hop {
  pid: number;
  /** /proc/PID/comm (`docker-proxy`, `kubectl`, `ssh`), null when unreadable. */
  name: string | null;
}

export type ServiceIdentity =
  | {
      proven: true;
      pid: number;
      /**
       * `listener`: the pid accepted our connection itself; `forwarder`: reached through relays;
       * `namespace`: in another network namespace; `given`: the user's --pid, taken as is.
       */
      how: 'listener' | 'forwarder' | 'namespace' | 'given';
      forwarders: Hop[];
      /** What was checked, for the record (`cmdline equals /debug/pprof/cmdline`). */
      checks: string[];
      /** One line: how the pid was found. */
      summary: string;
    }
  | {
      proven: false;
      pid: null;
      forwarders: Hop[];
      /** One line: why no process could be proven (`port 6060 is served by docker-proxy (pid 812); …`). */
      reason: string;
    };

export interface IdentityInput {
  /** The target's host as connected to (IP literal or name) and port. */
  host: string;
  port: number;
  /** The target's /debug/pprof/cmdline; null when it serves none. */
  cmdline: string[] | null;
  /** process_start_time_seconds from the target's /metrics. */
  startTime: number | null;
  procRoot?: string;
  /** Namespaces already read (the picker resolves several targets in a row). */
  namespaces?: Namespaces;
  /** How many times the socket tables are re-read while the connection settles (default 40, 25 ms apart). */
  attempts?: number;
}

/** Relays followed at most (docker-proxy → sidecar → service is two). */
const MAX_HOPS = 4;
const RETRY_MS = 25;
const DEFAULT_ATTEMPTS = 40;
const CONNECT_TIMEOUT_MS = 3_000;
/** USER_HZ: /proc/PID/stat counts start time in these ticks on every Linux architecture. */
const CLOCK_TICKS = 100;
/** The start times must agree this closely (process_start_time_seconds has 10 ms resolution). */
const START_TIME_TOLERANCE_S = 1;

interface Probe {
  socket: Socket;
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
}

/** One TCP connection to the target, nothing sent: it exists only so its far end can be found. */
function openProbe(host: string, port: number): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: host.replace(/^\[|\]$/g, ''), port });
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      resolve({
        socket,
        local: normalizeIp(socket.localAddress ?? ''),
        localPort: socket.localPort ?? 0,
        remote: normalizeIp(socket.remoteAddress ?? ''),
        remotePort: socket.remotePort ?? port,
      });
    });
  });
}

/** IPv6 in RFC 5952 form, IPv4-mapped as IPv4, so /proc, conntrack and node agree. */
export function normalizeIp(address: string): string {
  if (!address.includes(':')) return address;
  try {
    return unmapIPv4(new URL(`http://[${address}]/`).hostname.slice(1, -1));
  } catch {
    return address;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Step = { done: ServiceIdentity } | { retry: ServiceIdentity };

/** Resolves the target to the pid that serves it, or says why it cannot. Never throws for /proc trouble. */
export async function resolveServiceProcess(input: IdentityInput): Promise<ServiceIdentity> {
  const root = input.procRoot ?? DEFAULT_PROC_ROOT;
  const ns = input.namespaces ?? (await readNamespaces(root));
  const before = new Set((await readSocketTables(root, ns)).map((s) => s.inode));
  let probe: Probe;
  try {
    probe = await openProbe(input.host, input.port);
  } catch (e) {
    return unproven([], `cannot connect to ${input.host}:${input.port} to find the process behind it (${errorMessage(e)})`);
  }
  const walker = new Walker(input, root, ns, before, probe);
  try {
    let step: Step = { retry: unproven([], 'not looked yet') };
    for (let i = 0; i < (input.attempts ?? DEFAULT_ATTEMPTS); i++) {
      if (i > 0) await sleep(RETRY_MS);
      step = await walker.walk(await readSocketTables(root, ns));
      if ('done' in step) return step.done;
    }
    return step.retry;
  } finally {
    probe.socket.destroy();
  }
}

function unproven(forwarders: Hop[], reason: string): ServiceIdentity {
  return { proven: false, pid: null, forwarders, reason };
}

function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function describeHop(h: Hop): string {
  return `${h.name ?? 'a process'} (pid ${h.pid})`;
}

class Walker {
  private readonly stats: SocketScanStats = { processes: 0, unreadable: 0, fds: 0 };
  private bootTime: number | null | undefined;

  constructor(
    private readonly input: IdentityInput,
    private readonly root: string,
    private readonly ns: Namespaces,
    private readonly before: Set<number>,
    private readonly probe: Probe,
  ) {}

  async walk(table: NsSocket[]): Promise<Step> {
    const p = this.probe;
    const target = endpoint(p.remote, p.remotePort);
    let sock = this.mirrorOf(table, { local: p.local, localPort: p.localPort, remote: p.remote, remotePort: p.remotePort }, this.ns.own);
    sock ??= await this.throughNat(table, p, join(this.root, 'self'));
    if (!sock) return { retry: unproven([], this.notFoundReason(target)) };
    const forwarders: Hop[] = [];
    for (let hop = 0; hop <= MAX_HOPS; hop++) {
      if (sock.inode === 0) return { retry: unproven(forwarders, `the connection to ${target} is not accepted yet`) };
      const holders = await this.holders(sock);
      if (holders.length === 0) return { retry: unproven(forwarders, this.invisibleReason(sock, forwarders)) };
      const mismatches: string[] = [];
      for (const pid of holders) {
        const checks = await this.serviceChecks(pid, table, sock, mismatches);
        if (checks) return { done: this.proven(pid, sock, forwarders, checks) };
      }
      // Not the service: a relay. Its connection onward, opened for ours, is the next hop.
      const relay = await this.onward(holders, table, sock);
      const hop: Hop = { pid: relay?.pid ?? holders[0]!, name: await this.comm(relay?.pid ?? holders[0]!) };
      forwarders.push(hop);
      const served = `port ${this.input.port} is served by ${forwarders.map(describeHop).join(' → ')}`;
      const notFound = 'the Go service was not found on this host';
      if (!relay || relay.ambiguous) {
        const why = relay?.ambiguous
          ? `relaying to ${relay.ambiguous.join(', ')}: which of them serves this connection cannot be told`
          : `${mismatches.length > 0 ? `${mismatches[0]}, and it ` : 'it '}holds no connection onward that this host can see`;
        return { retry: unproven(forwarders, `${served} (${why}); ${notFound}`) };
      }
      const out = relay.socket;
      const next =
        this.mirrorOf(table, { local: out.local, localPort: out.localPort, remote: out.remote, remotePort: out.remotePort }, out.netns) ??
        (await this.throughNat(table, out, join(this.root, String(relay.pid))));
      if (!next) {
        return { retry: unproven(forwarders, `${served} (relaying to ${endpoint(out.remote, out.remotePort)}); ${notFound}`) };
      }
      sock = next;
    }
    return { done: unproven(forwarders, `port ${this.input.port} leads through more than ${MAX_HOPS} relays; gave up following them`) };
  }

  /**
   * The socket that is the other end of `ours`: its local end is our remote end and vice versa.
   * A loopback address names a socket in the same namespace only.
   */
  private mirrorOf(table: NsSocket[], ours: { local: string; localPort: number; remote: string; remotePort: number }, ownNs: number | null): NsSocket | null {
    const loopback = ours.remote.startsWith('127.') || ours.remote === '::1';
    const found = table.filter(
      (s) =>
        s.state === TCP_ESTABLISHED &&
        s.localPort === ours.remotePort &&
        s.remotePort === ours.localPort &&
        s.local === ours.remote &&
        s.remote === ours.local &&
        (!loopback || s.netns === ownNs),
    );
    // The same addresses in two namespaces (two private networks numbered alike): not proof.
    return found.length === 1 ? found[0]! : null;
  }

  /** Through DNAT the far end has another address: the connection-tracking entry tells which. */
  private async throughNat(
    table: NsSocket[],
    ours: { local: string; localPort: number; remote: string; remotePort: number },
    procDir: string,
  ): Promise<NsSocket | null> {
    const text = await readRawFile(join(procDir, 'net', 'nf_conntrack'));
    if (text === null) return null;
    const entry = parseConntrack(text).find(
      (e) =>
        normalizeIp(e.original.src) === ours.local &&
        e.original.sport === ours.localPort &&
        normalizeIp(e.original.dst) === ours.remote &&
        e.original.dport === ours.remotePort,
    );
    if (!entry) return null;
    const r = entry.reply;
    const found = table.filter(
      (s) => s.state === TCP_ESTABLISHED && s.local === normalizeIp(r.src) && s.localPort === r.sport && s.remote === normalizeIp(r.dst) && s.remotePort === r.dport,
    );
    return found.length === 1 ? found[0]! : null;
  }

  private async holders(sock: NsSocket): Promise<number[]> {
    const pids = this.ns.members.get(sock.netns) ?? [];
    const found = await holdersOfSockets(new Set([sock.inode]), this.root, { pids, stats: this.stats, all: true });
    return found.get(sock.inode) ?? [];
  }

  /** The checks that make `pid` the service, or null (with why in `mismatches`). */
  private async serviceChecks(pid: number, table: NsSocket[], accepted: NsSocket, mismatches: string[]): Promise<string[] | null> {
    const checks: string[] = [];
    const want = this.input.cmdline;
    if (want) {
      const raw = await readRawFile(join(this.root, String(pid), 'cmdline'));
      const have = raw === null ? null : parseCmdline(raw);
      if (!have || have.join('\0') !== want.join('\0')) {
        mismatches.push(have ? `its command line is not the service's` : `its command line cannot be read`);
        return null;
      }
      checks.push('command line equals /debug/pprof/cmdline');
      const exe = await readlink(join(this.root, String(pid), 'exe')).catch(() => null);
      if (exe !== null && want[0] && basename(exe.replace(/ \(deleted\)$/, '')) === basename(want[0])) checks.push('executable matches');
    } else if ((await this.onwardSockets([pid], table, accepted)).some((s) => !this.before.has(s.inode))) {
      // No command line to compare: a process that opened a connection onward for ours relays it.
      mismatches.push('it opened a connection onward for ours');
      return null;
    } else {
      checks.push('no /debug/pprof/cmdline to compare: the socket alone says so');
    }
    if (this.input.startTime !== null) {
      const started = await this.startTimeOf(pid);
      if (started === null) checks.push('start time not readable');
      else if (Math.abs(started - this.input.startTime) > START_TIME_TOLERANCE_S) {
        mismatches.push(`its start time differs from process_start_time_seconds by ${Math.abs(started - this.input.startTime).toFixed(1)} s`);
        return null;
      } else checks.push('start time equals process_start_time_seconds (within 1 s)');
    }
    return checks;
  }

  private proven(pid: number, sock: NsSocket, forwarders: Hop[], checks: string[]): ServiceIdentity {
    const how = forwarders.length > 0 ? 'forwarder' : sock.netns !== this.ns.own ? 'namespace' : 'listener';
    const path = [
      ...forwarders.map((f) => `through ${describeHop(f)}`),
      ...(sock.netns !== this.ns.own ? [`in network namespace ${sock.netns}`] : []),
    ];
    const summary = `pid ${pid} serves port ${this.input.port}${path.length ? ` (${path.join(', ')})` : ''}: ${checks.join('; ')}`;
    return { proven: true, pid, how, forwarders, checks, summary };
  }

  /** Established sockets a holder has besides the accepted one and its siblings (other clients on the same port). */
  private async onwardSockets(pids: number[], table: NsSocket[], accepted: NsSocket): Promise<NsSocket[]> {
    const inodes = new Set((await Promise.all(pids.map((p) => socketInodesOf(p, this.root)))).flat());
    return table.filter(
      (s) =>
        inodes.has(s.inode) &&
        s.state === TCP_ESTABLISHED &&
        s.localPort !== accepted.localPort &&
        // A client of this very listener in the same process (our own probe, when we serve it) is no relay.
        !(s.remotePort === accepted.localPort && s.remote === accepted.local),
    );
  }

  /**
   * The connection a relay opened for ours: the one new since before we connected, or the only
   * backend it talks to (a relay that keeps one long-lived connection, like kubectl's).
   */
  private async onward(
    holders: number[],
    table: NsSocket[],
    accepted: NsSocket,
  ): Promise<{ pid: number; socket: NsSocket; ambiguous?: undefined } | { pid: number; ambiguous: string[] } | null> {
    for (const pid of holders) {
      const out = await this.onwardSockets([pid], table, accepted);
      if (out.length === 0) continue;
      const fresh = out.filter((s) => !this.before.has(s.inode));
      const pool = fresh.length > 0 ? fresh : out;
      const backends = [...new Set(pool.map((s) => endpoint(s.remote, s.remotePort)))];
      if (backends.length === 1) return { pid, socket: pool[pool.length - 1]! };
      return { pid, ambiguous: backends.slice(0, 3) };
    }
    return null;
  }

  private async comm(pid: number): Promise<string | null> {
    return (await readRawFile(join(this.root, String(pid), 'comm')))?.trim() || null;
  }

  private async startTimeOf(pid: number): Promise<number | null> {
    if (this.bootTime === undefined) {
      const stat = await readRawFile(join(this.root, 'stat'));
      this.bootTime = stat === null ? null : parseBootTime(stat);
    }
    const raw = await readRawFile(join(this.root, String(pid), 'stat'));
    const ticks = raw === null ? null : parseProcStatStartTime(raw);
    return ticks === null || this.bootTime === null ? null : this.bootTime + ticks / CLOCK_TICKS;
  }

  private notFoundReason(target: string): string {
    const limits = this.visibilityLimits();
    const loopback = this.probe.remote.startsWith('127.') || this.probe.remote === '::1';
    if (!loopback && limits.length === 0) return `${target} is not served from this host`;
    return `no socket in the network namespaces this livepprof can see accepted its connection to ${target}${limits.length ? ` (${limits.join('; ')})` : ''}`;
  }

  private invisibleReason(sock: NsSocket, forwarders: Hop[]): string {
    const where = forwarders.length > 0 ? `the process behind ${describeHop(forwarders[forwarders.length - 1]!)}` : `the process holding port ${this.input.port}`;
    const limits = this.visibilityLimits();
    if (limits.length > 0) return `cannot see ${where}: ${limits.join('; ')}`;
    return `${where} (socket ${sock.inode}) exited while being looked for`;
  }

  /** What keeps this livepprof from seeing every process: a container's PID namespace, or not being root. */
  private visibilityLimits(): string[] {
    const out: string[] = [];
    if (this.ns.initialPidNamespace === false) out.push('livepprof runs in a PID namespace of its own (a container) and sees only its processes');
    const unreadable = this.ns.unreadable + this.stats.unreadable;
    if (unreadable > 0 && process.getuid?.() !== 0) out.push(`not root: ${unreadable} processes of other users cannot be inspected`);
    return out;
  }
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
