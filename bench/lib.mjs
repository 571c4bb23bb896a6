// Shared helpers for `npm run bench`: build the Go fixture programs, measure whole processes
// (wall time and peak RSS), and report medians and ratios. The machine is shared and noisy,
// so every number is a median of repeated, interleaved runs.

import { EventEmitter } from 'node:events';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = join(REPO_ROOT, 'bin', 'livepprof.js');

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export function hasGo() {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

/** Builds fixtures/<name> into a cache dir keyed by its sources; returns the binary path. */
export function buildGo(name) {
  const dir = join(REPO_ROOT, 'fixtures', name);
  const hash = createHash('sha256');
  for (const f of readdirSync(dir).sort()) if (/\.(go|mod)$/.test(f)) hash.update(f).update(readFileSync(join(dir, f)));
  const out = join(tmpdir(), `livepprof-bench-${name}-${hash.digest('hex').slice(0, 16)}`);
  const bin = join(out, name);
  if (!existsSync(bin)) {
    mkdirSync(out, { recursive: true });
    execFileSync('go', ['build', '-o', `${bin}.tmp`, '.'], { cwd: dir, env: { ...process.env, CGO_ENABLED: '0', GOWORK: 'off' }, stdio: 'inherit' });
    renameSync(`${bin}.tmp`, bin);
  }
  return bin;
}

/** Starts the fixture target (-scenario steady) on a loopback port; resolves once it listens. */
export async function startSteadyTarget(bin) {
  const child = spawn(bin, ['-addr', '127.0.0.1:0', '-scenario', 'steady'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise((resolve) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /listening on (\S+)/.exec(buf);
      if (m) resolve(`http://${m[1]}`);
    });
  });
  return { url, pid: child.pid, stop: () => child.kill('SIGKILL') };
}

/** The pprof binary behind `go tool pprof` (measured directly, without the go wrapper). */
export function pprofBinary() {
  return execFileSync('go', ['tool', '-n', 'pprof'], { encoding: 'utf8' }).trim();
}

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/**
 * Runs a command to completion; returns wall ms and peak RSS in MB (GNU time's max RSS, or
 * VmHWM polled from /proc when GNU time is absent, which can miss the last milliseconds).
 * Any exit code but `expectCode` is a failure of the bench; the stderr comes back too.
 */
export function measureProcess(cmd, args, env = {}, expectCode = 0) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const argv = GNU_TIME ? ['-f', '__MAXRSS_KB=%M', cmd, ...args] : args;
    const child = spawn(GNU_TIME ?? cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    let hwmKb = 0;
    child.stderr.on('data', (d) => (stderr += d));
    const poll = GNU_TIME
      ? null
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
          } catch {
            /* exited */
          }
        }, 2);
    child.on('error', reject);
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      const wallMs = performance.now() - started;
      if (code !== expectCode) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`));
      const m = /__MAXRSS_KB=(\d+)/.exec(stderr);
      resolve({ wallMs, rssMb: (m ? Number(m[1]) : hwmKb) / 1024, stderr });
    });
  });
}

export function fmt(n, digits = 0) {
  return Number(n).toFixed(digits);
}

export function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ')).join('\n');
}

export function scratchDir(name) {
  const dir = join(tmpdir(), `livepprof-bench-${name}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A 120×40 terminal for Ink: counts writes and tells onWrite of each frame. */
export class FakeStdout extends EventEmitter {
  columns = 120;
  rows = 40;
  isTTY = true;
  writes = 0;
  onWrite = null;
  write(chunk) {
    this.writes++;
    this.onWrite?.(chunk);
    return true;
  }
}

/** Keys for Ink, as a terminal sends them (send()). */
export class FakeStdin extends EventEmitter {
  isTTY = true;
  isRaw = false;
  data = null;
  setRawMode(v) {
    this.isRaw = v;
  }
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    const d = this.data;
    this.data = null;
    return d;
  }
  send(s) {
    this.data = s;
    this.emit('readable');
    this.emit('data', s);
  }
}

/**
 * The real App under Ink with the options the CLI uses, on a fake 120×40 TTY. The modules come
 * from the caller (which Ink it loads is the caller's choice: ui-soak loads it patched).
 */
export function renderApp({ render, React, App, verdictView, theme }, { store, session = null, title, maxFps = 60, stdout = new FakeStdout() }) {
  const stdin = new FakeStdin();
  const app = render(
    React.createElement(App, {
      store,
      session,
      info: { title, isStatic: session === null },
      theme,
      verdict: (snap, width, maxLines) => verdictView(snap, theme, width, maxLines),
      quit: () => undefined,
      exportProfiles: async () => [],
      loadGoroutineDump: () => undefined,
    }),
    { stdout, stdin, stderr: stdout, exitOnCtrlC: false, patchConsole: false, maxFps },
  );
  return { app, stdout, stdin };
}

/**
 * A target served from ../shared's Go 1.19 captures (index, cmdline, goroutines, /proc files,
 * expvar), for the benches that poll in process: `memstats(seq, captured)` gives each poll's
 * MemStats, `heap(seq)` its heap profile's bytes; `now` its clock.
 */
export async function capturedTarget({ memstats, heap, now = () => Date.now() }) {
  const [{ parseTarget }, { LivepprofError }] = await Promise.all([import('../dist/source/target.js'), import('../dist/errors.js')]);
  const read = (name) => new Uint8Array(readFileSync(join(REPO_ROOT, '..', 'shared', 'fixtures', 'go1.19', name)));
  const files = Object.fromEntries(
    ['index.html', 'cmdline.bin', 'goroutine.debug1.txt', 'proc/status.default.0-start.txt', 'proc/smaps_rollup.default.0-start.txt'].map((n) => [n, read(n)]),
  );
  const vars = JSON.parse(new TextDecoder().decode(read('vars.json')));
  const enc = new TextEncoder();
  return {
    target: parseTarget('127.0.0.1:9'),
    now,
    requestCount: () => 0,
    close: async () => undefined,
    async fetch(seq, endpoint) {
      switch (endpoint) {
        case 'index':
          return files['index.html'];
        case 'cmdline':
          return files['cmdline.bin'];
        case 'vars':
          return enc.encode(JSON.stringify({ ...vars, memstats: memstats(seq, vars.memstats) }));
        case 'heap':
          return heap(seq);
        case 'goroutine-debug1':
          return files['goroutine.debug1.txt'];
        case 'pid':
          return enc.encode('4242');
        case 'proc-stat':
          return enc.encode('4242 (bench) S 1 1 1 0 -1 4194560 0 0 0 0 1 1 0 0 20 0 8 0 12345 0 0');
        case 'proc-status':
          return files['proc/status.default.0-start.txt'];
        case 'proc-smaps':
          return files['proc/smaps_rollup.default.0-start.txt'];
        case 'proc-environ':
          return enc.encode('GOGC=100');
        default:
          throw new LivepprofError(endpoint === 'metrics' ? 'http' : 'not-local', `${endpoint}: not served by the bench target`);
      }
    },
  };
}
