// watch / record / replay against the real Go fixture target: the figures agree with what the
// target reports about itself, RSS comes from /proc, a leak shows, a restart is survived and
// flagged, and a recording replays to the same timeline.

import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTarget, type Target } from '../helpers/go-target.js';
import { requireTool } from '../helpers/require-tool.js';
import { runCli, spawnCli, waitFor } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/paths.js';

const haveGo = requireTool('go', 'watch/record/replay against the Go target');

interface WatchLine {
  time: string;
  ok: boolean;
  error?: string;
  restarted?: boolean;
  rss: number | null;
  rssSource: string | null;
  lazyFree: number | null;
  heapAlloc: number | null;
  heapInuse: number | null;
  heapIdle: number | null;
  heapReleased: number | null;
  heapSys: number | null;
  sys: number | null;
  numGC: number | null;
  nextGC: number | null;
  goroutines: number | null;
  seq: number;
}

const targets: Target[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function target(scenario: string, args: string[] = [], env: Record<string, string> = {}): Promise<Target> {
  const t = await startTarget({ scenario, args, env });
  targets.push(t);
  return t;
}

function parseLines(stdout: string): WatchLine[] {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as WatchLine);
}

/** Within `tolerance` of the range the target reported before and after: a young process still grows its heap. */
const bracketed = (got: number, a: number, b: number, tolerance: number) => got >= Math.min(a, b) * (1 - tolerance) && got <= Math.max(a, b) * (1 + tolerance);

describe.skipIf(!haveGo)('watch against the Go fixture target', () => {
  it('reports figures that agree with the target\'s own view, with RSS from /proc', async () => {
    const t = await target('steady');
    // The target's own view before the polls and after them: on a loaded machine the young
    // process is still growing its heap, so one reading after the last poll is a moving mark.
    const truthOf = async () => (await (await fetch(`${t.url}/truth`)).json()) as Record<string, number>;
    const before = await truthOf();
    const r = await runCli(['watch', t.url, '--json', '--interval', '500ms', '--count', '3']);
    expect(r.code).toBe(0);
    const lines = parseLines(r.stdout);
    expect(lines).toHaveLength(3);
    const truth = await truthOf();
    const last = lines[2]!;
    expect(last.ok).toBe(true);
    expect(last.rssSource).toBe('proc');
    for (const key of ['time', 'ok', 'rss', 'rssSource', 'lazyFree', 'heapAlloc', 'heapInuse', 'heapIdle', 'heapReleased', 'heapSys', 'sys', 'numGC', 'goroutines']) {
      expect(last, key).toHaveProperty(key);
    }
    expect(bracketed(last.rss!, before.rssBytes!, truth.rssBytes!, 0.25), `rss ${last.rss} vs ${before.rssBytes}…${truth.rssBytes}`).toBe(true);
    expect(bracketed(last.heapSys!, before.heapSys!, truth.heapSys!, 0.25), `heapSys ${last.heapSys} vs ${before.heapSys}…${truth.heapSys}`).toBe(true);
    expect(bracketed(last.sys!, before.sys!, truth.sys!, 0.25), `sys ${last.sys} vs ${before.sys}…${truth.sys}`).toBe(true);
    // The truth is read after the last poll: in between, the heap in use moves between the live
    // heap and the goal (half the goal at GOGC=100), however steady the service.
    const inuseSlack = Math.max(0.25 * truth.heapInuse!, 2 << 20, (last.nextGC ?? 0) / 2);
    expect(Math.abs(last.heapInuse! - truth.heapInuse!), `heapInuse ${last.heapInuse} vs ${truth.heapInuse} (goal ${last.nextGC})`).toBeLessThanOrEqual(inuseSlack);
    expect(Math.abs(last.goroutines! - truth.goroutines!)).toBeLessThanOrEqual(2);
    expect(last.numGC!).toBeLessThanOrEqual(truth.numGC!);
    expect(Number.isInteger(last.rss) && Number.isInteger(last.heapInuse)).toBe(true);
  });

  it('sees the heap of a leaking target grow across polls', async () => {
    const t = await target('heap-leak', ['-rate', '8']);
    const r = await runCli(['watch', t.url, '--json', '--interval', '700ms', '--count', '5']);
    const lines = parseLines(r.stdout);
    expect(lines.every((l) => l.ok)).toBe(true);
    expect(lines[4]!.heapInuse!).toBeGreaterThan(lines[0]!.heapInuse! + 8 * 2 ** 20);
    expect(lines[4]!.rss!).toBeGreaterThan(lines[0]!.rss!);
  });

  it('survives the target being killed and restarted, and flags the restart', async () => {
    const t = await target('steady');
    const w = spawnCli(['watch', t.url, '--json', '--interval', '300ms', '--count', '30', '--timeout', '1s']);
    await waitFor(() => w.lines.length >= 2, 15_000, 'two polls');
    const oldPid = t.pid;
    await t.stop();
    await waitFor(() => w.lines.some((l) => (JSON.parse(l) as WatchLine).ok === false), 10_000, 'a failed poll');
    await t.restart();
    expect(t.pid).not.toBe(oldPid);
    await waitFor(() => w.lines.some((l) => (JSON.parse(l) as WatchLine).restarted === true), 20_000, 'a poll flagging the restart');
    w.child.kill('SIGINT');
    expect(await w.done, 'stopped by SIGINT').toBe(130);
    const lines = w.lines.map((l) => JSON.parse(l) as WatchLine);
    const failed = lines.filter((l) => !l.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.error).toMatch(/connection refused|closed|cut off/);
    const restarted = lines.find((l) => l.restarted)!;
    expect(restarted.ok).toBe(true);
    expect(lines.indexOf(restarted)).toBeGreaterThan(lines.indexOf(failed[0]!));
  });
});

describe.skipIf(!haveGo)('record and replay', () => {
  it('replays a recording to the same timeline, with private files', async () => {
    const t = await target('goroutine-leak');
    const dir = mkdtempSync(join(tmpdir(), 'livepprof-rec-'));
    dirs.push(dir);
    const out = join(dir, 'rec');
    const rec = await runCli(['record', t.url, '--out', out, '--interval', '400ms', '--count', '5', '--quiet']);
    expect(rec.code).toBe(0);
    expect(rec.stderr).toMatch(/recorded 5 polls/);
    const recorded = readFileSync(join(out, 'timeline.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as WatchLine);
    expect(recorded).toHaveLength(5);

    const replay = await runCli(['replay', out, '--speed', '0', '--json']);
    expect(replay.code).toBe(0);
    // watch --json adds the verdict (derived, not recorded); the records themselves are equal.
    const replayed = parseLines(replay.stdout).map(({ verdict, ...l }: WatchLine & { verdict?: unknown }) => {
      expect(verdict).toBeDefined();
      return { ...l, time: Date.parse(l.time) };
    });
    expect(replayed).toEqual(recorded.map((r) => ({ ...r })));

    // Modes: the directory 0700, every file 0600.
    expect(statSync(out).mode & 0o777).toBe(0o700);
    const files = readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect(statSync(join(f.parentPath, f.name)).mode & 0o777).toBe(0o600);

    // An existing recording is not overwritten without --force.
    const again = await runCli(['record', t.url, '--out', out, '--count', '1']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/not empty.*--force/);

    // watch takes a recording as its target too.
    const watched = await runCli(['watch', out, '--speed', '0', '--json', '--count', '2']);
    expect(parseLines(watched.stdout)).toHaveLength(2);
  });
});

describe('replay of a damaged recording', () => {
  it('a poll whose clock file was lost (a crash mid-recording) still replays, one interval after the poll before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'livepprof-rec-'));
    dirs.push(dir);
    const rec = join(dir, 'rec');
    cpSync(join(REPO_ROOT, 'fixtures/recordings/heap-leak'), rec, { recursive: true });
    const polls = readdirSync(join(rec, 'polls')).length;
    const t2 = Number(readFileSync(join(rec, 'polls/000002/time.txt'), 'utf8'));
    rmSync(join(rec, 'polls/000003/time.txt'));
    // …and the timeline line that also holds its time.
    const timeline = readFileSync(join(rec, 'timeline.jsonl'), 'utf8').split('\n');
    writeFileSync(join(rec, 'timeline.jsonl'), timeline.filter((l) => !l.startsWith('{"seq":3,')).join('\n'));
    const interval = (JSON.parse(readFileSync(join(rec, 'meta.json'), 'utf8')) as { intervalMs: number }).intervalMs;

    const replay = await runCli(['replay', rec, '--speed', '0', '--json']);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    const lines = parseLines(replay.stdout);
    expect(lines).toHaveLength(polls);
    expect(lines[2]!.ok).toBe(true);
    expect(Date.parse(lines[2]!.time)).toBe(t2 + interval);
  });
});
