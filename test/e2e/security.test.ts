// "On a production host", proven against the built CLI: secrets given with --header @FILE or
// LIVEPPROF_HEADERS reach the target but never argv, output, errors, recordings or exports;
// recordings are private and never clobber; the tool talks only to the target (and --metrics),
// refusing redirects elsewhere; TLS is verified unless told otherwise; unix sockets work.
// Everything is 127.0.0.1 or a unix socket, and every CLI run carries a trap that records (and
// refuses) any DNS lookup: there must be none.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeProfile } from '../../src/profile/encode.js';
import { decodeProfile } from '../../src/profile/decode.js';
import { exportFileName, writeProfileFile } from '../../src/source/export.js';
import { loadProfile } from '../../src/source/profile-source.js';
import { runCli, spawnCli, waitFor, type CliResult } from '../helpers/cli.js';
import { GO119 } from '../helpers/paths.js';
import { requireTool } from '../helpers/require-tool.js';
import { startCaptureServer, type CaptureServer, type Route } from '../helpers/capture-server.js';
import { startBadServer } from '../helpers/bad-server.js';

const work = mkdtempSync(join(tmpdir(), 'livepprof-security-'));
const servers: CaptureServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(work, { recursive: true, force: true });
});

async function server(opts: Parameters<typeof startCaptureServer>[0] = {}): Promise<CaptureServer> {
  const s = await startCaptureServer(opts);
  servers.push(s);
  return s;
}

// --- no DNS, ever -------------------------------------------------------------------------------

const DNS_LOG = join(work, 'dns.log');
const DNS_TRAP = join(work, 'dns-trap.cjs');
writeFileSync(
  DNS_TRAP,
  `// Preloaded into every CLI run: a DNS lookup is logged and fails, never reaches a resolver.
const dns = require('node:dns');
const { appendFileSync } = require('node:fs');
const log = (what, host) => appendFileSync(process.env.LIVEPPROF_TEST_DNS_LOG, what + ' ' + String(host) + '\\n');
const fail = (host) => Object.assign(new Error('getaddrinfo ENOTFOUND ' + host + ' (DNS blocked by the test)'), { code: 'ENOTFOUND', hostname: host });
dns.lookup = function (host, options, callback) {
  log('lookup', host);
  const cb = typeof options === 'function' ? options : callback;
  process.nextTick(cb, fail(host));
};
dns.promises.lookup = async (host) => { log('lookup', host); throw fail(host); };
for (const name of ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname']) {
  dns[name] = function (host, ...rest) { log(name, host); process.nextTick(rest[rest.length - 1], fail(host)); };
  dns.promises[name] = async (host) => { log(name, host); throw fail(host); };
}
`,
);

/** The environment of every CLI run: the DNS trap, and no headers unless a test gives some. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(DNS_TRAP)}`.trim(),
    LIVEPPROF_TEST_DNS_LOG: DNS_LOG,
    LIVEPPROF_HEADERS: '',
    ...extra,
  };
}

const cli = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => runCli(args, env(extra), 15_000);

function dnsLookups(): string[] {
  return existsSync(DNS_LOG) ? readFileSync(DNS_LOG, 'utf8').trim().split('\n').filter(Boolean) : [];
}

// --- secrets ------------------------------------------------------------------------------------

const FILE_SECRET = `file-secret-${randomBytes(12).toString('hex')}`;
const ENV_SECRET = `env-secret-${randomBytes(12).toString('hex')}`;
const CLI_SECRET = `cli-secret-${randomBytes(12).toString('hex')}`;
const SECRETS = [FILE_SECRET, ENV_SECRET, CLI_SECRET];

const HEADER_FILE = join(work, 'headers.txt');
writeFileSync(HEADER_FILE, `# credentials for the pprof proxy\nAuthorization: Bearer ${FILE_SECRET}\n`, { mode: 0o600 });
const SECRET_ENV = { LIVEPPROF_HEADERS: `X-Api-Key: ${ENV_SECRET}` };
const SECRET_ARGS = ['--header', `@${HEADER_FILE}`];

/** The secrets found in `text` (none, if all is well). */
function leaked(text: string | Uint8Array): string[] {
  const s = typeof text === 'string' ? text : Buffer.from(text).toString('latin1');
  return SECRETS.filter((secret) => s.includes(secret));
}

function expectNoLeak(r: CliResult, what: string): void {
  expect(leaked(r.stdout), `${what}: stdout`).toEqual([]);
  expect(leaked(r.stderr), `${what}: stderr`).toEqual([]);
}

/** Every file under `dir`, with its bytes, mode and the secrets it contains. */
function filesUnder(dir: string): { path: string; mode: number; leaks: string[] }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return { path, mode: statSync(path).mode & 0o777, leaks: leaked(readFileSync(path)) };
    });
}

function expectServerSawSecrets(s: CaptureServer): void {
  expect(s.requests.length).toBeGreaterThan(0);
  for (const r of s.requests) {
    expect(r.headers.authorization, r.url).toBe(`Bearer ${FILE_SECRET}`);
    expect(r.headers['x-api-key'], r.url).toBe(ENV_SECRET);
  }
}

/** Answers every request with `status` and a body that says nothing about the credentials. */
const statusRoute =
  (status: number): Route =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(status === 500 ? 'internal error: database on fire\nsecond line\n' : 'denied\nsecond line\n');
    return true;
  };

const oneLine = (stderr: string) => stderr.trimEnd().split('\n');

interface WatchJson {
  ok: boolean;
  error?: string;
  errorKind?: string;
  seq: number;
}
const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as WatchJson);

describe('secrets given with --header @FILE and LIVEPPROF_HEADERS', () => {
  it('reach the server, and top prints neither them nor any warning', async () => {
    const s = await server();
    const r = await cli(['top', `${s.url}/debug/pprof/heap`, '--json', ...SECRET_ARGS], SECRET_ENV);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rows[0].name).toBe('main.retainSmall');
    expect(r.stderr).toBe('');
    expectServerSawSecrets(s);
    expectNoLeak(r, 'top');
  });

  it('stay out of the argv of a running watch (/proc/PID/cmdline) and of its output', async () => {
    const s = await server();
    const w = spawnCli(['watch', s.url, '--json', '--interval', '100ms', '--count', '100', ...SECRET_ARGS], env(SECRET_ENV));
    try {
      await waitFor(() => w.lines.length >= 2, 10_000, 'two polls');
      const cmdline = readFileSync(`/proc/${w.child.pid}/cmdline`);
      const argv = cmdline.toString('utf8').split('\0');
      expect(argv).toContain(`@${HEADER_FILE}`); // it is this process
      expect(leaked(cmdline)).toEqual([]);
    } finally {
      w.child.kill('SIGINT');
    }
    expect(await w.done, 'stopped by SIGINT').toBe(130);
    expect(jsonLines(w.lines.join('\n')).every((l) => l.ok)).toBe(true);
    expectServerSawSecrets(s);
    expect(leaked(w.lines.join('\n'))).toEqual([]);
    expect(leaked(w.stderr())).toEqual([]);
  });

  for (const status of [401, 403, 500]) {
    it(`stay out of the errors of top, watch and record when the target answers ${status}`, async () => {
      const s = await server({ route: statusRoute(status) });
      const out = join(work, `rec-${status}`);
      const [top, watchJson, watchTable, record] = await Promise.all([
        cli(['top', `${s.url}/debug/pprof/heap`, ...SECRET_ARGS], SECRET_ENV),
        cli(['watch', s.url, '--json', '--interval', '100ms', '--count', '2', '--timeout', '2s', ...SECRET_ARGS], SECRET_ENV),
        cli(['watch', s.url, '--interval', '100ms', '--count', '2', '--timeout', '2s', ...SECRET_ARGS], SECRET_ENV),
        cli(['record', s.url, '--out', out, '--interval', '100ms', '--count', '2', '--timeout', '2s', ...SECRET_ARGS], SECRET_ENV),
      ]);
      expectServerSawSecrets(s);

      const hint = status === 500 ? /internal error: database on fire$/ : /: denied \(pass credentials with --header @file or LIVEPPROF_HEADERS\)$/;
      expect(top.code).toBe(1);
      expect(oneLine(top.stderr)).toHaveLength(1);
      expect(top.stderr).toMatch(new RegExp(`^livepprof: HTTP ${status} from 127\\.0\\.0\\.1:${s.port}/debug/pprof/heap`));
      expect(top.stderr.trimEnd()).toMatch(hint);
      expectNoLeak(top, 'top');

      expect(watchJson.code, 'no poll succeeded').toBe(1);
      const polls = jsonLines(watchJson.stdout);
      expect(polls).toHaveLength(2);
      for (const p of polls) {
        expect(p.ok).toBe(false);
        expect(p.error).toMatch(new RegExp(`HTTP ${status} from 127\\.0\\.0\\.1:${s.port}/`));
      }
      expectNoLeak(watchJson, 'watch --json');

      expect(watchTable.code, 'no poll succeeded').toBe(1);
      expect(watchTable.stdout).toMatch(new RegExp(`poll failed: HTTP ${status} from`));
      expectNoLeak(watchTable, 'watch');

      expect(record.code, 'no poll succeeded').toBe(1);
      expect(record.stderr).toMatch(new RegExp(`HTTP ${status} from`));
      expect(record.stderr).toMatch(/recorded 2 polls \(2 failed\)/);
      expectNoLeak(record, 'record');
      const files = filesUnder(out);
      expect(files.some((f) => f.path.endsWith('.error.json'))).toBe(true);
      for (const f of files) expect(f.leaks, f.path).toEqual([]);
    });
  }

  it('stay out of errors and recordings even when the target quotes them back in an error page', async () => {
    // A proxy that echoes the credentials it refused: whole header values, or just the token.
    const echoWhole = await server({
      route: (req, res) => {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end(`invalid credentials: authorization=${req.headers.authorization} x-api-key=${req.headers['x-api-key']}\n`);
        return true;
      },
    });
    const echoToken = await server({
      route: (req, res) => {
        res.writeHead(403, { 'content-type': 'text/html' });
        const token = String(req.headers.authorization).replace(/^Bearer /, '');
        res.end(`<html><head><title>Token ${token} revoked</title></head><body>${token}</body></html>`);
        return true;
      },
    });
    const runs = await Promise.all(
      [echoWhole, echoToken].flatMap((s, i) => [
        cli(['top', `${s.url}/debug/pprof/heap`, ...SECRET_ARGS], SECRET_ENV),
        cli(['watch', s.url, '--json', '--interval', '100ms', '--count', '1', ...SECRET_ARGS], SECRET_ENV),
        cli(['record', s.url, '--out', join(work, `rec-echo-${i}`), '--interval', '100ms', '--count', '1', ...SECRET_ARGS], SECRET_ENV),
      ]),
    );
    expectServerSawSecrets(echoWhole);
    expectServerSawSecrets(echoToken);
    for (const r of runs) expectNoLeak(r, 'echoed');
    expect(runs[0]!.stderr).toMatch(/^livepprof: HTTP 401 from 127\.0\.0\.1:\d+\/debug\/pprof\/heap: invalid credentials: authorization=\S+ x-api-key=\S+ \(pass credentials/);
    expect(runs[3]!.stderr).toMatch(/^livepprof: HTTP 403 from 127\.0\.0\.1:\d+\/debug\/pprof\/heap: Token \S+ revoked \(pass credentials/);
    for (const i of [0, 1]) for (const f of filesUnder(join(work, `rec-echo-${i}`))) expect(f.leaks, f.path).toEqual([]);
  });

  for (const mode of ['echo-200-text', 'echo-200-html'] as const) {
    it(`stay out of top, watch and record when a 200 ${mode.slice(9)} page quotes them back (${mode})`, async () => {
      // A login page or proxy that answers 200 and repeats the request's headers: the quoted
      // start of the body ("it is text starting with …") must not carry them.
      const bad = await startBadServer();
      try {
        bad.set(mode);
        const out = join(work, `rec-${mode}`);
        const [top, watch, record] = await Promise.all([
          cli(['top', `${bad.url}/debug/pprof/heap`, ...SECRET_ARGS], SECRET_ENV),
          cli(['watch', bad.url, '--json', '--interval', '100ms', '--count', '2', ...SECRET_ARGS], SECRET_ENV),
          cli(['record', bad.url, '--out', out, '--interval', '100ms', '--count', '2', ...SECRET_ARGS], SECRET_ENV),
        ]);
        expect(bad.requests.length).toBeGreaterThan(0);
        expect(top.code).toBe(1);
        expect(oneLine(top.stderr)).toHaveLength(1);
        const polls = jsonLines(watch.stdout);
        expect(polls).toHaveLength(2);
        for (const p of polls) expect(p.ok).toBe(false);
        if (mode === 'echo-200-text') {
          // The body is quoted, with the secrets masked where they stood.
          expect(top.stderr).toMatch(/^livepprof: http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/heap: input is text that is not a pprof profile \(it starts with "You sent .*\*{8}/);
          expect(polls[0]!.error).toMatch(/answered with text starting with "You sent .*\*{8}/);
        } else {
          expect(top.stderr).toMatch(/input is an HTML page \(a login page, proxy or error page\?\)/);
        }
        for (const r of [top, watch, record]) expectNoLeak(r, mode);
        const files = filesUnder(out);
        expect(files.length).toBeGreaterThan(3);
        for (const f of files) expect(f.leaks, f.path).toEqual([]);
        // The replay of what was recorded says the same, and nothing secret either.
        const replay = await cli(['replay', out, '--speed', '0', '--json']);
        expectNoLeak(replay, `${mode} replay`);
        expect(jsonLines(replay.stdout).map((p) => p.error)).toEqual(polls.map((p) => p.error));
      } finally {
        await bad.close();
      }
    });
  }

  it('stay out of every file of a recording, and out of its output', async () => {
    // Some endpoints answer, one is refused: a recording with both bodies and errors.
    const s = await server({
      route: (req, res) => {
        if (!req.url?.startsWith('/debug/pprof/goroutine')) return false;
        res.writeHead(403, { 'content-type': 'text/plain' });
        res.end('forbidden\n');
        return true;
      },
    });
    const out = join(work, 'rec-mixed');
    const r = await cli(['record', s.url, '--out', out, '--interval', '100ms', '--count', '3', ...SECRET_ARGS], SECRET_ENV);
    expect(r.code, 'every poll failed (goroutine refused)').toBe(1);
    expect(r.stderr).toMatch(/recorded 3 polls/);
    expectServerSawSecrets(s);
    expectNoLeak(r, 'record');
    const files = filesUnder(out);
    expect(files.some((f) => f.path.endsWith('heap.pb.gz'))).toBe(true);
    expect(files.some((f) => f.path.endsWith('.error.json'))).toBe(true);
    for (const f of files) {
      expect(f.leaks, f.path).toEqual([]);
      expect(f.mode, f.path).toBe(0o600);
    }
    // Replaying it prints nothing secret either (and needs no headers).
    const replay = await cli(['replay', out, '--speed', '0', '--json']);
    expect(replay.code, 'the replay, as the recording, has no poll that succeeded').toBe(1);
    expectNoLeak(replay, 'replay');
  });

  it('stay out of an exported profile, written 0600 and never over an existing file', async () => {
    const s = await server();
    const profile = await loadProfile(`${s.url}/debug/pprof/heap`, {
      headers: { authorization: `Bearer ${FILE_SECRET}`, 'x-api-key': ENV_SECRET },
    });
    expectServerSawSecrets(s);
    const dir = join(work, 'export');
    mkdirSync(dir);
    const name = exportFileName(`127.0.0.1:${s.port}`, 'heap', new Date(2026, 0, 2, 3, 4, 5));
    expect(name).toBe(`livepprof-127.0.0.1_${s.port}-20260102-030405-heap.pb.gz`);
    const bytes = encodeProfile(profile);
    const first = await writeProfileFile(name, bytes, [dir]);
    expect(first).toBe(join(dir, name));
    expect(statSync(first).mode & 0o777).toBe(0o600);
    expect(leaked(readFileSync(first))).toEqual([]);
    expect(decodeProfile(readFileSync(first)).samples.count).toBe(profile.samples.count);

    // The same name again: a new file beside it, the first one untouched.
    const other = encodeProfile(decodeProfile(readFileSync(join(GO119, 'heap-gc1.pb.gz'))));
    expect(Buffer.compare(Buffer.from(other), Buffer.from(bytes))).not.toBe(0);
    const second = await writeProfileFile(name, other, [dir]);
    expect(second).toBe(join(dir, name.replace(/\.pb\.gz$/, '-2.pb.gz')));
    expect(statSync(second).mode & 0o777).toBe(0o600);
    expect(Buffer.compare(readFileSync(first), Buffer.from(bytes))).toBe(0);
    expect(Buffer.compare(readFileSync(second), Buffer.from(other))).toBe(0);
    const third = await writeProfileFile(name, other, [dir]);
    expect(third).toBe(join(dir, name.replace(/\.pb\.gz$/, '-3.pb.gz')));
    expect(readdirSync(dir).sort()).toHaveLength(3);
  });

  it('given on the command line get one warning line pointing to @FILE / LIVEPPROF_HEADERS, never the value', async () => {
    const s = await server();
    const args = ['--header', `Authorization: Bearer ${CLI_SECRET}`, '--header', `X-Other: ${CLI_SECRET}-2`];
    const [top, watch] = await Promise.all([
      cli(['top', `${s.url}/debug/pprof/heap`, '--json', ...args]),
      cli(['watch', s.url, '--json', '--interval', '100ms', '--count', '1', ...args]),
    ]);
    for (const [what, r] of [['top', top], ['watch', watch]] as const) {
      expect(r.code, what).toBe(0);
      const lines = oneLine(r.stderr);
      expect(lines, what).toHaveLength(1);
      expect(lines[0]).toMatch(/^warning: --header authorization, x-other is visible to every user of this host/);
      expect(lines[0]).toMatch(/--header @FILE/);
      expect(lines[0]).toMatch(/LIVEPPROF_HEADERS/);
      expectNoLeak(r, what);
    }
    expect(s.requests.every((r) => r.headers.authorization === `Bearer ${CLI_SECRET}`)).toBe(true);
  });
});

// --- files --------------------------------------------------------------------------------------

describe('recording files', () => {
  it('a new recording is a 0700 directory of 0600 files', async () => {
    const s = await server();
    const out = join(work, 'new', 'rec');
    const r = await cli(['record', s.url, '--out', out, '--interval', '100ms', '--count', '2', '--quiet']);
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(statSync(join(out, 'polls')).mode & 0o777).toBe(0o700);
    for (const d of readdirSync(join(out, 'polls'))) expect(statSync(join(out, 'polls', d)).mode & 0o777).toBe(0o700);
    const files = filesUnder(out);
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(f.mode, f.path).toBe(0o600);
  });

  it('refuses a non-empty directory without --force (exit 2), and with --force leaves unrelated files alone', async () => {
    const s = await server();
    const out = mkdtempSync(join(work, 'existing-'));
    writeFileSync(join(out, 'notes.txt'), 'my notes\n', { mode: 0o644 });
    chmodSync(join(out, 'notes.txt'), 0o644);
    mkdirSync(join(out, 'other'), { mode: 0o755 });
    writeFileSync(join(out, 'other', 'keep.bin'), 'keep');

    const refused = await cli(['record', s.url, '--out', out, '--interval', '100ms', '--count', '1']);
    expect(refused.code).toBe(2);
    expect(oneLine(refused.stderr)).toHaveLength(1);
    expect(refused.stderr).toMatch(/^livepprof: .* is not empty; choose another --out or pass --force/);
    expect(readdirSync(out).sort()).toEqual(['notes.txt', 'other']);
    expect(s.requests).toHaveLength(0); // refused before polling

    const forced = await cli(['record', s.url, '--out', out, '--interval', '100ms', '--count', '2', '--quiet', '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('my notes\n');
    expect(statSync(join(out, 'notes.txt')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(out, 'other', 'keep.bin'), 'utf8')).toBe('keep');
    expect(statSync(join(out, 'other')).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, 'polls')).mode & 0o777).toBe(0o700);
    const recorded = filesUnder(out).filter((f) => !f.path.endsWith('notes.txt') && !f.path.endsWith('keep.bin'));
    expect(recorded.map((f) => f.path)).toContain(join(out, 'meta.json'));
    for (const f of recorded) expect(f.mode, f.path).toBe(0o600);
  });

  it('with --force over an old recording, the old one is replaced whole and the new files are 0600 in a 0700 directory', async () => {
    const s = await server();
    const out = join(work, 'old-recording');
    const first = await cli(['record', s.url, '--out', out, '--interval', '100ms', '--count', '3', '--quiet']);
    expect(first.code).toBe(0);
    // Someone copied it around with a loose umask.
    for (const f of filesUnder(out)) chmodSync(f.path, 0o644);
    chmodSync(out, 0o755);
    const again = await cli(['record', s.url, '--out', out, '--interval', '100ms', '--count', '2', '--quiet', '--force']);
    expect(again.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o700);
    for (const name of ['meta.json', 'timeline.jsonl', join('polls', '000001', 'time.txt'), join('polls', '000002', 'time.txt')]) {
      expect(statSync(join(out, name)).mode & 0o777, name).toBe(0o600);
    }
    // Poll 3 of the old recording is gone: a replay shows the new recording only.
    expect(readdirSync(join(out, 'polls')).sort()).toEqual(['000001', '000002']);
    const replay = await cli(['replay', out, '--speed', '0', '--json']);
    expect(replay.code).toBe(0);
    expect(jsonLines(replay.stdout)).toHaveLength(2);
  });
});

// --- network ------------------------------------------------------------------------------------

describe('talks only to the target', () => {
  it('refuses a redirect to another host:port, never connecting there, and --metrics is the one other host it uses', async () => {
    const other = await server(); // the address the target points at
    const metrics = await server(); // the --metrics URL the user gave
    const elsewhere = `http://127.0.0.1:${other.port}`;
    const target = await server({
      route: (req, res) => {
        const url = req.url ?? '/';
        if (url === '/debug/pprof/') {
          // An index whose links all point at the other server.
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(readFileSync(join(GO119, 'index.html'), 'utf8').replace(/href=(['"])/g, `href=$1${elsewhere}/debug/pprof/`));
          return true;
        }
        if (url.startsWith('/debug/pprof/heap') && !url.includes('debug=')) {
          res.writeHead(302, { location: `${elsewhere}/debug/pprof/heap` });
          res.end();
          return true;
        }
        if (url === '/moved/heap') {
          res.writeHead(301, { location: '/debug/pprof/heap?debug=0' }); // same host: followed
          res.end();
          return true;
        }
        if (url === '/debug/vars') {
          res.writeHead(307, { location: `${elsewhere}/debug/vars` });
          res.end();
          return true;
        }
        return false;
      },
    });

    const moved = await cli(['top', `${target.url}/moved/heap`, '--json']);
    expect(moved.code).toBe(0);
    expect(JSON.parse(moved.stdout).rows[0].name).toBe('main.retainSmall');

    const top = await cli(['top', `${target.url}/debug/pprof/heap`]);
    expect(top.code).toBe(1);
    expect(top.stdout).toBe('');
    expect(oneLine(top.stderr)).toEqual([
      `livepprof: 127.0.0.1:${target.port} redirected to another host (127.0.0.1:${other.port}); livepprof only talks to the target: point it at the final address`,
    ]);

    const before = target.connections;
    const watch = await cli(['watch', target.url, '--json', '--interval', '100ms', '--count', '3']);
    expect(watch.code, 'no poll succeeded').toBe(1);
    expect(watch.stderr).toBe('');
    const polls = jsonLines(watch.stdout);
    expect(polls).toHaveLength(3);
    for (const p of polls) {
      expect(p.ok).toBe(false);
      expect(p.errorKind).toBe('redirect');
      expect(p.error).toBe(`127.0.0.1:${target.port} redirected to another host (127.0.0.1:${other.port}); livepprof only talks to the target: point it at the final address`);
    }
    // Keep-alive: three polls of several requests each over at most two connections, plus the one
    // probe connection (nothing sent on it) that traces which process serves the port, made once.
    expect(target.connections - before).toBeGreaterThan(0);
    expect(target.connections - before).toBeLessThanOrEqual(3);

    const targetRequests = target.requests.length;
    const withMetrics = await cli(
      ['watch', target.url, '--json', '--interval', '100ms', '--count', '3', '--metrics', `${metrics.url}/metrics`, ...SECRET_ARGS],
      SECRET_ENV,
    );
    expect(withMetrics.code, 'no poll succeeded (the redirect)').toBe(1);
    expect(jsonLines(withMetrics.stdout)).toHaveLength(3);
    expect(metrics.connections).toBeGreaterThan(0);
    expect(metrics.requests.map((r) => r.url)).toEqual(['/metrics', '/metrics', '/metrics']);
    const seenByTarget = target.requests.slice(targetRequests);
    expect(seenByTarget.length).toBeGreaterThan(0);
    expect(seenByTarget.map((r) => r.url)).not.toContain('/metrics');
    // The user's headers (tokens) go to the target only, never to the --metrics host.
    expectServerSawSecrets({ ...target, requests: seenByTarget });
    for (const r of metrics.requests) {
      expect(r.headers.authorization, r.url).toBeUndefined();
      expect(r.headers['x-api-key'], r.url).toBeUndefined();
    }

    // The other server was named in every index page and redirect, and never contacted.
    expect(other.connections).toBe(0);
    expect(other.requests).toEqual([]);
  });
});

// --- TLS ----------------------------------------------------------------------------------------

const haveOpenssl = requireTool('openssl', 'the TLS tests of security.test.ts');

/** A self-signed certificate for 127.0.0.1, made now in `dir`. */
function selfSigned(dir: string): { key: string; cert: string; certPath: string } {
  mkdirSync(dir, { recursive: true });
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'ignore', timeout: 10_000 },
  );
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath };
}

describe.skipIf(!haveOpenssl)('TLS', () => {
  let s: CaptureServer;
  let cert: { certPath: string };
  let strangerCert: { certPath: string };
  beforeAll(async () => {
    const made = selfSigned(join(work, 'tls'));
    cert = made;
    strangerCert = selfSigned(join(work, 'tls-stranger'));
    s = await server({ tls: made });
  });

  it('is verified by default: a self-signed certificate fails in one line naming TLS, --cacert and --insecure', async () => {
    const [top, stranger, watch] = await Promise.all([
      cli(['top', `${s.url}/debug/pprof/heap`]),
      cli(['top', `${s.url}/debug/pprof/heap`, '--cacert', strangerCert.certPath]),
      cli(['watch', s.url, '--json', '--count', '1']),
    ]);
    for (const r of [top, stranger]) {
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(oneLine(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^livepprof: TLS handshake with 127\\.0\\.0\\.1:${s.port} failed: .*\\(use --cacert FILE, or --insecure to skip verification\\)$`, 'm'));
    }
    const [poll] = jsonLines(watch.stdout);
    expect(poll!.ok).toBe(false);
    expect(poll!.errorKind).toBe('tls');
    expect(s.connections).toBeGreaterThan(0);
    expect(s.requests).toEqual([]); // no request ever went over an unverified connection
  });

  it('works with --cacert CERT.pem', async () => {
    const r = await cli(['top', `${s.url}/debug/pprof/heap`, '--json', '--cacert', cert.certPath]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rows[0].name).toBe('main.retainSmall');
  });

  it('works with --insecure', async () => {
    const r = await cli(['top', `${s.url}/debug/pprof/heap`, '--json', '--insecure']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rows[0].name).toBe('main.retainSmall');
  });
});

// --- unix socket --------------------------------------------------------------------------------

describe('--unix-socket', () => {
  it('fetches over the socket; the host name is only a Host header (no DNS)', async () => {
    const socketPath = join(work, 'pprof.sock');
    const s = await server({ socketPath });
    const lookups = dnsLookups().length;
    const r = await cli(['top', 'http://localhost/debug/pprof/heap', '--unix-socket', socketPath, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rows[0].name).toBe('main.retainSmall');
    expect(s.requests.map((q) => [q.url, q.headers.host])).toEqual([['/debug/pprof/heap', 'localhost']]);
    expect(dnsLookups().slice(lookups)).toEqual([]);
  });

  it('says so in one line when the socket is not there', async () => {
    const r = await cli(['top', 'http://localhost/debug/pprof/heap', '--unix-socket', join(work, 'missing.sock')]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual(['livepprof: cannot connect to the unix socket for localhost (ENOENT)']);
  });
});

// Last: nothing above looked a name up (the trap logs every dns.lookup / dns.resolve*).
describe('DNS', () => {
  it('was never used by any run of the CLI in this file', () => {
    expect(dnsLookups()).toEqual([]);
  });
});
