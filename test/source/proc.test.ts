import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcReader, readRawFile } from '../../src/source/proc.js';
import { startTarget, type Target } from '../helpers/go-target.js';
import { requireTool } from '../helpers/require-tool.js';
import { CAPTURED_PID, MADVFREE_PID, buildFakeProc, type FakeProc } from './fake-proc.js';
import { readFixture } from './go119-fixtures.js';

const KiB = 1024;

describe('ProcReader on a fake /proc built from the Go 1.19 captures', () => {
  let fake: FakeProc;
  beforeAll(async () => {
    fake = await buildFakeProc();
  });
  afterAll(() => fake.cleanup());

  it('reads status: raw text as captured, parsed sizes in bytes', async () => {
    const status = await new ProcReader(CAPTURED_PID, fake.root).readStatus();
    expect(status?.raw).toBe(readFixture('proc/status.default.0-start.txt'));
    expect(status?.parsed).toMatchObject({
      name: 'capturedemo',
      pid: CAPTURED_PID,
      vmRSS: 24572 * KiB,
      rssAnon: 19084 * KiB,
      rssFile: 5488 * KiB,
      threads: 6,
    });
  });

  it('reads smaps_rollup, including LazyFree from the MADV_FREE run', async () => {
    const rollup = await new ProcReader(CAPTURED_PID, fake.root).readSmapsRollup();
    expect(rollup?.parsed).toMatchObject({ rss: 24572 * KiB, anonymous: 19084 * KiB, lazyFree: 0 });
    const madvfree = await new ProcReader(MADVFREE_PID, fake.root).readSmapsRollup();
    expect(madvfree?.parsed).toMatchObject({ rss: 299416 * KiB, lazyFree: 263128 * KiB });
  });

  it('reads starttime after the last `)` of stat, whatever comm contains', async () => {
    const start = await new ProcReader(CAPTURED_PID, fake.root).readStartTime();
    expect(start?.parsed).toBe(4_200_042);
    expect(start?.raw).toMatch(/^21360 \(evil\) name\) S /);
  });

  it('reads cmdline as argv (the kernel trailing NUL dropped, raw kept)', async () => {
    const cmdline = await new ProcReader(CAPTURED_PID, fake.root).readCmdline();
    expect(cmdline?.parsed).toEqual(['/src/bin/capturedemo', '-addr', '127.0.0.1:6060']);
    expect(cmdline?.raw.endsWith('\0')).toBe(true);
  });

  it('alive: true for a running process, false for a zombie and for a missing pid', async () => {
    expect(await new ProcReader(CAPTURED_PID, fake.root).alive()).toBe(true);
    expect(await new ProcReader(400, fake.root).alive()).toBe(false);
    expect(await new ProcReader(999_999, fake.root).alive()).toBe(false);
  });

  it('returns null, not an error, for a gone process and for each missing or unreadable file', async () => {
    const gone = new ProcReader(999_999, fake.root);
    expect(await gone.readStatus()).toBeNull();
    expect(await gone.readSmapsRollup()).toBeNull();
    expect(await gone.readStartTime()).toBeNull();
    expect(await gone.readCmdline()).toBeNull();

    // pid 1 has stat only: an old kernel without smaps_rollup, a container hiding status.
    const partial = new ProcReader(1, fake.root);
    expect(await partial.readSmapsRollup()).toBeNull();
    expect(await partial.readStatus()).toBeNull();
    expect((await partial.readStartTime())?.parsed).toBe(1);

    // Running as root, EACCES cannot be provoked with chmod; EISDIR goes down the same path.
    const odd = path.join(fake.root, '5000');
    await mkdir(path.join(odd, 'status'), { recursive: true });
    expect(await new ProcReader(5000, fake.root).readStatus()).toBeNull();
    expect(await readRawFile(path.join(fake.root, 'nope', 'status'))).toBeNull();
  });

  it('returns null for a stat line without starttime', async () => {
    const dir = path.join(fake.root, '5001');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'stat'), '5001 (short) S 1 2 3\n');
    expect(await new ProcReader(5001, fake.root).readStartTime()).toBeNull();
  });
});


interface Truth {
  pid: number;
  rssBytes: number;
}

async function fetchTruth(target: Target): Promise<Truth> {
  return (await (await fetch(`${target.url}/truth`)).json()) as Truth;
}

describe.skipIf(!requireTool('go', 'ProcReader on the live Go target'))('ProcReader on the live Go fixture target', () => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget();
  });
  afterAll(() => target?.stop());

  it('reads VmRSS within 25% of what the target says about itself, and smaps_rollup, stat, cmdline', async () => {
    const reader = new ProcReader(target.pid);
    // A fresh target grows by ~1 MB on its first HTTP request (of ~6 MB): warm it up first so the
    // comparison measures the reader, not the growth between two reads.
    await fetchTruth(target);
    const status = await reader.readStatus();
    const truth = await fetchTruth(target);
    expect(truth.pid).toBe(target.pid);
    const rss = status!.parsed.vmRSS!;
    expect(Math.abs(rss - truth.rssBytes) / truth.rssBytes).toBeLessThan(0.25);

    const rollup = await reader.readSmapsRollup();
    const statusAgain = (await reader.readStatus())!.parsed.vmRSS!;
    expect(rollup!.parsed.rss).toBeGreaterThan(1 << 20);
    expect(Math.abs(rollup!.parsed.rss! - statusAgain) / statusAgain).toBeLessThan(0.25);
    expect((await reader.readStartTime())!.parsed).toBeGreaterThan(0);
    expect((await reader.readCmdline())!.parsed[0]).toMatch(/target$/);
    expect(await reader.alive()).toBe(true);
  });

  it('returns null once the target has stopped', async () => {
    const reader = new ProcReader(target.pid);
    await target.stop();
    expect(await reader.readStatus()).toBeNull();
    expect(await reader.readSmapsRollup()).toBeNull();
    expect(await reader.readStartTime()).toBeNull();
    expect(await reader.alive()).toBe(false);
  });
});
