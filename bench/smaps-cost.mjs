// What reading /proc/PID/smaps costs next to smaps_rollup (which livepprof reads every ~30 s):
// the kernel walks every mapping either way, but smaps prints ~25 lines per mapping. Measured
// on the Go fixture target as it starts, and after it made 20,000 more mappings. Medians of
// interleaved reads; the fetcher's 'proc-smaps-full' streams smaps keeping only parsed lines.

import { readFile } from 'node:fs/promises';
import { buildGo, fmt, median, startSteadyTarget, table } from './lib.mjs';

const READS = Number(process.env.BENCH_SMAPS_READS ?? 101);

async function timeReads(pid, fetcher) {
  const ms = { rollup: [], smaps: [], full: [] };
  const bytes = {};
  const reads = {
    rollup: () => readFile(`/proc/${pid}/smaps_rollup`),
    smaps: () => readFile(`/proc/${pid}/smaps`),
    full: () => fetcher.fetch(1, 'proc-smaps-full', pid),
  };
  for (let i = 0; i < READS; i++) {
    for (const [name, read] of Object.entries(reads)) {
      const t0 = performance.now();
      const b = await read();
      ms[name].push(performance.now() - t0);
      bytes[name] = b.length;
    }
  }
  return { ms, bytes };
}

export async function benchSmapsCost() {
  const bin = buildGo('target');
  const { LiveFetcher } = await import('../dist/source/fetcher.js');
  const { parseTarget } = await import('../dist/source/target.js');
  const { parseSmaps } = await import('../dist/source/parse-proc.js');
  const t = await startSteadyTarget(bin);
  try {
    const fetcher = new LiveFetcher(parseTarget(t.url), { http: {} });
    const rows = [];
    for (const [label, prepare] of [
      ['Go target, as started', async () => {}],
      ['Go target + 20,000 mappings', async () => void (await (await fetch(`${t.url}/control/mappings?n=20000`)).text())],
    ]) {
      await prepare();
      const { ms, bytes } = await timeReads(t.pid, fetcher);
      const full = await fetcher.fetch(1, 'proc-smaps-full', t.pid);
      const n = parseSmaps(new TextDecoder().decode(full)).length;
      rows.push([`${label} (${n} mappings)`, `${fmt(median(ms.rollup), 2)} ms`, `${fmt(median(ms.smaps), 2)} ms`, `${fmt(median(ms.full), 2)} ms`, `${fmt(median(ms.smaps) / median(ms.rollup), 1)}×`, `${(bytes.smaps / 1024).toFixed(0)} kB → ${(bytes.full / 1024).toFixed(0)} kB`]);
    }
    console.log(table([['process', 'smaps_rollup', 'smaps', "'proc-smaps-full'", 'smaps / rollup', 'smaps bytes → kept'], ...rows]));
  } finally {
    t.stop();
  }
}
