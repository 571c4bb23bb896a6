// Tests cannot silently vanish: a test that needs a missing tool skips with a reason in a hand
// run and fails under CI=true (test/helpers/require-tool.ts), and the README lists which test
// files need which tool — root among them.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/paths.js';
import { readmeBlock } from './helpers/readme-block.js';
import { toolsByTestFile, toolTableMarkdown } from './helpers/require-tool.js';

const dir = mkdtempSync(join(tmpdir(), 'livepprof-require-tool-'));
const bin = join(dir, 'bin');
const config = join(dir, 'vitest.config.mjs');
beforeAll(() => {
  // A PATH with node and nothing else: no tmux, whatever this machine has.
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const tool = `'tmux'`; // spelled out here so the README scan below does not count this file
  writeFileSync(
    join(dir, 'needs-tmux.test.ts'),
    [
      `import { describe, expect, it } from 'vitest';`,
      `import { requireTool } from ${JSON.stringify(join(REPO_ROOT, 'test/helpers/require-tool.ts'))};`,
      `describe.skipIf(!requireTool(${tool}, 'the fixture terminal tests'))('needs tmux', () => {`,
      `  it('runs in tmux', () => expect(1).toBe(1));`,
      `});`,
      `it('needs nothing', () => expect(1).toBe(1));`,
    ].join('\n'),
  );
  writeFileSync(config, `export default { test: { root: ${JSON.stringify(dir)}, include: ['needs-tmux.test.ts'], reporters: ['verbose'] } };`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs vitest on a test file that needs tmux, where there is none. */
function runWithoutTmux(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const vitest = join(REPO_ROOT, 'node_modules/vitest/vitest.mjs');
  const base: NodeJS.ProcessEnv = { PATH: bin, HOME: process.env.HOME ?? dir, NO_COLOR: '1' };
  return new Promise((resolve) => {
    execFile(process.execPath, [vitest, 'run', '--config', config], { cwd: REPO_ROOT, env: { ...base, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

describe('requireTool', () => {
  it('in a hand run: the tests that need the missing tool skip, and the run says why', async () => {
    const r = await runWithoutTmux({});
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/SKIPPED the fixture terminal tests: `tmux` is not on PATH/);
    expect(r.output).toMatch(/1 passed \| 1 skipped/);
  });

  it('under CI=true: the run fails, naming the missing tool', async () => {
    const r = await runWithoutTmux({ CI: 'true' });
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toMatch(/the fixture terminal tests: needs tmux/);
    expect(r.output).toMatch(/`tmux` is not on PATH.*CI=true: a missing tool fails the run/);
    expect(r.output).not.toMatch(/SKIPPED/);
  });
});

function testFiles(d: string): string[] {
  return readdirSync(d).flatMap((name) => {
    const p = join(d, name);
    return statSync(p).isDirectory() ? testFiles(p) : /\.test\.tsx?$/.test(name) ? [p] : [];
  });
}

it('the README lists the test files that need each tool (root, network namespaces, go, tmux, …)', () => {
  const rows = toolsByTestFile(testFiles(join(REPO_ROOT, 'test')).map((p) => ({ path: relative(REPO_ROOT, p), text: readFileSync(p, 'utf8') })));
  expect(rows.map((r) => r.path)).toContain('test/e2e/tui.test.ts');
  expect(readmeBlock('test-tools', toolTableMarkdown(rows)), 'README test-tools block (UPDATE_README=1 rewrites it)').toBe(toolTableMarkdown(rows));
});
