// The fetcher's 'proc-smaps-full': /proc/PID/smaps streamed and cut down to the lines parsed,
// bounded in size; recorded and replayed like every other answer.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namedMappingSplit } from '../../src/analysis/named-mappings.js';
import { LiveFetcher } from '../../src/source/fetcher.js';
import { parseSmaps } from '../../src/source/parse-proc.js';
import { openRecording, RecordingWriter, ReplayFetcher } from '../../src/source/recording.js';
import { parseTarget } from '../../src/source/target.js';
import { startTarget, type Target } from '../helpers/go-target.js';
import { requireTool } from '../helpers/require-tool.js';
import { REPO_ROOT } from '../helpers/paths.js';

const PID = 4242;
const named = () => readFile(path.join(REPO_ROOT, 'fixtures/smaps/go126-named.smaps.txt'), 'utf8');

describe("'proc-smaps-full' on a /proc holding the named Go 1.26 smaps", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'livepprof-smaps-'));
    await mkdir(path.join(root, String(PID)));
    await writeFile(path.join(root, String(PID), 'smaps'), await named());
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('keeps only the lines parsed: the same mappings from far fewer bytes', async () => {
    const f = new LiveFetcher(parseTarget('127.0.0.1:6060'), { http: {}, procRoot: root });
    const text = await named();
    const bytes = await f.fetch(1, 'proc-smaps-full', PID);
    expect(bytes.length).toBeLessThan(text.length / 2);
    expect(parseSmaps(new TextDecoder().decode(bytes))).toEqual(parseSmaps(text));
    expect(f.requestCount()).toBe(0); // /proc, not the target
  });

  it('refuses, in one line, a smaps beyond its bound instead of holding it all', async () => {
    const f = new LiveFetcher(parseTarget('127.0.0.1:6060'), { http: {}, procRoot: root, smapsMaxBytes: 4096 });
    await expect(f.fetch(1, 'proc-smaps-full', PID)).rejects.toMatchObject({ kind: 'too-large', message: expect.stringMatching(/smaps has too many mappings \(over 4\.00kB of them\): not read$/) });
  });

  it('says a process is gone when it is', async () => {
    const f = new LiveFetcher(parseTarget('127.0.0.1:6060'), { http: {}, procRoot: root });
    await expect(f.fetch(1, 'proc-smaps-full', PID + 1)).rejects.toMatchObject({ kind: 'not-local', message: `process ${PID + 1} is gone` });
  });

  it('is recorded and replayed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'livepprof-rec-'));
    try {
      const live = new LiveFetcher(parseTarget('127.0.0.1:6060'), { http: {}, procRoot: root });
      const writer = await RecordingWriter.create(path.join(dir, 'rec'), { target: '127.0.0.1:6060', intervalMs: 1000, gc: false });
      const recorded = await writer.wrap(live).fetch(3, 'proc-smaps-full', PID);
      const replay = await new ReplayFetcher(await openRecording(path.join(dir, 'rec'))).load();
      expect(await replay.fetch(3, 'proc-smaps-full')).toEqual(recorded);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});


describe.skipIf(!requireTool('go', "reading a live Go target's smaps"))("'proc-smaps-full' of the live Go fixture target", () => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget({ scenario: 'steady' });
  }, 300_000);
  afterAll(() => target?.stop());

  it('reads every mapping; with no names from this kernel the split says it is not exact', async () => {
    const f = new LiveFetcher(parseTarget(target.url), { http: {} });
    const bytes = await f.fetch(1, 'proc-smaps-full', target.pid);
    const mappings = parseSmaps(new TextDecoder().decode(bytes));
    expect(mappings.length).toBeGreaterThan(10);
    expect(mappings.some((m) => m.pathname === '[stack]')).toBe(true);
    // The target's go.mod predates Go 1.25's default, and this kernel cannot name mappings anyway.
    expect(namedMappingSplit(mappings).named).toBe(false);
  });
});
