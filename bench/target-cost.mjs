// What one poll costs the target at the default settings: its own CPU time (from /proc/PID/stat,
// polling vs not polling over the same time) and the bytes it sends, measured on the Go fixture
// target; and the rule livepprof follows to stay under 1% of one core.

import { readFileSync } from 'node:fs';
import { buildGo, fmt, median, startSteadyTarget, table } from './lib.mjs';

const POLLS = Number(process.env.BENCH_TARGET_POLLS ?? 40);
const GAP_MS = 250;
const TICK_MS = 10; // USER_HZ = 100 on Linux

function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
}

export async function benchTargetCost() {
  const bin = buildGo('target');
  const { LiveFetcher } = await import('../dist/source/fetcher.js');
  const { parseTarget } = await import('../dist/source/target.js');
  const { Session, TARGET_BUDGET } = await import('../dist/session/session.js');
  const perPoll = [];
  const idlePerWindow = [];
  let requests = 0;
  let targetMs = [];
  for (let round = 0; round < 3; round++) {
    const t = await startSteadyTarget(bin);
    const window = POLLS * GAP_MS;
    await new Promise((r) => setTimeout(r, 1000)); // past start-up
    // Idle: the target's own steady work over one window.
    let c0 = cpuMs(t.pid);
    await new Promise((r) => setTimeout(r, window));
    const idle = cpuMs(t.pid) - c0;
    idlePerWindow.push(idle);
    // Polled: the same window with POLLS polls (after a discovery poll, not counted).
    const live = new LiveFetcher(parseTarget(t.url), { http: {} });
    const s = new Session(live, { count: POLLS + 1, delay: () => GAP_MS });
    let counting = false;
    const unsubscribe = s.subscribe(() => {
      const snap = s.snapshot();
      if (counting && snap.lastRecord && snap.polls > 1) targetMs.push(snap.lastTargetMs);
    });
    const done = s.start();
    await new Promise((r) => setTimeout(r, 300));
    counting = true;
    c0 = cpuMs(t.pid);
    const b0 = live.requestCount();
    await done;
    const polled = cpuMs(t.pid) - c0;
    unsubscribe();
    perPoll.push(Math.max(0, polled - idle) / POLLS);
    requests = live.requestCount() - b0;
    await live.close();
    t.stop();
  }
  targetMs = targetMs.filter((x) => x > 0);
  const cpu = median(perPoll);
  console.log(
    table([
      ['target cost per poll (median of 3 rounds)', 'value'],
      ['CPU the target spends answering', `${fmt(cpu, 2)} ms`],
      ['time the target takes to answer (wall, as livepprof measures it)', `${fmt(median(targetMs), 2)} ms`],
      ['HTTP requests per poll', fmt(requests / POLLS, 2)],
      ['share of one core at the default 5 s interval', `${fmt((cpu / 5000) * 100, 3)}%`],
      ['share of one core at 1 s', `${fmt((cpu / 1000) * 100, 3)}%`],
    ]),
  );
  console.log(
    `rule: livepprof keeps the time the target spends answering under ${TARGET_BUDGET * 100}% of the interval — when the median of the\n` +
      `last 3 polls exceeds it (a huge heap profile, a slow service), the next poll waits ${1 / TARGET_BUDGET}× that time instead (shown in the header).\n` +
      `Idle target CPU for scale: ${fmt(median(idlePerWindow) / (POLLS * GAP_MS) * 100, 2)}% of a core from its own steady workload.`,
  );
}
