import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCmdline, readRawFile } from '../../src/source/proc.js';
import { CAPTURED_PID, buildFakeProc, type FakeProc } from './fake-proc.js';
import { readFixture } from './go119-fixtures.js';

describe('reading /proc on a fake tree built from the Go 1.19 captures', () => {
  let fake: FakeProc;
  beforeAll(async () => {
    fake = await buildFakeProc();
  });
  afterAll(() => fake.cleanup());

  it('reads a file as captured', async () => {
    expect(await readRawFile(path.join(fake.root, String(CAPTURED_PID), 'status'))).toBe(readFixture('proc/status.default.0-start.txt'));
  });

  it('reads cmdline as argv (the kernel trailing NUL dropped)', async () => {
    expect(await readCmdline(CAPTURED_PID, fake.root)).toEqual(['/src/bin/capturedemo', '-addr', '127.0.0.1:6060']);
  });

  it('returns null, not an error, for a gone process and for an unreadable file', async () => {
    expect(await readCmdline(999_999, fake.root)).toBeNull();
    expect(await readRawFile(path.join(fake.root, 'nope', 'status'))).toBeNull();
    // Running as root, EACCES cannot be provoked with chmod; EISDIR goes down the same path.
    const odd = path.join(fake.root, '5000');
    await mkdir(path.join(odd, 'status'), { recursive: true });
    expect(await readRawFile(path.join(odd, 'status'))).toBeNull();
  });
});
