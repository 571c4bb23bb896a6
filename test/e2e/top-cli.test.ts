// The built CLI as a user runs it: `livepprof top` on files and on URLs served by a loopback
// server that answers well and badly. Every failure is one line on stderr and a non-zero exit.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, GO119, REPO_ROOT } from '../helpers/paths.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function expectOneLineError(r: Result, code: number, re: RegExp): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^livepprof: /);
  expect(lines[0]).toMatch(re);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

let server: Server;
let base = '';
let freePort = 0;
const heap = readFileSync(join(GO119, 'heap.pb.gz'));

beforeAll(async () => {
  server = createServer((req, res) => {
    switch (req.url) {
      case '/debug/pprof/heap':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(heap);
        return;
      case '/login':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!DOCTYPE html><html><head><title>Sign in - Corp SSO</title></head><body>…</body></html>');
        return;
      case '/debug/pprof/profile':
        res.writeHead(500, { 'content-type': 'text/plain', 'x-go-pprof': '1' });
        res.end('Could not enable CPU profiling: cpu profiling already in use\n');
        return;
      case '/debug/pprof/heap?debug=1':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(readFileSync(join(GO119, 'heap.debug1.txt')));
        return;
      case '/slow':
        return; // never answers
      case '/cut':
        res.writeHead(200, { 'content-length': String(heap.length) });
        res.write(heap.subarray(0, 300));
        setTimeout(() => res.destroy(), 50);
        return;
      case '/elsewhere':
        res.writeHead(302, { location: 'http://sso.example.invalid/login' });
        res.end();
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('404 page not found\n');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port nothing listens on: bind, note it, close.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  freePort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('livepprof top', () => {
  it('prints the pprof table for a file, exactly as go tool pprof -top does', async () => {
    const r = await cli(['top', join(GO119, 'heap-gc1.pb.gz')], { TZ: 'UTC' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(REPO_ROOT, 'fixtures/golden/top/heap-gc1.pb.gz.txt'), 'utf8'));
  });

  it('prints one JSON object with raw values', async () => {
    const r = await cli(['top', join(GO119, 'heap-gc1.pb.gz'), '--json', '--nodecount', '2']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ sampleType: 'inuse_space', unit: 'bytes', total: 19591546 });
    expect(json.rows.map((r: { name: string }) => r.name)).toEqual(['main.retainSmall', 'main.retainLarge']);
    for (const row of json.rows) {
      expect(Number.isInteger(row.flat) && Number.isInteger(row.cum)).toBe(true);
      expect(row.flat).toBeGreaterThan(8_000_000); // two 8 MiB retention sites
    }
  });

  it('fetches a URL', async () => {
    const r = await cli(['top', `${base}/debug/pprof/heap`, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rows[0].name).toBe('main.retainSmall');
  });

  it('accepts pprof-style flags (-nodecount=1, --sample_index)', async () => {
    const r = await cli(['top', join(GO119, 'heap-gc1.pb.gz'), '--json', '-nodecount=1', '--sample_index', 'alloc_objects']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.sampleType).toBe('alloc_objects');
    expect(json.rows).toHaveLength(1);
  });

  it('fails cleanly on a refused connection', async () => {
    expectOneLineError(await cli(['top', `http://127.0.0.1:${freePort}/debug/pprof/heap`]), 1, /connection refused by 127\.0\.0\.1:\d+/);
  });

  it('fails cleanly on an HTTP error, quoting the body', async () => {
    expectOneLineError(await cli(['top', `${base}/debug/pprof/profile`]), 1, /HTTP 500 .*cpu profiling already in use/);
    expectOneLineError(await cli(['top', `${base}/debug/pprof/nothing`]), 1, /HTTP 404 .*404 page not found/);
  });

  it('names an HTML page instead of a profile', async () => {
    expectOneLineError(await cli(['top', `${base}/login`]), 1, /HTML page/);
  });

  it('explains the debug=1 text format', async () => {
    expectOneLineError(await cli(['top', `${base}/debug/pprof/heap?debug=1`]), 1, /legacy text heap format.*without \?debug=1/);
  });

  it('times out', async () => {
    expectOneLineError(await cli(['top', `${base}/slow`, '--timeout', '300ms']), 1, /no answer from 127\.0\.0\.1:\d+ within 300ms/);
  });

  it('detects a body cut off mid-transfer', async () => {
    expectOneLineError(await cli(['top', `${base}/cut`]), 1, /cut off|truncated/);
  });

  it('refuses a redirect to another host', async () => {
    expectOneLineError(await cli(['top', `${base}/elsewhere`]), 1, /redirected to another host \(sso\.example\.invalid\)/);
  });

  it('refuses a response larger than --max-bytes', async () => {
    expectOneLineError(await cli(['top', `${base}/debug/pprof/heap`, '--max-bytes', '100']), 1, /larger than the --max-bytes limit of 100 bytes/);
  });

  it('--max-bytes takes a size with a unit too', async () => {
    expectOneLineError(await cli(['top', `${base}/debug/pprof/heap`, '--max-bytes', '0.5KiB']), 1, /larger than the --max-bytes limit of 512 bytes/);
    expectOneLineError(await cli(['top', `${base}/debug/pprof/heap`, '--max-bytes', '0']), 2, /--max-bytes must be a size like 1048576, 512MiB or 1GiB, not "0"/);
  });

  it('--max-inflated (the gzip-bomb cap) is in the help of every command that decodes a profile, with its default', async () => {
    const helps = await Promise.all([['top'], ['watch'], ['record'], ['replay'], ['127.0.0.1:1']].map((c) => cli([...c, '--help'])));
    for (const r of helps) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/--max-inflated SIZE[\s\S]*gzip bomb \(default 256MiB\)/);
    }
  });

  it('reports usage errors with exit code 2', async () => {
    expectOneLineError(await cli(['top', join(GO119, 'heap.pb.gz'), '--bogus']), 2, /unknown option --bogus/);
    expectOneLineError(await cli(['top']), 2, /missing argument/);
    expectOneLineError(await cli(['top', join(GO119, 'heap.pb.gz'), '--granularity', 'words']), 2, /--granularity must be one of/);
    expectOneLineError(await cli(['top', join(GO119, 'heap.pb.gz'), '--focus', '(']), 2, /invalid focus regexp/);
    expectOneLineError(await cli(['top', join(GO119, 'heap.pb.gz'), '--sample-index', 'cpu']), 2, /not in this profile/);
  });

  it('watch: a path that is not a recording, or a duration too long for a timer, is a usage error, not a host name to look up', async () => {
    expectOneLineError(await cli(['watch', '/nonexistent/rec']), 2, /no such file or directory: \/nonexistent\/rec/);
    expectOneLineError(await cli(['watch', 'heap.pb.gz']), 2, /no such file or directory: heap\.pb\.gz/);
    expectOneLineError(await cli(['watch', GO119]), 2, /is a directory but not a livepprof recording/);
    expectOneLineError(await cli(['watch', join(GO119, 'heap.pb.gz')]), 2, /is a file, not a target.*livepprof top FILE/);
    expectOneLineError(await cli(['watch', base, '--interval', '600h']), 2, /--interval 600h is too long; at most 24h/);
    expectOneLineError(await cli(['watch', base, '--timeout', '1000h']), 2, /--timeout 1000h is too long/);
  });

  it('says when a file does not exist', async () => {
    expectOneLineError(await cli(['top', '/nonexistent/heap.pb.gz']), 1, /no such file: \/nonexistent\/heap\.pb\.gz/);
  });

  it('has help generated from its option table', async () => {
    const r = await cli(['top', '--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--sample-index', '--nodecount', '--granularity', '--focus', '--ignore', '--hide', '--show', '--base', '--cum', '--json', '--timeout']) {
      expect(r.stdout).toContain(opt);
    }
  });

  it('warns when a --header secret is on the command line, and never prints its value', async () => {
    const r = await cli(['top', `${base}/debug/pprof/heap`, '--json', '--header', 'Authorization: Bearer s3cr3t-token']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: --header authorization is visible/);
    expect(r.stderr + r.stdout).not.toContain('s3cr3t-token');
  });
});
