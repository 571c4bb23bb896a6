// Key → frame latency of the full-screen view with a 100,000-stack heap profile loaded: the
// real App under Ink with the options the CLI uses, a fake TTY of 120×40; each key is written
// to stdin and timed until Ink writes the frame that answers it. Target: median and p99 < 50 ms.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildGo, capturedTarget, fmt, median, percentile, renderApp, scratchDir, table } from './lib.mjs';

// In an order where each key changes the screen (G after G would not). The round ends with s,
// which puts the cursor back on the first row.
const KEYS = {
  'G (last row)': 'G',
  'g (first row)': 'g',
  'j (next row)': 'j',
  'PgDn': '\u001b[6~',
  'k (previous row)': 'k',
  '2 (to Top)': '2',
  '4 (to Diff)': '4',
  '1 (to Overview)': '1',
  '? (help)': '?',
  'Esc': '\u001b',
  's (next sample type)': 's',
};

export async function benchKeyLatency() {
  const dir = scratchDir('keys');
  const file = join(dir, 'bigheap.pb.gz');
  execFileSync(buildGo('bigheap'), ['-out', file, '-stacks', '100000'], { stdio: 'ignore' });
  delete process.env.CI;
  const [{ render }, React, { App }, { makeTheme }, { verdictView }, { Store }, { staticSource }, { decodeProfile }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../dist/ui/App.js'),
    import('../dist/ui/theme.js'),
    import('../dist/ui/views/verdict-view.js'),
    import('../dist/state/store.js'),
    import('../dist/cli/tui-command.js'),
    import('../dist/profile/decode.js'),
  ]);
  const profile = decodeProfile(new Uint8Array(readFileSync(file)));
  const store = new Store(staticSource(profile), 'top');
  const theme = makeTheme();
  const { app, stdout, stdin } = renderApp({ render, React, App, verdictView, theme }, { store, title: 'bigheap.pb.gz' });
  const settle = () => new Promise((r) => setTimeout(r, 150));
  await settle();
  /** Sends a key; resolves with ms until the next frame is written (or the timeout). */
  const timeKey = (seq) =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const timer = setTimeout(() => {
        stdout.onWrite = null;
        resolve(null);
      }, 2000);
      stdout.onWrite = () => {
        clearTimeout(timer);
        stdout.onWrite = null;
        resolve(performance.now() - t0);
      };
      stdin.send(seq);
    });
  const rounds = Number(process.env.BENCH_KEY_ROUNDS ?? 30);
  const results = Object.fromEntries(Object.keys(KEYS).map((k) => [k, []]));
  // First visit of each pane builds its (memoized) analysis; measure that separately.
  const cold = {};
  for (const [label, seq] of [['first 2 (Top, cold)', '2'], ['first 4 (Diff, cold)', '4']]) {
    await settle();
    cold[label] = await timeKey(seq);
  }
  await timeKey('2');
  for (let i = 0; i < rounds; i++) {
    for (const [label, seq] of Object.entries(KEYS)) {
      await new Promise((r) => setTimeout(r, 20)); // past Ink's frame throttle
      const ms = await timeKey(seq);
      if (ms !== null) results[label].push(ms);
      if (label === 'Esc') await timeKey('2');
    }
  }
  app.unmount();
  const all = Object.values(results).flat();
  console.log(`profile: ${profile.samples.count} samples, ${profile.locations.length} locations; 120×40; ${rounds} rounds`);
  console.log(
    table([
      ['key → frame (ms)', 'median', 'p99', 'n'],
      ...Object.entries(results).map(([k, v]) => [k, fmt(median(v), 1), fmt(percentile(v, 99), 1), String(v.length)]),
      ['all navigation keys', fmt(median(all), 1), fmt(percentile(all, 99), 1), String(all.length)],
      ...Object.entries(cold).map(([k, v]) => [k, v === null ? 'timeout' : fmt(v, 1), '', '1']),
    ]),
  );
  const ok = median(all) < 50 && percentile(all, 99) < 50;
  console.log(`target median and p99 < 50 ms: ${ok ? 'ok' : 'OVER'}`);
  await benchKeysWhilePolling(file, rounds, { render, React, App, theme, verdictView, Store });
  await benchDecodeStall(file, rounds);
}

/**
 * The case that matters on a leaking service: a live session whose every poll brings a NEW
 * 100,000-stack heap (decoded in the worker, as in the full-screen view) while a heap-leak
 * verdict is shown, and keys are timed between and during those polls.
 */
async function benchKeysWhilePolling(file, rounds, { render, React, App, theme, verdictView, Store }) {
  const [{ Session }, { workerDecoder }] = await Promise.all([import('../dist/session/session.js'), import('../dist/session/heap-decoder.js')]);
  const heapBytes = new Uint8Array(readFileSync(file));
  const MB = 2 ** 20;
  let heaps = 0;
  // A leaking service: two GCs a poll, its live heap (the goal's half) growing 4 MB a poll.
  const fetcher = await capturedTarget({
    memstats: (seq, captured) => {
      const live = (100 + 4 * seq) * MB;
      return { ...captured, NumGC: 10 + 2 * seq, NextGC: 2 * live, HeapAlloc: live, HeapInuse: live + MB, HeapSys: 2.2 * live, HeapIdle: 1.2 * live - MB, HeapReleased: 0, Sys: 2.3 * live, TotalAlloc: 1e9 * seq };
    },
    heap: () => {
      heaps++;
      return heapBytes;
    },
  });
  const decoder = workerDecoder();
  const session = new Session(fetcher, { intervalMs: 1000, decoder });
  const store = new Store(session, 'top');
  const { app, stdout, stdin } = renderApp({ render, React, App, verdictView, theme }, { store, session, title: 'leaking bench target' });
  const running = session.start();
  const deadline = Date.now() + 60_000;
  while (session.snapshot().verdict?.kind !== 'heap-leak' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const verdictShown = session.snapshot().verdict?.kind;
  const timeKey = (seq) =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const timer = setTimeout(() => {
        stdout.onWrite = null;
        resolve(null);
      }, 2000);
      stdout.onWrite = () => {
        clearTimeout(timer);
        stdout.onWrite = null;
        resolve(performance.now() - t0);
      };
      stdin.send(seq);
    });
  const heapsBefore = heaps;
  const times = [];
  let timeouts = 0;
  const t0 = Date.now();
  for (let i = 0; i < rounds; i++) {
    for (const seq of ['j', 'k', '1', '2', 'G', 'g', '4', '2']) {
      await new Promise((r) => setTimeout(r, 20 + ((i * 7) % 13)));
      const ms = await timeKey(seq);
      if (ms === null) timeouts++;
      else times.push(ms);
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  await session.stop();
  await running;
  app.unmount();
  await decoder.close();
  console.log(
    table([
      ['key → frame while a new 100k-stack heap arrives every poll (ms)', 'median', 'p99', 'n'],
      [`verdict shown: ${verdictShown}; ${heaps - heapsBefore} new heaps in ${fmt(seconds, 0)} s`, fmt(median(times), 1), fmt(percentile(times, 99), 1), String(times.length)],
    ]),
  );
  console.log(`target p99 < 50 ms while polling: ${percentile(times, 99) < 50 && timeouts === 0 ? 'ok' : 'OVER'}${timeouts ? ` (${timeouts} keys got no frame within 2 s)` : ''}`);
}

/**
 * While a poll brings a new heap profile, how long can the main thread (the keys) not run?
 * The longest gap between 1 ms timer ticks during a decode, inline vs in the TUI's worker.
 */
async function benchDecodeStall(file, rounds) {
  const { inlineDecoder, workerDecoder } = await import('../dist/session/heap-decoder.js');
  const bytes = new Uint8Array(readFileSync(file));
  const worker = workerDecoder();
  const longestGap = async (decoder) => {
    let last = performance.now();
    let gap = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
    }, 1);
    await new Promise((r) => setTimeout(r, 5));
    last = performance.now();
    await decoder.decode(bytes, 'proto');
    await new Promise((r) => setTimeout(r, 5));
    clearInterval(tick);
    return gap;
  };
  const n = Math.min(rounds, 10);
  const inline = [];
  const off = [];
  await longestGap(worker); // start the worker outside the measurement
  for (let i = 0; i < n; i++) {
    inline.push(await longestGap(inlineDecoder));
    off.push(await longestGap(worker));
  }
  await worker.close();
  console.log(
    table([
      ['main thread blocked while a 100k-stack heap decodes (ms)', 'median', 'max', 'n'],
      ['inline (scripts: top, watch, record)', fmt(median(inline), 1), fmt(Math.max(...inline), 1), String(n)],
      ['worker thread (the full-screen view)', fmt(median(off), 1), fmt(Math.max(...off), 1), String(n)],
    ]),
  );
}
