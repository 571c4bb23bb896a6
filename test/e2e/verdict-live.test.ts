// Each scenario of the Go fixture target reaches its verdict within 25 one-second polls of
// `watch --json` (all five run at once, so the file takes about as long as the slowest).

import { afterAll, describe, expect, it } from 'vitest';
import { startTarget, type Target } from '../helpers/go-target.js';
import { requireTool } from '../helpers/require-tool.js';
import { spawnCli, waitFor } from '../helpers/cli.js';

const haveGo = requireTool('go', 'the live verdict tests');

const MAX_POLLS = 25;
const targets: Target[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
});

const SCENARIOS: Array<{ scenario: string; verdict: string; args?: string[]; env?: Record<string, string>; summary: RegExp }> = [
  { scenario: 'steady', verdict: 'healthy', summary: /^healthy/ },
  { scenario: 'heap-leak', verdict: 'heap-leak', args: ['-rate', '4'], summary: /main\.\(\*Cache\)\.Put/ },
  { scenario: 'goroutine-leak', verdict: 'goroutine-leak', summary: /main\.leakWorker/ },
  { scenario: 'burst-free', verdict: 'runtime-retention', env: { GODEBUG: 'madvdontneed=0' }, summary: /not a leak.*LazyFree/ },
  { scenario: 'non-go', verdict: 'non-go-memory', args: ['-rate', '4'], summary: /outside Go/ },
];

describe.skipIf(!haveGo)(`each scenario reaches its verdict within ${MAX_POLLS} one-second polls`, () => {
  for (const s of SCENARIOS) {
    it.concurrent(`${s.scenario} → ${s.verdict}`, async () => {
      const t = await startTarget({ scenario: s.scenario, args: s.args ?? [], env: s.env ?? {} });
      targets.push(t);
      const w = spawnCli(['watch', t.url, '--json', '--interval', '1s', '--count', String(MAX_POLLS)]);
      const verdicts = () => w.lines.map((l) => (JSON.parse(l) as { verdict?: { kind: string; summary: string } }).verdict);
      try {
        await waitFor(() => verdicts().some((v) => v?.kind === s.verdict) || w.child.exitCode !== null, (MAX_POLLS + 15) * 1000, s.verdict);
      } finally {
        w.child.kill('SIGINT');
        await w.done;
      }
      const all = verdicts();
      const at = all.findIndex((v) => v?.kind === s.verdict);
      expect(at, `verdicts seen: ${JSON.stringify(all.map((v) => v?.kind))}\n${w.stderr()}`).toBeGreaterThanOrEqual(0);
      expect(at + 1).toBeLessThanOrEqual(MAX_POLLS);
      expect(all[at]!.summary).toMatch(s.summary);
    });
  }
});
