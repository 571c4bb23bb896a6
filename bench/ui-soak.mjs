// `npm run bench -- ui-soak`: the full-screen view over many polls. The soak bench runs the
// session alone; this one draws every poll's Overview (120×40, a fake TTY) from a target whose
// figures change at each poll, and samples the JS heap after a full GC. It runs twice, in two
// processes: with Ink's text caches as the bundle loads them (bounded: scripts/ink-patches.mjs)
// and as Ink ships them (they keep every string ever measured), so the difference is measured in
// the same run. Goal: no growth after warm-up in the bundle's configuration (the second half's
// peak within 0.5 MB of the first half's).

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt, table } from './lib.mjs';

const POLLS = Number(process.env.BENCH_UI_SOAK_POLLS ?? 12_000);
const SAMPLE_EVERY = Math.max(1, Math.floor(POLLS / 10));

export async function benchUiSoak() {
  const run = (patched) =>
    new Promise((resolve, reject) =>
      execFile(
        process.execPath,
        ['--expose-gc', fileURLToPath(import.meta.url), 'child', patched ? 'patched' : 'as-shipped'],
        { env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 1 << 20 },
        (err, out) => (err ? reject(err) : resolve(JSON.parse(out.toString().replace(/\u001b\[\?25h/g, '')))),
      ),
    );
  // Both at once (two cores): each is one process, one thread.
  const [bounded, shipped] = await Promise.all([run(true), run(false)]);
  console.log(
    table([
      ['after polls', 'JS heap MB, as bundled', "JS heap MB, Ink's caches as shipped"],
      ...bounded.samples.map((s, i) => [String(s.polls), fmt(s.heapMb, 1), fmt(shipped.samples[i]?.heapMb ?? NaN, 1)]),
    ]),
  );
  // A bounded cache is a sawtooth (filled, cleared): compare the peaks of the two halves.
  const peakGrowth = (r) => {
    const half = Math.floor(r.samples.length / 2);
    const peak = (xs) => Math.max(...xs.map((x) => x.heapMb));
    return peak(r.samples.slice(half)) - peak(r.samples.slice(0, half));
  };
  const g = peakGrowth(bounded);
  console.log(
    `peak heap, second half − first half (${POLLS / 2} polls each, ${bounded.frames} frames drawn in all, ${fmt(bounded.msPerPoll, 1)} ms a poll): ` +
      `${fmt(g, 2)} MB as bundled, ${fmt(peakGrowth(shipped), 2)} MB with Ink's caches as shipped. Goal < 0.5 MB: ${g < 0.5 ? 'ok' : 'OVER'}`,
  );
}

/** One process: POLLS polls of a changing target, every one drawn; prints the heap samples as JSON. */
async function child(patched) {
  if (patched) (await import('node:module')).register('./ink-patch-loader.mjs', import.meta.url);
  const { FakeStdout, capturedTarget, renderApp } = await import('./lib.mjs');
  const [{ render }, React, { App }, { makeTheme }, { verdictView }, { Store }, { Session }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../dist/ui/App.js'),
    import('../dist/ui/theme.js'),
    import('../dist/ui/views/verdict-view.js'),
    import('../dist/state/store.js'),
    import('../dist/session/session.js'),
  ]);
  const { readFileSync } = await import('node:fs');
  const heap = new Uint8Array(readFileSync(new URL('../../shared/fixtures/go1.19/heap.pb.gz', import.meta.url)));
  const MB = 2 ** 20;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  // A service whose figures move every poll (a GC a poll, a live heap wandering by kilobytes), as
  // a live one's do: each frame has new numbers, times and chart labels.
  const fetcher = await capturedTarget({
    now: () => clock,
    heap: () => heap,
    memstats: (seq, captured) => {
      const live = 50 * MB + ((seq * 7919) % 4096) * 1024;
      return { ...captured, NumGC: 10 + seq, NextGC: 2 * live, HeapAlloc: live + (seq % 97) * 4096, HeapInuse: live + MB, HeapSys: 2.2 * live, HeapIdle: 1.2 * live - MB, HeapReleased: 0, Sys: 2.3 * live, TotalAlloc: 1e9 * seq };
    },
  });
  const samples = [];
  const stdout = new FakeStdout();
  const t0 = performance.now();
  const session = new Session(fetcher, {
    intervalMs: 1000,
    count: POLLS,
    // Two minutes of history (120 polls): the session's own ring is full long before the second
    // half, so what still grows there is not the timeline.
    historyMs: 120_000,
    // 1 ms between polls: Ink draws (it throttles to maxFps) before the next one.
    delay: () => {
      clock += 1000;
      return 1;
    },
    onRecord: (r) => {
      if (r.seq % SAMPLE_EVERY === 0) {
        globalThis.gc();
        samples.push({ polls: r.seq, heapMb: process.memoryUsage().heapUsed / MB, frames: stdout.writes });
      }
    },
  });
  const store = new Store(session);
  const { app } = renderApp({ render, React, App, verdictView, theme: makeTheme() }, { store, session, title: 'ui soak', stdout, maxFps: 1000 });
  await session.start();
  const msPerPoll = (performance.now() - t0) / POLLS;
  app.unmount();
  store.close();
  process.stdout.write(JSON.stringify({ samples, msPerPoll, frames: stdout.writes }));
  process.exit(0);
}

if (process.argv[2] === 'child') await child(process.argv[3] === 'patched');
