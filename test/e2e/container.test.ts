// The built CLI against the fixture target deployed as a container is: in a network namespace of
// its own (reached over a veth pair, addresses only inside the namespaces made here), in a PID
// namespace, in a v1 memory cgroup with a limit, and published on the host through a real TCP
// forwarder process. livepprof must report the service's own pid and figures, never the
// forwarder's, or say honestly why it cannot.
import { spawn } from 'node:child_process';
import { requireTool } from '../helpers/require-tool.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, waitFor } from '../helpers/cli.js';
import { CLI } from '../helpers/paths.js';
import {
  assertRoutedLocally,
  createMemoryCgroup,
  createNetns,
  startContained,
  startForwarder,
  vmRss,
  type Contained,
  type Forwarder,
  type MemoryCgroup,
  type NetnsSandbox,
} from '../helpers/sandbox.js';
import { framed, startTmux, type TmuxSession } from '../helpers/tmux.js';

const MiB = 2 ** 20;
type Line = Record<string, unknown> & { limitRunway?: { headroom: number; secondsLeft: number | null } };
const json = (lines: string[]): Line[] => lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);

const run = requireTool(['root', 'netns', 'pidns', 'memcg-v1', 'go'], 'the container end-to-end tests');
const runTmux = run && requireTool('tmux', 'the container tests in the full-screen view');

/** Working set as the kernel counts it right now: usage − total_inactive_file. */
function kernelWorkingSet(cg: MemoryCgroup): number {
  const inactive = Number(/^total_inactive_file (\d+)$/m.exec(cg.read('memory.stat'))![1]);
  return Number(cg.read('memory.usage_in_bytes')) - inactive;
}

describe.runIf(run)('a containerised service behind a forwarder', () => {
  let ns: NetnsSandbox;
  let cg: MemoryCgroup;
  let svc: Contained;
  let fwd: Forwarder;
  beforeAll(async () => {
    ns = await createNetns();
    cg = createMemoryCgroup(160 * MiB);
    svc = await startContained({ netns: ns, pidns: true, cgroup: cg });
    fwd = await startForwarder({ host: svc.host, port: svc.port });
    // A fresh target grows by a megabyte or so while it answers its first profile requests, and
    // its garbage moves a 10 MB RSS by several percent between two reads: warm it up and give it
    // 64 MB it keeps, so the comparison below measures livepprof, not the target's churn.
    for (const path of ['control/leak?mb=64', 'debug/pprof/', 'debug/pprof/heap', 'debug/pprof/goroutine?debug=1', 'metrics']) {
      await (await fetch(`${svc.url}/${path}`)).arrayBuffer();
    }
  });
  afterAll(async () => {
    await fwd?.stop();
    await svc?.stop();
    cg?.remove();
    ns?.remove();
  });

  it("watch --json: the service's pid and RSS (within 5% of /proc/PID/status), its working set and limit, never the forwarder's", async () => {
    const w = spawnCli(['watch', `127.0.0.1:${fwd.port}`, '--json', '--interval', '300ms', '--count', '4']);
    const rssNow: number[] = [];
    const wsNow: number[] = [];
    // Read the kernel's figures as each line arrives, so both describe the same moment.
    const seen = () => json(w.lines).length;
    for (let n = 1; n <= 4; n++) {
      await waitFor(() => seen() >= n, 20_000, `poll ${n}`);
      rssNow.push(vmRss(svc.pid));
      wsNow.push(kernelWorkingSet(cg));
    }
    expect(await w.done).toBe(0);
    const polls = json(w.lines);
    polls.forEach((p, i) => {
      expect(p, w.stderr()).toMatchObject({ ok: true, pid: svc.pid, rssSource: 'proc', memoryLimit: 160 * MiB, cgroupPath: cg.path, cgroupVersion: 1, cgroupProcs: 2 });
      expect(p.pid).not.toBe(fwd.pid);
      expect(Math.abs((p.rss as number) - rssNow[i]!) / rssNow[i]!, `poll ${i + 1}: RSS ${p.rss} vs VmRSS ${rssNow[i]}`).toBeLessThan(0.05);
      expect(Math.abs((p.workingSet as number) - wsNow[i]!) / wsNow[i]!, `poll ${i + 1}: working set ${p.workingSet} vs ${wsNow[i]}`).toBeLessThan(0.1);
      expect(p.workingSet as number).toBeLessThanOrEqual(p.memoryUsage as number);
      expect(p.identity).toMatch(new RegExp(`^pid ${svc.pid} serves port ${fwd.port} \\(through node \\(pid ${fwd.pid}\\), in network namespace \\d+\\): command line equals /debug/pprof/cmdline`));
    });
    // The fixture sets no GOMEMLIMIT: in a limited container that is worth saying.
    expect(polls.at(-1)!.containerAdvice).toEqual(expect.arrayContaining([expect.stringMatching(/^no GOMEMLIMIT in a container limited to 160MB/)]));
    // The forwarder's own RSS is nowhere in the output.
    const forwarderRss = vmRss(fwd.pid);
    expect(polls.every((p) => Math.abs((p.rss as number) - forwarderRss) / forwarderRss > 0.05)).toBe(true);
  });

  it("the target given by the container's own address (no listener on the host)", async () => {
    assertRoutedLocally(ns);
    const r = await runCli(['watch', svc.url, '--json', '--interval', '200ms', '--count', '2']);
    expect(r.code, r.stderr).toBe(0);
    for (const p of json(r.stdout.split('\n'))) {
      expect(p).toMatchObject({ ok: true, pid: svc.pid, rssSource: 'proc', memoryLimit: 160 * MiB });
      expect(p.identity).toMatch(new RegExp(`^pid ${svc.pid} serves port ${svc.port} \\(in network namespace \\d+\\)`));
    }
  });

  it('not root: no /proc read, RSS from /metrics, and one line saying why', async () => {
    // nobody cannot read root's /proc/PID/fd: the process behind the forwarder cannot be proven.
    const r = await runAs(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'], ['watch', `127.0.0.1:${fwd.port}`, '--json', '--interval', '200ms', '--count', '2']);
    expect(r.code, r.stderr).toBe(0);
    for (const p of json(r.stdout.split('\n'))) {
      expect(p).toMatchObject({ ok: true, pid: null, rssSource: 'metrics', workingSet: null, memoryLimit: null });
      expect(p.identity).toMatch(/^cannot see the process holding port \d+: not root: \d+ processes of other users cannot be inspected: RSS from \/metrics$/);
    }
  });

  it('livepprof in a PID namespace of its own (a container): it still works and says what it cannot see', async () => {
    const r = await runAs(['unshare', '--pid', '--fork', '--mount-proc', '--'], ['watch', `127.0.0.1:${fwd.port}`, '--json', '--interval', '200ms', '--count', '2']);
    expect(r.code, r.stderr).toBe(0);
    for (const p of json(r.stdout.split('\n'))) {
      expect(p).toMatchObject({ ok: true, pid: null, rssSource: 'metrics' });
      expect(p.heapInuse).toBeGreaterThan(0);
      expect(p.identity).toBe(
        `cannot see the process holding port ${fwd.port}: livepprof runs in a PID namespace of its own (a container) and sees only its processes: RSS from /metrics`,
      );
    }
  });
});

/** The built CLI under a wrapper (setpriv, unshare). */
function runAs(wrapper: string[], args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(wrapper[0]!, [...wrapper.slice(1), process.execPath, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe.runIf(run)('a leak in a memory-limited container', () => {
  const made: Array<{ stop?: () => Promise<void>; remove?: () => void }> = [];
  afterAll(async () => {
    for (const m of made.reverse()) {
      await m.stop?.();
      m.remove?.();
    }
  });

  /**
   * A leak at 8 MiB/s into a 128 MiB limit, watched through the forwarder until the kernel kills
   * the target; a supervisor then starts it again on the same port, in the same cgroup (as
   * Docker restarts a container) or in a new one (as Kubernetes starts a new container).
   */
  async function leakUntilOomKill(sameCgroup: boolean): Promise<{ polls: Line[]; first: Contained; second: Contained }> {
    const ns = await createNetns();
    made.push(ns);
    const cg = createMemoryCgroup(128 * MiB);
    made.push(cg);
    const first = await startContained({ netns: ns, pidns: true, cgroup: cg, scenario: 'heap-leak', args: ['-rate', '8'] });
    made.push(first);
    const fwd = await startForwarder({ host: first.host, port: first.port });
    made.push(fwd);
    const w = spawnCli(['watch', `127.0.0.1:${fwd.port}`, '--json', '--interval', '250ms', '--timeout', '2s']);
    try {
      await first.exited;
      const next = sameCgroup ? cg : createMemoryCgroup(128 * MiB);
      if (!sameCgroup) made.push(next);
      // The restarted one does not leak: this test is about noticing the kill.
      const second = await startContained({ netns: ns, pidns: true, cgroup: next, port: first.port });
      made.push(second);
      await waitFor(() => json(w.lines).some((p) => p.restarted && p.pid === second.pid), 60_000, 'a poll of the restarted target').catch((e: Error) => {
        const brief = json(w.lines).map((p) => `${p.seq} ok=${p.ok} pid=${p.pid} ${p.error ?? ''} ${p.identity ?? ''} ${p.restartReason ?? ''}`);
        throw new Error(`${e.message} (first ${first.pid}, second ${second.pid}); polls:\n${brief.join('\n')}\n${w.stderr()}`);
      });
      return { polls: json(w.lines), first, second };
    } finally {
      w.child.kill('SIGINT');
      await w.done;
    }
  }

  it('working set and limit each poll; the runway shrinks as the leak grows; the OOM kill is reported from oom_kill', { timeout: 150_000 }, async () => {
    const { polls, first, second } = await leakUntilOomKill(true);
    const before = polls.filter((p) => p.ok && p.pid === first.pid);
    expect(before.length).toBeGreaterThan(3);
    // The last poll of the first process may race its kill: the target answered, and by the time
    // the cgroup was read the kernel had counted the kill (seen once in CI). Every earlier one: 0.
    for (const p of before.slice(0, -1)) expect(p).toMatchObject({ memoryLimit: 128 * MiB, oomKills: 0 });
    expect(before.at(-1)).toMatchObject({ memoryLimit: 128 * MiB });
    expect([0, 1]).toContain(before.at(-1)!.oomKills);
    const headroom = before.map((p) => p.limitRunway!.headroom);
    expect(headroom.at(-1)!).toBeLessThan(headroom[0]! - 16 * MiB);
    const forecasts = before.map((p) => p.limitRunway!.secondsLeft).filter((s): s is number => s !== null);
    expect(forecasts.length).toBeGreaterThan(1);
    expect(forecasts.at(-1)!).toBeLessThan(forecasts[0]!);
    // The verdict's runway is measured against the container's limit too, and shrinks.
    const verdictRunways = before
      .map((p) => (p.verdict as { runway?: { seconds: number; limit: number; limitSource: string } | null } | undefined)?.runway)
      .filter((r) => r?.limitSource === 'cgroup');
    expect(verdictRunways.length).toBeGreaterThan(0);
    expect(verdictRunways[0]!.limit).toBe(128 * MiB);
    expect(verdictRunways.at(-1)!.seconds).toBeLessThanOrEqual(verdictRunways[0]!.seconds);
    const restart = polls.find((p) => p.restarted && p.pid === second.pid)!;
    expect(restart.oomKills).toBe(1);
    expect(restart.oomKill).toBe("OOM-killed: the cgroup's oom_kill counter went 0 → 1 (1 process killed at the memory limit)");
    expect(restart.restartReason).toContain(`pid changed from ${first.pid} to ${second.pid}`);
    expect(restart.restartReason).toContain('OOM-killed');
  });

  it('restarted in a new cgroup (a new container): the kill is told from a last working set at ≥ 90% of the limit', { timeout: 150_000 }, async () => {
    const { polls, first, second } = await leakUntilOomKill(false);
    const last = polls.filter((p) => p.ok && p.pid === first.pid).at(-1)!;
    expect(last.workingSet as number).toBeGreaterThanOrEqual(0.9 * 128 * MiB);
    const restart = polls.find((p) => p.restarted && p.pid === second.pid)!;
    expect(restart.oomKills).toBe(0);
    expect(restart.oomKill).toMatch(/^probably OOM-killed: its last working set \d+MB was (9\d|1\d\d)% of the 128MB limit$/);
  });
});


describe.runIf(runTmux)('the full-screen view and the picker', () => {
  let ns: NetnsSandbox;
  let cg: MemoryCgroup;
  let svc: Contained;
  let fwd: Forwarder;
  const sessions: TmuxSession[] = [];
  beforeAll(async () => {
    ns = await createNetns();
    cg = createMemoryCgroup(192 * MiB);
    svc = await startContained({ netns: ns, pidns: true, cgroup: cg });
    fwd = await startForwarder({ host: svc.host, port: svc.port });
  });
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.kill()));
    await fwd?.stop();
    await svc?.stop();
    cg?.remove();
    ns?.remove();
  });

  it('Overview: the working set against the limit, with the cgroup it comes from', async () => {
    const s = await startTmux({ command: [process.execPath, CLI, `127.0.0.1:${fwd.port}`, '--interval', '500ms'], width: 100, height: 30 });
    sessions.push(s);
    const m = await s.waitFor(/working set (\S+) \/ limit 192MB \((\d+)%\) {2}cgroup (\S+), 2 processes/, 20_000);
    expect(m[3], framed(await s.capture())).toBe(cg.path);
    expect(await s.capture()).toMatch(new RegExp(`pid ${svc.pid}`));
    await s.sendKeys('q');
    expect(await s.waitForExit()).toBe(0);
  });

  it('the picker lists the service behind the forwarder under its own pid', async () => {
    const s = await startTmux({ command: [process.execPath, CLI], width: 160, height: 30 });
    sessions.push(s);
    await s.waitFor(new RegExp(`127\\.0\\.0\\.1:${fwd.port} {2}pid ${svc.pid} via node ${fwd.pid} `), 30_000);
    await s.sendKeys('q');
    expect(await s.waitForExit()).toBe(0);
  });
});
