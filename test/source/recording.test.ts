// The recording format: new recordings name their version in a FORMAT file (2: with what the
// full-screen view fetched on demand); the recordings in fixtures/recordings, made before
// there was one (version 1), still replay; a newer format is refused in one line; and the
// goroutine?debug=2 dumps a user opened are served back poll by poll.

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLivepprofError } from '../../src/errors.js';
import { openRecording, RecordingWriter, ReplayFetcher } from '../../src/source/recording.js';
import { Session } from '../../src/session/session.js';
import type { PollRecord } from '../../src/analysis/poll-record.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { FixtureFetcher, fixtureBytes } from '../ui/fixture-session.js';

const FIXTURES = join(REPO_ROOT, 'fixtures/recordings');
const work = mkdtempSync(join(tmpdir(), 'livepprof-recording-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the poll logic over a recording at full speed; returns its records. */
async function replay(dir: string): Promise<PollRecord[]> {
  const rec = await openRecording(dir);
  const records: PollRecord[] = [];
  const session = new Session(await new ReplayFetcher(rec).load(), {
    intervalMs: rec.meta.intervalMs,
    count: rec.seqs.length,
    delay: () => 0,
    onRecord: (r) => void records.push(r),
  });
  await session.start();
  return records;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(isLivepprofError(e), String(e)).toBe(true);
  return e as Error;
}

/** Records `polls` polls of the fixture captures, fetching goroutine?debug=2 after the polls in `dumpsAfter`. */
async function record(dir: string, polls: number, dumpsAfter: number[], force = false): Promise<void> {
  const writer = await RecordingWriter.create(dir, { target: '127.0.0.1:6060', intervalMs: 5000, gc: false }, force);
  const fetcher = writer.wrap(new FixtureFetcher());
  const session = new Session(fetcher, {
    count: polls,
    delay: () => 0,
    onRecord: async (r) => {
      await writer.appendRecord(r);
      if (dumpsAfter.includes(r.seq)) await fetcher.fetch(r.seq, 'goroutine-debug2');
    },
  });
  await session.start();
}

describe('recordings made before the format had a version (fixtures/recordings)', () => {
  // matrix/ holds the verdict matrix's recordings (format 2, with their truth): not one of these.
  const dirs = readdirSync(FIXTURES).filter((n) => n !== 'matrix' && statSync(join(FIXTURES, n)).isDirectory());
  it('are there, without a FORMAT file', () => {
    expect(dirs.length).toBeGreaterThanOrEqual(5);
    for (const d of dirs) expect(readdirSync(join(FIXTURES, d))).not.toContain('FORMAT');
  });
  for (const d of dirs) {
    it(`${d}: opens as version 1 and replays to the recorded timeline`, async () => {
      const rec = await openRecording(join(FIXTURES, d));
      expect(rec.version).toBe(1);
      const records = await replay(join(FIXTURES, d));
      expect(records.map((r) => [r.seq, r.ok])).toEqual((rec.timeline as PollRecord[]).map((r) => [r.seq, r.ok]));
    });
  }

  it('have no goroutine?debug=2 dump, and a replay says how to record one', async () => {
    const fetcher = await new ReplayFetcher(await openRecording(join(FIXTURES, 'goroutine-leak'))).load();
    const e = await rejection(fetcher.fetch(5, 'goroutine-debug2'));
    expect(e.message).toBe(
      'this recording holds no goroutine?debug=2 dump: `livepprof record` fetches nothing on demand; record from the full-screen view (`livepprof TARGET --record DIR`) and open a group there',
    );
  });
});

describe('a new recording', () => {
  const dir = join(work, 'new');
  it('names its format in FORMAT (version 2), private like the rest', async () => {
    await record(dir, 3, []);
    expect(readFileSync(join(dir, 'FORMAT'), 'utf8')).toBe('livepprof-recording 2\n');
    expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).version).toBe(2);
    expect(statSync(join(dir, 'FORMAT')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const rec = await openRecording(dir);
    expect(rec.version).toBe(2);
    expect((await replay(dir)).map((r) => r.ok)).toEqual([true, true, true]);
  });

  it('--force over another recording replaces its FORMAT too', async () => {
    const other = join(work, 'over-other');
    cpSync(join(FIXTURES, 'steady'), other, { recursive: true });
    writeFileSync(join(other, 'FORMAT'), 'livepprof-recording 3\n');
    await record(other, 1, [], true);
    expect(readFileSync(join(other, 'FORMAT'), 'utf8')).toBe('livepprof-recording 2\n');
    expect((await openRecording(other)).seqs).toEqual([1]);
  });

  it('of a newer format than this livepprof reads is refused in one line', async () => {
    const newer = join(work, 'newer');
    cpSync(dir, newer, { recursive: true });
    writeFileSync(join(newer, 'FORMAT'), 'livepprof-recording 3\n');
    const e = await rejection(openRecording(newer));
    expect(e.message).toBe(`${newer} is a recording of another format (version 3); this livepprof reads versions 1 and 2: replay it with the livepprof that made it`);
    writeFileSync(join(newer, 'FORMAT'), 'something else\n');
    expect((await rejection(openRecording(newer))).message).toMatch(/FORMAT does not name a livepprof recording format/);
  });
});

describe('goroutine?debug=2 dumps fetched on demand (a group opened in the full-screen view)', () => {
  const dir = join(work, 'dumps');
  it('are saved in the poll they followed, and replayed as the latest one up to the poll asked for', async () => {
    await record(dir, 6, [2, 5]);
    const saved = readdirSync(join(dir, 'polls')).filter((p) => readdirSync(join(dir, 'polls', p)).includes('goroutine-debug2.txt'));
    expect(saved).toEqual(['000002', '000005']);
    const fetcher = await new ReplayFetcher(await openRecording(dir)).load();
    const dump = fixtureBytes('goroutine.debug2.txt');
    for (const seq of [2, 3, 4, 5, 6]) expect(Buffer.compare(Buffer.from(await fetcher.fetch(seq, 'goroutine-debug2')), Buffer.from(dump)), `poll ${seq}`).toBe(0);
    // Before the first dump: not one from the future, but when it comes.
    expect((await rejection(fetcher.fetch(1, 'goroutine-debug2'))).message).toBe(
      'no goroutine?debug=2 dump was recorded by poll 1; the first one is at poll 2: open the group again then',
    );
  });
});
