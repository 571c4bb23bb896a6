// `livepprof top --json` vs `go tool pprof -top -symbolize=none` on a large real heap profile
// (≥ 100,000 distinct stacks, written by fixtures/bigheap), measured in the same run:
// whole-process wall time and peak RSS (medians of interleaved runs) and their ratios, then
// livepprof's phases in-process. Targets: wall ≤ 0.25×, peak RSS ≤ 0.3× pprof's.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pako from 'pako';
import { buildGo, CLI, fmt, measureProcess, median, pprofBinary, scratchDir, table } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const STACKS = Number(process.env.BENCH_STACKS ?? 100_000);

export async function benchTopVsPprof() {
  const dir = scratchDir('top');
  const profile = join(dir, 'bigheap.pb.gz');
  const bigheap = buildGo('bigheap');
  const { execFileSync } = await import('node:child_process');
  const made = execFileSync(bigheap, ['-out', profile, '-stacks', String(STACKS)], { encoding: 'utf8' }).trim();
  const raw = readFileSync(profile);
  const inflated = pako.inflate(raw).length;
  console.log(`profile: ${made}\n         ${statSync(profile).size} bytes gzipped, ${inflated} bytes of protobuf`);

  const pprof = pprofBinary();
  const ours = [];
  const theirs = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved so machine noise hits both alike.
    ours.push(await measureProcess(process.execPath, [CLI, 'top', profile, '--json']));
    theirs.push(await measureProcess(pprof, ['-top', '-symbolize=none', profile], { PPROF_TMPDIR: dir }));
  }
  const o = { wall: median(ours.map((r) => r.wallMs)), rss: median(ours.map((r) => r.rssMb)) };
  const t = { wall: median(theirs.map((r) => r.wallMs)), rss: median(theirs.map((r) => r.rssMb)) };
  const wallRatio = o.wall / t.wall;
  const rssRatio = o.rss / t.rss;
  console.log(
    table([
      ['whole process (median of ' + RUNS + ')', 'wall ms', 'peak RSS MB'],
      ['livepprof top --json', fmt(o.wall), fmt(o.rss)],
      ['go tool pprof -top -symbolize=none', fmt(t.wall), fmt(t.rss)],
      ['ratio livepprof / pprof', fmt(wallRatio, 2) + (wallRatio <= 0.25 ? ' ok' : ' OVER 0.25'), fmt(rssRatio, 2) + (rssRatio <= 0.3 ? ' ok' : ' OVER 0.3')],
    ]),
  );

  // Phases, in-process (dist/ is built by `npm run bench`).
  const { decodeProfile, gunzipIfNeeded } = await import('../dist/profile/decode.js');
  const { topReport } = await import('../dist/analysis/top.js');
  const { defaultSampleIndex } = await import('../dist/profile/model.js');
  const phases = { inflate: [], decode: [], top: [], topLines: [] };
  for (let i = 0; i < RUNS; i++) {
    let t0 = performance.now();
    const bytes = gunzipIfNeeded(new Uint8Array(raw));
    phases.inflate.push(performance.now() - t0);
    t0 = performance.now();
    const p = decodeProfile(bytes);
    phases.decode.push(performance.now() - t0);
    const opts = { sampleIndex: defaultSampleIndex(p), granularity: 'functions', nodeCount: 0, cumSort: false, filters: {} };
    t0 = performance.now();
    topReport(p, opts);
    phases.top.push(performance.now() - t0);
    t0 = performance.now();
    topReport(p, { ...opts, granularity: 'lines' });
    phases.topLines.push(performance.now() - t0);
  }
  console.log(
    table([
      ['livepprof phases (median ms)', 'ms'],
      ['gunzip (pako)', fmt(median(phases.inflate), 1)],
      ['decode to model', fmt(median(phases.decode), 1)],
      ['top, functions', fmt(median(phases.top), 1)],
      ['top, lines', fmt(median(phases.topLines), 1)],
    ]),
  );
  return { wallRatio, rssRatio };
}
