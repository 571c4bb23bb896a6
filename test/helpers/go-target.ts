// Builds and runs the Go fixture programs in fixtures/ (target, bigheap)
// for tests. Binaries are cached in os.tmpdir() keyed by a hash of their
// sources, so parallel vitest workers build each version at most once.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GO_1_26, goCommandEnv, proxyToolchain, type GoRuntime } from './go-runtimes.js';

/** A directory under fixtures/ with a main package. */
export type GoProgram = 'target' | 'bigheap' | 'goroutineleak' | 'profile-rewrite' | `metrics-dialects/${string}`;

/** Build settings a program needs beyond the defaults (part of its cache key). */
const BUILD_ENV: Partial<Record<GoProgram, Record<string, string>>> = {
  // Go 1.26 serves /debug/pprof/goroutineleak only when built with this experiment.
  goroutineleak: { GOEXPERIMENT: 'goroutineleakprofile' },
};

export interface TargetOptions {
  /** Build with this Go release instead of the one on PATH (e.g. 'go1.21.0', through GOTOOLCHAIN). */
  toolchain?: string;
  /** Build with this go command instead of `go` on PATH (e.g. /usr/lib/go-1.19/bin/go: before 1.21 there is no GOTOOLCHAIN). */
  go?: string;
  /** Build with this Go of the runtime matrix (test/helpers/go-runtimes.ts). */
  runtime?: GoRuntime;
  /** -scenario: steady (default), heap-leak, goroutine-leak, burst-free, non-go */
  scenario?: string;
  /** extra flags, e.g. ['-rate', '8', '-contention'] */
  args?: string[];
  /** added to process.env, e.g. { GODEBUG: 'madvdontneed=0' } */
  env?: Record<string, string>;
}

export interface Target {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** pid of the current process (changes after restart()) */
  readonly pid: number;
  /** stderr collected so far (last 64 KiB), for failure messages */
  stderr(): string;
  stop(): Promise<void>;
  /** Kill the process and start it again with the same flags on the same port. */
  restart(): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 2_000;
const STDERR_KEEP = 64 * 1024;

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number }) {
  return new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(cmd, args, { ...opts, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

function goEnv(rt: GoRuntime): NodeJS.ProcessEnv {
  // Pure-Go build: no C toolchain needed; GOWORK=off so a go.work elsewhere
  // cannot interfere; -buildvcs=false (below) so git state never matters;
  // GOPROXY=off but for a proxy toolchain: modules come from the cache setup filled.
  const env = goCommandEnv(rt);
  // `go` refuses to build without a cache dir; CI sandboxes sometimes have no HOME.
  if (!env.GOCACHE && !env.HOME && !env.XDG_CACHE_HOME) {
    env.GOCACHE = path.join(os.tmpdir(), 'livepprof-gocache');
  }
  return env;
}

const goVersions = new Map<string, Promise<string>>();
const builds = new Map<string, Promise<string>>();

/** The Go to build with: a runtime of the matrix, a proxy toolchain, a go command, else Go 1.26. */
function runtimeOf(go: GoRuntime | string | undefined, cmd: string | undefined): GoRuntime {
  if (typeof go === 'object') return go;
  if (go) return cmd ? { ...proxyToolchain(go), cmd } : proxyToolchain(go);
  return cmd ? { name: cmd, cmd, env: {} } : GO_1_26;
}

/**
 * Builds fixtures/<name> (once per source hash and Go version) and returns the binary path:
 * os.tmpdir()/livepprof-go-<name>-<hash>/<name>. `go` is a Go of the runtime matrix (default:
 * the machine's) or a release (e.g. 'go1.21.0') the go command fetches through the module proxy
 * (GOTOOLCHAIN); `cmd` is the go command to run, e.g. an installed Go 1.19.
 */
export function buildGoProgram(name: GoProgram, go?: GoRuntime | string, cmd?: string): Promise<string> {
  const rt = runtimeOf(go, cmd);
  const id = `${name}@${rt.name}@${rt.cmd}`;
  let p = builds.get(id);
  if (!p) {
    p = buildOnce(name, rt);
    builds.set(id, p);
    p.catch(() => builds.delete(id)); // let a later call retry
  }
  return p;
}

async function buildOnce(program: GoProgram, rt: GoRuntime): Promise<string> {
  const srcDir = path.join(repoRoot, 'fixtures', program);
  const name = path.basename(program);
  const env = { ...goEnv(rt), ...BUILD_ENV[program] };
  const versionKey = `${rt.name}@${rt.cmd}`;
  let goVersion = goVersions.get(versionKey);
  if (!goVersion) goVersions.set(versionKey, (goVersion = run(rt.cmd, ['env', 'GOVERSION'], { env, timeout: 300_000 }).then((r) => r.stdout.trim())));
  const hash = createHash('sha256');
  hash.update(`${await goVersion}\0${JSON.stringify(BUILD_ENV[program] ?? {})}\0`);
  const files = (await fsp.readdir(srcDir)).filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum').sort();
  for (const f of files) {
    hash.update(`${f}\0`);
    hash.update(await fsp.readFile(path.join(srcDir, f)));
    hash.update('\0');
  }
  const dir = path.join(os.tmpdir(), `livepprof-go-${name}-${hash.digest('hex').slice(0, 16)}`);
  const bin = path.join(dir, name);
  try {
    await fsp.access(bin, fsp.constants.X_OK);
    return bin;
  } catch {
    // not built yet
  }
  await fsp.mkdir(dir, { recursive: true });
  // Build to a private name and rename: rename is atomic, so a concurrent
  // worker sees either no binary or a complete one.
  const tmp = path.join(dir, `${name}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await run(rt.cmd, ['build', '-trimpath', '-buildvcs=false', '-o', tmp, '.'], { cwd: srcDir, env, timeout: 300_000 });
    await fsp.rename(tmp, bin);
  } finally {
    await fsp.rm(tmp, { force: true });
  }
  return bin;
}

// Every process we started, killed when this (worker) process exits.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

export function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await done;
  clearTimeout(timer);
}

export interface Running {
  child: ChildProcess;
  /** The address from the "listening on HOST:PORT" line. */
  host: string;
  port: number;
  stderr: () => string;
}

/** Spawns `bin args` and waits for its "listening on HOST:PORT" line (the target's and the forwarder's). */
export function spawnTarget(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    let err = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      err = (err + d).slice(-STDERR_KEEP);
    });
    const stderr = () => err;
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`target ${args.join(' ')}: ${why}\n--- stderr ---\n${err}`));
    };
    const timer = setTimeout(() => fail(`no "listening on" line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('error', (e) => fail(`spawn failed: ${e.message}`));
    // 'close' (not 'exit') so that stderr has been read completely.
    child.once('close', (code, signal) => fail(`exited before listening (code ${code}, signal ${signal})`));
    // Keep reading stdout after the first line so the pipe never fills up.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^listening on (\S+):(\d+)$/.exec(line);
      if (!m || settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ child, host: m[1]!, port: Number(m[2]), stderr });
    });
  });
}

/** Builds (if needed) and starts the target on 127.0.0.1 with a free port. */
export async function startTarget(opts: TargetOptions = {}): Promise<Target> {
  const bin = await buildGoProgram('target', opts.runtime ?? opts.toolchain, opts.go);
  const env = { ...process.env, ...opts.env };
  const flags = [...(opts.scenario ? ['-scenario', opts.scenario] : []), ...(opts.args ?? [])];
  let cur = await spawnTarget(bin, ['-addr', '127.0.0.1:0', ...flags], env);
  const port = cur.port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get pid() {
      return cur.child.pid ?? -1;
    },
    stderr: () => cur.stderr(),
    stop: () => stopChild(cur.child),
    async restart() {
      await stopChild(cur.child);
      // The old socket is gone once the process has exited; Go sets
      // SO_REUSEADDR, so a retry only covers a port stolen in between.
      let lastErr: unknown;
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          cur = await spawnTarget(bin, ['-addr', `127.0.0.1:${port}`, ...flags], env);
          return;
        } catch (e) {
          lastErr = e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      throw lastErr;
    },
  };
}

/** Builds (if needed) and starts another fixture program that prints "listening on 127.0.0.1:PORT". */
export async function startGoProgram(name: GoProgram, opts: Omit<TargetOptions, 'scenario'> = {}): Promise<Omit<Target, 'restart'>> {
  const bin = await buildGoProgram(name, opts.runtime ?? opts.toolchain, opts.go);
  const cur = await spawnTarget(bin, ['-addr', '127.0.0.1:0', ...(opts.args ?? [])], { ...process.env, ...opts.env });
  return {
    url: `http://127.0.0.1:${cur.port}`,
    port: cur.port,
    pid: cur.child.pid ?? -1,
    stderr: () => cur.stderr(),
    stop: () => stopChild(cur.child),
  };
}

/** Runs `target -write-profiles dir` (heap, allocs, goroutine, mutex, block, cpu, heap2 + text forms). */
export async function writeProfiles(dir: string, rt?: GoRuntime): Promise<void> {
  const bin = await buildGoProgram('target', rt);
  await run(bin, ['-write-profiles', dir], { timeout: 60_000 });
}
