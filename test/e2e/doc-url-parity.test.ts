// What newer profile writers put in a profile and the Go runtime does not: a doc_url (field 15,
// printed by pprof as `Doc: URL` under `Type:`) and column numbers on lines (which `-lines` leaves
// out unless asked for with -showcolumns). The fixture target's profiles are rewritten with
// github.com/google/pprof/profile (fixtures/profile-rewrite), and `livepprof top` must print what
// the machine's `go tool pprof -top` prints, byte for byte.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGoProgram, writeProfiles } from '../helpers/go-target.js';
import { requireTool } from '../helpers/require-tool.js';
import { CLI } from '../helpers/paths.js';

const run = promisify(execFile);
const haveGo = requireTool('go', 'doc_url parity with go tool pprof');

const DOCS: Record<string, string> = {
  'heap.pb.gz': 'https://pkg.go.dev/runtime/pprof#Profile',
  'cpu.pb.gz': 'https://go.dev/doc/diagnostics#profiling',
  'goroutine.pb.gz': 'https://pkg.go.dev/runtime/pprof#Lookup',
};
const env = { ...process.env, TZ: 'UTC' };

describe.skipIf(!haveGo)('top on profiles with doc_url and line columns, as go tool pprof -top prints it', () => {
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'livepprof-docurl-'));
    const [rewrite] = await Promise.all([buildGoProgram('profile-rewrite'), writeProfiles(dir)]);
    await Promise.all(Object.entries(DOCS).map(([f, url]) => run(rewrite, ['-doc', url, join(dir, f), join(dir, `doc-${f}`)])));
  }, 240_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // -files is left out: pprof orders a file's inlined and outer nodes of equal weight by map order.
  const cases = Object.keys(DOCS).flatMap((f) => [
    { file: `doc-${f}`, pprof: [] as string[], ours: [] as string[] },
    { file: `doc-${f}`, pprof: ['-lines'], ours: ['--granularity=lines'] },
  ]);
  for (const c of cases) {
    it.concurrent(`${c.file} ${c.pprof.join(' ')}`, async () => {
      const [want, got] = await Promise.all([
        run('go', ['tool', 'pprof', '-top', '-symbolize=none', ...c.pprof, join(dir, c.file)], { env, maxBuffer: 16 << 20 }),
        run(process.execPath, [CLI, 'top', join(dir, c.file), ...c.ours], { env, maxBuffer: 16 << 20 }),
      ]);
      const lines = got.stdout.split('\n');
      expect(lines[lines.findIndex((l) => l.startsWith('Type: ')) + 1]).toBe(`Doc: ${DOCS[c.file.slice('doc-'.length)]}`);
      // Columns are in the profile, but -lines prints file:line as pprof does without -showcolumns.
      if (c.pprof.includes('-lines')) expect(got.stdout).toMatch(/\.go:\d+( \(inline\))?\n/);
      expect(got.stdout).toBe(want.stdout);
    });
  }

  it('a profile without doc_url has no Doc line (the runtime writes none)', async () => {
    const got = await run(process.execPath, [CLI, 'top', join(dir, 'heap.pb.gz')], { env });
    expect(got.stdout).not.toMatch(/^Doc:/m);
  });
});
