/**
 * TCP sockets across network namespaces, and the processes holding them (Linux /proc;
 * docs/formats.md#port-to-pid).
 *
 * /proc/net/tcp shows only the reader's network namespace; /proc/PID/net/tcp shows PID's. So the
 * pids are grouped by their /proc/PID/ns/net link (`net:[4026531992]`), each namespace's tables
 * are read once through one of its pids, and a socket inode is mapped to its pids by reading the
 * `socket:[inode]` links in /proc/PID/fd of that namespace's pids only. The /proc root is
 * injectable for tests.
 */
import { readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseProcNetTcp } from './parse-proc.js';
import { isFsError, readRawFile } from './proc.js';

/** Counters filled in by the scans, for diagnostics ("could not inspect 37 processes"). */
export interface SocketScanStats {
  /** Processes whose fd directory was listed. */
  processes: number;
  /** Processes skipped because their fd directory could not be read (permissions, exited). */
  unreadable: number;
  /** fd links read. */
  fds: number;
}

/** Processes whose fd tables are read at once; each is a readdir plus one readlink per fd. */
const SCAN_CONCURRENCY = 16;

export const TCP_ESTABLISHED = 0x01;
export const TCP_LISTEN = 0x0a;

/** Numeric entries of the /proc root (thread-group leaders), ascending. */
export async function listPids(root: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch (e) {
    if (isFsError(e)) return [];
    throw e;
  }
  return names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
}

/** `socket:[30869]` → 30869; any other link target (file, pipe, anon_inode) → null. */
export function socketInode(link: string): number | null {
  const m = /^socket:\[(\d{1,15})\]$/.exec(link);
  return m ? Number(m[1]) : null;
}

/** Socket inodes among a process's open fds; empty when its fd directory is unreadable. */
export async function socketInodesOf(pid: number, root: string, stats?: SocketScanStats): Promise<number[]> {
  const fdDir = join(root, String(pid), 'fd');
  let fds: string[];
  try {
    fds = await readdir(fdDir);
  } catch (e) {
    if (!isFsError(e)) throw e;
    if (stats) stats.unreadable++;
    return [];
  }
  if (stats) {
    stats.processes++;
    stats.fds += fds.length;
  }
  const links = await Promise.all(fds.map((fd) => readlink(join(fdDir, fd)).catch(() => null)));
  const inodes: number[] = [];
  for (const link of links) {
    const inode = link === null ? null : socketInode(link);
    if (inode !== null) inodes.push(inode);
  }
  return inodes;
}

/**
 * inode → pids holding it, for the given inodes, by reading the fd links of `pids` (all of /proc
 * when omitted). Processes that cannot be read are skipped and counted in `stats`. Stops as soon
 * as every inode has a holder, unless `all` (a socket inherited across fork has several).
 */
export async function holdersOfSockets(
  inodes: Set<number>,
  root: string,
  opts: { pids?: readonly number[]; stats?: SocketScanStats; all?: boolean } = {},
): Promise<Map<number, number[]>> {
  const found = new Map<number, number[]>();
  if (inodes.size === 0) return found;
  const pids = opts.pids ?? (await listPids(root));
  for (let i = 0; i < pids.length && (opts.all || found.size < inodes.size); i += SCAN_CONCURRENCY) {
    const batch = pids.slice(i, i + SCAN_CONCURRENCY);
    const socketsPerPid = await Promise.all(batch.map((pid) => socketInodesOf(pid, root, opts.stats)));
    batch.forEach((pid, j) => {
      for (const inode of socketsPerPid[j]!) {
        if (!inodes.has(inode)) continue;
        const list = found.get(inode);
        if (list) list.push(pid);
        else found.set(inode, [pid]);
      }
    });
  }
  return found;
}

/**
 * IPv4-mapped IPv6 → IPv4: `::ffff:127.0.0.1` (as parseProcNetTcp prints it) or `::ffff:7f00:1`
 * (as URL prints it) → `127.0.0.1`; other addresses unchanged.
 */
export function unmapIPv4(address: string): string {
  const dotted = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (dotted) return dotted[1]!;
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!m) return address;
  const hi = parseInt(m[1]!, 16);
  const lo = parseInt(m[2]!, 16);
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}

// ---------------------------------------------------------------------------------------------
// Network namespaces

/** `net:[4026531992]` → 4026531992. */
export function namespaceInode(link: string): number | null {
  const m = /^[a-z_]+:\[(\d{1,15})\]$/.exec(link);
  return m ? Number(m[1]) : null;
}

/** The initial PID namespace's fixed inode (PROC_PID_INIT_INO): any other means we run in a container's. */
export const INITIAL_PID_NAMESPACE = 0xeffffffc;

export interface Namespaces {
  /** Our own network namespace (null if even that cannot be read). */
  own: number | null;
  /** Network namespace → its pids, ascending. */
  members: Map<number, number[]>;
  /** Pids whose namespace link could not be read (another user's process without root). */
  unreadable: number;
  /** Pids seen in /proc. */
  total: number;
  /** We run in the host's PID namespace (/proc shows every process of the host). */
  initialPidNamespace: boolean | null;
}

/** Every process's network namespace, read once (a readlink per pid). */
export async function readNamespaces(root: string): Promise<Namespaces> {
  const pids = await listPids(root);
  const links = await Promise.all(pids.map((pid) => readlink(join(root, String(pid), 'ns', 'net')).catch(() => null)));
  const members = new Map<number, number[]>();
  let unreadable = 0;
  pids.forEach((pid, i) => {
    const ns = links[i] === null ? null : namespaceInode(links[i]!);
    if (ns === null) {
      unreadable++;
      return;
    }
    const list = members.get(ns);
    if (list) list.push(pid);
    else members.set(ns, [pid]);
  });
  const own = await readlink(join(root, 'self', 'ns', 'net')).then(namespaceInode, () => null);
  const pidNs = await readlink(join(root, 'self', 'ns', 'pid')).then(namespaceInode, () => null);
  return { own, members, unreadable, total: pids.length, initialPidNamespace: pidNs === null ? null : pidNs === INITIAL_PID_NAMESPACE };
}

/** One TCP socket with the namespace it lives in; addresses with IPv4-mapped IPv6 unmapped. */
export interface NsSocket {
  netns: number;
  family: 4 | 6;
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  state: number;
  inode: number;
}

/**
 * TCP sockets of every namespace, each read through its lowest pid (our own through
 * /proc/self, which also covers a namespace whose processes we cannot see).
 */
export async function readSocketTables(root: string, ns: Namespaces): Promise<NsSocket[]> {
  const sources: Array<{ netns: number; dir: string }> = [];
  for (const [netns, pids] of ns.members) if (netns !== ns.own) sources.push({ netns, dir: join(root, String(pids[0]!), 'net') });
  if (ns.own !== null) sources.push({ netns: ns.own, dir: join(root, 'self', 'net') });
  const tables = await Promise.all(
    sources.map(async ({ netns, dir }) => {
      const out: NsSocket[] = [];
      for (const family of [4, 6] as const) {
        const text = await readRawFile(join(dir, family === 4 ? 'tcp' : 'tcp6'));
        if (text === null) continue;
        for (const s of parseProcNetTcp(text, family)) {
          out.push({
            netns,
            family,
            local: unmapIPv4(s.address),
            localPort: s.port,
            remote: unmapIPv4(s.remoteAddress),
            remotePort: s.remotePort,
            state: s.state,
            inode: s.inode,
          });
        }
      }
      return out;
    }),
  );
  return tables.flat();
}
