// Everything a poll observes goes through a Fetcher: HTTP endpoints of the target, its /proc
// files, its pid and the clock. The live fetcher talks to the target; a recording fetcher
// saves every answer; a replay fetcher serves a recording back, so a replay is the same poll
// logic over the same bytes and gives the same timeline.

import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { LivepprofError, errorMessage } from '../errors.js';
import type { HttpClient } from './http.js';
import type { HttpClientOptions } from './http-options.js';
import { formatBytes } from '../analysis/format.js';
import { isSmapsLineUsed } from './parse-proc.js';
import { ServiceLocator, type TargetSays } from './service-locator.js';
import type { Target } from './target.js';
import { defaultMetricsUrl, expvarUrl } from './target.js';

export type Endpoint =
  | 'index'
  | 'cmdline'
  | 'metrics'
  | 'vars'
  | 'heap'
  | 'heap-debug1'
  | 'goroutine-debug1'
  | 'goroutine-debug2'
  /** goroutineleak?debug=1 (Go ≥ 1.26 with the goroutine-leak profile): runs a GC in the target, so only on demand. */
  | 'goroutineleak-debug1'
  | 'pid'
  | 'proc-status'
  | 'proc-smaps'
  /**
   * /proc/PID/smaps, every mapping, reduced to the lines parseSmaps reads (at most
   * SMAPS_FULL_MAX_BYTES of them). Costs the kernel a walk of every page table: read it only
   * when analysis/named-mappings.ts smapsFullDue() says so.
   */
  | 'proc-smaps-full'
  | 'proc-stat'
  /** Only GOGC, GOMEMLIMIT and GODEBUG of /proc/PID/environ: the rest never leaves the fetcher. */
  | 'proc-environ'
  | 'host-meminfo'
  /** Which process serves the target, proven through its sockets (JSON ServiceIdentity). */
  | 'identity'
  /** The memory cgroup of a pid: raw texts of its files (JSON CgroupSnapshot). */
  | 'cgroup';

export interface Fetcher {
  readonly target: Target;
  /** Wall-clock time of poll `seq`, ms since the epoch. Never throws. */
  now(seq: number): number;
  /** The bytes of one endpoint for poll `seq`; throws a LivepprofError when it cannot. */
  fetch(seq: number, endpoint: Endpoint, pid?: number): Promise<Uint8Array>;
  /** HTTP requests sent to the target so far. */
  requestCount(): number;
  close(): Promise<void>;
}

export interface LiveFetcherOptions {
  http: HttpClientOptions;
  /** --pid: read /proc of this process instead of finding the port's owner. */
  pid?: number;
  /** --metrics URL (default: /metrics on the target's origin). */
  metricsUrl?: string;
  /** --gc: ask for a GC before each heap profile (heap?gc=1). Off by default: it costs the target a full GC. */
  gc?: boolean;
  /** Where /proc is (tests point it at a fake tree). */
  procRoot?: string;
  /** The most of /proc/PID/smaps kept (default SMAPS_FULL_MAX_BYTES; tests lower it). */
  smapsMaxBytes?: number;
}

const encoder = new TextEncoder();

/** The most of /proc/PID/smaps (its used lines) read at once: about 200,000 mappings. */
export const SMAPS_FULL_MAX_BYTES = 32 * 2 ** 20;

export class LiveFetcher implements Fetcher {
  private client: HttpClient | null = null;
  /** One client even when a poll and an on-demand dump ask for it at the same moment. */
  private clientReady: Promise<HttpClient> | null = null;
  /** What the target last said about itself: the identity check compares /proc with it. */
  private readonly seen: TargetSays = { cmdline: null, metrics: null };
  private readonly locator: ServiceLocator;

  constructor(
    readonly target: Target,
    private readonly opts: LiveFetcherOptions,
  ) {
    this.locator = new ServiceLocator(target, {
      ...(opts.pid !== undefined ? { pid: opts.pid } : {}),
      ...(opts.http.unixSocket ? { unixSocket: opts.http.unixSocket } : {}),
      ...(opts.procRoot ? { procRoot: opts.procRoot } : {}),
    });
  }

  now(): number {
    return Date.now();
  }

  requestCount(): number {
    return this.client?.requestCount ?? 0;
  }

  private http(): Promise<HttpClient> {
    this.clientReady ??= import('./http.js').then(({ HttpClient }) => (this.client = new HttpClient(this.opts.http)));
    return this.clientReady;
  }

  url(endpoint: Endpoint): string {
    const base = this.target.pprofBase;
    const gc = this.opts.gc ? 'gc=1' : '';
    switch (endpoint) {
      case 'index':
        return base;
      case 'cmdline':
        return base + 'cmdline';
      case 'metrics':
        return this.opts.metricsUrl ?? defaultMetricsUrl(this.target);
      case 'vars':
        return expvarUrl(this.target);
      case 'heap':
        return base + 'heap' + (gc ? `?${gc}` : '');
      case 'heap-debug1':
        return base + 'heap?debug=1' + (gc ? `&${gc}` : '');
      case 'goroutine-debug1':
        return base + 'goroutine?debug=1';
      case 'goroutine-debug2':
        return base + 'goroutine?debug=2';
      case 'goroutineleak-debug1':
        return base + 'goroutineleak?debug=1';
      default:
        throw new Error(`${endpoint} is not an HTTP endpoint`);
    }
  }

  async fetch(_seq: number, endpoint: Endpoint, pid?: number): Promise<Uint8Array> {
    switch (endpoint) {
      case 'pid':
        return encoder.encode(String(await this.findPid()));
      case 'identity':
        return encoder.encode(JSON.stringify(await this.locator.identify(this.seen)));
      case 'cgroup':
        return encoder.encode(JSON.stringify(await this.locator.cgroup(pid)));
      case 'proc-status':
        return this.readProc(pid, 'status');
      case 'proc-smaps':
        return this.readProc(pid, 'smaps_rollup');
      case 'proc-smaps-full':
        return this.readSmapsUsedLines(pid);
      case 'proc-stat':
        return this.readProc(pid, 'stat');
      case 'proc-environ':
        return goEnvironOnly(await this.readProc(pid, 'environ'));
      case 'host-meminfo':
        // Only the line the runway reads: a recording keeps a few bytes per poll, not the whole file.
        return memAvailableLine(await this.readHostFile('meminfo'));
      default: {
        const url = this.url(endpoint);
        // The user's headers (tokens) are for the target: a --metrics URL elsewhere gets none.
        const anonymous = new URL(url).origin !== this.target.origin;
        const res = await (await this.http()).get(url, { anonymous });
        if (endpoint === 'cmdline') this.seen.cmdline = res.bytes;
        if (endpoint === 'metrics') this.seen.metrics = res.bytes;
        return res.bytes;
      }
    }
  }

  private async findPid(): Promise<number> {
    if (this.opts.pid !== undefined) return this.opts.pid;
    const { findPidForPort, isLoopbackHost } = await import('./discover.js');
    if (!isLoopbackHost(this.target.hostname)) {
      throw new LivepprofError('not-local', `${this.target.hostname} is not this host; pass --pid to read /proc`);
    }
    const pid = await findPidForPort(this.target.port, this.target.hostname, this.opts.procRoot);
    if (pid === null) {
      throw new LivepprofError('not-local', `no process of ours listens on port ${this.target.port} (another user or container?); pass --pid`);
    }
    return pid;
  }

  private async readProc(pid: number | undefined, file: string): Promise<Uint8Array> {
    if (pid === undefined) throw new LivepprofError('not-local', 'no pid known for /proc');
    const path = `${this.opts.procRoot ?? '/proc'}/${pid}/${file}`;
    try {
      return new Uint8Array(await readFile(path));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ESRCH') throw new LivepprofError('not-local', `process ${pid} is gone`);
      throw new LivepprofError('not-local', `cannot read ${path}: ${errorMessage(e)}`);
    }
  }

  /** Streams /proc/PID/smaps keeping only the lines we parse, so memory stays bounded. */
  private async readSmapsUsedLines(pid: number | undefined): Promise<Uint8Array> {
    if (pid === undefined) throw new LivepprofError('not-local', 'no pid known for /proc');
    const path = `${this.opts.procRoot ?? '/proc'}/${pid}/smaps`;
    const max = this.opts.smapsMaxBytes ?? SMAPS_FULL_MAX_BYTES;
    const kept: string[] = [];
    let size = 0;
    let carry = '';
    const keep = (line: string) => {
      if (!isSmapsLineUsed(line)) return;
      kept.push(line);
      size += line.length + 1;
      if (size > max) throw new LivepprofError('too-large', `${path} has too many mappings (over ${formatBytes(max)} of them): not read`);
    };
    const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 18 });
    try {
      for await (const chunk of stream as AsyncIterable<string>) {
        const lines = (carry + chunk).split('\n');
        carry = lines.pop()!;
        for (const line of lines) keep(line);
      }
      keep(carry);
    } catch (e) {
      if (e instanceof LivepprofError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ESRCH') throw new LivepprofError('not-local', `process ${pid} is gone`);
      throw new LivepprofError('not-local', `cannot read ${path}: ${errorMessage(e)}`);
    } finally {
      stream.destroy();
    }
    return encoder.encode(kept.join('\n') + '\n');
  }

  private async readHostFile(file: string): Promise<Uint8Array> {
    const path = `${this.opts.procRoot ?? '/proc'}/${file}`;
    try {
      return new Uint8Array(await readFile(path));
    } catch (e) {
      throw new LivepprofError('not-local', `cannot read ${path}: ${errorMessage(e)}`);
    }
  }

  async close(): Promise<void> {
    const client = await this.clientReady?.catch(() => null);
    await client?.close();
  }
}

/** The Go runtime's own knobs from an environment block; everything else (secrets) is dropped here. */
const GO_ENV_KEYS = ['GOGC=', 'GOMEMLIMIT=', 'GODEBUG='];

export function goEnvironOnly(environ: Uint8Array): Uint8Array {
  const kept = new TextDecoder('utf-8', { fatal: false })
    .decode(environ)
    .split('\0')
    .filter((kv) => GO_ENV_KEYS.some((k) => kv.startsWith(k)));
  return encoder.encode(kept.join('\0'));
}

function memAvailableLine(meminfo: Uint8Array): Uint8Array {
  const line = new TextDecoder().decode(meminfo).split('\n').find((l) => l.startsWith('MemAvailable:'));
  return encoder.encode(line ? `${line}\n` : '');
}
