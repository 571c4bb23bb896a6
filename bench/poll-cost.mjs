// The tool's own cost: RSS and CPU across 10,000 polls against a fast local source (real bytes
// recorded from the Go fixture target, served in-process with counters moving forward), and
// the requests per poll it makes to a live target at default settings.

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildGo, CLI, fmt, scratchDir, table } from './lib.mjs';

// 10,000 polls of warm-up, then 10,000 more over which growth is reported.
const POLLS = Number(process.env.BENCH_POLLS ?? 20_000);


async function startTarget(bin, args = []) {
  const child = spawn(bin, ['-addr', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /listening on (\S+)/.exec(buf);
      if (m) resolve(`http://${m[1]}`);
    });
    child.on('exit', () => reject(new Error('target exited')));
  });
  return { url, pid: child.pid, stop: () => child.kill('SIGKILL') };
}

/** Serves recorded polls round-robin, moving NumGC and TotalAlloc forward so nothing looks like a restart. */
class CannedFetcher {
  constructor(target, polls) {
    this.target = target;
    this.polls = polls;
  }
  now() {
    return Date.now();
  }
  requestCount() {
    return 0;
  }
  async close() {}
  async fetch(seq, endpoint) {
    const poll = this.polls[(seq - 1) % this.polls.length];
    const bytes = poll[endpoint] ?? this.polls[0][endpoint];
    if (!bytes) throw Object.assign(new Error(`no ${endpoint}`), { kind: 'http' });
    if (endpoint !== 'metrics') return bytes;
    // A GC every 5th poll: the heap profile is refetched then, as live.
    const gc = 1000 + Math.floor(seq / 5);
    return new TextEncoder().encode(
      new TextDecoder()
        .decode(bytes)
        .replace(/^go_gc_cycles_total_gc_cycles_total \S+$/m, `go_gc_cycles_total_gc_cycles_total ${gc}`)
        .replace(/^go_gc_duration_seconds_count \S+$/m, `go_gc_duration_seconds_count ${gc}`)
        .replace(/^go_memstats_alloc_bytes_total \S+$/m, `go_memstats_alloc_bytes_total ${1e12 + seq * 1e6}`),
    );
  }
}

export async function benchPollCost() {
  const bin = buildGo('target');
  const dir = scratchDir('polls');
  const t = await startTarget(bin, ['-scenario', 'steady']);
  try {
    // 1. Requests per poll at the default interval logic, against the live target.
    const { LiveFetcher } = await import('../dist/source/fetcher.js');
    const { parseTarget } = await import('../dist/source/target.js');
    const { Session } = await import('../dist/session/session.js');
    const counts = new Map();
    const live = new LiveFetcher(parseTarget(t.url), { http: {} });
    const counting = {
      target: live.target,
      now: (s) => live.now(s),
      requestCount: () => live.requestCount(),
      close: () => live.close(),
      fetch: (seq, endpoint, pid) => {
        const key = `${seq === 1 ? 'first poll' : 'later polls'}\t${endpoint}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return live.fetch(seq, endpoint, pid);
      },
    };
    const livePolls = 20;
    let firstPollRequests = 0;
    await new Session(counting, {
      intervalMs: 5000,
      count: livePolls,
      delay: () => 250,
      onRecord: (r) => {
        if (r.seq === 1) firstPollRequests = live.requestCount();
      },
    }).start();
    const laterHttp = live.requestCount() - firstPollRequests;
    await live.close();
    const rows = [['target requests', 'count']];
    for (const [k, v] of [...counts.entries()].sort()) rows.push([k.replace('\t', ': '), String(v)]);
    console.log(table(rows));
    console.log(
      `HTTP requests: first poll ${firstPollRequests} (discovery), then ${fmt(laterHttp / (livePolls - 1), 2)} per poll over ${livePolls - 1} polls (/proc reads are local files, not requests)`,
    );

    // 2. Record a few real polls, then many polls in-process against them.
    const polls = await recordedPolls(t.url, join(dir, 'rec'));
    await cannedRun(polls, { count: POLLS, intervalMs: 5000, sampleEvery: 1000, live });
  } finally {
    t.stop();
  }
}

/** Records a few real polls of the target and loads their raw answers. */
async function recordedPolls(url, recDir) {
  execFileSync(process.execPath, [CLI, 'record', url, '--out', recDir, '--interval', '200ms', '--count', '6', '--quiet'], { stdio: 'ignore' });
  const { openRecording } = await import('../dist/source/recording.js');
  const rec = await openRecording(recDir);
  return rec.seqs.map((seq) => {
    const p = {};
    const d = join(recDir, 'polls', String(seq).padStart(6, '0'));
    for (const [endpoint, file] of [
      ['index', 'index.html'],
      ['cmdline', 'cmdline.bin'],
      ['metrics', 'metrics.txt'],
      ['heap', 'heap.pb.gz'],
      ['goroutine-debug1', 'goroutine-debug1.txt'],
      ['pid', 'pid.txt'],
      ['proc-status', 'proc-status.txt'],
      ['proc-smaps', 'proc-smaps.txt'],
      ['proc-stat', 'proc-stat.txt'],
    ]) {
      try {
        p[endpoint] = new Uint8Array(readFileSync(join(d, file)));
      } catch {
        /* not fetched that poll */
      }
    }
    return p;
  });
}

/** Runs `count` polls in-process against canned answers; prints RSS, JS heap and CPU per poll as it goes. */
async function cannedRun(polls, { count, intervalMs, sampleEvery, live }) {
  const { Session } = await import('../dist/session/session.js');
  const fetcher = new CannedFetcher(live.target, polls);
  const samples = [];
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  const session = new Session(fetcher, {
    intervalMs,
    count,
    delay: () => 0,
    onRecord: (r) => {
      if (r.seq % sampleEvery === 0) {
        globalThis.gc?.();
        const cpu = process.cpuUsage(cpu0);
        const mem = process.memoryUsage();
        samples.push({
          polls: r.seq,
          rssMb: mem.rss / 2 ** 20,
          heapMb: mem.heapUsed / 2 ** 20,
          cpuUsPerPoll: (cpu.user + cpu.system) / sampleEvery,
          wallMsPerPoll: (performance.now() - t0) / sampleEvery,
        });
        cpu0 = process.cpuUsage();
        t0 = performance.now();
      }
    },
  });
  await session.start();
  const shown = samples.filter((_, i) => samples.length <= 12 || i % Math.ceil(samples.length / 12) === 0 || i === samples.length - 1);
  console.log(
    table([
      ['after polls', 'RSS MB', 'JS heap MB', 'CPU µs/poll', 'wall ms/poll'],
      ...shown.map((x) => [String(x.polls), fmt(x.rssMb, 1), fmt(x.heapMb, 1), fmt(x.cpuUsPerPoll), fmt(x.wallMsPerPoll, 2)]),
    ]),
  );
  const a = samples[Math.floor(samples.length / 2) - 1];
  const b = samples[samples.length - 1];
  const cpu = samples.map((x) => x.cpuUsPerPoll).sort((x, y) => x - y)[Math.floor(samples.length / 2)];
  console.log(
    `growth over the last ${b.polls - a.polls} polls (${a.polls} → ${b.polls}): RSS ${fmt(b.rssMb - a.rssMb, 1)} MB, JS heap ${fmt(b.heapMb - a.heapMb, 1)} MB; ` +
      `CPU ${fmt(cpu)} µs per poll (median); the timeline holds ${session.snapshot().timeline.length} polls`,
  );
  return { rssGrowthMb: b.rssMb - a.rssMb, cpuUsPerPoll: cpu };
}

/** 24 simulated hours of 1 s polls (86,400) against recorded answers, as fast as they go. */
export async function benchSoak() {
  const bin = buildGo('target');
  const t = await startTarget(bin, ['-scenario', 'steady']);
  try {
    const { LiveFetcher } = await import('../dist/source/fetcher.js');
    const { parseTarget } = await import('../dist/source/target.js');
    const live = new LiveFetcher(parseTarget(t.url), { http: {} });
    const polls = await recordedPolls(t.url, join(scratchDir('soak'), 'rec'));
    t.stop();
    const count = Number(process.env.BENCH_SOAK_POLLS ?? 86_400);
    const started = performance.now();
    const r = await cannedRun(polls, { count, intervalMs: 1000, sampleEvery: 4000, live });
    console.log(`${count} polls in ${fmt((performance.now() - started) / 1000)} s; RSS growth after warm-up ${fmt(r.rssGrowthMb, 1)} MB (target < 10 MB: ${r.rssGrowthMb < 10 ? 'ok' : 'OVER'})`);
  } finally {
    t.stop();
  }
}
