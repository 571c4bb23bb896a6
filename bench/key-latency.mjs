// Key → frame latency of the full-screen view with a 100,000-stack heap profile loaded: the
// real App under Ink with the options the CLI uses, a fake TTY of 120×40; each key is written
// to stdin and timed until Ink writes the frame that answers it. Target: median and p99 < 50 ms.

import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildGo, fmt, median, percentile, scratchDir, table } from './lib.mjs';

class FakeStdout extends EventEmitter {
  columns = 120;
  rows = 40;
  isTTY = true;
  writes = 0;
  onWrite = null;
  write(chunk) {
    this.writes++;
    this.onWrite?.(chunk);
    return true;
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  isRaw = false;
  data = null;
  setRawMode(v) {
    this.isRaw = v;
  }
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    const d = this.data;
    this.data = null;
    return d;
  }
  send(s) {
    this.data = s;
    this.emit('readable');
    this.emit('data', s);
  }
}

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
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  const theme = makeTheme();
  const app = render(
    React.createElement(App, {
      store,
      session: null,
      info: { title: 'bigheap.pb.gz', isStatic: true },
      theme,
      verdict: (snap, width, maxLines) => verdictView(snap, theme, width, maxLines),
      quit: () => undefined,
      exportProfiles: async () => [],
      loadGoroutineDump: () => undefined,
    }),
    { stdout, stdin, stderr: stdout, exitOnCtrlC: false, patchConsole: false, maxFps: 60 },
  );
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
  await benchDecodeStall(file, rounds);
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
