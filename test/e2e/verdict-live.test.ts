// Each scenario of the Go fixture target reaches its verdict within 25 one-second polls of
// `watch --json`, with the target built by every Go of the runtime matrix (Go 1.26, 1.22, 1.19).
// All runs start together in beforeAll (15 targets, about as long as the slowest), and each test
// waits for its own: vitest's it.concurrent would run at most 5 at a time.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTarget, type Target } from '../helpers/go-target.js';
import { requireGoRuntime, requireTool } from '../helpers/require-tool.js';
import { GO_RUNTIMES, type GoRuntime } from '../helpers/go-runtimes.js';
import { spawnCli, waitFor } from '../helpers/cli.js';

const haveGo = requireTool('go', 'the live verdict tests');

const MAX_POLLS = 25;
/**
 * The limit is in polls, not seconds: `watch --count` ends after MAX_POLLS polls however slow a
 * shared machine makes them (the 1% rule stretches the interval to 100× the target's answer time
 * when the machine is loaded: 30 s a poll is already a crawl). This only bounds a watch that hangs.
 */
const HANG_MS = MAX_POLLS * 30_000 + 30_000;
const targets: Target[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
});

interface Scenario {
  scenario: string;
  verdict: string;
  args?: string[];
  env?: Record<string, string>;
  summary: RegExp;
}

const SCENARIOS: Scenario[] = [
  { scenario: 'steady', verdict: 'healthy', summary: /^healthy/ },
  { scenario: 'heap-leak', verdict: 'heap-leak', args: ['-rate', '4'], summary: /main\.\(\*Cache\)\.Put/ },
  { scenario: 'goroutine-leak', verdict: 'goroutine-leak', summary: /main\.leakWorker/ },
  { scenario: 'burst-free', verdict: 'runtime-retention', env: { GODEBUG: 'madvdontneed=0' }, summary: /not a leak.*LazyFree/ },
  { scenario: 'non-go', verdict: 'non-go-memory', args: ['-rate', '4'], summary: /outside Go/ },
];

interface Verdict {
  kind: string;
  summary: string;
}

interface Run {
  verdicts: Array<Verdict | undefined>;
  stderr: string;
}

/** Starts the target with one Go and watches it until the expected verdict (or MAX_POLLS). */
async function watchScenario(rt: GoRuntime, s: Scenario): Promise<Run> {
  const t = await startTarget({ scenario: s.scenario, args: s.args ?? [], env: s.env ?? {}, runtime: rt });
  targets.push(t);
  const w = spawnCli(['watch', t.url, '--json', '--interval', '1s', '--count', String(MAX_POLLS)]);
  const parsed = () => w.lines.map((l) => JSON.parse(l) as { verdict?: Verdict });
  try {
    await waitFor(() => parsed().some((l) => l.verdict?.kind === s.verdict) || w.child.exitCode !== null, HANG_MS, s.verdict);
  } finally {
    w.child.kill('SIGINT');
    await w.done;
  }
  return { verdicts: parsed().map((l) => l.verdict), stderr: w.stderr() };
}

const runtimes = haveGo ? GO_RUNTIMES.filter((rt) => requireGoRuntime(rt, `live verdicts on ${rt.name}`)) : [];
const runs = new Map<string, Promise<Run>>();
beforeAll(() => {
  for (const rt of runtimes) {
    for (const s of SCENARIOS) {
      const run = watchScenario(rt, s);
      run.catch(() => {}); // reported by the test that awaits it
      runs.set(`${rt.name} ${s.scenario}`, run);
    }
  }
});

for (const rt of runtimes) {
  describe(`${rt.name}: each scenario reaches its verdict within ${MAX_POLLS} one-second polls`, () => {
    for (const s of SCENARIOS) {
      it(`${rt.name} ${s.scenario} → ${s.verdict}`, async () => {
        const { verdicts, stderr } = await runs.get(`${rt.name} ${s.scenario}`)!;
        const at = verdicts.findIndex((v) => v?.kind === s.verdict);
        expect(at, `verdicts seen: ${JSON.stringify(verdicts.map((v) => v?.kind))}\n${stderr}`).toBeGreaterThanOrEqual(0);
        expect(at + 1).toBeLessThanOrEqual(MAX_POLLS);
        expect(verdicts[at]!.summary).toMatch(s.summary);
      }, HANG_MS + 60_000);
    }
  });
}
