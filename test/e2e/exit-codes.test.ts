// Every exit code of the table in src/cli/exit-codes.ts, from the built CLI as a script sees it,
// against a loopback server serving real Go captures (and, for the crash, a real terminal).
// Stopping `watch` by a signal must also leave its output whole: complete JSON lines, no stack.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, SIGNAL_EXIT } from '../../src/cli/exit-codes.js';
import { startCaptureServer, type CaptureServer } from '../helpers/capture-server.js';
import { runCli, spawnCli, waitFor } from '../helpers/cli.js';
import { CLI, GO119 } from '../helpers/paths.js';
import { requireTool } from '../helpers/require-tool.js';
import { startTmux } from '../helpers/tmux.js';

const work = mkdtempSync(join(tmpdir(), 'livepprof-exit-codes-'));
let good: CaptureServer;
let failing: CaptureServer;
/** Fails its first request (the first poll), then answers like `good`. */
let failingFirst: CaptureServer;
beforeAll(async () => {
  good = await startCaptureServer();
  failing = await startCaptureServer({
    route: (_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
      return true;
    },
  });
  let answered = 0;
  failingFirst = await startCaptureServer({
    route: (_req, res) => {
      if (answered++ > 0) return false;
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
      return true;
    },
  });
});
afterAll(async () => {
  await Promise.all([good, failing, failingFirst].map((s) => s?.close()));
  rmSync(work, { recursive: true, force: true });
});

const watch = (url: string, count: number) => runCli(['watch', url, '--json', '--interval', '100ms', '--count', String(count)]);
const polls = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean });

describe('exit codes scripts can trust', () => {
  it('0: every poll of watch succeeded', async () => {
    const r = await watch(good.url, 2);
    expect(polls(r.stdout).map((p) => p.ok)).toEqual([true, true]);
    expect(r.code).toBe(EXIT.ok);
  });

  it('1 (target failed): watch where no poll succeeded, and top on a file that is not there', async () => {
    const w = await watch(failing.url, 2);
    expect(polls(w.stdout).map((p) => p.ok)).toEqual([false, false]);
    expect(w.code).toBe(EXIT.targetFailed);
    const top = await runCli(['top', join(GO119, 'no-such-profile.pb.gz')]);
    expect(top.code).toBe(EXIT.targetFailed);
    expect(top.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('2 (usage): an unknown option', async () => {
    const r = await runCli(['watch', good.url, '--no-such-option']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('3: watch where some polls failed and some succeeded', async () => {
    const r = await watch(failingFirst.url, 3);
    expect(polls(r.stdout).map((p) => p.ok)).toEqual([false, true, true]);
    expect(r.code).toBe(EXIT.somePollsFailed);
  });

  for (const [signal, code] of Object.entries(SIGNAL_EXIT) as Array<[NodeJS.Signals, number]>) {
    it(`${code}: ${signal} stops watch after the poll in flight, its output whole`, async () => {
      const w = spawnCli(['watch', good.url, '--json', '--interval', '100ms']);
      await waitFor(() => w.lines.length >= 2, 15_000, 'two polls');
      w.child.kill(signal);
      expect(await w.done).toBe(code);
      for (const line of w.lines) expect(() => JSON.parse(line), line).not.toThrow();
      expect(w.stderr()).toBe('');
    });
  }

  it('0, quietly: the reader of watch --json goes away (`| head -1`)', async () => {
    const errFile = join(work, 'watch-head.stderr');
    const script = '"$0" "$1" watch "$2" --json --interval 100ms 2>"$3" | head -1; echo "status=${PIPESTATUS[0]}"';
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile('bash', ['-c', script, process.execPath, CLI, good.url, errFile], { timeout: 30_000 }, (e, out) => (e ? reject(e) : resolve(out)));
    });
    const [first, status] = stdout.trim().split('\n');
    expect(() => JSON.parse(first!)).not.toThrow();
    expect(status).toBe(`status=${EXIT.ok}`);
    expect(readFileSync(errFile, 'utf8'), 'no stack trace, no message').toBe('');
  });

  it('0, quietly: the reader of record goes away (`2>&1 | head -2`), and what it recorded replays', async () => {
    const out = join(work, 'rec');
    const script = '"$0" "$1" record "$2" --out "$3" --interval 100ms 2>&1 | head -2 >/dev/null; echo "status=${PIPESTATUS[0]}"';
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile('bash', ['-c', script, process.execPath, CLI, good.url, out], { timeout: 30_000 }, (e, o) => (e ? reject(e) : resolve(o)));
    });
    expect(stdout.trim()).toBe(`status=${EXIT.ok}`);
    const recorded = readFileSync(join(out, 'timeline.jsonl'), 'utf8').trim().split('\n');
    expect(recorded.length).toBeGreaterThan(0);
    const replay = await runCli(['replay', out, '--speed', '0', '--json']);
    expect(replay.code).toBe(EXIT.ok);
    expect(polls(replay.stdout)).toHaveLength(recorded.length);
  });
});

describe.skipIf(!requireTool('tmux', 'the internal-error exit code (a crash in the full-screen view)'))('exit codes in the full-screen view', () => {
  it('70 (internal): a crash, after one line saying it is a bug', async () => {
    const s = await startTmux({ command: [process.execPath, CLI, join(GO119, 'heap.pb.gz')], env: { LIVEPPROF_CRASH_AFTER_MS: '1500' } });
    try {
      expect(await s.waitForExit()).toBe(EXIT.internal);
      expect(await s.capture({ joinWrapped: true })).toMatch(/livepprof: crashed: injected crash .* \(this is a bug/);
    } finally {
      await s.kill();
    }
  });
});
