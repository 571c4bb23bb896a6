// Real kernel sandboxes for tests: a network namespace joined to the host by a veth pair, a PID
// namespace, a v1 memory cgroup with a limit, and the fixture target (and a TCP forwarder) run
// inside them. Needs root (tests ask requireTool for root, netns, pidns, memcg-v1). Every namespace, link and cgroup made here is removed by remove(),
// and, should a test die first, by an exit hook.
//
// Addresses come from 198.18.0.0/15 (RFC 2544, reserved for benchmark tests), one random /30 per
// sandbox, and exist only on the veth pair made here. Before any test sends a packet, the sandbox
// checks that the veth is up and that the kernel routes the address to it, so nothing can leave
// the machine.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildGoProgram, spawnTarget, stopChild, type Running } from './go-target.js';

const FORWARDER = fileURLToPath(new URL('../../fixtures/forwarder/forwarder.mjs', import.meta.url));
export const MEMCG_V1_ROOT = '/sys/fs/cgroup/memory';

// ---------------------------------------------------------------------------------------------
// Clean-up that also runs when a test worker dies

const cleanups = new Set<() => void>();
let hooked = false;
function onExit(fn: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const f of cleanups) {
        try {
          f();
        } catch {
          // best effort on the way out
        }
      }
    });
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
}

function quiet(cmd: string, args: string[]): void {
  try {
    sh(cmd, args);
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------------------------------------
// Network namespace + veth

export interface NetnsSandbox {
  name: string;
  hostIf: string;
  nsIf: string;
  /** The host end's address and the namespace end's (the "container's own address"). */
  hostIp: string;
  nsIp: string;
  remove(): void;
}

function routeDev(args: string[]): string | null {
  const out = JSON.parse(sh('ip', ['-j', ...args])) as Array<{ dev?: string }>;
  return out[0]?.dev ?? null;
}

function operstate(args: string[]): string | null {
  const out = JSON.parse(sh('ip', ['-j', ...args])) as Array<{ operstate?: string }>;
  return out[0]?.operstate ?? null;
}

/** Throws unless both veth ends are up and each side routes the other's address to its veth. */
export function assertRoutedLocally(s: NetnsSandbox): void {
  const host = operstate(['link', 'show', 'dev', s.hostIf]);
  const inner = operstate(['-n', s.name, 'link', 'show', 'dev', s.nsIf]);
  if (host !== 'UP' || inner !== 'UP') throw new Error(`veth ${s.hostIf}/${s.nsIf} is not up (${host}/${inner}): refusing to send`);
  const out = routeDev(['route', 'get', s.nsIp]);
  const back = routeDev(['-n', s.name, 'route', 'get', s.hostIp]);
  if (out !== s.hostIf || back !== s.nsIf) {
    throw new Error(`${s.nsIp} routes via ${out} (want ${s.hostIf}), ${s.hostIp} via ${back} (want ${s.nsIf}): refusing to send`);
  }
}

export async function createNetns(): Promise<NetnsSandbox> {
  const id = `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`.slice(-6);
  const a = 1 + Math.floor(Math.random() * 254);
  const b = 4 * Math.floor(Math.random() * 63);
  const s: NetnsSandbox = {
    name: `lpp-${id}`,
    hostIf: `lpph${id}`,
    nsIf: `lppn${id}`,
    hostIp: `198.18.${a}.${b + 1}`,
    nsIp: `198.18.${a}.${b + 2}`,
    remove: () => {
      quiet('ip', ['netns', 'del', s.name]);
      quiet('ip', ['link', 'del', s.hostIf]);
      forget();
    },
  };
  const forget = onExit(s.remove);
  try {
    // Nobody else may own this /30 already.
    if (routeDev(['route', 'get', s.nsIp])?.startsWith('lpp')) throw new Error(`${s.nsIp} is already routed to another sandbox`);
    sh('ip', ['netns', 'add', s.name]);
    sh('ip', ['link', 'add', s.hostIf, 'type', 'veth', 'peer', 'name', s.nsIf]);
    sh('ip', ['link', 'set', s.nsIf, 'netns', s.name]);
    sh('ip', ['addr', 'add', `${s.hostIp}/30`, 'dev', s.hostIf]);
    sh('ip', ['-n', s.name, 'addr', 'add', `${s.nsIp}/30`, 'dev', s.nsIf]);
    sh('ip', ['-n', s.name, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', s.name, 'link', 'set', s.nsIf, 'up']);
    sh('ip', ['link', 'set', s.hostIf, 'up']);
    // Carrier comes up asynchronously: wait for it (a readiness wait, not a timing assertion).
    for (let i = 0; ; i++) {
      try {
        assertRoutedLocally(s);
        break;
      } catch (e) {
        if (i >= 100) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (e) {
    s.remove();
    throw e;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// v1 memory cgroup

export interface MemoryCgroup {
  /** Path inside the hierarchy, as /proc/PID/cgroup shows it. */
  path: string;
  dir: string;
  read(file: string): string;
  remove(): void;
}

/** A v1 memory cgroup under `parent` (default the root) with this limit (null: none). */
export function createMemoryCgroup(limitBytes: number | null, parent: MemoryCgroup | null = null): MemoryCgroup {
  const name = `livepprof-test-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
  const path = `${parent ? parent.path : ''}/${name}`;
  const dir = `${MEMCG_V1_ROOT}${path}`;
  const cg: MemoryCgroup = {
    path,
    dir,
    read: (file) => readFileSync(`${dir}/${file}`, 'utf8'),
    remove: () => {
      for (const pid of readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean)) quiet('kill', ['-9', pid]);
      // rmdir fails while killed processes are still being torn down.
      for (let i = 0; i < 200; i++) {
        try {
          rmdirSync(dir);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
          execFileSync('sleep', ['0.05']);
        }
      }
      forget();
    },
  };
  const forget = onExit(() => {
    if (existsSync(dir)) cg.remove();
  });
  execFileSync('mkdir', [dir]);
  if (limitBytes !== null) writeFileSync(`${dir}/memory.limit_in_bytes`, String(limitBytes));
  return cg;
}

// ---------------------------------------------------------------------------------------------
// The fixture target as a container's process, and the forwarder

export interface Contained {
  /** The target's pid as the host sees it. */
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** Resolves when the target's process tree has exited (an OOM kill, or stop()). */
  readonly exited: Promise<void>;
  stderr(): string;
  stop(): Promise<void>;
}

export interface ContainOptions {
  netns?: NetnsSandbox;
  pidns?: boolean;
  cgroup?: MemoryCgroup;
  scenario?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Listen on this port (a restart keeps its port); default: any free one. */
  port?: number;
  /** Listen on this address (default: the namespace's veth address, else 127.0.0.1). */
  address?: string;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Starts the fixture target the way a container runtime would: in the cgroup first (a shell that
 * moves itself in, then execs), then in the network namespace (`ip netns exec`), then in a PID
 * namespace of its own (`unshare --pid --fork --mount-proc`, where it is pid 1).
 */
export async function startContained(opts: ContainOptions): Promise<Contained> {
  const bin = await buildGoProgram('target');
  const address = opts.address ?? (opts.netns ? opts.netns.nsIp : '127.0.0.1');
  const argv = [bin, '-addr', `${address}:${opts.port ?? 0}`, ...(opts.scenario ? ['-scenario', opts.scenario] : []), ...(opts.args ?? [])];
  const wrap = [
    ...(opts.netns ? ['ip', 'netns', 'exec', opts.netns.name] : []),
    ...(opts.pidns ? ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc'] : []),
  ];
  const script = opts.cgroup ? `echo $$ > '${opts.cgroup.dir}/cgroup.procs' && exec "$@"` : 'exec "$@"';
  const run: Running = await spawnTarget('sh', ['-c', script, 'sh', ...wrap, ...argv], { ...process.env, ...opts.env });
  const wrapper = run.child.pid!;
  const pid = opts.pidns ? childrenOf(wrapper)[0] : wrapper;
  if (pid === undefined) throw new Error('the target in its PID namespace has no host pid');
  const exited = new Promise<void>((resolve) => {
    if (run.child.exitCode !== null || run.child.signalCode !== null) resolve();
    else run.child.once('exit', () => resolve());
  });
  return {
    pid,
    host: run.host,
    port: run.port,
    url: `http://${run.host}:${run.port}`,
    exited,
    stderr: run.stderr,
    stop: async () => {
      if (opts.pidns) quiet('kill', ['-9', String(pid)]);
      await stopChild(run.child);
    },
  };
}

export interface Forwarder {
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

/** The TCP relay of fixtures/forwarder, listening on 127.0.0.1 and relaying to `to`. */
export async function startForwarder(to: { host: string; port: number }): Promise<Forwarder> {
  const run = await spawnTarget(process.execPath, [FORWARDER, '--listen', '127.0.0.1:0', '--to', `${to.host}:${to.port}`], process.env);
  return { pid: run.child.pid!, port: run.port, stop: () => stopChild(run.child) };
}

/** VmRSS of a pid, bytes, from /proc/PID/status. */
export function vmRss(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}
